// Blue/green strategy: a full green copy, an atomic switch, the scale-down delay that decides
// whether a rollback is instant or needs the old version started again, and the preview
// analysis (which sees crashes and errors but not business-logic harm).

#include "strategy/blue_green.hpp"

#include <gtest/gtest.h>

#include <string>

#include "model/world.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim {
namespace {

using engine::Time;
using model::DeployOutcome;
using model::Health;

constexpr std::size_t kBlue = 4;

// Four hosts on v1 deploying v2 blue/green; `strategy` holds the extra strategy keys.
std::string scenario_json(const std::string& v2_behaviour, const std::string& strategy,
                          const std::string& timeline = "") {
  std::string json = R"({"name": "blue/green test", "clock": {"end": "2h"},
    "behaviours": {
      "errors_20": {"kind": "error_rate_increase", "error_rate": 0.2},
      "crash": {"kind": "crash_on_start"},
      "wrong_orders": {"kind": "erroneous_actions", "loss_per_host_per_min_usd": 100}
    },
    "services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": ")" +
                     v2_behaviour + R"("}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "host_update": {"install": "30s"},
                   "strategy": {"type": "blue_green")" +
                     (strategy.empty() ? "" : ", " + strategy) + "}}";
  if (!timeline.empty()) json += R"(, "timeline": )" + timeline;
  return json + "}";
}

struct Serving {
  std::int64_t blue = 0;   // serving hosts among the original four
  std::int64_t green = 0;  // serving hosts created by the strategy
  std::int64_t live = 0;
};

Serving serving_of(const model::World& world) {
  const auto& fleet = world.fleet();
  Serving serving;
  for (model::HostIndex h = 0; h < fleet.size(); ++h) {
    if (fleet.health_of(h) != Health::terminated) ++serving.live;
    if (!fleet.is_serving(h)) continue;
    (h < kBlue ? serving.blue : serving.green) += 1;
  }
  return serving;
}

