#pragma once
// The topics of deploysim._core, one binding file each (module.cpp calls them in order).

#include <pybind11/pybind11.h>

namespace deploysim::python {

namespace py = pybind11;

/// InputError -> deploysim.ScenarioError (a ValueError carrying the problems).
void bind_errors(py::module_& m);
/// Scenario: load, from_dict, from_json, to_dict, with_values.
void bind_scenario(py::module_& m);
/// Simulation (step, run_until, run) and Result (summary, time series, story, trace).
void bind_simulation(py::module_& m);
/// Monte Carlo, sweeps over grids and paired comparisons (experiment/sweep.hpp).
void bind_experiment(py::module_& m);
/// Replica seeds, metric names, scenario hashes and confidence intervals.
void bind_statistics(py::module_& m);
/// The checker: findings of a manifest (and inventory) as the JSON reporter writes them.
void bind_check(py::module_& m);
/// Automation ROI: the xkcd 1205 table and the deployment case.
void bind_roi(py::module_& m);
/// The release pipeline (DORA metrics) and configuration drift, configured by JSON documents.
void bind_delivery(py::module_& m);
/// Fault-schedule search over a rollout plan, and a counterexample's replay (verify/search.hpp).
void bind_verify(py::module_& m);

}  // namespace deploysim::python
