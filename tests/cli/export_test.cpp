// `deploysim run --export`: files the CLI writes, and the bad-input corpus in
// tests/data/bad/export (NAME.args are the options after the Knight scenario, NAME.expected the
// start of the one line on standard error; the rest of a line may be the system's words).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "files.hpp"
#include "run_command.hpp"

namespace deploysim::testing {
namespace {

namespace fs = std::filesystem;

const std::string kKnightFile = DEPLOYSIM_SOURCE_DIR "/scenarios/knight_capital_2012.json";

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
  const auto result = run_deploysim_in(dir.string(), "run '" + kKnightFile +
                                                         "' --json --export influx=run.lp "
                                                         "--export openmetrics=run.om");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"loss_usd\""), std::string::npos);
  const std::string lp = testing::read_file_text(dir / "run.lp");
  const std::string om = testing::read_file_text(dir / "run.om");
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
      dir.string(), "run '" + kKnightFile + "' --seed 9 --export influx=run.lp --export-per-host");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string lp = testing::read_file_text(dir / "run.lp");
  EXPECT_NE(lp.find("deploysim,scenario=knight_capital_2012,seed=9,"), std::string::npos);
  EXPECT_NE(lp.find("deploysim_host,scenario=knight_capital_2012,seed=9,service=smars,group=all,"
                    "host=smars-8,version=legacy"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(ExportCli, AnUnreachableServerKeepsTheRunsResult) {
  const auto result = run_deploysim("run '" + kKnightFile +
                                    "' --export influx=http://127.0.0.1:1/write?db=deploysim");
  EXPECT_EQ(result.exit_code, 2);
  // The story and summary are printed before the export is tried.
  EXPECT_NE(result.out.find("Summary"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("loss"), std::string::npos);
  EXPECT_NE(result.err.find("127.0.0.1"), std::string::npos) << result.err;
}

// The lines of a line-protocol file that start with `prefix`, in order.
std::vector<std::string> points(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

TEST(ExportCli, RealtimeStreamsWhatTheBatchExportWritesAtItsPace) {
  const auto dir = scratch("realtime");
  // The replay spans 5 days 2.5 hours (441,000 s): at 441,000x it takes about a second.
  const auto started = std::chrono::steady_clock::now();
  const auto live = run_deploysim_in(
      dir.string(), "run '" + kKnightFile + "' --realtime 441000 --export influx=live.lp --json");
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_GE(wall.count(), 0.9) << "paced against the wall clock";
  const auto batch =
      run_deploysim_in(dir.string(), "run '" + kKnightFile + "' --export influx=all.lp");
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  const std::string streamed = testing::read_file_text(dir / "live.lp");
  const std::string whole = testing::read_file_text(dir / "all.lp");
  // The same samples in the same order; the same events (streamed ones may differ in the
  // nanosecond that keeps same-millisecond events apart).
  EXPECT_EQ(points(streamed, "deploysim,"), points(whole, "deploysim,"));
  EXPECT_EQ(points(streamed, "deploysim_hosts,"), points(whole, "deploysim_hosts,"));
  EXPECT_EQ(points(streamed, "deploysim_event,").size(), points(whole, "deploysim_event,").size());
  EXPECT_NE(live.out.find("\"loss_usd\""), std::string::npos);
  fs::remove_all(dir);
}

TEST(ExportCli, CtrlCStopsALiveRunWithTheResultSoFar) {
  const auto dir = scratch("interrupt");
  // At 600x the replay would take 12 minutes; SIGINT after a moment (coreutils' timeout sends
  // it, and passes the run's own exit code on).
  const std::string command = "cd '" + dir.string() + "' && timeout --preserve-status -s INT 3 '" +
                              DEPLOYSIM_BINARY + "' run '" + kKnightFile +
                              "' --realtime 600 --export influx=live.lp >out 2>err";
  const auto started = std::chrono::steady_clock::now();
  const int status = std::system(command.c_str());
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_LT(wall.count(), 15.0) << "stops at once";
  const std::string err = testing::read_file_text(dir / "err");
  EXPECT_NE(err.find("interrupted at 2012-07-27 08:"), std::string::npos) << err;
  EXPECT_NE(testing::read_file_text(dir / "out").find("Summary"), std::string::npos);
  // 3 s at 600x is 30 simulated minutes, a sample a minute: what ran is in the file, and the
  // run stopped long before its 7,351 samples.
  const auto samples = points(testing::read_file_text(dir / "live.lp"), "deploysim,");
  EXPECT_GE(samples.size(), 1u);
  EXPECT_LE(samples.size(), 200u);
  fs::remove_all(dir);
}

TEST(ExportCli, AServerFailingMidStreamIsReportedOnceAndTheRunGoesOn) {
  const auto result = run_deploysim("run '" + kKnightFile +
                                    "' --realtime 441000 --export influx=http://127.0.0.1:1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("Summary"), std::string::npos) << result.out;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("streaming to it stopped"), std::string::npos) << result.err;
}

TEST(ExportCli, NotificationsAsNagiosLogAndJson) {
  const auto dir = scratch("notifications");
  const auto result =
      run_deploysim_in(dir.string(), "run '" + kKnightFile + "' --notifications knight.json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(testing::read_file_text(dir / "knight.json"));
  ASSERT_EQ(json["notifications"].size(), 2u);
  EXPECT_EQ(json["notifications"][0]["state"], "CRITICAL");
  EXPECT_EQ(json["notifications"][0]["contacts"], nlohmann::json::array({"tech_team"}));
  const auto text =
      run_deploysim_in(dir.string(), "run '" + kKnightFile + "' --notifications knight.log");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(testing::read_file_text(dir / "knight.log")
                .find("] SERVICE NOTIFICATION: tech_team;smars;unusual_trading;CRITICAL;notify;"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(GrafanaCli, WritesTheDashboardAndRefusesAnUnknownDataSource) {
  const auto dir = scratch("grafana");
  const auto result = run_deploysim_in(
      dir.string(), "grafana '" + kKnightFile + "' --datasource prometheus -o knight.json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto dashboard = nlohmann::json::parse(testing::read_file_text(dir / "knight.json"));
  EXPECT_EQ(dashboard["panels"][0]["targets"][0]["expr"],
            "deploysim_loss_usd{scenario=~\"$scenario\",seed=~\"$seed\"}");
  const auto bad = run_deploysim("grafana '" + kKnightFile + "' --datasource graphite");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("graphite"), std::string::npos) << bad.err;
  const auto unwritable = run_deploysim("grafana '" + kKnightFile + "' -o /no-such-dir/k.json");
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_NE(unwritable.err.find("/no-such-dir/k.json"), std::string::npos);
  fs::remove_all(dir);
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
        run_deploysim_in(dir.string(), "run '" + kKnightFile + "' " + first_line(entry.path()));
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
