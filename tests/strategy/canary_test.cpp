// Canary strategy: Argo's replica math (golden values from the Argo docs and code), realised
// traffic shares, analysis (absolute and against the baseline), abort, pause, promotion and
// rollback, all through full simulation runs.

#include "strategy/canary.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim {
namespace {

using engine::Time;
using model::DeployOutcome;
using model::Health;
using strategy::basic_canary_counts;
using strategy::traffic_routed_canary_pods;

// A one-service fleet of `hosts` on v1, deploying v2 with the canary strategy given as JSON.
struct CanarySetup {
  int hosts = 10;
  std::string v2_behaviour = "healthy";
  std::string strategy;
  std::string business;
  std::string timeline;
  std::string monitoring;
  std::string install = "\"30s\"";
  double traffic_weight = 1.0;
};

std::string scenario_json(const CanarySetup& s) {
  std::string json = R"({"name": "canary test", "clock": {"end": "3h"},
    "behaviours": {
      "errors_20": {"kind": "error_rate_increase", "error_rate": 0.2},
      "errors_3x": {"kind": "error_rate_increase", "error_rate": 0.03},
      "errors_1_1x": {"kind": "error_rate_increase", "error_rate": 0.011},
      "crash": {"kind": "crash_on_start"},
      "wrong_orders": {"kind": "erroneous_actions", "loss_per_host_per_min_usd": 100}
    },
    "services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": ")" +
                     s.v2_behaviour + R"("}}}},
    "fleet": {"web": {"hosts": )" +
                     std::to_string(s.hosts) + R"(, "service": "web", "version": "v1",
                      "traffic_weight": )" +
                     std::to_string(s.traffic_weight) + R"(}},
    "deployment": {"service": "web", "to": "v2", "host_update": {"install": )" +
                     s.install + R"(},
                   "strategy": )" +
                     s.strategy + "}";
  if (!s.business.empty()) json += R"(, "business": )" + s.business;
  if (!s.timeline.empty()) json += R"(, "timeline": )" + s.timeline;
  if (!s.monitoring.empty()) json += R"(, "monitoring": )" + s.monitoring;
  return json + "}";
}

// What the canary pods (hosts created after the N stable ones) and the stable carry right now.
struct Split {
  std::int64_t canary_live = 0;
  std::int64_t stable_live = 0;
  double canary_weight = 0.0;  // serving weight on canary pods
  double serving_weight = 0.0;
  double share() const { return serving_weight > 0.0 ? canary_weight / serving_weight : 0.0; }
};

Split split_of(const simulation::Simulation& sim, std::size_t stable_hosts) {
  const auto& fleet = sim.world().fleet();
  Split split;
  for (model::HostIndex h = 0; h < fleet.size(); ++h) {
    if (fleet.health_of(h) == Health::terminated) continue;
    const bool canary = h >= stable_hosts;
    (canary ? split.canary_live : split.stable_live) += 1;
    if (canary && fleet.is_serving(h)) split.canary_weight += fleet.weight_of(h);
  }
  split.serving_weight = fleet.totals().serving_weight;
  return split;
}

DeployOutcome outcome_of(const simulation::Simulation& sim) {
  return sim.world().rollout()->outcome();
}

// Time of the first story record called `event`, in seconds; -1 if none.
double story_time(const simulation::Result& result, const std::string& event) {
  for (const auto& record : result.story) {
    if (record.event == event) return record.time.to_seconds();
  }
  return -1.0;
}

constexpr char kAnalysis[] =
    R"("analysis": {"metric": "error_rate", "max": 0.05, "interval": "1min"})";

// --- replica math --------------------------------------------------------------------------

TEST(BasicCanaryCounts, GoldenValuesFromArgo) {
  // Argo docs: 10 replicas at 41% -> 4 canary / 6 stable.
  EXPECT_EQ(basic_canary_counts(10, 41, true).canary, 4);
  EXPECT_EQ(basic_canary_counts(10, 41, true).stable, 6);
  EXPECT_EQ(basic_canary_counts(10, 41, false).canary, 4);
  EXPECT_EQ(basic_canary_counts(10, 41, false).stable, 6);
  // 3 replicas at 50%: exactly 2/2 with a surge pod; without surge 2/3 and 1/3 tie -> larger
  // canary.
  EXPECT_EQ(basic_canary_counts(3, 50, true).canary, 2);
  EXPECT_EQ(basic_canary_counts(3, 50, true).stable, 2);
  EXPECT_EQ(basic_canary_counts(3, 50, false).canary, 2);
  EXPECT_EQ(basic_canary_counts(3, 50, false).stable, 1);
}

