#pragma once
// Random numbers for simulations. Every draw comes from a named stream derived from
// (seed, stable name), so adding a component never shifts another component's draws, and two
// variants run on the same seed see the same failures (common random numbers).
//
// The distributions are written here rather than taken from <random>: the standard library
// leaves their algorithms to each implementation, and a run must give the same numbers on
// every platform.

#include <cstdint>
#include <string_view>

namespace deploysim::engine {

/// SplitMix64 finaliser: a bijective 64-bit mixing function.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The 64-bit key of the stream named `name` under `seed` (FNV-1a of the name, mixed with the
/// seed).
std::uint64_t stream_key(std::uint64_t seed, std::string_view name);

/// The key of member `index` of a family of streams (e.g. one install stream per host), the same
/// as a stream named "<name>/<index>" would be independent, without formatting a string per host.
constexpr std::uint64_t member_stream_key(std::uint64_t family_key, std::uint64_t index) {
  return mix64(family_key ^ mix64(index + 0x632be59bd9b4e019ULL));
}

/// One independent stream of random numbers: xoshiro256** seeded through SplitMix64.
/// Cheap to create (no allocation), 32 bytes of state.
class RandomStream {
 public:
  /// The stream called `name` (e.g. "host/17/install") of the run with this seed.
  RandomStream(std::uint64_t seed, std::string_view name) : RandomStream(stream_key(seed, name)) {}
  /// The stream with a precomputed key (see stream_key).
  explicit RandomStream(std::uint64_t key);

  /// Uniform 64-bit integer.
  std::uint64_t next_u64();
  /// Uniform on [0, 1) with 53 bits of precision.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform on [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform01(); }
  /// Uniform integer on [0, n); n > 0. Unbiased (Lemire's method).
  std::uint64_t below(std::uint64_t n);
  /// True with probability p (p <= 0 never, p >= 1 always).
  bool bernoulli(double p) { return uniform01() < p; }
  /// Exponential with the given mean (> 0).
  double exponential(double mean);
  /// Normal with mean and standard deviation (>= 0).
  double normal(double mean, double stddev);
  /// Lognormal whose median is `median` (> 0) and whose log has standard deviation `sigma`.
  double lognormal(double median, double sigma);
  /// Weibull with shape k (> 0) and scale lambda (> 0).
  double weibull(double shape, double scale);

 private:
  std::uint64_t s_[4];
};

}  // namespace deploysim::engine
