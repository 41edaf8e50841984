#include "strategy/rolling.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace deploysim::strategy {

Fenceposts resolve_fenceposts(std::int64_t replicas, spec::CountOrPercent max_surge,
                              spec::CountOrPercent max_unavailable) {
  // GetScaledValueFromIntOrPercent: value × replicas / 100, rounded up for surge and down for
  // unavailable. The product of two whole numbers is exact in a double, and so is the quotient
  // whenever it is whole, so the rounding never sees a representation error at the fencepost.
  const auto scaled = [replicas](spec::CountOrPercent value, bool round_up) {
    if (!value.percent) return static_cast<std::int64_t>(value.value);
    const double exact = value.value * static_cast<double>(replicas) / 100.0;
    return static_cast<std::int64_t>(round_up ? std::ceil(exact) : std::floor(exact));
  };
  Fenceposts result{scaled(max_surge, true), scaled(max_unavailable, false)};
  // "surge might not work due to quota": a rollout that can neither add nor remove a pod would
  // never move, so Kubernetes lets one pod be unavailable.
  if (result.surge == 0 && result.unavailable == 0) result.unavailable = 1;
  return result;
}

RollingStrategy::RollingStrategy(model::World& world, const spec::Deployment& deployment,
                                 const spec::RollingParams& params)
    : Strategy(world, deployment), params_(params), hosts_(world.deployment_hosts()) {}

void RollingStrategy::start() {
  running_ = true;
  progress();
  deadline_timer_ = world_.kernel().wake_after(params_.progress_deadline, *this, kDeadlineTag);
  if (batch_mode()) {
    note("rolling_batches", std::to_string(static_cast<std::int64_t>(hosts_.size())) +
                                " host(s) in place, " + std::to_string(params_.batch_size) +
                                " at a time (Ansible serial)");
    next_batch();
  } else {
    k8s_start();
  }
}

void RollingStrategy::on_wake(engine::Kernel& /*kernel*/, std::uint64_t tag) {
  if (tag == kDeadlineTag) {
    on_deadline();
  } else if (tag == kBatchTag) {
    batch_timer_ = {};
    if (running_ && rolling_back_) {
      next_revert_batch();
    } else if (running_) {
      next_batch();
    }
  } else {
    const auto host = static_cast<HostIndex>(tag);
    // A pod deleted while it waited out min_ready has left the ready state.
    if (host < pod_state_.size() && pod_state_[host] == Pod::ready) pod_available(host);
  }
}

void RollingStrategy::on_deadline() {
  // Not checked while paused or once the rollout has an outcome (Kubernetes ignores it once the
  // rollout is complete; an undo is outside this strategy's deadline).
  if (!active() || !running_) return;
  const engine::Time due = last_progress_ + params_.progress_deadline;
  if (world_.now() < due) {
    deadline_timer_ = world_.kernel().wake_at(due, *this, kDeadlineTag);
    return;
  }
  if (batch_mode()) {
    running_ = false;
    finish(DeployOutcome::failed, "progress deadline exceeded");
  } else {
    // Progressing=False, reason ProgressDeadlineExceeded, and nothing else: the controller
    // keeps reconciling (running_ stays true), with crashed new pods left where they are.
    finish(DeployOutcome::failed,
           "progress deadline exceeded (no automatic rollback in Kubernetes)");
  }
}

void RollingStrategy::host_updated(HostIndex host, bool ok) {
  if (batch_mode()) {
    batch_host_updated(ok);
  } else {
    k8s_host_updated(host, ok);
  }
}

void RollingStrategy::halt() {
  // Hosts in flight are left to finish: a paused Deployment does not stop the kubelet starting
  // pods it has created, and a stopped playbook has already sent its tasks. The controller, or
  // the next batch, simply does not act again.
  running_ = false;
  if (batch_timer_.valid()) world_.kernel().cancel(batch_timer_);
  batch_timer_ = {};
  if (active()) finish(DeployOutcome::halted);
}

void RollingStrategy::rollback(std::string_view /*reason*/, std::string_view /*who*/) {
  if (outcome_ == DeployOutcome::not_started || rolling_back_) return;
  // The base class's outcome rule: a rollout in progress, completed or failed is rolled back; a
  // halted one keeps its outcome, though its hosts still go back.
  if (outcome_ == DeployOutcome::in_progress || outcome_ == DeployOutcome::completed ||
      outcome_ == DeployOutcome::failed) {
    outcome_ = DeployOutcome::rolled_back;
  }
  rolling_back_ = true;
  running_ = true;
  progress();
  // Who asked and why is recorded by the world's "code_rolled_back"; this says what it means here.
  note("rollback_started", batch_mode() ? "touched hosts back to their previous version, "
                                          "batch by batch"
                                        : "rollout undo: a rolling update back to the old "
                                          "template, with the same fenceposts");
  if (batch_mode()) {
    revert_next_ = 0;
    revert_end_ = next_;
    if (batch_timer_.valid()) world_.kernel().cancel(batch_timer_);
    batch_timer_ = {};
    // A batch in flight ends first, as a playbook run does; its end starts the revert.
    if (batch_in_flight_ == 0) next_revert_batch();
  } else {
    k8s_rollback();
  }
}

