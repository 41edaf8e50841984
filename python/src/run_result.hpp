#pragma once
// The result of one run as Python holds it (deploysim._core.Result): shared by the binding files
// that produce one (a run, a counterexample's replay).

#include <memory>
#include <optional>
#include <vector>

#include "engine/trace.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"

namespace deploysim::python {

/// A run's result with the scenario it came from (for clock times) and, if asked, every record.
struct RunResult {
  simulation::Result result;
  std::shared_ptr<const spec::Scenario> scenario;
  std::optional<std::vector<engine::TraceRecord>> trace;
};

}  // namespace deploysim::python
