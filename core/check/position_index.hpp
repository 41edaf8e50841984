#pragma once
// Where each value of a JSON document starts and ends in its text, by JSON pointer, so that a
// finding about "/hosts/7/version" can name line 12, column 40. nlohmann::json keeps no source
// positions, and only the checker needs them, so this is a separate pass over text that
// parse_json_text has already accepted.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace deploysim::check {

/// A 1-based line and column (in Unicode code points, as SARIF's "unicodeCodePoints").
struct TextPoint {
  int line = 0;
  int column = 0;
};

/// The extent of one JSON value in its text: from its first character to just after its last.
struct TextRange {
  TextPoint start;
  TextPoint end;
};

/// Source positions of every value of one JSON text. Build it only from text that parses as JSON
/// (parse_json_text); on other text the positions are unspecified, but building never fails.
class PositionIndex {
 public:
  PositionIndex() = default;
  /// Scans `text` once; keeps a copy of it to count columns in code points.
  explicit PositionIndex(std::string_view text);

  /// The range of the value at `pointer` (RFC 6901, "" for the document), or of its nearest
  /// ancestor that has one; a range with line 0 when the index is empty.
  TextRange find(const std::string& pointer) const;

  /// Number of values indexed.
  std::size_t size() const { return offsets_.size(); }

 private:
  TextPoint point_at(std::size_t offset) const;

  std::string text_;
  std::vector<std::size_t> line_starts_;
  // pointer -> (first byte, one past the last byte)
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> offsets_;
};

}  // namespace deploysim::check
