#pragma once
// A fault schedule as a file: the faults of one run, the bounds their random quantities were taken
// at, the seed, and the scenario they belong to, so that `deploysim run SCENARIO --faults FILE`
// replays a counterexample exactly (docs/verification.md, "Replaying a counterexample").

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/trace.hpp"
#include "model/fault_plan.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"

namespace deploysim::verify {

/// Version of the schedule file's shape.
inline constexpr int kScheduleFormat = 1;
/// The share of its scope (percent) a flag_wrong_percent fault gives the flag, unless its file
/// says otherwise: half, where a staged flag meant a few hosts or all of them.
inline constexpr double kWrongPercent = 50.0;

struct Schedule {
  std::string scenario;  ///< the scenario's name, checked on replay
  std::uint64_t seed = 1;
  /// Whether the scenario's own scripted faults (a manual deploy's "faults") stay in the run.
  /// verify judges the plan without them by default: they are the incident, not the plan.
  bool keep_scripted_faults = false;
  model::FaultBounds bounds;
  std::vector<model::Fault> faults;

  nlohmann::ordered_json to_json() const;
};

/// The value of `distribution` at quantile p in (0, 1) (a constant is itself at every p).
double distribution_quantile(const engine::Distribution& distribution, double p);

/// The plan verify judges: the scenario, without its scripted faults unless `keep`.
spec::Scenario plan_scenario(const spec::Scenario& scenario, bool keep_scripted_faults);

/// The names a fault of `kind` may target in `scenario`, in the scenario's order.
std::vector<std::string> fault_targets(const spec::Scenario& scenario, model::FaultKind kind);

/// Reads a schedule and checks it against `scenario`: its name, and every fault's kind and
/// target. Throws input::InputError with the file, the JSON pointer and what was expected.
Schedule read_schedule(const std::string& path, const spec::Scenario& scenario);
Schedule parse_schedule(const nlohmann::json& document, const std::string& label,
                        const spec::Scenario& scenario);

/// A fault plan that runs `schedule` (with the quantile function above).
model::FaultPlan make_plan(const Schedule& schedule);

/// Runs the scenario (as verify judged it) under the schedule: the counterexample's run.
simulation::Result replay(const spec::Scenario& scenario, const Schedule& schedule,
                          engine::TraceSink* trace = nullptr);

}  // namespace deploysim::verify
