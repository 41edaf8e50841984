#pragma once
// Scenario files as the GUI handles them: the bundled list, loading with readable errors, the
// classroom notes beside a scenario, and times typed by a person ("10:15").

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "spec/scenario.hpp"

namespace deploysim::gui {

/// A scenario as loaded: the merged document (variants resolved) the parameters panel edits,
/// and the validated Scenario built from it.
struct LoadedScenario {
  std::filesystem::path path;
  nlohmann::json document;
  std::shared_ptr<const spec::Scenario> scenario;
};

/// Loads and validates a file; throws input::InputError (file, JSON pointer, expectation).
LoadedScenario load_scenario_file(const std::filesystem::path& path);

/// Validates an edited document; throws input::InputError.
std::shared_ptr<const spec::Scenario> parse_document(const nlohmann::json& document,
                                                     const std::string& file);

/// The bundled scenarios (scenarios/*.json but the schema), sorted by file name.
std::vector<std::filesystem::path> bundled_scenarios();

/// The directory of bundled scenarios: $DEPLOYSIM_SCENARIOS, else the one next to the program
/// (share/deploysim/scenarios), else the source tree's.
std::filesystem::path scenario_directory();

/// Classroom notes (Markdown) for a scenario: "<stem>.info.md" beside the file, else beside the
/// base a variant extends; empty when there is none.
std::string classroom_notes(const std::filesystem::path& path);

/// Reads a time typed by a person: "10:15" or "10:15:30" (that time of day on the last day of
/// the run on which it is not past the end, or the start day if that is earlier),
/// "2012-08-01T10:15", "+45min" (from the start), or "end". nullopt for anything else.
std::optional<engine::Time> parse_time_text(const spec::Scenario& scenario,
                                            const std::string& text);

/// All problems of an error, one per line, for a dialog.
std::string error_text(const std::exception& error);

}  // namespace deploysim::gui
