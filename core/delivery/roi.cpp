#include "delivery/roi.hpp"

#include <cmath>
#include <stdexcept>

#include "delivery/cancel.hpp"
#include "delivery/limits.hpp"
#include "experiment/sweep.hpp"

namespace deploysim::delivery {

namespace {

// `value` within [0, kMaxRoiAmount] (above 0 when `positive`): every product of the case's
// inputs then stays finite.
void require_amount(double value, const std::string& what, double max = kMaxRoiAmount,
                    bool positive = false) {
  if ((positive ? value > 0.0 : value >= 0.0) && value <= max) return;
  throw std::invalid_argument(what + ": expected a number " +
                              (positive ? "above 0 and at most " : "from 0 to ") +
                              short_number(max) + ", found " + short_number(value));
}

}  // namespace

void validate(const RoiInputs& in) {
  require_amount(in.build_hours, "build hours");
  require_amount(in.maintenance_hours_per_period, "maintenance hours per period");
  require_amount(in.hourly_rate_usd, "hourly rate (USD)");
  require_amount(in.manual_hours_per_deploy, "manual time per deploy (hours)");
  require_amount(in.automated_hours_per_deploy, "automated time per deploy (hours)");
  require_amount(in.deploys_per_period, "deploys per period", kMaxRoiDeploysPerPeriod, true);
  require_amount(in.horizon_periods, "horizon (periods)", kMaxRoiAmount, true);
  require_amount(in.manual_loss_per_deploy_usd, "manual loss per deploy (USD)");
  require_amount(in.automated_loss_per_deploy_usd, "automated loss per deploy (USD)");
  check_work(in);
}

RoiResult compute_roi(const RoiInputs& in) {
  validate(in);
  RoiResult r;
  r.build_cost_usd = in.build_hours * in.hourly_rate_usd;
  r.manual_cost_per_period_usd =
      in.deploys_per_period *
      (in.manual_hours_per_deploy * in.hourly_rate_usd + in.manual_loss_per_deploy_usd);
  r.automated_cost_per_period_usd =
      in.maintenance_hours_per_period * in.hourly_rate_usd +
      in.deploys_per_period *
          (in.automated_hours_per_deploy * in.hourly_rate_usd + in.automated_loss_per_deploy_usd);
  r.saving_per_period_usd = r.manual_cost_per_period_usd - r.automated_cost_per_period_usd;
  // Both cumulative costs are lines; they cross once if the automation saves per period.
  if (r.build_cost_usd == 0.0 && r.saving_per_period_usd >= 0.0) {
    r.break_even_periods = 0.0;
  } else if (r.saving_per_period_usd > 0.0) {
    r.break_even_periods = r.build_cost_usd / r.saving_per_period_usd;
  }
  if (r.break_even_periods) {
    r.break_even_deploys = *r.break_even_periods * in.deploys_per_period;
    r.pays_back_within_horizon = *r.break_even_periods <= in.horizon_periods;
  }
  auto point = [&](double period) {
    RoiPoint p;
    p.period = period;
    p.deploys = period * in.deploys_per_period;
    p.manual_usd = period * r.manual_cost_per_period_usd;
    p.automated_usd = r.build_cost_usd + period * r.automated_cost_per_period_usd;
    return p;
  };
  const auto whole = static_cast<std::int64_t>(std::floor(in.horizon_periods));
  for (std::int64_t k = 0; k <= whole; ++k) r.series.push_back(point(static_cast<double>(k)));
  if (static_cast<double>(whole) < in.horizon_periods)
    r.series.push_back(point(in.horizon_periods));
  const RoiPoint& end = r.series.back();
  r.net_saving_at_horizon_usd = end.manual_usd - end.automated_usd;
  return r;
}

std::pair<LossEstimate, LossEstimate> estimate_losses(const spec::Scenario& manual,
                                                      const spec::Scenario& automated,
                                                      std::int64_t replicas, int threads,
                                                      std::uint64_t base_seed,
                                                      const std::atomic<bool>* stop) {
  check_replicas(replicas);
  experiment::SweepOptions options;
  options.replicas = replicas;
  options.stop = stop;
  options.threads = threads;
  options.base_seed = base_seed;
  std::pair<LossEstimate, LossEstimate> losses;
  options.on_run = [&](std::int64_t variant, std::int64_t, std::uint64_t,
                       const simulation::Summary& summary) {
    (variant == 0 ? losses.first : losses.second).loss_usd.add(summary.loss_usd);
  };
  const auto result =
      experiment::run_comparison({{"manual", manual}, {"automated", automated}}, options);
  if (result.runs_completed < replicas) throw Cancelled();
  losses.first.ci95 = experiment::t_interval(losses.first.loss_usd);
  losses.second.ci95 = experiment::t_interval(losses.second.loss_usd);
  return losses;
}

double period_days(const std::string& name) {
  if (name == "day") return 1.0;
  if (name == "week") return 7.0;
  if (name == "month") return 365.0 / 12.0;
  if (name == "quarter") return 365.0 / 4.0;
  if (name == "year") return 365.0;
  throw std::invalid_argument("period \"" + name +
                              "\": expected one of day, week, month, quarter, year");
}

double parse_span_days(const std::string& text) {
  const std::string accepted = "\": expected a positive number and a unit: 90d, 26w, 18mo, 2y";
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("horizon \"" + text + accepted);
  }
  const std::string unit = text.substr(used);
  double days = 0.0;
  if (unit == "d") {
    days = 1.0;
  } else if (unit == "w") {
    days = 7.0;
  } else if (unit == "mo") {
    days = 365.0 / 12.0;
  } else if (unit == "y") {
    days = 365.0;
  }
  if (days == 0.0 || !(value > 0.0) || !std::isfinite(value)) {
    throw std::invalid_argument("horizon \"" + text + accepted);
  }
  return value * days;
}

}  // namespace deploysim::delivery
