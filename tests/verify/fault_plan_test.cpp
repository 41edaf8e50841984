// Fault injection: a run without a plan is the run it always was; each fault changes the run at
// its own decision point, and the plan records the points a run reaches.

#include "model/fault_plan.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scenario/load.hpp"
#include "simulation/simulation.hpp"
#include "verify/schedule.hpp"

namespace deploysim::verify {
namespace {

const std::string kPlanSource = DEPLOYSIM_SOURCE_DIR;

spec::Scenario knight_plan() {
  return plan_scenario(scenario::load_scenario(kPlanSource + "/scenarios/knight_capital_2012.json"),
                       false);
}

simulation::Result run_with(const spec::Scenario& scenario, std::vector<model::Fault> faults) {
  model::FaultPlan plan(std::move(faults), {}, &distribution_quantile);
  return simulation::run(scenario, scenario.seed, nullptr, &plan);
}

TEST(FaultPlan, AnEmptyPlanChangesNothing) {
  const auto scenario =
      scenario::load_scenario(kPlanSource + "/scenarios/knight_capital_2012.json");
  const auto plain = simulation::run(scenario, 3);
  model::FaultPlan empty({}, {}, &distribution_quantile);
  const auto planned = simulation::run(scenario, 3, nullptr, &empty);
  EXPECT_EQ(plain.summary.to_json(), planned.summary.to_json());
  EXPECT_EQ(plain.story.size(), planned.story.size());
  EXPECT_FALSE(empty.reached().empty());
}

TEST(FaultPlan, RecordsEachDecisionPointOnceInTheOrderReached) {
  const auto scenario = knight_plan();
  model::FaultPlan plan({}, {}, &distribution_quantile);
  simulation::run(scenario, 1, nullptr, &plan);
  std::vector<std::string> skips;
  for (const auto& point : plan.reached()) {
    if (point.kind == model::FaultKind::skip_host) skips.push_back(point.target);
  }
  ASSERT_EQ(skips.size(), 8u);
  EXPECT_EQ(skips.front(), "smars-1");
  EXPECT_EQ(skips.back(), "smars-8");
  for (std::size_t i = 1; i < plan.reached().size(); ++i) {
    EXPECT_LE(plan.reached()[i - 1].first_reached, plan.reached()[i].first_reached);
  }
}

TEST(FaultPlan, SkipHostIsTheKnightReplaysScriptedSkip) {
  // The plan without its scripted skip, plus the fault, is the replay itself.
  const auto replay = simulation::run(
      scenario::load_scenario(kPlanSource + "/scenarios/knight_capital_2012.json"), 1);
  const auto faulted = run_with(knight_plan(), {{model::FaultKind::skip_host, "smars-8"}});
  EXPECT_DOUBLE_EQ(faulted.summary.loss_usd, replay.summary.loss_usd);
  EXPECT_GT(faulted.summary.loss_usd, 4e8);
  const auto clean = run_with(knight_plan(), {});
  EXPECT_EQ(clean.summary.loss_usd, 0.0);
}

TEST(FaultPlan, ASilentAlertNeverFiresAndALateOneFiresLater) {
  const auto scenario = plan_scenario(
      scenario::load_scenario(kPlanSource + "/tests/data/verify/ring_plan.json"), false);
  const auto clean = run_with(scenario, {});
  ASSERT_GE(clean.summary.alerts_fired, 1);
  const auto silent = run_with(scenario, {{model::FaultKind::alert_silent, "errors"}});
  const auto late =
      run_with(scenario, {{model::FaultKind::alert_late, "errors", engine::Duration::minutes(5)}});
  // Without the automated rollback the page alert brings the engineer, later.
  ASSERT_TRUE(clean.summary.time_to_detect_s && silent.summary.time_to_detect_s &&
              late.summary.time_to_detect_s);
  EXPECT_GT(*silent.summary.time_to_detect_s, *clean.summary.time_to_detect_s);
  EXPECT_NEAR(*late.summary.time_to_detect_s - *clean.summary.time_to_detect_s, 300.0, 30.0);
}

TEST(FaultPlan, ASlowPersonTakesTheQuantileOfEachStep) {
  const auto scenario = plan_scenario(
      scenario::load_scenario(kPlanSource + "/tests/data/verify/ring_plan.json"), false);
  const auto silent = run_with(scenario, {{model::FaultKind::alert_silent, "errors"}});
  const auto slow = run_with(scenario, {{model::FaultKind::alert_silent, "errors"},
                                        {model::FaultKind::person_slow, "oncall"}});
  ASSERT_TRUE(silent.summary.time_to_mitigate_s && slow.summary.time_to_mitigate_s);
  // lognormal(4min, 0.6) and lognormal(6min, 0.6) at 0.95, and 1 minute to act.
  EXPECT_GT(*slow.summary.time_to_mitigate_s, *silent.summary.time_to_mitigate_s);
  const auto unreachable = run_with(scenario, {{model::FaultKind::alert_silent, "errors"},
                                               {model::FaultKind::person_unreachable, "oncall"}});
  EXPECT_EQ(unreachable.summary.deploy_outcome, "completed");
}

TEST(FaultPlan, InstallFaultsEndTheRingRollout) {
  const auto scenario = plan_scenario(
      scenario::load_scenario(kPlanSource + "/tests/data/verify/ring_plan.json"), false);
  model::FaultPlan plan({{model::FaultKind::install_fails, "web-1"}}, {}, &distribution_quantile);
  const auto result = simulation::run(scenario, 1, nullptr, &plan);
  EXPECT_TRUE(plan.applied(0));
  EXPECT_NE(result.summary.deploy_outcome, "completed");
}

TEST(Quantile, OfEachDistribution) {
  using engine::Distribution;
  EXPECT_DOUBLE_EQ(distribution_quantile(Distribution::constant(5.0), 0.9), 5.0);
  EXPECT_DOUBLE_EQ(distribution_quantile(
                       Distribution::parse("uniform(0, 10)", Distribution::Unit::number), 0.25),
                   2.5);
  EXPECT_NEAR(distribution_quantile(
                  Distribution::parse("exponential(10)", Distribution::Unit::number), 0.5),
              10.0 * std::log(2.0), 1e-12);
  EXPECT_NEAR(distribution_quantile(
                  Distribution::parse("lognormal(20, 0.5)", Distribution::Unit::number), 0.95),
              20.0 * std::exp(0.5 * 1.6448536269514722), 1e-6);
  EXPECT_DOUBLE_EQ(
      distribution_quantile(
          Distribution::parse("empirical(3, 1, 2, 4)", Distribution::Unit::number), 0.5),
      2.0);
}

}  // namespace
}  // namespace deploysim::verify
