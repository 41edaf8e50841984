#pragma once
// Deployment strategies: each decides which hosts to update and when, using the shared host
// lifecycle (model::HostUpdater), and what a rollback means for it. One file per strategy; the
// docs (docs/strategies.md) map each parameter to the real tool's.

#include <memory>
#include <string_view>

#include "engine/kernel.hpp"
#include "model/host_updater.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"

namespace deploysim::strategy {

/// Argo Rollouts' abortScaleDownDelaySeconds default: an aborted canary or preview ReplicaSet lives
/// on this long (traffic has already left it) before it is scaled to zero.
inline constexpr engine::Duration kAbortScaleDownDelay = engine::Duration::seconds(30);

using model::DeployOutcome;
using model::HostIndex;
using model::VersionIndex;

/// Common ground of all strategies: the world, the deployment, the host updater, the outcome.
class Strategy : public model::Rollout, public model::HostUpdateListener, public engine::Process {
 public:
  Strategy(model::World& world, const spec::Deployment& deployment);

  /// Begins the rollout; called at the deployment's start time.
  void begin();

  /// Default rollback: every host the deployment touched returns to the version it ran before,
  /// at once (an operator uninstalling the release, as Knight did).
  void rollback(std::string_view reason, std::string_view who) override;
  /// Stops scheduling further hosts; hosts in flight finish.
  void halt() override;
  DeployOutcome outcome() const override { return outcome_; }

  /// Processes wake the strategy for its own timers (pauses, bakes, analysis); tag is theirs.
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

 protected:
  /// The strategy's own start.
  virtual void start() = 0;
  /// The strategy's own timers; by default none.
  virtual void on_timer(std::uint64_t /*tag*/) {}

  /// Records the end of the rollout with its outcome (once), and runs post-deploy verification.
  void finish(DeployOutcome outcome, std::string_view detail = {});
  bool active() const { return outcome_ == DeployOutcome::in_progress; }
  /// The outcome rule of a rollback: a rollout in progress, completed or failed is rolled back; a
  /// halted one keeps its outcome, though its hosts still go back.
  void mark_rolled_back();
  /// Abandons host updates in flight; strategies with updaters of their own extend it.
  virtual void stop_updates();
  /// Records a notable rollout event ("canary step 2: weight 20%").
  void note(std::string_view event, std::string_view detail);
  /// The deployment's hosts not terminated (an autoscaler may have removed some).
  std::int64_t live_deployment_hosts() const;

  model::World& world_;
  const spec::Deployment& deployment_;
  VersionIndex target_;
  model::HostUpdater updater_;
  DeployOutcome outcome_ = DeployOutcome::not_started;
};

/// The strategy a deployment names.
std::unique_ptr<Strategy> make_strategy(model::World& world, const spec::Deployment& deployment);

}  // namespace deploysim::strategy