// --- in-place batches ----------------------------------------------------------------------

void RollingStrategy::next_batch() {
  if (!running_ || !active()) return;
  if (next_ >= hosts_.size()) {
    running_ = false;
    finish(DeployOutcome::completed);
    return;
  }
  const auto size = std::min(static_cast<std::size_t>(params_.batch_size), hosts_.size() - next_);
  ++batch_number_;
  batch_started_ = static_cast<std::int64_t>(size);
  batch_failed_ = 0;
  batch_in_flight_ = batch_started_;
  revert_batch_ = false;
  progress();
  if (world_.tracing()) {
    world_.record({world_.now(),
                   "batch_started",
                   deployment_.service,
                   {{"batch", batch_number_}, {"hosts", batch_started_}}},
                  false);
  }
  const auto& fleet = world_.fleet();
  for (std::size_t i = 0; i < size; ++i) {
    const HostIndex host = hosts_[next_++];
    original_.push_back(fleet.version_of(host));
    updater_.update(host, target_);
  }
}

void RollingStrategy::batch_host_updated(bool ok) {
  if (batch_in_flight_ <= 0) return;
  if (ok) {
    progress();
  } else if (revert_batch_) {
    ++revert_failed_;
  } else {
    ++batch_failed_;
  }
  if (--batch_in_flight_ == 0) batch_ended();
}

void RollingStrategy::batch_ended() {
  if (rolling_back_) {
    if (!running_) return;
    if (params_.min_ready > engine::Duration{} && revert_next_ > 0) {
      batch_timer_ = world_.kernel().wake_after(params_.min_ready, *this, kBatchTag);
    } else {
      next_revert_batch();
    }
    return;
  }
  if (!running_ || !active()) return;
  if (batch_failed_ > 0) {
    running_ = false;
    finish(DeployOutcome::failed,
           std::to_string(batch_failed_) + " of " + std::to_string(batch_started_) +
               " host(s) of batch " + std::to_string(batch_number_) +
               " failed (max_fail_percentage 0); " +
               std::to_string(static_cast<std::int64_t>(hosts_.size() - next_)) +
               " host(s) not attempted");
    return;
  }
  if (next_ >= hosts_.size()) {
    running_ = false;
    finish(DeployOutcome::completed);
    return;
  }
  // The next batch waits out min_ready after the last host of this one is back.
  if (params_.min_ready > engine::Duration{}) {
    batch_timer_ = world_.kernel().wake_after(params_.min_ready, *this, kBatchTag);
  } else {
    next_batch();
  }
}

void RollingStrategy::next_revert_batch() {
  const auto& fleet = world_.fleet();
  std::int64_t started = 0;
  batch_in_flight_ = 0;
  revert_batch_ = true;
  // Hosts already back on their old version and serving (never reached, or failed before the
  // install) are passed over at no cost; each position is looked at once.
  while (revert_next_ < revert_end_ && started < params_.batch_size) {
    const std::size_t position = revert_next_++;
    const HostIndex host = hosts_[position];
    if (fleet.version_of(host) == original_[position] && fleet.is_serving(host)) continue;
    ++started;
    ++batch_in_flight_;
    updater_.update(host, original_[position]);
  }
  if (started > 0) return;
  running_ = false;
  note("rollback_completed",
       std::to_string(static_cast<std::int64_t>(revert_end_)) + " host(s) touched by the rollout " +
           "back on their previous version" +
           (revert_failed_ > 0 ? "; " + std::to_string(revert_failed_) + " failed to revert" : ""));
}

// --- Kubernetes RollingUpdate --------------------------------------------------------------

