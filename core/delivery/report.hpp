#pragma once
// The results of the delivery commands, computed once here so that the CLI, Python and the GUI
// show the same figures: a pipeline's replicas summarised as means and 95% CIs with their DORA
// 2024 clusters, a train-interval sweep of such summaries, and a drift experiment against its
// analytic chain. Each has a to_json whose keys are those of `deploysim pipeline --json` and
// `deploysim drift --json`.

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "delivery/dora.hpp"
#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/roi.hpp"
#include "engine/time.hpp"
#include "experiment/statistics.hpp"

namespace deploysim::delivery {

/// Means over replicas of a pipeline's figures. Undefined values of a replica (no deployment,
/// no failure) are left out of their statistic, so a statistic may have fewer entries than
/// there are replicas, or none.
struct PipelineSummary {
  experiment::RunningStats deploys_per_day;
  experiment::RunningStats changes_per_deploy;
  experiment::RunningStats lead_time_median_h;
  experiment::RunningStats change_fail_rate;
  experiment::RunningStats recovery_median_min;
  experiment::RunningStats incidents;
  experiment::RunningStats canary_rollbacks;
  experiment::RunningStats loss_usd;
  experiment::RunningStats rework_rate;      ///< DORA's fifth metric
  experiment::RunningStats defect_cost_usd;  ///< per run, all defects wherever found
  experiment::RunningStats latent_incidents;
  experiment::RunningStats latent_loss_usd;
  /// Sums over replicas, per place (stages, gate, production) and per curve bin.
  std::vector<DefectTally> found;
  /// Per place and per curve bin: each replica's cost per defect (replicas that found one
  /// there), for an interval over replicas beside the pooled figures of `found`, `cost_curve`.
  std::vector<experiment::RunningStats> cost_per_defect;
  std::vector<experiment::RunningStats> curve_cost_per_defect;
  std::vector<DefectTally> cost_curve;
  std::uint64_t events_processed = 0;
};

/// The expected total cost per defect if a share `shift` of the defects found after the first
/// stage (production escapes included) were found in the first stage instead, each found defect
/// costing what the runs say a defect found there costs. shift 0 gives the runs' own figure.
double shifted_cost_per_defect(const PipelineSummary& summary, double shift);

/// Summarises replicas in their order (the sums, and so the last bits, depend on it).
PipelineSummary summarise(const std::vector<PipelineReplica>& replicas);

/// The DORA 2024 clusters of the replica means (undefined means do not vote).
DoraClassification classify_means(const PipelineSummary& summary);

/// {"deploys_per_day": {"mean", "ci95_low", "ci95_high"} or null, ..., "dora_2024": {...},
/// "defect_cost": {by place, per run and per defect}, "cost_curve": [...], "latent": {...}}.
/// `places` names the entries of summary.found (defect_places).
nlohmann::ordered_json to_json(const PipelineSummary& summary,
                               const std::vector<std::string>& places);

/// `deploysim pipeline`: replicas of one configuration.
struct PipelineReport {
  PipelineConfig config;
  std::int64_t replicas = 0;
  std::uint64_t seed = 0;
  PipelineSummary summary;
  std::vector<PipelineReplica> runs;  ///< one per replica, in replica order
  PipelineRun first;                  ///< replica 0 in full
};

/// Runs `replicas` replicas (see run_pipeline_replicas); the result does not depend on
/// `threads`. Throws Cancelled once `stop`, if given, is raised.
PipelineReport run_pipeline_report(const PipelineConfig& config, std::int64_t replicas, int threads,
                                   std::uint64_t seed, const std::atomic<bool>* stop = nullptr);

/// The summary's keys, then replicas, seed, events_processed, config and first_replica.
nlohmann::ordered_json to_json(const PipelineReport& report);

/// One interval of a train sweep.
struct TrainSweepPoint {
  engine::Duration release_every;
  PipelineSummary summary;
};

/// "Faster is safer": the same change stream released in trains at each interval, every
/// interval on the same replica seeds.
struct TrainSweep {
  PipelineConfig config;  ///< the base; its cadence is train, its interval the last point's
  std::int64_t replicas = 0;
  std::uint64_t seed = 0;
  std::vector<TrainSweepPoint> points;
};

/// Throws std::invalid_argument for an interval <= 0 or no interval.
TrainSweep sweep_train_intervals(const PipelineConfig& config,
                                 const std::vector<engine::Duration>& intervals,
                                 std::int64_t replicas, int threads, std::uint64_t seed,
                                 const std::atomic<bool>* stop = nullptr);

/// {"replicas", "seed", "points": [summary keys + "release_every_s", ...]}.
nlohmann::ordered_json to_json(const TrainSweep& sweep);

/// `deploysim drift`: the simulation against the analytic chain.
struct DriftReport {
  DriftConfig config;
  std::int64_t replicas = 0;
  std::uint64_t seed = 0;
  DriftAnalysis analysis;
  DriftExperiment experiment;
  DriftRun first;  ///< replica 0 in full
  /// The chain's fraction lies within the simulation's 95% CI.
  bool ctmc_within_ci = false;
};

/// Solves the chain and runs the replicas. Throws Cancelled once `stop`, if given, is raised.
DriftReport run_drift_report(const DriftConfig& config, std::int64_t replicas, int threads,
                             std::uint64_t seed, const std::atomic<bool>* stop = nullptr);

/// hosts, mode, schedule, replicas, simulated_drifted_fraction, ci95, ctmc_drifted_fraction,
/// ctmc_phases, exact_drifted_fraction, ctmc_within_ci, time-in-drift shares,
/// deploy_incidents_per_run, events_processed, mean_series, config, first_replica.
nlohmann::ordered_json to_json(const DriftReport& report);

/// `deploysim roi`: the deployment case, with the losses estimated from scenarios if they were.
struct RoiReport {
  std::string period;  ///< "week", ...; empty for a case read from JSON (periods without length)
  RoiInputs inputs;    ///< the losses per deploy are the estimates' means when estimated
  RoiResult result;
  /// Manual and automated, from `replicas` runs of each scenario on the same seeds.
  std::optional<std::pair<LossEstimate, LossEstimate>> losses;
  std::int64_t replicas = 0;
};

/// Computes the case; with `losses`, their means replace the inputs' losses per deploy.
RoiReport roi_report(const std::string& period, RoiInputs inputs,
                     std::optional<std::pair<LossEstimate, LossEstimate>> losses = std::nullopt,
                     std::int64_t replicas = 0);

/// period (when named), horizon_periods, build_cost_usd, the losses per deploy (with replicas
/// and their 95% CIs when estimated), then the figures of to_json(RoiResult) without the series.
nlohmann::ordered_json to_json(const RoiReport& report);

/// "continuous", "train" or "gated".
const char* cadence_name(ReleaseCadence cadence);

}  // namespace deploysim::delivery
