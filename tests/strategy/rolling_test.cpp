#include "strategy/rolling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "engine/trace.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy {
namespace {

using engine::Duration;
using engine::Time;
using simulation::Simulation;
using spec::CountOrPercent;
using testing::scenario_from_json;

CountOrPercent percent(double value) {
  return {value, true};
}
CountOrPercent count(double value) {
  return {value, false};
}

// One service, `hosts` hosts on v1, a deployment of `to` at 1 min with the given strategy keys
// and host_update keys. v2 is healthy, v3 crashes on start.
std::string rolling_scenario(int hosts, const std::string& strategy,
                             const std::string& host_update = R"("install": "30s")",
                             const std::string& to = "v2", const std::string& extra = "") {
  return R"({
    "name": "rolling",
    "clock": {"end": "2h"},
    "behaviours": {"crash": {"kind": "crash_on_start"}},
    "services": {"web": {"versions": {"v1": {}, "v2": {}, "v3": {"behaviour": "crash"}}}},
    "fleet": {"web": {"hosts": )" +
         std::to_string(hosts) + R"(, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": ")" +
         to + R"(", "start": "1min",
                   "strategy": {"type": "rolling")" +
         (strategy.empty() ? "" : ", " + strategy) + R"(},
                   "host_update": {)" +
         host_update + R"(}})" + extra + "}";
}

model::VersionIndex version(const Simulation& simulation, const std::string& name) {
  return *simulation.world().fleet().find_version("web", name);
}

// The time of the first story record called `event`, or nullopt.
std::optional<Time> story_time(const simulation::Result& result, const std::string& event) {
  for (const auto& record : result.story) {
    if (record.event == event) return record.time;
  }
  return std::nullopt;
}

std::string story_detail(const simulation::Result& result, const std::string& event) {
  for (const auto& record : result.story) {
    if (record.event != event) continue;
    for (const auto& field : record.fields) {
      if (field.key == "detail") return std::get<std::string>(field.value);
    }
  }
  return {};
}

// --- fenceposts ---------------------------------------------------------------------------

TEST(RollingFenceposts, PercentSurgeRoundsUpAndUnavailableRoundsDown) {
  const auto f = resolve_fenceposts(10, percent(25), percent(25));
  EXPECT_EQ(f.surge, 3);        // ceil(2.5)
  EXPECT_EQ(f.unavailable, 2);  // floor(2.5)
}

TEST(RollingFenceposts, OneReplicaSurgesInsteadOfGoingDown) {
  const auto f = resolve_fenceposts(1, percent(25), percent(25));
  EXPECT_EQ(f.surge, 1);
  EXPECT_EQ(f.unavailable, 0);
}

TEST(RollingFenceposts, BothZeroAllowsOneUnavailable) {
  for (const auto& [surge, unavailable] :
       {std::pair{percent(0), percent(0)}, std::pair{count(0), count(0)}}) {
    const auto f = resolve_fenceposts(5, surge, unavailable);
    EXPECT_EQ(f.surge, 0);
    EXPECT_EQ(f.unavailable, 1);
  }
  // A percentage that rounds down to zero counts as zero too: 10% of 4 floors to 0.
  const auto f = resolve_fenceposts(4, count(0), percent(10));
  EXPECT_EQ(f.surge, 0);
  EXPECT_EQ(f.unavailable, 1);
}

TEST(RollingFenceposts, HalfOfThreeSurgesTwo) {
  const auto f = resolve_fenceposts(3, percent(50), count(0));
  EXPECT_EQ(f.surge, 2);  // ceil(1.5)
  EXPECT_EQ(f.unavailable, 0);
}

TEST(RollingFenceposts, CountsAreTakenAsTheyAre) {
  const auto f = resolve_fenceposts(10, count(4), count(1));
  EXPECT_EQ(f.surge, 4);
  EXPECT_EQ(f.unavailable, 1);
  // Exact multiples have no rounding residue: 10% of 30 is 3 both ways.
  const auto g = resolve_fenceposts(30, percent(10), percent(10));
  EXPECT_EQ(g.surge, 3);
  EXPECT_EQ(g.unavailable, 3);
}

// --- Kubernetes RollingUpdate ---------------------------------------------------------------

TEST(RollingKubernetes, FirstSyncSurgesAndRemovesUpToTheFenceposts) {
  // 10 replicas at 25%/25%: the controller creates 3 new pods, deletes 2 old ones, then tops the
  // new ReplicaSet up to 5 — and waits for them to become available.
  const auto scenario = scenario_from_json(rolling_scenario(10, ""));
  Simulation simulation(scenario, 1);
  simulation.run_until(Time::zero() + Duration::minutes(1));
  const auto& fleet = simulation.world().fleet();
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v2")), 5);
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v1")), 8);
  EXPECT_EQ(fleet.totals().live_hosts, 13);
  EXPECT_EQ(fleet.totals().serving_hosts, 8);
}

TEST(RollingKubernetes, HealthyRolloutStaysWithinSurgeAndUnavailable) {
  const auto scenario = scenario_from_json(
      rolling_scenario(10, R"("max_surge": "25%", "max_unavailable": "25%", "min_ready": "20s")",
                       R"x("install": "uniform(20s, 60s)", "health_check": "10s")x"));
  Simulation simulation(scenario, 7);
  std::int64_t min_serving = 10;
  std::int64_t max_live = 0;
  while (simulation.step()) {
    const auto& totals = simulation.world().fleet().totals();
    min_serving = std::min(min_serving, totals.serving_hosts);
    max_live = std::max(max_live, totals.live_hosts);
    EXPECT_GE(totals.serving_hosts, 10 - 2) << "at " << simulation.now().ms() << " ms";
    EXPECT_LE(totals.live_hosts, 10 + 3) << "at " << simulation.now().ms() << " ms";
  }
  // The bounds are used, not just respected.
  EXPECT_EQ(min_serving, 8);
  EXPECT_EQ(max_live, 13);
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 10);
  EXPECT_EQ(result.summary.hosts_total, 10);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 0);
  const auto* serving = result.timeseries.column("serving_hosts");
  ASSERT_NE(serving, nullptr);
  EXPECT_GE(*std::min_element(serving->begin(), serving->end()), 8.0);
  const auto* on_v2 = result.timeseries.column("hosts_v2");
  ASSERT_NE(on_v2, nullptr);
  EXPECT_EQ(on_v2->back(), 10.0);
}

