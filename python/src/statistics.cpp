// Small statistics helpers shared with the CLI: replica seeds, metric names, t intervals.

#include "experiment/statistics.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.hpp"
#include "experiment/runner.hpp"

namespace deploysim::python {

void bind_statistics(py::module_& m) {
  m.def("replica_seed", &experiment::replica_seed, py::arg("base_seed"), py::arg("index"),
        "Seed of replica `index` under `base_seed` (common random numbers).");
  m.def(
      "summary_metric_names",
      [] {
        std::vector<std::string> names;
        for (const auto& metric : experiment::summary_metrics()) names.push_back(metric.name);
        return names;
      },
      "The numeric summary metrics experiments report, in the CLI's column order.");
  m.def(
      "t_interval",
      [](const std::vector<double>& values, double confidence) {
        experiment::RunningStats stats;
        for (double value : values) stats.add(value);
        const auto interval = experiment::t_interval(stats, confidence);
        return std::pair{interval.low, interval.high};
      },
      py::arg("values"), py::arg("confidence") = 0.95, "The t interval of the mean of `values`.");
  m.def(
      "wilson_interval",
      [](std::int64_t successes, std::int64_t trials, double confidence) {
        const auto interval = experiment::wilson_interval(successes, trials, confidence);
        return std::pair{interval.low, interval.high};
      },
      py::arg("successes"), py::arg("trials"), py::arg("confidence") = 0.95,
      "Wilson score interval of a probability.");
}

}  // namespace deploysim::python
