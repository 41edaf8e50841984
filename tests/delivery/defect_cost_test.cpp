// What a defect costs by where it is found: the closed forms computed by hand, and the
// simulation checked against them.
#include "delivery/defect_cost.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "delivery/dora.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/quantities.hpp"
#include "delivery/report.hpp"

namespace deploysim::delivery {
namespace {

using engine::Distribution;
using engine::Duration;

// build catches half, tests 40% of the rest; fixing costs 1 h there, 10 h in tests, and
// 100 h in production, at $100 an hour.
//   found in build:       0.5                  x $100    = $50
//   found in tests:       0.5 x 0.4 = 0.2      x $1,000  = $200
//   escapes:              0.5 x 0.6 = 0.3      x $10,000 = $3,000
//   expected per defect                                   = $3,250
TEST(DefectCost, TwoStagePipelineByHand) {
  const std::vector<CostStage> stages = {{0.5, 100.0}, {0.4, 1'000.0}};
  EXPECT_DOUBLE_EQ(expected_cost_per_defect(stages, 10'000.0), 3'250.0);
  const auto p = find_probabilities(stages);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_DOUBLE_EQ(p[0], 0.5);
  EXPECT_DOUBLE_EQ(p[1], 0.2);
  EXPECT_DOUBLE_EQ(p[2], 0.3);
}

PipelineConfig two_stage_pipeline() {
  auto c = default_pipeline();
  c.changes_per_day = 200.0;
  c.change_size = Distribution::constant(1.0);
  c.defect_probability = 0.5;
  c.loss_per_minute_usd = Distribution::constant(0.0);  // the escape costs its fix alone
  c.stages = {{"build", Distribution::constant(60'000.0), 0.5},
              {"tests", Distribution::constant(60'000.0), 0.4}};
  c.horizon = Duration::days(30);
  c.defect_cost.hourly_rate_usd = 100.0;
  c.defect_cost.rework_hours_per_day = 0.0;
  c.defect_cost.stages = {{"build", {1.0, 0.0}}, {"tests", {10.0, 0.0}}};
  c.defect_cost.production = {100.0, 0.0};
  return c;
}

TEST(DefectCost, TheSimulationPricesDefectsAsTheClosedForm) {
  const auto r = run_pipeline_report(two_stage_pipeline(), 4, 2, 3);
  const auto& found = r.summary.found;
  ASSERT_EQ(found.size(), 4u);  // build, tests, gate, production
  std::int64_t defects = 0;
  double cost = 0.0;
  for (const auto& t : found) {
    defects += t.defects;
    cost += t.cost_usd;
  }
  ASSERT_GT(defects, 5'000);
  EXPECT_NEAR(cost / static_cast<double>(defects), 3'250.0, 3'250.0 * 0.05);
  EXPECT_DOUBLE_EQ(found[0].cost_usd / static_cast<double>(found[0].defects), 100.0);
  EXPECT_DOUBLE_EQ(found[1].cost_usd / static_cast<double>(found[1].defects), 1'000.0);
  EXPECT_NEAR(static_cast<double>(found[0].defects) / static_cast<double>(defects), 0.5, 0.02);
  EXPECT_EQ(found[2].defects, 0);  // no gate in a continuous pipeline
  // Each replica's own price per defect: every build catch costs 1 h at $100, in every replica.
  ASSERT_EQ(r.summary.cost_per_defect.size(), 4u);
  EXPECT_EQ(r.summary.cost_per_defect[0].count(), 4);
  EXPECT_NEAR(r.summary.cost_per_defect[0].mean(), 100.0, 1e-9);
  EXPECT_EQ(r.summary.cost_per_defect[2].count(), 0);  // no replica found one at the gate
  const auto json = to_json(r);
  const auto& production = json["defect_cost"]["by_place"][3];
  // Every escape costs its 100 h alone: the interval is that price, without spread.
  EXPECT_NEAR(production["cost_per_defect_ci95_low"].get<double>(), 10'000.0, 1e-6);
  EXPECT_NEAR(production["cost_per_defect_ci95_high"].get<double>(), 10'000.0, 1e-6);
  EXPECT_TRUE(json["defect_cost"]["by_place"][2]["cost_per_defect_ci95_low"].is_null());
  // The curve's first bin (found within an hour: the stage catches) has its interval too, and
  // bins no defect reached have none.
  const auto& curve = json["defect_cost"]["curve"];
  ASSERT_EQ(r.summary.curve_cost_per_defect.size(), curve.size());
  EXPECT_LE(curve[0]["cost_per_defect_ci95_low"].get<double>(),
            curve[0]["cost_per_defect_ci95_high"].get<double>());
  EXPECT_GE(curve[0]["cost_per_defect_ci95_low"].get<double>(), 100.0);
  EXPECT_TRUE(curve.back()["cost_per_defect_ci95_low"].is_null());  // 30 days or more
  // One replica gives a price, not an interval.
  const auto one = to_json(run_pipeline_report(two_stage_pipeline(), 1, 1, 3));
  EXPECT_TRUE(one["defect_cost"]["by_place"][3]["cost_per_defect_ci95_low"].is_null());
}

TEST(DefectCost, ReworkGrowsWithTheTimeADefectStaysIn) {
  DefectCostConfig c;
  c.hourly_rate_usd = 100.0;
  c.rework_hours_per_day = 2.0;
  c.delay_cost_usd_per_hour = 50.0;
  const FixCost staging{6.0, 2.0};
  // (6 h + 2 h/day x 3 days) x $100 + 2 h x $50 + $1,000 incident
  EXPECT_DOUBLE_EQ(defect_cost_usd(c, staging, 3.0, 1'000.0), 1'200.0 + 100.0 + 1'000.0);
  EXPECT_LT(defect_cost_usd(c, staging, 0.0), defect_cost_usd(c, staging, 1.0));
}

TEST(DefectCost, MovingCatchesEarlierCutsTheCostPerDefect) {
  const auto r = run_pipeline_report(two_stage_pipeline(), 2, 1, 5);
  const double now = shifted_cost_per_defect(r.summary, 0.0);
  const double half = shifted_cost_per_defect(r.summary, 0.5);
  const double all = shifted_cost_per_defect(r.summary, 1.0);
  EXPECT_GT(now, half);
  EXPECT_GT(half, all);
  EXPECT_DOUBLE_EQ(all, 100.0);  // everything found in build
}

TEST(DefectCost, NegativePricesAreRefused) {
  DefectCostConfig c;
  c.rework_hours_per_day = -1.0;
  EXPECT_THROW(validate(c), std::invalid_argument);
  DefectCostConfig d;
  d.stages = {{"tests", {1.0, -0.5}}};
  EXPECT_THROW(validate(d), std::invalid_argument);
}

// Latent defects ship at 2 a day, each woken at rate 0.5 a day or cleaned up at 0.5 a day:
// over 10 days, 2 x 0.5 / 1 x (10 - (1 - e^-10) / 1) = 9 + e^-10 incidents.
TEST(LatentDefects, PoissonExpectationByHand) {
  EXPECT_NEAR(expected_latent_incidents(2.0, 0.5, 0.5, 10.0), 9.0 + std::exp(-10.0), 1e-12);
  // The pool: 2 x (1 - e^-10) / 1.
  EXPECT_NEAR(expected_latent_pool(2.0, 0.5, 0.5, 10.0), 2.0 * (1.0 - std::exp(-10.0)), 1e-12);
  // Never woken, never cleaned: the pool only grows.
  EXPECT_DOUBLE_EQ(expected_latent_pool(2.0, 0.0, 0.0, 10.0), 20.0);
  EXPECT_DOUBLE_EQ(expected_latent_incidents(2.0, 0.0, 0.3, 10.0), 0.0);
}

TEST(LatentDefects, TheSimulationMatchesThePoissonExpectation) {
  auto c = default_pipeline();
  c.changes_per_day = 50.0;
  c.defect_probability = 0.0;
  c.horizon = Duration::days(60);
  c.latent = {0.04, 0.02, 0.5};
  const auto r = run_pipeline_report(c, 20, 2, 11);
  const double deploys = r.summary.deploys_per_day.mean();
  const double expected = expected_latent_incidents(0.04 * 50.0, 0.02 * deploys, 0.5, 60.0);
  EXPECT_GT(expected, 50.0);
  EXPECT_NEAR(r.summary.latent_incidents.mean(), expected, 0.08 * expected);
  // Without clean-up more of them wake.
  c.latent.cleanup_per_day = 0.0;
  const auto kept = run_pipeline_report(c, 5, 2, 11);
  EXPECT_GT(kept.summary.latent_incidents.mean(), r.summary.latent_incidents.mean());
}

// Office hours 09:00-17:00 on weekdays; time 0 is a Monday at 00:00.
TEST(Gatekeeper, WaitingWithWorkingHoursByHand) {
  const WorkingHours office;
  const double friday_1600 = 4 * kDay + 16 * kHour;
  // One hour on Friday, the second on Monday morning: Monday 10:00.
  EXPECT_DOUBLE_EQ(working_time_done_s(office, friday_1600, 2 * kHour), 7 * kDay + 10 * kHour);
  // Ready on Saturday at noon: nothing happens until Monday 09:00.
  EXPECT_DOUBLE_EQ(working_time_done_s(office, 5 * kDay + 12 * kHour, 0.5 * kHour),
                   7 * kDay + 9.5 * kHour);
  // Tuesday 20:00 + 1 h: Wednesday 10:00.
  EXPECT_DOUBLE_EQ(working_time_done_s(office, 1 * kDay + 20 * kHour, kHour),
                   2 * kDay + 10 * kHour);
  // Within the day it is plain addition.
  EXPECT_DOUBLE_EQ(working_time_done_s(office, 10 * kHour, 3 * kHour), 13 * kHour);
  WorkingHours every_day = office;
  every_day.weekends = true;
  EXPECT_DOUBLE_EQ(working_time_done_s(every_day, friday_1600, 2 * kHour), 5 * kDay + 10 * kHour);
}

TEST(Gatekeeper, OfficeHoursLengthenLeadTimeAndAStopLowersFailures) {
  auto c = default_pipeline();
  c.cadence = ReleaseCadence::gated;
  c.gate_delay = Distribution::constant(3'600'000.0);
  c.horizon = Duration::days(28);
  const auto any_hour = run_pipeline_report(c, 6, 2, 4);
  c.gate_hours = WorkingHours{};
  const auto office = run_pipeline_report(c, 6, 2, 4);
  EXPECT_GT(office.summary.lead_time_median_h.mean(), any_hour.summary.lead_time_median_h.mean());
  c.gate_stop_probability = 0.9;
  const auto strict = run_pipeline_report(c, 6, 2, 4);
  EXPECT_LT(strict.summary.change_fail_rate.mean(), office.summary.change_fail_rate.mean());
  EXPECT_GT(strict.summary.found[3].defects, 0);  // found at the gate
}

TEST(Dora, ReworkRateCountsDeploymentsThatShipAFix) {
  std::vector<DeploymentRecord> log(4);
  log[1].rework = true;
  const auto m = dora_metrics(log, 1.0);
  EXPECT_EQ(m.rework_deployments, 1);
  EXPECT_DOUBLE_EQ(m.rework_rate, 0.25);
  EXPECT_TRUE(std::isnan(dora_metrics({}, 1.0).rework_rate));
}

TEST(Dora, IncidentsMakeReworkInTheSimulation) {
  auto c = default_pipeline();
  c.horizon = Duration::days(30);
  const auto r = run_pipeline_report(c, 3, 1, 2);
  EXPECT_GT(r.summary.rework_rate.mean(), 0.0);
  c.defect_probability = 0.0;
  const auto clean = run_pipeline_report(c, 3, 1, 2);
  EXPECT_DOUBLE_EQ(clean.summary.rework_rate.mean(), 0.0);
}

}  // namespace
}  // namespace deploysim::delivery

namespace deploysim::delivery {
namespace {

TEST(StageTesting, WhichDefectsAStageCanTriggerByHand) {
  PipelineStage synthetic{"tests", engine::Distribution::constant(1.0), 0.8};
  synthetic.testing = StageTesting::synthetic;
  EXPECT_DOUBLE_EQ(stage_catch_probability(synthetic, false, 1.0), 0.8);
  EXPECT_DOUBLE_EQ(stage_catch_probability(synthetic, true, 1.0), 0.0);
  PipelineStage replay = synthetic;
  replay.testing = StageTesting::replay;
  replay.replay_coverage = 0.5;
  EXPECT_DOUBLE_EQ(stage_catch_probability(replay, true, 1.0), 0.4);
  // Staging at 5% of production traffic, a defect showing twice an hour at full traffic, for
  // 10 hours: 1 - e^-(2 x 0.05 x 10) = 1 - e^-1.
  PipelineStage staging{"beta", engine::Distribution::constant(1.0), 0.0};
  staging.testing = StageTesting::staging;
  staging.traffic_share = 0.05;
  staging.surface_per_hour = 2.0;
  EXPECT_NEAR(stage_catch_probability(staging, true, 10.0), 1.0 - std::exp(-1.0), 1e-12);
  EXPECT_LT(stage_catch_probability(staging, true, 1.0),
            stage_catch_probability(staging, true, 10.0));
}

TEST(StageTesting, ReplayCatchesWhatSyntheticTestsMiss) {
  auto c = default_pipeline();
  c.horizon = engine::Duration::days(30);
  c.production_only_share = 0.4;
  c.stages[1].testing = StageTesting::synthetic;
  const auto synthetic = run_pipeline_report(c, 6, 2, 8);
  c.stages[1].testing = StageTesting::replay;
  c.stages[1].replay_coverage = 0.8;
  const auto replay = run_pipeline_report(c, 6, 2, 8);
  const auto escapes = [](const PipelineReport& r) { return r.summary.found.back().defects; };
  EXPECT_LT(escapes(replay), escapes(synthetic));
  EXPECT_LT(replay.summary.defect_cost_usd.mean(), synthetic.summary.defect_cost_usd.mean());
}

}  // namespace
}  // namespace deploysim::delivery

namespace deploysim::delivery {
namespace {

TEST(ProductionLanes, ASecondLaneLetsReleasesPassAnIncident) {
  auto c = default_pipeline();
  c.horizon = engine::Duration::days(30);
  c.defect_probability = 0.3;
  c.stages.clear();
  c.repair_time = engine::Distribution::constant(6.0 * 3'600'000.0);  // long incidents
  const auto one = run_pipeline_report(c, 4, 2, 6);
  c.production_lanes = 2;
  const auto two = run_pipeline_report(c, 4, 2, 6);
  EXPECT_LT(two.summary.lead_time_median_h.mean(), one.summary.lead_time_median_h.mean());
  EXPECT_GT(two.summary.deploys_per_day.mean(), one.summary.deploys_per_day.mean());
  c.production_lanes = 0;
  EXPECT_THROW(validate(c), std::invalid_argument);
}

}  // namespace
}  // namespace deploysim::delivery
