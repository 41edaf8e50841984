#include "strategy/all_at_once.hpp"

#include <string>

namespace deploysim::strategy {

void AllAtOnceStrategy::start() {
  const auto& hosts = world_.deployment_hosts();
  remaining_ = static_cast<std::int64_t>(hosts.size());
  if (remaining_ == 0) finish(DeployOutcome::completed);
  for (HostIndex h : hosts) updater_.update(h, target_);
}

void AllAtOnceStrategy::host_updated(HostIndex /*host*/, bool ok) {
  if (!ok) ++failed_;
  if (--remaining_ > 0) return;
  if (failed_ == 0) {
    finish(DeployOutcome::completed);
  } else {
    finish(DeployOutcome::failed, std::to_string(failed_) + " host(s) failed to update");
  }
}

}  // namespace deploysim::strategy
