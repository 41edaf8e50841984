// Many runs: Monte Carlo and sweeps (experiment::run_sweep), the --until-ci stopping rule and
// paired comparisons. Each returns columns for a pandas DataFrame, one row per run or metric.
// The GIL is released and Ctrl-C stops the runners (interrupt.hpp).

#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "columns.hpp"
#include "experiment/sweep.hpp"
#include "interrupt.hpp"
#include "json_cast.hpp"

namespace deploysim::python {

namespace {

using spec::Scenario;
using ScenarioPtr = std::shared_ptr<const Scenario>;

/// The per-run table of the CLI's --csv: point, replica, seed, each summary metric (NaN where
/// null) and the deploy outcome.
struct RunTable {
  std::vector<std::int64_t> point;
  std::vector<std::int64_t> replica;
  std::vector<std::uint64_t> seed;
  std::vector<std::vector<double>> metrics{experiment::summary_metrics().size()};
  std::vector<std::string> outcome;

  void add(std::int64_t p, std::int64_t r, std::uint64_t s, const simulation::Summary& summary) {
    point.push_back(p);
    replica.push_back(r);
    seed.push_back(s);
    const auto& all = experiment::summary_metrics();
    for (std::size_t m = 0; m < all.size(); ++m)
      metrics[m].push_back(all[m].read(summary).value_or(NAN));
    outcome.push_back(summary.deploy_outcome);
  }

