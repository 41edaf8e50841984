#include "input/yaml_reader.hpp"

#include <yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include "input/input_error.hpp"
#include "input/json_reader.hpp"

namespace deploysim::input {
namespace {

using input::InputError;
using input::InputProblem;
using Node = YamlPositions::Node;

constexpr std::string_view kCoreTag = "tag:yaml.org,2002:";

// Owns one libyaml event and frees it whatever happens.
struct Event {
  yaml_event_t event{};
  bool valid = false;
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (valid) yaml_event_delete(&event);
  }
  yaml_event_type_t type() const { return event.type; }
};

std::string text_of(const yaml_char_t* chars) {
  return chars == nullptr ? std::string{} : std::string(reinterpret_cast<const char*>(chars));
}

SourceRange range_of(const yaml_event_t& event) {
  return {static_cast<int>(event.start_mark.line) + 1,
          static_cast<int>(event.start_mark.column) + 1, static_cast<int>(event.end_mark.line) + 1,
          static_cast<int>(event.end_mark.column) + 1};
}

// Values under a node, the node included: what an alias of it costs.
std::size_t count_nodes(const nlohmann::json& value) {
  std::size_t count = 1;
  if (value.is_structured()) {
    for (const auto& item : value) count += count_nodes(item);
  }
  return count;
}

// The YAML 1.2 core schema's number forms, matched by hand: std::regex recurses per character and
// trips GCC 12's -Wmaybe-uninitialized under the sanitizers.
bool is_digit(char c, int base = 10) {
  if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  return c >= '0' && c < static_cast<char>('0' + base);
}

// Digits of `base` from `i`, at least one; returns the position after them, or npos.
std::size_t digits(std::string_view text, std::size_t i, int base = 10) {
  const std::size_t start = i;
  while (i < text.size() && is_digit(text[i], base)) ++i;
  return i > start ? i : std::string_view::npos;
}

std::size_t after_sign(std::string_view text) {
  return !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
}

// [-+]?[0-9]+
bool is_integer(std::string_view text) {
  return digits(text, after_sign(text)) == text.size();
}

// 0x[0-9a-fA-F]+ or 0o[0-7]+
bool is_based_integer(std::string_view text) {
  if (text.size() < 3 || text[0] != '0') return false;
  if (text[1] == 'x') return digits(text, 2, 16) == text.size();
  if (text[1] == 'o') return digits(text, 2, 8) == text.size();
  return false;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view text) {
  std::size_t i = after_sign(text);
  if (i < text.size() && text[i] == '.') {
    i = digits(text, i + 1);
  } else {
    i = digits(text, i);
    if (i != std::string_view::npos && i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && is_digit(text[i])) ++i;
    }
  }
  if (i == std::string_view::npos) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    const std::size_t exponent = i + 1;
    i = digits(text, exponent + after_sign(text.substr(exponent)));
  }
  return i == text.size();
}

// [-+]?\.(inf|Inf|INF) or \.(nan|NaN|NAN)
bool is_non_finite(std::string_view text) {
  const std::string_view unsigned_text = text.substr(after_sign(text));
  if (unsigned_text == ".inf" || unsigned_text == ".Inf" || unsigned_text == ".INF") return true;
  return text == ".nan" || text == ".NaN" || text == ".NAN";
}

