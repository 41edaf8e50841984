#pragma once
// Reading scenarios: JSON file -> overrides (--set) -> typed, cross-checked Scenario.
// Every problem is an InputError naming the file and the JSON pointer.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "input/input_error.hpp"
#include "spec/scenario.hpp"

namespace deploysim::scenario {

/// Loads, overrides and validates a scenario file. A file with "extends" is a variant: its base
/// (a path relative to it) with the values under "set" changed (see set_value), its own name
/// and description, and its "sources" added to the base's. `overrides` are "path=value"
/// assignments (see apply_override), applied after the variant's. Problems name `path` as
/// given, also for problems found in a base file's values after the merge; a base that is
/// missing is reported at the variant's /extends, a malformed one under its own name.
spec::Scenario load_scenario(const std::filesystem::path& path,
                             const std::vector<std::string>& overrides = {});

/// load_scenario() of a document already read from `path`: standard input ("-") is read once,
/// and a variant's base is then found relative to the current directory.
spec::Scenario load_scenario_document(nlohmann::json document, const std::filesystem::path& path,
                                      const std::vector<std::string>& overrides = {});

/// Validates a scenario document already in memory; `file` labels errors.
spec::Scenario parse_scenario(const nlohmann::json& document, const std::string& file);

/// Applies "deployment.strategy.batch_size=5" to a document: the path is dot-separated keys
/// (array elements by index: "timeline.0.at"); the value is read as JSON when it parses as JSON
/// ("5", "true", "[1,2]", "{\"skip\": \"smars-8\"}") and as a string otherwise ("30s", "rolling").
/// Intermediate keys must exist (typos are reported with a "did you mean"); the last key may be
/// new, and the scenario's own validation then decides whether it is allowed.
void apply_override(nlohmann::json& document, std::string_view assignment, const std::string& file);

/// Sets the value at a dot-separated `path` (see apply_override); `label` names the change in
/// errors ("--set a.b=1", "set \"a.b\"").
void set_value(nlohmann::json& document, const std::string& path, nlohmann::json value,
               const std::string& label, const std::string& file);

}  // namespace deploysim::scenario
