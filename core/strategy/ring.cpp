#include "strategy/ring.hpp"

namespace deploysim::strategy {

void RingStrategy::start() { finish(DeployOutcome::failed, "strategy not implemented yet"); }
void RingStrategy::host_updated(HostIndex /*host*/, bool /*ok*/) {}

}  // namespace deploysim::strategy
