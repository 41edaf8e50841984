#include "experiment/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/random.hpp"

namespace deploysim::experiment {
namespace {

using engine::RandomStream;

double relative_error(double actual, double expected) {
  return std::abs(actual - expected) / std::abs(expected);
}

std::vector<double> normal_draws(std::uint64_t seed, int n, double mean, double stddev) {
  RandomStream stream(seed, "test/normal");
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(stream.normal(mean, stddev));
  return out;
}

Eigen::VectorXd to_eigen(const std::vector<double>& values) {
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

// ---- RunningStats ------------------------------------------------------------------------------

TEST(RunningStats, MatchesTwoPassOnRandomData) {
  // A large offset makes the naive sum-of-squares formula lose most digits; Welford must not.
  const std::vector<double> values = normal_draws(1, 10'000, 1e6, 3.0);
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double variance = squares / static_cast<double>(values.size() - 1);

  RunningStats stats;
  for (double v : values) stats.add(v);
  EXPECT_EQ(stats.count(), 10'000);
  EXPECT_LT(relative_error(stats.mean(), mean), 1e-12);
  EXPECT_LT(relative_error(stats.variance(), variance), 1e-12);
  EXPECT_LT(relative_error(stats.stddev(), std::sqrt(variance)), 1e-12);
  EXPECT_LT(relative_error(stats.standard_error(), std::sqrt(variance / 10'000)), 1e-12);
  EXPECT_EQ(stats.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(stats.max(), *std::max_element(values.begin(), values.end()));
}

TEST(RunningStats, MergeMatchesSequential) {
  const std::vector<double> values = normal_draws(2, 9'999, 50.0, 7.0);
  RunningStats sequential;
  for (double v : values) sequential.add(v);
  // Uneven chunks, as replicas finishing on different threads would give.
  RunningStats merged;
  std::size_t begin = 0;
  for (std::size_t size : {1u, 17u, 3000u, 2u, 4000u}) {
    RunningStats part;
    for (std::size_t i = begin; i < begin + size; ++i) part.add(values[i]);
    merged.merge(part);
    begin += size;
  }
  RunningStats rest;
  for (std::size_t i = begin; i < values.size(); ++i) rest.add(values[i]);
  merged.merge(rest);

  EXPECT_EQ(merged.count(), sequential.count());
  EXPECT_LT(relative_error(merged.mean(), sequential.mean()), 1e-12);
  EXPECT_LT(relative_error(merged.variance(), sequential.variance()), 1e-12);
  EXPECT_EQ(merged.min(), sequential.min());
  EXPECT_EQ(merged.max(), sequential.max());
}

TEST(RunningStats, MergeInTheSameOrderIsBitIdentical) {
  const std::vector<double> values = normal_draws(3, 1000, 0.0, 1.0);
  std::vector<RunningStats> parts(7);
  for (std::size_t i = 0; i < values.size(); ++i) parts[i % parts.size()].add(values[i]);
  RunningStats first;
  RunningStats second;
  for (const RunningStats& part : parts) first.merge(part);
  for (const RunningStats& part : parts) second.merge(part);
  EXPECT_EQ(first.mean(), second.mean());
  EXPECT_EQ(first.variance(), second.variance());
}

TEST(RunningStats, UndefinedMomentsAreNaN) {
  RunningStats stats;
  EXPECT_EQ(stats.count(), 0);
  EXPECT_TRUE(std::isnan(stats.mean()));
  EXPECT_TRUE(std::isnan(stats.min()));
  EXPECT_TRUE(std::isnan(stats.variance()));
  stats.add(4.0);
  EXPECT_EQ(stats.mean(), 4.0);
  EXPECT_EQ(stats.min(), 4.0);
  EXPECT_EQ(stats.max(), 4.0);
  EXPECT_TRUE(std::isnan(stats.variance()));
  stats.add(6.0);
  EXPECT_EQ(stats.mean(), 5.0);
  EXPECT_EQ(stats.variance(), 2.0);
}

TEST(RunningStats, MergeWithEmptyIsIdentity) {
  RunningStats stats;
  stats.add(1.0);
  stats.add(3.0);
  RunningStats empty;
  stats.merge(empty);
  EXPECT_EQ(stats.count(), 2);
  EXPECT_EQ(stats.mean(), 2.0);
  empty.merge(stats);
  EXPECT_EQ(empty.count(), 2);
  EXPECT_EQ(empty.variance(), 2.0);
}

// ---- quantiles ---------------------------------------------------------------------------------

TEST(ExactQuantile, IsNumpyType7) {
  // numpy.quantile([1, 2, 3, 4], q) with the default (linear) method.
  const std::vector<double> values = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(exact_quantile(values, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(exact_quantile(values, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(exact_quantile(values, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(exact_quantile(values, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(exact_quantile(values, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(exact_quantile({7.0}, 0.3), 7.0);
  EXPECT_TRUE(std::isnan(exact_quantile({}, 0.5)));
  EXPECT_THROW(exact_quantile(values, 1.5), std::invalid_argument);
}

TEST(StreamingQuantiles, ExactForTheFirstFiveObservations) {
  StreamingQuantiles quantiles({0.25, 0.5, 0.9});
  std::vector<double> seen;
  for (double v : {5.0, 1.0, 4.0, 2.0, 3.0}) {
    quantiles.add(v);
    seen.push_back(v);
    for (double p : {0.25, 0.5, 0.9}) {
      EXPECT_DOUBLE_EQ(quantiles.quantile(p), exact_quantile(seen, p)) << p << " " << seen.size();
    }
  }
}

TEST(StreamingQuantiles, CloseToExactOnExponentialDraws) {
  StreamingQuantiles quantiles;
  EXPECT_EQ(quantiles.probabilities(), (std::vector<double>{0.5, 0.9, 0.95, 0.99}));
  RandomStream stream(42, "test/p2");
  std::vector<double> values;
  for (int i = 0; i < 100'000; ++i) {
    values.push_back(stream.exponential(1.0));
    quantiles.add(values.back());
  }
  EXPECT_EQ(quantiles.count(), 100'000);
  for (double p : quantiles.probabilities()) {
    const double exact = exact_quantile(values, p);
    // P² is a parabolic interpolation through five markers; on 100k draws of a smooth
    // distribution it lands within a percent of the sample quantile.
    EXPECT_LT(relative_error(quantiles.quantile(p), exact), 0.01) << "p = " << p;
    // And the sample quantile is near the distribution's, -ln(1 - p).
    EXPECT_LT(relative_error(exact, -std::log1p(-p)), 0.03) << "p = " << p;
  }
}

TEST(StreamingQuantiles, ExtremesAreExact) {
  StreamingQuantiles quantiles({0.0, 0.5, 1.0});
  RandomStream stream(7, "test/extremes");
  RunningStats stats;
  for (int i = 0; i < 1000; ++i) {
    const double v = stream.normal(0.0, 1.0);
    quantiles.add(v);
    stats.add(v);
  }
  EXPECT_EQ(quantiles.quantile(0.0), stats.min());
  EXPECT_EQ(quantiles.quantile(1.0), stats.max());
}

TEST(StreamingQuantiles, ConstantAndTiedStreams) {
  StreamingQuantiles constant;
  StreamingQuantiles coin;
  RandomStream stream(3, "test/ties");
  for (int i = 0; i < 10'000; ++i) {
    constant.add(2.5);
    coin.add(stream.bernoulli(0.3) ? 1.0 : 0.0);
  }
  for (double p : constant.probabilities()) EXPECT_EQ(constant.quantile(p), 2.5);
  EXPECT_NEAR(coin.quantile(0.5), 0.0, 0.05);
  EXPECT_NEAR(coin.quantile(0.9), 1.0, 0.05);
}

TEST(StreamingQuantiles, RejectsUntrackedProbabilities) {
  StreamingQuantiles quantiles;
  EXPECT_TRUE(std::isnan(quantiles.quantile(0.5)));
  EXPECT_THROW(quantiles.quantile(0.75), std::invalid_argument);
  EXPECT_THROW(StreamingQuantiles({0.5, 95.0}), std::invalid_argument);
}

// ---- distributions -----------------------------------------------------------------------------

TEST(NormalQuantile, MatchesTables) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963985, 1e-9);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  // Reference values computed with mpmath at 40 digits.
  EXPECT_LT(relative_error(normal_quantile(0.025), -1.9599639845400542355), 1e-14);
  EXPECT_LT(relative_error(normal_quantile(0.3), -0.52440051270804078404), 1e-14);
  EXPECT_LT(relative_error(normal_quantile(0.001), -3.0902323061678135415), 1e-14);
  EXPECT_LT(relative_error(normal_quantile(1e-12), -7.0344838253011319298), 1e-14);
  EXPECT_LT(relative_error(normal_quantile(1e-300), -37.047096299361199237), 1e-14);
  EXPECT_EQ(normal_quantile(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(normal_quantile(1.0), std::numeric_limits<double>::infinity());
  EXPECT_THROW(normal_quantile(-0.1), std::invalid_argument);
  EXPECT_THROW(normal_quantile(std::nan("")), std::invalid_argument);
}

TEST(NormalQuantile, InvertsTheCdf) {
  for (double p = 0.0005; p < 1.0; p += 0.001) {
    EXPECT_NEAR(normal_cdf(normal_quantile(p)), p, 1e-15) << p;
    // Symmetric exactly when both arguments are exact: 1 - p is for p >= 1/2.
    const double upper = std::max(p, 1.0 - p);
    EXPECT_EQ(normal_quantile(upper), -normal_quantile(1.0 - upper)) << p;
  }
}

TEST(StudentTQuantile, MatchesTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062047, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.30265273, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.22813885, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.04227246, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 1000), 1.96233908, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.025, 10), -2.22813885, 1e-8);
  EXPECT_EQ(student_t_quantile(0.975, std::numeric_limits<double>::infinity()),
            normal_quantile(0.975));
}

struct TReference {
  double dof, p, t;
};

// Computed with mpmath at 40 digits by solving I_x(dof/2, 1/2) / 2 = p.
const TReference t_references[] = {
    {1, 1e-12, -318309886183.79067154},    {1, 0.001, -318.30883898555044592},
    {1, 0.45, -0.15838444032453629384},    {2, 1e-12, -707106.78118548686423},
    {2, 0.001, -22.327124770119875435},    {2, 0.45, -0.14213381090374028953},
    {3, 1e-12, -10331.108244292486134},    {3, 1e-6, -103.29946778041934274},
    {3, 0.025, -3.1824463052837095927},    {3, 0.3, -0.58438972743981866911},
    {4, 1e-12, -1316.0727465592565358},    {4, 0.1, -1.5332062740589439108},
    {5, 1e-6, -24.771029720515944171},     {5, 0.025, -2.5705818356363155147},
    {7.5, 1e-12, -83.916973454034809275},  {7.5, 0.001, -4.6303190940341016187},
    {7.5, 0.45, -0.12998033223414843222},  {10, 1e-6, -9.751995490940580178},
    {30, 1e-12, -11.397217523311411181},   {30, 0.3, -0.53001900390650447734},
    {100, 0.001, -3.1737394937387829389},  {100, 0.45, -0.12598088204153967467},
    {1000, 1e-12, -7.1242289253144091356}, {1000, 0.1, -1.2823987214609244373},
    {1e6, 1e-12, -7.0345726084112566152},  {1e6, 0.025, -1.9599663568141070353},
    {1e6, 0.45, -0.12566137876648749235},
};

TEST(StudentTQuantile, MatchesHighPrecisionReferences) {
  for (const TReference& r : t_references) {
    EXPECT_LT(relative_error(student_t_quantile(r.p, r.dof), r.t), 1e-12)
        << "dof " << r.dof << " p " << r.p;
    // The upper tail by symmetry; 1 - r.p is rounded, so compare with the exact complement.
    const double upper = 1.0 - r.p;
    EXPECT_EQ(student_t_quantile(upper, r.dof), -student_t_quantile(1.0 - upper, r.dof))
        << "dof " << r.dof << " p " << upper;
  }
}

TEST(StudentTQuantile, InvertsTheCdf) {
  for (double dof : {1.0, 1.5, 2.0, 3.0, 5.0, 9.0, 29.0, 250.0, 1e5}) {
    for (double p : {1e-10, 1e-4, 0.01, 0.025, 0.05, 0.2, 0.4, 0.5, 0.6, 0.9, 0.975, 0.999}) {
      const double t = student_t_quantile(p, dof);
      const double back = student_t_cdf(t, dof);
      // Relative in the lower tail (where p carries all its digits), absolute in the upper.
      EXPECT_NEAR(back, p, p < 0.5 ? 1e-12 * p : 1e-14) << "dof " << dof << " p " << p;
    }
  }
}

TEST(StudentTQuantile, RejectsBadArguments) {
  EXPECT_THROW(student_t_quantile(0.975, 0.0), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(1.5, 10), std::invalid_argument);
  EXPECT_EQ(student_t_quantile(0.0, 10), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(student_t_quantile(1.0, 10), std::numeric_limits<double>::infinity());
  // With 0.3 degrees of freedom the 1e-100 quantile is about -1e333: beyond any double.
  EXPECT_EQ(student_t_quantile(1e-100, 0.3), -std::numeric_limits<double>::infinity());
}

TEST(StudentTCdf, MatchesHighPrecisionReferences) {
  EXPECT_LT(relative_error(student_t_cdf(-2, 3), 0.069662984279421588424), 1e-13);
  EXPECT_LT(relative_error(student_t_cdf(1.5, 7.5), 0.9127597147067678826), 1e-13);
  EXPECT_LT(relative_error(student_t_cdf(-8, 1000), 1.7133307411957371987e-15), 1e-12);
  EXPECT_LT(relative_error(student_t_cdf(3, 1e6), 0.99865006872928910147), 1e-13);
  EXPECT_LT(relative_error(student_t_cdf(-0.1, 0.5), 0.47316581056430320231), 1e-13);
  EXPECT_LT(relative_error(student_t_cdf(-1e6, 1.5), 3.7708524320132162022e-10), 1e-12);
  EXPECT_LT(relative_error(student_t_cdf(0.3, 30), 0.61687694735782359537), 1e-13);
  EXPECT_EQ(student_t_cdf(0.0, 4), 0.5);
  // dof 1 is the Cauchy distribution: F(t) = 1/2 + atan(t) / pi.
  EXPECT_NEAR(student_t_cdf(2.5, 1), 0.5 + std::atan(2.5) / std::numbers::pi, 1e-15);
}

// ---- intervals ---------------------------------------------------------------------------------

TEST(WilsonInterval, MatchesWorkedExamples) {
  const Interval none = wilson_interval(0, 10);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.2775, 5e-5);
  const Interval half = wilson_interval(5, 10);
  EXPECT_NEAR(half.low, 0.2366, 5e-5);
  EXPECT_NEAR(half.high, 0.7634, 5e-5);
  const Interval all = wilson_interval(10, 10);
  EXPECT_NEAR(all.low, 1.0 - 0.2775, 5e-5);
  EXPECT_EQ(all.high, 1.0);
  // 81 of 263 at 95%: [0.2553, 0.3662] (Newcombe 1998, Table I example).
  const Interval newcombe = wilson_interval(81, 263);
  EXPECT_NEAR(newcombe.low, 0.2553, 5e-5);
  EXPECT_NEAR(newcombe.high, 0.3662, 5e-5);
}

TEST(WilsonInterval, EdgeCasesAndErrors) {
  const Interval nothing = wilson_interval(0, 0);
  EXPECT_EQ(nothing.low, 0.0);
  EXPECT_EQ(nothing.high, 1.0);
  EXPECT_THROW(wilson_interval(3, 2), std::invalid_argument);
  EXPECT_THROW(wilson_interval(-1, 2), std::invalid_argument);
  EXPECT_THROW(wilson_interval(1, 2, 95.0), std::invalid_argument);
}

TEST(TInterval, DegenerateBelowTwoObservations) {
  RunningStats stats;
  EXPECT_TRUE(std::isnan(t_interval(stats).low));
  stats.add(3.0);
  const Interval one = t_interval(stats);
  EXPECT_EQ(one.low, 3.0);
  EXPECT_EQ(one.high, 3.0);
  stats.add(5.0);
  // mean 4, SE 1, t_{0.975, 1} = 12.7062047.
  EXPECT_NEAR(t_interval(stats).high, 4.0 + 12.7062047, 1e-7);
  EXPECT_THROW(t_interval(stats, 1.0), std::invalid_argument);
}

// Fraction of `repetitions` 95% intervals from samples of n normal(10, 2) draws that cover 10;
// with use_z the normal quantile replaces t, the classic mistake for small n.
double coverage(int n, int repetitions, bool use_z) {
  RandomStream stream(2024, "test/coverage/" + std::to_string(n));
  int covered = 0;
  for (int r = 0; r < repetitions; ++r) {
    RunningStats stats;
    for (int i = 0; i < n; ++i) stats.add(stream.normal(10.0, 2.0));
    Interval interval = t_interval(stats, 0.95);
    if (use_z) {
      const double half = normal_quantile(0.975) * stats.standard_error();
      interval = {stats.mean() - half, stats.mean() + half};
    }
    if (interval.low <= 10.0 && 10.0 <= interval.high) ++covered;
  }
  return covered / static_cast<double>(repetitions);
}

TEST(TInterval, CoversTheTrueMeanAtTheNominalRate) {
  // Binomial(400, 0.95) has a standard deviation of 1.1%: [91%, 98.5%] is about -3.7 to +3.2 of
  // them, so a correct interval passes and one built on a wrong quantile does not.
  const double n30 = coverage(30, 400, false);
  EXPECT_GE(n30, 0.91);
  EXPECT_LE(n30, 0.985);
  const double n5 = coverage(5, 400, false);
  EXPECT_GE(n5, 0.91);
  EXPECT_LE(n5, 0.985);
  // With five samples the normal quantile is too narrow (true coverage 87.8%): t matters.
  EXPECT_LT(coverage(5, 400, true), 0.91);
}

TEST(BootstrapInterval, DeterministicForASeed) {
  const Eigen::VectorXd samples = to_eigen(normal_draws(5, 50, 3.0, 1.0));
  const Interval first = bootstrap_interval(samples, 0.95, 1000, 99);
  const Interval second = bootstrap_interval(samples, 0.95, 1000, 99);
  EXPECT_EQ(first.low, second.low);
  EXPECT_EQ(first.high, second.high);
  const Interval other = bootstrap_interval(samples, 0.95, 1000, 100);
  EXPECT_NE(first.low, other.low);
}

TEST(BootstrapInterval, CloseToTheTIntervalForNormalData) {
  const std::vector<double> values = normal_draws(6, 200, 10.0, 2.0);
  RunningStats stats;
  for (double v : values) stats.add(v);
  const Interval t = t_interval(stats);
  const Interval boot = bootstrap_interval(to_eigen(values), 0.95, 4000, 7);
  const double half = 0.5 * (t.high - t.low);
  // The percentile bootstrap of a mean is about mean +- z SE sqrt((n-1)/n), within Monte Carlo
  // noise of a few percent of the half-width.
  EXPECT_NEAR(boot.low, t.low, 0.1 * half);
  EXPECT_NEAR(boot.high, t.high, 0.1 * half);
}

TEST(BootstrapInterval, EdgeCases) {
  Eigen::VectorXd one(1);
  one << 4.0;
  const Interval single = bootstrap_interval(one, 0.95, 100, 1);
  EXPECT_EQ(single.low, 4.0);
  EXPECT_EQ(single.high, 4.0);
  EXPECT_THROW(bootstrap_interval(Eigen::VectorXd(), 0.95, 100, 1), std::invalid_argument);
  EXPECT_THROW(bootstrap_interval(one, 0.95, 0, 1), std::invalid_argument);
}

// ---- paired comparison -------------------------------------------------------------------------

TEST(ComparePaired, IdenticalVectorsShowNoDifference) {
  const Eigen::VectorXd a = to_eigen(normal_draws(8, 40, 100.0, 15.0));
  const PairedComparison result = compare_paired(a, a);
  EXPECT_EQ(result.difference.mean(), 0.0);
  EXPECT_EQ(result.difference_ci.low, 0.0);
  EXPECT_EQ(result.difference_ci.high, 0.0);
  EXPECT_FALSE(result.significant);
  EXPECT_TRUE(result.deterministic);
  EXPECT_EQ(result.variance_reduction, std::numeric_limits<double>::infinity());
  EXPECT_EQ(result.a.count(), 40);
}

TEST(ComparePaired, CorrelatedPairsAreSignificantWithLargeVarianceReduction) {
  // b shares a's randomness (common random numbers) plus a shift of 1 and small noise.
  const Eigen::VectorXd a = to_eigen(normal_draws(9, 30, 100.0, 15.0));
  const Eigen::VectorXd noise = to_eigen(normal_draws(10, 30, 0.0, 0.5));
  const Eigen::VectorXd b = a.array() + 1.0 + noise.array();
  const PairedComparison result = compare_paired(a, b);
  EXPECT_NEAR(result.difference.mean(), 1.0, 0.4);
  EXPECT_GT(result.difference_ci.low, 0.0);
  EXPECT_TRUE(result.significant);
  // Var(a) + Var(b) ~ 2 * 225 against Var(b - a) ~ 0.25.
  EXPECT_GT(result.variance_reduction, 500.0);
  // Unpaired (independent runs), the interval of the difference would be wider than the shift.
  const double unpaired_half_width =
      student_t_quantile(0.975, 29) * std::sqrt((result.a.variance() + result.b.variance()) / 30.0);
  EXPECT_GT(unpaired_half_width, 1.0);
}

TEST(ComparePaired, IndependentPairsGainNothing) {
  const Eigen::VectorXd a = to_eigen(normal_draws(11, 2000, 0.0, 1.0));
  const Eigen::VectorXd b = to_eigen(normal_draws(12, 2000, 0.0, 1.0));
  const PairedComparison result = compare_paired(a, b);
  EXPECT_NEAR(result.variance_reduction, 1.0, 0.1);
  EXPECT_FALSE(result.significant);
}

TEST(ComparePaired, AShiftThatOnlyRoundingVariesIsExactNotSignificant) {
  // Each replica differs by 100 up to the last bit, as sums taken in another order do. A t test
  // of that noise gives a zero-width interval that excludes 0; it is exact, not significant.
  const double value = 3030.3028821908;
  Eigen::VectorXd a(20);
  Eigen::VectorXd b(20);
  for (Eigen::Index i = 0; i < 20; ++i) {
    a[i] = i % 2 ? std::nextafter(value, 4000.0) : value;
    b[i] = (i % 2 ? value : std::nextafter(value, 4000.0)) + 100.0;
  }
  ASSERT_GT(b.maxCoeff() - b.minCoeff(), 0.0);
  const PairedComparison result = compare_paired(a, b);
  EXPECT_TRUE(result.deterministic);
  EXPECT_FALSE(result.significant);
  EXPECT_GT(result.difference_ci.low, 0.0);
  EXPECT_NEAR(result.difference.mean(), 100.0, 1e-9);
  // A spread of a millionth of the mean is real variation, not rounding.
  for (Eigen::Index i = 0; i < 20; ++i) b[i] = a[i] + 100.0 + 1e-4 * static_cast<double>(i);
  const PairedComparison varied = compare_paired(a, b);
  EXPECT_FALSE(varied.deterministic);
  EXPECT_TRUE(varied.significant);
}

TEST(WithoutSpread, EqualValuesUpToRounding) {
  RunningStats none;
  EXPECT_FALSE(without_spread(none));
  RunningStats one;
  one.add(5.0);
  EXPECT_FALSE(without_spread(one));  // one value shows nothing about spread
  RunningStats zeros;
  zeros.add(0.0);
  zeros.add(0.0);
  EXPECT_TRUE(without_spread(zeros));
  RunningStats last_bit;
  last_bit.add(0.3);
  last_bit.add(0.1 + 0.2);  // 0.30000000000000004
  EXPECT_TRUE(without_spread(last_bit));
  RunningStats varied;
  varied.add(1.0);
  varied.add(1.0 + 1e-6);
  EXPECT_FALSE(without_spread(varied));
  RunningStats missing;
  missing.add(1.0);
  missing.add(std::nan(""));
  EXPECT_FALSE(without_spread(missing));
}

TEST(ComparePaired, EdgeCasesAndErrors) {
  Eigen::VectorXd one(1);
  one << 1.0;
  Eigen::VectorXd other(1);
  other << 2.0;
  const PairedComparison single = compare_paired(one, other);
  EXPECT_FALSE(single.significant);
  EXPECT_TRUE(std::isnan(single.variance_reduction));
  EXPECT_THROW(compare_paired(one, Eigen::VectorXd(2)), std::invalid_argument);
}

// ---- stopping rule -----------------------------------------------------------------------------

TEST(CiPreciseEnough, SwitchesAtTheRightCount) {
  // 110, 90, 110, 90, ...: after an even n the mean is 100 and the standard error 10 / sqrt(n-1),
  // so the half-width is t_{0.975, n-1} * 10 / sqrt(n - 1) against 2% of 100 = 2:
  //   n = 98: 1.98472 * 10 / sqrt(97) = 2.0152 (too wide), n = 100: 1.98422 * 10 / sqrt(99) =
  //   1.9942; n = 99 (mean 100.10) gives 2.0045 > 2.0020.
  RunningStats stats;
  std::int64_t first_precise = 0;
  for (int i = 0; i < 200 && first_precise == 0; ++i) {
    stats.add(i % 2 == 0 ? 110.0 : 90.0);
    if (ci_precise_enough(stats, 0.02)) first_precise = stats.count();
  }
  EXPECT_EQ(first_precise, 100);
}

TEST(CiPreciseEnough, NeedsTheMinimumCount) {
  RunningStats constant;
  for (int i = 0; i < min_count_for_precision - 1; ++i) constant.add(5.0);
  EXPECT_FALSE(ci_precise_enough(constant, 0.02));
  constant.add(5.0);
  EXPECT_TRUE(ci_precise_enough(constant, 0.02));
}

TEST(CiPreciseEnough, ZeroMean) {
  RunningStats zeros;
  for (int i = 0; i < 10; ++i) zeros.add(0.0);
  EXPECT_TRUE(ci_precise_enough(zeros, 0.02));
  RunningStats centred;
  for (int i = 0; i < 1000; ++i) centred.add(i % 2 == 0 ? 1.0 : -1.0);
  EXPECT_FALSE(ci_precise_enough(centred, 0.5));
  EXPECT_THROW(ci_precise_enough(centred, -0.1), std::invalid_argument);
}

}  // namespace
}  // namespace deploysim::experiment
