#pragma once
// Blue/green (Argo Rollouts blueGreen): a full green copy of the N blue hosts starts on the new
// version out of rotation (the preview), an optional pre-promotion analysis watches it, then all
// traffic switches from blue to green at one instant. Blue stays warm for scale_down_delay, so a
// rollback inside that window is an instant switch back; after it the blue pods are gone and a
// rollback has to start them again (install time). The fleet runs 2N hosts from the first green
// pod until blue is scaled down. docs/strategies/blue_green.md maps the parameters to Argo's.

#include <cstdint>
#include <string_view>
#include <vector>

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

class BlueGreenStrategy : public Strategy {
 public:
  BlueGreenStrategy(model::World& world, const spec::Deployment& deployment,
                    const spec::BlueGreenParams& params);

  void host_updated(HostIndex host, bool ok) override;
  /// Before the switch: abort (green removed, production untouched). Inside scale_down_delay:
  /// instant switch back. After it: blue is started again through the host updater, then the
  /// switch back happens.
  void rollback(std::string_view reason, std::string_view who) override;
  /// Stops the rollout before the switch; pods already starting finish into the preview (out of
  /// rotation), so a halt never puts green into production.
  void halt() override;
  /// Scale-down timers run after the outcome is decided (completed, rolled back), so they bypass
  /// the base class's "only while active" filter.
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

  /// Switches traffic to a green that waits for a person (auto_promote off), as
  /// `kubectl argo rollouts promote`. Returns false if nothing waits for promotion.
  bool promote(std::string_view who) override;
  bool awaiting_promotion() const { return phase_ == Phase::awaiting_promotion; }

  const std::vector<HostIndex>& blue_hosts() const { return blue_; }
  const std::vector<HostIndex>& green_hosts() const { return green_; }

 private:
  enum class Phase {
    waiting,             ///< not started
    starting_green,      ///< green pods installing, out of rotation
    analysing,           ///< pre-promotion analysis on the preview
    awaiting_promotion,  ///< auto_promote off: a person promotes
    switched,            ///< green serves; blue warm, out of rotation
    blue_gone,           ///< blue scaled down: the rollout is over
    aborted,             ///< rolled back before the switch
    restoring_blue,      ///< rolled back after blue was gone: blue starting again
    switched_back,       ///< blue serves again; green removed
  };

  void start() override;
  void on_timer(std::uint64_t tag) override;
  void green_started();
  /// Why the preview fails its analysis, or empty if it passes.
  std::string preview_problem() const;
  void end_analysis();
  void switch_to_green(std::string_view who);
  void switch_to_blue(std::string_view detail);
  void scale_down_blue();
  void scale_down_green();
  void abort(std::string_view reason, std::string_view who);
  void mark_rolled_back(const std::string& detail);
  void retire(HostIndex host);
  bool is_green(HostIndex host) const { return host < green_role_.size() && green_role_[host]; }

  const spec::BlueGreenParams& params_;
  Phase phase_ = Phase::waiting;
  std::vector<HostIndex> blue_;
  std::vector<HostIndex> green_;
  std::vector<std::uint8_t> green_role_;  ///< by host index
  std::vector<std::uint8_t> doomed_;      ///< by host index: terminate when its update ends
  std::int64_t pending_ = 0;
  std::int64_t failed_ = 0;
  engine::TimerId scale_down_timer_;
  engine::Time rollback_started_;
};

}  // namespace deploysim::strategy
