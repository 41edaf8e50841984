// The long-horizon delivery models: the release pipeline with its DORA metrics, and
// configuration drift against its analytic chain. Configurations come from JSON documents
// (delivery/config.hpp), so that bad values raise ScenarioError with a JSON pointer; results go
// back through the same to_json the CLI prints.

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "delivery/config.hpp"
#include "delivery/defect_cost.hpp"
#include "delivery/dora.hpp"
#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/report.hpp"
#include "interrupt.hpp"
#include "json_cast.hpp"
#include "scenario/load.hpp"

namespace deploysim::python {

namespace {

using delivery::DriftConfig;
using delivery::PipelineConfig;

void check_counts(std::int64_t replicas, int threads) {
  if (replicas < 1) throw py::value_error("replicas must be at least 1");
  if (threads < 1) throw py::value_error("threads must be at least 1");
}

py::dict pipeline_replicas(const PipelineConfig& config, std::int64_t replicas, int threads,
                           std::uint64_t base_seed) {
  check_counts(replicas, threads);
  const auto report = run_interruptible([&](const std::atomic<bool>& stop) {
    return delivery::run_pipeline_report(config, replicas, threads, base_seed, &stop);
  });
  py::dict out;
  out["replicas"] = to_python(nlohmann::json(report.runs));
  out["first_replica"] = to_python(nlohmann::json(report.first));
  // What `deploysim pipeline --json` prints, from the same function.
  out["report"] = to_python(delivery::to_json(report));
  return out;
}

py::dict drift_experiment(const DriftConfig& config, std::int64_t replicas, int threads,
                          std::uint64_t base_seed) {
  check_counts(replicas, threads);
  const auto report = run_interruptible([&](const std::atomic<bool>& stop) {
    return delivery::run_drift_report(config, replicas, threads, base_seed, &stop);
  });
  const auto& e = report.experiment;
  py::dict out;
  out["steady_drifted_fraction_mean"] = e.steady_drifted_fraction.mean();
  out["steady_drifted_fraction_stddev"] = e.steady_drifted_fraction.stddev();
  out["ci95"] = py::make_tuple(e.ci95.low, e.ci95.high);
  out["mean_time_in_drift_share"] = e.time_in_drift_share.mean();
  out["max_time_in_drift_share"] = e.time_in_drift_share.max();
  out["deploy_incidents_per_run"] = e.deploy_incidents_per_run;
  out["events_processed"] = e.events_processed;
  out["mean_series"] = to_python(nlohmann::json(e.mean_series));
  out["first_replica"] = to_python(nlohmann::json(report.first));
  // What `deploysim drift --json` prints, from the same function.
  out["report"] = to_python(delivery::to_json(report));
  return out;
}

}  // namespace

void bind_delivery(py::module_& m) {
  py::class_<PipelineConfig>(m, "PipelineConfig",
                             "A validated release pipeline (docs/delivery.md lists its keys).")
      .def_static(
          "from_dict",
          [](const py::dict& document, const std::string& file,
             const std::filesystem::path& base_dir) {
            return delivery::pipeline_config_from_json(to_json(document), file, base_dir);
          },
          py::arg("document"), py::arg("file") = "<memory>",
          py::arg("base_dir") = std::filesystem::path{},
          "Reads a pipeline document; absent keys keep default_pipeline()'s values.")
      .def_static("load", &delivery::load_pipeline_config, py::arg("path"),
                  py::arg("overrides") = std::vector<std::string>{},
                  "Loads a pipeline file and applies \"key=value\" overrides as --set does.")
      .def(
          "to_dict", [](const PipelineConfig& self) { return to_python(nlohmann::json(self)); },
          "Every key, defaults included; from_dict reads it back.");

  py::class_<DriftConfig>(m, "DriftConfig", "A validated drift experiment (docs/delivery.md).")
      .def_static(
          "from_dict",
          [](const py::dict& document, const std::string& file) {
            return delivery::drift_config_from_json(to_json(document), file);
          },
          py::arg("document"), py::arg("file") = "<memory>",
          "Reads a drift document; absent keys keep DriftConfig's defaults.")
      .def_static("load", &delivery::load_drift_config, py::arg("path"),
                  py::arg("overrides") = std::vector<std::string>{},
                  "Loads a drift file and applies \"key=value\" overrides as --set does.")
      .def(
          "to_dict", [](const DriftConfig& self) { return to_python(nlohmann::json(self)); },
          "Every key, defaults included; from_dict reads it back.");

  m.def(
      "default_pipeline", [] { return to_python(nlohmann::json(delivery::default_pipeline())); },
      "The default pipeline as a document.");
  m.def(
      "simulate_pipeline",
      [](const PipelineConfig& config, std::uint64_t seed) {
        return to_python(run_interruptible([&](const std::atomic<bool>& stop) {
          return nlohmann::json(delivery::simulate_pipeline(config, seed, &stop));
        }));
      },
      py::arg("config"), py::arg("seed"),
      "One run: summary figures, dora, dora_2024, days and incident_log.");
  m.def("run_pipeline_replicas", &pipeline_replicas, py::arg("config"), py::arg("replicas"),
        py::arg("threads"), py::arg("base_seed"),
        "Replicas on replica_seed(base_seed, i): their figures in replica order, replica 0 "
        "in full, and the report of `deploysim pipeline --json`.");
  m.def(
      "simulate_drift",
      [](const DriftConfig& config, std::uint64_t seed) {
        return to_python(run_interruptible([&](const std::atomic<bool>& stop) {
          return nlohmann::json(delivery::simulate_drift(config, seed, &stop));
        }));
      },
      py::arg("config"), py::arg("seed"),
      "One drift run: figures, series, per-host time, incidents.");
  m.def(
      "analyze_drift",
      [](const DriftConfig& config) {
        return to_python(nlohmann::json(delivery::analyze_drift(config)));
      },
      py::arg("config"), "The CTMC and exact renewal-reward drifted fractions.");
  m.def("run_drift_experiment", &drift_experiment, py::arg("config"), py::arg("replicas"),
        py::arg("threads"), py::arg("base_seed"),
        "Replicas on replica_seed(base_seed, i): steady drifted fraction and its CI, the mean "
        "series, replica 0 in full, and the report of `deploysim drift --json`.");
  m.def(
      "expected_cost_per_defect",
      [](const std::vector<std::pair<double, double>>& stages, double escape_cost_usd) {
        std::vector<delivery::CostStage> in;
        for (const auto& [p, cost] : stages) {
          if (!(p >= 0.0 && p <= 1.0))
            throw py::value_error("catch probabilities must be in [0, 1]");
          in.push_back({p, cost});
        }
        return delivery::expected_cost_per_defect(in, escape_cost_usd);
      },
      py::arg("stages"), py::arg("escape_cost_usd"),
      "Expected cost per defect of stages [(catch_probability, cost_usd), ...] in order, then "
      "production at escape_cost_usd.");
  m.def("expected_latent_incidents", &delivery::expected_latent_incidents, py::arg("ship_per_day"),
        py::arg("wake_per_day"), py::arg("cleanup_per_day"), py::arg("horizon_days"),
        "Expected latent-defect incidents over the horizon (Poisson shipping, exponential wake "
        "and clean-up).");
  m.def("expected_latent_pool", &delivery::expected_latent_pool, py::arg("ship_per_day"),
        py::arg("wake_per_day"), py::arg("cleanup_per_day"), py::arg("horizon_days"),
        "Expected pool of latent defects at the horizon.");
  m.def(
      "working_time_done_s",
      [](double start_h, double end_h, bool weekends, double from_s, double work_s) {
        if (!(start_h >= 0.0 && end_h <= 24.0 && start_h < end_h))
          throw py::value_error("working hours must open: 0 <= start < end <= 24");
        delivery::WorkingHours hours{
            engine::Duration::milliseconds(std::llround(start_h * 3'600'000.0)),
            engine::Duration::milliseconds(std::llround(end_h * 3'600'000.0)), weekends};
        return delivery::working_time_done_s(hours, from_s, work_s);
      },
      py::arg("start_h"), py::arg("end_h"), py::arg("weekends"), py::arg("from_s"),
      py::arg("work_s"),
      "When work_s seconds of working time have passed since from_s (time 0: a Monday 00:00).");
  m.def(
      "classify_dora",
      [](const py::dict& metrics) {
        const auto j = to_json(metrics);
        delivery::DoraMetrics metrics_in;
        // Absent or null metrics are NaN, which classify_dora treats as unknown.
        auto number = [&j](const char* key) {
          return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
        };
        metrics_in.deploys_per_day = number("deploys_per_day");
        metrics_in.lead_time_median_s = number("lead_time_median_s");
        metrics_in.change_fail_rate = number("change_fail_rate");
        metrics_in.recovery_median_s = number("recovery_median_s");
        return to_python(nlohmann::json(delivery::classify_dora(metrics_in)));
      },
      py::arg("metrics"),
      "The DORA 2024 cluster of each metric and overall, from deploys_per_day, "
      "lead_time_median_s, change_fail_rate and recovery_median_s.");
  m.def(
      "set_values",
      [](const py::dict& document, const py::dict& values, const std::string& file) {
        nlohmann::json changed = to_json(document);
        for (const auto& [path, value] : values) {
          const auto key = py::str(path).cast<std::string>();
          scenario::set_value(changed, key, to_json(value), "set \"" + key + "\"", file);
        }
        return to_python(changed);
      },
      py::arg("document"), py::arg("values"), py::arg("file") = "<memory>",
      "A copy of a document with values changed by dotted path, as --set does.");
}

}  // namespace deploysim::python
