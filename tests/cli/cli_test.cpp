#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "files.hpp"
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

const std::string kKnight =
    std::string("'") + DEPLOYSIM_SOURCE_DIR + "/scenarios/knight_capital_2012.json'";

TEST(CliRun, KnightReplayTellsTheStoryAndTheSummary) {
  const auto result = run_deploysim("run " + kKnight);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* text : {"What happened", "smars-8 skipped", "09:30:00", "code rolled back",
                           "Summary", "loss", "$460.8M", "45 min", "rolled_back"}) {
    EXPECT_NE(result.out.find(text), std::string::npos) << text << " missing from\n" << result.out;
  }
}

TEST(CliRun, LoadFiguresAppearInTheSummaryOnlyWithALoadModel) {
  const auto knight = run_deploysim("run " + kKnight);
  ASSERT_EQ(knight.exit_code, 0) << knight.err;
  EXPECT_EQ(knight.out.find("peak utilisation"), std::string::npos) << knight.out;

  const auto heroku = run_deploysim(std::string("run '") + DEPLOYSIM_SOURCE_DIR +
                                    "/scenarios/heroku_scale_to_zero.json' --json");
  ASSERT_EQ(heroku.exit_code, 0) << heroku.err;
  const auto summary = nlohmann::json::parse(heroku.out)["summary"];
  const auto text = run_deploysim(std::string("run '") + DEPLOYSIM_SOURCE_DIR +
                                  "/scenarios/heroku_scale_to_zero.json'");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const long percent = std::lround(summary["peak_utilization"].get<double>() * 100.0);
  EXPECT_NE(text.out.find("peak utilisation        " + std::to_string(percent) + "%"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("scaling events          " +
                          std::to_string(summary["scaling_events"].get<int>())),
            std::string::npos)
      << text.out;
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
  const auto result =
      run_deploysim("run " + kKnight + " --json --set deployment.preflight_gate=true");
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

TEST(CliSweep, CsvIsByteIdenticalForAnyThreadCount) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto one = dir / "deploysim-sweep-t1.csv";
  const auto two = dir / "deploysim-sweep-t2.csv";
  const std::string scenario =
      std::string("'") + DEPLOYSIM_SOURCE_DIR + "/scenarios/nodejs_haproxy_manual.json'";
  const auto first = run_deploysim("sweep " + scenario + " --replicas 40 --threads 1 --csv '" +
                                   one.string() + "'");
  const auto second = run_deploysim("sweep " + scenario + " --replicas 40 --threads 2 --csv '" +
                                    two.string() + "'");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto csv = testing::read_file_text(one);
  EXPECT_EQ(csv, testing::read_file_text(two));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 41) << "a header and one row per run";
  EXPECT_EQ(csv.rfind("deploysim_version,scenario_hash,base_seed,point,replica,seed,loss_usd", 0),
            0u)
      << csv.substr(0, 200);
  EXPECT_EQ(first.out, second.out) << "the table does not depend on threads either";
  std::filesystem::remove(one);
  std::filesystem::remove(two);
}

TEST(CliSweep, GridTableHasOneRowPerPoint) {
  const auto result =
      run_deploysim(std::string("sweep '") + DEPLOYSIM_SOURCE_DIR +
                    "/scenarios/instagram_small_batches.json' --replicas 5 "
                    "--param deployment.strategy.batch_size=5,50 --metric failed_requests "
                    "--event 'max_hosts_misbehaving>20'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("batch_size"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("P(max_hosts_misbehaving>20)"), std::string::npos) << result.out;
}

TEST(CliSweep, BadInputExitsTwoWithAClearMessage) {
  const std::string scenario =
      std::string("'") + DEPLOYSIM_SOURCE_DIR + "/scenarios/instagram_small_batches.json'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--replicas 0", "--replicas"},
      {"--threads 0", "--threads"},
      {"--param deployment.stratgy.batch_size=1,2", "did you mean \"strategy\"?"},
      {"--param deployment.strategy.batch_size=x", "batch_size"},
      {"--param deployment.strategy.batch_size=5:1:1", "empty or endless"},
      {"--until-ci lots", "--until-ci"},
      {"--event 'loss>1'", "unknown metric"},
      {"--metric los_usd --until-ci 2%", "did you mean \"loss_usd\"?"},
  };
  for (const auto& [args, expected] : cases) {
    const auto result = run_deploysim("sweep " + scenario + " " + args);
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_NE(result.err.find(expected), std::string::npos) << args << ":\n" << result.err;
  }
}