// A plain scalar by the YAML 1.2 core schema; nullopt for a non-finite or oversized number.
std::optional<nlohmann::json> resolve_plain(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nlohmann::json(nullptr);
  }
  if (text == "true" || text == "True" || text == "TRUE") return nlohmann::json(true);
  if (text == "false" || text == "False" || text == "FALSE") return nlohmann::json(false);
  const char first = text[0];
  // Only text starting like a number can be one; most scalars stop here. No number is 64
  // characters long.
  if (!(first == '-' || first == '+' || first == '.' || (first >= '0' && first <= '9')) ||
      text.size() > 64) {
    return nlohmann::json(text);
  }
  if (is_integer(text)) {
    std::int64_t number = 0;
    const char* begin = text.data() + (first == '+' ? 1 : 0);
    const auto [end, error] = std::from_chars(begin, text.data() + text.size(), number);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return nlohmann::json(number);
  }
  if (is_based_integer(text)) {
    std::uint64_t number = 0;
    const int base = text[1] == 'x' ? 16 : 8;
    const auto [end, error] =
        std::from_chars(text.data() + 2, text.data() + text.size(), number, base);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return nlohmann::json(number);
  }
  if (is_float(text)) {
    const double number = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(number)) return std::nullopt;
    return nlohmann::json(number);
  }
  if (is_non_finite(text)) return std::nullopt;
  return nlohmann::json(text);
}

class Reader {
 public:
  Reader(std::string_view text, const std::string& file, const YamlLimits& limits)
      : file_(file), limits_(limits) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() { yaml_parser_delete(&parser_); }

  // Every non-empty document.
  std::vector<YamlDocument> documents() {
    std::vector<YamlDocument> out;
    Event event;
    next(event);  // stream start
    for (;;) {
      Event start;
      next(start);
      if (start.type() == YAML_STREAM_END_EVENT) break;
      anchors_.clear();
      YamlDocument document;
      Event root;
      next(root);
      document.value = node(root, 0, document.positions.root);
      Event end;
      next(end);
      if (!document.value.is_null()) out.push_back(std::move(document));
    }
    return out;
  }

 private:
  [[noreturn]] void fail(int line, int column, std::string detail, std::string hint = {}) const {
    throw InputError(InputProblem{.file = file_,
                                  .detail = std::move(detail),
                                  .hint = std::move(hint),
                                  .line = line,
                                  .column = column});
  }
  [[noreturn]] void fail_at(const yaml_event_t& event, std::string detail,
                            std::string hint = {}) const {
    const SourceRange at = range_of(event);
    fail(at.line, at.column, std::move(detail), std::move(hint));
  }

  void next(Event& event) {
    if (yaml_parser_parse(&parser_, &event.event) == 0) {
      const yaml_mark_t mark = parser_.problem_mark;
      std::string detail = "malformed YAML: " + text_of(reinterpret_cast<const yaml_char_t*>(
                                                    parser_.problem ? parser_.problem : "error"));
      if (parser_.context != nullptr) detail += " " + std::string(parser_.context);
      fail(static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1, detail);
    }
    event.valid = true;
  }

  void count(std::size_t nodes, const yaml_event_t& event) {
    nodes_ += nodes;
    if (nodes_ > limits_.max_nodes) {
      fail_at(event,
              "the YAML expands to more than " + std::to_string(limits_.max_nodes) + " values",
              "aliases (*name) that copy large anchors multiply the size; write the values out");
    }
  }

  // The tag of a node, checked: "" for none or the non-specific "!", else the core-schema name
  // ("str", "int", "map", ...).
  std::string core_tag(const yaml_event_t& event, const yaml_char_t* raw) const {
    const std::string tag = text_of(raw);
    if (tag.empty() || tag == "!" || tag == "?") return "";
    if (tag.rfind(kCoreTag, 0) == 0) {
      const std::string name = tag.substr(kCoreTag.size());
      for (const char* known : {"str", "int", "float", "bool", "null", "map", "seq"}) {
        if (name == known) return name;
      }
    }
    fail_at(event, "unsupported YAML tag " + input::quote(tag),
            "only YAML's own tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) are read");
  }

  void remember(const yaml_char_t* anchor, const nlohmann::json& value, const Node& at) {
    if (anchor != nullptr) anchors_[text_of(anchor)] = {value, at, count_nodes(value)};
  }

