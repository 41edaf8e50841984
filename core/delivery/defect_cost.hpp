#pragma once
// What a defect costs by where it is found. A defect found in a stage costs the engineering
// hours to fix it there, the rework of what was built on the change since it was introduced
// (hours per day it stayed in), and the delay it causes the pipeline; a defect that escapes to
// production adds the incident cost the rollout model computes. The pipeline simulation logs
// each defect's discovery (delivery/pipeline.hpp), and this file prices the log: the cost-to-fix
// curve against the time from introduction is drawn from the model's own runs, not assumed.
//
// The closed forms here (expected cost per defect of a pipeline with known catch
// probabilities, the latent-defect pool as a Poisson process, the gatekeeper's wait with
// working hours) are what the hand-computed tests check the simulation against.

#include <cstdint>
#include <string>
#include <vector>

namespace deploysim::delivery {

/// The cost of fixing a defect found at one place.
struct FixCost {
  double fix_hours = 1.0;    ///< engineering hours to diagnose and fix it there (>= 0)
  double delay_hours = 0.0;  ///< hours the pipeline is held while it is fixed (>= 0)
};

/// The prices of a defect. Money in US dollars.
struct DefectCostConfig {
  double hourly_rate_usd = 100.0;  ///< cost of an engineering hour (>= 0)
  /// Rework per day between a defect's introduction and its discovery: what others built on
  /// the change has to be revisited (>= 0).
  double rework_hours_per_day = 1.0;
  double delay_cost_usd_per_hour = 0.0;  ///< cost of an hour of held pipeline (>= 0)
  /// Per stage, by name; a stage not listed costs `default_stage`.
  std::vector<std::pair<std::string, FixCost>> stages;
  FixCost default_stage;
  /// Found in production (an incident or a canary stop); the incident loss comes on top.
  FixCost production{8.0, 1.0};
};

/// Throws std::invalid_argument naming the first negative or non-finite price.
void validate(const DefectCostConfig& config);

/// The fix cost of the stage called `name`.
const FixCost& stage_fix_cost(const DefectCostConfig& config, const std::string& name);

/// The cost of fixing one defect with `costs`, found `days_since_introduction` days after it
/// was introduced, plus `incident_usd` (0 unless found in production).
double defect_cost_usd(const DefectCostConfig& config, const FixCost& costs,
                       double days_since_introduction, double incident_usd = 0.0);

/// One place a defect can be found, for the closed form.
struct CostStage {
  double catch_probability = 0.0;  ///< chance it catches a defect that reaches it, in [0, 1]
  double cost_usd = 0.0;           ///< cost of a defect found there
};

/// Expected cost per defect of stages in order, then production (`escape_cost_usd` for every
/// defect no stage caught): sum_i p_i prod_{j<i} (1 - p_j) c_i + prod_j (1 - p_j) c_escape.
double expected_cost_per_defect(const std::vector<CostStage>& stages, double escape_cost_usd);

/// The chance a defect is found at each stage, then (last) that it escapes.
std::vector<double> find_probabilities(const std::vector<CostStage>& stages);

/// Expected latent-defect incidents over `horizon_days`, when latent defects ship as a Poisson
/// process of `ship_per_day`, each is woken at rate `wake_per_day` and removed by clean-up at
/// rate `cleanup_per_day`. A defect shipped at s wakes before T with probability
/// a/(a+m) (1 - e^{-(a+m)(T-s)}); integrating over s gives
/// lambda a/(a+m) (T - (1 - e^{-(a+m)T})/(a+m)), with a = wake, m = clean-up.
double expected_latent_incidents(double ship_per_day, double wake_per_day, double cleanup_per_day,
                                 double horizon_days);

/// The expected pool of latent defects at `horizon_days` under the same process:
/// lambda (1 - e^{-(a+m)T})/(a+m), or lambda T with no wake and no clean-up.
double expected_latent_pool(double ship_per_day, double wake_per_day, double cleanup_per_day,
                            double horizon_days);

}  // namespace deploysim::delivery
