#include "delivery/production.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "experiment/runner.hpp"
#include "input/input_error.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::delivery {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RunFigures {
  simulation::Summary summary;
  double deploy_start_s = 0.0;
  std::optional<double> deploy_finished_s;
};

RunFigures run_once(const spec::Scenario& scenario, std::uint64_t seed) {
  simulation::Simulation simulation(scenario, seed);
  simulation.run();
  RunFigures figures;
  figures.summary = simulation.result().summary;
  figures.deploy_start_s = scenario.deployment->start.to_seconds();
  if (const auto& finished = simulation.world().counters().deploy_finished_at) {
    figures.deploy_finished_s = finished->to_seconds();
  }
  return figures;
}

}  // namespace

ProductionStage calibrate_production(ProductionStage stage, const spec::Scenario& clean,
                                     const spec::Scenario& defective) {
  if (!clean.deployment || !defective.deployment) {
    throw std::invalid_argument("production scenario: expected a scenario with a deployment");
  }
  if (stage.calibration_runs < 1) {
    throw std::invalid_argument("production calibration runs: expected at least 1");
  }
  stage.scenario_name = clean.name;
  stage.clean_deploy_s.clear();
  stage.defective.clear();
  double stopped = 0.0;
  double escaped_share = 0.0;
  double escaped = 0.0;
  double deploy_sum = 0.0;
  for (std::int64_t i = 0; i < stage.calibration_runs; ++i) {
    // The same seeds for both releases: the runs differ by the defect alone.
    const auto seed =
        experiment::replica_seed(stage.calibration_seed, static_cast<std::uint64_t>(i));
    const auto ok = run_once(clean, seed);
    if (ok.summary.deploy_outcome != "completed" || !ok.deploy_finished_s) {
      throw std::invalid_argument(
          "production scenario: the clean release did not complete (outcome \"" +
          ok.summary.deploy_outcome + "\" with seed " + std::to_string(seed) +
          "); lengthen the scenario's clock.end or check clean_set");
    }
    stage.fleet_hosts = ok.summary.deployment_hosts;
    const double duration = *ok.deploy_finished_s - ok.deploy_start_s;
    stage.clean_deploy_s.push_back(duration);
    deploy_sum += duration;

    const auto bad = run_once(defective, seed);
    const auto& s = bad.summary;
    DefectiveRelease release;
    release.stopped = s.deploy_outcome != "completed";
    release.exposed_share = s.deployment_hosts > 0
                                ? std::min(1.0, static_cast<double>(s.max_hosts_misbehaving) /
                                                    static_cast<double>(s.deployment_hosts))
                                : 0.0;
    if (s.incident_start_s) {
      release.incident_offset_s = std::max(0.0, *s.incident_start_s - bad.deploy_start_s);
      release.detect_s = s.time_to_detect_s.value_or(kNaN);
      release.exposure_s = s.time_to_mitigate_s.value_or(s.incident_duration_s.value_or(0.0));
    } else {
      release.detect_s = kNaN;
    }
    release.busy_s =
        (bad.deploy_finished_s ? *bad.deploy_finished_s : s.end_s) - bad.deploy_start_s;
    if (release.stopped) {
      stopped += 1.0;
    } else {
      escaped += 1.0;
      escaped_share += release.exposed_share;
    }
    stage.defective.push_back(release);
  }
  const auto runs = static_cast<double>(stage.calibration_runs);
  bool any_incident = false;
  for (const auto& release : stage.defective) any_incident |= release.exposure_s > 0.0;
  if (!any_incident) {
    throw std::invalid_argument(
        "production scenario: the defective release harmed no host in any calibration run; "
        "defective_set should make the target version misbehave");
  }
  stage.stop_probability = stopped / runs;
  stage.escaped_exposed_share = escaped > 0.0 ? escaped_share / escaped : kNaN;
  stage.mean_clean_deploy_s = deploy_sum / runs;
  return stage;
}

ProductionStage load_production_stage(ProductionStage stage, const std::filesystem::path& base_dir,
                                      const std::string& file, const std::string& pointer) {
  const std::filesystem::path path = base_dir / stage.scenario;
  if (!std::filesystem::is_regular_file(path)) {
    throw input::InputError(
        input::InputProblem{.file = file,
                            .pointer = pointer + "/scenario",
                            .expected = "a scenario file (a path relative to this file)",
                            .found = input::quote(stage.scenario) + ", which does not exist"});
  }
  auto with = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> overrides = stage.set;
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return scenario::load_scenario(path, overrides);
  };
  const auto clean = with(stage.clean_set);
  const auto defective = with(stage.defective_set);
  try {
    return calibrate_production(std::move(stage), clean, defective);
  } catch (const std::invalid_argument& error) {
    throw input::InputError(
        input::InputProblem{.file = file, .pointer = pointer, .detail = error.what()});
  }
}

}  // namespace deploysim::delivery