  nlohmann::json node(Event& event, std::size_t depth, Node& at) {
    if (depth > kMaxJsonDepth) {
      fail_at(event.event, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    at.range = range_of(event.event);
    switch (event.type()) {
      case YAML_ALIAS_EVENT:
        return alias(event, at);
      case YAML_SCALAR_EVENT:
        return scalar(event, at);
      case YAML_SEQUENCE_START_EVENT:
        return sequence(event, depth, at);
      case YAML_MAPPING_START_EVENT:
        return mapping(event, depth, at);
      default:
        fail_at(event.event, "malformed YAML: expected a value");
    }
  }

  nlohmann::json alias(const Event& event, Node& at) {
    const std::string name = text_of(event.event.data.alias.anchor);
    const auto found = anchors_.find(name);
    if (found == anchors_.end()) fail_at(event.event, "alias *" + name + " names no anchor");
    count(found->second.nodes, event.event);
    const SourceRange here = at.range;
    std::string key = std::move(at.key);
    at = found->second.positions;
    at.range = here;
    at.key = std::move(key);
    return found->second.value;
  }

  nlohmann::json scalar(const Event& event, Node& at) {
    count(1, event.event);
    const auto& data = event.event.data.scalar;
    const std::string text(reinterpret_cast<const char*>(data.value), data.length);
    const std::string tag = core_tag(event.event, data.tag);
    const bool plain = data.style == YAML_PLAIN_SCALAR_STYLE;
    nlohmann::json value;
    if (tag == "str" || (tag.empty() && !plain)) {
      value = text;
    } else if (tag == "map" || tag == "seq") {
      fail_at(event.event, "a scalar tagged !!" + tag);
    } else {
      const auto resolved = resolve_plain(text);
      if (!resolved) fail_at(event.event, "a number too large or not finite: " + text);
      const bool fits = tag.empty() || (tag == "int" && resolved->is_number_integer()) ||
                        (tag == "float" && resolved->is_number()) ||
                        (tag == "bool" && resolved->is_boolean()) ||
                        (tag == "null" && resolved->is_null());
      if (!fits) fail_at(event.event, input::quote(text) + " is not a valid !!" + tag);
      value = *resolved;
    }
    remember(data.anchor, value, at);
    return value;
  }

  nlohmann::json sequence(Event& start, std::size_t depth, Node& at) {
    count(1, start.event);
    if (const std::string tag = core_tag(start.event, start.event.data.sequence_start.tag);
        !tag.empty() && tag != "seq") {
      fail_at(start.event, "a sequence tagged !!" + tag);
    }
    nlohmann::json value = nlohmann::json::array();
    at.sequence = true;
    for (;;) {
      Event item;
      next(item);
      if (item.type() == YAML_SEQUENCE_END_EVENT) {
        at.range.end_line = static_cast<int>(item.event.end_mark.line) + 1;
        at.range.end_column = static_cast<int>(item.event.end_mark.column) + 1;
        break;
      }
      at.members.emplace_back();
      value.push_back(node(item, depth + 1, at.members.back()));
    }
    remember(start.event.data.sequence_start.anchor, value, at);
    return value;
  }

  nlohmann::json mapping(Event& start, std::size_t depth, Node& at) {
    count(1, start.event);
    if (const std::string tag = core_tag(start.event, start.event.data.mapping_start.tag);
        !tag.empty() && tag != "map") {
      fail_at(start.event, "a mapping tagged !!" + tag);
    }
    nlohmann::json value = nlohmann::json::object();
    for (;;) {
      Event key;
      next(key);
      if (key.type() == YAML_MAPPING_END_EVENT) {
        at.range.end_line = static_cast<int>(key.event.end_mark.line) + 1;
        at.range.end_column = static_cast<int>(key.event.end_mark.column) + 1;
        break;
      }
      const std::string name = key_text(key);
      if (value.contains(name)) {
        fail_at(key.event, "duplicate key " + input::quote(name),
                "each key may appear once in a mapping");
      }
      Event item;
      next(item);
      at.members.emplace_back();
      Node& member = at.members.back();
      member.key = name;
      value[name] = node(item, depth + 1, member);
      // A member's range runs from its key, so that a finding names the key's line.
      member.range.line = static_cast<int>(key.event.start_mark.line) + 1;
      member.range.column = static_cast<int>(key.event.start_mark.column) + 1;
    }
    remember(start.event.data.mapping_start.anchor, value, at);
    return value;
  }

  std::string key_text(const Event& key) {
    if (key.type() != YAML_SCALAR_EVENT) {
      fail_at(key.event, "expected a scalar mapping key, found a " +
                             std::string(key.type() == YAML_ALIAS_EVENT ? "alias" : "collection"));
    }
    const auto& data = key.event.data.scalar;
    std::string name(reinterpret_cast<const char*>(data.value), data.length);
    core_tag(key.event, data.tag);
    if (name == "<<" && data.style == YAML_PLAIN_SCALAR_STYLE) {
      fail_at(key.event, "merge keys (<<) are not supported", "write the merged keys out");
    }
    count(1, key.event);
    return name;
  }

  struct Anchor {
    nlohmann::json value;
    Node positions;
    std::size_t nodes = 0;
  };

  yaml_parser_t parser_{};
  std::string file_;
  YamlLimits limits_;
  std::size_t nodes_ = 0;
  std::map<std::string, Anchor> anchors_;
};

// "# Source: path" comment lines (helm template), by line number.
std::vector<std::pair<int, std::string>> source_comments(std::string_view text) {
  std::vector<std::pair<int, std::string>> found;
  constexpr std::string_view kPrefix = "# Source: ";
  int line = 1;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view content = text.substr(start, end - start);
    if (content.substr(0, kPrefix.size()) == kPrefix) {
      std::string path(content.substr(kPrefix.size()));
      while (!path.empty() && (path.back() == '\r' || path.back() == ' ')) path.pop_back();
      found.emplace_back(line, std::move(path));
    }
    start = end + 1;
    ++line;
  }
  return found;
}

}  // namespace

