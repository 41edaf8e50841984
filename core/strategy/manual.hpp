#pragma once
// A person deploying by hand: host after host, each taking `per_host`, with a chance of skipping
// a host (it keeps its old version while the operator believes it done) or misconfiguring one
// (it fails to start). Scripted faults reproduce an incident exactly ("skip smars-8").

#include <vector>

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class ManualStrategy : public Strategy {
 public:
  ManualStrategy(model::World& world, const spec::Deployment& deployment,
                 const spec::ManualParams& params);
  void host_updated(HostIndex host, bool ok) override;

 private:
  enum Timer : std::uint64_t { next_host_timer, next_day_timer };
  void start() override;
  void stop_updates() override {
    Strategy::stop_updates();
    operator_updater_.cancel_all();
  }
  void on_timer(std::uint64_t tag) override;
  void work_on_next_host();
  bool scripted(spec::ScriptedFault::Kind kind, HostIndex host) const;

  const spec::ManualParams& params_;
  spec::HostUpdate timing_;  // the deployment's timing with the operator's per-host time
  model::HostUpdater operator_updater_;
  engine::RandomStream mistakes_;
  std::vector<HostIndex> hosts_;
  std::size_t next_ = 0;
  int done_today_ = 0;
  engine::Time day_started_;
  std::int64_t skipped_ = 0;
  std::int64_t failed_ = 0;
};

}  // namespace deploysim::strategy
