#include "check/position_index.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace deploysim::check {
namespace {

// Code points are counted from checkpoints this many bytes apart, so that a column on a very
// long line (a minified document is one line) costs at most one block of counting.
constexpr std::size_t kCheckpointBytes = 4096;

// One value in the text: its first byte and one past its last.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The members of one object or the elements of one array.
struct Children {
  std::unordered_map<std::string, Span> members;
  std::vector<Span> elements;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool starts_code_point(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Reads text that the strict parser accepted, so it needs no error handling beyond never
// reading past the end; nothing here recurses, whatever the nesting.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  std::size_t skip_space(std::size_t pos) const {
    while (pos < text_.size() && is_space(text_[pos])) ++pos;
    return pos;
  }

  // One past the end of the value starting at `pos`.
  std::size_t skip_value(std::size_t pos) const {
    if (pos >= text_.size()) return text_.size();
    const char c = text_[pos];
    if (c == '"') return skip_string(pos);
    if (c == '{' || c == '[') {
      std::size_t depth = 0;
      while (pos < text_.size()) {
        const char here = text_[pos];
        if (here == '"') {
          pos = skip_string(pos);
          continue;
        }
        if (here == '{' || here == '[') ++depth;
        if (here == '}' || here == ']') {
          if (--depth == 0) return pos + 1;
        }
        ++pos;
      }
      return text_.size();
    }
    while (pos < text_.size() && text_[pos] != ',' && text_[pos] != '}' && text_[pos] != ']' &&
           !is_space(text_[pos])) {
      ++pos;
    }
    return pos;
  }

  // One past the closing quote of the string whose opening quote is at `pos`.
  std::size_t skip_string(std::size_t pos) const {
    ++pos;
    while (pos < text_.size()) {
      const void* found = std::memchr(text_.data() + pos, '"', text_.size() - pos);
      if (found == nullptr) return text_.size();
      const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - text_.data());
      std::size_t backslashes = 0;
      while (quote - backslashes > pos && text_[quote - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return quote + 1;
      pos = quote + 1;
    }
    return text_.size();
  }

  // The decoded text of the string at `pos` (a key), as nlohmann decodes it.
  std::string decode_string(std::size_t pos) const {
    std::string out;
    const std::size_t end = skip_string(pos);
    for (std::size_t i = pos + 1; i + 1 < end;) {
      if (text_[i] != '\\') {
        out += text_[i++];
        continue;
      }
      const char escape = i + 1 < end ? text_[i + 1] : '\\';
      i += 2;
      switch (escape) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t code_point = hex4(i, end);
          i += 4;
          // A high surrogate and the low one after it are one code point.
          if (code_point >= 0xD800 && code_point < 0xDC00 && i + 6 <= end && text_[i] == '\\' &&
              text_[i + 1] == 'u') {
            const std::uint32_t low = hex4(i + 2, end);
            if (low >= 0xDC00 && low < 0xE000) {
              code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            }
          }
          append_utf8(out, code_point);
          break;
        }
        default:
          out += escape;
          break;  // '"', '\\', '/'
      }
    }
    return out;
  }

  // The members or elements of the container at `pos`.
  Children list(std::size_t pos) const {
    Children children;
    if (pos >= text_.size()) return children;
    const bool object = text_[pos] == '{';
    const char close = object ? '}' : ']';
    pos = skip_space(pos + 1);
    while (pos < text_.size() && text_[pos] != close) {
      std::string key;
      if (object) {
        if (text_[pos] != '"') break;
        key = decode_string(pos);
        pos = skip_space(skip_string(pos));
        if (pos < text_.size() && text_[pos] == ':') ++pos;
        pos = skip_space(pos);
      }
      const Span value{pos, skip_value(pos)};
      if (value.end == value.begin) break;  // nothing more to read
      if (object) {
        children.members.try_emplace(std::move(key), value);
      } else {
        children.elements.push_back(value);
      }
      pos = skip_space(value.end);
      if (pos < text_.size() && text_[pos] == ',') pos = skip_space(pos + 1);
    }
    return children;
  }

 private:
  std::uint32_t hex4(std::size_t pos, std::size_t end) const {
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < 4 && pos + k < end; ++k) {
      const char c = text_[pos + k];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
      if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
      if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
    }
    return value;
  }

  std::string_view text_;
};

