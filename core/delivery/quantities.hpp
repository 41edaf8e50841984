#pragma once
// Lengths of time in seconds and the probability check that every delivery model shares; the
// delivery models count time in double seconds.

namespace deploysim::delivery {

inline constexpr double kMinute = 60.0;
inline constexpr double kHour = 3'600.0;
inline constexpr double kDay = 86'400.0;

/// True for a probability in [0, 1]; false for NaN.
inline bool is_probability(double p) {
  return p >= 0.0 && p <= 1.0;
}

}  // namespace deploysim::delivery
