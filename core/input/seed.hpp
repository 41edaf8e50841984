#pragma once
// The one rule for seeds, wherever they are given: a scenario's or a delivery file's "seed"
// and every command's --seed. A seed is an integer from 0 to 2^63 - 1, so a seed a file
// accepts is one a flag accepts, and JSON writers and Python keep it exact.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace deploysim::input {

inline constexpr std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();

/// `text`, all of it, as a seed in decimal. Throws std::invalid_argument("expected a
/// non-negative integer (0 to 9223372036854775807), found -1") otherwise.
std::uint64_t parse_seed(std::string_view text);

}  // namespace deploysim::input
