#include "strategy/blue_green.hpp"

namespace deploysim::strategy {

void BlueGreenStrategy::start() { finish(DeployOutcome::failed, "strategy not implemented yet"); }
void BlueGreenStrategy::host_updated(HostIndex /*host*/, bool /*ok*/) {}

}  // namespace deploysim::strategy
