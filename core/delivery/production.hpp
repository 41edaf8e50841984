#pragma once
// The production stage of a release pipeline run through a deploysim scenario: the rollout
// strategies of the rollout model (all at once, rolling, canary, blue/green, rings) on a real
// fleet, reduced to what the pipeline needs per release.
//
// A full Simulation per release would cost milliseconds each, tens of thousands of times a
// simulated year, so the stage is calibrated once instead: the scenario is run for a clean and
// a defective release on a fixed set of seeds, and each run's figures become one entry of an
// empirical distribution the pipeline draws from (docs/delivery.md, "Production stage").

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace deploysim::spec {
struct Scenario;
}

namespace deploysim::delivery {

/// What one defective release did in the scenario.
struct DefectiveRelease {
  /// The strategy did not complete it (rolled back, halted, failed): the production stage
  /// stopped the defect, as a canary analysis or an automated rollback does.
  bool stopped = false;
  /// Peak share of the deployment's hosts misbehaving, in [0, 1]: the share of users exposed.
  double exposed_share = 0.0;
  /// Deployment start to incident start (the first misbehaving host), seconds.
  double incident_offset_s = 0.0;
  /// Incident start to detection, seconds; NaN if nobody noticed within the scenario.
  double detect_s = 0.0;
  /// Incident start to mitigation, seconds (the run's end if never mitigated); 0 without an
  /// incident.
  double exposure_s = 0.0;
  /// Deployment start to the strategy's end (rollback done, halt), seconds; for stopped
  /// releases this is how long production is busy.
  double busy_s = 0.0;
};

/// A production stage: the scenario and how to make its release clean or defective (inputs),
/// and what calibration found (outputs).
struct ProductionStage {
  /// The scenario file, as written in the pipeline file (relative to it).
  std::string scenario;
  /// Overrides ("key=value", as `deploysim run --set`) for both releases.
  std::vector<std::string> set;
  /// Overrides that make the release defective, e.g. "services.api.versions.v2.behaviour=bug".
  std::vector<std::string> defective_set;
  /// Overrides that make it clean (often none: the scenario's release is clean as written).
  std::vector<std::string> clean_set;
  /// Scenario runs per kind of release, on experiment::replica_seed(calibration_seed, i).
  std::int64_t calibration_runs = 20;
  std::uint64_t calibration_seed = 1;

  // ---- calibrated ----
  std::string scenario_name;
  std::int64_t fleet_hosts = 0;  ///< hosts the deployment targets
  /// Deployment start to completion of each clean run, seconds.
  std::vector<double> clean_deploy_s;
  std::vector<DefectiveRelease> defective;
  /// Share of defective runs stopped.
  double stop_probability = 0.0;
  /// Mean exposed share over the defective runs that were not stopped (NaN if none).
  double escaped_exposed_share = 0.0;
  double mean_clean_deploy_s = 0.0;
};

/// Runs `clean` and `defective` `stage.calibration_runs` times each on the same seeds and
/// fills the calibrated fields of `stage`. Throws std::invalid_argument when a clean run does
/// not complete its deployment (the scenario's clock is too short, or the "clean" release is
/// not) or a scenario has no deployment.
ProductionStage calibrate_production(ProductionStage stage, const spec::Scenario& clean,
                                     const spec::Scenario& defective);

/// Loads the stage's scenario from `base_dir` twice (with set + clean_set, and with set +
/// defective_set) and calibrates. Throws input::InputError; problems of the stage itself are
/// reported at `pointer` in `file`.
ProductionStage load_production_stage(ProductionStage stage, const std::filesystem::path& base_dir,
                                      const std::string& file, const std::string& pointer);

}  // namespace deploysim::delivery
