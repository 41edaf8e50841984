#pragma once
// A release pipeline over weeks or months of simulated time. Changes arrive at a rate, each with
// a size and perhaps a defect; they pass stages (build, tests, staging, ...) that take time and
// catch a share of the defects still in them; releases go to production continuously, in trains
// or through a release engineer's gate; a defect that reaches production is an incident whose
// diagnosis takes longer the more changes the failing release holds. The deployment log feeds the
// four DORA metrics (delivery/dora.hpp).
//
// Simplifications, documented in docs/delivery.md: stages have unlimited parallel capacity;
// production_lanes releases (one by default) can be in rollout or incident at a time, and
// releases wait for a free lane; a defect
// caught before production is fixed (fix_time) and the change continues clean; after an
// incident the defective changes are reverted, fixed and delivered again, while the release's
// other changes stay deployed.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "delivery/defect_cost.hpp"
#include "delivery/dora.hpp"
#include "delivery/production.hpp"
#include "engine/distribution.hpp"
#include "engine/time.hpp"

namespace deploysim::delivery {

/// How a stage tests, which decides the defects it can trigger.
enum class StageTesting {
  plain,      ///< catch_probability applies to every defect
  synthetic,  ///< synthetic tests: cannot trigger defects that need production conditions
  replay,     ///< capture/replay of production traffic: triggers a share of those too
  staging,    ///< real users (employees, beta testers): catches by traffic x time
};

/// One pre-production stage.
struct PipelineStage {
  std::string name;
  engine::Distribution duration;   ///< milliseconds (Unit::duration)
  double catch_probability = 0.0;  ///< chance it catches a defect that reaches it, in [0, 1]
  StageTesting testing = StageTesting::plain;
  /// replay: the share of production-only defects the captured traffic triggers, in [0, 1].
  double replay_coverage = 0.0;
  /// staging: the share of production traffic the environment sees, in [0, 1], and how often a
  /// defect shows itself per hour at full production traffic (>= 0). A defect survives a stay
  /// of h hours with probability exp(-surface_per_hour x traffic_share x h).
  double traffic_share = 0.0;
  double surface_per_hour = 0.0;
};

/// The chance `stage` catches a defect during a stay of `hours`; `production_only` says the
/// defect needs production conditions (real traffic, real data) to show.
double stage_catch_probability(const PipelineStage& stage, bool production_only, double hours);

/// How changes that passed the stages are released.
enum class ReleaseCadence {
  continuous,  ///< everything waiting goes out as soon as production is free
  train,       ///< everything waiting goes out every train_interval
  gated,       ///< a release engineer approves each release after gate_delay
};

/// When a release engineer works. Simulated time 0 is a Monday at 00:00.
struct WorkingHours {
  engine::Duration start = engine::Duration::hours(9);  ///< time of day the day starts
  engine::Duration end = engine::Duration::hours(17);   ///< time of day it ends (> start)
  bool weekends = false;                                ///< works Saturdays and Sundays too
};

/// The time, in seconds from time 0, at which `work_s` seconds of working time have passed
/// since `from_s`: work pauses outside working hours (overnight, at weekends).
double working_time_done_s(const WorkingHours& hours, double from_s, double work_s);

/// Dead or test code shipped to production: a latent defect that does nothing until a later
/// deployment wakes it (a flag, a configuration, a reused name), as Knight's Power Peg did.
struct LatentDefects {
  /// Chance a change ships dead or test code that a later deployment can wake, in [0, 1].
  double ship_probability = 0.0;
  /// Chance each later deployment wakes a given latent defect, in [0, 1].
  double wake_probability = 0.0;
  /// Clean-up: latent defects removed per latent defect per day (>= 0).
  double cleanup_per_day = 0.0;
};

/// A pipeline's inputs. Rates are per day; durations are Unit::duration distributions.
struct PipelineConfig {
  double changes_per_day = 20.0;
  /// Lines changed per change (Unit::number); a change of size s carries a defect with
  /// probability 1 - (1 - defect_probability)^(s / mean size): bigger changes, more defects.
  engine::Distribution change_size = engine::Distribution::constant(1.0);
  double defect_probability = 0.05;  ///< for a change of mean size, in [0, 1]
  /// Share of defects that only production conditions trigger (market data, real traffic
  /// patterns), in [0, 1]; synthetic tests never catch them.
  double production_only_share = 0.0;
  /// Incident cost rate of a defect in production, USD per minute (Unit::number).
  engine::Distribution loss_per_minute_usd = engine::Distribution::constant(1'000.0);
  std::vector<PipelineStage> stages;
  engine::Distribution fix_time;  ///< time to fix a caught or reverted defect
  ReleaseCadence cadence = ReleaseCadence::continuous;
  engine::Duration train_interval = engine::Duration::days(1);
  engine::Distribution gate_delay;  ///< gated: approval time once a release is ready
  /// gated: the release engineer's working hours; without them the gate decides at any hour.
  std::optional<WorkingHours> gate_hours;
  /// gated: chance the release engineer stops each defective change in a release, in [0, 1].
  double gate_stop_probability = 0.0;
  engine::Distribution deploy_time;       ///< production rollout of one release
  double canary_catch_probability = 0.0;  ///< chance the canary stops a defect, in [0, 1]
  engine::Distribution detect_time;       ///< incident start to detection
  engine::Distribution diagnose_time;     ///< diagnosis of a release of one change
  /// Diagnosis is multiplied by 1 + diagnosis_growth_per_change x (changes - 1).
  double diagnosis_growth_per_change = 0.1;
  engine::Distribution repair_time;  ///< rollback or hotfix once diagnosed
  engine::Duration horizon = engine::Duration::days(90);
  /// The production stage as a calibrated rollout scenario; when present it replaces
  /// deploy_time and canary_catch_probability, and its detection times replace detect_time.
  std::optional<ProductionStage> production;
  /// Releases that can be in production rollout or incident at once; a release waits for a
  /// free lane (>= 1).
  std::int64_t production_lanes = 1;
  /// The prices of a defect by where it is found.
  DefectCostConfig defect_cost;
  LatentDefects latent;
};

/// A pipeline with typical values: build 10 min catching 20%, tests 30 min catching 50%,
/// staging 2 h catching 30%, deploys of 30 min, lognormal incident times.
PipelineConfig default_pipeline();

/// Throws std::invalid_argument naming the first bad value: rates <= 0, probabilities outside
/// [0, 1], a train interval of 0, a growth < 0, a horizon shorter than one change's mean trip
/// through the stages and a deploy.
void validate(const PipelineConfig& config);

/// One production incident: a defective release that reached users.
struct IncidentRecord {
  double start_s = 0.0;                ///< the release reached production (or its canary hosts)
  double detected_s = 0.0;             ///< someone or something noticed
  double recovered_s = 0.0;            ///< diagnosed and repaired: service restored
  std::int64_t changes = 0;            ///< changes in the release
  std::int64_t defective_changes = 0;  ///< of which carried a defect
  double loss_usd = 0.0;
  /// The production stage stopped the release before it reached every host (the canary).
  bool stopped_by_canary = false;
};

/// One day of a run. Deployments count on the day they finished, incidents on the day they
/// started.
struct PipelineDay {
  std::int64_t day = 0;  ///< 0 for the first day
  std::int64_t deployments = 0;
  std::int64_t changes_deployed = 0;  ///< changes in those deployments, reverted ones included
  double mean_batch_size = 0.0;       ///< changes_deployed / deployments; NaN without deployments
  /// Median commit-to-production time of the changes delivered that day; NaN if none.
  double lead_time_median_s = 0.0;
  std::int64_t incidents = 0;  ///< failed deployments' incidents (not those the canary stopped)
  double loss_usd = 0.0;       ///< of all incidents that started that day, stopped ones included
  std::int64_t failed_deployments = 0;
  std::int64_t canary_rollbacks = 0;
};

/// The defects found at one place over a run, priced with the config's defect_cost.
struct DefectTally {
  std::int64_t defects = 0;
  double cost_usd = 0.0;      ///< fix, rework, delay and (production) incident cost
  double days_sum = 0.0;      ///< sum over defects of days from introduction to discovery
  double incident_usd = 0.0;  ///< the incident part of cost_usd
};

/// Where a defect can be found: each stage in order, then the release gate, then production.
/// `found` in a run has stages + 2 entries in that order.
std::vector<std::string> defect_places(const PipelineConfig& config);

/// The edges, in days since introduction, of the cost curve's bins: [0, 1h), [1h, 4h), ...,
/// [30d, inf).
const std::vector<double>& cost_curve_edges_days();

/// One simulated run.
struct PipelineRun {
  std::vector<DeploymentRecord> deployments;
  /// Every incident in order of start: the failed deployments, and the releases a production
  /// stage stopped after they had hurt some hosts (stopped_by_canary).
  std::vector<IncidentRecord> incident_log;
  /// One entry per day of the horizon (a partial last day included).
  std::vector<PipelineDay> days;
  DoraMetrics dora;
  std::int64_t changes = 0;  ///< arrived
  std::int64_t defects = 0;  ///< arrived with a defect
  std::int64_t defects_caught_in_stages = 0;
  std::int64_t canary_rollbacks = 0;  ///< releases the production stage stopped
  std::int64_t incidents = 0;         ///< failed deployments
  double loss_usd = 0.0;              ///< all incidents, those the canary stopped included
  double mean_changes_per_deployment = 0.0;
  std::uint64_t events_processed = 0;
  /// Defects found per place (see defect_places) and per bin of time since introduction
  /// (see cost_curve_edges_days).
  std::vector<DefectTally> found;
  std::vector<DefectTally> cost_curve;
  double defect_cost_usd = 0.0;       ///< all defects found, wherever
  std::int64_t latent_shipped = 0;    ///< latent defects shipped to production
  std::int64_t latent_incidents = 0;  ///< woken by a later deployment
  double latent_loss_usd = 0.0;
  std::int64_t latent_pool_at_end = 0;
};

/// Simulates one run. Streams: "pipeline/arrivals", "pipeline/change" (per change),
/// "pipeline/release", "pipeline/incident". Throws Cancelled (delivery/cancel.hpp) once `stop`,
/// if given, is raised.
PipelineRun simulate_pipeline(const PipelineConfig& config, std::uint64_t seed,
                              const std::atomic<bool>* stop = nullptr);

/// One replica's figures, without its deployment log (which can hold a million lead times).
struct PipelineReplica {
  DoraMetrics dora;
  std::int64_t incidents = 0;
  std::int64_t canary_rollbacks = 0;
  double loss_usd = 0.0;
  double mean_changes_per_deployment = 0.0;
  std::uint64_t events_processed = 0;
  std::vector<DefectTally> found;
  std::vector<DefectTally> cost_curve;
  double defect_cost_usd = 0.0;
  std::int64_t latent_incidents = 0;
  double latent_loss_usd = 0.0;
};

/// Runs `replicas` replicas on experiment::replica_seed(base_seed, i) on up to `threads`
/// threads; the result is in replica order and does not depend on `threads`. `first_run`, if
/// given, receives replica 0 in full (its deployment log). Throws Cancelled once `stop`, if
/// given, is raised.
std::vector<PipelineReplica> run_pipeline_replicas(const PipelineConfig& config,
                                                   std::int64_t replicas, int threads,
                                                   std::uint64_t base_seed,
                                                   PipelineRun* first_run = nullptr,
                                                   const std::atomic<bool>* stop = nullptr);

}  // namespace deploysim::delivery
