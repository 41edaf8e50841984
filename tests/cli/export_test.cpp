// `deploysim run --export`: files the CLI writes, and the bad-input corpus in
// tests/data/bad/export (NAME.args are the options after the Knight scenario, NAME.expected the
// start of the one line on standard error; the rest of a line may be the system's words).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_command.hpp"

namespace deploysim::testing {
namespace {

namespace fs = std::filesystem;

const std::string kKnight = DEPLOYSIM_SOURCE_DIR "/scenarios/knight_capital_2012.json";

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A fresh directory for the files a run writes.
fs::path scratch(const std::string& name) {
  const auto dir =
      fs::temp_directory_path() / ("deploysim-export-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ExportCli, WritesLineProtocolAndOpenMetricsBesideTheUsualResult) {
  const auto dir = scratch("files");
  const auto result = run_deploysim_in(dir.string(), "run '" + kKnight +
                                                         "' --json --export influx=run.lp "
                                                         "--export openmetrics=run.om");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"loss_usd\""), std::string::npos);
  const std::string lp = slurp(dir / "run.lp");
  const std::string om = slurp(dir / "run.om");
  EXPECT_NE(lp.find("\ndeploysim,scenario=knight_capital_2012,seed=1,service=smars,group=all,"
                    "version=rlp error_rate="),
            std::string::npos)
      << lp.substr(0, 400);
  EXPECT_NE(lp.find("deploysim_event,"), std::string::npos);
  EXPECT_EQ(lp.find("deploysim_host,"), std::string::npos) << "per host only on request";
  EXPECT_EQ(om.substr(om.size() - 6), "# EOF\n");
  fs::remove_all(dir);
}

TEST(ExportCli, SeedAndPerHostReachTheExport) {
  const auto dir = scratch("per-host");
  const auto result = run_deploysim_in(
      dir.string(), "run '" + kKnight + "' --seed 9 --export influx=run.lp --export-per-host");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string lp = slurp(dir / "run.lp");
  EXPECT_NE(lp.find("deploysim,scenario=knight_capital_2012,seed=9,"), std::string::npos);
  EXPECT_NE(lp.find("deploysim_host,scenario=knight_capital_2012,seed=9,service=smars,group=all,"
                    "host=smars-8,version=legacy"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(ExportCli, AnUnreachableServerKeepsTheRunsResult) {
  const auto result =
      run_deploysim("run '" + kKnight + "' --export influx=http://127.0.0.1:1/write?db=deploysim");
  EXPECT_EQ(result.exit_code, 2);
  // The story and summary are printed before the export is tried.
  EXPECT_NE(result.out.find("Summary"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("loss"), std::string::npos);
  EXPECT_NE(result.err.find("127.0.0.1"), std::string::npos) << result.err;
}

TEST(ExportCli, BadInputCorpusExitsTwoWithItsMessage) {
  const fs::path corpus = DEPLOYSIM_TEST_DATA "/bad/export";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.path().extension() != ".args") continue;
    ++cases;
    const auto name = entry.path().stem().string();
    const auto expected_file = fs::path(entry.path()).replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_file)) << name << " has no .expected file";
    const auto dir = scratch("bad-" + name);
    const auto result =
        run_deploysim_in(dir.string(), "run '" + kKnight + "' " + first_line(entry.path()));
    EXPECT_EQ(result.exit_code, 2) << name << "\n" << result.err;
    const std::string expected = first_line(expected_file);
    EXPECT_EQ(result.err.substr(0, expected.size()), expected) << name;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << name << result.err;
    // Checked before the run: nothing was written.
    if (result.out.empty()) {
      EXPECT_TRUE(fs::is_empty(dir)) << name;
    }
    fs::remove_all(dir);
  }
  EXPECT_GE(cases, 9);
}

}  // namespace
}  // namespace deploysim::testing