TEST(RollingKubernetes, ZeroUnavailableNeverDropsBelowReplicas) {
  // maxUnavailable 0, maxSurge 1: one extra pod at a time, full capacity throughout.
  const auto scenario =
      scenario_from_json(rolling_scenario(6, R"("max_surge": 1, "max_unavailable": 0)"));
  Simulation simulation(scenario, 1);
  while (simulation.step()) {
    const auto& totals = simulation.world().fleet().totals();
    ASSERT_GE(totals.serving_hosts, 6);
    ASSERT_LE(totals.live_hosts, 7);
  }
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  // Six pods one after another, 30 s each.
  EXPECT_EQ(story_time(result, "deploy_completed"), Time::zero() + Duration::seconds(60 + 6 * 30));
}

TEST(RollingKubernetes, MinReadyDelaysAvailability) {
  // One pod at a time; each counts as available 40 s after it is ready, so each step takes
  // 30 s install + 40 s min_ready.
  const auto scenario = scenario_from_json(
      rolling_scenario(3, R"("max_surge": 1, "max_unavailable": 0, "min_ready": "40s")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(story_time(result, "deploy_completed"), Time::zero() + Duration::seconds(60 + 3 * 70));
}

TEST(RollingKubernetes, CrashingVersionStallsWithOldPodsServingThenMissesTheDeadline) {
  const auto scenario = scenario_from_json(
      rolling_scenario(10, R"("progress_deadline": "10min")", R"("install": "30s")", "v3"));
  Simulation simulation(scenario, 1);
  std::int64_t min_serving = 10;
  while (simulation.step()) {
    min_serving = std::min(min_serving, simulation.world().fleet().totals().serving_hosts);
  }
  // At most `unavailable` (2) old pods were given up for new ones that never came up.
  EXPECT_EQ(min_serving, 8);
  const auto& fleet = simulation.world().fleet();
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v1")), 8);
  EXPECT_EQ(fleet.totals().serving_hosts, 8);
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "failed");
  // The crashed pods stay (3 surge + 2 replacing the deleted old ones), and nobody acts.
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 5);
  EXPECT_EQ(fleet.totals().misbehaving_hosts, 5);
  // The last progress was the scaling at 1 min; the deadline is 10 min later.
  EXPECT_EQ(story_time(result, "deploy_failed"), Time::zero() + Duration::minutes(11));
  EXPECT_NE(story_detail(result, "deploy_failed").find("no automatic rollback in Kubernetes"),
            std::string::npos);
  EXPECT_TRUE(story_time(result, "rollout_stalled").has_value());
}

