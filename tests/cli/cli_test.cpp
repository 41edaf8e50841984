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

}  // namespace
}  // namespace deploysim::testing
