#include "delivery/defect_cost.hpp"

#include <cmath>
#include <stdexcept>

#include "delivery/limits.hpp"

namespace deploysim::delivery {

namespace {

void require_price(double value, const std::string& what) {
  if (!std::isfinite(value) || value < 0.0) {
    throw std::invalid_argument(what + ": expected a cost >= 0, found " + short_number(value));
  }
}

void require_fix_cost(const FixCost& costs, const std::string& where) {
  require_price(costs.fix_hours, where + " fix hours");
  require_price(costs.delay_hours, where + " delay hours");
}

}  // namespace

void validate(const DefectCostConfig& c) {
  require_price(c.hourly_rate_usd, "hourly rate");
  require_price(c.rework_hours_per_day, "rework hours per day");
  require_price(c.delay_cost_usd_per_hour, "delay cost per hour");
  for (const auto& [name, costs] : c.stages) require_fix_cost(costs, "stage \"" + name + "\"");
  require_fix_cost(c.default_stage, "default stage");
  require_fix_cost(c.production, "production");
}

const FixCost& stage_fix_cost(const DefectCostConfig& config, const std::string& name) {
  for (const auto& [stage, costs] : config.stages) {
    if (stage == name) return costs;
  }
  return config.default_stage;
}

double defect_cost_usd(const DefectCostConfig& c, const FixCost& costs,
                       double days_since_introduction, double incident_usd) {
  const double hours = costs.fix_hours + c.rework_hours_per_day * days_since_introduction;
  return hours * c.hourly_rate_usd + costs.delay_hours * c.delay_cost_usd_per_hour + incident_usd;
}

std::vector<double> find_probabilities(const std::vector<CostStage>& stages) {
  std::vector<double> out;
  double reaches = 1.0;
  for (const auto& stage : stages) {
    out.push_back(reaches * stage.catch_probability);
    reaches *= 1.0 - stage.catch_probability;
  }
  out.push_back(reaches);
  return out;
}

double expected_cost_per_defect(const std::vector<CostStage>& stages, double escape_cost_usd) {
  const auto p = find_probabilities(stages);
  double total = p.back() * escape_cost_usd;
  for (std::size_t i = 0; i < stages.size(); ++i) total += p[i] * stages[i].cost_usd;
  return total;
}

double expected_latent_incidents(double ship_per_day, double wake_per_day, double cleanup_per_day,
                                 double horizon_days) {
  const double rate = wake_per_day + cleanup_per_day;
  if (!(rate > 0.0) || !(wake_per_day > 0.0)) return 0.0;
  const double pool_time = horizon_days - (-std::expm1(-rate * horizon_days)) / rate;
  return ship_per_day * wake_per_day / rate * pool_time;
}

double expected_latent_pool(double ship_per_day, double wake_per_day, double cleanup_per_day,
                            double horizon_days) {
  const double rate = wake_per_day + cleanup_per_day;
  if (!(rate > 0.0)) return ship_per_day * horizon_days;
  return ship_per_day * (-std::expm1(-rate * horizon_days)) / rate;
}

}  // namespace deploysim::delivery
