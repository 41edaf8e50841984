#pragma once
// Reading the run-time parts of a scenario that other sections carry: a dependency's call
// fraction and timeout, a service's cold restart and retry surge (docs/dependencies.md), how
// many hosts a halt or remove takes, and the gate on such commands (docs/commands.md). Kept apart
// from load.cpp, which calls these where the keys sit.

#include <cstdint>
#include <optional>
#include <vector>

#include "input/json_reader.hpp"
#include "spec/scenario.hpp"

namespace deploysim::scenario {

/// One entry of /services/<name>/depends_on: either the array of compatible versions, or an
/// object {"versions": [...], "call_fraction": 0.5, "timeout": "2s"}. Reads the run-time keys
/// into `dependency` and returns the version names, for the caller to check.
std::vector<input::ValueReader> read_dependency(const input::ValueReader& value,
                                                spec::Dependency& dependency);

/// cold_restart, retry_surge and retry_surge_for of a service.
void read_service_runtime(input::ObjectReader& object, spec::Service& service);

/// "hosts" of a halt or remove: a count ("3" or 3) or a percentage ("25%") of `group`, which
/// must then be named and hold at least that many hosts. `action` is the action's name.
std::optional<spec::CountOrPercent> read_command_hosts(input::ObjectReader& object,
                                                       const spec::Scenario& scenario,
                                                       const std::string& group,
                                                       spec::ActionKind action);

/// /automation/command_gate: {"min_hosts": {"web": 10}, "max_percent": 25}.
spec::CommandGate read_command_gate(const input::ValueReader& value,
                                    const spec::Scenario& scenario);

}  // namespace deploysim::scenario
