#pragma once
// Ring strategy (stub: being written).

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class RingStrategy : public Strategy {
 public:
  RingStrategy(model::World& world, const scenario::Deployment& deployment,
       const scenario::RingStrategy& params)
      : Strategy(world, deployment), params_(params) {}
  void host_updated(HostIndex host, bool ok) override;

 private:
  void start() override;
  const scenario::RingStrategy& params_;
};

}  // namespace deploysim::strategy
