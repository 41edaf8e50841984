#pragma once
// Rolling update strategy (stub: being written).

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class RollingStrategy : public Strategy {
 public:
  RollingStrategy(model::World& world, const scenario::Deployment& deployment,
       const scenario::RollingStrategy& params)
      : Strategy(world, deployment), params_(params) {}
  void host_updated(HostIndex host, bool ok) override;

 private:
  void start() override;
  const scenario::RollingStrategy& params_;
};

}  // namespace deploysim::strategy
