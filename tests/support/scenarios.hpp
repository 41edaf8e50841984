#pragma once
// Scenarios for tests: from JSON text written in the test, or from the bundled scenarios/.

#include <filesystem>
#include <string>

#include "input/json_reader.hpp"
#include "scenario/load.hpp"

namespace deploysim::testing {

/// A scenario from JSON text; errors name the file "test.json".
inline spec::Scenario scenario_from_json(const std::string& text) {
  return scenario::parse_scenario(input::parse_json_text(text, "test.json"), "test.json");
}

/// A bundled scenario file, e.g. "knight_capital_2012.json".
inline std::filesystem::path bundled_scenario(const std::string& name) {
  return std::filesystem::path(DEPLOYSIM_SOURCE_DIR) / "scenarios" / name;
}

}  // namespace deploysim::testing
