#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_command.hpp"

namespace deploysim::testing {
namespace {

TEST(Cli, HelpListsCommandsAndExitsZero) {
  const auto result = run_deploysim("--help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("demo"), std::string::npos) << result.out;
}

TEST(Cli, VersionPrintsProjectVersion) {
  const auto result = run_deploysim("--version");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find(std::string("deploysim ") + DEPLOYSIM_VERSION), std::string::npos);
}

TEST(Cli, NoCommandIsAUsageError) {
  const auto result = run_deploysim("");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--help"), std::string::npos) << result.err;
}

TEST(Cli, UnknownCommandIsAUsageErrorWithHint) {
  const auto result = run_deploysim("deploy-everything");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("deploy-everything"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("--help"), std::string::npos) << result.err;
}

TEST(Cli, BadOptionValueNamesTheSubcommandInTheHint) {
  const auto result = run_deploysim("demo --servers zero");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("deploysim demo --help"), std::string::npos) << result.err;
}

TEST(Cli, BadDurationExplainsAcceptedForms) {
  const auto result = run_deploysim("demo --horizon '5 minutes'");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("\"5 minutes\""), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("5min"), std::string::npos) << result.err;
}

TEST(Cli, DemoPrintsReadableSummary) {
  const auto result = run_deploysim("demo --servers 8 --seed 3");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* label : {"failures", "fleet availability", "events processed", "seed 3"}) {
    EXPECT_NE(result.out.find(label), std::string::npos) << label << " missing from\n"
                                                         << result.out;
  }
}

TEST(Cli, DemoJsonIsDeterministicForASeed) {
  const auto first = run_deploysim("demo --servers 50 --horizon 7d --seed 11 --json");
  const auto second = run_deploysim("demo --servers 50 --horizon 7d --seed 11 --json");
  const auto other = run_deploysim("demo --servers 50 --horizon 7d --seed 12 --json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_NE(first.out, other.out);
  const auto summary = nlohmann::json::parse(first.out);
  EXPECT_EQ(summary["servers"], 50);
  EXPECT_GT(summary["failures"].get<int>(), 0);
  EXPECT_GT(summary["events_processed"].get<int>(), summary["failures"].get<int>());
}

TEST(Cli, DemoWritesTraceFile) {
  const auto path = std::filesystem::temp_directory_path() / "deploysim-demo-trace.jsonl";
  std::filesystem::remove(path);
  const auto result = run_deploysim("demo --seed 5 --trace '" + path.string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const auto record = nlohmann::json::parse(line);
    EXPECT_TRUE(record["event"] == "server_failed" || record["event"] == "server_restarted");
    ++lines;
  }
  EXPECT_GT(lines, 0);
  std::filesystem::remove(path);
}

TEST(Cli, UnwritableTraceIsAUsageError) {
  const auto result = run_deploysim("demo --trace /nonexistent-dir/trace.jsonl");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/nonexistent-dir/trace.jsonl"), std::string::npos) << result.err;
}

TEST(Cli, UnknownTraceFormatIsAUsageError) {
  const auto result = run_deploysim("demo --trace trace.xml");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(".jsonl or .csv"), std::string::npos) << result.err;
}

const std::string kKnight = std::string("'") + DEPLOYSIM_SOURCE_DIR +
                            "/scenarios/knight_capital_2012.json'";

TEST(CliRun, KnightReplayTellsTheStoryAndTheSummary) {
  const auto result = run_deploysim("run " + kKnight);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* text : {"What happened", "smars-8 skipped", "09:30:00", "code rolled back",
                           "Summary", "loss", "$460.8M", "45 min", "rolled_back"}) {
    EXPECT_NE(result.out.find(text), std::string::npos) << text << " missing from\n" << result.out;
  }
}

TEST(CliRun, JsonFollowsTheResultContract) {
  const auto result = run_deploysim("run " + kKnight + " --json --seed 3");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["summary"]["seed"], 3);
  EXPECT_EQ(json["summary"]["hosts_total"], 8);
  EXPECT_TRUE(json["summary"]["loss_usd"].is_number());
  EXPECT_TRUE(json["story"].is_array());
}

TEST(CliRun, SetOverridesAValueBeforeTheRun) {
  const auto result = run_deploysim("run " + kKnight + " --json --set deployment.preflight_gate=true");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto summary = nlohmann::json::parse(result.out)["summary"];
  EXPECT_EQ(summary["loss_usd"], 0.0);
  EXPECT_TRUE(summary["incident_duration_s"].is_null());
  EXPECT_EQ(summary["flag_changes_blocked"], 1);
}

TEST(CliRun, SetWithATypoSuggestsTheKey) {
  const auto result = run_deploysim("run " + kKnight + " --set deployment.stratgy.type=rolling");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("did you mean \"strategy\"?"), std::string::npos) << result.err;
}

TEST(CliRun, MissingScenarioIsAUsageError) {
  const auto result = run_deploysim("run /nonexistent/scenario.json");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/nonexistent/scenario.json"), std::string::npos) << result.err;
}

TEST(CliRun, WritesTimeSeriesAndTrace) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto csv = dir / "deploysim-cli-timeseries.csv";
  const auto jsonl = dir / "deploysim-cli-trace.jsonl";
  const auto result = run_deploysim("run " + kKnight + " --timeseries '" + csv.string() +
                                    "' --trace '" + jsonl.string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream series(csv);
  std::string header;
  std::getline(series, header);
  EXPECT_EQ(header.rfind("time_s,clock,error_rate,", 0), 0u) << header;
  std::ifstream trace(jsonl);
  std::string line;
  bool saw_flag = false;
  while (std::getline(trace, line)) {
    saw_flag = saw_flag || nlohmann::json::parse(line)["event"] == "flag_set";
  }
  EXPECT_TRUE(saw_flag);
  std::filesystem::remove(csv);
  std::filesystem::remove(jsonl);
}

TEST(CliValidate, EveryBundledScenarioIsValid) {
  std::string files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(DEPLOYSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") {
      files += " '" + entry.path().string() + "'";
    }
  }
  const auto result = run_deploysim("validate" + files);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(": OK ("), std::string::npos);
}

TEST(CliValidate, BadScenarioPrintsFilePointerAndExpectation) {
  const auto path = std::filesystem::temp_directory_path() / "deploysim-bad-scenario.json";
  std::ofstream(path) << R"({"name": "x", "services": {"a": {"versions": {"v1": {}}}},
    "fleet": {"g": {"hosts": -3, "service": "a", "version": "v1"}}})";
  const auto result = run_deploysim("validate '" + path.string() + "'");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path.string() + ": /fleet/g/hosts: expected"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("found -3"), std::string::npos) << result.err;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace deploysim::testing