TEST(RollingKubernetes, InstallsOutOfRetriesStallLikeCrashes) {
  const auto scenario = scenario_from_json(
      rolling_scenario(4, R"("max_surge": 1, "max_unavailable": 0, "progress_deadline": "5min")",
                       R"("install": "30s", "install_failure_probability": 1, "max_retries": 2,
         "retry_delay": "10s")"));
  Simulation simulation(scenario, 1);
  simulation.run();
  const auto& fleet = simulation.world().fleet();
  // One surge pod, stuck; every old pod still serving.
  EXPECT_EQ(fleet.totals().serving_hosts, 4);
  EXPECT_EQ(fleet.totals().live_hosts, 5);
  EXPECT_EQ(simulation.result().summary.deploy_outcome, "failed");
}

TEST(RollingKubernetes, RollbackDeletesCrashedPodsAtOnceAndRestoresCapacity) {
  const auto scenario = scenario_from_json(
      rolling_scenario(10, R"("progress_deadline": "10min")", R"("install": "30s")", "v3",
                       R"(, "timeline": [{"at": "20min", "do": "rollback_code"}])"));
  Simulation simulation(scenario, 1);
  simulation.run_until(Time::zero() + Duration::minutes(20));
  const auto& fleet = simulation.world().fleet();
  // `rollout undo`: the crashed pods are the old ReplicaSet's unhealthy replicas, deleted first.
  EXPECT_EQ(fleet.totals().misbehaving_hosts, 0);
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v3")), 0);
  EXPECT_GE(fleet.totals().serving_hosts, 8);
  while (simulation.step()) {
    ASSERT_GE(fleet.totals().serving_hosts, 8);
    ASSERT_LE(fleet.totals().live_hosts, 13);
  }
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v1")), 10);
  EXPECT_EQ(fleet.totals().serving_hosts, 10);
  EXPECT_EQ(result.summary.hosts_total, 10);
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  // The two replacement old pods take 30 s to start.
  EXPECT_EQ(story_time(result, "rollback_completed"),
            Time::zero() + Duration::minutes(20) + Duration::seconds(30));
}

TEST(RollingKubernetes, RollbackOfACompletedRolloutIsAReverseRollingUpdate) {
  const auto scenario = scenario_from_json(
      rolling_scenario(8, "", R"("install": "30s")", "v2",
                       R"(, "timeline": [{"at": "30min", "do": "rollback_code"}])"));
  Simulation simulation(scenario, 1);
  simulation.run_until(Time::zero() + Duration::minutes(29));
  EXPECT_EQ(simulation.result().summary.deploy_outcome, "completed");
  // 8 replicas at 25%/25%: surge 2, unavailable 2.
  while (simulation.step()) {
    const auto& totals = simulation.world().fleet().totals();
    ASSERT_GE(totals.serving_hosts, 6);
    ASSERT_LE(totals.live_hosts, 10);
  }
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(simulation.world().fleet().hosts_on_version(version(simulation, "v1")), 8);
  EXPECT_TRUE(story_time(result, "rollback_completed").has_value());
}

TEST(RollingKubernetes, RollbackMidRolloutDeletesPodsNotYetAvailableFirst) {
  // At 1:45 the new ReplicaSet has 5 available pods and 5 still starting, the old one 3 pods.
  // The undo deletes the 5 starting pods (not the 5 serving ones, which would leave 3 serving)
  // and brings the old template back within the fenceposts.
  const auto scenario = scenario_from_json(
      rolling_scenario(10, "", R"("install": "30s")", "v2",
                       R"(, "timeline": [{"at": "105s", "do": "rollback_code"}])"));
  Simulation simulation(scenario, 1);
  simulation.run_until(Time::zero() + Duration::seconds(104));
  const auto& fleet = simulation.world().fleet();
  ASSERT_EQ(fleet.hosts_on_version(version(simulation, "v2")), 10);
  ASSERT_EQ(fleet.hosts_on_version(version(simulation, "v1")), 3);
  while (simulation.step()) ASSERT_GE(fleet.totals().serving_hosts, 8);
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(fleet.hosts_on_version(version(simulation, "v1")), 10);
  EXPECT_EQ(fleet.totals().live_hosts, 10);
  // 5 old-template pods ready at 2:15 let the last 5 new pods go; 2 more old ones by 2:45.
  EXPECT_EQ(story_time(result, "rollback_completed"), Time::zero() + Duration::seconds(165));
}

TEST(RollingKubernetes, NewPodsJoinTheGroupOfTheHostsTheyReplace) {
  const auto scenario = scenario_from_json(R"({
    "name": "zones",
    "clock": {"end": "1h"},
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"a": {"hosts": 4, "service": "web", "version": "v1"},
              "b": {"hosts": 2, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "strategy": {"type": "rolling"},
                   "host_update": {"install": "30s"}}
  })");
  Simulation simulation(scenario, 1);
  simulation.run();
  EXPECT_EQ(simulation.result().summary.deploy_outcome, "completed");
  const auto& fleet = simulation.world().fleet();
  for (const auto& group : fleet.groups()) {
    std::int64_t live = 0;
    for (auto h : group.hosts) {
      if (fleet.health_of(h) == model::Health::terminated) continue;
      ++live;
      EXPECT_EQ(fleet.version_of(h), version(simulation, "v2"));
    }
    EXPECT_EQ(live, group.name == "a" ? 4 : 2) << group.name;
  }
}

