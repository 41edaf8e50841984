#include "delivery/drift.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace deploysim::delivery {
namespace {

using engine::Duration;

DriftConfig memoryless() {
  DriftConfig c;
  c.hosts = 50;
  c.drift_rate_per_day = 0.5;
  c.schedule = AgentSchedule::exponential;
  c.interval = Duration::days(1);
  c.success_probability = 0.9;
  c.horizon = Duration::days(200);
  c.warmup = Duration::days(10);
  c.sample_every = Duration::days(1);
  return c;
}

TEST(Drift, CtmcOfTheMemorylessAgentIsTheClosedForm) {
  // Runs are a Poisson process: repairs at rate p / interval, so the drifted fraction is
  // lambda / (lambda + p / T) = 0.5 / (0.5 + 0.9) per day.
  const auto a = analyze_drift(memoryless());
  EXPECT_EQ(a.phases, 1);
  EXPECT_NEAR(a.ctmc_drifted_fraction, 0.5 / 1.4, 1e-12);
  EXPECT_NEAR(a.exact_drifted_fraction, 0.5 / 1.4, 1e-12);
}

TEST(Drift, SimulatedSteadyStateMatchesTheCtmcWithinItsConfidenceInterval) {
  const auto config = memoryless();
  const auto a = analyze_drift(config);
  const auto e = run_drift_experiment(config, 30, 7);
  EXPECT_EQ(e.steady_drifted_fraction.count(), 30);
  EXPECT_LE(e.ci95.low, a.ctmc_drifted_fraction);
  EXPECT_GE(e.ci95.high, a.ctmc_drifted_fraction);
  // And the interval is tight enough for the check to mean something.
  EXPECT_LT(e.ci95.high - e.ci95.low, 0.02);
}

TEST(Drift, PeriodicAgentWithSplayMatchesTheCtmcWithinItsConfidenceInterval) {
  DriftConfig c;
  c.hosts = 100;
  c.drift_rate_per_day = 2.0;  // a drift every 12 h
  c.interval = Duration::hours(6);
  c.splay = Duration::hours(2);
  c.success_probability = 0.8;
  c.horizon = Duration::days(120);
  c.warmup = Duration::days(5);
  c.sample_every = Duration::hours(6);
  const auto a = analyze_drift(c);
  // Erlang phases matched to the gap's spread: mean 7 h, sd 2/sqrt(12) h: k = 147.
  EXPECT_EQ(a.phases, 147);
  EXPECT_NEAR(a.ctmc_drifted_fraction, a.exact_drifted_fraction, 2e-3);
  const auto e = run_drift_experiment(c, 20, 11);
  EXPECT_LE(e.ci95.low, a.ctmc_drifted_fraction);
  EXPECT_GE(e.ci95.high, a.ctmc_drifted_fraction);
  EXPECT_LE(e.ci95.low, a.exact_drifted_fraction);
  EXPECT_GE(e.ci95.high, a.exact_drifted_fraction);
}

TEST(Drift, ImmutableReplacementNeverLeavesAHostDriftedPastItsReplacement) {
  DriftConfig c = memoryless();
  c.mode = DriftMode::immutable;
  c.schedule = AgentSchedule::periodic;
  c.success_probability = 1.0;
  c.interval = Duration::days(1);
  const auto run = simulate_drift(c, 3);
  // Every drift is undone by a replacement, except on hosts still drifted at the end.
  EXPECT_GE(run.drift_events - run.repairs, 0);
  EXPECT_LE(run.drift_events - run.repairs, c.hosts);
  for (double t : run.time_in_drift_s) EXPECT_LE(t, 200.0 * 86'400.0);
  // Drifting at 0.5 a day and replaced daily: lambda T - (1 - e^-lambda T) over lambda T.
  const auto a = analyze_drift(c);
  EXPECT_NEAR(a.exact_drifted_fraction, 1.0 - (1.0 - std::exp(-0.5)) / 0.5, 1e-12);
}

TEST(Drift, RunsAreDeterministicAndSeriesCoverTheHorizon) {
  DriftConfig c = memoryless();
  c.deploy_every = Duration::days(1);
  c.deploy_failure_if_drifted = 0.1;
  const auto a = simulate_drift(c, 42);
  const auto b = simulate_drift(c, 42);
  EXPECT_EQ(a.steady_drifted_fraction, b.steady_drifted_fraction);
  EXPECT_EQ(a.deploy_incidents, b.deploy_incidents);
  EXPECT_EQ(a.series.size(), 201u);  // day 0 to day 200
  EXPECT_EQ(a.series.front().drifted_fraction, 0.0);
  EXPECT_EQ(a.deploys, 200);
  EXPECT_GT(a.deploy_incidents, 0);
  EXPECT_NE(simulate_drift(c, 43).steady_drifted_fraction, a.steady_drifted_fraction);
}

TEST(Drift, ThreadCountDoesNotChangeTheResult) {
  auto c = memoryless();
  c.horizon = Duration::days(40);
  const auto one = run_drift_experiment(c, 7, 5, 1);
  const auto three = run_drift_experiment(c, 7, 5, 3);
  EXPECT_EQ(one.steady_drifted_fraction.mean(), three.steady_drifted_fraction.mean());
  EXPECT_EQ(one.steady_drifted_fraction.variance(), three.steady_drifted_fraction.variance());
  EXPECT_EQ(one.time_in_drift_share.mean(), three.time_in_drift_share.mean());
  ASSERT_EQ(one.mean_series.size(), three.mean_series.size());
  for (std::size_t i = 0; i < one.mean_series.size(); ++i) {
    EXPECT_EQ(one.mean_series[i].drifted_fraction, three.mean_series[i].drifted_fraction);
  }
}

TEST(Drift, BadInputIsRefused) {
  auto expect_refused = [](DriftConfig c, const char* what) {
    try {
      validate(c);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto c = memoryless();
  c.drift_rate_per_day = 0;
  expect_refused(c, "drift rate");
  c = memoryless();
  c.interval = Duration::milliseconds(0);
  expect_refused(c, "interval");
  c = memoryless();
  c.success_probability = 1.5;
  expect_refused(c, "success probability");
  c = memoryless();
  c.splay = Duration::minutes(5);
  expect_refused(c, "splay");
  c = memoryless();
  c.warmup = c.horizon;
  expect_refused(c, "warmup");
  c = memoryless();
  c.hosts = 0;
  expect_refused(c, "hosts");
  c = memoryless();
  c.deploy_failure_if_drifted = -0.1;
  expect_refused(c, "deploy failure");
}

}  // namespace
}  // namespace deploysim::delivery
