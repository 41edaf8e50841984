// Automation ROI: the xkcd 1205 table (delivery/xkcd.hpp) and the deployment case
// (delivery/roi.hpp), with the loss per deploy optionally estimated by Monte Carlo.

#include "delivery/roi.hpp"

#include <pybind11/stl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "columns.hpp"
#include "delivery/config.hpp"
#include "delivery/report.hpp"
#include "delivery/xkcd.hpp"
#include "engine/time.hpp"
#include "interrupt.hpp"
#include "json_cast.hpp"
#include "spec/scenario.hpp"

namespace deploysim::python {

namespace {

using ScenarioPtr = std::shared_ptr<const spec::Scenario>;

const char* grey_name(delivery::XkcdGrey grey) {
  switch (grey) {
    case delivery::XkcdGrey::no:
      return "no";
    case delivery::XkcdGrey::impossible:
      return "impossible";
    case delivery::XkcdGrey::comic_only:
      return "comic_only";
  }
  return "no";
}

// One row per cell, rows of the comic top to bottom and columns left to right (the order of
// `deploysim roi --xkcd --json`).
py::dict xkcd_cells() {
  std::vector<std::string> saving, frequency, grey, unit;
  std::vector<double> seconds_saved, runs_per_year, break_even, exact_in_comic_unit;
  std::vector<bool> rounds_lower;
  py::list formula, comic;
  for (std::size_t r = 0; r < delivery::xkcd_savings().size(); ++r) {
    for (std::size_t c = 0; c < delivery::xkcd_frequencies().size(); ++c) {
      const auto cell = delivery::xkcd_cell(r, c);
      const bool drawn = cell.grey == delivery::XkcdGrey::no;
      saving.emplace_back(cell.saving.label);
      frequency.emplace_back(cell.frequency.label);
      seconds_saved.push_back(cell.saving.seconds);
      runs_per_year.push_back(cell.frequency.per_year);
      break_even.push_back(cell.exact_seconds);
      grey.emplace_back(grey_name(cell.grey));
      formula.append(drawn ? py::object(py::str(cell.formula.text())) : py::object(py::none()));
      comic.append(cell.comic.empty() ? py::object(py::none())
                                      : py::object(py::str(std::string(cell.comic))));
      rounds_lower.push_back(cell.comic_rounds_lower);
      exact_in_comic_unit.push_back(cell.exact_in_comic_unit);
      unit.emplace_back(drawn ? delivery::unit_name(cell.formula.unit, true) : "");
    }
  }
  py::dict columns;
  columns["saving"] = py::cast(saving);
  columns["frequency"] = py::cast(frequency);
  columns["seconds_saved"] = to_array(std::move(seconds_saved));
  columns["runs_per_year"] = to_array(std::move(runs_per_year));
  columns["break_even_s"] = to_array(std::move(break_even));
  columns["grey"] = py::cast(grey);
  columns["formula"] = formula;
  columns["formula_unit"] = py::cast(unit);
  columns["comic"] = comic;
  columns["comic_rounds_lower"] = py::cast(rounds_lower);
  columns["exact_in_comic_unit"] = to_array(std::move(exact_in_comic_unit));
  return columns;
}

py::dict compute(const delivery::RoiInputs& inputs) {
  const auto result = delivery::compute_roi(inputs);
  // The figures as the core writes them (delivery/config.hpp); the series as numpy columns.
  nlohmann::json figures = result;
  figures.erase("series");
  auto out = to_python(figures).cast<py::dict>();
  std::vector<double> period, deploys, manual, automated;
  for (const auto& p : result.series) {
    period.push_back(p.period);
    deploys.push_back(p.deploys);
    manual.push_back(p.manual_usd);
    automated.push_back(p.automated_usd);
  }
  py::dict series;
  series["period"] = to_array(std::move(period));
  series["deploys"] = to_array(std::move(deploys));
  series["manual_cost_usd"] = to_array(std::move(manual));
  series["automated_cost_usd"] = to_array(std::move(automated));
  out["series"] = series;
  return out;
}

py::dict loss_dict(const delivery::LossEstimate& estimate) {
  py::dict d;
  d["mean"] = estimate.loss_usd.mean();
  d["stddev"] = estimate.loss_usd.stddev();
  d["count"] = estimate.loss_usd.count();
  d["ci95"] = py::make_tuple(estimate.ci95.low, estimate.ci95.high);
  return d;
}

py::tuple losses(const ScenarioPtr& manual, const ScenarioPtr& automated, std::int64_t replicas,
                 int threads, std::uint64_t base_seed) {
  if (replicas < 1) throw py::value_error("replicas must be at least 1");
  if (threads < 1) throw py::value_error("threads must be at least 1");
  const auto estimates = run_interruptible([&](const std::atomic<bool>& stop) {
    return delivery::estimate_losses(*manual, *automated, replicas, threads, base_seed, &stop);
  });
  return py::make_tuple(loss_dict(estimates.first), loss_dict(estimates.second));
}

// The case as `deploysim roi` reports it: the summary from the core's to_json, the series as
// columns; with both scenarios, the losses are estimated first.
py::dict report(const delivery::RoiInputs& inputs, const std::string& period,
                const py::object& manual, const py::object& automated, std::int64_t replicas,
                int threads, std::uint64_t base_seed) {
  std::optional<std::pair<delivery::LossEstimate, delivery::LossEstimate>> estimates;
  if (!manual.is_none() && !automated.is_none()) {
    if (replicas < 1) throw py::value_error("replicas must be at least 1");
    if (threads < 1) throw py::value_error("threads must be at least 1");
    const auto m = manual.cast<ScenarioPtr>();
    const auto a = automated.cast<ScenarioPtr>();
    estimates = run_interruptible([&](const std::atomic<bool>& stop) {
      return delivery::estimate_losses(*m, *a, replicas, threads, base_seed, &stop);
    });
  }
  const auto r = delivery::roi_report(period, inputs, std::move(estimates), replicas);
  py::dict out = compute(r.inputs);
  out["summary"] = to_python(delivery::to_json(r));
  return out;
}

}  // namespace

void bind_roi(py::module_& m) {
  using delivery::RoiInputs;
  py::class_<RoiInputs>(
      m, "RoiInputs", "The deployment case: money in USD, effort in person-hours, time in periods.")
      .def(py::init<>())
      .def_readwrite("build_hours", &RoiInputs::build_hours)
      .def_readwrite("maintenance_hours_per_period", &RoiInputs::maintenance_hours_per_period)
      .def_readwrite("hourly_rate_usd", &RoiInputs::hourly_rate_usd)
      .def_readwrite("manual_hours_per_deploy", &RoiInputs::manual_hours_per_deploy)
      .def_readwrite("automated_hours_per_deploy", &RoiInputs::automated_hours_per_deploy)
      .def_readwrite("deploys_per_period", &RoiInputs::deploys_per_period)
      .def_readwrite("horizon_periods", &RoiInputs::horizon_periods)
      .def_readwrite("manual_loss_per_deploy_usd", &RoiInputs::manual_loss_per_deploy_usd)
      .def_readwrite("automated_loss_per_deploy_usd", &RoiInputs::automated_loss_per_deploy_usd);
  m.def(
      "roi_inputs_from_dict",
      [](const py::dict& document, const std::string& file) {
        return delivery::roi_inputs_from_json(to_json(document), file);
      },
      py::arg("document"), py::arg("file") = "<memory>",
      "Reads the deployment case from its JSON form (keys: the fields of RoiInputs); bad values "
      "raise ScenarioError with their pointer.");
  m.def("xkcd_cells", &xkcd_cells, "The xkcd 1205 table as columns, one row per cell.");
  m.def("compute_roi", &compute, py::arg("inputs"),
        "Cumulative costs and break-even of the deployment case; ValueError names a bad input.");
  m.def("roi_report", &report, py::arg("inputs"), py::arg("period"), py::arg("manual") = py::none(),
        py::arg("automated") = py::none(), py::arg("replicas") = 0, py::arg("threads") = 1,
        py::arg("base_seed") = 0,
        "The deployment case as `deploysim roi --json` reports it (\"summary\") with its "
        "series; with both scenarios, the losses per deploy are estimated from them first.");
  m.def("estimate_losses", &losses, py::arg("manual"), py::arg("automated"), py::arg("replicas"),
        py::arg("threads"), py::arg("base_seed"),
        "Mean loss_usd (and its 95% CI) of each scenario over the same replica seeds.");
  m.def("period_days", &delivery::period_days, py::arg("name"),
        "Days in a day, week, month, quarter or year.");
  m.def("parse_span_days", &delivery::parse_span_days, py::arg("text"),
        "\"2y\", \"18mo\", \"26w\", \"90d\" in days.");
  m.def(
      "parse_duration_s",
      [](const std::string& text) { return engine::parse_duration(text).to_seconds(); },
      py::arg("text"), "\"30s\", \"5min\", \"2h\", \"1d\" in seconds.");
}

}  // namespace deploysim::python
