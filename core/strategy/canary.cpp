#include "strategy/canary.hpp"

namespace deploysim::strategy {

void CanaryStrategy::start() { finish(DeployOutcome::failed, "strategy not implemented yet"); }
void CanaryStrategy::host_updated(HostIndex /*host*/, bool /*ok*/) {}

}  // namespace deploysim::strategy
