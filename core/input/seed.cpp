#include "input/seed.hpp"

#include <charconv>
#include <stdexcept>

#include "engine/excerpt.hpp"
#include "input/input_error.hpp"

namespace deploysim::input {

std::uint64_t parse_seed(std::string_view text) {
  std::int64_t value = -1;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < 0) {
    // The file readers' words for a "seed" key, with the range: a seed past 2^63 - 1 is as
    // wrong as -1, and the user cannot guess the bound.
    const bool numeric = !text.empty() && text.find_first_not_of("+-0123456789") == text.npos;
    throw std::invalid_argument("expected a non-negative integer (0 to " +
                                std::to_string(kMaxSeed) + "), found " +
                                (numeric ? engine::excerpt(text) : quote(std::string(text))));
  }
  return static_cast<std::uint64_t>(value);
}

}  // namespace deploysim::input