void RollingStrategy::k8s_start() {
  const auto& fleet = world_.fleet();
  // The Deployment's replicas are the pods it has: hosts an autoscaler removed before the
  // rollout are not replaced by it.
  replicas_ =
      static_cast<std::int64_t>(std::count_if(hosts_.begin(), hosts_.end(), [&](HostIndex host) {
        return fleet.health_of(host) != model::Health::terminated;
      }));
  fenceposts_ = resolve_fenceposts(replicas_, params_.max_surge, params_.max_unavailable);
  // MaxUnavailable(): never more than the replicas there are.
  fenceposts_.unavailable = std::min(fenceposts_.unavailable, replicas_);
  note("rolling_update", std::to_string(replicas_) + " replica(s), maxSurge " +
                             std::to_string(fenceposts_.surge) + ", maxUnavailable " +
                             std::to_string(fenceposts_.unavailable) +
                             " (Kubernetes RollingUpdate)");
  pod_state_.assign(fleet.size(), Pod::none);
  pod_set_.assign(fleet.size(), 0);
  pod_pos_.assign(fleet.size(), 0);
  // The hosts found are the old ReplicaSet. Its available pods are listed last-first so that
  // deletion (from the back) goes through the hosts in order; hosts not serving are its
  // unhealthy pods, which the controller removes first.
  auto& old_set = sets_[0];
  old_set.pods[static_cast<std::size_t>(Pod::available)].reserve(hosts_.size());
  for (auto it = hosts_.rbegin(); it != hosts_.rend(); ++it) {
    const HostIndex host = *it;
    if (fleet.health_of(host) == model::Health::terminated) continue;
    add_pod(0, fleet.is_serving(host) ? Pod::available : Pod::unready, host);
  }
  new_set_ = 1;
  reconcile();
}

void RollingStrategy::add_pod(int set, Pod state, HostIndex host) {
  auto& list = sets_[static_cast<std::size_t>(set)].pods[static_cast<std::size_t>(state)];
  pod_state_[host] = state;
  pod_set_[host] = static_cast<std::uint8_t>(set);
  pod_pos_[host] = static_cast<std::uint32_t>(list.size());
  list.push_back(host);
}

void RollingStrategy::unlist_pod(HostIndex host) {
  auto& list = sets_[pod_set_[host]].pods[static_cast<std::size_t>(pod_state_[host])];
  const std::uint32_t position = pod_pos_[host];
  const HostIndex last = list.back();
  list[position] = last;
  pod_pos_[last] = position;
  list.pop_back();
}

void RollingStrategy::set_pod_state(HostIndex host, Pod state) {
  unlist_pod(host);
  add_pod(pod_set_[host], state, host);
}

void RollingStrategy::create_pods(int set, std::int64_t count) {
  auto& fleet = world_.fleet();
  auto& replica_set = sets_[static_cast<std::size_t>(set)];
  for (std::int64_t i = 0; i < count; ++i) {
    // A set never has more than replicas_ pods, nor creates more than it lost, so the slot
    // exists; the guard keeps a broken invariant from reading past the end.
    if (replica_set.next_slot >= hosts_.size()) return;
    const HostIndex replaced = hosts_[replica_set.next_slot++];
    // The old template is per host (groups of one service may run different versions).
    const VersionIndex version = set == 1 ? target_ : fleet.version_of(replaced);
    const HostIndex host = fleet.add_host(fleet.group_of(replaced), version);
    if (pod_state_.size() < fleet.size()) {
      pod_state_.resize(fleet.size(), Pod::none);
      pod_set_.resize(fleet.size(), 0);
      pod_pos_.resize(fleet.size(), 0);
    }
    add_pod(set, Pod::unready, host);
    updater_.update(host, version);
  }
}

std::int64_t RollingStrategy::delete_pods(int set, std::int64_t count) {
  auto& fleet = world_.fleet();
  auto& replica_set = sets_[static_cast<std::size_t>(set)];
  std::int64_t deleted = 0;
  for (; deleted < count; ++deleted) {
    auto* list = &replica_set.pods[0];
    if (list->empty()) list = &replica_set.pods[1];
    if (list->empty()) list = &replica_set.pods[2];
    if (list->empty()) break;
    const HostIndex host = list->back();
    list->pop_back();
    if (updater_.is_updating(host)) {
      // Still pulling or starting: gone for the controller now, gone from the fleet when the
      // updater lets go of it.
      pod_state_[host] = Pod::terminating;
    } else {
      pod_state_[host] = Pod::none;
      fleet.set_health(host, model::Health::terminated);
    }
  }
  return deleted;
}

