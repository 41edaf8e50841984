#pragma once
// The in-place batch rolling update (rolling with batch_size > 0), as Ansible's `serial`: the
// deployment's hosts in order, batch_size at a time, each drained, installed and health-checked
// through the HostUpdater. Any failed host stops the rollout after its batch
// (max_fail_percentage: 0). docs/strategies/rolling.md maps every key; the Kubernetes form of
// rolling (batch_size == 0) is strategy/kubernetes.hpp.

#include <cstdint>
#include <string_view>
#include <vector>

#include "strategy/progress_deadline.hpp"
#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class RollingStrategy : public Strategy {
 public:
  RollingStrategy(model::World& world, const spec::Deployment& deployment,
                  const spec::RollingParams& params);

  void host_updated(HostIndex host, bool ok) override;
  /// The touched hosts go back to their previous version, batch_size at a time (the playbook run
  /// again with the old version).
  void rollback(std::string_view reason, std::string_view who) override;
  /// Stops the playbook: hosts in flight end, no further batch starts.
  void halt() override;
  /// Dispatches the strategy's timers; unlike the base class it also runs them after the rollout
  /// has an outcome, because a rollback's batches keep going past it.
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 private:
  static constexpr std::uint64_t kBatchTag = std::uint64_t{1} << 41;

  void start() override;
  void progress() { deadline_.progress(world_.now()); }
  void on_deadline();
  void next_batch();
  void next_revert_batch();
  void batch_ended();
  void revert_batch_ended();

  const spec::RollingParams& params_;
  const std::vector<HostIndex>& hosts_;  // the deployment's hosts, in order
  bool running_ = false;                 // the playbook is acting
  bool rolling_back_ = false;
  ProgressDeadline deadline_;

  // Positions [0, next_) of hosts_ have been started; original_ holds their versions from
  // before, for a rollback.
  std::size_t next_ = 0;
  std::int64_t batch_number_ = 0;
  std::int64_t batch_in_flight_ = 0;
  std::int64_t batch_started_ = 0;
  std::int64_t batch_failed_ = 0;
  std::int64_t revert_failed_ = 0;
  bool revert_batch_ = false;  // the batch in flight puts old versions back
  std::size_t revert_next_ = 0;
  std::size_t revert_end_ = 0;
  std::vector<VersionIndex> original_;
  engine::TimerId batch_timer_;
};

}  // namespace deploysim::strategy
