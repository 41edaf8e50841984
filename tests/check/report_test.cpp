// Reports: SARIF valid against the OASIS 2.1.0 schema, JUnit well-formed, text and GitHub lines.
#include "check/report.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "check/manifest.hpp"
#include "check/rules.hpp"
#include "input/file.hpp"
#include "input/utf8.hpp"

namespace deploysim::check {
namespace {

const std::string kReportExamples = std::string(DEPLOYSIM_SOURCE_DIR) + "/examples/";
// The schema lives beside the project, never copied into it.
const std::string kSarifSchema =
    std::string(DEPLOYSIM_SOURCE_DIR) + "/../shared/schemas/sarif-schema-2.1.0.json";

CheckResult knight() {
  const std::string manifest = kReportExamples + "knight_capital/manifest.json";
  const std::string inventory = kReportExamples + "knight_capital/inventory.json";
  const Manifest m =
      parse_manifest(input::read_text_file(manifest), "examples/knight_capital/manifest.json");
  const Inventory i =
      parse_inventory(input::read_text_file(inventory), "examples/knight_capital/inventory.json");
  return run_check(m, &i);
}

std::string render(Format format, const CheckResult& result, const ReportContext& context = {}) {
  std::ostringstream out;
  write_report(out, format, result, context);
  return out.str();
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("deploysim-report-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path;
}

// Validates `document` with the Python jsonschema module; "" when valid, else its message.
std::string validate_sarif(const std::string& document) {
  const auto file = write_temp("log.sarif", document);
  const auto script =
      write_temp("validate.py",
                 "import json, sys, jsonschema\n"
                 "schema = json.load(open(sys.argv[1]))\n"
                 "log = json.load(open(sys.argv[2]))\n"
                 "jsonschema.Draft7Validator.check_schema(schema)\n"
                 "errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))\n"
                 "for e in errors: print(list(e.path), e.message)\n"
                 "sys.exit(1 if errors else 0)\n");
  const auto out = write_temp("validate.out", "");
  const std::string command = "/usr/bin/python3 '" + script.string() + "' '" + kSarifSchema +
                              "' '" + file.string() + "' >'" + out.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "invalid: " + text.str();
}

// A developer without ../shared still gets a green run, but a visible skip; CI (which sets CI)
// must never lose the schema check silently, so there the absence is a failure.
bool running_in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string value = ci;
  return !value.empty() && value != "false" && value != "0";
}

#define REQUIRE_SARIF_SCHEMA()                                                              \
  do {                                                                                      \
    if (!std::filesystem::exists(kSarifSchema)) {                                           \
      if (running_in_ci()) {                                                                \
        FAIL() << "SARIF schema not found at " << kSarifSchema                              \
               << ": in CI the shared directory must be checked out beside the repository"; \
      }                                                                                     \
      GTEST_SKIP() << "SARIF schema not found at " << kSarifSchema                          \
                   << " (it is read from ../shared beside the repository); not validated";  \
    }                                                                                       \
  } while (false)

TEST(CheckReport, SarifValidatesAgainstTheSchema) {
  REQUIRE_SARIF_SCHEMA();
  const auto result = knight();
  ReportContext context;
  context.exit_code = 1;
  const std::string sarif = render(Format::sarif, result, context);
  EXPECT_EQ(validate_sarif(sarif), "");
  const auto log = nlohmann::json::parse(sarif);
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), rule_catalogue().size());
  EXPECT_EQ(run["invocations"][0]["exitCode"], 1);
  const auto& first = run["results"][0];
  EXPECT_EQ(first["ruleId"], "DS001");
  EXPECT_EQ(run["tool"]["driver"]["rules"][first["ruleIndex"].get<int>()]["id"], "DS001");
  EXPECT_EQ(first["level"], "error");
  EXPECT_EQ(first["partialFingerprints"]["deploysimEntity/v1"], "DS001|host/smars-8");
  EXPECT_EQ(first["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "examples/knight_capital/manifest.json");
  EXPECT_GT(first["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>(), 1);

  // A clean run has an empty results array, and input errors become notifications.
  ReportContext failed;
  failed.exit_code = 2;
  failed.input_problems.push_back(
      {.file = "m.json", .detail = "malformed JSON", .line = 3, .column = 4});
  const std::string error_log = render(Format::sarif, CheckResult{}, failed);
  EXPECT_EQ(validate_sarif(error_log), "");
  EXPECT_TRUE(nlohmann::json::parse(error_log)["runs"][0]["results"].empty());
}

TEST(CheckReport, SuppressedFindingsAreValidSarifWithJustification) {
  REQUIRE_SARIF_SCHEMA();
  auto result = knight();
  result.findings[0].suppression = "replacing the host";
  result.findings[0].suppression_kind = "external";
  const std::string sarif = render(Format::sarif, result);
  EXPECT_EQ(validate_sarif(sarif), "");
  EXPECT_EQ(
      nlohmann::json::parse(sarif)["runs"][0]["results"][0]["suppressions"][0]["justification"],
      "replacing the host");
}

TEST(CheckReport, JunitIsWellFormedWithPassingCasesAndErrors) {
  ReportContext context;
  context.input_problems.push_back({.file = "bad.json", .detail = "malformed <JSON> & more"});
  const std::string xml = render(Format::junit, knight(), context);
  const auto file = write_temp("junit.xml", xml);
  const std::string command =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1])"
      ".getroot(); sys.exit(0 if r.tag == 'testsuites' else 1)\" '" +
      file.string() + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << xml;
  EXPECT_NE(xml.find("<failure type=\"error\""), std::string::npos);
  EXPECT_NE(xml.find("classname=\"deploysim.DS005\""), std::string::npos);  // a passing case
  EXPECT_NE(xml.find("<error type=\"input\""), std::string::npos);
  EXPECT_NE(xml.find("&lt;JSON&gt; &amp; more"), std::string::npos);
}

TEST(CheckReport, TextLinesAreGccStyleAndGithubEscapes) {
  const auto result = knight();
  const std::string text = render(Format::text, result);
  EXPECT_EQ(text.rfind("examples/knight_capital/inventory.json:", 0), 0u) << text;
  EXPECT_NE(text.find(": error: host \"smars-8\" runs \"legacy\""), std::string::npos) << text;
  EXPECT_NE(text.find("2 errors, 5 warnings, 0 notes in 2 files, 8 hosts"), std::string::npos)
      << text;
  const std::string github = render(Format::github, result);
  EXPECT_NE(github.find("::error file=examples/knight_capital/inventory.json,line="),
            std::string::npos)
      << github;
  EXPECT_NE(github.find("::warning "), std::string::npos);
}

// A file name from the command line or a directory need not be UTF-8, and a value may hold any
// character JSON can escape: every report still comes out as UTF-8 that its readers accept.
TEST(CheckReport, NamesThatAreNotUtf8AndForbiddenCharactersStillMakeValidReports) {
  REQUIRE_SARIF_SCHEMA();
  ReportContext context;
  context.exit_code = 2;
  context.input_problems.push_back({.file = "bad-\xFF\xFE.json",
                                    .pointer = "/fleet",
                                    .detail = "found \"bell\x07 and \xEF\xBF\xBF\" here",
                                    .line = 2,
                                    .column = 3});
  CheckResult result;
  result.files.push_back("bad-\xFF\xFE.json");
  const std::string replaced = "bad-\xEF\xBF\xBD\xEF\xBF\xBD.json";

  const std::string json = render(Format::json, result, context);
  EXPECT_TRUE(input::is_valid_utf8(json));
  EXPECT_EQ(nlohmann::json::parse(json)["files"][0], replaced);

  const std::string sarif = render(Format::sarif, result, context);
  EXPECT_TRUE(input::is_valid_utf8(sarif));
  EXPECT_EQ(validate_sarif(sarif), "");
  const auto notification =
      nlohmann::json::parse(sarif)["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
  EXPECT_EQ(notification["locations"][0]["physicalLocation"]["region"]["startLine"], 2);

  const std::string xml = render(Format::junit, result, context);
  EXPECT_TRUE(input::is_valid_utf8(xml));
  EXPECT_EQ(xml.find('\x07'), std::string::npos);
  EXPECT_EQ(xml.find("\xEF\xBF\xBF"), std::string::npos);  // U+FFFF is no XML character
  const auto file = write_temp("junit-bytes.xml", xml);
  const std::string command =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])\" '" +
      file.string() + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << xml;
  EXPECT_NE(xml.find(replaced), std::string::npos);

  const std::string github = render(Format::github, result, context);
  EXPECT_TRUE(input::is_valid_utf8(github));
  EXPECT_EQ(github.rfind("::error file=" + replaced + ",line=2,col=3,", 0), 0u) << github;
}

TEST(CheckReport, FormatNames) {
  for (const auto& name : format_names()) EXPECT_TRUE(parse_format(name).has_value()) << name;
  EXPECT_FALSE(parse_format("xml").has_value());
}

}  // namespace
}  // namespace deploysim::check
