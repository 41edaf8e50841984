// The queueing approximation against its closed forms, load profiles, and the HPA algorithm
// against cases computed by hand from the Kubernetes controller's rules.

#include "model/capacity.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "model/autoscaler.hpp"

namespace deploysim::model {
namespace {

using engine::Duration;
using engine::Time;

// --- M/M/c ---------------------------------------------------------------------------------

TEST(ErlangC, MatchesHandComputedValues) {
  // c = 2, a = 1: B = 1/5, C = B / (1 - (1/2)(1 - B)) = 1/3.
  EXPECT_NEAR(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12);
  // c = 3, a = 2: C = 4/9 (the textbook example).
  EXPECT_NEAR(erlang_c(3, 2.0), 4.0 / 9.0, 1e-12);
  // One server: C is the utilisation.
  EXPECT_NEAR(erlang_c(1, 0.8), 0.8, 1e-12);
  EXPECT_EQ(erlang_c(4, 4.0), 1.0);
  EXPECT_EQ(erlang_c(4, 0.0), 0.0);
}

TEST(ErlangC, StaysFiniteForManyServers) {
  const double c = erlang_c(2'000, 1'900.0);
  EXPECT_TRUE(std::isfinite(c));
  EXPECT_GT(c, 0.0);
  EXPECT_LT(c, 1.0);
}

TEST(MmcQueue, SingleServerResponseTimeIsExponentialWithRateMuMinusLambda) {
  const MmcQueue queue{.servers = 1, .arrival_rate = 80.0, .service_rate = 100.0};
  EXPECT_NEAR(queue.mean_response_s(), 1.0 / 20.0, 1e-12);
  EXPECT_NEAR(queue.response_tail(0.1), std::exp(-2.0), 1e-12);
  EXPECT_NEAR(queue.response_quantile(0.99), std::log(100.0) / 20.0, 1e-9);
  EXPECT_NEAR(queue.response_quantile(0.5), std::log(2.0) / 20.0, 1e-9);
}

TEST(MmcQueue, MultiServerMeanAndTailMatchTheClosedForm) {
  // c = 2, λ = 1, μ = 1: mean = 1/μ + C/(cμ - λ) = 1 + 1/3.
  const MmcQueue two{.servers = 2, .arrival_rate = 1.0, .service_rate = 1.0};
  EXPECT_NEAR(two.mean_response_s(), 4.0 / 3.0, 1e-12);
  // θ = cμ - λ = μ: P(T > 1) = (1 - C) e^-1 + C (1 + 1) e^-1 = (4/3) e^-1.
  EXPECT_NEAR(two.response_tail(1.0), 4.0 / 3.0 * std::exp(-1.0), 1e-12);
  // c = 3, λ = 2, μ = 1: the tail integrates to the mean, 1 + (4/9)/1.
  const MmcQueue three{.servers = 3, .arrival_rate = 2.0, .service_rate = 1.0};
  double integral = 0.0;
  const double step = 1e-3;
  for (double t = step / 2; t < 60.0; t += step) integral += three.response_tail(t) * step;
  EXPECT_NEAR(integral, 1.0 + 4.0 / 9.0, 1e-5);
  EXPECT_NEAR(three.mean_response_s(), 1.0 + 4.0 / 9.0, 1e-12);
  const double p99 = three.response_quantile(0.99);
  EXPECT_NEAR(three.response_tail(p99), 0.01, 1e-9);
}

// --- load profiles -------------------------------------------------------------------------

TEST(LoadProfile, DiurnalPeaksAtItsTimeOfDayAndStepsHoldUntilTheNext) {
  spec::LoadProfile diurnal;
  diurnal.kind = spec::LoadProfile::Kind::diurnal;
  diurnal.mean_rps = 100.0;
  diurnal.amplitude = 0.5;
  diurnal.peak = Duration::hours(14);
  diurnal.day_offset = Duration::hours(8);  // the run starts at 08:00
  EXPECT_NEAR(load_rate(diurnal, Time::zero() + Duration::hours(6)), 150.0, 1e-9);
  EXPECT_NEAR(load_rate(diurnal, Time::zero() + Duration::hours(18)), 50.0, 1e-9);
  EXPECT_NEAR(load_rate(diurnal, Time::zero()), 100.0, 1e-9);  // 08:00 is a quarter day off

  spec::LoadProfile step;
  step.kind = spec::LoadProfile::Kind::step;
  step.rps = 10.0;
  step.points = {{Time::zero() + Duration::minutes(90), 500.0},
                 {Time::zero() + Duration::minutes(120), 200.0}};
  step.spikes = {{Time::zero() + Duration::minutes(100), Duration::minutes(5), 1'000.0}};
  EXPECT_EQ(load_rate(step, Time::zero() + Duration::minutes(89)), 10.0);
  EXPECT_EQ(load_rate(step, Time::zero() + Duration::minutes(90)), 500.0);
  EXPECT_EQ(load_rate(step, Time::zero() + Duration::minutes(102)), 1'500.0);
  EXPECT_EQ(load_rate(step, Time::zero() + Duration::minutes(105)), 500.0);
  EXPECT_EQ(load_rate(step, Time::zero() + Duration::minutes(121)), 200.0);
}

// --- HPA replica calculator ----------------------------------------------------------------

TEST(HpaMetricReplicas, IsTheCeilingOfReadyPodsTimesTheRatio) {
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.9, 0.5, 0.1), 8);    // ceil(4 × 1.8) = ceil(7.2)
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.2, 0.5, 0.1), 2);    // ceil(4 × 0.4) = ceil(1.6)
  EXPECT_EQ(hpa_metric_replicas(10, 10, 0, 0.3, 0.6, 0.1), 5);  // exactly half
}

TEST(HpaMetricReplicas, IgnoresChangesWithinTheTolerance) {
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.54, 0.5, 0.1), 4);  // ratio 1.08
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.46, 0.5, 0.1), 4);  // ratio 0.92
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.56, 0.5, 0.1), 5);  // ratio 1.12: ceil(4.48)
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.44, 0.5, 0.1), 4);  // ratio 0.88: ceil(3.52)
  EXPECT_EQ(hpa_metric_replicas(4, 4, 0, 0.54, 0.5, 0.0), 5);  // no tolerance
}

