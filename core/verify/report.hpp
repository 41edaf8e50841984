#pragma once
// Writing a verification report for people and for CI systems: text, JSON (Report::to_json),
// SARIF 2.1.0 (one result per broken property, at the scenario file) and JUnit XML (one test case
// per property), so that a pipeline that changes a rollout plan can gate on it.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "verify/search.hpp"

namespace deploysim::verify {

enum class Format { text, json, sarif, junit };

/// The format named "text", "json", "sarif" or "junit", or nothing.
std::optional<Format> parse_format(std::string_view name);
const std::vector<std::string>& format_names();

/// Writes `report` about `scenario_file` (as the user named it) in `format`.
void write_report(std::ostream& out, Format format, const Report& report,
                  const std::string& scenario_file);

}  // namespace deploysim::verify
