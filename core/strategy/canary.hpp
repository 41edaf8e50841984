#pragma once
// Canary (Argo Rollouts semantics): new pods take a growing share of the traffic in steps
// (set_weight, pause, analysis); an analysis step measures the canary pods alone and aborts (or
// pauses) the rollout on failure; after the last step the stable hosts are updated at once.
//
// Two ways of splitting traffic, as in Argo:
//  * traffic_routed (a mesh or ingress): canary pods = ceil(w*N/100) new hosts beside the N
//    stable ones, and host weights are set so that the canary carries exactly w% of the traffic;
//  * basic (no router): replica counts approximate w
//  (approximateWeightedCanaryStableReplicaCounts),
//    stable pods are scaled down, and traffic follows the ratio of ready pods.
// docs/strategies/canary.md maps every parameter to Argo, Flagger and Kayenta.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strategy/strategy.hpp"

namespace deploysim::strategy {

/// Canary pods for weight `weight` (percent) of `n` stable pods with a traffic router:
/// ceil(w*n/100), the stable staying at n (Argo's DesiredReplicaCountsForCanary).
std::int64_t traffic_routed_canary_pods(std::int64_t n, double weight);

struct CanaryCounts {
  std::int64_t canary = 0;
  std::int64_t stable = 0;
};

/// Argo's basic-canary replica split for `n` replicas at `weight` percent: canary from
/// {floor, ceil}(n*w/100), total n or (with surge) n+1, whichever realised ratio is closest to w;
/// ties go to the larger canary; for 1-99% neither side is 0 unless n = 1 without surge.
CanaryCounts basic_canary_counts(std::int64_t n, double weight, bool surge_allowed);

class CanaryStrategy : public Strategy {
 public:
  CanaryStrategy(model::World& world, const spec::Deployment& deployment,
                 const spec::CanaryParams& params);

  void host_updated(HostIndex host, bool ok) override;
  /// While the canary is in place (running, or paused after a failed analysis): an abort, as
  /// `kubectl argo rollouts abort`. After promotion: the base class's rollback.
  void rollback(std::string_view reason, std::string_view who) override;
  /// Stops at the current step. Pods already starting finish (as a paused Argo rollout still
  /// reaches its step's replica counts); a traffic-routed pod that comes up gets no weight.
  void halt() override;
  /// The abort scale-down must still happen after the outcome is decided, so this timer bypasses
  /// the base class's "only while active" filter.
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

  /// Canary pods of the current canary, oldest first (for tests and the GUI).
  const std::vector<HostIndex>& canary_hosts() const { return canary_; }

 private:
  enum class Phase { waiting, scaling, pausing, analysing, promoting, promoted, aborted };
  enum class Verdict { successful, failed, error };
  /// A metric read over a set of hosts; nullopt when no host serves (no data).
  struct Reading {
    std::optional<double> value;
    std::int64_t live = 0;
  };

  void start() override;
  void on_timer(std::uint64_t tag) override;

  void next_step();
  void begin_set_weight(double weight);
  void scaling_done();
  void apply_traffic_weights();
  void begin_analysis(engine::Duration duration);
  void measure();
  Verdict judge(std::string& detail);
  /// The analysis metric over `hosts` (terminated ones skipped), as monitoring would compute it
  /// for the fleet: traffic-weighted rates, summed counts.
  Reading read_metric(const std::vector<HostIndex>& hosts);
  void analysis_failed(const std::string& detail);
  void promote_everyone();
  void promotion_done();
  void abort(std::string_view reason, std::string_view who);
  void scale_down_aborted_canary();

  HostIndex add_canary_pod(std::size_t index, std::size_t count);
  /// Terminates a pod, or marks it to be terminated when its start ends (an updating host would
  /// otherwise be brought back into rotation by the updater).
  void retire(HostIndex host);
  void restore_stable_weights();
  bool is_canary(HostIndex host) const { return host < role_.size() && role_[host] == kCanary; }
  void set_role(HostIndex host, std::uint8_t role);
  void track_new_hosts();
  std::string describe_split() const;

  static constexpr std::uint8_t kNone = 0;
  static constexpr std::uint8_t kStable = 1;
  static constexpr std::uint8_t kCanary = 2;

  const spec::CanaryParams& params_;
  Phase phase_ = Phase::waiting;
  std::size_t step_ = 0;
  double weight_ = 0.0;  ///< the weight the last set_weight step asked for
  std::int64_t want_stable_ = 0;
  spec::Metric metric_ = spec::Metric::error_rate;
  /// The deployment's hosts. Basic canary scales them down from the back: slots [0, live_stable_)
  /// run, the others are terminated until a later step (or the abort) starts them again.
  std::vector<HostIndex> stable_;
  std::vector<float> stable_weight_;  ///< their weights before the canary touched them
  std::int64_t live_stable_ = 0;
  std::vector<HostIndex> canary_;     ///< canary pods, oldest first
  std::vector<std::uint8_t> role_;    ///< by host index
  std::vector<std::uint8_t> doomed_;  ///< by host index: terminate when its update ends
  std::int64_t pending_ = 0;          ///< host updates the current phase waits for
  std::int64_t failed_updates_ = 0;

  // Analysis state (one analysis step at a time, as Argo's inline step analysis).
  engine::Time analysis_end_;
  int failed_ = 0;
  int consecutive_errors_ = 0;
  int measurements_ = 0;
  engine::RandomStream noise_;

  bool rolled_back_after_promotion_ = false;
};

}  // namespace deploysim::strategy