void RollingStrategy::reconcile() {
  if (!running_) return;
  auto& fresh = sets_[static_cast<std::size_t>(new_set_)];
  const int old_index = 1 - new_set_;
  auto& old_set = sets_[static_cast<std::size_t>(old_index)];
  const std::int64_t replicas = replicas_;
  // One pass of rolloutRolling, repeated while it changes something: each change is a
  // ReplicaSet event on which the real controller syncs again at once.
  for (;;) {
    const std::int64_t all_pods = fresh.replicas() + old_set.replicas();
    // 1. Scale up the new ReplicaSet, up to replicas + surge pods in all and replicas in it.
    const std::int64_t max_total = replicas + fenceposts_.surge;
    if (fresh.replicas() < replicas && all_pods < max_total) {
      create_pods(new_set_, std::min(max_total - all_pods, replicas - fresh.replicas()));
      progress();
      continue;
    }
    // 2. Scale down old pods, keeping replicas - unavailable available and not counting on new
    //    pods that are not available yet.
    if (old_set.replicas() == 0) break;
    const std::int64_t min_available = replicas - fenceposts_.unavailable;
    const std::int64_t max_scaled_down =
        all_pods - min_available - (fresh.replicas() - fresh.available());
    if (max_scaled_down <= 0) break;
    // 2a. Unhealthy old pods first: removing them costs no availability, and leaving them would
    //     deadlock the rollout (kubernetes#16737).
    std::int64_t deleted =
        delete_pods(old_index, std::min(max_scaled_down, old_set.replicas() - old_set.available()));
    // 2b. Then old pods down to min_available, counting available pods of every set.
    const std::int64_t available = fresh.available() + old_set.available();
    if (available > min_available) {
      deleted += delete_pods(old_index, std::min(old_set.replicas(), available - min_available));
    }
    if (deleted == 0) break;
    progress();
  }
  check_k8s_complete();
}

void RollingStrategy::k8s_host_updated(HostIndex host, bool ok) {
  if (host >= pod_state_.size()) return;
  if (pod_state_[host] == Pod::terminating) {
    pod_state_[host] = Pod::none;
    world_.fleet().set_health(host, model::Health::terminated);
    return;
  }
  if (pod_state_[host] != Pod::unready) return;
  if (!ok) {
    // Crash-looping or out of image-pull retries: the pod stays, not ready, counted by its set.
    // Kubernetes keeps the old pods it still needs and does nothing else.
    if (!stall_noted_ && running_) {
      stall_noted_ = true;
      const bool crashed = world_.fleet().health_of(host) == model::Health::crashed;
      note(rolling_back_ ? "rollback_stalled" : "rollout_stalled",
           world_.fleet().host_name(host) +
               (crashed ? " crashed on start" : " failed to install after its retries") +
               "; it stays unavailable, so the rollout cannot complete; the pods still available "
               "keep serving and nothing is rolled back automatically");
    }
    return;
  }
  progress();  // readyReplicas went up
  if (params_.min_ready > engine::Duration{}) {
    set_pod_state(host, Pod::ready);
    world_.kernel().wake_after(params_.min_ready, *this, host);
    return;
  }
  pod_available(host);
}

void RollingStrategy::pod_available(HostIndex host) {
  set_pod_state(host, Pod::available);
  progress();  // availableReplicas went up
  reconcile();
}

void RollingStrategy::check_k8s_complete() {
  const auto& fresh = sets_[static_cast<std::size_t>(new_set_)];
  const auto& old_set = sets_[static_cast<std::size_t>(1 - new_set_)];
  if (fresh.replicas() != replicas_ || fresh.available() != replicas_ || old_set.replicas() != 0) {
    return;
  }
  running_ = false;
  if (rolling_back_) {
    note("rollback_completed",
         std::to_string(replicas_) + " pod(s) of the old template available, none of the new left");
  } else if (active()) {
    finish(DeployOutcome::completed);
  } else {
    note("rollout_completed",
         "all " + std::to_string(replicas_) + " pod(s) available after the outcome was reported");
  }
}

void RollingStrategy::k8s_rollback() {
  // The old ReplicaSet matches the template again and becomes the new one, keeping its pods;
  // the target's becomes old. The same reconcile then deletes the target's pods that are not
  // available at once (they are its unhealthy replicas) and brings old pods back under the same
  // surge and unavailability bounds.
  new_set_ = 0;
  stall_noted_ = false;
  // Pods an autoscaler removed since the rollout began: the undo starts from the scale the
  // Deployment has now, not from the one it had (the HPA sets spec.replicas). Without an
  // autoscaler nothing else removes pods and this changes nothing.
  std::int64_t removed = 0;
  const auto& fleet = world_.fleet();
  for (auto& set : sets_) {
    for (auto& list : set.pods) {
      for (std::size_t i = 0; i < list.size();) {
        const HostIndex host = list[i];
        if (fleet.health_of(host) != model::Health::terminated) {
          ++i;
          continue;
        }
        unlist_pod(host);
        pod_state_[host] = Pod::none;
        ++removed;
      }
    }
  }
  if (removed > 0) {
    replicas_ = std::max<std::int64_t>(0, replicas_ - removed);
    fenceposts_ = resolve_fenceposts(replicas_, params_.max_surge, params_.max_unavailable);
    fenceposts_.unavailable = std::min(fenceposts_.unavailable, replicas_);
  }
  reconcile();
}

}  // namespace deploysim::strategy
