#pragma once
// The DORA metrics (the four keys and the deployment rework rate) computed from a log of production
// deployments, and the DORA 2024 performance cluster each one lands in (2024 Accelerate State of
// DevOps Report; the table is in shared/data/incidents.md section 5).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deploysim::delivery {

/// One deployment to production, as a delivery pipeline logs it. Times are seconds of
/// simulated time.
struct DeploymentRecord {
  double finished_s = 0.0;  ///< when the release reached production
  /// Commit-to-production time of each change this deployment delivered for good (a change
  /// reverted by an incident is delivered later, by the deployment of its fix).
  std::vector<double> lead_times_s;
  std::int64_t changes = 0;  ///< changes in the release, reverted ones included
  /// The deployment caused a failure in production that needed a rollback or hotfix.
  bool failed = false;
  /// When service was restored, for failed deployments.
  std::optional<double> recovered_s;
  double loss_usd = 0.0;  ///< incident cost of this deployment
  /// Unplanned: it ships the fix of a change an incident in production sent back.
  bool rework = false;
};

/// DORA's four keys over an observation window. Undefined values (no deployment, no failure)
/// are NaN.
struct DoraMetrics {
  /// Deployment frequency: deployments per day.
  double deploys_per_day = 0.0;
  /// Change lead time: median commit-to-production time over delivered changes, seconds.
  double lead_time_median_s = 0.0;
  /// Change fail rate: failed deployments / deployments, in [0, 1].
  double change_fail_rate = 0.0;
  /// Failed deployment recovery time: median of recovered - finished over failed deployments.
  double recovery_median_s = 0.0;
  /// Deployment rework rate (DORA's fifth metric since 2024): unplanned deployments made
  /// because of an incident in production / deployments.
  double rework_rate = 0.0;
  std::int64_t deployments = 0;
  std::int64_t failed_deployments = 0;
  std::int64_t rework_deployments = 0;
  std::int64_t changes_delivered = 0;
};

/// Computes the metrics over a window of `window_days` (> 0) days. Throws std::invalid_argument
/// for a window <= 0.
DoraMetrics dora_metrics(const std::vector<DeploymentRecord>& log, double window_days);

/// The DORA 2024 clusters, best first.
enum class DoraLevel { elite, high, medium, low };

/// "elite", "high", "medium", "low".
std::string_view level_name(DoraLevel level);

/// Where each metric lands, and overall.
struct DoraClassification {
  /// Elite: more than one a day (on demand); high: daily to weekly; medium: weekly to monthly;
  /// low: less than monthly.
  DoraLevel deployment_frequency = DoraLevel::low;
  /// Elite < 1 day; high < 1 week; medium < 1 month; low beyond.
  DoraLevel lead_time = DoraLevel::low;
  /// The cluster whose typical rate (elite 5%, medium 10%, high 20%, low 40%) is nearest.
  DoraLevel change_fail_rate = DoraLevel::low;
  /// Elite < 1 hour; high (and medium, which shares the band) < 1 day; low beyond.
  DoraLevel recovery_time = DoraLevel::low;
  /// The level most metrics land in; ties go to the lower level. Undefined metrics (no failure
  /// yet) do not vote.
  DoraLevel overall = DoraLevel::low;
};

/// Classifies metrics into the 2024 clusters.
DoraClassification classify_dora(const DoraMetrics& metrics);

}  // namespace deploysim::delivery
