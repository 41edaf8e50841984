#include "experiment/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/random.hpp"

namespace deploysim::experiment {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

void require_probability(double p, const char* what) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument(std::string(what) + " must be in [0, 1], got " + std::to_string(p));
  }
}

void require_confidence(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument("confidence must be in (0, 1) (0.95 for 95%), got " +
                                std::to_string(confidence));
  }
}

// Type-7 quantile of values already sorted ascending; n > 0.
double sorted_quantile(const double* sorted, std::size_t n, double p) {
  const double h = static_cast<double>(n - 1) * p;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= n) return sorted[n - 1];
  return sorted[below] + (h - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

// Insertion sort for the at most five values P² keeps before its markers exist (std::sort on a
// five-element array trips GCC 12's -Warray-bounds false positive on its 16-element fast path).
void sort_few(double* values, std::int64_t n) {
  for (std::int64_t i = 1; i < n; ++i) {
    const double value = values[i];
    std::int64_t j = i;
    for (; j > 0 && values[j - 1] > value; --j) values[j] = values[j - 1];
    values[j] = value;
  }
}

// ---- log-gamma and log-beta ------------------------------------------------------------------

// Arguments at or above this use the Stirling series directly; its first omitted term,
// 1/(156 x^13), is then below 3e-18.
constexpr double stirling_threshold = 15.0;

// ln Gamma(x) - [(x - 1/2) ln x - x + ln(2 pi)/2]: the Stirling series in 1/x, for x >= 15.
double stirling_correction(double x) {
  const double r = 1.0 / x;
  const double r2 = r * r;
  // Coefficients B_2k / (2k (2k - 1)) for k = 1..6.
  return r *
         (1.0 / 12 + r2 * (-1.0 / 360 +
                           r2 * (1.0 / 1260 +
                                 r2 * (-1.0 / 1680 + r2 * (1.0 / 1188 + r2 * (-691.0 / 360360))))));
}

// ln Gamma(x) for x > 0. Small arguments are shifted up with Gamma(x + 1) = x Gamma(x).
double log_gamma(double x) {
  double shift = 1.0;
  while (x < stirling_threshold) {
    shift *= x;
    x += 1.0;
  }
  const double half_log_two_pi = 0.5 * std::log(2.0 * std::numbers::pi);
  return (x - 0.5) * std::log(x) - x + half_log_two_pi + stirling_correction(x) - std::log(shift);
}

// ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), for a, b > 0. When the larger
// argument is big (the t distribution with many degrees of freedom: B(dof/2, 1/2)), the
// difference ln Gamma(big + small) - ln Gamma(big) is formed from the Stirling expansion
// directly, so two huge, nearly equal log-gammas are never subtracted.
double log_beta(double a, double b) {
  const double small = std::min(a, b);
  const double big = std::max(a, b);
  if (big < stirling_threshold) return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
  const double sum = big + small;
  const double log_ratio = (big - 0.5) * std::log1p(small / big) + small * std::log(sum) - small +
                           stirling_correction(sum) - stirling_correction(big);
  return log_gamma(small) - log_ratio;
}

// ---- regularized incomplete beta ---------------------------------------------------------------

// A point x in (0, 1] together with y = 1 - x and both logarithms, each computed without
// cancellation by the caller (who usually knows y better than 1 - x would give it).
struct BetaPoint {
  double x, y, log_x, log_y;
};

// ln I_x(a, b) from the continued fraction of Abramowitz & Stegun 26.5.8,
//   I_x(a, b) = x^a y^b / (a B(a, b)) / (1 + d_1 / (1 + d_2 / (1 + ...))),
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
//   d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m)),
// in its even contraction 1 + d_1 - d_1 d_2 / (1 + d_2 + d_3 - d_3 d_4 / (1 + d_4 + d_5 - ...)),
// evaluated by the modified Lentz method. The contraction matters: for large a (the t
// distribution with many degrees of freedom) every 1 + d_{2m+1} is nearly 0, and forming it in
// floating point loses up to a * eps; written as the polynomials below, in x or in y = 1 - x
// whichever has no opposite-signed terms, the partial denominators keep full precision.
// Converges quickly when x < (a + 1) / (a + b + 2), which the caller arranges by symmetry.
double log_incomplete_beta(double a, double b, const BetaPoint& point) {
  constexpr double tiny = 1e-300;  // replaces a zero denominator, as Lentz's method prescribes
  constexpr double tolerance = 1e-15;
  constexpr int max_terms = 100'000;
  const double x = point.x;
  const double y = point.y;
  const auto odd = [&](double m) {  // d_{2m+1}
    return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
  };
  const auto even = [&](double m) {  // d_{2m}
    return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
  };
  // 1 + d_1 = ((a + b) y + 1 - b) / (a + 1) = 1 - (a + b) x / (a + 1).
  double f = b <= 1.0 ? ((a + b) * y + 1.0 - b) / (a + 1.0) : 1.0 - (a + b) * x / (a + 1.0);
  if (std::abs(f) < tiny) f = tiny;
  double c = f;
  double d = 0.0;
  for (int k = 1; k <= max_terms; ++k) {
    const double m = k;
    const double numerator = -odd(m - 1) * even(m);
    // 1 + d_{2m} + d_{2m+1} = (y A + C) / den = 1 - x A / den, where A + C = den.
    const double poly_a = a * a + a * b + 2 * a * m - a - b + 2 * m * m;
    const double poly_c = a * (2 * m + 1 - b) + 2 * m * m + b - 1;
    const double den = (a + 2 * m - 1) * (a + 2 * m + 1);
    const double denominator =
        poly_a > 0.0 && poly_c >= 0.0 ? (y * poly_a + poly_c) / den : 1.0 - x * poly_a / den;
    d = denominator + numerator * d;
    if (std::abs(d) < tiny) d = tiny;
    c = denominator + numerator / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = c * d;
    f *= delta;
    if (std::abs(delta - 1.0) < tolerance) break;
  }
  return a * point.log_x + b * point.log_y - log_beta(a, b) - std::log(a) - std::log(f);
}

// ln of the lower tail of the t distribution, ln P(T <= -s) for s >= 0:
//   P(T <= -s) = I_x(dof/2, 1/2) / 2 with x = dof / (dof + s^2).
// Computing the logarithm keeps far tails (p = 1e-300) from underflowing during the search.
double log_t_lower_tail(double s, double dof) {
  if (s == 0.0) return std::log(0.5);
  if (std::isinf(s)) return -inf;
  const double r = s / std::sqrt(dof);
  BetaPoint point{};
  if (r < 1e150) {
    const double r2 = r * r;
    point = {1.0 / (1.0 + r2), r2 / (1.0 + r2), -std::log1p(r2), -std::log1p(1.0 / r2)};
  } else {  // r^2 (or r) would overflow; 1 / r^2 is negligible next to 1
    const double log_x = -2.0 * (std::log(s) - 0.5 * std::log(dof));
    point = {std::exp(log_x), 1.0, log_x, 0.0};
  }
  const double a = 0.5 * dof;
  const double b = 0.5;
  if (point.x < (a + 1.0) / (a + b + 2.0)) {
    return std::log(0.5) + log_incomplete_beta(a, b, point);
  }
  // Near the centre, I_x(a, b) = 1 - I_y(b, a) and the fraction converges for the swapped pair.
  const BetaPoint swapped{point.y, point.x, point.log_y, point.log_x};
  return std::log(0.5) + std::log1p(-std::exp(log_incomplete_beta(b, a, swapped)));
}

// ln of the t density at s.
double log_t_density(double s, double dof) {
  const double r = std::abs(s) / std::sqrt(dof);
  const double log1p_r2 =
      r < 1e150 ? std::log1p(r * r) : 2.0 * (std::log(std::abs(s)) - 0.5 * std::log(dof));
  return -0.5 * std::log(dof) - log_beta(0.5 * dof, 0.5) - 0.5 * (dof + 1.0) * log1p_r2;
}

void require_dof(double dof) {
  if (!(dof > 0.0)) {
    throw std::invalid_argument("degrees of freedom must be > 0, got " + std::to_string(dof));
  }
}

// Cornish-Fisher expansion of the t quantile around the normal one (Abramowitz & Stegun
// 26.7.5); a starting point only, poor for few degrees of freedom in the far tails.
double cornish_fisher_t(double z, double dof) {
  const double z2 = z * z;
  const double g1 = z * (z2 + 1) / 4;
  const double g2 = z * ((5 * z2 + 16) * z2 + 3) / 96;
  const double g3 = z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384;
  const double g4 = z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / dof) / dof) / dof) / dof;
}

