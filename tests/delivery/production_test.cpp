// The production stage through a rollout scenario: calibration from Simulation runs, and what it
// changes in the pipeline (a canary stops defects an all-at-once deploy lets through).

#include "delivery/production.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "delivery/config.hpp"
#include "delivery/pipeline.hpp"

namespace deploysim::delivery {
namespace {

namespace fs = std::filesystem;

const fs::path kProductionExamples = fs::path(DEPLOYSIM_SOURCE_DIR) / "examples" / "delivery";

// The example pipeline at a size a unit test can afford, with the given production scenario.
PipelineConfig pipeline_through(const std::string& production_example) {
  return load_pipeline_config(
      kProductionExamples / production_example,
      {"changes_per_day=200", "horizon=60d", "production.calibration_runs=12"});
}

TEST(ProductionStage, CanaryCalibrationStopsDefectsOnOnePercentOfTheFleet) {
  const auto config = pipeline_through("pipeline_canary_1000.json");
  ASSERT_TRUE(config.production.has_value());
  const auto& p = *config.production;
  EXPECT_EQ(p.fleet_hosts, 1000);
  ASSERT_EQ(p.defective.size(), 12u);
  ASSERT_EQ(p.clean_deploy_s.size(), 12u);
  EXPECT_GE(p.stop_probability, 0.9);
  for (const auto& run : p.defective) {
    if (!run.stopped) continue;
    // Stopped at the first canary step: 1% of the hosts, for minutes, not the whole deploy.
    EXPECT_NEAR(run.exposed_share, 0.01, 1e-12);
    EXPECT_GT(run.exposure_s, 0.0);
    EXPECT_LT(run.busy_s, 0.5 * p.mean_clean_deploy_s);
  }
  // Two ten-minute analyses and the installs: the clean deploy takes over twenty minutes.
  EXPECT_GT(p.mean_clean_deploy_s, 20 * 60.0);
}

TEST(ProductionStage, AllAtOnceNeverStopsAndExposesEveryHost) {
  const auto config = pipeline_through("pipeline_all_at_once_1000.json");
  const auto& p = *config.production;
  EXPECT_EQ(p.stop_probability, 0.0);
  EXPECT_DOUBLE_EQ(p.escaped_exposed_share, 1.0);
  for (const auto& run : p.defective) EXPECT_FALSE(std::isnan(run.detect_s));
}

TEST(ProductionStage, CalibrationIsDeterministic) {
  const auto a = pipeline_through("pipeline_canary_1000.json");
  const auto b = pipeline_through("pipeline_canary_1000.json");
  EXPECT_EQ(nlohmann::json(*a.production), nlohmann::json(*b.production));
  EXPECT_EQ(nlohmann::json(simulate_pipeline(a, 3)), nlohmann::json(simulate_pipeline(b, 3)));
}

TEST(ProductionStage, CanaryCatchesMoreDefectsAndLosesLessThanAllAtOnce) {
  const auto canary = pipeline_through("pipeline_canary_1000.json");
  const auto all_at_once = pipeline_through("pipeline_all_at_once_1000.json");
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto c = simulate_pipeline(canary, seed);
    const auto a = simulate_pipeline(all_at_once, seed);
    // The same change stream: the stages let the same defects through to production.
    EXPECT_EQ(c.changes, a.changes);
    EXPECT_EQ(c.defects, a.defects);
    EXPECT_GT(c.canary_rollbacks, 0);
    EXPECT_EQ(a.canary_rollbacks, 0);
    EXPECT_LT(c.incidents, a.incidents) << "seed " << seed;
    EXPECT_LT(c.loss_usd, a.loss_usd) << "seed " << seed;
    EXPECT_GT(a.incidents, 0);
    for (const auto& incident : c.incident_log) {
      if (incident.stopped_by_canary) {
        EXPECT_LE(incident.recovered_s - incident.start_s, 3600.0);
      }
    }
  }
}

TEST(ProductionStage, ReplicasDoNotDependOnThreads) {
  const auto config = pipeline_through("pipeline_canary_1000.json");
  const auto one = run_pipeline_replicas(config, 4, 1, 9);
  const auto two = run_pipeline_replicas(config, 4, 2, 9);
  EXPECT_EQ(nlohmann::json(one), nlohmann::json(two));
  EXPECT_GT(one[0].canary_rollbacks, 0);
}

TEST(ProductionStage, ConfigJsonCarriesTheCalibrationAndReadsBack) {
  const auto config = pipeline_through("pipeline_canary_1000.json");
  const nlohmann::json j = config;
  EXPECT_FALSE(j.contains("deploy_time"));
  EXPECT_EQ(j["production"]["scenario"], "production/canary_1000.json");
  EXPECT_EQ(j["production"]["calibration"]["fleet_hosts"], 1000);
  const auto again = pipeline_config_from_json(j, "again.json", kProductionExamples);
  EXPECT_EQ(nlohmann::json(again), j);
}

}  // namespace
}  // namespace deploysim::delivery
