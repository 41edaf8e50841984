#pragma once
// Writing a check's findings for people and for CI systems: text (gcc-style lines), JSON
// (versioned), SARIF 2.1.0, JUnit XML and GitHub Actions workflow commands.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "check/rules.hpp"
#include "input/input_error.hpp"

namespace deploysim::check {

/// The output formats.
enum class Format { text, json, sarif, junit, github };

/// The format named "text", "json", "sarif", "junit" or "github", or nothing.
std::optional<Format> parse_format(std::string_view name);
/// Every format name, for help and errors.
const std::vector<std::string>& format_names();

/// What a report needs besides the findings.
struct ReportContext {
  /// The exit code of the run, recorded in SARIF invocations.
  int exit_code = 0;
  /// Input problems that stopped a file from being checked (JUnit <error>, SARIF notifications).
  std::vector<input::InputProblem> input_problems;
  /// ANSI colours in text output (only on a terminal).
  bool colour = false;
};

/// Version of the JSON report's shape; fields are only ever added.
inline constexpr int kJsonReportVersion = 1;

/// Writes `result` in `format` to `out`. Suppressed findings are shown as such, never dropped.
void write_report(std::ostream& out, Format format, const CheckResult& result,
                  const ReportContext& context);

/// `file:line:col: severity: message [ID name]`, the text format's line for one finding.
std::string text_line(const Finding& finding);

}  // namespace deploysim::check