  py::dict to_python_columns() && {
    py::dict columns;
    columns["point"] = to_array(std::move(point));
    columns["replica"] = to_array(std::move(replica));
    columns["seed"] = to_array(std::move(seed));
    const auto& all = experiment::summary_metrics();
    for (std::size_t m = 0; m < all.size(); ++m)
      columns[py::str(all[m].name)] = to_array(std::move(metrics[m]));
    columns["deploy_outcome"] = py::cast(outcome);
    return columns;
  }
};

std::vector<Scenario> copies(const std::vector<ScenarioPtr>& scenarios) {
  std::vector<Scenario> out;
  out.reserve(scenarios.size());
  for (const auto& s : scenarios) out.push_back(*s);
  return out;
}

experiment::SweepOptions options_for(std::int64_t replicas, int threads, std::uint64_t base_seed) {
  if (replicas < 1) throw py::value_error("replicas must be at least 1");
  if (threads < 1) throw py::value_error("threads must be at least 1");
  experiment::SweepOptions options;
  options.replicas = replicas;
  options.threads = threads;
  options.base_seed = base_seed;
  return options;
}

py::dict run_points(const std::vector<ScenarioPtr>& points, std::int64_t replicas, int threads,
                    std::uint64_t base_seed) {
  auto scenarios = copies(points);
  auto options = options_for(replicas, threads, base_seed);
  auto table = run_interruptible([&](const std::atomic<bool>& stop) {
    RunTable rows;
    options.stop = &stop;
    options.on_run = [&rows](std::int64_t p, std::int64_t r, std::uint64_t s,
                             const simulation::Summary& summary) { rows.add(p, r, s, summary); };
    experiment::run_sweep(scenarios, options);
    return rows;
  });
  return std::move(table).to_python_columns();
}

py::dict run_until_precise(const ScenarioPtr& scenario, const std::string& metric,
                           double relative_half_width, std::int64_t max_replicas, int threads,
                           std::uint64_t base_seed) {
  experiment::PrecisionTarget target;
  target.metric = &experiment::require_metric(metric);
  if (!(relative_half_width > 0.0)) throw py::value_error("relative_half_width must be > 0");
  target.relative_half_width = relative_half_width;
  target.max_replicas = max_replicas;
  auto options = options_for(1, threads, base_seed);
  bool reached = false;
  auto table = run_interruptible([&](const std::atomic<bool>& stop) {
    RunTable rows;
    options.stop = &stop;
    options.on_run = [&rows](std::int64_t p, std::int64_t r, std::uint64_t s,
                             const simulation::Summary& summary) { rows.add(p, r, s, summary); };
    reached = experiment::run_until_precise(*scenario, target, options).reached;
    return rows;
  });
  py::dict columns = std::move(table).to_python_columns();
  columns["reached"] = reached;
  return columns;
}

py::dict run_comparison(const std::vector<std::pair<std::string, ScenarioPtr>>& variants,
                        std::int64_t replicas, int threads, std::uint64_t base_seed) {
  if (variants.size() < 2) throw py::value_error("compare needs a base and at least one variant");
  std::vector<experiment::Variant> list;
  for (const auto& [name, scenario] : variants) list.push_back({name, *scenario});
  auto options = options_for(replicas, threads, base_seed);
  const auto result = run_interruptible([&](const std::atomic<bool>& stop) {
    options.stop = &stop;
    return experiment::run_comparison(list, options);
  });
  // One row per (variant, metric): variant v against variant 0, replica by replica.
  std::vector<std::string> variant, metric;
  std::vector<double> baseline_mean, variant_mean, difference, low, high, reduction;
  std::vector<std::int64_t> pairs;
  std::vector<bool> significant, deterministic;
  const auto& all = experiment::summary_metrics();
  for (std::size_t v = 1; v < list.size(); ++v) {
    for (std::size_t m = 0; m < all.size(); ++m) {
      const auto& c = result.comparisons[v][m];
      const bool any = c.difference.count() > 0;
      variant.push_back(list[v].name);
      metric.push_back(all[m].name);
      pairs.push_back(c.difference.count());
      baseline_mean.push_back(c.a.mean());
      variant_mean.push_back(c.b.mean());
      difference.push_back(c.difference.mean());
      low.push_back(any ? c.difference_ci.low : NAN);
      high.push_back(any ? c.difference_ci.high : NAN);
      significant.push_back(c.significant);
      deterministic.push_back(c.deterministic);
      reduction.push_back(c.variance_reduction);
    }
  }
  py::dict columns;
  columns["variant"] = py::cast(variant);
  columns["metric"] = py::cast(metric);
  columns["pairs"] = to_array(std::move(pairs));
  columns["baseline_mean"] = to_array(std::move(baseline_mean));
  columns["variant_mean"] = to_array(std::move(variant_mean));
  columns["difference"] = to_array(std::move(difference));
  columns["ci95_low"] = to_array(std::move(low));
  columns["ci95_high"] = to_array(std::move(high));
  columns["significant"] = py::cast(significant);
  columns["deterministic"] = py::cast(deterministic);
  columns["variance_reduction"] = to_array(std::move(reduction));
  columns["replicas"] = result.runs_completed;
  return columns;
}

}  // namespace

void bind_experiment(py::module_& m) {
  py::class_<experiment::Parameter>(m, "Parameter",
                                    "One swept value: a dotted path and its values.")
      .def(py::init([](const std::string& path, const py::sequence& values) {
             experiment::Parameter parameter;
             parameter.path = path;
             for (const auto& value : values) {
               parameter.values.push_back(to_json(value));
               parameter.labels.push_back(parameter.values.back().is_string()
                                              ? parameter.values.back().get<std::string>()
                                              : parameter.values.back().dump());
             }
             if (parameter.values.empty()) throw py::value_error(path + ": no values to sweep");
             return parameter;
           }),
           py::arg("path"), py::arg("values"))
      .def_static("parse", &experiment::parse_parameter, py::arg("text"),
                  "Parses \"PATH=V1,V2,...\" or \"PATH=START:STEP:END\" as --param does.")
      .def_readonly("path", &experiment::Parameter::path)
      .def_property_readonly("values",
                             [](const experiment::Parameter& self) {
                               py::list values;
                               for (const auto& value : self.values)
                                 values.append(to_python(value));
                               return values;
                             })
      .def_readonly("labels", &experiment::Parameter::labels);

  py::class_<experiment::Grid>(m, "Grid", "The full-factorial grid, the last parameter fastest.")
      .def(py::init([](std::vector<experiment::Parameter> parameters) {
             return experiment::Grid{std::move(parameters)};
           }),
           py::arg("parameters"))
      .def_readonly("parameters", &experiment::Grid::parameters)
      .def("points", &experiment::Grid::points, "Number of grid points.")
      .def("coordinates", &experiment::Grid::coordinates, py::arg("point"),
           "Value index of each parameter at `point`.");

  m.def(
      "scenario_at",
      [](const ScenarioPtr& base, const experiment::Grid& grid, std::int64_t point) {
        if (point < 0 || point >= grid.points()) throw py::index_error("no such grid point");
        return std::make_shared<Scenario>(
            experiment::scenario_at(base->source, base->file, grid, point));
      },
      py::arg("base"), py::arg("grid"), py::arg("point"), "The base scenario at a grid point.");
  m.def("run_points", &run_points, py::arg("points"), py::arg("replicas"), py::arg("threads"),
        py::arg("base_seed"),
        "Runs each scenario `replicas` times (replica r on replica_seed(base_seed, r)); columns "
        "of one row per run in (point, replica) order.");
  m.def("run_until_precise", &run_until_precise, py::arg("scenario"), py::arg("metric"),
        py::arg("relative_half_width"), py::arg("max_replicas"), py::arg("threads"),
        py::arg("base_seed"),
        "Runs replicas in rounds until the 95% CI of `metric` is within the relative half-width.");
  m.def("run_comparison", &run_comparison, py::arg("variants"), py::arg("replicas"),
        py::arg("threads"), py::arg("base_seed"),
        "Runs (name, scenario) variants on the same seeds; paired differences from the first.");
}

}  // namespace deploysim::python