// The reference tokens of an RFC 6901 pointer, unescaped ("~1" is "/", "~0" is "~").
std::vector<std::string> tokens_of(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    const std::size_t start = pos + 1;
    const std::size_t next = std::min(pointer.find('/', start), pointer.size());
    std::string token;
    for (std::size_t i = start; i < next; ++i) {
      if (pointer[i] == '~' && i + 1 < next && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += pointer[i];
      }
    }
    tokens.push_back(std::move(token));
    pos = next;
  }
  return tokens;
}

// An array index as the checker writes it: decimal digits, no leading zero.
bool parse_index(const std::string& token, std::size_t& index) {
  if (token.empty() || token.size() > 18 || (token.size() > 1 && token[0] == '0')) return false;
  index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return true;
}

}  // namespace

struct PositionIndex::State {
  std::string text;
  std::vector<std::size_t> line_starts;
  // Code points before each checkpoint (every kCheckpointBytes bytes).
  std::vector<std::size_t> code_points_before;
  std::mutex mutex;
  // The document's value, once found.
  std::optional<Span> root;
  // Containers listed so far, by their first byte.
  std::unordered_map<std::size_t, Children> listed;

  std::size_t code_points_until(std::size_t offset) const {
    const std::size_t block = offset / kCheckpointBytes;
    std::size_t count = code_points_before[block];
    for (std::size_t i = block * kCheckpointBytes; i < offset; ++i) {
      if (starts_code_point(text[i])) ++count;
    }
    return count;
  }

  TextPoint point_at(std::size_t offset) const {
    offset = std::min(offset, text.size());
    const auto after = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
    const auto line = static_cast<std::size_t>(after - line_starts.begin());  // 1-based
    const std::size_t start = line_starts[line - 1];
    const std::size_t column = code_points_until(offset) - code_points_until(start) + 1;
    return TextPoint{static_cast<int>(line), static_cast<int>(column)};
  }
};

PositionIndex::PositionIndex(std::string_view text) : state_(std::make_shared<State>()) {
  State& state = *state_;
  state.text.assign(text);
  state.line_starts.push_back(0);
  for (const char* at = text.data(); at != nullptr;) {
    const auto remaining = static_cast<std::size_t>(text.data() + text.size() - at);
    at = static_cast<const char*>(std::memchr(at, '\n', remaining));
    if (at == nullptr) break;
    ++at;
    state.line_starts.push_back(static_cast<std::size_t>(at - text.data()));
  }
  state.code_points_before.reserve(text.size() / kCheckpointBytes + 1);
  std::size_t count = 0;
  for (std::size_t block = 0; block <= text.size() / kCheckpointBytes; ++block) {
    state.code_points_before.push_back(count);
    const std::size_t end = std::min(text.size(), (block + 1) * kCheckpointBytes);
    for (std::size_t i = block * kCheckpointBytes; i < end; ++i) {
      count += starts_code_point(text[i]) ? 1 : 0;
    }
  }
}

TextRange PositionIndex::find(const std::string& pointer) const {
  if (!state_) return {};
  State& state = *state_;
  const Reader reader(state.text);
  Span span;
  {
    const std::lock_guard<std::mutex> lock(state.mutex);
    if (!state.root) {
      const std::size_t begin = reader.skip_space(0);
      state.root = Span{begin, reader.skip_value(begin)};
    }
    if (state.root->begin >= state.text.size()) return {};
    span = *state.root;
    for (const std::string& token : tokens_of(pointer)) {
      const char kind = state.text[span.begin];
      if (kind != '{' && kind != '[') break;
      auto listed = state.listed.find(span.begin);
      if (listed == state.listed.end()) {
        listed = state.listed.emplace(span.begin, reader.list(span.begin)).first;
      }
      const Children& children = listed->second;
      if (kind == '{') {
        const auto member = children.members.find(token);
        if (member == children.members.end()) break;
        span = member->second;
      } else {
        std::size_t index = 0;
        if (!parse_index(token, index) || index >= children.elements.size()) break;
        span = children.elements[index];
      }
    }
  }
  return TextRange{state.point_at(span.begin), state.point_at(span.end)};
}

}  // namespace deploysim::check
