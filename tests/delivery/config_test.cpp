// Delivery models from JSON: the bad-input corpus (tests/data/bad/delivery), round trips of the
// JSON forms, the bundled examples, and the per-day series and incident log they feed.

#include "delivery/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "input/input_error.hpp"
#include "input/json_reader.hpp"

namespace deploysim::delivery {
namespace {

namespace fs = std::filesystem;

const fs::path kBadDir = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / "delivery";
const fs::path kConfigExamples = fs::path(DEPLOYSIM_SOURCE_DIR) / "examples" / "delivery";

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == extension) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Loads NAME.json from the corpus directory (so messages name it as a user in that directory
// sees it) as a pipeline, drift or ROI file by its prefix; returns the error message.
std::string load_bad(const std::string& name) {
  const auto previous = fs::current_path();
  fs::current_path(kBadDir);
  const fs::path stem = fs::path(name).stem();
  const fs::path set_file = kBadDir / (stem.string() + ".set");
  const auto overrides = fs::exists(set_file) ? lines_of(set_file) : std::vector<std::string>{};
  std::string message = "loaded without an error";
  try {
    if (name.starts_with("pipeline_")) {
      load_pipeline_config(name, overrides);
    } else if (name.starts_with("roi_")) {
      roi_inputs_from_json(input::load_json_file(name), name);
    } else {
      load_drift_config(name, overrides);
    }
  } catch (const input::InputError& error) {
    message = error.what();
    // Problems inside a production scenario name that scenario instead.
    for (const auto& problem : error.problems()) {
      EXPECT_TRUE(problem.file == name || problem.file.find("production/") != std::string::npos)
          << problem.message();
    }
  } catch (const std::exception& error) {
    message = std::string("another exception type: ") + error.what();
  }
  fs::current_path(previous);
  return message;
}

TEST(DeliveryBadInput, EveryFileFailsWithItsExpectedMessage) {
  const auto names = files_in(kBadDir, ".json");
  ASSERT_GE(names.size(), 20u);
  for (const auto& name : names) {
    ASSERT_TRUE(name.starts_with("pipeline_") || name.starts_with("drift_") ||
                name.starts_with("roi_"))
        << name;
    const fs::path expected = kBadDir / (fs::path(name).stem().string() + ".expected");
    ASSERT_TRUE(fs::exists(expected)) << name << " has no .expected file";
    const auto lines = lines_of(expected);
    std::string joined;
    for (const auto& line : lines) joined += (joined.empty() ? "" : "\n") + line;
    EXPECT_EQ(load_bad(name), joined) << name;
  }
}

TEST(DeliveryConfig, PipelineRoundTripsThroughJson) {
  PipelineConfig config = default_pipeline();
  config.cadence = ReleaseCadence::train;
  config.train_interval = engine::Duration::hours(6);
  config.canary_catch_probability = 0.4;
  const nlohmann::json written = config;
  const auto read = pipeline_config_from_json(written, "round trip");
  EXPECT_EQ(nlohmann::json(read), written);
  EXPECT_EQ(read.cadence, ReleaseCadence::train);
  EXPECT_EQ(read.train_interval, engine::Duration::hours(6));
  ASSERT_EQ(read.stages.size(), config.stages.size());
  EXPECT_EQ(read.stages[1].name, "tests");
}

TEST(DeliveryConfig, DriftRoundTripsThroughJson) {
  DriftConfig config;
  config.hosts = 321;
  config.mode = DriftMode::immutable;
  config.interval = engine::Duration::hours(12);
  config.success_probability = 0.9;
  const nlohmann::json written = config;
  const auto read = drift_config_from_json(written, "round trip");
  EXPECT_EQ(nlohmann::json(read), written);
  EXPECT_EQ(read.hosts, 321);
  EXPECT_EQ(read.mode, DriftMode::immutable);
}

TEST(DeliveryConfig, AbsentKeysKeepTheDefaults) {
  const auto pipeline = pipeline_config_from_json(nlohmann::json::object(), "empty");
  EXPECT_EQ(nlohmann::json(pipeline), nlohmann::json(default_pipeline()));
  // An immutable replacement succeeds unless told otherwise; a converge run 95% of the time.
  EXPECT_EQ(drift_config_from_json({{"mode", "immutable"}}, "x").success_probability, 1.0);
  EXPECT_EQ(drift_config_from_json(nlohmann::json::object(), "x").success_probability, 0.95);
}

TEST(DeliveryConfig, CatchSharesBecomeConditionalCatches) {
  // Shares 20%, 40%, 12% of all defects: the second stage sees 80% of them and catches half,
  // the third sees 40% and catches 30%.
  const auto config = pipeline_config_from_json(nlohmann::json::parse(R"({"stages": [
        {"name": "a", "duration": "1min", "catch_share": 0.2},
        {"name": "b", "duration": "1min", "catch_share": 0.4},
        {"name": "c", "duration": "1min", "catch_share": 0.12}]})"),
                                                "shares");
  ASSERT_EQ(config.stages.size(), 3u);
  EXPECT_NEAR(config.stages[0].catch_probability, 0.2, 1e-12);
  EXPECT_NEAR(config.stages[1].catch_probability, 0.5, 1e-12);
  EXPECT_NEAR(config.stages[2].catch_probability, 0.3, 1e-12);
}