TEST(RollingKubernetes, HaltPausesTheController) {
  const auto scenario = scenario_from_json(
      rolling_scenario(20, R"("max_surge": 2, "max_unavailable": 0)", R"("install": "1min")", "v2",
                       R"(, "timeline": [{"at": "210s", "do": "halt"}])"));
  Simulation simulation(scenario, 1);
  simulation.run_until(Time::zero() + Duration::minutes(10));
  const auto on_target = simulation.world().fleet().hosts_on_version(version(simulation, "v2"));
  simulation.run();
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "halted");
  EXPECT_EQ(result.summary.hosts_on_target_version, on_target);
  EXPECT_LT(on_target, 20);
}

TEST(RollingKubernetes, ScalesToLargeFleets) {
  // 200,000 replicas: the controller's work per pod is constant, so this runs in well under a
  // second; a scan of the fleet per event would not finish.
  const auto scenario =
      scenario_from_json(rolling_scenario(200'000, R"("max_surge": "10%", "max_unavailable": "5%")",
                                          R"x("install": "uniform(20s, 40s)")x"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 200'000);
  EXPECT_EQ(result.summary.hosts_total, 200'000);
  // A handful of notable records, not one per host.
  EXPECT_LT(result.story.size(), 10u);
}

// --- in-place batches ---------------------------------------------------------------------

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

// --- both -----------------------------------------------------------------------------------

TEST(Rolling, SameSeedSameSummary) {
  const std::string host_update =
      R"x("install": "lognormal(40s, 0.5)", "install_failure_probability": 0.2,
         "retry_delay": "15s", "health_check": "5s")x";
  for (const std::string& strategy :
       {std::string(R"("max_surge": "30%", "max_unavailable": 1, "min_ready": "10s")"),
        std::string(R"("batch_size": 4)")}) {
    const auto scenario = scenario_from_json(rolling_scenario(40, strategy, host_update));
    const auto first = simulation::run(scenario, 11).summary.to_json().dump();
    const auto second = simulation::run(scenario, 11).summary.to_json().dump();
    EXPECT_EQ(first, second) << strategy;
  }
}

TEST(Rolling, EmptyStrategyKeysAreKubernetesDefaults) {
  // No keys: maxSurge 25%, maxUnavailable 25%, as a Deployment without a strategy block.
  const auto scenario = scenario_from_json(rolling_scenario(4, ""));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_NE(story_detail(result, "rolling_update").find("maxSurge 1, maxUnavailable 1"),
            std::string::npos);
}

}  // namespace
}  // namespace deploysim::strategy
