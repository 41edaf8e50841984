#include "strategy/rolling.hpp"

namespace deploysim::strategy {

void RollingStrategy::start() { finish(DeployOutcome::failed, "strategy not implemented yet"); }
void RollingStrategy::host_updated(HostIndex /*host*/, bool /*ok*/) {}

}  // namespace deploysim::strategy
