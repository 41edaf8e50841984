#pragma once
// Canary strategy (stub: being written).

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class CanaryStrategy : public Strategy {
 public:
  CanaryStrategy(model::World& world, const scenario::Deployment& deployment,
       const scenario::CanaryStrategy& params)
      : Strategy(world, deployment), params_(params) {}
  void host_updated(HostIndex host, bool ok) override;

 private:
  void start() override;
  const scenario::CanaryStrategy& params_;
};

}  // namespace deploysim::strategy
