#pragma once
// Reading /changes: staged flag, configuration and content pushes, each with its own strategy,
// pre-flight gate and alerts that abort it (docs/scenario-format.md, "Changes"). Kept apart from
// load.cpp so that the deployment's reader stays as it is.

#include <functional>

#include "input/json_reader.hpp"
#include "spec/scenario.hpp"

namespace deploysim::scenario {

/// Reads /changes into `scenario`, whose services, fleet, flags and monitoring are already read.
/// `read_time` reads a time within the run as the rest of the format does ("+90min",
/// timestamps).
void parse_changes(input::ObjectReader& root, spec::Scenario& scenario,
                   const std::function<engine::Time(const input::ValueReader&)>& read_time);

}  // namespace deploysim::scenario
