#include "strategy/kubernetes.hpp"

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

KubernetesStrategy::KubernetesStrategy(model::World& world, const spec::Deployment& deployment,
                                       const spec::RollingParams& params)
    : Strategy(world, deployment),
      params_(params),
      hosts_(world.deployment_hosts()),
      deadline_(params.progress_deadline) {}

void KubernetesStrategy::start() {
  running_ = true;
  deadline_.arm(world_.kernel(), *this);
  const auto& fleet = world_.fleet();
  // The Deployment's replicas are the pods it has: hosts an autoscaler removed before the
  // rollout are not replaced by it.
  replicas_ =
      static_cast<std::int64_t>(std::count_if(hosts_.begin(), hosts_.end(), [&](HostIndex host) {
        return fleet.health_of(host) != model::Health::terminated;
      }));
  resolve_scale();
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

void KubernetesStrategy::resolve_scale() {
  fenceposts_ = resolve_fenceposts(replicas_, params_.max_surge, params_.max_unavailable);
  // MaxUnavailable(): never more than the replicas there are.
  fenceposts_.unavailable = std::min(fenceposts_.unavailable, replicas_);
}

void KubernetesStrategy::on_wake(engine::Kernel& /*kernel*/, std::uint64_t tag) {
  if (tag == ProgressDeadline::kTag) {
    on_deadline();
    return;
  }
  // Pod timers (min_ready) carry the host index. A pod deleted while it waited out min_ready has
  // left the ready state.
  const auto host = static_cast<HostIndex>(tag);
  if (host < pod_state_.size() && pod_state_[host] == Pod::ready) pod_available(host);
}

void KubernetesStrategy::on_deadline() {
  // Not checked while paused or once the rollout has an outcome (Kubernetes ignores it once the
  // rollout is complete; an undo is outside this strategy's deadline).
  if (!active() || !running_) return;
  if (!deadline_.exceeded(world_.kernel(), *this)) return;
  // Progressing=False, reason ProgressDeadlineExceeded, and nothing else: the controller keeps
  // reconciling (running_ stays true), with crashed new pods left where they are.
  finish(DeployOutcome::failed, "progress deadline exceeded (no automatic rollback in Kubernetes)");
}

void KubernetesStrategy::halt() {
  // Pods in flight are left to finish: a paused Deployment does not stop the kubelet starting
  // pods it has created. The controller simply does not act again.
  running_ = false;
  if (active()) finish(DeployOutcome::halted);
}

void KubernetesStrategy::add_pod(int set, Pod state, HostIndex host) {
  auto& list = sets_[static_cast<std::size_t>(set)].pods[static_cast<std::size_t>(state)];
  pod_state_[host] = state;
  pod_set_[host] = static_cast<std::uint8_t>(set);
  pod_pos_[host] = static_cast<std::uint32_t>(list.size());
  list.push_back(host);
}

void KubernetesStrategy::unlist_pod(HostIndex host) {
  auto& list = sets_[pod_set_[host]].pods[static_cast<std::size_t>(pod_state_[host])];
  const std::uint32_t position = pod_pos_[host];
  const HostIndex last = list.back();
  list[position] = last;
  pod_pos_[last] = position;
  list.pop_back();
}

void KubernetesStrategy::set_pod_state(HostIndex host, Pod state) {
  unlist_pod(host);
  add_pod(pod_set_[host], state, host);
}

void KubernetesStrategy::create_pods(int set, std::int64_t count) {
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

std::int64_t KubernetesStrategy::delete_pods(int set, std::int64_t count) {
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

void KubernetesStrategy::reconcile() {
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
  check_complete();
}

void KubernetesStrategy::host_updated(HostIndex host, bool ok) {
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
    note_stall(host);
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

void KubernetesStrategy::note_stall(HostIndex host) {
  if (stall_noted_ || !running_) return;
  stall_noted_ = true;
  const bool crashed = world_.fleet().health_of(host) == model::Health::crashed;
  note(rolling_back_ ? "rollback_stalled" : "rollout_stalled",
       world_.fleet().host_name(host) +
           (crashed ? " crashed on start" : " failed to install after its retries") +
           "; it stays unavailable, so the rollout cannot complete; the pods still available "
           "keep serving and nothing is rolled back automatically");
}

void KubernetesStrategy::pod_available(HostIndex host) {
  set_pod_state(host, Pod::available);
  progress();  // availableReplicas went up
  reconcile();
}

void KubernetesStrategy::check_complete() {
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

void KubernetesStrategy::rollback(std::string_view /*reason*/, std::string_view /*who*/) {
  if (outcome_ == DeployOutcome::not_started || rolling_back_) return;
  mark_rolled_back();
  rolling_back_ = true;
  running_ = true;
  progress();
  // Who asked and why is recorded by the world's "code_rolled_back"; this says what it means here.
  note("rollback_started",
       "rollout undo: a rolling update back to the old template, with the same fenceposts");
  // The old ReplicaSet matches the template again and becomes the new one, keeping its pods;
  // the target's becomes old. The same reconcile then deletes the target's pods that are not
  // available at once (they are its unhealthy replicas) and brings old pods back under the same
  // surge and unavailability bounds.
  new_set_ = 0;
  stall_noted_ = false;
  // The undo starts from the scale the Deployment has now, not from the one it had (the HPA sets
  // spec.replicas). Without an autoscaler nothing else removes pods and this changes nothing.
  const std::int64_t removed = forget_removed_pods();
  if (removed > 0) {
    replicas_ = std::max<std::int64_t>(0, replicas_ - removed);
    resolve_scale();
  }
  reconcile();
}

std::int64_t KubernetesStrategy::forget_removed_pods() {
  // Pods an autoscaler removed since the rollout began.
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
  return removed;
}

}  // namespace deploysim::strategy
