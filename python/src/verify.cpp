// `deploysim verify` for Python: the search's report as the CLI's --format json writes it (the
// core's Report::to_json), the plan it judged, and the replay of a fault schedule.

#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "input/json_reader.hpp"
#include "interrupt.hpp"
#include "json_cast.hpp"
#include "run_result.hpp"
#include "verify/search.hpp"

namespace deploysim::python {

namespace {

using ScenarioPtr = std::shared_ptr<const spec::Scenario>;

model::FaultKind kind_named(const std::string& name) {
  const auto kind = model::find_fault_kind(name);
  if (!kind) throw py::value_error("unknown fault kind \"" + name + "\"");
  return *kind;
}

py::object run_verify(const ScenarioPtr& scenario, const std::vector<std::string>& names,
                      int max_faults, const std::vector<std::string>& kinds, double slow_quantile,
                      const std::string& late_by,
                      const std::map<std::string, double>& probabilities, std::uint64_t seed,
                      int threads, bool symmetry, bool prune, bool keep_scripted_faults) {
  std::vector<verify::Property> properties;
  for (const auto& name : names) properties.push_back(verify::Property::named(name, *scenario));
  verify::SearchOptions options;
  options.max_faults = max_faults;
  for (const auto& kind : kinds) options.kinds.push_back(kind_named(kind));
  options.bounds.slow_quantile = slow_quantile;
  try {
    options.bounds.late_by = engine::parse_duration(late_by);
  } catch (const std::invalid_argument& error) {
    throw py::value_error(std::string("late_by: ") + error.what());
  }
  for (const auto& [kind, p] : probabilities)
    options.probabilities.emplace_back(kind_named(kind), p);
  options.seed = seed;
  options.threads = threads;
  options.symmetry = symmetry;
  options.prune = prune;
  options.keep_scripted_faults = keep_scripted_faults;
  verify::check_options(options);
  const auto report = run_interruptible([&](const std::atomic<bool>& stop) {
    auto run_options = options;
    run_options.stop = &stop;
    return verify::verify(*scenario, properties, run_options).to_json();
  });
  return to_python(report);
}

// The plan verify judges: the scenario without its scripted faults unless `keep`.
ScenarioPtr plan_of(const ScenarioPtr& scenario, bool keep_scripted_faults) {
  return std::make_shared<const spec::Scenario>(
      verify::plan_scenario(*scenario, keep_scripted_faults));
}

RunResult replay(const ScenarioPtr& scenario, const std::string& schedule_json,
                 const std::string& label) {
  const auto schedule =
      verify::parse_schedule(input::parse_json_text(schedule_json, label), label, *scenario);
  RunResult out;
  out.scenario = scenario;
  py::gil_scoped_release release;
  out.result = verify::replay(*scenario, schedule);
  return out;
}

}  // namespace

void bind_verify(py::module_& m) {
  m.def("verify", &run_verify, py::arg("scenario"), py::arg("properties"), py::arg("max_faults"),
        py::arg("kinds"), py::arg("slow_quantile"), py::arg("late_by"), py::arg("probabilities"),
        py::arg("seed"), py::arg("threads"), py::arg("symmetry"), py::arg("prune"),
        py::arg("keep_scripted_faults"),
        "Every schedule of at most max_faults faults against the properties: the report as a "
        "dict (as `deploysim verify --format json` prints it).");
  m.def("plan_of", &plan_of, py::arg("scenario"), py::arg("keep_scripted_faults"),
        "The plan verify judges: the scenario without its scripted faults unless kept.");
  m.def("replay", &replay, py::arg("scenario"), py::arg("schedule_json"),
        py::arg("label") = "<schedule>",
        "Runs the scenario under a fault schedule (JSON text), as `run --faults` does.");
  m.def(
      "fault_kinds",
      [] {
        std::vector<std::string> names;
        for (auto kind : model::all_fault_kinds()) names.emplace_back(model::fault_kind_name(kind));
        return names;
      },
      "Every kind of fault, as named in fault schedules.");
}

}  // namespace deploysim::python
