#pragma once
// Blue/green strategy (stub: being written).

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class BlueGreenStrategy : public Strategy {
 public:
  BlueGreenStrategy(model::World& world, const scenario::Deployment& deployment,
       const scenario::BlueGreenStrategy& params)
      : Strategy(world, deployment), params_(params) {}
  void host_updated(HostIndex host, bool ok) override;

 private:
  void start() override;
  const scenario::BlueGreenStrategy& params_;
};

}  // namespace deploysim::strategy
