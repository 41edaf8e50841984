#include "engine/random.hpp"

#include <bit>
#include <cmath>

#include "engine/hash.hpp"

namespace deploysim::engine {

namespace {
// A GCC/Clang extension, but the only portable-enough way to get the full 128-bit product.
__extension__ using uint128 = unsigned __int128;
}  // namespace

std::uint64_t stream_key(std::uint64_t seed, std::string_view name) {
  const std::uint64_t hash = fnv1a64(name);
  // Mixing before and after the xor keeps keys of nearby seeds (42, 43) and similar names
  // ("host/1", "host/2") far apart.
  return mix64(seed ^ mix64(hash));
}

RandomStream::RandomStream(std::uint64_t key) {
  // The i-th SplitMix64 output from state `key` is mix64(key + i * golden gamma). mix64 is a
  // bijection and the four inputs differ, so at most one word is zero: the state is never all
  // zero, the one state xoshiro cannot leave.
  std::uint64_t x = key;
  for (std::uint64_t& word : s_) {
    word = mix64(x);
    x += 0x9e3779b97f4a7c15ULL;
  }
}

std::uint64_t RandomStream::next_u64() {
  const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  // Lemire (2019): the high word of x * n is uniform on [0, n) once the low words that would
  // over-represent some results are rejected. n == 0 never enters the rejection branch (so never
  // divides by zero) and yields 0.
  uint128 m = static_cast<uint128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      m = static_cast<uint128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) {
  // u < 1, so log1p(-u) is finite.
  return -mean * std::log1p(-uniform01());
}

double RandomStream::normal(double mean, double stddev) {
  double u = 0.0;
  double s = 0.0;
  do {
    u = 2.0 * uniform01() - 1.0;
    const double v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  // The polar method yields a pair; the second is dropped so that the stream's 32 bytes stay its
  // only state and a draw never depends on whether an earlier caller left a spare behind.
  return mean + stddev * u * std::sqrt(-2.0 * std::log(s) / s);
}

double RandomStream::lognormal(double median, double sigma) {
  return median * std::exp(sigma * normal(0.0, 1.0));
}

double RandomStream::weibull(double shape, double scale) {
  return scale * std::pow(-std::log1p(-uniform01()), 1.0 / shape);
}

}  // namespace deploysim::engine