SourceRange YamlPositions::find(std::string_view pointer) const {
  const Node* at = &root;
  std::size_t position = 0;
  while (position < pointer.size() && pointer[position] == '/') {
    std::size_t end = pointer.find('/', position + 1);
    if (end == std::string_view::npos) end = pointer.size();
    std::string token(pointer.substr(position + 1, end - position - 1));
    // RFC 6901: "~1" is "/", then "~0" is "~".
    for (std::size_t i = 0; (i = token.find("~1", i)) != std::string::npos; ++i)
      token.replace(i, 2, "/");
    for (std::size_t i = 0; (i = token.find("~0", i)) != std::string::npos; ++i)
      token.replace(i, 2, "~");
    const Node* child = nullptr;
    if (at->sequence) {
      std::size_t index = 0;
      const auto [last, error] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (error == std::errc{} && last == token.data() + token.size() &&
          index < at->members.size()) {
        child = &at->members[index];
      }
    } else {
      for (const auto& member : at->members) {
        if (member.key == token) child = &member;
      }
    }
    if (child == nullptr) break;
    at = child;
    position = end;
  }
  return at->range;
}

std::vector<YamlDocument> parse_yaml_documents(std::string_view text, const std::string& file,
                                               const YamlLimits& limits) {
  Reader reader(text, file, limits);
  auto documents = reader.documents();
  const auto comments = source_comments(text);
  std::vector<YamlDocument> out;
  out.reserve(documents.size());
  // A document's "# Source:" is the last such comment above its first value and below the
  // previous document.
  int previous_end = 0;
  std::size_t comment = 0;
  for (auto& document : documents) {
    const int first_value = document.positions.root.range.line;
    while (comment < comments.size() && comments[comment].first < first_value) {
      if (comments[comment].first >= previous_end) {
        document.source = comments[comment].second;
        document.source_line = comments[comment].first;
      }
      ++comment;
    }
    previous_end = document.positions.root.range.end_line;
    out.push_back(std::move(document));
  }
  return out;
}

}  // namespace deploysim::input