TEST(BasicCanaryCounts, NeverZeroBetweenOneAndNinetyNinePercent) {
  for (std::int64_t n = 2; n <= 20; ++n) {
    for (int w = 1; w <= 99; ++w) {
      for (bool surge : {false, true}) {
        const auto counts = basic_canary_counts(n, w, surge);
        EXPECT_GE(counts.canary, 1) << n << " " << w;
        EXPECT_GE(counts.stable, 1) << n << " " << w;
        EXPECT_LE(counts.canary + counts.stable, surge ? n + 1 : n) << n << " " << w;
      }
    }
  }
  EXPECT_EQ(basic_canary_counts(2, 1, false).canary, 1);
  EXPECT_EQ(basic_canary_counts(2, 1, false).stable, 1);
}

TEST(BasicCanaryCounts, EdgesAndSingleReplica) {
  EXPECT_EQ(basic_canary_counts(10, 0, true).canary, 0);
  EXPECT_EQ(basic_canary_counts(10, 0, true).stable, 10);
  EXPECT_EQ(basic_canary_counts(10, 100, true).canary, 10);
  EXPECT_EQ(basic_canary_counts(10, 100, true).stable, 0);
  // N = 1 without surge may round a side to 0 (zeroAllowed); the tie goes to the canary.
  EXPECT_EQ(basic_canary_counts(1, 50, false).canary, 1);
  EXPECT_EQ(basic_canary_counts(1, 50, false).stable, 0);
  // With surge, one of each.
  EXPECT_EQ(basic_canary_counts(1, 50, true).canary, 1);
  EXPECT_EQ(basic_canary_counts(1, 50, true).stable, 1);
  // 99% of 10: 10/11 (90.9%) beats 9/10 (90%) when a surge pod is allowed.
  EXPECT_EQ(basic_canary_counts(10, 99, true).canary, 10);
  EXPECT_EQ(basic_canary_counts(10, 99, true).stable, 1);
  EXPECT_EQ(basic_canary_counts(10, 99, false).canary, 9);
  EXPECT_EQ(basic_canary_counts(10, 99, false).stable, 1);
}

TEST(TrafficRoutedCanaryPods, CeilingOfWeightTimesReplicas) {
  EXPECT_EQ(traffic_routed_canary_pods(10, 41), 5);
  EXPECT_EQ(traffic_routed_canary_pods(10, 20), 2);
  EXPECT_EQ(traffic_routed_canary_pods(3, 1), 1);
  EXPECT_EQ(traffic_routed_canary_pods(100, 29), 29);  // not 30 from 0.29 * 100 rounding
  EXPECT_EQ(traffic_routed_canary_pods(10, 0), 0);
  EXPECT_EQ(traffic_routed_canary_pods(10, 100), 10);
}

// --- traffic ---------------------------------------------------------------------------------

TEST(CanaryStrategy, TrafficRoutedCanaryCarriesExactlyTheWeight) {
  CanarySetup setup;
  setup.traffic_weight = 2.5;  // the formula must use the stable's total weight, not its count
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 20}, {"pause": "10min"}]})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(5 * 60'000));
  const Split split = split_of(sim, 10);
  EXPECT_EQ(split.canary_live, 2);   // ceil(20% of 10)
  EXPECT_EQ(split.stable_live, 10);  // the stable stays at N with a router
  EXPECT_NEAR(split.share(), 0.20, 1e-6);
  EXPECT_EQ(sim.world().fleet().totals().live_hosts, 12);
}

TEST(CanaryStrategy, TrafficRoutedAtOneHundredPercentSendsEverythingToTheCanary) {
  CanarySetup setup;
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 100}, {"pause": "10min"}]})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(5 * 60'000));
  const Split split = split_of(sim, 10);
  EXPECT_EQ(split.canary_live, 10);
  EXPECT_EQ(split.stable_live, 10);
  EXPECT_NEAR(split.share(), 1.0, 1e-9);
}

TEST(CanaryStrategy, BasicCanaryFollowsTheReplicaRatio) {
  CanarySetup setup;
  setup.strategy = R"({"type": "canary", "traffic_routed": false,
                       "steps": [{"set_weight": 41}, {"pause": "10min"}]})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(5 * 60'000));
  const Split split = split_of(sim, 10);
  EXPECT_EQ(split.canary_live, 4);
  EXPECT_EQ(split.stable_live, 6);
  // Traffic is the ratio of ready pods, not the 41% asked for.
  EXPECT_NEAR(split.share(), 0.40, 1e-9);
}

TEST(CanaryStrategy, BasicCanarySurgesForAnExactHalf) {
  CanarySetup setup;
  setup.hosts = 3;
  setup.strategy = R"({"type": "canary", "traffic_routed": false,
                       "steps": [{"set_weight": 50}, {"pause": "10min"}]})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(5 * 60'000));
  const Split split = split_of(sim, 3);
  EXPECT_EQ(split.canary_live, 2);
  EXPECT_EQ(split.stable_live, 2);
  EXPECT_NEAR(split.share(), 0.5, 1e-9);
}

