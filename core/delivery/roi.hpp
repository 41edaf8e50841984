#pragma once
// Automation ROI for a deployment process: what it costs to build and maintain the automation,
// against what it saves in people's time per deploy and in expected incident loss per deploy
// (the risk term, e.g. from Monte Carlo runs of a manual and an automated scenario).
//
// Time is counted in periods (a week, a month): costs accrue linearly, so the cumulative cost of
// each process is a straight line and the break-even point is where they cross.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiment/statistics.hpp"

namespace deploysim::spec {
struct Scenario;
}

namespace deploysim::delivery {

/// The inputs of the deployment case. Money in US dollars, effort in person-hours.
struct RoiInputs {
  double build_hours = 0.0;                    ///< one-off effort to build the automation
  double maintenance_hours_per_period = 0.0;   ///< upkeep of the automation per period
  double hourly_rate_usd = 0.0;                ///< cost of one person-hour
  double manual_hours_per_deploy = 0.0;        ///< people's time for one deploy by hand
  double automated_hours_per_deploy = 0.0;     ///< people's time for one automated deploy
  double deploys_per_period = 0.0;             ///< how often the team deploys
  double horizon_periods = 0.0;                ///< how far ahead to count
  double manual_loss_per_deploy_usd = 0.0;     ///< expected incident loss per manual deploy
  double automated_loss_per_deploy_usd = 0.0;  ///< expected incident loss per automated deploy
};

/// Throws std::invalid_argument naming the first value out of range: negative hours, rates or
/// losses, deploys per period or horizon not above zero.
void validate(const RoiInputs& inputs);

/// Cumulative cost of both processes at one point in time.
struct RoiPoint {
  double period = 0.0;         ///< periods since the automation work started
  double deploys = 0.0;        ///< deploys done so far
  double manual_usd = 0.0;     ///< by hand: people's time plus expected loss
  double automated_usd = 0.0;  ///< build, maintenance, people's time plus expected loss
};

/// What the automation costs and saves.
struct RoiResult {
  double build_cost_usd = 0.0;
  double manual_cost_per_period_usd = 0.0;     ///< time and risk, per period
  double automated_cost_per_period_usd = 0.0;  ///< time, risk and maintenance, per period
  /// manual - automated per period; the automation pays back only if this is positive.
  double saving_per_period_usd = 0.0;
  /// Where the cumulative costs cross, in periods (and in deploys); nullopt if never.
  std::optional<double> break_even_periods;
  std::optional<double> break_even_deploys;
  /// Whether break-even falls within the horizon.
  bool pays_back_within_horizon = false;
  /// manual - automated cumulative cost at the horizon (positive: automation saved money).
  double net_saving_at_horizon_usd = 0.0;
  /// Cumulative costs at periods 0, 1, ..., ceil(horizon) (the last one at the horizon).
  std::vector<RoiPoint> series;
};

/// Computes the deployment case; validates first.
RoiResult compute_roi(const RoiInputs& inputs);

/// Expected incident loss per deploy, estimated from Monte Carlo runs of a scenario in which
/// one run is one deploy: the mean of loss_usd and its 95% t interval.
struct LossEstimate {
  experiment::RunningStats loss_usd;
  experiment::Interval ci95;
};

/// Runs `manual` and `automated` `replicas` times each on the same replica seeds (common random
/// numbers) on `threads` threads, and returns their loss estimates (manual first). Throws
/// Cancelled (delivery/cancel.hpp) once `stop`, if given, is raised before every replica ran.
std::pair<LossEstimate, LossEstimate> estimate_losses(const spec::Scenario& manual,
                                                      const spec::Scenario& automated,
                                                      std::int64_t replicas, int threads,
                                                      std::uint64_t base_seed,
                                                      const std::atomic<bool>* stop = nullptr);

/// The length of a named period in days: day 1, week 7, month 365/12, quarter 365/4, year 365.
/// Throws std::invalid_argument for other names.
double period_days(const std::string& name);

/// A calendar span such as "2y", "18mo", "26w", "90d" (a positive number and a unit), in days.
/// Throws std::invalid_argument naming the text and the accepted forms.
double parse_span_days(const std::string& text);

}  // namespace deploysim::delivery
