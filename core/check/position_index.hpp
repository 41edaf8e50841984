#pragma once
// Where each value of a JSON document starts and ends in its text, by JSON pointer, so that a
// finding about "/hosts/7/version" can name line 12, column 40. nlohmann::json keeps no source
// positions, and only the checker needs them, so this is a separate reading of text that
// parse_json_text has already accepted.
//
// A check of a large fleet asks for a few thousand positions in a document of millions of
// values, so nothing is indexed up front: a lookup walks the pointer from the root, and each
// object or array it passes through has its members listed once and kept for later lookups.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

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

/// Source positions of the values of one JSON text. Build it only from text that parses as JSON
/// (parse_json_text); on other text the positions are unspecified, but building and finding
/// never fail. Copies share one cache; find() may be called from several threads.
class PositionIndex {
 public:
  PositionIndex() = default;
  /// Keeps a copy of `text`; the members of containers are listed when a lookup needs them.
  explicit PositionIndex(std::string_view text);

  /// The range of the value at `pointer` (RFC 6901, "" for the document), or of its nearest
  /// ancestor that has one; a range with line 0 when the index is empty.
  TextRange find(const std::string& pointer) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace deploysim::check
