// One run: Simulation (step, run_until, run) and its Result. Time series columns are numpy
// views into the Result (no copy), kept alive by it.

#include "simulation/simulation.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bindings.hpp"
#include "io/metrics_export.hpp"
#include "json_cast.hpp"
#include "run_result.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::python {

namespace {

using spec::Scenario;
using ScenarioPtr = std::shared_ptr<const Scenario>;

/// A simulation that owns a reference to its scenario, driven from Python.
struct SimulationHandle {
  SimulationHandle(ScenarioPtr s, std::uint64_t seed)
      : scenario(std::move(s)), sim(*scenario, seed) {}
  ScenarioPtr scenario;
  simulation::Simulation sim;
};

engine::Time time_of(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) throw py::value_error("expected seconds >= 0");
  if (seconds > 9.2e15) return engine::Time::max();
  return engine::Time::from_ms(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

py::object field_value(const engine::TraceValue& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

// Records as (time_s, clock, event, subject, text, fields) tuples.
py::list record_rows(const std::vector<engine::TraceRecord>& records, const Scenario& scenario) {
  py::list rows;
  for (const auto& record : records) {
    py::dict fields;
    for (const auto& field : record.fields) fields[py::str(field.key)] = field_value(field.value);
    rows.append(py::make_tuple(record.time.to_seconds(),
                               simulation::clock_text(scenario, record.time, true), record.event,
                               record.subject, simulation::describe(record), fields));
  }
  return rows;
}

RunResult run_scenario(const ScenarioPtr& scenario, std::uint64_t seed, bool trace) {
  RunResult out;
  out.scenario = scenario;
  py::gil_scoped_release release;
  if (trace) {
    engine::MemoryTraceSink sink;
    out.result = simulation::run(*scenario, seed, &sink);
    out.trace = std::move(sink.records);
  } else {
    out.result = simulation::run(*scenario, seed);
  }
  return out;
}

// The per-host records of a traced run, for a per-host export (the cap as in the CLI).
std::vector<engine::TraceRecord> host_records(const RunResult& self) {
  if (!self.trace) throw py::value_error("per_host needs the run's trace: run it with trace=True");
  const std::int64_t hosts = io::fleet_hosts(*self.scenario);
  if (hosts > io::kMaxExportedHosts) {
    throw py::value_error("per_host: the fleet has " + std::to_string(hosts) +
                          " hosts; per-host export is capped at " +
                          std::to_string(io::kMaxExportedHosts) + " series");
  }
  io::HostRecords records;
  for (const auto& record : *self.trace) records.write(record);
  return records.records();
}

template <typename Writer>
std::string export_text(const RunResult& self, bool per_host, Writer writer) {
  std::vector<engine::TraceRecord> hosts;
  if (per_host) hosts = host_records(self);
  std::ostringstream out;
  writer(out, *self.scenario, self.result, io::ExportContent{per_host ? &hosts : nullptr});
  return out.str();
}

}  // namespace

void bind_simulation(py::module_& m) {
  py::class_<RunResult, std::shared_ptr<RunResult>>(m, "Result", "The result of one run.")
      .def(
          "summary", [](const RunResult& self) { return to_python(self.result.summary.to_json()); },
          "The result contract (DESIGN.md) as a dict; quantities that did not occur are None.")
      .def(
          "columns", [](const RunResult& self) { return self.result.timeseries.columns; },
          "Names of the time series columns, time_s first.")
      .def(
          "column",
          [](py::object self, std::size_t index) {
            const auto& values = self.cast<const RunResult&>().result.timeseries.values.at(index);
            py::array_t<double> array({static_cast<py::ssize_t>(values.size())},
                                      {static_cast<py::ssize_t>(sizeof(double))}, values.data(),
                                      self);
            array.attr("setflags")(py::arg("write") = false);
            return array;
          },
          py::arg("index"), "Column `index` as a read-only numpy view into the result.")
      .def(
          "story",
          [](const RunResult& self) { return record_rows(self.result.story, *self.scenario); },
          "Notable events as (time_s, clock, event, subject, text, fields) tuples.")
      .def_property_readonly(
          "has_trace", [](const RunResult& self) { return self.trace.has_value(); },
          "Whether the run recorded every trace record.")
      .def(
          "trace",
          [](const RunResult& self) {
            if (!self.trace) throw py::value_error("the run kept no trace: run it with trace=True");
            return record_rows(*self.trace, *self.scenario);
          },
          "Every record (per host too) as story() tuples; needs run(..., trace=True).")
      .def(
          "to_line_protocol",
          [](const RunResult& self, bool per_host) {
            return export_text(self, per_host, io::write_line_protocol);
          },
          py::arg("per_host") = false,
          "The run as InfluxDB line protocol (as deploysim run --export influx=FILE writes it).")
      .def(
          "to_openmetrics",
          [](const RunResult& self, bool per_host) {
            return export_text(self, per_host, io::write_openmetrics);
          },
          py::arg("per_host") = false,
          "The run as OpenMetrics text (as deploysim run --export openmetrics=FILE writes it).");

  m.def("run", &run_scenario, py::arg("scenario"), py::arg("seed"), py::arg("trace") = false,
        "Runs a scenario to its end with `seed` (the GIL is released).");

  py::class_<SimulationHandle>(m, "Simulation", "A run driven step by step.")
      .def(py::init<ScenarioPtr, std::uint64_t>(), py::arg("scenario"), py::arg("seed"))
      .def(
          "run",
          [](SimulationHandle& self) {
            py::gil_scoped_release release;
            self.sim.run();
          },
          "Runs to the scenario's end.")
      .def(
          "run_until",
          [](SimulationHandle& self, double seconds) {
            const auto limit = time_of(seconds);
            py::gil_scoped_release release;
            self.sim.run_until(limit);
          },
          py::arg("seconds"), "Runs until `seconds` of simulated time (capped at the end).")
      .def(
          "step", [](SimulationHandle& self) { return self.sim.step(); },
          "Processes one event; False once the end is reached or nothing is pending.")
      .def_property_readonly(
          "finished", [](const SimulationHandle& self) { return self.sim.finished(); },
          "Whether the end time is reached.")
      .def_property_readonly(
          "now_s", [](const SimulationHandle& self) { return self.sim.now().to_seconds(); },
          "Simulated seconds since the start.")
      .def_property_readonly(
          "clock",
          [](const SimulationHandle& self) {
            return simulation::clock_text(*self.scenario, self.sim.now(), true);
          },
          "The current time as the scenario's clock shows it.")
      .def(
          "result",
          [](SimulationHandle& self) {
            auto out = std::make_shared<RunResult>();
            out->result = self.sim.result();
            out->scenario = self.scenario;
            return out;
          },
          "The result as of now (a side-effect-free snapshot before the end; the final result "
          "once finished).");
}

}  // namespace deploysim::python
