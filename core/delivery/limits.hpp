#pragma once
// Upper bounds on what one replica of a delivery model may simulate, and on the numbers its
// inputs may hold, so that no file and no flag can make a run hang, exhaust memory or overflow
// into "inf" and "nan". Every path into a model goes through its validate(), which applies these
// limits, so files and command-line flags share them; docs/cli.md ("Limits") lists them.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace deploysim::delivery {

struct PipelineConfig;
struct DriftConfig;
struct RoiInputs;

/// Changes arriving in one pipeline replica (each costs about 100 bytes and a few events).
inline constexpr double kMaxChangesPerReplica = 1e7;
/// Events in one drift replica: agent runs, drift events and per-host deploy checks (1e8 take
/// about 15 s).
inline constexpr double kMaxDriftEventsPerReplica = 1e8;
/// Releases of a train in one pipeline replica.
inline constexpr double kMaxReleasesPerReplica = 1e7;
/// Points of a kept series: pipeline days, drift samples, ROI periods.
inline constexpr double kMaxSeriesPoints = 1e5;
/// Replicas of one run of a delivery model or of the ROI's scenarios: each pipeline replica's
/// figures are kept (about 150 bytes), so 1e7 of them held 1.5 GB.
inline constexpr double kMaxReplicas = 1e6;
/// Hosts of a drift fleet.
inline constexpr std::int64_t kMaxDriftHosts = 10'000'000;
/// Growth of diagnosis time per extra change in a release: beyond 100x per change the
/// simulated recoveries outrun any horizon.
inline constexpr double kMaxDiagnosisGrowth = 100.0;
/// Drift events per host per day: at most one a second.
inline constexpr double kMaxDriftRatePerDay = 86'400.0;
/// Hours and US dollars of the ROI case, and its deploys per period: large enough for any
/// organisation, small enough that every product of them stays finite.
inline constexpr double kMaxRoiAmount = 1e12;
inline constexpr double kMaxRoiDeploysPerPeriod = 1e9;

/// One factor of a work estimate: the config key it comes from, and its value in `unit`.
struct WorkFactor {
  std::string key;
  double value = 0.0;
  std::string unit;  ///< "" or e.g. "days", appended as "horizon in days"
};

/// A config that asks for more work than a limit allows: the factors of the estimate, their
/// product and the limit. validate() throws it; readers and flags name the factors their way.
class WorkLimitError : public std::invalid_argument {
 public:
  WorkLimitError(std::vector<WorkFactor> factors, std::string what, double limit);

  const std::vector<WorkFactor>& factors() const { return factors_; }
  /// "changes_per_day × horizon in days = 1e308 × 90 = 9e309 changes per replica; the limit is
  /// 1e7", with each factor's key passed through `name` (a flag, for a command line).
  std::string describe(const std::function<std::string(const std::string&)>& name) const;
  /// describe() with the config keys.
  const char* what() const noexcept override;

 private:
  std::vector<WorkFactor> factors_;
  std::string what_;
  double limit_;
  std::string message_;
};

/// Throws WorkLimitError when a config's estimated work exceeds a limit above.
void check_work(const PipelineConfig& config);
void check_work(const DriftConfig& config);
void check_work(const RoiInputs& inputs);
/// Throws WorkLimitError (key "replicas") when `replicas` exceeds kMaxReplicas.
void check_replicas(std::int64_t replicas);

/// A number for messages in at most three significant digits, exponents without "+" or
/// leading zeros: 1e8, 3.6e310 is written as it would be typed, 0.25, 90.
std::string short_number(double x);

}  // namespace deploysim::delivery