// The s > 0 with P(T <= -s) = q, for 0 < q < 1/2.
double t_upper_quantile(double q, double dof) {
  // Solve h(u) = ln P(T <= -e^u) - ln q = 0 by Newton's method in u = ln s: t tails are power
  // laws, nearly straight lines in (ln s, ln P), so the iteration converges in a few steps from
  // the Cornish-Fisher guess even deep in the tails. A bracket [u_low, u_high] collected along
  // the way catches steps that leave it and replaces them with bisection.
  const double log_q = std::log(q);
  // With few degrees of freedom and a tiny q the answer can exceed the largest double.
  const double largest = std::numeric_limits<double>::max();
  if (log_t_lower_tail(largest, dof) > log_q) return inf;
  double s = cornish_fisher_t(-normal_quantile(q), dof);
  if (!(s > 0.0) || !std::isfinite(s)) s = -normal_quantile(q);
  double u = std::log(s);
  double u_low = -inf;  // h(u_low) > 0: tail probability still above q
  double u_high = inf;  // h(u_high) < 0
  for (int iteration = 0; iteration < 200; ++iteration) {
    s = std::exp(u);
    const double log_tail = log_t_lower_tail(s, dof);
    const double h = log_tail - log_q;
    if (h == 0.0) break;
    if (h > 0.0) {
      u_low = u;
    } else {
      u_high = u;
    }
    // dh/du = -s f(s) / P(T <= -s), with f the density.
    const double slope = -std::exp(std::log(s) + log_t_density(s, dof) - log_tail);
    double next = u - h / slope;
    if (!std::isfinite(next) || next <= u_low || next >= u_high) {
      if (std::isfinite(u_low) && std::isfinite(u_high)) {
        next = 0.5 * (u_low + u_high);
      } else {
        next = std::isfinite(u_low) ? u_low + 2.0 : u_high - 2.0;  // widen the search by e^2
      }
    }
    const double step = next - u;
    u = next;
    if (std::abs(step) <= 1e-15 * std::max(1.0, std::abs(u))) break;
    if (u_high - u_low <= 1e-15 * std::max(1.0, std::abs(u))) break;
  }
  return std::exp(u);
}

}  // namespace

