#pragma once
// A random quantity as written in scenario files: "30s", "exponential(30s)",
// "lognormal(20min, 0.5)", "uniform(1, 5)", "empirical(10s, 20s, 60s)".

#include <string>
#include <string_view>
#include <vector>

#include "engine/random.hpp"
#include "engine/time.hpp"

namespace deploysim::engine {

/// A distribution of a non-negative quantity. Values are plain numbers, or milliseconds when
/// parsed as durations.
class Distribution {
 public:
  enum class Kind { deterministic, uniform, exponential, normal, lognormal, weibull, empirical };
  /// Whether arguments are durations ("30s") or plain numbers ("0.5").
  enum class Unit { number, duration };

  /// A constant.
  static Distribution constant(double value);
  static Distribution of(Kind kind, std::vector<double> parameters);

  /// Parses the forms listed at the top of this file. Durations are read with parse_duration.
  /// Throws TimeFormatError (an std::invalid_argument) naming the text and the accepted forms.
  ///   deterministic:  "30s" | "4.5"
  ///   uniform(low, high)          exponential(mean)         normal(mean, stddev)
  ///   lognormal(median, sigma)    weibull(shape, scale)     empirical(v1, v2, ...)
  /// Shapes and sigmas are plain numbers even when the unit is duration.
  static Distribution parse(std::string_view text, Unit unit);

  /// One draw; never negative (normal draws are clamped at 0).
  double sample(RandomStream& stream) const;
  /// One draw as a duration (the distribution must have been parsed with Unit::duration).
  Duration sample_duration(RandomStream& stream) const {
    return Duration::milliseconds(static_cast<std::int64_t>(sample(stream) + 0.5));
  }
  double mean() const;
  double variance() const;

  Kind kind() const { return kind_; }
  const std::vector<double>& parameters() const { return parameters_; }
  /// The text form, e.g. "lognormal(20min, 0.5)" for a duration distribution.
  std::string to_string(Unit unit) const;

 private:
  Kind kind_ = Kind::deterministic;
  std::vector<double> parameters_{0.0};
};

}  // namespace deploysim::engine
