#include "delivery/pipeline.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "experiment/runner.hpp"
#include "experiment/statistics.hpp"

namespace deploysim::delivery {
namespace {

using engine::Distribution;
using engine::Duration;

Distribution dur(const char* text) {
  return Distribution::parse(text, Distribution::Unit::duration);
}

TEST(Pipeline, DeterministicForASeed) {
  auto c = default_pipeline();
  c.horizon = Duration::days(30);
  const auto a = simulate_pipeline(c, 5);
  const auto b = simulate_pipeline(c, 5);
  EXPECT_EQ(a.deployments.size(), b.deployments.size());
  EXPECT_EQ(a.loss_usd, b.loss_usd);
  EXPECT_EQ(a.dora.lead_time_median_s, b.dora.lead_time_median_s);
  EXPECT_GT(a.changes, 400);
  EXPECT_LE(a.dora.changes_delivered, a.changes);
}

TEST(Pipeline, NoDefectsNoIncidents) {
  auto c = default_pipeline();
  c.defect_probability = 0.0;
  c.horizon = Duration::days(20);
  const auto r = simulate_pipeline(c, 1);
  EXPECT_EQ(r.incidents, 0);
  EXPECT_EQ(r.loss_usd, 0.0);
  EXPECT_DOUBLE_EQ(r.dora.change_fail_rate, 0.0);
}

TEST(Pipeline, EveryDefectIsCaughtOrBecomesAnIncidentOrCanaryStop) {
  auto c = default_pipeline();
  c.defect_probability = 1.0;                 // every change is defective
  c.stages = {{"tests", dur("10min"), 1.0}};  // and the tests catch them all
  c.horizon = Duration::days(10);
  const auto r = simulate_pipeline(c, 2);
  EXPECT_EQ(r.defects, r.changes);
  EXPECT_EQ(r.defects_caught_in_stages, r.defects);
  EXPECT_EQ(r.incidents, 0);
}

TEST(Pipeline, TrainsBatchChangesAndDeployLessOften) {
  auto c = default_pipeline();
  c.changes_per_day = 10;
  c.defect_probability = 0.0;
  // Half a day past the tenth train, so that its deploy lands inside the window.
  c.horizon = Duration::days(70) + Duration::hours(12);
  const auto continuous = simulate_pipeline(c, 3);
  c.cadence = ReleaseCadence::train;
  c.train_interval = Duration::days(7);
  const auto weekly = simulate_pipeline(c, 3);
  EXPECT_NEAR(weekly.dora.deploys_per_day, 1.0 / 7.0, 0.02);
  EXPECT_GT(weekly.mean_changes_per_deployment, 60.0);
  EXPECT_LT(continuous.mean_changes_per_deployment, 2.0);
  EXPECT_GT(weekly.dora.lead_time_median_s, 10 * continuous.dora.lead_time_median_s);
  // Weekly sits on DORA's high/medium edge; the window's end decides, so only "not elite".
  EXPECT_NE(classify_dora(weekly.dora).deployment_frequency, DoraLevel::elite);
  EXPECT_EQ(classify_dora(continuous.dora).deployment_frequency, DoraLevel::elite);
}

TEST(Pipeline, BiggerBatchesFailMoreOftenAndRecoverSlower) {
  // "Faster is safer": the same changes released daily vs weekly, over 20 replicas.
  auto c = default_pipeline();
  c.changes_per_day = 10;
  c.defect_probability = 0.02;
  c.cadence = ReleaseCadence::train;
  c.horizon = Duration::days(180);
  experiment::RunningStats cfr_daily, cfr_weekly, recovery_daily, recovery_weekly;
  for (std::uint64_t r = 0; r < 20; ++r) {
    const auto seed = experiment::replica_seed(9, r);
    c.train_interval = Duration::days(1);
    const auto daily = simulate_pipeline(c, seed);
    c.train_interval = Duration::days(7);
    const auto weekly = simulate_pipeline(c, seed);
    cfr_daily.add(daily.dora.change_fail_rate);
    cfr_weekly.add(weekly.dora.change_fail_rate);
    recovery_daily.add(daily.dora.recovery_median_s);
    recovery_weekly.add(weekly.dora.recovery_median_s);
  }
  EXPECT_GT(experiment::t_interval(cfr_weekly).low, experiment::t_interval(cfr_daily).high);
  EXPECT_GT(experiment::t_interval(recovery_weekly).low,
            experiment::t_interval(recovery_daily).high);
}

TEST(Pipeline, DiagnosisGrowsWithChangesInTheRelease) {
  auto c = default_pipeline();
  c.defect_probability = 1.0;
  c.stages = {};
  c.cadence = ReleaseCadence::train;
  c.train_interval = Duration::days(1);
  c.detect_time = dur("0s");
  c.repair_time = dur("0s");
  c.diagnose_time = dur("10min");
  c.diagnosis_growth_per_change = 0.5;
  c.horizon = Duration::days(3);
  const auto r = simulate_pipeline(c, 4);
  ASSERT_FALSE(r.deployments.empty());
  for (const auto& d : r.deployments) {
    ASSERT_TRUE(d.failed);
    const double expected = 600.0 * (1.0 + 0.5 * static_cast<double>(d.changes - 1));
    EXPECT_NEAR(*d.recovered_s - d.finished_s, expected, 1e-3);
  }
}

TEST(Pipeline, ReplicasDoNotDependOnThreadsAndKeepTheFirstLog) {
  auto c = default_pipeline();
  c.horizon = Duration::days(20);
  PipelineRun first;
  const auto one = run_pipeline_replicas(c, 6, 1, 8, &first);
  const auto four = run_pipeline_replicas(c, 6, 4, 8);
  ASSERT_EQ(one.size(), 6u);
  for (std::size_t r = 0; r < one.size(); ++r) {
    EXPECT_EQ(one[r].loss_usd, four[r].loss_usd);
    EXPECT_EQ(one[r].dora.lead_time_median_s, four[r].dora.lead_time_median_s);
    EXPECT_EQ(one[r].events_processed, four[r].events_processed);
  }
  EXPECT_EQ(static_cast<std::int64_t>(first.deployments.size()), one[0].dora.deployments);
  EXPECT_EQ(simulate_pipeline(c, experiment::replica_seed(8, 0)).loss_usd, one[0].loss_usd);
}

TEST(Pipeline, BadInputIsRefused) {
  auto expect_refused = [](const PipelineConfig& c, const char* what) {
    try {
      validate(c);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto c = default_pipeline();
  c.changes_per_day = 0;
  expect_refused(c, "change rate");
  c = default_pipeline();
  c.defect_probability = 1.1;
  expect_refused(c, "defect probability");
  c = default_pipeline();
  c.stages[1].catch_probability = -0.2;
  expect_refused(c, "stage \"tests\" catch");
  c = default_pipeline();
  c.cadence = ReleaseCadence::train;
  c.train_interval = Duration::milliseconds(0);
  expect_refused(c, "train interval");
  c = default_pipeline();
  c.horizon = Duration::hours(1);
  expect_refused(c, "shorter than one change's mean trip");
  c = default_pipeline();
  c.canary_catch_probability = 2;
  expect_refused(c, "canary catch");
}

}  // namespace
}  // namespace deploysim::delivery
