// `deploysim check` as a user runs it: exit codes, formats, the Knight example.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "files.hpp"
#include "run_command.hpp"

namespace deploysim::testing {
namespace {

const std::string kCliExamples = std::string(DEPLOYSIM_SOURCE_DIR) + "/examples/";
const std::string kKnight = "'" + kCliExamples + "knight_capital/manifest.json' --observed '" +
                            kCliExamples + "knight_capital/inventory.json'";

std::filesystem::path temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("deploysim-check-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// The line of the eighth server in the example inventory.
int smars8_line() {
  std::ifstream in(kCliExamples + "knight_capital/inventory.json");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find("\"smars-8\"") != std::string::npos) return n;
  }
  return -1;
}

TEST(CheckCli, KnightFailsWithVersionAndFlagRulesOnTheEighthServer) {
  const auto result = run_deploysim("check " + kKnight);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const std::string where = "inventory.json:" + std::to_string(smars8_line()) + ":";
  for (const char* rule : {"[DS001 version-mismatch]", "[DS002 flag-version-mismatch]"}) {
    bool found = false;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(rule) != std::string::npos && line.find(where) != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << rule << " not at " << where << " in\n" << result.out;
  }
}

TEST(CheckCli, KnightJsonReportIsVersioned) {
  const auto result = run_deploysim("check " + kKnight + " --format json");
  EXPECT_EQ(result.exit_code, 1);
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["format_version"], 1);
  EXPECT_EQ(report["summary"]["errors"], 2);
  EXPECT_EQ(report["findings"][0]["rule_id"], "DS001");
  EXPECT_EQ(report["findings"][0]["location"]["line"], smars8_line());
}

TEST(CheckCli, CleanManifestExitsZero) {
  const auto dir = temp_dir();
  std::ofstream(dir / "clean.json") << R"({"manifest_version": 1,
    "services": {"web": {"versions": {"v1": {}}}},
    "groups": {"web": {"service": "web", "version": "v1", "hosts": ["web-1", "web-2"]}}})";
  const auto result = run_deploysim("check '" + (dir / "clean.json").string() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("0 errors"), std::string::npos) << result.out;
}

TEST(CheckCli, FailOnAndExitZero) {
  // Only warnings remain once the two error rules are off.
  const std::string args = "check " + kKnight + " --disable DS001 --disable flag-version-mismatch";
  EXPECT_EQ(run_deploysim(args).exit_code, 0);
  EXPECT_EQ(run_deploysim(args + " --fail-on warning").exit_code, 1);
  EXPECT_EQ(run_deploysim("check " + kKnight + " --exit-zero").exit_code, 0);
  EXPECT_EQ(run_deploysim(args + " --severity DS014=error").exit_code, 1);
}

TEST(CheckCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_deploysim("check " + kKnight + " --fail-on fatal").exit_code, 2);
  const auto unknown = run_deploysim("check " + kKnight + " --disable DS0001");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("did you mean \"DS001\""), std::string::npos) << unknown.err;
  EXPECT_EQ(run_deploysim("check " + kKnight + " --format xml").exit_code, 2);
  EXPECT_EQ(run_deploysim("check " + kKnight + " --output x.txt --format text").exit_code, 2);
  EXPECT_EQ(run_deploysim("check").exit_code, 2);
}

TEST(CheckCli, BadInputExitsTwoWithOneLinePerProblem) {
  const auto dir = temp_dir();
  std::ofstream(dir / "empty.json") << "";
  std::ofstream(dir / "broken.json") << "{\"manifest_version\": 1,\n \"services\": }";
  std::ofstream(dir / "nohosts.json") << R"({"manifest_version": 1,
    "services": {"web": {"versions": {"v1": {}}}}, "groups": {}})";
  for (const auto& file :
       {dir / "empty.json", dir / "broken.json", dir / "missing.json", dir / "nohosts.json", dir}) {
    const auto result = run_deploysim("check '" + file.string() + "'");
    EXPECT_EQ(result.exit_code, 2) << file;
    EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
  }
  EXPECT_NE(
      run_deploysim("check '" + (dir / "broken.json").string() + "'").err.find("broken.json:2:"),
      std::string::npos);
}

TEST(CheckCli, SeveralFormatsInOneRun) {
  const auto dir = temp_dir();
  const auto sarif = dir / "out.sarif";
  const auto junit = dir / "out.xml";
  const auto result =
      run_deploysim("check " + kKnight + " --format sarif --output '" + sarif.string() +
                    "' --format junit --output '" + junit.string() + "' --format text");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("[DS001 version-mismatch]"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(testing::read_file_text(sarif))["version"], "2.1.0");
  EXPECT_NE(testing::read_file_text(junit).find("<testsuites"), std::string::npos);
}

TEST(CheckCli, GithubAnnotationsUnderGithubActions) {
  const auto result = run_deploysim("check " + kKnight);
  EXPECT_EQ(result.out.find("::error"), std::string::npos);
  // The variable is set for the child only, through the shell.
  const std::string binary = DEPLOYSIM_BINARY;
  const auto out = temp_dir() / "github.txt";
  const std::string command =
      "GITHUB_ACTIONS=true '" + binary + "' check " + kKnight + " >'" + out.string() + "'";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string text = testing::read_file_text(out);
  EXPECT_NE(text.find("::error file="), std::string::npos) << text;
  EXPECT_NE(text.find("line=" + std::to_string(smars8_line())), std::string::npos) << text;
  EXPECT_NE(text.find("title=DS001 version-mismatch::"), std::string::npos) << text;
}

TEST(CheckCli, InventoryFromStandardInput) {
  const std::string binary = DEPLOYSIM_BINARY;
  const auto out = temp_dir() / "stdin.txt";
  const std::string command = "'" + binary + "' check '" + kCliExamples +
                              "knight_capital/manifest.json' --observed - <'" + kCliExamples +
                              "knight_capital/inventory.json' >'" + out.string() + "'";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(testing::read_file_text(out).find("-:" + std::to_string(smars8_line()) + ":"),
            std::string::npos)
      << testing::read_file_text(out);
}

TEST(CheckCli, BaselineAcceptsCurrentFindings) {
  const auto baseline = temp_dir() / "baseline.json";
  const auto written =
      run_deploysim("check " + kKnight + " --write-baseline '" + baseline.string() + "'");
  EXPECT_EQ(written.exit_code, 0) << written.err;
  const auto result = run_deploysim("check " + kKnight + " --baseline '" + baseline.string() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("suppressed"), std::string::npos) << result.out;
}

TEST(CheckCli, ScenarioIsCheckInput) {
  const auto result = run_deploysim("check '" + std::string(DEPLOYSIM_SOURCE_DIR) +
                                    "/scenarios/knight_capital_2012.json'");
  EXPECT_NE(result.exit_code, 2) << result.err;
  EXPECT_NE(result.out.find("8 hosts"), std::string::npos) << result.out;
}

// A variant scenario (extends) that validate accepts, check accepts too: one loader for both.
TEST(CheckCli, VariantScenarioIsCheckInput) {
  const std::string variant = "'" + std::string(DEPLOYSIM_SOURCE_DIR) +
                              "/scenarios/knight_capital_2012_preflight_gate.json'";
  const auto validated = run_deploysim("validate " + variant);
  ASSERT_EQ(validated.exit_code, 0) << validated.err;
  const auto checked = run_deploysim("check " + variant);
  EXPECT_NE(checked.exit_code, 2) << checked.err;
  EXPECT_NE(checked.out.find("8 hosts"), std::string::npos) << checked.out;
}

}  // namespace
}  // namespace deploysim::testing
