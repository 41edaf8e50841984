#pragma once
// Statistics for experiments: streaming moments and quantiles over replicas, the normal and
// Student t distributions, confidence intervals, paired (common random numbers) comparisons,
// and the `--until-ci` stopping rule.
//
// Deterministic: the same inputs in the same order give bit-identical results, so a
// multi-threaded runner reproduces a sequential one by combining per-replica results in replica
// order. The special functions are written here (core/ may not use Boost.Math) and avoid
// std::lgamma, which writes the global `signgam` and so races when replicas run on threads.
//
// Undefined quantities are NaN (the runner reports them as null): the mean of nothing, the
// variance of one value. Invalid arguments (a confidence of 95 instead of 0.95, a probability
// outside [0, 1]) throw std::invalid_argument naming the value.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace deploysim::experiment {

/// Streaming count, mean, variance, min and max (Welford), in the unit of the values added.
class RunningStats {
 public:
  /// Adds one observation; NaN propagates into every moment.
  void add(double value);
  /// Adds all of `other` (Chan et al.); the same merges in the same order are bit-identical.
  void merge(const RunningStats& other);

  /// Number of observations.
  std::int64_t count() const { return count_; }
  /// Arithmetic mean; NaN when empty.
  double mean() const;
  /// Sample variance (n - 1 denominator), in squared units; NaN when count < 2.
  double variance() const;
  /// Sample standard deviation; NaN when count < 2.
  double stddev() const;
  /// Standard error of the mean, stddev / sqrt(count); NaN when count < 2.
  double standard_error() const;
  /// Smallest observation; NaN when empty.
  double min() const;
  /// Largest observation; NaN when empty.
  double max() const;

 private:
  std::int64_t count_ = 0;
  double shift_ = 0.0;  // the first value; the moments below are of value - shift_
  double mean_ = 0.0;   // mean of value - shift_
  double m2_ = 0.0;     // sum of squared deviations from the mean
  double min_ = 0.0;
  double max_ = 0.0;
};

/// Quantiles of a stream in constant memory: one P² estimator (Jain & Chlamtac 1985, five
/// markers) per tracked probability, exact (type 7) until it has seen five observations.
/// No merge: P² markers cannot be combined exactly, so the runner feeds observations
/// sequentially in replica order, which keeps the estimate independent of the thread count.
class StreamingQuantiles {
 public:
  /// Tracks p50, p90, p95 and p99.
  StreamingQuantiles();
  /// Tracks the given probabilities, each in [0, 1] (0 and 1 give the exact min and max).
  explicit StreamingQuantiles(std::vector<double> probabilities);

  /// Adds one observation (not NaN).
  void add(double value);
  /// The estimate for p, which must equal one of probabilities(); NaN when empty.
  double quantile(double p) const;

  /// The tracked probabilities, in the order given.
  const std::vector<double>& probabilities() const { return probabilities_; }
  /// Number of observations.
  std::int64_t count() const { return count_; }

 private:
  struct Markers {
    double heights[5];     // q_i: estimates of the 0, p/2, p, (1+p)/2 and 1 quantiles
    double positions[5];   // n_i: actual marker ranks (0-based, whole numbers)
    double desired[5];     // n'_i: desired marker ranks
    double increments[5];  // dn'_i: added to desired[] per observation
  };
  void initialise_markers();

  std::vector<double> probabilities_;
  std::vector<Markers> markers_;
  double first_[5] = {};  // the first five observations, for the exact phase
  std::int64_t count_ = 0;
};

/// Type-7 sample quantile (numpy's default linear interpolation) at p in [0, 1]; NaN if empty.
double exact_quantile(std::vector<double> values, double p);

/// Standard normal cumulative distribution function Phi(x).
double normal_cdf(double x);
/// Phi^-1(p) by Acklam's approximation plus one Halley step (rel. error ~1e-16); +-inf at 0, 1.
double normal_quantile(double p);
/// Student t CDF for real dof > 0 (+inf: normal), via the incomplete beta; rel. error ~1e-13.
double student_t_cdf(double t, double dof);
/// Student t quantile (rel. error < 1e-12, abs. < 1e-15 near p = 1/2); +-inf at 0, 1.
double student_t_quantile(double p, double dof);

/// A closed interval [low, high], in the unit of the estimated quantity.
struct Interval {
  double low = 0.0;   ///< Lower bound.
  double high = 0.0;  ///< Upper bound.
};

/// Half-width of the t interval of the mean, t_{(1+c)/2, n-1} * SE; 0 when count < 2.
double t_half_width(const RunningStats& stats, double confidence = 0.95);
/// mean +- t_half_width; degenerate [mean, mean] when count < 2 (NaN when empty): check count.
Interval t_interval(const RunningStats& stats, double confidence = 0.95);
/// Wilson score interval of a success probability, within [0, 1]; [0, 1] when trials is 0.
Interval wilson_interval(std::int64_t successes, std::int64_t trials, double confidence = 0.95);
/// Percentile bootstrap of the mean, drawn from RandomStream(seed, "experiment/bootstrap").
Interval bootstrap_interval(const Eigen::VectorXd& samples, double confidence, int resamples,
                            std::uint64_t seed);

/// Relative spread below which values count as one value: sums of the same terms in another
/// order differ in their last bits, never by a billionth of their size.
inline constexpr double rounding_spread = 1e-9;

/// True when `stats` holds at least two values and all of them are equal up to rounding
/// (max - min <= rounding_spread x the largest magnitude): nothing varied, so a zero-width
/// interval says "exact", not "precise", and no test of it means anything.
bool without_spread(const RunningStats& stats);

/// Variant b against baseline a, replica by replica (the same seeds: common random numbers).
struct PairedComparison {
  RunningStats a;           ///< Baseline metric per replica.
  RunningStats b;           ///< Variant metric per replica.
  RunningStats difference;  ///< b - a per replica.
  Interval difference_ci;   ///< t interval of the mean difference.
  /// Every replica differs by the same amount (without_spread): the difference is exact.
  bool deterministic = false;
  /// difference_ci excludes 0; never with fewer than 2 replicas, never when deterministic.
  bool significant = false;
  /// (Var a + Var b) / Var(b - a), the CRN variance gain; +inf if Var(b - a) = 0, NaN if n < 2.
  double variance_reduction = 0.0;
};

/// Compares a[i] with b[i] for each replica i; the vectors must have the same size.
PairedComparison compare_paired(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                                double confidence = 0.95);

/// Fewest replicas before ci_precise_enough may stop: fewer give too unstable a variance.
inline constexpr std::int64_t min_count_for_precision = 10;

/// `--until-ci`: count >= 10 and t half-width <= relative_half_width * |mean| (0 +- 0 counts).
bool ci_precise_enough(const RunningStats& stats, double relative_half_width,
                       double confidence = 0.95);

}  // namespace deploysim::experiment
