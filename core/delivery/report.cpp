#include "delivery/report.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "delivery/config.hpp"

namespace deploysim::delivery {

namespace {

using nlohmann::ordered_json;

ordered_json stat_json(const experiment::RunningStats& x) {
  if (x.count() == 0) return ordered_json(nullptr);
  const auto ci = experiment::t_interval(x);
  return ordered_json{{"mean", x.mean()}, {"ci95_low", ci.low}, {"ci95_high", ci.high}};
}

void add_tallies(std::vector<DefectTally>& sum, const std::vector<DefectTally>& more) {
  if (sum.size() < more.size()) sum.resize(more.size());
  for (std::size_t i = 0; i < more.size(); ++i) {
    sum[i].defects += more[i].defects;
    sum[i].cost_usd += more[i].cost_usd;
    sum[i].days_sum += more[i].days_sum;
    sum[i].incident_usd += more[i].incident_usd;
  }
}

// One replica's cost per defect at each place or bin where it found one.
void add_prices(std::vector<experiment::RunningStats>& prices,
                const std::vector<DefectTally>& tallies) {
  if (prices.size() < tallies.size()) prices.resize(tallies.size());
  for (std::size_t i = 0; i < tallies.size(); ++i) {
    const auto& t = tallies[i];
    if (t.defects > 0) prices[i].add(t.cost_usd / static_cast<double>(t.defects));
  }
}

// The interval over replicas of entry i's cost per defect; one replica's figure is no interval,
// so null until two replicas found a defect there.
void add_price_interval(ordered_json& entry, const std::vector<experiment::RunningStats>& prices,
                        std::size_t i) {
  const bool known = i < prices.size() && prices[i].count() >= 2;
  const auto ci = known ? experiment::t_interval(prices[i]) : experiment::Interval{};
  entry["cost_per_defect_ci95_low"] = known ? ordered_json(ci.low) : ordered_json(nullptr);
  entry["cost_per_defect_ci95_high"] = known ? ordered_json(ci.high) : ordered_json(nullptr);
}

// Per run and per defect, from sums over `replicas` runs.
ordered_json tally_json(const DefectTally& t, double replicas) {
  const double n = static_cast<double>(t.defects);
  auto per_defect = [&](double x) {
    return t.defects ? ordered_json(x / n) : ordered_json(nullptr);
  };
  return ordered_json{{"defects_per_run", n / replicas},
                      {"cost_per_run_usd", t.cost_usd / replicas},
                      {"cost_per_defect_usd", per_defect(t.cost_usd)},
                      {"incident_per_defect_usd", per_defect(t.incident_usd)},
                      {"mean_days_to_find", per_defect(t.days_sum)}};
}

ordered_json cost_json(const PipelineSummary& s, const std::vector<std::string>& places) {
  const double runs = static_cast<double>(std::max<std::int64_t>(1, s.defect_cost_usd.count()));
  ordered_json by_place = ordered_json::array();
  for (std::size_t i = 0; i < s.found.size() && i < places.size(); ++i) {
    auto entry = tally_json(s.found[i], runs);
    add_price_interval(entry, s.cost_per_defect, i);
    entry["found_in"] = places[i];
    by_place.push_back(std::move(entry));
  }
  ordered_json curve = ordered_json::array();
  const auto& edges = cost_curve_edges_days();
  for (std::size_t i = 0; i < s.cost_curve.size(); ++i) {
    auto entry = tally_json(s.cost_curve[i], runs);
    add_price_interval(entry, s.curve_cost_per_defect, i);
    entry["from_days"] = edges[i];
    entry["to_days"] = i + 1 < edges.size() ? ordered_json(edges[i + 1]) : ordered_json(nullptr);
    curve.push_back(std::move(entry));
  }
  ordered_json shift = ordered_json::array();
  for (double x : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double c = shifted_cost_per_defect(s, x);
    shift.push_back(
        {{"shift", x},
         {"cost_per_defect_usd", std::isnan(c) ? ordered_json(nullptr) : ordered_json(c)}});
  }
  return ordered_json{{"total_per_run", stat_json(s.defect_cost_usd)},
                      {"by_place", by_place},
                      {"curve", curve},
                      {"shift_left", shift}};
}

// Undefined figures (NaN) stay out of the statistic rather than poisoning its mean.
void add_defined(experiment::RunningStats& stats, double value) {
  if (!std::isnan(value)) stats.add(value);
}

}  // namespace

const char* cadence_name(ReleaseCadence cadence) {
  switch (cadence) {
    case ReleaseCadence::train:
      return "train";
    case ReleaseCadence::gated:
      return "gated";
    case ReleaseCadence::continuous:
      break;
  }
  return "continuous";
}

PipelineSummary summarise(const std::vector<PipelineReplica>& replicas) {
  PipelineSummary s;
  for (const auto& run : replicas) {
    s.deploys_per_day.add(run.dora.deploys_per_day);
    s.changes_per_deploy.add(run.mean_changes_per_deployment);
    add_defined(s.lead_time_median_h, run.dora.lead_time_median_s / 3600.0);
    add_defined(s.change_fail_rate, run.dora.change_fail_rate);
    add_defined(s.recovery_median_min, run.dora.recovery_median_s / 60.0);
    s.incidents.add(static_cast<double>(run.incidents));
    s.canary_rollbacks.add(static_cast<double>(run.canary_rollbacks));
    s.loss_usd.add(run.loss_usd);
    add_defined(s.rework_rate, run.dora.rework_rate);
    s.defect_cost_usd.add(run.defect_cost_usd);
    s.latent_incidents.add(static_cast<double>(run.latent_incidents));
    s.latent_loss_usd.add(run.latent_loss_usd);
    add_tallies(s.found, run.found);
    add_prices(s.cost_per_defect, run.found);
    add_prices(s.curve_cost_per_defect, run.cost_curve);
    add_tallies(s.cost_curve, run.cost_curve);
    s.events_processed += run.events_processed;
  }
  return s;
}

double shifted_cost_per_defect(const PipelineSummary& s, double shift) {
  if (s.found.empty()) return std::nan("");
  std::int64_t total = 0;
  for (const auto& t : s.found) total += t.defects;
  if (total == 0) return std::nan("");
  auto per_defect = [](const DefectTally& t) {
    return t.defects ? t.cost_usd / static_cast<double>(t.defects) : 0.0;
  };
  // A first stage that never found anything has no observed price; it keeps its share.
  const double first_price = per_defect(s.found.front());
  double cost = 0.0;
  double moved = 0.0;
  for (std::size_t i = 1; i < s.found.size(); ++i) {
    const double share = static_cast<double>(s.found[i].defects) / static_cast<double>(total);
    cost += (1.0 - shift) * share * per_defect(s.found[i]);
    moved += shift * share;
  }
  const double first_share =
      static_cast<double>(s.found.front().defects) / static_cast<double>(total);
  return cost + (first_share + moved) * first_price;
}

DoraClassification classify_means(const PipelineSummary& s) {
  auto mean_or_nan = [](const experiment::RunningStats& x, double scale) {
    return x.count() ? x.mean() * scale : std::nan("");
  };
  DoraMetrics m;
  m.deploys_per_day = s.deploys_per_day.mean();
  m.lead_time_median_s = mean_or_nan(s.lead_time_median_h, 3600.0);
  m.change_fail_rate = mean_or_nan(s.change_fail_rate, 1.0);
  m.recovery_median_s = mean_or_nan(s.recovery_median_min, 60.0);
  return classify_dora(m);
}

ordered_json to_json(const PipelineSummary& s, const std::vector<std::string>& places) {
  const auto c = classify_means(s);
  ordered_json j;
  j["deploys_per_day"] = stat_json(s.deploys_per_day);
  j["changes_per_deploy"] = stat_json(s.changes_per_deploy);
  j["lead_time_median_h"] = stat_json(s.lead_time_median_h);
  j["change_fail_rate"] = stat_json(s.change_fail_rate);
  j["recovery_median_min"] = stat_json(s.recovery_median_min);
  j["incidents"] = stat_json(s.incidents);
  j["canary_rollbacks"] = stat_json(s.canary_rollbacks);
  j["loss_usd"] = stat_json(s.loss_usd);
  j["rework_rate"] = stat_json(s.rework_rate);
  j["dora_2024"] = {{"deployment_frequency", level_name(c.deployment_frequency)},
                    {"lead_time", level_name(c.lead_time)},
                    {"change_fail_rate", level_name(c.change_fail_rate)},
                    {"recovery_time", level_name(c.recovery_time)},
                    {"overall", level_name(c.overall)}};
  j["defect_cost"] = cost_json(s, places);
  j["latent"] = {{"incidents_per_run", stat_json(s.latent_incidents)},
                 {"loss_per_run_usd", stat_json(s.latent_loss_usd)}};
  return j;
}

PipelineReport run_pipeline_report(const PipelineConfig& config, std::int64_t replicas, int threads,
                                   std::uint64_t seed, const std::atomic<bool>* stop) {
  PipelineReport r;
  r.config = config;
  r.replicas = replicas;
  r.seed = seed;
  r.runs = run_pipeline_replicas(config, replicas, threads, seed, &r.first, stop);
  r.summary = summarise(r.runs);
  return r;
}

ordered_json to_json(const PipelineReport& r) {
  auto j = to_json(r.summary, defect_places(r.config));
  // The closed form at the runs' own deployment rate, to compare with the simulated count.
  const auto& latent = r.config.latent;
  const double days = r.config.horizon.to_seconds() / 86'400.0;
  const double ship = latent.ship_probability * r.config.changes_per_day;
  const double wake = latent.wake_probability * r.summary.deploys_per_day.mean();
  j["latent"]["expected_incidents_per_run"] =
      expected_latent_incidents(ship, wake, latent.cleanup_per_day, days);
  j["latent"]["expected_pool_at_end"] =
      expected_latent_pool(ship, wake, latent.cleanup_per_day, days);
  j["replicas"] = r.replicas;
  j["seed"] = r.seed;
  j["events_processed"] = r.summary.events_processed;
  j["config"] = nlohmann::json(r.config);
  j["first_replica"] = nlohmann::json(r.first);
  return j;
}

TrainSweep sweep_train_intervals(const PipelineConfig& config,
                                 const std::vector<engine::Duration>& intervals,
                                 std::int64_t replicas, int threads, std::uint64_t seed,
                                 const std::atomic<bool>* stop) {
  if (intervals.empty()) throw std::invalid_argument("train sweep: expected at least one interval");
  TrainSweep sweep{config, replicas, seed, {}};
  sweep.config.cadence = ReleaseCadence::train;
  for (const auto interval : intervals) {
    if (interval.ms() <= 0) {
      throw std::invalid_argument("train sweep: expected intervals > 0, found " +
                                  engine::format_duration(interval));
    }
    sweep.config.train_interval = interval;
    validate(sweep.config);
    const auto runs = run_pipeline_replicas(sweep.config, replicas, threads, seed, nullptr, stop);
    sweep.points.push_back({interval, summarise(runs)});
  }
  return sweep;
}

ordered_json to_json(const TrainSweep& sweep) {
  ordered_json points = ordered_json::array();
  for (const auto& p : sweep.points) {
    auto point = to_json(p.summary, defect_places(sweep.config));
    point["release_every_s"] = p.release_every.to_seconds();
    points.push_back(std::move(point));
  }
  return ordered_json{{"replicas", sweep.replicas}, {"seed", sweep.seed}, {"points", points}};
}

DriftReport run_drift_report(const DriftConfig& config, std::int64_t replicas, int threads,
                             std::uint64_t seed, const std::atomic<bool>* stop) {
  DriftReport r;
  r.config = config;
  r.replicas = replicas;
  r.seed = seed;
  r.analysis = analyze_drift(config);
  r.experiment = run_drift_experiment(config, replicas, seed, threads, &r.first, stop);
  const double ctmc = r.analysis.ctmc_drifted_fraction;
  r.ctmc_within_ci = ctmc >= r.experiment.ci95.low && ctmc <= r.experiment.ci95.high;
  return r;
}

ordered_json to_json(const DriftReport& r) {
  const auto& e = r.experiment;
  ordered_json j;
  j["hosts"] = r.config.hosts;
  j["mode"] = r.config.mode == DriftMode::immutable ? "immutable" : "converge";
  j["schedule"] = r.config.schedule == AgentSchedule::exponential ? "exponential" : "periodic";
  j["replicas"] = r.replicas;
  j["simulated_drifted_fraction"] = e.steady_drifted_fraction.mean();
  j["ci95"] = {e.ci95.low, e.ci95.high};
  j["ctmc_drifted_fraction"] = r.analysis.ctmc_drifted_fraction;
  j["ctmc_phases"] = r.analysis.phases;
  j["exact_drifted_fraction"] = r.analysis.exact_drifted_fraction;
  j["ctmc_within_ci"] = r.ctmc_within_ci;
  j["mean_time_in_drift_share"] = e.time_in_drift_share.mean();
  j["max_time_in_drift_share"] = e.time_in_drift_share.max();
  j["deploy_incidents_per_run"] = e.deploy_incidents_per_run;
  j["deploy_incidents_ci95"] = {e.deploy_incidents_ci95.low, e.deploy_incidents_ci95.high};
  j["events_processed"] = e.events_processed;
  j["mean_series"] = nlohmann::json(e.mean_series);
  j["config"] = nlohmann::json(r.config);
  j["first_replica"] = nlohmann::json(r.first);
  return j;
}

RoiReport roi_report(const std::string& period, RoiInputs inputs,
                     std::optional<std::pair<LossEstimate, LossEstimate>> losses,
                     std::int64_t replicas) {
  if (losses) {
    inputs.manual_loss_per_deploy_usd = losses->first.loss_usd.mean();
    inputs.automated_loss_per_deploy_usd = losses->second.loss_usd.mean();
  }
  RoiReport r{period, inputs, compute_roi(inputs), std::move(losses), replicas};
  return r;
}

ordered_json to_json(const RoiReport& r) {
  ordered_json j;
  if (!r.period.empty()) j["period"] = r.period;
  j["horizon_periods"] = r.inputs.horizon_periods;
  j["build_cost_usd"] = r.result.build_cost_usd;
  j["manual_loss_per_deploy_usd"] = r.inputs.manual_loss_per_deploy_usd;
  j["automated_loss_per_deploy_usd"] = r.inputs.automated_loss_per_deploy_usd;
  if (r.losses) {
    j["replicas"] = r.replicas;
    j["manual_loss_ci95"] = {r.losses->first.ci95.low, r.losses->first.ci95.high};
    j["automated_loss_ci95"] = {r.losses->second.ci95.low, r.losses->second.ci95.high};
  }
  // The result's own figures, in its to_json's order, without the per-period series.
  const nlohmann::json figures = r.result;
  for (const char* key : {"manual_cost_per_period_usd", "automated_cost_per_period_usd",
                          "saving_per_period_usd", "break_even_periods", "break_even_deploys",
                          "pays_back_within_horizon", "net_saving_at_horizon_usd"}) {
    j[key] = figures.at(key);
  }
  return j;
}

}  // namespace deploysim::delivery
