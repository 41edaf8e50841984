// Fault injection: a run without a plan is the run it always was; each fault changes the run at
// its own decision point, and the plan records the points a run reaches.

#include "model/fault_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

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

spec::Scenario ring_plan() {
  return plan_scenario(scenario::load_scenario(kPlanSource + "/tests/data/verify/ring_plan.json"),
                       false);
}

bool story_has(const simulation::Result& result, const std::string& event,
               const std::string& subject = {}) {
  return std::any_of(result.story.begin(), result.story.end(), [&](const auto& record) {
    return record.event == event && (subject.empty() || record.subject == subject);
  });
}

TEST(FaultPlan, AFlagTurnedOnEarlyGoesOnAsTheDeploymentStarts) {
  const auto scenario = knight_plan();
  const auto early = run_with(scenario, {{model::FaultKind::flag_early, "power_peg"}});
  const auto first_flag = std::find_if(early.story.begin(), early.story.end(),
                                       [](const auto& r) { return r.event == "flag_set"; });
  ASSERT_NE(first_flag, early.story.end());
  EXPECT_EQ(first_flag->time, scenario.deployment->start);
  EXPECT_GT(early.summary.loss_usd, 0.0);
  EXPECT_TRUE(story_has(early, "fault", "power_peg"));
}

TEST(FaultPlan, AFlagAtTheWrongPercentageReachesHalfItsScope) {
  const auto wrong =
      run_with(knight_plan(), {{model::FaultKind::flag_wrong_percent, "power_peg", {}, 50.0}});
  const auto flag = std::find_if(wrong.story.begin(), wrong.story.end(),
                                 [](const auto& r) { return r.event == "flag_set"; });
  ASSERT_NE(flag, wrong.story.end());
  const auto percent = std::find_if(flag->fields.begin(), flag->fields.end(),
                                    [](const auto& f) { return f.key == "percent"; });
  ASSERT_NE(percent, flag->fields.end());
  EXPECT_EQ(std::get<double>(percent->value), 50.0);
}

TEST(FaultPlan, AMissedScrapeDelaysDetectionByOneScrape) {
  const auto clean = run_with(ring_plan(), {});
  const auto missed = run_with(ring_plan(), {{model::FaultKind::scrape_missed, "errors"}});
  ASSERT_TRUE(clean.summary.time_to_detect_s && missed.summary.time_to_detect_s);
  EXPECT_DOUBLE_EQ(*missed.summary.time_to_detect_s - *clean.summary.time_to_detect_s, 30.0);
}

TEST(FaultPlan, HostFaultsEndTheirUpdateAsDocumented) {
  const auto crash = run_with(ring_plan(), {{model::FaultKind::host_crash_mid_update, "web-1"}});
  // The ring stops as soon as a host's update fails; the error alert then rolls back the host
  // that did take the release.
  const auto clean = run_with(ring_plan(), {});
  EXPECT_EQ(crash.summary.deploy_outcome, "rolled_back");
  EXPECT_TRUE(story_has(crash, "deploy_failed"));
  EXPECT_FALSE(story_has(clean, "deploy_failed"));
  EXPECT_TRUE(story_has(crash, "fault", "web-1"));
  const auto check = run_with(ring_plan(), {{model::FaultKind::health_check_fails_good, "web-2"}});
  EXPECT_EQ(check.summary.deploy_outcome, "rolled_back");
  EXPECT_TRUE(story_has(check, "deploy_failed"));
  const auto once = run_with(ring_plan(), {{model::FaultKind::install_fails_once, "web-1"}});
  // One failed attempt is retried (max_retries defaults above zero): the ring goes on.
  EXPECT_TRUE(story_has(once, "fault", "web-1"));
}

TEST(FaultPlan, AnUnreachableGroupIsCutOffAsTheDeploymentStarts) {
  const auto cut = run_with(ring_plan(), {{model::FaultKind::group_unreachable, "web"}});
  EXPECT_EQ(cut.summary.blast_radius_hosts, 20);
  EXPECT_TRUE(story_has(cut, "fault", "web"));
}

TEST(FaultPlan, AMisleadingCanaryAnalysisPasses) {
  const auto scenario =
      scenario::load_scenario(kPlanSource + "/bench/scenarios/verify_rings_1000.json");
  const auto clean = run_with(scenario, {});
  EXPECT_TRUE(story_has(clean, "canary_analysis_failed"));
  const auto misled = run_with(scenario, {{model::FaultKind::canary_misleading, "analysis"}});
  EXPECT_FALSE(story_has(misled, "canary_analysis_failed"));
  // The error alert, not the analysis, rolls it back.
  EXPECT_TRUE(story_has(misled, "fault", "analysis"));
  EXPECT_TRUE(story_has(misled, "code_rolled_back"));
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