TEST(HpaMetricReplicas, CountsPodsNotReadyAtZeroWhenScalingUp) {
  // Ratio 1.2 over 2 ready pods; with the 2 starting pods at 0 it is 0.6: no scale up.
  EXPECT_EQ(hpa_metric_replicas(4, 2, 2, 0.6, 0.5, 0.1), 4);
  // Ratio 3 over 2 ready; over 4 pods 1.5: ceil(1.5 × 4) = 6.
  EXPECT_EQ(hpa_metric_replicas(4, 2, 2, 1.5, 0.5, 0.1), 6);
  // Scaling down leaves them out: ceil(2 × 0.4) = 1.
  EXPECT_EQ(hpa_metric_replicas(4, 2, 2, 0.2, 0.5, 0.1), 1);
  // No ready pod, no metric: keep the scale.
  EXPECT_EQ(hpa_metric_replicas(4, 0, 4, 0.0, 0.5, 0.1), 4);
}

// --- HPA behavior: stabilisation and policies ----------------------------------------------

spec::ScalingRules default_up() {
  spec::ScalingRules up;
  up.policies = {{spec::ScalingPolicy::Kind::percent, 100.0, Duration::seconds(15)},
                 {spec::ScalingPolicy::Kind::pods, 4.0, Duration::seconds(15)}};
  return up;
}

spec::ScalingRules default_down() {
  spec::ScalingRules down;
  down.stabilization_window = Duration::seconds(300);
  down.policies = {{spec::ScalingPolicy::Kind::percent, 100.0, Duration::seconds(15)}};
  return down;
}

