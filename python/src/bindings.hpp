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

}  // namespace deploysim::python
