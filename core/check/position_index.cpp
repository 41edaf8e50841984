#include "check/position_index.hpp"

#include <algorithm>

#include "scenario/json_reader.hpp"

namespace deploysim::check {
namespace {

// A recursive scanner over JSON already accepted by the strict parser: it needs no error
// handling beyond not running off the end, and the parser's depth limit bounds the recursion.
class Scanner {
 public:
  Scanner(std::string_view text,
          std::unordered_map<std::string, std::pair<std::size_t, std::size_t>>& out)
      : text_(text), out_(out) {}

  void run() {
    skip_space();
    if (pos_ < text_.size()) value("", 0);
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Reads a string starting at its opening quote; returns its decoded text only when `decode`,
  // since only keys need it (escapes other than \" and \\ are kept raw: keys with \u escapes are
  // rare and then merely lose their position).
  std::string string(bool decode) {
    std::string out;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        const char next = text_[pos_ + 1];
        if (decode) {
          switch (next) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            default: out += text_.substr(pos_, 2); break;
          }
        }
        pos_ += 2;
      } else {
        if (decode) out += text_[pos_];
        ++pos_;
      }
    }
    ++pos_;  // closing quote
    return out;
  }

  void value(const std::string& pointer, std::size_t depth) {
    const std::size_t begin = pos_;
    if (pos_ >= text_.size() || depth > scenario::kMaxJsonDepth + 1) return;
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      skip_space();
      while (pos_ < text_.size() && text_[pos_] != '}') {
        if (text_[pos_] != '"') break;
        const std::string key = string(true);
        skip_space();
        ++pos_;  // ':'
        skip_space();
        value(scenario::child_pointer(pointer, key), depth + 1);
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          skip_space();
        }
      }
      ++pos_;
    } else if (c == '[') {
      ++pos_;
      skip_space();
      std::size_t index = 0;
      while (pos_ < text_.size() && text_[pos_] != ']') {
        value(scenario::child_pointer(pointer, index++), depth + 1);
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          skip_space();
        } else if (pos_ < text_.size() && text_[pos_] != ']') {
          break;
        }
      }
      ++pos_;
    } else if (c == '"') {
      string(false);
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
             text_[pos_] != ']' && text_[pos_] != ' ' && text_[pos_] != '\n' &&
             text_[pos_] != '\r' && text_[pos_] != '\t') {
        ++pos_;
      }
    }
    pos_ = std::min(pos_, text_.size());
    out_.emplace(pointer, std::make_pair(begin, pos_));
  }

  std::string_view text_;
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>>& out_;
  std::size_t pos_ = 0;
};

}  // namespace

PositionIndex::PositionIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
  Scanner(text, offsets_).run();
}

TextPoint PositionIndex::point_at(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  const auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line = static_cast<std::size_t>(after - line_starts_.begin());  // 1-based
  const std::size_t start = line_starts_[line - 1];
  int column = 1;
  for (std::size_t i = start; i < offset; ++i) {
    // UTF-8 continuation bytes do not start a code point.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return TextPoint{static_cast<int>(line), column};
}

TextRange PositionIndex::find(const std::string& pointer) const {
  std::string key = pointer;
  while (true) {
    if (const auto it = offsets_.find(key); it != offsets_.end()) {
      return TextRange{point_at(it->second.first), point_at(it->second.second)};
    }
    if (key.empty()) return {};
    key.erase(key.rfind('/'));
  }
}

}  // namespace deploysim::check
