#pragma once
// All at once: every host is updated at the same time. Kubernetes' Recreate strategy, or a
// push script run against the whole fleet. Fast, consistent, and with no blast-radius limit.

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class AllAtOnceStrategy : public Strategy {
 public:
  AllAtOnceStrategy(model::World& world, const spec::Deployment& deployment)
      : Strategy(world, deployment) {}
  void host_updated(HostIndex host, bool ok) override;

 private:
  void start() override;
  std::int64_t remaining_ = 0;
  std::int64_t failed_ = 0;
};

}  // namespace deploysim::strategy
