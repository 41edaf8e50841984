#pragma once
// --max-input-size: a byte count such as 512MiB. CLI11's AsSizeValue wraps "-1" and
// "18446744073709551617" to huge limits without a word, so the text is read here, and a negative,
// zero or out-of-range size is refused naming the range.

#include <CLI/CLI.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "input/input_error.hpp"

namespace deploysim::cli {

/// The largest --max-input-size: 1 EiB, beyond any file a machine holds.
inline constexpr std::uint64_t kMaxInputSizeLimit = 1ull << 60;

/// `text` as bytes: a decimal number and an optional unit (B, k/KB/KiB, M/MB/MiB, G, T, P, E;
/// powers of 1024, case ignored). Returns 0 when it is no such size or out of range.
inline std::uint64_t parse_input_size(const std::string& text) {
  std::size_t end = 0;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.')) {
    ++end;
  }
  if (end == 0 || end > 40) return 0;
  const double number = std::strtod(text.substr(0, end).c_str(), nullptr);
  std::string unit;
  for (std::size_t i = end; i < text.size(); ++i) {
    if (text[i] != ' ')
      unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();  // "kb" -> "k"
  if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();  // "ki" -> "k"
  static const std::string kPrefixes = "kmgtpe";
  int power = 0;
  if (!unit.empty() && unit != "b") {
    const auto at = kPrefixes.find(unit);
    if (unit.size() != 1 || at == std::string::npos) return 0;
    power = static_cast<int>(at) + 1;
  }
  const double bytes = std::floor(number * std::pow(1024.0, power));
  if (!(bytes >= 1.0) || bytes > static_cast<double>(kMaxInputSizeLimit)) return 0;
  return static_cast<std::uint64_t>(bytes);
}

/// The check of --max-input-size: "expected a size from 1 byte to 1EiB, e.g. 512MiB, found -1".
inline CLI::Validator input_size_check() {
  return CLI::Validator(
      [](std::string& text) {
        if (parse_input_size(text) != 0) return std::string();
        return "expected a size from 1 byte to 1EiB, e.g. 512MiB, found " + input::quote(text);
      },
      "SIZE", "size");
}

}  // namespace deploysim::cli
