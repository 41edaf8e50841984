#include "delivery/report.hpp"

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
    s.events_processed += run.events_processed;
  }
  return s;
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

ordered_json to_json(const PipelineSummary& s) {
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
  j["dora_2024"] = {{"deployment_frequency", level_name(c.deployment_frequency)},
                    {"lead_time", level_name(c.lead_time)},
                    {"change_fail_rate", level_name(c.change_fail_rate)},
                    {"recovery_time", level_name(c.recovery_time)},
                    {"overall", level_name(c.overall)}};
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
  auto j = to_json(r.summary);
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
    auto point = to_json(p.summary);
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
  j["events_processed"] = e.events_processed;
  j["mean_series"] = nlohmann::json(e.mean_series);
  j["config"] = nlohmann::json(r.config);
  j["first_replica"] = nlohmann::json(r.first);
  return j;
}

}  // namespace deploysim::delivery
