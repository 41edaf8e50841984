#include "strategy/rolling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "engine/trace.hpp"
#include "rolling_fixture.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy {
namespace {

using engine::Duration;
using engine::Time;
using rolling_fixture::rolling_scenario;
using rolling_fixture::story_detail;
using rolling_fixture::story_time;
using rolling_fixture::version;
using simulation::Simulation;
using testing::scenario_from_json;

TEST(RollingBatches, ExactlyBatchSizeHostsAtATime) {
  const auto scenario = scenario_from_json(rolling_scenario(10, R"("batch_size": 3)"));
  Simulation simulation(scenario, 1);
  const auto v2 = version(simulation, "v2");
  // Sample between events: at 15 s into each 30 s batch, the batch is out of rotation.
  const std::int64_t expected_down[] = {3, 3, 3, 1};
  const std::int64_t expected_done[] = {0, 3, 6, 9};
  for (int batch = 0; batch < 4; ++batch) {
    simulation.run_until(Time::zero() + Duration::seconds(60 + 30 * batch + 15));
    const auto& fleet = simulation.world().fleet();
    EXPECT_EQ(10 - fleet.totals().serving_hosts, expected_down[batch]) << "batch " << batch;
    EXPECT_EQ(fleet.hosts_on_version(v2), expected_done[batch]) << "batch " << batch;
  }
  std::int64_t max_down = 0;
  while (simulation.step()) {
    max_down = std::max(max_down, 10 - simulation.world().fleet().totals().serving_hosts);
  }
  EXPECT_LE(max_down, 3);
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 10);
  EXPECT_EQ(result.summary.hosts_total, 10);  // in place: no host added
  EXPECT_EQ(story_time(result, "deploy_completed"), Time::zero() + Duration::seconds(60 + 4 * 30));
}

TEST(RollingBatches, MinReadyPausesBetweenBatches) {
  const auto scenario =
      scenario_from_json(rolling_scenario(10, R"("batch_size": 3, "min_ready": "20s")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(story_time(result, "deploy_completed"),
            Time::zero() + Duration::seconds(60 + 4 * 30 + 3 * 20));
}

TEST(RollingBatches, FailedHostStopsTheRolloutAfterItsBatch) {
  const auto scenario =
      scenario_from_json(rolling_scenario(10, R"("batch_size": 3)", R"("install": "30s")", "v3"));
  Simulation simulation(scenario, 1);
  simulation.run();
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "failed");
  EXPECT_EQ(story_time(result, "deploy_failed"), Time::zero() + Duration::seconds(90));
  EXPECT_NE(story_detail(result, "deploy_failed").find("3 of 3 host(s) of batch 1 failed"),
            std::string::npos);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 3);
  // The other seven were never touched.
  EXPECT_EQ(simulation.world().fleet().hosts_on_version(version(simulation, "v1")), 7);
  EXPECT_EQ(simulation.world().fleet().totals().serving_hosts, 7);
}

TEST(RollingBatches, FailedInstallsAreRetriedThenFail) {
  // Every install fails: 3 attempts of 30 s with 10 s between them, then the batch fails.
  const auto scenario = scenario_from_json(
      rolling_scenario(6, R"("batch_size": 2)",
                       R"("install": "30s", "install_failure_probability": 1, "max_retries": 2,
         "retry_delay": "10s")"));
  engine::MemoryTraceSink trace;
  const auto result = simulation::run(scenario, 1, &trace);
  EXPECT_EQ(result.summary.deploy_outcome, "failed");
  EXPECT_EQ(story_time(result, "deploy_failed"),
            Time::zero() + Duration::seconds(60 + 30 + 10 + 30 + 10 + 30));
  const auto retries = std::count_if(trace.records.begin(), trace.records.end(),
                                     [](const auto& r) { return r.event == "install_failed"; });
  EXPECT_EQ(retries, 2 * 2);  // two retries for each host of the first batch
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
}

TEST(RollingBatches, FlakyInstallsSucceedOnRetry) {
  const auto scenario = scenario_from_json(
      rolling_scenario(10, R"("batch_size": 2)",
                       R"("install": "30s", "install_failure_probability": 0.3, "max_retries": 20,
         "retry_delay": "10s")"));
  engine::MemoryTraceSink trace;
  const auto result = simulation::run(scenario, 4, &trace);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 10);
  const auto retries = std::count_if(trace.records.begin(), trace.records.end(),
                                     [](const auto& r) { return r.event == "install_failed"; });
  EXPECT_GT(retries, 0);
  // Each retry costs a batch at least 40 s more than the 5 × 30 s without failures.
  const auto finished = story_time(result, "deploy_completed");
  ASSERT_TRUE(finished.has_value());
  EXPECT_GE(*finished, Time::zero() + Duration::seconds(60 + 5 * 30 + 40));
}

TEST(RollingBatches, ProgressDeadlineFailsASlowRollout) {
  const auto scenario = scenario_from_json(rolling_scenario(
      4, R"("batch_size": 2, "progress_deadline": "10min")", R"("install": "15min")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "failed");
  EXPECT_EQ(story_time(result, "deploy_failed"), Time::zero() + Duration::minutes(11));
  EXPECT_NE(story_detail(result, "deploy_failed").find("progress deadline exceeded"),
            std::string::npos);
  // The playbook stops after the batch in flight: two hosts done, two untouched.
  EXPECT_EQ(result.summary.hosts_on_target_version, 2);
}

TEST(RollingBatches, RollbackRevertsTouchedHostsBatchByBatch) {
  const auto scenario = scenario_from_json(
      rolling_scenario(10, R"("batch_size": 3)", R"("install": "30s")", "v3",
                       R"(, "timeline": [{"at": "5min", "do": "rollback_code"}])"));
  Simulation simulation(scenario, 1);
  simulation.run();
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  const auto& fleet = simulation.world().fleet();
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v1")), 10);
  EXPECT_EQ(fleet.totals().serving_hosts, 10);
  EXPECT_EQ(fleet.totals().misbehaving_hosts, 0);
  // The three crashed hosts reinstall v1 in one batch.
  EXPECT_EQ(story_time(result, "rollback_completed"),
            Time::zero() + Duration::minutes(5) + Duration::seconds(30));
}

TEST(RollingBatches, BatchSizeChoosesBatchesInPlace) {
  // make_strategy's choice, seen in the story: the batches' opening record, and no host ever
  // added (the controller would surge new pods).
  const auto scenario = scenario_from_json(rolling_scenario(8, R"("batch_size": 2)"));
  Simulation simulation(scenario, 1);
  std::int64_t most_live = 0;
  while (simulation.step()) {
    most_live = std::max(most_live, simulation.world().fleet().totals().live_hosts);
  }
  const auto result = simulation.result();
  EXPECT_NE(story_detail(result, "rolling_batches").find("8 host(s) in place, 2 at a time"),
            std::string::npos);
  EXPECT_FALSE(story_time(result, "rolling_update").has_value());
  EXPECT_EQ(most_live, 8);
}

TEST(RollingBatches, SameSeedSameSummary) {
  const auto scenario = scenario_from_json(
      rolling_scenario(40, R"("batch_size": 4)",
                       R"x("install": "lognormal(40s, 0.5)", "install_failure_probability": 0.2,
         "retry_delay": "15s", "health_check": "5s")x"));
  const auto first = simulation::run(scenario, 11).summary.to_json().dump();
  const auto second = simulation::run(scenario, 11).summary.to_json().dump();
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace deploysim::strategy
