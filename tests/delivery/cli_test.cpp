// The delivery commands as a user runs them: output, files and exit codes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../cli/run_command.hpp"

namespace deploysim::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DeliveryCli, XkcdTablePrintsTheComicsUnitsAndNotes) {
  const auto r = run_deploysim("roi --xkcd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part :
       {"4 weeks", "21 minutes", "10 days", "2 months", "15 hours *", "9 weeks *", "10 months *",
        "12 months *", "comic \"12 hours\"", "not applicable", "6 hours x daily"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << " missing from\n" << r.out;
  }
}

TEST(DeliveryCli, XkcdJsonHasFiftyFourCells) {
  const auto r = run_deploysim("roi --xkcd --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cells"].size(), 54u);
  int lower = 0;
  for (const auto& cell : j["cells"]) lower += cell["comic_rounds_lower"].get<bool>() ? 1 : 0;
  EXPECT_EQ(lower, 4);
}

TEST(DeliveryCli, RoiBreakEvenAndCsv) {
  const auto csv = std::filesystem::temp_directory_path() / "deploysim_roi_test.csv";
  const auto r = run_deploysim(
      "roi --build-hours 80 --maintenance-hours 2 --rate 100 --manual-time 2h "
      "--automated-time 15min --deploys 3 --period week --horizon 52w --manual-loss 500 "
      "--automated-loss 100 --json --csv " +
      csv.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["break_even_periods"].get<double>(), 8000.0 / 1525.0, 1e-9);
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "period,days,deploys,manual_cost_usd,automated_cost_usd");
  int rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 53);
  std::filesystem::remove(csv);
}

TEST(DeliveryCli, RoiTextSaysNeverWhenItDoesNotPay) {
  const auto r = run_deploysim(
      "roi --build-hours 80 --maintenance-hours 10 --rate 100 --manual-time 1h "
      "--automated-time 30min --deploys 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "never")) << r.out;
}

TEST(DeliveryCli, RoiRiskTermFromScenarios) {
  const std::string dir = std::string(DEPLOYSIM_SOURCE_DIR) + "/scenarios/";
  const auto r = run_deploysim(
      "roi --build-hours 400 --rate 150 --manual-time 8h --automated-time 15min --deploys 1 "
      "--period week --replicas 3 --json --manual-scenario " +
      dir + "knight_capital_2012.json --automated-scenario " + dir +
      "knight_capital_2012_automated_deploy.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["manual_loss_per_deploy_usd"].get<double>(), 1e8);
  EXPECT_LT(j["break_even_deploys"].get<double>(), 1.0);
}

TEST(DeliveryCli, RoiBadInputExitsTwoWithAClearLine) {
  struct Case {
    std::string args;
    std::string message;
  };
  const std::string base =
      "roi --build-hours 80 --rate 100 --manual-time 2h --automated-time 10min ";
  const Case cases[] = {
      {base + "--deploys 0", "--deploys: expected a number above 0"},
      {base + "--deploys -2", "--deploys: expected"},
      {base + "--deploys 1 --horizon 2years", "--horizon: horizon \"2years\""},
      {base + "--deploys 1 --period fortnight", "--period: period \"fortnight\""},
      {"roi --build-hours 80 --rate -1 --manual-time 2h --automated-time 10min --deploys 1",
       "--rate: expected a number from 0"},
      {base + "--deploys 1 --manual-loss -5", "--manual-loss: expected"},
      {"roi --build-hours 80 --rate 100 --manual-time 2 --automated-time 10min --deploys 1",
       "--manual-time: \"2\""},
      {"roi --rate 100", "roi needs --build-hours, --manual-time"},
      {base + "--deploys 1 --manual-scenario " + std::string(DEPLOYSIM_SOURCE_DIR) +
           "/scenarios/knight_capital_2012.json",
       "go together"},
  };
  for (const auto& c : cases) {
    const auto r = run_deploysim(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_TRUE(contains(r.err, "error: ")) << c.args << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, c.message)) << c.args << "\n" << r.err;
  }
}

TEST(DeliveryCli, DriftAgreesWithTheCtmc) {
  const auto r = run_deploysim(
      "drift --hosts 50 --drift-rate 0.5 --schedule exponential --interval 1d --success 0.9 "
      "--horizon 200d --warmup 10d --sample 1d --replicas 30 --seed 7 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["ctmc_drifted_fraction"].get<double>(), 0.5 / 1.4, 1e-12);
  EXPECT_TRUE(j["ctmc_within_ci"].get<bool>());
}

TEST(DeliveryCli, DriftTextAndCsv) {
  const auto csv = std::filesystem::temp_directory_path() / "deploysim_drift_test.csv";
  const auto r = run_deploysim("drift --hosts 20 --horizon 5d --replicas 2 --csv " + csv.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "drifted fraction, CTMC")) << r.out;
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "time_s,time_h,drifted_fraction,replica0_drifted_fraction");
  std::filesystem::remove(csv);
}