TEST(BlueGreenStrategy, RunsBothFleetsUntilBlueIsScaledDown) {
  const auto scenario =
      testing::scenario_from_json(scenario_json("healthy", R"("scale_down_delay": "5min")"));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(10'000));
  auto now = serving_of(sim.world());
  EXPECT_EQ(now.live, 8);   // green starting beside blue
  EXPECT_EQ(now.blue, 4);   // production untouched
  EXPECT_EQ(now.green, 0);  // the preview takes no production traffic
  sim.run_until(Time::from_ms(31'000));
  now = serving_of(sim.world());
  EXPECT_EQ(now.live, 8);  // 2N during the switch: blue kept warm
  EXPECT_EQ(now.blue, 0);
  EXPECT_EQ(now.green, 4);
  sim.run_until(Time::from_ms(30'000 + 5 * 60'000 + 1'000));
  EXPECT_EQ(serving_of(sim.world()).live, 4);
  sim.run();
  const auto result = sim.result();
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 4);
  EXPECT_EQ(result.summary.hosts_total, 4);
}

TEST(BlueGreenStrategy, SwitchesAllTrafficAtOneInstant) {
  const auto scenario = testing::scenario_from_json(scenario_json("healthy", ""));
  simulation::Simulation sim(scenario, 1);
  Serving before = serving_of(sim.world());
  int switches = 0;
  while (sim.step()) {
    const Serving after = serving_of(sim.world());
    EXPECT_FALSE(after.blue > 0 && after.green > 0) << "mixed traffic at " << sim.now().ms();
    if (before.blue == 4 && before.green == 0 && after.blue == 0 && after.green == 4) ++switches;
    before = after;
  }
  EXPECT_EQ(switches, 1);
}

TEST(BlueGreenStrategy, RollbackInsideTheDelayIsInstant) {
  const auto scenario = testing::scenario_from_json(scenario_json(
      "errors_20", R"("scale_down_delay": "5min")", R"([{"at": "2min", "do": "rollback_code"}])"));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(2 * 60'000));
  const auto now = serving_of(sim.world());
  EXPECT_EQ(now.blue, 4);
  EXPECT_EQ(now.green, 0);
  EXPECT_EQ(sim.world().rollout()->outcome(), DeployOutcome::rolled_back);
  sim.run();
  const auto result = sim.result();
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  // Bad from the switch (30 s) to the rollback (120 s).
  ASSERT_TRUE(result.summary.incident_duration_s);
  EXPECT_DOUBLE_EQ(*result.summary.incident_duration_s, 90.0);
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 4);
}

TEST(BlueGreenStrategy, RollbackAfterTheDelayWaitsForBlueToStartAgain) {
  // Blue is gone 30 s after the switch; the rollback at 2 min must start it again (30 s).
  const auto scenario = testing::scenario_from_json(scenario_json(
      "errors_20", R"("scale_down_delay": "30s")", R"([{"at": "2min", "do": "rollback_code"}])"));
  simulation::Simulation sim(scenario, 1);
  sim.run_until(Time::from_ms(2 * 60'000));
  auto now = serving_of(sim.world());
  EXPECT_EQ(now.blue, 0);
  EXPECT_EQ(now.green, 4);  // the bad version serves while blue starts
  EXPECT_EQ(now.live, 8);   // capacity for the way back has to be found again
  EXPECT_EQ(sim.world().rollout()->outcome(), DeployOutcome::rolled_back);
  sim.run_until(Time::from_ms(2 * 60'000 + 29'000));
  EXPECT_EQ(serving_of(sim.world()).green, 4);
  sim.run_until(Time::from_ms(2 * 60'000 + 30'000));
  now = serving_of(sim.world());
  EXPECT_EQ(now.blue, 4);
  EXPECT_EQ(now.green, 0);
  sim.run();
  const auto result = sim.result();
  ASSERT_TRUE(result.summary.incident_duration_s);
  EXPECT_DOUBLE_EQ(*result.summary.incident_duration_s, 120.0);  // 30 s longer than inside
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 4);
}

TEST(BlueGreenStrategy, PrePromotionAnalysisCatchesErrorsInThePreview) {
  const auto scenario = testing::scenario_from_json(
      scenario_json("errors_20", R"("pre_promotion_analysis": "5min")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 0);  // production never saw v2
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(result.summary.hosts_total, 4);
}

TEST(BlueGreenStrategy, PrePromotionAnalysisCatchesCrashes) {
  const auto scenario =
      testing::scenario_from_json(scenario_json("crash", R"("pre_promotion_analysis": "5min")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_total, 4);
}

TEST(BlueGreenStrategy, BusinessLogicHarmPassesThePreview) {
  // Preview traffic does not place real orders: the analysis cannot see erroneous actions.
  const auto scenario = testing::scenario_from_json(
      scenario_json("wrong_orders", R"("pre_promotion_analysis": "5min")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 4);
  EXPECT_GT(result.summary.loss_usd, 0.0);
}

TEST(BlueGreenStrategy, CrashingPreviewWithoutAnalysisNeverSwitches) {
  const auto scenario = testing::scenario_from_json(scenario_json("crash", ""));
  simulation::Simulation sim(scenario, 1);
  sim.run();
  EXPECT_EQ(sim.result().summary.deploy_outcome, "halted");
  EXPECT_EQ(serving_of(sim.world()).blue, 4);
}

TEST(BlueGreenStrategy, WithoutAutoPromoteTheGreenWaits) {
  const auto scenario =
      testing::scenario_from_json(scenario_json("healthy", R"("auto_promote": false)"));
  simulation::Simulation sim(scenario, 1);
  sim.run();
  EXPECT_EQ(sim.result().summary.deploy_outcome, "in_progress");
  const auto now = serving_of(sim.world());
  EXPECT_EQ(now.blue, 4);
  EXPECT_EQ(now.green, 0);
  EXPECT_EQ(now.live, 8);
}

TEST(BlueGreenStrategy, PromoteSwitchesAWaitingGreen) {
  const auto scenario =
      testing::scenario_from_json(scenario_json("healthy", R"("auto_promote": false)"));
  model::World world(scenario, 1);
  auto rollout = strategy::make_strategy(world, *scenario.deployment);
  world.set_rollout(rollout.get());
  auto* blue_green = dynamic_cast<strategy::BlueGreenStrategy*>(rollout.get());
  ASSERT_NE(blue_green, nullptr);
  EXPECT_FALSE(blue_green->promote("release_manager"));  // nothing to promote yet
  rollout->begin();
  world.kernel().run_until(Time::from_ms(5 * 60'000));
  ASSERT_TRUE(blue_green->awaiting_promotion());
  EXPECT_TRUE(blue_green->promote("release_manager"));
  EXPECT_EQ(rollout->outcome(), DeployOutcome::completed);
  const auto now = serving_of(world);
  EXPECT_EQ(now.blue, 0);
  EXPECT_EQ(now.green, 4);
}

TEST(BlueGreenStrategy, SameSeedSameSummary) {
  const auto scenario = testing::scenario_from_json(
      scenario_json("errors_20", R"("pre_promotion_analysis": "1min", "scale_down_delay": "1min")",
                    R"([{"at": "10min", "do": "rollback_code"}])"));
  const auto first = simulation::run(scenario, 7).summary.to_json().dump();
  const auto second = simulation::run(scenario, 7).summary.to_json().dump();
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace deploysim
