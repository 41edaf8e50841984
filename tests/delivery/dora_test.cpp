#include "delivery/dora.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "delivery/quantities.hpp"

namespace deploysim::delivery {
namespace {

DeploymentRecord deployment(double at_s, std::vector<double> lead_times_h,
                            std::optional<double> recovery_h = std::nullopt) {
  DeploymentRecord d;
  d.finished_s = at_s;
  for (double h : lead_times_h) d.lead_times_s.push_back(h * kHour);
  d.changes = static_cast<std::int64_t>(lead_times_h.size());
  if (recovery_h) {
    d.failed = true;
    d.recovered_s = at_s + *recovery_h * kHour;
  }
  return d;
}

TEST(Dora, FourKeysOnAHandBuiltLog) {
  // Ten days, five deployments, two of them failed (recovered in 30 min and 2 h).
  const std::vector<DeploymentRecord> log = {
      deployment(1 * kDay, {1, 3}), deployment(3 * kDay, {2}), deployment(5 * kDay, {5}, 0.5),
      deployment(7 * kDay, {4}), deployment(9 * kDay, {}, 2.0)};
  const auto m = dora_metrics(log, 10.0);
  EXPECT_DOUBLE_EQ(m.deploys_per_day, 0.5);
  EXPECT_DOUBLE_EQ(m.lead_time_median_s, 3 * kHour);  // median of 1, 2, 3, 4, 5 h
  EXPECT_DOUBLE_EQ(m.change_fail_rate, 0.4);
  EXPECT_DOUBLE_EQ(m.recovery_median_s, 1.25 * kHour);  // median of 0.5 h and 2 h
  EXPECT_EQ(m.deployments, 5);
  EXPECT_EQ(m.failed_deployments, 2);
  EXPECT_EQ(m.changes_delivered, 5);
  const auto c = classify_dora(m);
  EXPECT_EQ(c.deployment_frequency, DoraLevel::high);  // between daily and weekly
  EXPECT_EQ(c.lead_time, DoraLevel::elite);            // under a day
  EXPECT_EQ(c.change_fail_rate, DoraLevel::low);       // 40%
  EXPECT_EQ(c.recovery_time, DoraLevel::high);         // under a day
  EXPECT_EQ(c.overall, DoraLevel::high);               // two votes of four
}

TEST(Dora, EliteLog) {
  std::vector<DeploymentRecord> log;
  for (int i = 0; i < 30; ++i) log.push_back(deployment(i * 8 * kHour, {2}));
  log[10] = deployment(80 * kHour, {2}, 20.0 / 60.0);
  const auto m = dora_metrics(log, 10.0);
  EXPECT_DOUBLE_EQ(m.deploys_per_day, 3.0);
  EXPECT_NEAR(m.change_fail_rate, 1.0 / 30.0, 1e-15);
  EXPECT_NEAR(m.recovery_median_s, 20 * 60.0, 1e-9);
  const auto c = classify_dora(m);
  EXPECT_EQ(c.deployment_frequency, DoraLevel::elite);
  EXPECT_EQ(c.change_fail_rate, DoraLevel::elite);
  EXPECT_EQ(c.recovery_time, DoraLevel::elite);
  EXPECT_EQ(c.overall, DoraLevel::elite);
}

TEST(Dora, LowLog) {
  // One deployment in 60 days, 40 days after its commit, failed, restored after 10 days.
  const std::vector<DeploymentRecord> log = {deployment(50 * kDay, {40 * 24}, 10 * 24)};
  const auto m = dora_metrics(log, 60.0);
  const auto c = classify_dora(m);
  EXPECT_EQ(c.deployment_frequency, DoraLevel::low);
  EXPECT_EQ(c.lead_time, DoraLevel::low);
  EXPECT_EQ(c.change_fail_rate, DoraLevel::low);  // 100%: nearest is 40%
  EXPECT_EQ(c.recovery_time, DoraLevel::low);
  EXPECT_EQ(c.overall, DoraLevel::low);
}

TEST(Dora, BandEdgesAndTies) {
  DoraMetrics m;
  m.deploys_per_day = 1.0;          // once a day is High's upper edge, not "multiple per day"
  m.lead_time_median_s = 7 * kDay;  // a week is Medium
  m.change_fail_rate = 0.15;        // nearer 10% (medium) than 20%? equidistant: first wins
  m.recovery_median_s = kHour;      // an hour is not under an hour
  const auto c = classify_dora(m);
  EXPECT_EQ(c.deployment_frequency, DoraLevel::high);
  EXPECT_EQ(c.lead_time, DoraLevel::medium);
  EXPECT_EQ(c.recovery_time, DoraLevel::high);
  m.deploys_per_day = 1.0 / 7.0;
  EXPECT_EQ(classify_dora(m).deployment_frequency, DoraLevel::high);
  m.deploys_per_day = 1.0 / 8.0;
  EXPECT_EQ(classify_dora(m).deployment_frequency, DoraLevel::medium);
  // Two elite and two low votes: the tie goes to the lower level.
  DoraMetrics tie;
  tie.deploys_per_day = 5;
  tie.lead_time_median_s = kHour;
  tie.change_fail_rate = 0.5;
  tie.recovery_median_s = 30 * kDay;
  EXPECT_EQ(classify_dora(tie).overall, DoraLevel::low);
}

TEST(Dora, EmptyLogHasUndefinedMetrics) {
  const auto m = dora_metrics({}, 30.0);
  EXPECT_EQ(m.deploys_per_day, 0.0);
  EXPECT_TRUE(std::isnan(m.lead_time_median_s));
  EXPECT_TRUE(std::isnan(m.change_fail_rate));
  EXPECT_TRUE(std::isnan(m.recovery_median_s));
  EXPECT_EQ(classify_dora(m).overall, DoraLevel::low);
  EXPECT_THROW(dora_metrics({}, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace deploysim::delivery