TEST(DeliveryConfig, OverridesUseTheRunSetSyntax) {
  const auto config = load_pipeline_config(
      kConfigExamples / "pipeline_daily_train.json",
      {"changes_per_day=7", "stages.1.catch_probability=0.9", "train_interval=12h"});
  EXPECT_EQ(config.changes_per_day, 7.0);
  EXPECT_EQ(config.stages[1].catch_probability, 0.9);
  EXPECT_EQ(config.train_interval, engine::Duration::hours(12));
}

TEST(DeliveryConfig, RoiInputsReadAndRequireTheirKeys) {
  const auto in = roi_inputs_from_json({{"build_hours", 80},
                                        {"hourly_rate_usd", 100},
                                        {"manual_hours_per_deploy", 2},
                                        {"automated_hours_per_deploy", 0.25},
                                        {"deploys_per_period", 3},
                                        {"horizon_periods", 52}},
                                       "roi.json");
  EXPECT_EQ(in.build_hours, 80.0);
  EXPECT_EQ(nlohmann::json(in)["deploys_per_period"], 3.0);
  // The hand-computed case of docs/delivery.md, read from JSON: $8,000 to build, $2,100 a week
  // by hand against $575 automated, so break-even after 8000 / 1525 weeks.
  auto hand = nlohmann::json(in);
  hand["maintenance_hours_per_period"] = 2;
  hand["manual_loss_per_deploy_usd"] = 500;
  hand["automated_loss_per_deploy_usd"] = 100;
  const auto result = compute_roi(roi_inputs_from_json(hand, "roi.json"));
  ASSERT_TRUE(result.break_even_periods.has_value());
  EXPECT_NEAR(*result.break_even_periods, 8000.0 / 1525.0, 1e-12);
  EXPECT_NEAR(*result.break_even_deploys, 3.0 * 8000.0 / 1525.0, 1e-12);
  EXPECT_TRUE(nlohmann::json(result)["series"].is_array());
  EXPECT_THROW(roi_inputs_from_json({{"build_hours", 80}}, "roi.json"), input::InputError);
}

TEST(DeliveryExamples, EveryExampleLoadsAndRuns) {
  const auto names = files_in(kConfigExamples, ".json");
  ASSERT_GE(names.size(), 4u);
  for (const auto& name : names) {
    const fs::path path = kConfigExamples / name;
    if (name.starts_with("pipeline")) {
      auto config = load_pipeline_config(path, {"horizon=14d", "changes_per_day=50"});
      const auto run = simulate_pipeline(config, 7);
      EXPECT_GT(run.dora.deployments, 0) << name;
      EXPECT_EQ(nlohmann::json(simulate_pipeline(config, 7)), nlohmann::json(run)) << name;
    } else {
      ASSERT_TRUE(name.starts_with("drift")) << name;
      const auto config = load_drift_config(path, {"horizon=3d", "warmup=1d"});
      const auto run = simulate_drift(config, 7);
      EXPECT_GT(run.drift_events, 0) << name;
    }
  }
}

