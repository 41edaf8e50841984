// Small statistics helpers shared with the CLI: replica seeds, metric names, t and Wilson
// intervals, the bootstrap, and the per-point metric summary, so that Python's summaries and
// contrasts use the core's numbers rather than a second implementation.

#include "experiment/statistics.hpp"

#include <pybind11/stl.h>

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "experiment/runner.hpp"

namespace deploysim::python {

namespace {

// The CLI's metric_json, from a column of per-run values: the same accumulators fed in the same
// order, so the numbers are bit-identical to `deploysim sweep --json`.
py::dict metric_summary(const std::vector<double>& values) {
  experiment::RunningStats stats;
  experiment::StreamingQuantiles quantiles;
  std::int64_t missing = 0;
  for (double value : values) {
    if (std::isnan(value)) {
      ++missing;
      continue;
    }
    stats.add(value);
    quantiles.add(value);
  }
  const auto interval = experiment::t_interval(stats);
  const bool any = stats.count() > 0;
  py::dict out;
  out["n"] = stats.count();
  out["missing"] = missing;
  out["mean"] = stats.mean();
  out["sd"] = stats.stddev();
  out["se"] = stats.standard_error();
  out["ci95_low"] = any ? interval.low : std::nan("");
  out["ci95_high"] = any ? interval.high : std::nan("");
  for (double p : quantiles.probabilities())
    out[py::str("p" + std::to_string(static_cast<int>(p * 100)))] = quantiles.quantile(p);
  out["deterministic"] = experiment::without_spread(stats);
  return out;
}

}  // namespace

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

  m.def(
      "bootstrap_interval",
      [](const std::vector<double>& values, double confidence, int resamples, std::uint64_t seed) {
        const Eigen::Map<const Eigen::VectorXd> samples(values.data(),
                                                        static_cast<Eigen::Index>(values.size()));
        const auto interval = experiment::bootstrap_interval(samples, confidence, resamples, seed);
        return std::pair{interval.low, interval.high};
      },
      py::arg("values"), py::arg("confidence") = 0.95, py::arg("resamples") = 2000,
      py::arg("seed") = 1, "Percentile bootstrap interval of the mean of `values`.");
  m.def("student_t_cdf", &experiment::student_t_cdf, py::arg("t"), py::arg("dof"),
        "Student t cumulative distribution function.");
  m.def("student_t_quantile", &experiment::student_t_quantile, py::arg("p"), py::arg("dof"),
        "Student t quantile function.");
  m.def(
      "parse_event_rule",
      [](const std::string& text) {
        const auto rule = experiment::parse_event_rule(text);
        return py::make_tuple(rule.metric->name, rule.above, rule.threshold);
      },
      py::arg("text"),
      "(metric, above, threshold) of a rule such as \"loss_usd>1e6\", as --event reads it.");
  m.def(
      "without_spread",
      [](const std::vector<double>& values) {
        experiment::RunningStats stats;
        for (double value : values) stats.add(value);
        return experiment::without_spread(stats);
      },
      py::arg("values"),
      "At least two values, all equal to within rounding (a spread below 1e-9 of their size).");
  m.def("metric_summary", &metric_summary, py::arg("values"),
        "n, missing, mean, sd, se, t interval and streaming quantiles of one metric over runs "
        "in run order (NaN = did not occur), as the CLI's per-point summaries compute them.");
}

}  // namespace deploysim::python
