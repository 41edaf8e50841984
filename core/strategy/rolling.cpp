#include "strategy/rolling.hpp"

#include <algorithm>
#include <string>

namespace deploysim::strategy {

RollingStrategy::RollingStrategy(model::World& world, const spec::Deployment& deployment,
                                 const spec::RollingParams& params)
    : Strategy(world, deployment),
      params_(params),
      hosts_(world.deployment_hosts()),
      deadline_(params.progress_deadline) {}

void RollingStrategy::start() {
  running_ = true;
  deadline_.arm(world_.kernel(), *this);
  note("rolling_batches", std::to_string(static_cast<std::int64_t>(hosts_.size())) +
                              " host(s) in place, " + std::to_string(params_.batch_size) +
                              " at a time (Ansible serial)");
  next_batch();
}

void RollingStrategy::on_wake(engine::Kernel& /*kernel*/, std::uint64_t tag) {
  if (tag == ProgressDeadline::kTag) {
    on_deadline();
  } else if (tag == kBatchTag) {
    batch_timer_ = {};
    if (running_ && rolling_back_) {
      next_revert_batch();
    } else if (running_) {
      next_batch();
    }
  }
}

void RollingStrategy::on_deadline() {
  // Not checked while stopped or once the rollout has an outcome (a rollback is outside this
  // strategy's deadline).
  if (!active() || !running_) return;
  if (!deadline_.exceeded(world_.kernel(), *this)) return;
  running_ = false;
  finish(DeployOutcome::failed, "progress deadline exceeded");
}

void RollingStrategy::host_updated(HostIndex /*host*/, bool ok) {
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

void RollingStrategy::halt() {
  // Hosts in flight are left to finish: a stopped playbook has already sent its tasks. The next
  // batch simply does not start.
  running_ = false;
  if (batch_timer_.valid()) world_.kernel().cancel(batch_timer_);
  batch_timer_ = {};
  if (active()) finish(DeployOutcome::halted);
}

void RollingStrategy::rollback(std::string_view /*reason*/, std::string_view /*who*/) {
  if (outcome_ == DeployOutcome::not_started || rolling_back_) return;
  mark_rolled_back();
  rolling_back_ = true;
  running_ = true;
  progress();
  // Who asked and why is recorded by the world's "code_rolled_back"; this says what it means here.
  note("rollback_started", "touched hosts back to their previous version, batch by batch");
  revert_next_ = 0;
  revert_end_ = next_;
  if (batch_timer_.valid()) world_.kernel().cancel(batch_timer_);
  batch_timer_ = {};
  // A batch in flight ends first, as a playbook run does; its end starts the revert.
  if (batch_in_flight_ == 0) next_revert_batch();
}

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

void RollingStrategy::batch_ended() {
  if (rolling_back_) {
    revert_batch_ended();
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

void RollingStrategy::revert_batch_ended() {
  if (!running_) return;
  // revert_next_ is 0 when the forward batch in flight at the rollback has just ended: the
  // revert starts at once, with no min_ready before its first batch.
  if (params_.min_ready > engine::Duration{} && revert_next_ > 0) {
    batch_timer_ = world_.kernel().wake_after(params_.min_ready, *this, kBatchTag);
  } else {
    next_revert_batch();
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

}  // namespace deploysim::strategy