Time at_s(std::int64_t s) {
  return Time::zero() + Duration::seconds(s);
}

TEST(HpaBehavior, ScaleDownWaitsOutTheStabilisationWindow) {
  HpaBehavior behavior(default_up(), default_down(), 1, 20);
  EXPECT_EQ(behavior.normalize(at_s(0), 10, 10).replicas, 10);
  // From 15 s the metric asks for 4; the recommendation of 10 at 0 s holds until it leaves the
  // 300 s window (strictly after now - 300 s), which is at 300 s.
  for (std::int64_t t = 15; t < 300; t += 15) {
    const auto decision = behavior.normalize(at_s(t), 10, 4);
    EXPECT_EQ(decision.replicas, 10) << "at " << t << " s";
    EXPECT_EQ(decision.reason, "ScaleDownStabilized");
  }
  EXPECT_EQ(behavior.normalize(at_s(300), 10, 4).replicas, 4);
}

TEST(HpaBehavior, ScaleUpIsLimitedByTheLargerPolicyPerPeriod) {
  HpaBehavior behavior(default_up(), default_down(), 1, 100);
  // From 2: 100% gives 4, 4 pods give 6; the default selectPolicy Max takes 6.
  auto decision = behavior.normalize(at_s(0), 2, 20);
  EXPECT_EQ(decision.replicas, 6);
  EXPECT_EQ(decision.reason, "ScaleUpLimit");
  behavior.record_scale(at_s(0), 2, 6);
  // 5 s later the period still holds the +4: it started at 2, so the limit is still 6.
  EXPECT_EQ(behavior.normalize(at_s(5), 6, 20).replicas, 6);
  // 15 s later the event has left the period: from 6, max(12, 10) = 12.
  EXPECT_EQ(behavior.normalize(at_s(15), 6, 20).replicas, 12);
}

TEST(HpaBehavior, SelectMinTakesTheSmallerChange) {
  auto up = default_up();
  up.select = spec::ScalingRules::Select::min;
  HpaBehavior behavior(up, default_down(), 1, 100);
  EXPECT_EQ(behavior.normalize(at_s(0), 2, 20).replicas, 4);  // min(4, 6)
  up.select = spec::ScalingRules::Select::disabled;
  HpaBehavior disabled(up, default_down(), 1, 100);
  EXPECT_EQ(disabled.normalize(at_s(0), 2, 20).replicas, 2);
}

TEST(HpaBehavior, PodsPolicyLimitsScaleDownAndBoundsApply) {
  spec::ScalingRules down;
  down.policies = {{spec::ScalingPolicy::Kind::pods, 1.0, Duration::seconds(60)}};
  HpaBehavior behavior(default_up(), down, 2, 10);
  auto decision = behavior.normalize(at_s(0), 10, 3);
  EXPECT_EQ(decision.replicas, 9);
  EXPECT_EQ(decision.reason, "ScaleDownLimit");
  behavior.record_scale(at_s(0), 10, 9);
  EXPECT_EQ(behavior.normalize(at_s(30), 9, 3).replicas, 9);  // one pod per minute
  EXPECT_EQ(behavior.normalize(at_s(60), 9, 3).replicas, 8);
  // Max: 8 asks for 30; 100% and 4 pods allow 16, more than max 10.
  const auto capped = behavior.normalize(at_s(75), 8, 30);
  EXPECT_EQ(capped.replicas, 10);
  EXPECT_EQ(capped.reason, "TooManyReplicas");
  // Min: a scale down beyond min 2 (the policy would allow 10 - 1).
  HpaBehavior fast(default_up(), default_down(), 2, 10);
  fast.normalize(at_s(-600), 3, 1);
  const auto floor = fast.normalize(at_s(0), 3, 1);
  EXPECT_EQ(floor.replicas, 2);
  EXPECT_EQ(floor.reason, "TooFewReplicas");
}

}  // namespace
}  // namespace deploysim::model
