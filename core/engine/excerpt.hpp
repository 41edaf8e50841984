#pragma once
// What messages quote of a value. Inputs can hold megabytes in one string (a duration, a key),
// and echoing them whole floods a terminal, so every message quotes at most a short excerpt.

#include <cstddef>
#include <string>
#include <string_view>

namespace deploysim::engine {

/// Bytes of a value that messages quote before cutting it.
inline constexpr std::size_t kExcerptBytes = 80;

/// `text` whole when it has at most kExcerptBytes bytes, else its first kExcerptBytes bytes
/// (never ending inside a UTF-8 sequence) followed by "…".
inline std::string excerpt(std::string_view text) {
  if (text.size() <= kExcerptBytes) return std::string(text);
  std::size_t end = kExcerptBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

}  // namespace deploysim::engine
