#include "check/report.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "input/utf8.hpp"

namespace deploysim::check {
namespace {

using nlohmann::json;

struct Counts {
  std::size_t error = 0;
  std::size_t warning = 0;
  std::size_t note = 0;
  std::size_t suppressed = 0;
};

Counts count(const CheckResult& result) {
  Counts counts;
  for (const auto& finding : result.findings) {
    if (finding.suppression) {
      ++counts.suppressed;
    } else if (finding.severity == Severity::error) {
      ++counts.error;
    } else if (finding.severity == Severity::warning) {
      ++counts.warning;
    } else {
      ++counts.note;
    }
  }
  return counts;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string place(const Location& location) {
  std::string text = location.file;
  if (location.range.start.line > 0) {
    text += ":" + std::to_string(location.range.start.line) + ":" +
            std::to_string(location.range.start.column);
  }
  return text;
}

void write_text(std::ostream& out, const CheckResult& result, const ReportContext& context) {
  for (const auto& problem : context.input_problems) out << "error: " << problem.message() << '\n';
  for (const auto& finding : result.findings) {
    std::string line = text_line(finding);
    if (context.colour) {
      const char* colour = finding.suppression                     ? "\x1b[2m"
                           : finding.severity == Severity::error   ? "\x1b[1;31m"
                           : finding.severity == Severity::warning ? "\x1b[1;33m"
                                                                   : "\x1b[1;36m";
      line = colour + line + "\x1b[0m";
    }
    out << line << '\n';
    for (const auto& related : finding.related) {
      out << "    " << place(related) << ": " << related.message << '\n';
    }
  }
  const Counts counts = count(result);
  out << plural(counts.error, "error") << ", " << plural(counts.warning, "warning") << ", "
      << plural(counts.note, "note");
  if (counts.suppressed > 0) out << " (" << counts.suppressed << " suppressed)";
  out << " in " << plural(result.files.size(), "file") << ", "
      << plural(result.hosts_checked, "host") << '\n';
}

json location_json(const Location& location) {
  json out = {{"file", location.file}, {"pointer", location.pointer}};
  if (location.range.start.line > 0) {
    out["line"] = location.range.start.line;
    out["column"] = location.range.start.column;
    out["end_line"] = location.range.end.line;
    out["end_column"] = location.range.end.column;
  }
  if (!location.logical.empty()) out["logical"] = location.logical;
  if (!location.message.empty()) out["message"] = location.message;
  return out;
}

void write_json(std::ostream& out, const CheckResult& result, const ReportContext& context) {
  const Counts counts = count(result);
  json report = {{"format_version", kJsonReportVersion},
                 {"tool", {{"name", "deploysim"}, {"version", DEPLOYSIM_VERSION}}},
                 {"files", result.files},
                 {"exit_code", context.exit_code},
                 {"summary",
                  {{"errors", counts.error},
                   {"warnings", counts.warning},
                   {"notes", counts.note},
                   {"suppressed", counts.suppressed},
                   {"hosts_checked", result.hosts_checked}}}};
  json rules = json::array();
  for (const RuleInfo* rule : result.rules) {
    rules.push_back({{"id", rule->id},
                     {"name", rule->name},
                     {"default_severity", severity_name(rule->severity)},
                     {"summary", rule->summary},
                     {"doc", rule_doc_path(*rule)}});
  }
  report["rules"] = std::move(rules);
  json findings = json::array();
  for (const auto& finding : result.findings) {
    json item = {{"rule_id", finding.rule->id},
                 {"rule_name", finding.rule->name},
                 {"severity", severity_name(finding.severity)},
                 {"message", finding.message},
                 {"location", location_json(finding.location)},
                 {"entity", finding.entity},
                 {"fingerprint", finding.fingerprint()},
                 {"suppressed", finding.suppression.has_value()}};
    json related = json::array();
    for (const auto& r : finding.related) related.push_back(location_json(r));
    item["related"] = std::move(related);
    if (finding.suppression) {
      item["suppression"] = {{"kind", finding.suppression_kind}, {"reason", *finding.suppression}};
    }
    findings.push_back(std::move(item));
  }
  report["findings"] = std::move(findings);
  json errors = json::array();
  for (const auto& problem : context.input_problems) {
    errors.push_back(
        {{"file", problem.file}, {"pointer", problem.pointer}, {"message", problem.message()}});
  }
  report["errors"] = std::move(errors);
  out << input::dump_json(report, 2) << '\n';
}

// A relative URI reference for a path: unreserved characters and "/" kept, the rest
// percent-encoded, so that names with spaces still make a valid SARIF artifactLocation.
std::string path_uri(const std::string& path) {
  std::string out;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += c;
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", byte);
      out += escaped;
    }
  }
  return out;
}

json sarif_physical(const Location& location) {
  json physical = {
      {"artifactLocation", {{"uri", path_uri(location.file == "-" ? "stdin" : location.file)}}}};
  if (location.range.start.line > 0) {
    physical["region"] = {{"startLine", location.range.start.line},
                          {"startColumn", location.range.start.column},
                          {"endLine", location.range.end.line},
                          {"endColumn", location.range.end.column}};
  }
  return physical;
}

std::string_view sarif_level(Severity severity) {
  return severity_name(severity);
}

void write_sarif(std::ostream& out, const CheckResult& result, const ReportContext& context) {
  const auto& catalogue = rule_catalogue();
  json rules = json::array();
  for (const auto& rule : catalogue) {
    const std::string help = std::string(rule.fix) + " See " + rule_doc_path(rule) + ".";
    rules.push_back({{"id", rule.id},
                     {"name", rule.name},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"fullDescription", {{"text", rule.description}}},
                     {"help", {{"text", help}, {"markdown", help}}},
                     {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}},
                     {"properties", {{"tags", {rule.tag}}, {"precision", "very-high"}}}});
  }
  json results = json::array();
  for (const auto& finding : result.findings) {
    const auto index = static_cast<std::size_t>(finding.rule - catalogue.data());
    json location = {{"physicalLocation", sarif_physical(finding.location)}};
    json logical = json::array();
    if (!finding.location.logical.empty()) {
      logical.push_back({{"fullyQualifiedName", finding.location.logical}, {"kind", "member"}});
    }
    logical.push_back(
        {{"fullyQualifiedName",
          finding.location.pointer.empty() ? std::string("/") : finding.location.pointer},
         {"kind", "element"}});
    location["logicalLocations"] = std::move(logical);
    json item = {{"ruleId", finding.rule->id},
                 {"ruleIndex", index},
                 {"level", sarif_level(finding.severity)},
                 {"kind", "fail"},
                 {"message", {{"text", finding.message}}},
                 {"locations", json::array({location})},
                 {"partialFingerprints", {{"deploysimEntity/v1", finding.fingerprint()}}}};
    if (!finding.related.empty()) {
      json related = json::array();
      int id = 1;
      for (const auto& r : finding.related) {
        related.push_back({{"id", id++},
                           {"physicalLocation", sarif_physical(r)},
                           {"message", {{"text", r.message.empty() ? r.pointer : r.message}}}});
      }
      item["relatedLocations"] = std::move(related);
    }
    if (finding.suppression) {
      item["suppressions"] = json::array({{{"kind", finding.suppression_kind},
                                           {"status", "accepted"},
                                           {"justification", *finding.suppression}}});
    }
    results.push_back(std::move(item));
  }
  json invocation = {{"executionSuccessful", context.input_problems.empty()},
                     {"exitCode", context.exit_code}};
  if (!context.input_problems.empty()) {
    json notifications = json::array();
    for (const auto& problem : context.input_problems) {
      json n = {{"level", "error"}, {"message", {{"text", problem.message()}}}};
      if (!problem.file.empty()) {
        json physical = {{"artifactLocation", {{"uri", path_uri(problem.file)}}}};
        if (problem.line > 0) {
          physical["region"] = {{"startLine", problem.line},
                                {"startColumn", std::max(problem.column, 1)}};
        }
        n["locations"] = json::array({{{"physicalLocation", physical}}});
      }
      notifications.push_back(std::move(n));
    }
    invocation["toolExecutionNotifications"] = std::move(notifications);
  }
  json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool",
                                      {{"driver",
                                        {{"name", "deploysim"},
                                         {"semanticVersion", DEPLOYSIM_VERSION},
                                         {"rules", std::move(rules)}}}}},
                                     {"columnKind", "unicodeCodePoints"},
                                     {"invocations", json::array({invocation})},
                                     {"results", std::move(results)}}})}};
  out << input::dump_json(log, 2) << '\n';
}

