#pragma once
// Reading YAML strictly, with the line and column of every value, for the checker's
// Kubernetes and Ansible inputs. Built on libyaml (docs/checker-kubernetes.md says why): its
// parser reports a start and end mark for every node, which is what findings and errors point
// at, and it leaves the choice of what to accept to us.
//
// What is refused, as a input::InputError with line and column: malformed YAML, a key given
// twice in one mapping, merge keys ("<<"), tags other than YAML's own scalar and collection
// tags, non-scalar keys, non-finite numbers, nesting deeper than kMaxJsonDepth, and
// aliases that would expand a document beyond YamlLimits::max_nodes (the "billion laughs").
// Plain scalars are resolved by the YAML 1.2 core schema: "yes" and "on" stay strings.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace deploysim::input {

/// A 1-based line and column (in characters) and the position just after the value's end.
struct SourceRange {
  int line = 0;
  int column = 0;
  int end_line = 0;
  int end_column = 0;
};

/// Where each value of one YAML document is, addressed by RFC 6901 JSON pointer.
class YamlPositions {
 public:
  /// The range of the value at `pointer`; for a mapping member, from its key to the end of its
  /// value. The nearest ancestor's range when the pointer names nothing in the document.
  SourceRange find(std::string_view pointer) const;

  /// One node: its range, its key if it is a mapping's member, and for collections its
  /// members in document order. Public so that the reader can build it; use find().
  struct Node {
    SourceRange range;
    std::string key;
    bool sequence = false;
    std::vector<Node> members;
  };
  Node root;
};

/// One document of a YAML stream.
struct YamlDocument {
  nlohmann::json value;
  YamlPositions positions;
  /// The file named by a "# Source: path" comment just before the document (what `helm template`
  /// writes), or "" when there is none.
  std::string source;
  /// The line of that comment, so that a line of the document maps to the template's line
  /// (line - source_line); 0 when there is no such comment.
  int source_line = 0;
};

/// Bounds that keep a hostile document from exhausting memory.
struct YamlLimits {
  /// Values in the whole stream, counting each alias as the values it copies.
  std::size_t max_nodes = 2'000'000;
};

/// Parses every document of `text` (empty documents are skipped). Throws input::InputError
/// labelled `file`, with line and column, for anything the header lists as refused.
std::vector<YamlDocument> parse_yaml_documents(std::string_view text, const std::string& file,
                                               const YamlLimits& limits = {});

}  // namespace deploysim::input
