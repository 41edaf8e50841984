#pragma once
// Reading the load model's sections of a scenario: /load, /capacity and /autoscaling
// (docs/capacity.md). Kept apart from load.cpp so that the rollout format's reader stays as it is.

#include <functional>

#include "input/json_reader.hpp"
#include "spec/scenario.hpp"

namespace deploysim::scenario {

/// Reads /load, /capacity and /autoscaling into `scenario`, whose services, fleet and clock are
/// already read. `read_time` reads a time as the rest of the format does ("+90min", timestamps).
void parse_capacity_sections(
    input::ObjectReader& root, spec::Scenario& scenario,
    const std::function<engine::Time(const input::ValueReader&)>& read_time);

}  // namespace deploysim::scenario