void write_junit(std::ostream& out, const CheckResult& result, const ReportContext& context) {
  std::map<const RuleInfo*, std::vector<const Finding*>> by_rule;
  for (const auto& finding : result.findings) by_rule[finding.rule].push_back(&finding);
  const std::string manifest = result.files.empty() ? std::string("-") : result.files.front();
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t skipped = 0;
  std::string body;
  for (const RuleInfo* rule : result.rules) {
    const auto found = by_rule.find(rule);
    std::size_t suite_failures = 0;
    std::size_t suite_skipped = 0;
    std::string cases;
    const std::string classname = "deploysim." + std::string(rule->id);
    if (found == by_rule.end()) {
      // A passing case per rule, so that a clean run is not an empty report.
      cases += "    <testcase classname=\"" + classname + "\" name=\"" +
               input::xml_escape(manifest) + "\" file=\"" + input::xml_escape(manifest) +
               "\" time=\"0\"/>\n";
      ++tests;
    } else {
      for (const Finding* finding : found->second) {
        ++tests;
        cases += "    <testcase classname=\"" + classname + "\" name=\"" +
                 input::xml_escape(finding->location.file + "#" + finding->entity) + "\" file=\"" +
                 input::xml_escape(finding->location.file) + "\" time=\"0\">\n";
        if (finding->suppression) {
          ++suite_skipped;
          cases += "      <skipped message=\"" +
                   input::xml_escape("suppressed: " + *finding->suppression) + "\"/>\n";
        } else {
          ++suite_failures;
          cases += "      <failure type=\"" + std::string(severity_name(finding->severity)) +
                   "\" message=\"" + input::xml_escape(finding->message) + "\">" +
                   input::xml_escape(place(finding->location) + " " + finding->location.pointer +
                                     "\n" + text_line(*finding)) +
                   "</failure>\n";
        }
        cases += "    </testcase>\n";
      }
    }
    failures += suite_failures;
    skipped += suite_skipped;
    const std::size_t suite_tests = found == by_rule.end() ? 1 : found->second.size();
    body += "  <testsuite name=\"" +
            input::xml_escape(std::string(rule->id) + " " + std::string(rule->name)) +
            "\" tests=\"" + std::to_string(suite_tests) + "\" failures=\"" +
            std::to_string(suite_failures) + "\" errors=\"0\" skipped=\"" +
            std::to_string(suite_skipped) + "\" time=\"0\">\n" + cases + "  </testsuite>\n";
  }
  const std::size_t errors = context.input_problems.size();
  if (errors > 0) {
    body += "  <testsuite name=\"deploysim input\" tests=\"" + std::to_string(errors) +
            "\" failures=\"0\" errors=\"" + std::to_string(errors) +
            "\" skipped=\"0\" time=\"0\">\n";
    for (const auto& problem : context.input_problems) {
      body += "    <testcase classname=\"deploysim.input\" name=\"" +
              input::xml_escape(problem.file + "#" + problem.pointer) + "\" file=\"" +
              input::xml_escape(problem.file) +
              "\" time=\"0\">\n      <error type=\"input\" message=\"" +
              input::xml_escape(problem.message()) + "\">" + input::xml_escape(problem.message()) +
              "</error>\n    </testcase>\n";
    }
    body += "  </testsuite>\n";
    tests += errors;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"deploysim check\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"0\">\n"
      << body << "</testsuites>\n";
}

// Workflow command escaping (actions/toolkit command.ts): data escapes %, CR, LF; property
// values also ':' and ','.
std::string github_data(std::string_view text) {
  std::string out;
  for (const char c : input::to_valid_utf8(text)) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string github_property(std::string_view text) {
  std::string out;
  for (const char c : github_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

void write_github(std::ostream& out, const CheckResult& result, const ReportContext& context) {
  for (const auto& problem : context.input_problems) {
    out << "::error file=" << github_property(problem.file);
    if (problem.line > 0) out << ",line=" << problem.line << ",col=" << problem.column;
    out << ",title=deploysim input error::" << github_data(problem.message()) << '\n';
  }
  std::size_t shown = 0;
  for (const auto& finding : result.findings) {
    if (finding.suppression) continue;
    const auto& l = finding.location;
    const char* command = finding.severity == Severity::error     ? "error"
                          : finding.severity == Severity::warning ? "warning"
                                                                  : "notice";
    out << "::" << command << " file=" << github_property(l.file);
    if (l.range.start.line > 0) {
      out << ",line=" << l.range.start.line << ",endLine=" << l.range.end.line;
      // Columns only mean something on a single line.
      if (l.range.start.line == l.range.end.line) {
        out << ",col=" << l.range.start.column << ",endColumn=" << l.range.end.column;
      }
    }
    out << ",title="
        << github_property(std::string(finding.rule->id) + " " + std::string(finding.rule->name))
        << "::" << github_data(finding.message) << '\n';
    ++shown;
  }
  const Counts counts = count(result);
  // GitHub shows about ten annotations of each kind per step; the count says how many exist.
  out << "deploysim check: " << plural(counts.error, "error") << ", "
      << plural(counts.warning, "warning") << ", " << plural(counts.note, "note") << " (" << shown
      << " annotated; upload SARIF to see every finding)\n";
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  if (name == "sarif") return Format::sarif;
  if (name == "junit") return Format::junit;
  if (name == "github") return Format::github;
  return std::nullopt;
}

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names = {"text", "json", "sarif", "junit", "github"};
  return names;
}

std::string text_line(const Finding& finding) {
  std::string line = place(finding.location) + ": " + std::string(severity_name(finding.severity)) +
                     ": " + finding.message + " [" + std::string(finding.rule->id) + " " +
                     std::string(finding.rule->name) + "]";
  if (finding.suppression) line += " (suppressed: " + *finding.suppression + ")";
  return line;
}

void write_report(std::ostream& out, Format format, const CheckResult& result,
                  const ReportContext& context) {
  switch (format) {
    case Format::text:
      write_text(out, result, context);
      break;
    case Format::json:
      write_json(out, result, context);
      break;
    case Format::sarif:
      write_sarif(out, result, context);
      break;
    case Format::junit:
      write_junit(out, result, context);
      break;
    case Format::github:
      write_github(out, result, context);
      break;
  }
}

}  // namespace deploysim::check