// --- outcomes --------------------------------------------------------------------------------

TEST(CanaryStrategy, HealthyVersionCompletes) {
  CanarySetup setup;
  setup.strategy = std::string(R"({"type": "canary", "steps": [{"set_weight": 20},
      {"analysis": "5min"}, {"set_weight": 50}, {"pause": "5min"}], )") +
                   kAnalysis + "}";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 10);
  EXPECT_EQ(result.summary.hosts_total, 10);  // canary pods removed after promotion
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 0);
}

TEST(CanaryStrategy, ErrorRateIncreaseIsAbortedByAnalysis) {
  CanarySetup setup;
  setup.v2_behaviour = "errors_20";
  setup.strategy = std::string(R"({"type": "canary", "steps": [{"set_weight": 20},
      {"analysis": "5min"}, {"set_weight": 50}, {"pause": "5min"}], )") +
                   kAnalysis + "}";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  bool checked_abort_instant = false;
  while (sim.step()) {
    if (!checked_abort_instant && outcome_of(sim) == DeployOutcome::rolled_back) {
      checked_abort_instant = true;
      // Canary ready at 30 s, first measurement one interval later fails (failure_limit 0).
      EXPECT_EQ(sim.now().ms(), 90'000);
      const Split split = split_of(sim, 10);
      EXPECT_EQ(split.canary_weight, 0.0);  // weight 0 at the abort instant
      EXPECT_EQ(split.canary_live, 2);      // pods kept for abortScaleDownDelaySeconds
    }
  }
  ASSERT_TRUE(checked_abort_instant);
  const auto result = sim.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 10);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 2);  // only the canary ever misbehaved
  EXPECT_DOUBLE_EQ(story_time(result, "canary_scaled_down"), 120.0);
}

TEST(CanaryStrategy, WithoutAutomatedRollbackAFailedAnalysisPauses) {
  CanarySetup setup;
  setup.v2_behaviour = "errors_20";
  setup.strategy = std::string(R"({"type": "canary", "automated_rollback": false,
      "steps": [{"set_weight": 20}, {"analysis": "5min"}, {"set_weight": 50}], )") +
                   kAnalysis + "}";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  sim.run();
  const auto result = sim.result();
  EXPECT_EQ(result.summary.deploy_outcome, "halted");
  // The canary keeps its pods and its 20% until somebody acts (argo#2866 counterfactual).
  EXPECT_EQ(result.summary.hosts_on_target_version, 2);
  EXPECT_NEAR(split_of(sim, 10).share(), 0.20, 1e-6);
}

TEST(CanaryStrategy, RollbackWhilePausedAfterFailureAborts) {
  CanarySetup setup;
  setup.v2_behaviour = "errors_20";
  setup.strategy = std::string(R"({"type": "canary", "automated_rollback": false,
      "steps": [{"set_weight": 20}, {"analysis": "5min"}], )") +
                   kAnalysis + "}";
  setup.timeline = R"([{"at": "10min", "do": "rollback_code"}])";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 10);
}

TEST(CanaryStrategy, CompareToBaselineCatchesATripledErrorRate) {
  CanarySetup setup;
  setup.business = R"({"base_error_rate": 0.01})";
  // The absolute threshold alone (0.5%) would fail even the stable: only the ratio decides.
  const std::string strategy = R"({"type": "canary", "steps": [{"set_weight": 20},
      {"analysis": "5min"}], "analysis": {"metric": "error_rate", "max": 0.005,
      "interval": "1min", "compare_to_baseline": true, "max_ratio_to_baseline": 1.5}})";
  setup.strategy = strategy;
  setup.v2_behaviour = "errors_3x";
  const auto bad = testing::scenario_from_json(scenario_json(setup));
  EXPECT_EQ(simulation::run(bad, 1).summary.deploy_outcome, "rolled_back");

  setup.v2_behaviour = "errors_1_1x";
  const auto slight = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(slight, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 10);
}

TEST(CanaryStrategy, CrashingCanaryPodIsAFailedMeasurement) {
  CanarySetup setup;
  setup.v2_behaviour = "crash";
  setup.strategy = std::string(R"({"type": "canary", "steps": [{"set_weight": 20},
      {"analysis": "5min"}], )") +
                   kAnalysis + "}";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_total, 10);
}

TEST(CanaryStrategy, CrashingCanaryWithoutAnalysisIsNotPromoted) {
  CanarySetup setup;
  setup.v2_behaviour = "crash";
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 20}, {"pause": "1min"}]})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "halted");
  EXPECT_EQ(result.summary.hosts_on_target_version, 2);  // only the crashed canary pods
}

