#include "engine/distribution.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace deploysim::engine {
namespace {

using Kind = Distribution::Kind;
using Unit = Distribution::Unit;

constexpr int kDraws = 200'000;
// Five standard errors: chance exceeds it about once in 1.7 million; a wrong formula, by far.
constexpr double z = 5.0;

struct SampleMoments {
  double mean;
  double variance;
  double mean_error;      // standard error of `mean`
  double variance_error;  // standard error of `variance`
};

SampleMoments sample_moments(const Distribution& d, const char* stream_name) {
  RandomStream stream(2024, stream_name);
  std::vector<double> xs(kDraws);
  double sum = 0.0;
  for (double& x : xs) {
    x = d.sample(stream);
    sum += x;
  }
  const double mean = sum / kDraws;
  double m2 = 0.0, m4 = 0.0;
  for (double x : xs) {
    const double dev2 = (x - mean) * (x - mean);
    m2 += dev2;
    m4 += dev2 * dev2;
  }
  m2 /= kDraws;
  m4 /= kDraws;
  return {mean, m2, std::sqrt(d.variance() / kDraws), std::sqrt((m4 - m2 * m2) / kDraws)};
}

void expect_moments_match(const std::string& text, Unit unit) {
  SCOPED_TRACE(text);
  const Distribution d = Distribution::parse(text, unit);
  const SampleMoments s = sample_moments(d, text.c_str());
  EXPECT_NEAR(s.mean, d.mean(), z * s.mean_error);
  EXPECT_NEAR(s.variance, d.variance(), z * s.variance_error);
}

TEST(Distribution, SampleMomentsMatchTheAnalyticOnes) {
  expect_moments_match("uniform(1, 5)", Unit::number);
  expect_moments_match("uniform(10s, 70s)", Unit::duration);
  expect_moments_match("exponential(30s)", Unit::duration);
  expect_moments_match("exponential(6h)", Unit::duration);
  expect_moments_match("normal(10s, 2s)", Unit::duration);
  expect_moments_match("lognormal(20min, 0.5)", Unit::duration);
  expect_moments_match("lognormal(5min, 1)", Unit::duration);
  expect_moments_match("weibull(1.5, 2h)", Unit::duration);
  expect_moments_match("weibull(0.7, 3)", Unit::number);
  expect_moments_match("weibull(4, 10)", Unit::number);
  expect_moments_match("empirical(10s, 20s, 60s)", Unit::duration);
  expect_moments_match("empirical(1, 1, 2, 7.5)", Unit::number);
}

TEST(Distribution, ClampedNormalMomentsAreThoseOfWhatIsSampled) {
  // Half of normal(1, 1)'s mass below 1 and 16% below 0: clamping moves the mean to
  // Phi(1) + phi(1) = 1.0833 and the variance well below 1.
  const Distribution d = Distribution::parse("normal(1, 1)", Unit::number);
  EXPECT_NEAR(d.mean(), 1.083315, 1e-6);
  EXPECT_LT(d.variance(), 0.8);
  const SampleMoments s = sample_moments(d, "clamped");
  EXPECT_NEAR(s.mean, d.mean(), z * s.mean_error);
  EXPECT_NEAR(s.variance, d.variance(), z * s.variance_error);
  // The unclamped mean is far outside the tolerance: the check above can fail.
  EXPECT_GT(std::abs(s.mean - 1.0), 4 * z * s.mean_error);

  const Distribution zero_sd = Distribution::parse("normal(3, 0)", Unit::number);
  EXPECT_EQ(zero_sd.mean(), 3.0);
  EXPECT_EQ(zero_sd.variance(), 0.0);
}

TEST(Distribution, LognormalMeanIsNotItsMedian) {
  const Distribution d = Distribution::parse("lognormal(20min, 0.5)", Unit::duration);
  EXPECT_NEAR(d.mean(), 1'200'000 * std::exp(0.125), 1e-6);
  const SampleMoments s = sample_moments(d, "median");
  EXPECT_GT(std::abs(s.mean - 1'200'000), 10 * z * s.mean_error);
}

TEST(Distribution, AnalyticMomentsOfEachKind) {
  EXPECT_DOUBLE_EQ(Distribution::parse("uniform(1, 5)", Unit::number).mean(), 3.0);
  EXPECT_DOUBLE_EQ(Distribution::parse("uniform(1, 5)", Unit::number).variance(), 16.0 / 12);
  EXPECT_DOUBLE_EQ(Distribution::parse("exponential(30s)", Unit::duration).variance(), 9e8);
  // Weibull with shape 1 is the exponential.
  EXPECT_NEAR(Distribution::parse("weibull(1, 3)", Unit::number).mean(), 3.0, 1e-12);
  EXPECT_NEAR(Distribution::parse("weibull(1, 3)", Unit::number).variance(), 9.0, 1e-12);
  EXPECT_NEAR(Distribution::parse("weibull(2, 1)", Unit::number).mean(),
              std::sqrt(std::numbers::pi) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(Distribution::parse("empirical(1, 2, 6)", Unit::number).mean(), 3.0);
  EXPECT_DOUBLE_EQ(Distribution::parse("empirical(1, 2, 6)", Unit::number).variance(), 14.0 / 3);
  EXPECT_NEAR(Distribution::parse("lognormal(2, 1)", Unit::number).variance(),
              (std::exp(1.0) - 1) * 4 * std::exp(1.0), 1e-12);
}

TEST(Distribution, ConstantsAreDeterministicAndDrawNothing) {
  const Distribution d = Distribution::parse("30s", Unit::duration);
  EXPECT_EQ(d.kind(), Kind::deterministic);
  RandomStream stream(1, "constant");
  RandomStream untouched(1, "constant");
  EXPECT_EQ(d.sample(stream), 30'000.0);
  EXPECT_EQ(d.sample_duration(stream), Duration::seconds(30));
  EXPECT_EQ(stream.next_u64(), untouched.next_u64());
  EXPECT_EQ(d.mean(), 30'000.0);
  EXPECT_EQ(d.variance(), 0.0);
  EXPECT_EQ(Distribution::constant(4.5).sample(stream), 4.5);
}

TEST(Distribution, SamplesAreNeverNegativeAndEmpiricalPicksListedValues) {
  RandomStream stream(5, "range");
  const Distribution normal = Distribution::parse("normal(1s, 5s)", Unit::duration);
  const Distribution empirical = Distribution::parse("empirical(10s, 20s, 60s)", Unit::duration);
  const Distribution uniform = Distribution::parse("uniform(2, 3)", Unit::number);
  bool saw_zero = false;
  for (int i = 0; i < 10'000; ++i) {
    const double x = normal.sample(stream);
    ASSERT_GE(x, 0.0);
    saw_zero = saw_zero || x == 0.0;
    const Duration e = empirical.sample_duration(stream);
    ASSERT_TRUE(e == Duration::seconds(10) || e == Duration::seconds(20) ||
                e == Duration::seconds(60));
    const double u = uniform.sample(stream);
    ASSERT_GE(u, 2.0);
    ASSERT_LT(u, 3.0);
  }
  EXPECT_TRUE(saw_zero);
}

TEST(Distribution, SamplingIsDeterministic) {
  const Distribution d = Distribution::parse("lognormal(20min, 0.5)", Unit::duration);
  RandomStream a(42, "host/17/install");
  RandomStream b(42, "host/17/install");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(d.sample(a), d.sample(b));
}

TEST(DistributionParse, ReadsEveryForm) {
  struct Case {
    const char* text;
    Unit unit;
    Kind kind;
    std::vector<double> parameters;
  };
  const Case cases[] = {
      {"30s", Unit::duration, Kind::deterministic, {30'000}},
      {"1h30min", Unit::duration, Kind::deterministic, {5'400'000}},
      {"4.5", Unit::number, Kind::deterministic, {4.5}},
      {"0", Unit::number, Kind::deterministic, {0}},
      {"uniform(1, 5)", Unit::number, Kind::uniform, {1, 5}},
      {"uniform(3,3)", Unit::number, Kind::uniform, {3, 3}},
      {"uniform(10s, 1min)", Unit::duration, Kind::uniform, {10'000, 60'000}},
      {"exponential(30s)", Unit::duration, Kind::exponential, {30'000}},
      {"exponential(2.5)", Unit::number, Kind::exponential, {2.5}},
      {"normal(10s, 2s)", Unit::duration, Kind::normal, {10'000, 2'000}},
      {"normal(10, 0)", Unit::number, Kind::normal, {10, 0}},
      {"lognormal(20min, 0.5)", Unit::duration, Kind::lognormal, {1'200'000, 0.5}},
      {"lognormal(3, 1e-1)", Unit::number, Kind::lognormal, {3, 0.1}},
      {"weibull(1.5, 2h)", Unit::duration, Kind::weibull, {1.5, 7'200'000}},
      {"weibull(2, 3)", Unit::number, Kind::weibull, {2, 3}},
      {"empirical(10s, 20s, 60s)", Unit::duration, Kind::empirical, {10'000, 20'000, 60'000}},
      {"empirical(7)", Unit::number, Kind::empirical, {7}},
      {"  lognormal ( 20min ,  0.5 )  ", Unit::duration, Kind::lognormal, {1'200'000, 0.5}},
      {"empirical(\t1,2 , 3\t)", Unit::number, Kind::empirical, {1, 2, 3}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const Distribution d = Distribution::parse(c.text, c.unit);
    EXPECT_EQ(d.kind(), c.kind);
    EXPECT_EQ(d.parameters(), c.parameters);
  }
}

struct BadDistribution {
  const char* text;
  Unit unit;
  const char* reason;
};

// Test names show the text rather than the struct's bytes (which are pointers).
void PrintTo(const BadDistribution& bad, std::ostream* out) {
  *out << '"' << bad.text << '"';
}

class BadDistributions : public testing::TestWithParam<BadDistribution> {};

TEST_P(BadDistributions, NameTheTextTheReasonAndTheAcceptedForms) {
  const BadDistribution& bad = GetParam();
  std::string message;
  try {
    Distribution::parse(bad.text, bad.unit);
  } catch (const TimeFormatError& e) {
    message = e.what();
  }
  ASSERT_FALSE(message.empty()) << bad.text << " parsed";
  EXPECT_EQ(message.find("\"" + std::string(bad.text) + "\" is not a distribution: "), 0u)
      << message;
  EXPECT_NE(message.find(bad.reason), std::string::npos) << message;
  // Either the distribution forms, or (for a bad duration) the duration forms.
  const bool lists_forms =
      message.find(
          "uniform(low, high), exponential(mean), normal(mean, stddev), "
          "lognormal(median, sigma), weibull(shape, scale) or empirical(v1, v2, ...)") !=
          std::string::npos ||
      message.find("expected a number followed by ms, s, min, h or d") != std::string::npos;
  EXPECT_TRUE(lists_forms) << message;
}

INSTANTIATE_TEST_SUITE_P(
    DistributionParse, BadDistributions,
    testing::Values(
        BadDistribution{"", Unit::duration, "empty"}, BadDistribution{"   ", Unit::number, "empty"},
        BadDistribution{"5 minutes", Unit::duration, "\"5 minutes\" is not a duration"},
        BadDistribution{"exponential(5 minutes)", Unit::duration,
                        "\"5 minutes\" is not a duration: unknown unit \"minutes\""},
        BadDistribution{"exponential(30)", Unit::duration, "\"30\" is not a duration"},
        BadDistribution{"exponential(30s)", Unit::number, "\"30s\" is not a number"},
        BadDistribution{"expo(30s)", Unit::duration, "unknown distribution \"expo\""},
        BadDistribution{"(30s)", Unit::duration, "name is missing"},
        BadDistribution{"exponential(30s", Unit::duration, "unbalanced parentheses"},
        BadDistribution{"exponential 30s)", Unit::duration, "unbalanced parentheses"},
        BadDistribution{"exponential((30s))", Unit::duration, "unbalanced parentheses"},
        BadDistribution{"exponential(30s) x", Unit::duration, "unbalanced parentheses"},
        BadDistribution{"exponential()", Unit::duration, "exponential(mean) needs arguments"},
        BadDistribution{"exponential(30s, 1min)", Unit::duration,
                        "exponential takes 1 argument, as in exponential(mean)"},
        BadDistribution{"uniform(1)", Unit::number,
                        "uniform takes 2 arguments, as in uniform(low, high), not 1"},
        BadDistribution{"uniform(1, )", Unit::number, "an argument is missing"},
        BadDistribution{"uniform(1,,2)", Unit::number, "an argument is missing"},
        BadDistribution{"uniform(5, 1)", Unit::number, "low <= high"},
        BadDistribution{"exponential(0s)", Unit::duration, "mean above 0"},
        BadDistribution{"normal(-1, 1)", Unit::number, "\"-1\" is negative"},
        BadDistribution{"normal(1, -1)", Unit::number, "\"-1\" is negative"},
        BadDistribution{"lognormal(0, 1)", Unit::number, "median above 0"},
        BadDistribution{"lognormal(20min, 30s)", Unit::duration, "\"30s\" is not a number"},
        BadDistribution{"weibull(0, 1)", Unit::number, "shape and scale above 0"},
        BadDistribution{"weibull(2, 0s)", Unit::duration, "shape and scale above 0"},
        BadDistribution{"weibull(1h, 2h)", Unit::duration, "\"1h\" is not a number"},
        BadDistribution{"empirical()", Unit::number, "needs arguments"},
        BadDistribution{"uniform(1, inf)", Unit::number, "\"inf\" is not a number"},
        BadDistribution{"uniform(1, nan)", Unit::number, "\"nan\" is not a number"},
        BadDistribution{"uniform(1, 1e999)", Unit::number, "\"1e999\" is out of range"},
        BadDistribution{"uniform(1, 0x10)", Unit::number, "\"0x10\" is not a number"},
        BadDistribution{"4.5.1", Unit::number, "\"4.5.1\" is not a number"},
        BadDistribution{"-4.5", Unit::number, "negative"},
        BadDistribution{"30s,", Unit::duration, "stray comma"}));

TEST(DistributionParse, BadDurationMessageKeepsTheDurationsReason) {
  try {
    Distribution::parse("exponential(5m)", Unit::duration);
    FAIL() << "parsed";
  } catch (const TimeFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("\"m\" is ambiguous"), std::string::npos) << e.what();
  }
}

TEST(Distribution, OfValidatesParameters) {
  EXPECT_NO_THROW(Distribution::of(Kind::weibull, {1.5, 2.0}));
  EXPECT_THROW(Distribution::of(Kind::uniform, {2.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::of(Kind::exponential, {1.0, 2.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::of(Kind::empirical, {}), std::invalid_argument);
  EXPECT_THROW(Distribution::of(Kind::normal, {1.0, NAN}), std::invalid_argument);
  EXPECT_THROW(Distribution::constant(-1.0), std::invalid_argument);
}

TEST(DistributionToString, PrintsTheParseableForm) {
  EXPECT_EQ(Distribution::parse("30s", Unit::duration).to_string(Unit::duration), "30s");
  EXPECT_EQ(Distribution::parse("90min", Unit::duration).to_string(Unit::duration), "1h30min");
  EXPECT_EQ(Distribution::parse("4.5", Unit::number).to_string(Unit::number), "4.5");
  EXPECT_EQ(
      Distribution::parse(" lognormal( 20min,0.5 )", Unit::duration).to_string(Unit::duration),
      "lognormal(20min, 0.5)");
  EXPECT_EQ(Distribution::parse("weibull(1.5, 2h)", Unit::duration).to_string(Unit::duration),
            "weibull(1.5, 2h)");
  EXPECT_EQ(Distribution::parse("uniform(1, 5)", Unit::number).to_string(Unit::number),
            "uniform(1, 5)");
  EXPECT_EQ(Distribution::of(Kind::exponential, {0.1}).to_string(Unit::number), "exponential(0.1)");
}

TEST(DistributionToString, RoundTripsThroughParse) {
  const struct {
    const char* text;
    Unit unit;
  } cases[] = {
      {"30s", Unit::duration},
      {"2.5s", Unit::duration},
      {"uniform(10s, 1d2h)", Unit::duration},
      {"exponential(6h)", Unit::duration},
      {"normal(10s, 250ms)", Unit::duration},
      {"lognormal(5min, 0.5)", Unit::duration},
      {"weibull(0.7, 1h30min)", Unit::duration},
      {"empirical(10s, 20s, 1min)", Unit::duration},
      {"4.5", Unit::number},
      {"uniform(0.1, 0.30000000000000004)", Unit::number},
      {"exponential(3)", Unit::number},
      {"normal(100, 15)", Unit::number},
      {"lognormal(2, 1.25)", Unit::number},
      {"weibull(2, 3)", Unit::number},
      {"empirical(1, 2.5, 1e-07)", Unit::number},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const Distribution d = Distribution::parse(c.text, c.unit);
    EXPECT_EQ(d.to_string(c.unit), c.text);
    const Distribution again = Distribution::parse(d.to_string(c.unit), c.unit);
    EXPECT_EQ(again.kind(), d.kind());
    EXPECT_EQ(again.parameters(), d.parameters());
  }
}

}  // namespace
}  // namespace deploysim::engine