TEST(PipelineOutputs, DaysAndIncidentsAddUpToTheRun) {
  auto config = default_pipeline();
  config.changes_per_day = 100;
  config.defect_probability = 0.2;
  config.cadence = ReleaseCadence::train;
  config.horizon = engine::Duration::hours(24 * 30 + 12);
  const auto run = simulate_pipeline(config, 3);
  ASSERT_EQ(run.days.size(), 31u);  // the half day at the end is a day of its own
  std::int64_t deployments = 0, changes = 0, failed = 0, incidents = 0;
  double loss = 0.0;
  for (const auto& day : run.days) {
    deployments += day.deployments;
    changes += day.changes_deployed;
    failed += day.failed_deployments;
    incidents += day.incidents;
    loss += day.loss_usd;
    if (day.deployments > 0) {
      EXPECT_DOUBLE_EQ(day.mean_batch_size, static_cast<double>(day.changes_deployed) /
                                                static_cast<double>(day.deployments));
    } else {
      EXPECT_TRUE(std::isnan(day.mean_batch_size));
    }
  }
  EXPECT_EQ(deployments, run.dora.deployments);
  EXPECT_EQ(failed, run.dora.failed_deployments);
  EXPECT_EQ(incidents, run.incidents);
  EXPECT_EQ(static_cast<std::int64_t>(run.incident_log.size()), run.incidents);
  EXPECT_NEAR(loss, run.loss_usd, 1e-6 * run.loss_usd);
  EXPECT_GT(run.incidents, 5);
  for (const auto& incident : run.incident_log) {
    EXPECT_LE(incident.start_s, incident.detected_s);
    EXPECT_LT(incident.detected_s, incident.recovered_s);
    EXPECT_GE(incident.defective_changes, 1);
    EXPECT_LE(incident.defective_changes, incident.changes);
    EXPECT_GT(incident.loss_usd, 0.0);
  }
  // A train a day: about one deployment a day, each a day's worth of changes.
  EXPECT_NEAR(static_cast<double>(changes) / static_cast<double>(deployments), 100.0, 15.0);
}

TEST(PipelineOutputs, JsonCarriesTheSeriesAndUndefinedValuesAsNull) {
  auto config = default_pipeline();
  config.cadence = ReleaseCadence::train;
  config.train_interval = engine::Duration::days(7);
  config.horizon = engine::Duration::days(21);
  const nlohmann::json j = simulate_pipeline(config, 1);
  ASSERT_EQ(j["days"].size(), 21u);
  // Weekly trains: the first day has no deployment, so no batch size and no lead time.
  EXPECT_TRUE(j["days"][0]["mean_batch_size"].is_null());
  EXPECT_TRUE(j["days"][0]["lead_time_median_s"].is_null());
  EXPECT_EQ(j["days"][7]["deployments"], 1);
  EXPECT_TRUE(j["dora_2024"]["overall"].is_string());
  EXPECT_EQ(j["incident_log"].size(), j["incidents"].get<std::size_t>());
}

TEST(DriftOutputs, IncidentsRecordTheDeploysThatWentWrong) {
  DriftConfig config;
  config.hosts = 50;
  config.drift_rate_per_day = 1.0;
  config.interval = engine::Duration::hours(6);
  config.horizon = engine::Duration::days(10);
  config.deploy_every = engine::Duration::hours(12);
  config.deploy_failure_if_drifted = 0.5;
  const auto run = simulate_drift(config, 5);
  ASSERT_EQ(static_cast<std::int64_t>(run.incidents.size()), run.deploy_incidents);
  ASSERT_GT(run.deploy_incidents, 0);
  std::int64_t bad = 0;
  for (const auto& incident : run.incidents) {
    EXPECT_GE(incident.bad_hosts, 1);
    EXPECT_LE(incident.bad_hosts, incident.drifted_hosts);
    EXPECT_NEAR(std::fmod(incident.time_s, 12 * 3600.0), 0.0, 1e-9);
    bad += incident.bad_hosts;
  }
  EXPECT_EQ(bad, run.bad_host_deploys);
  const nlohmann::json j = run;
  EXPECT_EQ(j["time_in_drift_s"].size(), 50u);
  EXPECT_EQ(j["incidents"].size(), run.incidents.size());
}

}  // namespace
}  // namespace deploysim::delivery