TEST(DeliveryCli, DriftBadInputExitsTwoWithAClearLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"drift --drift-rate 0", "--drift-rate: expected a rate per host per day above 0"},
      {"drift --drift-rate -1", "--drift-rate: expected"},
      {"drift --interval 0s", "--interval: expected a duration > 0"},
      {"drift --success 1.2", "--success: expected a probability in [0, 1]"},
      {"drift --deploy-failure -0.5", "--deploy-failure: expected"},
      {"drift --horizon 1d --warmup 2d", "--warmup: expected"},
      {"drift --schedule exponential --splay 5min", "--splay: "},
      {"drift --interval often", "--interval: \"often\""},
      {"drift --hosts 0", "--hosts: expected at least 1"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_deploysim(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(contains(r.err, "error: ")) << r.err;
    EXPECT_TRUE(contains(r.err, message)) << args << "\n" << r.err;
  }
}

TEST(DeliveryCli, PipelineReportsDoraMetricsAndCluster) {
  const auto r = run_deploysim("pipeline --changes-per-day 20 --horizon 30d --replicas 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"deploys_per_day", "lead_time_median_h", "change_fail_rate",
                          "recovery_median_min", "dora_2024"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["dora_2024"]["deployment_frequency"], "elite");
}

TEST(DeliveryCli, FasterIsSaferSweep) {
  const auto r = run_deploysim(
      "pipeline --changes-per-day 20 --horizon 60d --replicas 4 --sweep-train-every 1h,7d --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["points"].size(), 2u);
  const auto& hourly = j["points"][0];
  const auto& weekly = j["points"][1];
  EXPECT_LT(hourly["change_fail_rate"]["mean"].get<double>(),
            weekly["change_fail_rate"]["mean"].get<double>());
  EXPECT_LT(hourly["changes_per_deploy"]["mean"].get<double>(),
            weekly["changes_per_deploy"]["mean"].get<double>());
}

TEST(DeliveryCli, PipelineBadInputExitsTwoWithAClearLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"pipeline --changes-per-day 0", "--changes-per-day: expected a rate > 0"},
      {"pipeline --defect-probability 1.5",
       "--defect-probability: expected a probability in [0, 1]"},
      {"pipeline --cadence train --train-every 0s", "--train-every: expected a duration > 0"},
      {"pipeline --stage tests=30min:1.2", "--stage: stage \"tests\" catch"},
      {"pipeline --stage tests", "expected NAME=DURATION:CATCH"},
      {"pipeline --stage tests=30min:lots", "catch \"lots\" is not a number"},
      {"pipeline --horizon 1h", "--horizon: 1h is shorter than one change's mean trip"},
      {"pipeline --sweep-train-every 1d,0s", "--sweep-train-every: expected durations > 0"},
      {"pipeline --canary-catch -1", "--canary-catch: expected"},
      {"pipeline --deploy-time soon", "--deploy-time: \"soon\""},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_deploysim(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(contains(r.err, "error: ")) << r.err;
    EXPECT_TRUE(contains(r.err, message)) << args << "\n" << r.err;
  }
}

TEST(DeliveryCli, PipelineConfigWithSetWritesSeriesAndIncidents) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto days = dir / "deploysim_pipeline_days.csv";
  const auto incidents = dir / "deploysim_pipeline_incidents.csv";
  const auto r = run_deploysim(
      "pipeline --config " DEPLOYSIM_SOURCE_DIR
      "/examples/delivery/pipeline_daily_train.json "
      "--set horizon=20d --set defect_probability=0.2 --replicas 2 --json --timeseries " +
      days.string() + " --incidents " + incidents.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["config"]["horizon"], "20d");
  EXPECT_EQ(j["config"]["defect_probability"], 0.2);
  ASSERT_EQ(j["first_replica"]["days"].size(), 20u);
  std::ifstream day_csv(days);
  std::string header;
  std::getline(day_csv, header);
  EXPECT_EQ(header,
            "day,deployments,changes_deployed,mean_batch_size,lead_time_median_h,incidents,"
            "loss_usd,failed_deployments,canary_rollbacks");
  int rows = 0;
  for (std::string row; std::getline(day_csv, row);) ++rows;
  EXPECT_EQ(rows, 20);
  std::ifstream incident_csv(incidents);
  std::getline(incident_csv, header);
  EXPECT_EQ(header,
            "start_s,detected_s,recovered_s,changes,defective_changes,loss_usd,stopped_by_canary");
  rows = 0;
  for (std::string row; std::getline(incident_csv, row);) ++rows;
  EXPECT_EQ(rows, static_cast<int>(j["first_replica"]["incident_log"].size()));
  EXPECT_GT(rows, 0);
  std::filesystem::remove(days);
  std::filesystem::remove(incidents);
}

