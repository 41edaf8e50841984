#include "delivery/roi.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "scenario/load.hpp"

namespace deploysim::delivery {
namespace {

// Worked by hand (docs/delivery.md): 80 h to build at $100/h = $8,000; 2 h of maintenance a
// week = $200/week. Three deploys a week, 2 h by hand vs 0.25 h automated: $600 vs $75 of
// people's time a week. Risk: $500 vs $100 expected loss per deploy: $1,500 vs $300 a week.
// By hand $2,100/week; automated $200 + $75 + $300 = $575/week; saving $1,525/week.
// Break-even 8,000 / 1,525 = 5.2459 weeks = 15.74 deploys.
RoiInputs hand_case() {
  RoiInputs in;
  in.build_hours = 80;
  in.maintenance_hours_per_period = 2;
  in.hourly_rate_usd = 100;
  in.manual_hours_per_deploy = 2;
  in.automated_hours_per_deploy = 0.25;
  in.deploys_per_period = 3;
  in.horizon_periods = 52;
  in.manual_loss_per_deploy_usd = 500;
  in.automated_loss_per_deploy_usd = 100;
  return in;
}

TEST(Roi, BreakEvenOnACaseComputedByHand) {
  const auto r = compute_roi(hand_case());
  EXPECT_DOUBLE_EQ(r.build_cost_usd, 8'000.0);
  EXPECT_DOUBLE_EQ(r.manual_cost_per_period_usd, 2'100.0);
  EXPECT_DOUBLE_EQ(r.automated_cost_per_period_usd, 575.0);
  EXPECT_DOUBLE_EQ(r.saving_per_period_usd, 1'525.0);
  ASSERT_TRUE(r.break_even_periods.has_value());
  EXPECT_NEAR(*r.break_even_periods, 5.2459, 1e-4);
  EXPECT_NEAR(*r.break_even_deploys, 15.738, 1e-3);
  EXPECT_TRUE(r.pays_back_within_horizon);
  // 52 weeks: by hand 109,200; automated 8,000 + 29,900 = 37,900.
  EXPECT_DOUBLE_EQ(r.net_saving_at_horizon_usd, 109'200.0 - 37'900.0);
  ASSERT_EQ(r.series.size(), 53u);
  EXPECT_DOUBLE_EQ(r.series[0].automated_usd, 8'000.0);
  EXPECT_DOUBLE_EQ(r.series[5].manual_usd, 10'500.0);
  EXPECT_DOUBLE_EQ(r.series[5].automated_usd, 10'875.0);  // not yet paid back
  EXPECT_DOUBLE_EQ(r.series[6].manual_usd, 12'600.0);
  EXPECT_DOUBLE_EQ(r.series[6].automated_usd, 11'450.0);  // paid back
}

TEST(Roi, WithoutTheRiskTermTheSameCasePaysBackLater) {
  auto in = hand_case();
  in.manual_loss_per_deploy_usd = 0;
  in.automated_loss_per_deploy_usd = 0;
  const auto r = compute_roi(in);
  // Saving 600 - 275 = 325 a week: 8,000 / 325 = 24.6 weeks.
  EXPECT_NEAR(*r.break_even_periods, 8'000.0 / 325.0, 1e-12);
}

TEST(Roi, NeverPaysBackWhenMaintenanceEatsTheSaving) {
  auto in = hand_case();
  in.maintenance_hours_per_period = 40;
  const auto r = compute_roi(in);
  EXPECT_FALSE(r.break_even_periods.has_value());
  EXPECT_FALSE(r.pays_back_within_horizon);
  EXPECT_LT(r.net_saving_at_horizon_usd, 0.0);
}

TEST(Roi, FractionalHorizonEndsTheSeriesAtTheHorizon) {
  auto in = hand_case();
  in.horizon_periods = 2.5;
  const auto r = compute_roi(in);
  ASSERT_EQ(r.series.size(), 4u);
  EXPECT_DOUBLE_EQ(r.series.back().period, 2.5);
}

TEST(Roi, BadInputNamesTheValue) {
  auto in = hand_case();
  in.deploys_per_period = 0;
  EXPECT_THROW(compute_roi(in), std::invalid_argument);
  in = hand_case();
  in.hourly_rate_usd = -5;
  try {
    compute_roi(in);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("hourly rate"), std::string::npos);
  }
  in = hand_case();
  in.horizon_periods = 0;
  EXPECT_THROW(compute_roi(in), std::invalid_argument);
}

TEST(Roi, SpansAndPeriods) {
  EXPECT_DOUBLE_EQ(parse_span_days("2y"), 730.0);
  EXPECT_DOUBLE_EQ(parse_span_days("26w"), 182.0);
  EXPECT_DOUBLE_EQ(parse_span_days("6mo"), 182.5);
  EXPECT_DOUBLE_EQ(parse_span_days("90d"), 90.0);
  EXPECT_THROW(parse_span_days("2 years"), std::invalid_argument);
  EXPECT_THROW(parse_span_days("0d"), std::invalid_argument);
  EXPECT_THROW(parse_span_days("-1y"), std::invalid_argument);
  EXPECT_DOUBLE_EQ(period_days("month"), 365.0 / 12.0);
  EXPECT_THROW(period_days("fortnight"), std::invalid_argument);
}

TEST(Roi, KnightRiskTermFromMonteCarlo) {
  const std::string dir = std::string(DEPLOYSIM_SOURCE_DIR) + "/scenarios/";
  const auto manual = scenario::load_scenario(dir + "knight_capital_2012.json", {});
  const auto automated =
      scenario::load_scenario(dir + "knight_capital_2012_automated_deploy.json", {});
  const auto [m, a] = estimate_losses(manual, automated, 4, 2, 1);
  EXPECT_EQ(m.loss_usd.count(), 4);
  // The hand deploy misses a server and loses hundreds of millions; the script does not.
  EXPECT_GT(m.loss_usd.mean(), 1e8);
  EXPECT_LT(a.loss_usd.mean(), m.loss_usd.mean() / 100.0);
  // Thread count does not change the estimate.
  const auto [m1, a1] = estimate_losses(manual, automated, 4, 1, 1);
  EXPECT_EQ(m1.loss_usd.mean(), m.loss_usd.mean());
  EXPECT_EQ(a1.loss_usd.mean(), a.loss_usd.mean());
}

}  // namespace
}  // namespace deploysim::delivery