TEST(CliSweep, UntilCiThatCannotBeMetSaysSo) {
  const auto result =
      run_deploysim(std::string("sweep '") + DEPLOYSIM_SOURCE_DIR +
                    "/scenarios/nodejs_haproxy_manual.json' --metric max_hosts_misbehaving "
                    "--until-ci 0.1% --max-replicas 50");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("not reached"), std::string::npos) << result.out;
}

TEST(CliSweep, CtrlCStopsCleanlyAndKeepsTheFinishedRuns) {
  const auto csv = std::filesystem::temp_directory_path() /
                   ("deploysim-sweep-interrupted-" + std::to_string(::getpid()) + ".csv");
  // SIGINT after a moment, into a sweep far too long to finish.
  const auto err_file = std::filesystem::temp_directory_path() / "deploysim-sweep-interrupted.err";
  const std::string script =
      "'" + std::string(DEPLOYSIM_BINARY) + "' sweep '" + DEPLOYSIM_SOURCE_DIR +
      "/scenarios/knight_capital_2012.json' --replicas 10000000 --quiet --csv '" + csv.string() +
      "' >/dev/null 2>'" + err_file.string() + "' & pid=$!; sleep 1; kill -INT $pid; wait $pid";
  const auto script_file = std::filesystem::temp_directory_path() / "deploysim-sweep-interrupt.sh";
  std::ofstream(script_file) << script << '\n';
  const int status = std::system(("bash '" + script_file.string() + "'").c_str());
  std::filesystem::remove(script_file);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = testing::read_file_text(err_file);
  EXPECT_NE(err.find("interrupted:"), std::string::npos) << err;
  std::filesystem::remove(err_file);
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::int64_t expected_replica = 0;
  while (std::getline(in, line)) {
    // deploysim_version,scenario_hash,base_seed,point,replica,...
    std::stringstream cells(line);
    std::string cell;
    for (int column = 0; column < 5; ++column) std::getline(cells, cell, ',');
    ASSERT_EQ(cell, std::to_string(expected_replica++))
        << "rows are an unbroken prefix: " << line.substr(0, 100);
  }
  EXPECT_GT(expected_replica, 0) << "what finished was written";
  std::filesystem::remove(csv);
}

TEST(CliCompare, KnightCounterfactualsReadAsATable) {
  const std::string dir = std::string("'") + DEPLOYSIM_SOURCE_DIR + "/scenarios/";
  const auto result = run_deploysim(
      "compare " + dir + "knight_capital_2012.json' --replicas 3 --variant " + dir +
      "knight_capital_2012_preflight_gate.json' --variant 'fast:people.tech_team.diagnose=5min'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* text : {"Means", "base", "knight_capital_2012_preflight_gate", "fast", "$460.8M",
                           "Paired differences", "-$460.8M"}) {
    EXPECT_NE(result.out.find(text), std::string::npos) << text << " missing from\n" << result.out;
  }
}

TEST(CliCompare, VariantWithoutNameIsAUsageError) {
  const auto result = run_deploysim(
      std::string("compare '") + DEPLOYSIM_SOURCE_DIR +
      "/scenarios/knight_capital_2012.json' --variant deployment.preflight_gate=true");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("NAME:PATH=VALUE"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace deploysim::testing