TEST(DeliveryCli, ConfigAndModelFlagsDoNotMix) {
  const std::pair<std::string, std::string> cases[] = {
      {"pipeline --config " DEPLOYSIM_SOURCE_DIR
       "/examples/delivery/pipeline_daily_train.json --changes-per-day 5",
       "--changes-per-day: model flags cannot be combined with --config"},
      {"pipeline --set changes_per_day=5", "--set changes a --config file's values"},
      {"drift --config " DEPLOYSIM_SOURCE_DIR "/examples/delivery/drift_puppet.json --hosts 5",
       "--hosts: model flags cannot be combined with --config"},
      {"drift --config " DEPLOYSIM_SOURCE_DIR "/examples/delivery/drift_puppet.json --set "
       "interval=0s",
       "/interval: expected a duration longer than zero"},
      {"pipeline --config " DEPLOYSIM_SOURCE_DIR "/examples/delivery/pipeline_daily_train.json "
       "--set stagez.0.catch_probability=1",
       "did you mean \"stages\""},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_deploysim(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(contains(r.err, message)) << args << "\n" << r.err;
  }
}

TEST(DeliveryCli, DriftConfigWritesSeriesHostTimesAndIncidents) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto hosts = dir / "deploysim_drift_hosts.csv";
  const auto incidents = dir / "deploysim_drift_incidents.csv";
  const auto r = run_deploysim("drift --config " DEPLOYSIM_SOURCE_DIR
                               "/examples/delivery/drift_puppet.json --set horizon=5d --set "
                               "hosts=40 --replicas 2 --json --host-times " +
                               hosts.string() + " --incidents " + incidents.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["config"]["hosts"], 40);
  EXPECT_EQ(j["first_replica"]["time_in_drift_s"].size(), 40u);
  std::ifstream host_csv(hosts);
  int rows = 0;
  for (std::string row; std::getline(host_csv, row);) ++rows;
  EXPECT_EQ(rows, 41);
  std::ifstream incident_csv(incidents);
  rows = 0;
  for (std::string row; std::getline(incident_csv, row);) ++rows;
  EXPECT_EQ(rows, 1 + static_cast<int>(j["first_replica"]["incidents"].size()));
  std::filesystem::remove(hosts);
  std::filesystem::remove(incidents);
}

}  // namespace
}  // namespace deploysim::testing

namespace deploysim::testing {
namespace {

TEST(DeliveryCli, CostCurveByPlaceAndTime) {
  const auto csv = std::filesystem::temp_directory_path() / "deploysim_cost_curve.csv";
  const auto r = run_deploysim("pipeline --config " DEPLOYSIM_SOURCE_DIR
                               "/examples/delivery/pipeline_cost_of_defects.json "
                               "--set horizon=20d --replicas 2 --cost-curve --json --csv " +
                               csv.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["by_place"].size(), 5u);
  EXPECT_EQ(j["by_place"][4]["found_in"], "production");
  EXPECT_GT(j["by_place"][4]["cost_per_defect_usd"].get<double>(),
            j["by_place"][0]["cost_per_defect_usd"].get<double>());
  EXPECT_EQ(j["curve"].size(), 7u);
  EXPECT_EQ(j["shift_left"][4]["shift"], 1.0);
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header,
            "kind,name,from_days,to_days,defects_per_run,cost_per_defect_usd,mean_days_to_find,"
            "incident_per_defect_usd");
  int rows = 0;
  for (std::string row; std::getline(in, row);) ++rows;
  EXPECT_EQ(rows, 7 + 5);
  std::filesystem::remove(csv);

  const auto text = run_deploysim("pipeline --replicas 2 --horizon 10d --cost-curve");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Shift left"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("x first stage"), std::string::npos) << text.out;
}

TEST(DeliveryCli, PipelineReportsTheReworkRateAndDefectCost) {
  const auto r = run_deploysim("pipeline --replicas 2 --horizon 20d --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["rework_rate"].is_object());
  EXPECT_GT(j["defect_cost"]["total_per_run"]["mean"].get<double>(), 0.0);
  EXPECT_TRUE(j["first_replica"]["dora"].contains("rework_rate"));
}

}  // namespace
}  // namespace deploysim::testing

namespace deploysim::testing {
namespace {

// The core names the quantity; the command puts the flag that set it in its place, so the
// message names what the user typed.
TEST(DeliveryCli, ErrorsFromFlagsNameTheFlag) {
  const std::pair<std::string, std::string> cases[] = {
      {"pipeline --defect-probability 1.5",
       "error: --defect-probability: expected a probability in [0, 1], found 1.5"},
      {"drift --hosts 0", "error: --hosts: expected at least 1, found 0"},
      {"roi --build-hours -1 --rate 1 --manual-time 1h --automated-time 1min --deploys 1",
       "error: --build-hours: expected a number from 0 to 1e12, found -1"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_deploysim(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace deploysim::testing
