#include "strategy/kubernetes.hpp"

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
using spec::CountOrPercent;
using testing::scenario_from_json;

CountOrPercent percent(double value) {
  return {value, true};
}
CountOrPercent count(double value) {
  return {value, false};
}

// --- fenceposts ---------------------------------------------------------------------------

TEST(KubernetesFenceposts, PercentSurgeRoundsUpAndUnavailableRoundsDown) {
  const auto f = resolve_fenceposts(10, percent(25), percent(25));
  EXPECT_EQ(f.surge, 3);        // ceil(2.5)
  EXPECT_EQ(f.unavailable, 2);  // floor(2.5)
}

TEST(KubernetesFenceposts, OneReplicaSurgesInsteadOfGoingDown) {
  const auto f = resolve_fenceposts(1, percent(25), percent(25));
  EXPECT_EQ(f.surge, 1);
  EXPECT_EQ(f.unavailable, 0);
}

TEST(KubernetesFenceposts, BothZeroAllowsOneUnavailable) {
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

TEST(KubernetesFenceposts, HalfOfThreeSurgesTwo) {
  const auto f = resolve_fenceposts(3, percent(50), count(0));
  EXPECT_EQ(f.surge, 2);  // ceil(1.5)
  EXPECT_EQ(f.unavailable, 0);
}

TEST(KubernetesFenceposts, CountsAreTakenAsTheyAre) {
  const auto f = resolve_fenceposts(10, count(4), count(1));
  EXPECT_EQ(f.surge, 4);
  EXPECT_EQ(f.unavailable, 1);
  // Exact multiples have no rounding residue: 10% of 30 is 3 both ways.
  const auto g = resolve_fenceposts(30, percent(10), percent(10));
  EXPECT_EQ(g.surge, 3);
  EXPECT_EQ(g.unavailable, 3);
}

// --- the controller -----------------------------------------------------------------------

TEST(Kubernetes, FirstSyncSurgesAndRemovesUpToTheFenceposts) {
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

TEST(Kubernetes, HealthyRolloutStaysWithinSurgeAndUnavailable) {
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

TEST(Kubernetes, ZeroUnavailableNeverDropsBelowReplicas) {
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

TEST(Kubernetes, MinReadyDelaysAvailability) {
  // One pod at a time; each counts as available 40 s after it is ready, so each step takes
  // 30 s install + 40 s min_ready.
  const auto scenario = scenario_from_json(
      rolling_scenario(3, R"("max_surge": 1, "max_unavailable": 0, "min_ready": "40s")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(story_time(result, "deploy_completed"), Time::zero() + Duration::seconds(60 + 3 * 70));
}

TEST(Kubernetes, CrashingVersionStallsWithOldPodsServingThenMissesTheDeadline) {
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

TEST(Kubernetes, InstallsOutOfRetriesStallLikeCrashes) {
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

TEST(Kubernetes, RollbackDeletesCrashedPodsAtOnceAndRestoresCapacity) {
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

TEST(Kubernetes, RollbackOfACompletedRolloutIsAReverseRollingUpdate) {
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

TEST(Kubernetes, RollbackMidRolloutDeletesPodsNotYetAvailableFirst) {
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

TEST(Kubernetes, NewPodsJoinTheGroupOfTheHostsTheyReplace) {
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

TEST(Kubernetes, HaltPausesTheController) {
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

TEST(Kubernetes, ScalesToLargeFleets) {
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

// --- the strategy a rolling deployment gets -----------------------------------------------------

TEST(Kubernetes, RollingWithoutBatchSizeIsTheDeploymentController) {
  // make_strategy's choice, seen in the story: the controller's opening record and pods added
  // (hosts_total grows while the surge is up), never the batches'.
  const auto scenario = scenario_from_json(rolling_scenario(8, R"("max_surge": 2)"));
  Simulation simulation(scenario, 1);
  std::int64_t most_live = 0;
  while (simulation.step()) {
    most_live = std::max(most_live, simulation.world().fleet().totals().live_hosts);
  }
  const auto result = simulation.result();
  EXPECT_FALSE(story_detail(result, "rolling_update").empty());
  EXPECT_FALSE(story_time(result, "rolling_batches").has_value());
  EXPECT_EQ(most_live, 8 + 2);
}

TEST(Kubernetes, SameSeedSameSummary) {
  const auto scenario = scenario_from_json(
      rolling_scenario(40, R"("max_surge": "30%", "max_unavailable": 1, "min_ready": "10s")",
                       R"x("install": "lognormal(40s, 0.5)", "install_failure_probability": 0.2,
         "retry_delay": "15s", "health_check": "5s")x"));
  const auto first = simulation::run(scenario, 11).summary.to_json().dump();
  const auto second = simulation::run(scenario, 11).summary.to_json().dump();
  EXPECT_EQ(first, second);
}

TEST(Kubernetes, EmptyStrategyKeysAreKubernetesDefaults) {
  // No keys: maxSurge 25%, maxUnavailable 25%, as a Deployment without a strategy block.
  const auto scenario = scenario_from_json(rolling_scenario(4, ""));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_NE(story_detail(result, "rolling_update").find("maxSurge 1, maxUnavailable 1"),
            std::string::npos);
}

}  // namespace
}  // namespace deploysim::strategy