// ---- RunningStats ------------------------------------------------------------------------------

void RunningStats::add(double value) {
  ++count_;
  if (count_ == 1) {
    shift_ = value;
    mean_ = 0.0;
    m2_ = 0.0;
    min_ = value;
    max_ = value;
    return;
  }
  // Welford (1962) on value - shift_: updating the mean first and using both deviations avoids
  // the cancellation of the sum-of-squares formula; the shift keeps the running mean small, so
  // its rounding scales with the spread of the values, not their magnitude (1e6 +- 3 stays
  // accurate to ~1e-14, where the unshifted update loses three more digits).
  const double shifted = value - shift_;
  const double delta = shifted - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (shifted - mean_);
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void RunningStats::merge(const RunningStats& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  // Chan, Golub & LeVeque (1979): combine means and squared deviations of the two parts. The
  // difference of the shifts is exact for nearby values (Sterbenz), so the means are compared in
  // this object's shifted frame without losing their low digits.
  const auto n_a = static_cast<double>(count_);
  const auto n_b = static_cast<double>(other.count_);
  const double n = n_a + n_b;
  const double delta = (other.shift_ - shift_) + other.mean_ - mean_;
  mean_ += delta * (n_b / n);
  m2_ += other.m2_ + delta * delta * (n_a * n_b / n);
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double RunningStats::mean() const {
  return count_ > 0 ? shift_ + mean_ : nan;
}

double RunningStats::variance() const {
  return count_ > 1 ? m2_ / static_cast<double>(count_ - 1) : nan;
}

double RunningStats::stddev() const {
  return std::sqrt(variance());
}

double RunningStats::standard_error() const {
  return std::sqrt(variance() / static_cast<double>(count_));
}

double RunningStats::min() const {
  return count_ > 0 ? min_ : nan;
}

double RunningStats::max() const {
  return count_ > 0 ? max_ : nan;
}

// ---- StreamingQuantiles ------------------------------------------------------------------------

StreamingQuantiles::StreamingQuantiles() : StreamingQuantiles({0.5, 0.9, 0.95, 0.99}) {}

StreamingQuantiles::StreamingQuantiles(std::vector<double> probabilities)
    : probabilities_(std::move(probabilities)) {
  for (double p : probabilities_) require_probability(p, "quantile probability");
  markers_.resize(probabilities_.size());
}

void StreamingQuantiles::initialise_markers() {
  sort_few(first_, 5);
  for (std::size_t k = 0; k < probabilities_.size(); ++k) {
    const double p = probabilities_[k];
    Markers& m = markers_[k];
    // Markers track the minimum, the p/2, p and (1+p)/2 quantiles, and the maximum.
    const double increments[5] = {0.0, p / 2, p, (1 + p) / 2, 1.0};
    for (int i = 0; i < 5; ++i) {
      m.heights[i] = first_[i];
      m.positions[i] = i;
      m.desired[i] = 4.0 * increments[i];
      m.increments[i] = increments[i];
    }
  }
}

void StreamingQuantiles::add(double value) {
  if (count_ < 5) {
    first_[count_] = value;
    ++count_;
    if (count_ == 5) initialise_markers();
    return;
  }
  ++count_;
  for (Markers& m : markers_) {
    double* q = m.heights;
    double* n = m.positions;
    // Find the cell q[k] <= value < q[k+1], stretching the extremes when value falls outside.
    int k = 0;
    if (value < q[0]) {
      q[0] = value;
      k = 0;
    } else if (value >= q[4]) {
      q[4] = value;
      k = 3;
    } else {
      while (k < 3 && value >= q[k + 1]) ++k;
    }
    for (int i = k + 1; i < 5; ++i) n[i] += 1.0;
    for (int i = 0; i < 5; ++i) m.desired[i] += m.increments[i];
    // Move each middle marker at most one rank towards its desired position, adjusting its
    // height with the piecewise-parabolic (P²) formula, or linearly when the parabola would
    // break the markers' order.
    for (int i = 1; i < 4; ++i) {
      const double gap = m.desired[i] - n[i];
      if ((gap >= 1.0 && n[i + 1] - n[i] > 1.0) || (gap <= -1.0 && n[i - 1] - n[i] < -1.0)) {
        const double d = gap >= 0.0 ? 1.0 : -1.0;
        const double parabolic =
            q[i] + d / (n[i + 1] - n[i - 1]) *
                       ((n[i] - n[i - 1] + d) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
                        (n[i + 1] - n[i] - d) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
        if (q[i - 1] < parabolic && parabolic < q[i + 1]) {
          q[i] = parabolic;
        } else {
          const int j = i + static_cast<int>(d);
          q[i] += d * (q[j] - q[i]) / (n[j] - n[i]);
        }
        n[i] += d;
      }
    }
  }
}

double StreamingQuantiles::quantile(double p) const {
  const auto it = std::find(probabilities_.begin(), probabilities_.end(), p);
  if (it == probabilities_.end()) {
    throw std::invalid_argument("quantile " + std::to_string(p) +
                                " is not one of the tracked probabilities");
  }
  if (count_ == 0) return nan;
  if (count_ <= 5) {  // first_ still holds every observation
    double sorted[5];
    std::copy(first_, first_ + count_, sorted);
    sort_few(sorted, count_);
    return sorted_quantile(sorted, static_cast<std::size_t>(count_), p);
  }
  const Markers& m = markers_[static_cast<std::size_t>(it - probabilities_.begin())];
  // The outer markers are the exact extremes; the middle one is the P² estimate.
  if (p == 0.0) return m.heights[0];
  if (p == 1.0) return m.heights[4];
  return m.heights[2];
}

double exact_quantile(std::vector<double> values, double p) {
  require_probability(p, "quantile probability");
  if (values.empty()) return nan;
  // Only the two order statistics around rank (n - 1) p are needed: select instead of sorting.
  const std::size_t n = values.size();
  const double h = static_cast<double>(n - 1) * p;
  const auto below = std::min(static_cast<std::size_t>(std::floor(h)), n - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(below),
                   values.end());
  const double low = values[below];
  if (below + 1 >= n) return low;
  const double high =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(below + 1), values.end());
  return low + (h - static_cast<double>(below)) * (high - low);
}

// ---- distributions -----------------------------------------------------------------------------

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

double normal_quantile(double p) {
  require_probability(p, "normal_quantile probability");
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  // Work in the lower half, where p is small and exact; 1 - p is exact for p >= 1/2.
  if (p > 0.5) return -normal_quantile(1.0 - p);
  // Acklam's rational approximations (relative error < 1.15e-9), central region and lower tail.
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01, -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  double x = 0.0;
  if (p < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // One Halley step on Phi(x) - p = 0 squares the relative error. x <= 0, so erfc's argument is
  // non-negative and Phi(x) keeps full relative precision in the tail; near the centre the
  // residual is formed as (Phi(x) - 1/2) - (p - 1/2) from erf, both terms exact to the last bits,
  // so that small quantiles keep their relative precision too.
  const double e =
      p < 0.25 ? normal_cdf(x) - p : 0.5 * std::erf(x / std::numbers::sqrt2) - (p - 0.5);
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

double student_t_cdf(double t, double dof) {
  require_dof(dof);
  if (std::isnan(t)) return nan;
  if (std::isinf(dof)) return normal_cdf(t);
  if (t <= 0.0) return std::exp(log_t_lower_tail(-t, dof));
  return 1.0 - std::exp(log_t_lower_tail(t, dof));
}

double student_t_quantile(double p, double dof) {
  require_probability(p, "student_t_quantile probability");
  require_dof(dof);
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  if (p == 0.5) return 0.0;
  if (std::isinf(dof)) return normal_quantile(p);
  // By symmetry solve for the tail probability q = min(p, 1 - p), exact for either half.
  const double q = p < 0.5 ? p : 1.0 - p;
  const double sign = p < 0.5 ? -1.0 : 1.0;
  if (dof == 1.0) {
    // Cauchy: F^-1(p) = tan(pi (p - 1/2)); in the tails write it as 1 / tan(pi q), which keeps
    // relative precision where the tangent's argument would approach pi / 2.
    if (std::abs(p - 0.5) < 0.25) return std::tan(std::numbers::pi * (p - 0.5));
    return sign / std::tan(std::numbers::pi * q);
  }
  if (dof == 2.0) {
    // F(t) = 1/2 + t / (2 sqrt(2 + t^2)) inverts to t = (2p - 1) / sqrt(2 p (1 - p)); in terms of
    // q, |t| = (1 - 2q) / sqrt(2 q (1 - q)).
    return sign * (1.0 - 2.0 * q) / std::sqrt(2.0 * q * (1.0 - q));
  }
  return sign * t_upper_quantile(q, dof);
}

// ---- intervals ---------------------------------------------------------------------------------

double t_half_width(const RunningStats& stats, double confidence) {
  require_confidence(confidence);
  if (stats.count() < 2) return 0.0;
  const double t =
      student_t_quantile(0.5 + 0.5 * confidence, static_cast<double>(stats.count() - 1));
  return t * stats.standard_error();
}

Interval t_interval(const RunningStats& stats, double confidence) {
  const double half = t_half_width(stats, confidence);
  return {stats.mean() - half, stats.mean() + half};
}

Interval wilson_interval(std::int64_t successes, std::int64_t trials, double confidence) {
  require_confidence(confidence);
  if (trials < 0 || successes < 0 || successes > trials) {
    throw std::invalid_argument("wilson_interval needs 0 <= successes <= trials, got " +
                                std::to_string(successes) + " of " + std::to_string(trials));
  }
  if (trials == 0) return {0.0, 1.0};
  // Wilson (1927): the p whose normal test at level confidence does not reject the observed
  // proportion, i.e. the roots of (phat - p)^2 = z^2 p (1 - p) / n.
  const double z = normal_quantile(0.5 + 0.5 * confidence);
  const auto n = static_cast<double>(trials);
  const double phat = static_cast<double>(successes) / n;
  const double z2n = z * z / n;
  const double centre = (phat + 0.5 * z2n) / (1.0 + z2n);
  const double half = z / (1.0 + z2n) * std::sqrt(phat * (1.0 - phat) / n + z * z / (4.0 * n * n));
  // The bounds reach 0 and 1 exactly at 0 and n successes; rounding could leave them a hair off.
  const double low = successes == 0 ? 0.0 : std::max(0.0, centre - half);
  const double high = successes == trials ? 1.0 : std::min(1.0, centre + half);
  return {low, high};
}

Interval bootstrap_interval(const Eigen::VectorXd& samples, double confidence, int resamples,
                            std::uint64_t seed) {
  require_confidence(confidence);
  if (samples.size() == 0) throw std::invalid_argument("bootstrap_interval needs samples");
  if (resamples < 1) {
    throw std::invalid_argument("bootstrap_interval needs resamples >= 1, got " +
                                std::to_string(resamples));
  }
  const Eigen::Index n = samples.size();
  if (n == 1) return {samples[0], samples[0]};
  engine::RandomStream stream(seed, "experiment/bootstrap");
  // Draws are taken resample by resample, index by index, from one stream: the interval depends
  // only on (samples, resamples, seed).
  Eigen::VectorXd means(resamples);
  Eigen::Matrix<Eigen::Index, Eigen::Dynamic, 1> indices(n);
  const auto n_unsigned = static_cast<std::uint64_t>(n);
  for (int r = 0; r < resamples; ++r) {
    for (Eigen::Index i = 0; i < n; ++i) {
      indices[i] = static_cast<Eigen::Index>(stream.below(n_unsigned));
    }
    means[r] = samples(indices).mean();
  }
  std::sort(means.begin(), means.end());
  const double alpha = 1.0 - confidence;
  const auto count = static_cast<std::size_t>(resamples);
  return {sorted_quantile(means.data(), count, 0.5 * alpha),
          sorted_quantile(means.data(), count, 1.0 - 0.5 * alpha)};
}

// ---- paired comparison and stopping rule -------------------------------------------------------

bool without_spread(const RunningStats& stats) {
  // min() and max() skip a NaN that is not first; the mean does not.
  if (stats.count() < 2 || std::isnan(stats.mean())) return false;
  const double scale = std::max(std::abs(stats.min()), std::abs(stats.max()));
  return stats.max() - stats.min() <= rounding_spread * scale;
}

PairedComparison compare_paired(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                                double confidence) {
  require_confidence(confidence);
  if (a.size() != b.size()) {
    throw std::invalid_argument("compare_paired needs one value per replica in each, got " +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()));
  }
  const Eigen::VectorXd difference = b - a;
  PairedComparison result;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    result.a.add(a[i]);
    result.b.add(b[i]);
    result.difference.add(difference[i]);
  }
  result.difference_ci = t_interval(result.difference, confidence);
  result.deterministic = without_spread(result.difference);
  // With one replica the interval is the single difference (degenerate), which proves nothing;
  // with no spread it is exact, and there is nothing random to be significant against.
  result.significant = result.difference.count() >= 2 && !result.deterministic &&
                       (result.difference_ci.low > 0.0 || result.difference_ci.high < 0.0);
  if (result.difference.count() < 2) {
    result.variance_reduction = nan;
  } else if (result.difference.variance() == 0.0) {
    result.variance_reduction = inf;
  } else {
    result.variance_reduction =
        (result.a.variance() + result.b.variance()) / result.difference.variance();
  }
  return result;
}

bool ci_precise_enough(const RunningStats& stats, double relative_half_width, double confidence) {
  if (!(relative_half_width >= 0.0)) {
    throw std::invalid_argument("relative half-width must be >= 0 (0.02 for 2%), got " +
                                std::to_string(relative_half_width));
  }
  require_confidence(confidence);
  if (stats.count() < min_count_for_precision) return false;
  // A zero mean with zero spread satisfies 0 <= 0 here; a zero mean with spread never does.
  return t_half_width(stats, confidence) <= relative_half_width * std::abs(stats.mean());
}

}  // namespace deploysim::experiment
