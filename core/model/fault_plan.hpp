#pragma once
// Fault injection: a schedule of named, deterministic perturbations, consulted by the model where
// each decision is made (a manual step, an install, a health check, an alert, a page, a flag
// change, ...). A run without a plan never consults one, so it is exactly the run it always was.
// docs/verification.md describes every fault.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/time.hpp"

namespace deploysim::model {

/// Every kind of fault, each at one kind of decision point.
enum class FaultKind : std::uint8_t {
  skip_host,                ///< a manual step skips the host (target: host)
  install_fails_once,       ///< the host's first install attempt fails (target: host)
  install_fails,            ///< every install attempt of the host fails (target: host)
  health_check_passes_bad,  ///< a host that crashed on its new version is reported healthy
  health_check_fails_good,  ///< a host that started well is reported failed (target: host)
  host_crash_mid_update,    ///< the host crashes during its install (target: host)
  alert_silent,             ///< the alert never fires (target: alert rule)
  alert_late,               ///< the alert fires `delay` later than it would (target: alert)
  scrape_missed,            ///< the first scrape that finds the alert's condition is lost
  person_unreachable,       ///< pages to the person go unanswered (target: person)
  person_slow,              ///< the person takes the slow quantile of each step (target: person)
  flag_early,               ///< the timeline's first turn-on of the flag happens at the
                            ///< deployment's start instead (target: flag)
  flag_wrong_percent,       ///< the timeline turns the flag on for `percent` (target: flag)
  group_unreachable,        ///< the group is cut off from its callers when the deployment
                            ///< starts (target: group)
  canary_misleading,        ///< every measurement of the canary analysis passes (target:
                            ///< "analysis")
};

/// The name used in files and messages ("skip_host", ...).
std::string_view fault_kind_name(FaultKind kind);
/// The kind called `name`, or nothing.
std::optional<FaultKind> find_fault_kind(std::string_view name);
/// Every kind, in declaration order.
const std::vector<FaultKind>& all_fault_kinds();

/// One planned fault: what goes wrong, and where.
struct Fault {
  FaultKind kind = FaultKind::skip_host;
  std::string target;
  /// alert_late: how much later; 0 takes the plan's default.
  engine::Duration delay{};
  /// flag_wrong_percent: the percentage the flag reaches.
  double percent = 100.0;
  bool operator==(const Fault&) const = default;
};

/// A decision point a run reached: a place where a fault of `kind` at `target` could apply.
struct DecisionPoint {
  FaultKind kind = FaultKind::skip_host;
  std::string target;
  engine::Time first_reached;  ///< when the run first consulted it
};

/// The bounds random quantities are taken at under faults (docs/verification.md).
struct FaultBounds {
  /// person_slow: the quantile of each response step (default 0.95).
  double slow_quantile = 0.95;
  /// alert_late without its own delay: how much later (default 10 minutes).
  engine::Duration late_by = engine::Duration::minutes(10);
};

/// The value of a distribution at quantile p in (0, 1); supplied by the layer that owns the
/// numerics (verify), so the model needs none of its own.
using QuantileFunction = double (*)(const engine::Distribution& distribution, double p);

/// The schedule of one run and what the run did with it. One plan per run: it records the
/// decision points the run reaches, in the order it reaches them, and which faults applied.
class FaultPlan {
 public:
  FaultPlan() = default;
  FaultPlan(std::vector<Fault> faults, FaultBounds bounds, QuantileFunction quantile);

  /// The fault planned at this decision point, or nullptr; notes the point as reached.
  const Fault* consult(FaultKind kind, std::string_view target, engine::Time now);
  /// Notes a point as reached without asking (static points such as an alert rule).
  void reach(FaultKind kind, std::string_view target, engine::Time now) {
    (void)consult(kind, target, now);
  }

  /// A person's step under person_slow: the distribution's slow quantile.
  engine::Duration slow(const engine::Distribution& distribution) const;
  engine::Duration late_by(const Fault& fault) const {
    return fault.delay.ms() > 0 ? fault.delay : bounds_.late_by;
  }

  const std::vector<Fault>& faults() const { return faults_; }
  const FaultBounds& bounds() const { return bounds_; }
  /// Every decision point reached, in first-reached order.
  const std::vector<DecisionPoint>& reached() const { return reached_; }
  /// Whether faults()[i] was consulted at least once (it could have changed the run).
  bool applied(std::size_t i) const { return applied_[i]; }
  /// True the first time it is asked about `fault` (one of faults()): its story note is due.
  bool first_note(const Fault& fault) {
    const auto i = static_cast<std::size_t>(&fault - faults_.data());
    if (i >= noted_.size() || noted_[i]) return false;
    noted_[i] = true;
    return true;
  }

 private:
  std::vector<Fault> faults_;
  std::vector<bool> applied_;
  std::vector<bool> noted_;
  FaultBounds bounds_;
  QuantileFunction quantile_ = nullptr;
  std::vector<DecisionPoint> reached_;
  std::vector<std::string> seen_;  // "kind/target" of reached_, sorted, for the lookup
};

}  // namespace deploysim::model
