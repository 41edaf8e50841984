#pragma once
// The project's one stable hash. FNV-1a 64 is fixed by its definition, unlike std::hash, so the
// random streams, scenario hashes and configuration hashes it feeds stay the same across
// platforms, compilers and releases.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace deploysim::engine {

constexpr std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// Sixteen lower-case hexadecimal digits, as hashes are printed.
inline std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace deploysim::engine