TEST(CanaryStrategy, FailureLimitAllowsThatManyFailedMeasurements) {
  CanarySetup setup;
  setup.v2_behaviour = "errors_20";
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 20}, {"analysis": "10min"}],
      "analysis": {"metric": "error_rate", "max": 0.05, "interval": "1min",
                   "failure_limit": 2}})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  // Measurements at 90, 150, 210 s: the third failure is the first above the limit.
  EXPECT_DOUBLE_EQ(story_time(result, "deploy_rolled_back"), 210.0);

  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 20}, {"analysis": "10min"}],
      "analysis": {"metric": "error_rate", "max": 0.05, "interval": "1min",
                   "failure_limit": -1}})";
  const auto disabled = testing::scenario_from_json(scenario_json(setup));
  EXPECT_EQ(simulation::run(disabled, 1).summary.deploy_outcome, "completed");
}

TEST(CanaryStrategy, AnalysisWithoutCanaryTrafficErrorsOut) {
  CanarySetup setup;
  // No set_weight before the analysis: nothing to measure, so every measurement is an Error,
  // retried every 10 s; the fifth exceeds consecutive_error_limit 4.
  setup.strategy =
      std::string(R"({"type": "canary", "steps": [{"analysis": "10min"}], )") + kAnalysis + "}";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_DOUBLE_EQ(story_time(result, "deploy_rolled_back"), 100.0);
}

TEST(CanaryStrategy, MisbehavingHostsMetricCatchesWrongActions) {
  CanarySetup setup;
  // Requests succeed, so error_rate sees nothing; a misbehaving-hosts check does.
  setup.v2_behaviour = "wrong_orders";
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 10}, {"analysis": "5min"}],
      "analysis": {"metric": "misbehaving_hosts", "max": 0, "interval": "1min"}})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  EXPECT_EQ(simulation::run(scenario, 1).summary.deploy_outcome, "rolled_back");
}

TEST(CanaryStrategy, PersonRollbackDuringPauseShiftsTrafficAtOnce) {
  CanarySetup setup;
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 30}, {"pause": "1h"}]})";
  setup.timeline = R"([{"at": "10min", "do": "rollback_code"}])";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(10 * 60'000));
  EXPECT_EQ(outcome_of(sim), DeployOutcome::rolled_back);
  EXPECT_EQ(split_of(sim, 10).canary_weight, 0.0);
  sim.run();
  const auto result = sim.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 10);
}

TEST(CanaryStrategy, RollbackAfterPromotionUninstallsLikeTheBaseStrategy) {
  CanarySetup setup;
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 50}, {"pause": "1min"}]})";
  setup.timeline = R"([{"at": "1h", "do": "rollback_code"}])";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto result = simulation::run(scenario, 1);
  EXPECT_GE(story_time(result, "deploy_completed"), 0.0);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 10);
}

TEST(CanaryStrategy, BasicCanaryAbortRollsBackPodByPod) {
  CanarySetup setup;
  setup.hosts = 4;
  setup.v2_behaviour = "errors_20";
  setup.strategy = std::string(R"({"type": "canary", "traffic_routed": false,
      "steps": [{"set_weight": 50}, {"analysis": "5min"}], )") +
                   kAnalysis + "}";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  simulation::Simulation sim(scenario, 1);
  // 2 canary / 2 stable; the abort at 90 s starts the 2 stable pods scaled down again.
  sim.run_until(Time::from_ms(90'000));
  EXPECT_EQ(outcome_of(sim), DeployOutcome::rolled_back);
  // No router: the canary still serves until stable pods are back (install takes 30 s).
  EXPECT_NEAR(split_of(sim, 4).share(), 0.5, 1e-9);
  sim.run_until(Time::from_ms(120'000));
  EXPECT_EQ(split_of(sim, 4).canary_live, 0);
  EXPECT_EQ(split_of(sim, 4).stable_live, 4);
  sim.run();
  EXPECT_EQ(sim.result().summary.hosts_on_target_version, 0);
}

TEST(CanaryStrategy, SameSeedSameSummary) {
  CanarySetup setup;
  setup.v2_behaviour = "errors_3x";
  setup.install = "\"lognormal(30s, 0.5)\"";
  setup.monitoring = R"({"noise": 0.3})";
  setup.business = R"({"base_error_rate": 0.01})";
  setup.strategy = R"({"type": "canary", "steps": [{"set_weight": 20}, {"analysis": "10min"},
      {"set_weight": 60}, {"analysis": "10min"}], "analysis": {"metric": "error_rate",
      "max": 0.05, "interval": "1min", "failure_limit": 3}})";
  const auto scenario = testing::scenario_from_json(scenario_json(setup));
  const auto first = simulation::run(scenario, 42).summary.to_json().dump();
  const auto second = simulation::run(scenario, 42).summary.to_json().dump();
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace deploysim
