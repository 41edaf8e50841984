#include "input/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>
#include <tuple>

#include "input/file.hpp"

namespace deploysim::input {
namespace {

using nlohmann::json;

// Duplicate keys are reported together; a generated file with thousands of them needs no more.
constexpr std::size_t kMaxParseProblems = 20;

struct TextPosition {
  int line = 1;
  int column = 1;
};

// Line and column (1-based, counting UTF-8 characters) of the byte at `offset`; an offset at the
// end of the text is the place just after its last character.
TextPosition position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  TextPosition pos;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++pos.column;
  }
  return pos;
}

// The replacement character for bytes that are not UTF-8; messages must stay valid UTF-8 to
// reach Python and the GUI, and nlohmann quotes the raw bytes it stopped at.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char low = 0x80;  // bounds of the second byte (RFC 3629 table)
    unsigned char high = 0xBF;
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    }
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      ok = k == 1 ? (byte >= low && byte <= high) : (byte & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 9:
// syntax error while parsing object key - unexpected '}'; expected string literal"; the prefix
// is noise to a person and its line/column are recomputed by the caller.
std::string clean_parse_message(const std::string& what) {
  std::string message = what;
  if (const auto column = message.find("column "); column != std::string::npos) {
    if (const auto colon = message.find(": ", column); colon != std::string::npos) {
      message.erase(0, colon + 2);
    }
  } else if (const auto bracket = message.find("] "); bracket != std::string::npos) {
    message.erase(0, bracket + 2);
  }
  if (message.starts_with("syntax error while parsing ")) {
    if (const auto dash = message.find(" - "); dash != std::string::npos) {
      message.erase(0, dash + 3);
    }
  }
  return valid_utf8(message);
}

// The usual ways hand-written JSON goes wrong, recognised from the character that stopped the
// parser.
std::string malformed_hint(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return {};
  const char c = text[offset];
  if (c == '}' || c == ']') {
    std::size_t i = offset;
    while (i > 0 && std::strchr(" \t\r\n", text[i - 1]) != nullptr) --i;
    if (i > 0 && text[i - 1] == ',') return std::string("JSON allows no comma before '") + c + "'";
  }
  if (c == '/' || c == '#') return "JSON allows no comments";
  if (c == '\'') return "JSON strings take double quotes";
  return {};
}

// Characters of numbers and of the literals true, false and null (and of misspellings of them).
bool in_token(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '+' || c == '-';
}

// The first byte of the token ending at `offset`: the parser reports the end of an unexpected
// token ("per_host" in `{"type": "manual" "per_host": 1}`), but people look for its start.
std::size_t token_start(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return offset;
  if (text[offset] == '"') {
    // The token is a complete string, so the nearest unescaped quote before it opens it.
    for (std::size_t i = offset; i > 0; --i) {
      if (text[i - 1] != '"') continue;
      std::size_t backslashes = 0;
      while (i - 1 > backslashes && text[i - 2 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return i - 1;
    }
    return offset;
  }
  std::size_t start = offset;
  while (start > 0 && in_token(text[start]) && in_token(text[start - 1])) --start;
  return start;
}

// nlohmann's "last read" for a bad literal runs back to the previous string token
// ("last read: '"a": tru'"), so quote the bad literal from the text instead: the word that
// stopped the parser, or the single character if it is punctuation. Returns the replacement
// message and the offset where the literal starts.
std::pair<std::string, std::size_t> describe_bad_literal(std::string message, std::string_view text,
                                                         std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t start = offset;
  std::size_t end = offset;
  if (offset < text.size() && !in_token(text[offset]) &&
      static_cast<unsigned char>(text[offset]) > ' ') {
    end = offset + 1;  // punctuation such as '/' or '\''
  } else {
    if (offset < text.size() && in_token(text[offset])) end = offset + 1;
    start = end;
    while (start > 0 && in_token(text[start - 1])) --start;
  }
  if (const auto read = message.find("; last read: '"); read != std::string::npos) {
    const auto expected = message.rfind("'; expected");
    const auto stop =
        expected != std::string::npos && expected > read ? expected + 1 : message.size();
    message.erase(read, stop - read);
  }
  if (start < end) {
    message.insert(std::string_view("invalid literal").size(),
                   " " + quote(std::string(text.substr(start, end - start))));
  }
  return {std::move(message), start < end ? start : offset};
}

bool only_whitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::strchr(" \t\r\n", c) != nullptr; });
}

// Builds the document like nlohmann's own DOM parser, and also refuses what that parser lets
// through: duplicate keys (it silently keeps the last) and deep nesting (the parser itself is
// iterative, but copying, dumping and our readers recurse).
class StrictBuilder {
 public:
  StrictBuilder(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool value) { return add(json(value)); }
  bool number_integer(json::number_integer_t value) { return add(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return add(json(value)); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    // nlohmann 3.11 reports overflow through parse_error (out_of_range.406) before calling
    // this; the check is kept in case a version lets infinity through.
    if (!std::isfinite(value)) {
      return record(
          {.file = file_, .pointer = next_pointer(), .expected = "a finite number", .found = text});
    }
    return add(json(value));
  }
  bool string(json::string_t& value) { return add(json(std::move(value))); }
  bool binary(json::binary_t& value) { return add(json::binary(std::move(value))); }

  bool start_object(std::size_t /*elements*/) { return open(json::value_t::object); }
  bool start_array(std::size_t /*elements*/) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& key) {
    Frame& frame = frames_.back();
    if (frame.value->contains(key)) {
      if (!record(
              {.file = file_, .pointer = frame.pointer, .detail = "duplicate key " + quote(key)})) {
        return false;
      }
    }
    frame.key = std::move(key);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const json::exception& error) {
    // chars_read_total counts the character that stopped the parser; step back onto it.
    const std::size_t offset = position > 0 ? position - 1 : 0;
    if (error.id == 406) {  // out_of_range.406: a number beyond the range of double
      const std::size_t start =
          offset + 1 >= last_token.size() ? offset + 1 - last_token.size() : 0;
      const TextPosition where = position_of(text_, start);
      record({.file = file_,
              .pointer = next_pointer(),
              .expected = "a finite number",
              .found = last_token,
              .line = where.line,
              .column = where.column});
      return false;
    }
    std::string message = clean_parse_message(error.what());
    std::size_t start = token_start(text_, offset);
    if (message.starts_with("invalid literal")) {
      std::tie(message, start) = describe_bad_literal(std::move(message), text_, offset);
    }
    const TextPosition where = position_of(text_, start);
    record({.file = file_,
            .detail = "malformed JSON: " + message,
            .hint = malformed_hint(text_, offset),
            .line = where.line,
            .column = where.column});
    return false;
  }

  json take_result() { return std::move(root_); }
  std::vector<InputProblem>& problems() { return problems_; }

 private:
  struct Frame {
    json* value;
    std::string pointer;
    std::string key;  // of the member being read, when value is an object
  };

  std::string next_pointer() const {
    if (frames_.empty()) return {};
    const Frame& frame = frames_.back();
    return frame.value->is_object() ? child_pointer(frame.pointer, frame.key)
                                    : child_pointer(frame.pointer, frame.value->size());
  }

  json* insert(json value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& frame = frames_.back();
    if (frame.value->is_array()) {
      frame.value->push_back(std::move(value));
      return &frame.value->back();
    }
    json& slot = (*frame.value)[frame.key];
    slot = std::move(value);
    return &slot;
  }

  bool add(json value) {
    insert(std::move(value));
    return true;
  }

  bool open(json::value_t type) {
    std::string pointer = next_pointer();
    if (frames_.size() >= kMaxJsonDepth) {
      record({.file = file_,
              .pointer = std::move(pointer),
              .detail = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"});
      return false;
    }
    json* value = insert(json(type));
    frames_.push_back({value, std::move(pointer), {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  // Returns whether parsing should go on.
  bool record(InputProblem problem) {
    problems_.push_back(std::move(problem));
    return problems_.size() < kMaxParseProblems;
  }

  std::string_view text_;
  const std::string& file_;
  json root_;
  std::vector<Frame> frames_;
  std::vector<InputProblem> problems_;
};

// Shortest text that reads back as the same double: "0.5", "100", "1e+21".
std::string format_number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string integer_expectation(std::int64_t min, std::int64_t max) {
  constexpr auto kLowest = std::numeric_limits<std::int64_t>::min();
  constexpr auto kHighest = std::numeric_limits<std::int64_t>::max();
  if (min == kLowest && max == kHighest) return "an integer";
  if (max == kHighest) {
    if (min == 1) return "a positive integer";
    if (min == 0) return "a non-negative integer";
    return "an integer of at least " + std::to_string(min);
  }
  if (min == kLowest) return "an integer of at most " + std::to_string(max);
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string number_expectation(double min, double max) {
  const bool no_min = min <= std::numeric_limits<double>::lowest();
  const bool no_max = max >= std::numeric_limits<double>::max();
  if (no_min && no_max) return "a number";
  if (no_max) {
    return min == 0.0 ? "a non-negative number" : "a number of at least " + format_number(min);
  }
  if (no_min) return "a number of at most " + format_number(max);
  return "a number from " + format_number(min) + " to " + format_number(max);
}

// People often quote numbers and booleans; say so rather than only "found "5"".
std::string quoting_hint(const json& value) {
  if (!value.is_string()) return {};
  std::string_view text = value.get_ref<const std::string&>();
  if (text == "true" || text == "false") return "write true or false without quotes";
  if (text.ends_with('%')) text.remove_suffix(1);
  double parsed = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (!text.empty() && result.ec == std::errc() && result.ptr == text.data() + text.size() &&
      std::isfinite(parsed)) {
    return "write the number without quotes";
  }
  return {};
}

std::string unit_hint(const json& value) {
  if (!value.is_number()) return {};
  return "give a unit, e.g. \"" + describe_json(value) + "s\" for seconds";
}

}  // namespace

nlohmann::json load_json_file(const std::filesystem::path& path) {
  const std::string label = path.string();
  return parse_json_text(read_text_file(label), label);
}

nlohmann::json parse_json_text(std::string_view text, const std::string& file_label) {
  if (only_whitespace(text)) {
    throw InputError(
        InputProblem{.file = file_label, .expected = "a JSON document", .found = "an empty file"});
  }
  StrictBuilder builder(text, file_label);
  json::sax_parse(text.begin(), text.end(), &builder);
  if (!builder.problems().empty()) throw InputError(std::move(builder.problems()));
  return builder.take_result();
}

std::string child_pointer(std::string_view parent, std::string_view key) {
  std::string out(parent);
  out.reserve(parent.size() + key.size() + 1);
  out += '/';
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child_pointer(std::string_view parent, std::size_t index) {
  return std::string(parent) + '/' + std::to_string(index);
}

// ---- ValueReader ----

ValueReader::ValueReader(const nlohmann::json& value, std::string file, std::string pointer)
    : value_(&value), file_(std::move(file)), pointer_(std::move(pointer)) {}

InputProblem ValueReader::problem(std::string expected, std::string hint) const {
  return InputProblem{.file = file_,
                      .pointer = pointer_,
                      .expected = std::move(expected),
                      .found = describe_json(*value_),
                      .hint = std::move(hint)};
}

void ValueReader::fail(std::string expected, std::string hint) const {
  throw InputError(problem(std::move(expected), std::move(hint)));
}

std::string ValueReader::as_string() const {
  if (!value_->is_string()) fail("a string");
  return value_->get<std::string>();
}

bool ValueReader::as_boolean() const {
  if (!value_->is_boolean()) fail("true or false", quoting_hint(*value_));
  return value_->get<bool>();
}

std::int64_t ValueReader::as_integer(std::int64_t min, std::int64_t max) const {
  const std::string expected = integer_expectation(min, max);
  std::int64_t result = 0;
  if (value_->is_number_unsigned()) {
    const auto value = value_->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(expected);
    }
    result = static_cast<std::int64_t>(value);
  } else if (value_->is_number_integer()) {
    result = value_->get<std::int64_t>();
  } else if (value_->is_number_float()) {
    // 3.0 is the integer 3; 2.5 and integers written beyond int64 (parsed as doubles) are not.
    const double value = value_->get<double>();
    constexpr double kTwoTo63 = 9223372036854775808.0;
    if (!(std::trunc(value) == value && value >= -kTwoTo63 && value < kTwoTo63)) fail(expected);
    result = static_cast<std::int64_t>(value);
  } else {
    fail(expected, quoting_hint(*value_));
  }
  if (result < min || result > max) fail(expected);
  return result;
}

double ValueReader::as_number(double min, double max) const {
  const std::string expected = number_expectation(min, max);
  if (!value_->is_number()) fail(expected, quoting_hint(*value_));
  const double value = value_->get<double>();
  if (!std::isfinite(value) || !(value >= min && value <= max)) fail(expected);
  return value;
}

double ValueReader::as_percent() const {
  if (!value_->is_number()) fail("a percentage from 0 to 100", quoting_hint(*value_));
  const double value = value_->get<double>();
  if (!(value >= 0.0 && value <= 100.0)) fail("a percentage from 0 to 100");
  return value;
}

double ValueReader::as_probability() const {
  if (!value_->is_number()) fail("a probability from 0 to 1", quoting_hint(*value_));
  const double value = value_->get<double>();
  if (!(value >= 0.0 && value <= 1.0)) fail("a probability from 0 to 1");
  return value;
}

engine::Duration ValueReader::as_duration() const {
  if (!value_->is_string()) {
    fail("a duration such as \"30s\", \"5min\" or \"2h\"", unit_hint(*value_));
  }
  try {
    return engine::parse_duration(value_->get_ref<const std::string&>());
  } catch (const engine::TimeFormatError& error) {
    throw InputError(InputProblem{.file = file_, .pointer = pointer_, .detail = error.what()});
  }
}

engine::Duration ValueReader::as_positive_duration() const {
  const engine::Duration duration = as_duration();
  if (duration <= engine::Duration()) fail("a duration longer than zero");
  return duration;
}

engine::Distribution ValueReader::as_distribution(engine::Distribution::Unit unit) const {
  using Unit = engine::Distribution::Unit;
  if (unit == Unit::number && value_->is_number()) {
    return engine::Distribution::constant(as_number(0.0, std::numeric_limits<double>::infinity()));
  }
  if (!value_->is_string()) {
    if (unit == Unit::number) {
      fail("a non-negative number or a distribution such as \"uniform(1, 5)\"");
    }
    fail("a duration or a distribution such as \"exponential(30s)\"", unit_hint(*value_));
  }
  try {
    return engine::Distribution::parse(value_->get_ref<const std::string&>(), unit);
  } catch (const std::invalid_argument& error) {  // TimeFormatError among others
    throw InputError(InputProblem{.file = file_, .pointer = pointer_, .detail = error.what()});
  } catch (const std::out_of_range& error) {
    throw InputError(InputProblem{.file = file_, .pointer = pointer_, .detail = error.what()});
  }
}

std::string ValueReader::as_enum(const std::vector<std::string>& allowed) const {
  const std::string expected = "one of " + quote_list(allowed);
  if (!value_->is_string()) fail(expected);
  const auto& text = value_->get_ref<const std::string&>();
  if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return text;
  const std::string suggestion = did_you_mean(text, allowed);
  fail(expected, suggestion.empty() ? std::string() : "did you mean " + quote(suggestion) + "?");
}

ObjectReader ValueReader::as_object() const {
  return ObjectReader(*value_, file_, pointer_);
}

std::vector<ValueReader> ValueReader::as_array() const {
  if (!value_->is_array()) fail("an array");
  std::vector<ValueReader> items;
  items.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    items.emplace_back((*value_)[i], file_, child_pointer(pointer_, i));
  }
  return items;
}

// ---- ObjectReader ----

ObjectReader::ObjectReader(const nlohmann::json& value, std::string file, std::string pointer)
    : value_(&value), file_(std::move(file)), pointer_(std::move(pointer)) {
  if (!value.is_object()) ValueReader(value, file_, pointer_).fail("an object");
}

void ObjectReader::mark_known(std::string_view key) {
  if (all_known_) return;
  if (known_set_.emplace(key).second) known_.emplace_back(key);
}

bool ObjectReader::is_known(const std::string& key) const {
  return all_known_ || known_set_.count(key) != 0;
}

bool ObjectReader::has(std::string_view key) {
  return get(key) != nullptr;
}

const nlohmann::json* ObjectReader::get(std::string_view key) {
  mark_known(key);
  const auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

InputProblem ObjectReader::unknown_key(const std::string& key,
                                       const std::string& suggestion) const {
  return InputProblem{.file = file_,
                      .pointer = pointer_.empty() ? child_pointer("", key) : pointer_,
                      .detail = "unknown key " + quote(key),
                      .hint = "did you mean " + quote(suggestion) + "?"};
}

void ObjectReader::fail_missing(std::string_view key, const std::string& expected) const {
  const std::string wanted(key);
  for (const auto& [present, ignored] : value_->items()) {
    if (is_known(present)) continue;
    if (!did_you_mean(present, {wanted}).empty()) throw InputError(unknown_key(present, wanted));
  }
  InputProblem problem{.file = file_, .pointer = child_pointer(pointer_, key)};
  if (expected.empty()) {
    problem.detail = "missing required key " + quote(wanted);
  } else {
    problem.expected = expected;
    problem.found = "nothing";
    problem.hint = quote(wanted) + " is required";
  }
  throw InputError(std::move(problem));
}

ValueReader ObjectReader::required(std::string_view key, const std::string& expected) {
  const nlohmann::json* found = get(key);
  if (found == nullptr) fail_missing(key, expected);
  return ValueReader(*found, file_, child_pointer(pointer_, key));
}

ValueReader ObjectReader::value(std::string_view key) {
  return required(key, {});
}

std::optional<ValueReader> ObjectReader::optional(std::string_view key) {
  const nlohmann::json* found = get(key);
  if (found == nullptr) return std::nullopt;
  return ValueReader(*found, file_, child_pointer(pointer_, key));
}

std::string ObjectReader::string(std::string_view key) {
  return value(key).as_string();
}
std::string ObjectReader::string(std::string_view key, std::string fallback) {
  const auto v = optional(key);
  return v ? v->as_string() : fallback;
}

bool ObjectReader::boolean(std::string_view key) {
  return value(key).as_boolean();
}
bool ObjectReader::boolean(std::string_view key, bool fallback) {
  const auto v = optional(key);
  return v ? v->as_boolean() : fallback;
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  return value(key).as_integer(min, max);
}
std::int64_t ObjectReader::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                   std::int64_t fallback) {
  const auto v = optional(key);
  return v ? v->as_integer(min, max) : fallback;
}

double ObjectReader::number(std::string_view key, double min, double max) {
  return value(key).as_number(min, max);
}
double ObjectReader::number(std::string_view key, double min, double max, double fallback) {
  const auto v = optional(key);
  return v ? v->as_number(min, max) : fallback;
}

double ObjectReader::percent(std::string_view key) {
  return value(key).as_percent();
}
double ObjectReader::percent(std::string_view key, double fallback) {
  const auto v = optional(key);
  return v ? v->as_percent() : fallback;
}

double ObjectReader::probability(std::string_view key) {
  return value(key).as_probability();
}
double ObjectReader::probability(std::string_view key, double fallback) {
  const auto v = optional(key);
  return v ? v->as_probability() : fallback;
}

engine::Duration ObjectReader::duration(std::string_view key) {
  return value(key).as_duration();
}
engine::Duration ObjectReader::duration(std::string_view key, engine::Duration fallback) {
  const auto v = optional(key);
  return v ? v->as_duration() : fallback;
}

engine::Duration ObjectReader::positive_duration(std::string_view key) {
  return value(key).as_positive_duration();
}
engine::Duration ObjectReader::positive_duration(std::string_view key, engine::Duration fallback) {
  const auto v = optional(key);
  return v ? v->as_positive_duration() : fallback;
}

engine::Distribution ObjectReader::distribution(std::string_view key,
                                                engine::Distribution::Unit unit) {
  return value(key).as_distribution(unit);
}
engine::Distribution ObjectReader::distribution(std::string_view key,
                                                engine::Distribution::Unit unit,
                                                engine::Distribution fallback) {
  const auto v = optional(key);
  return v ? v->as_distribution(unit) : fallback;
}

std::string ObjectReader::string_enum(std::string_view key,
                                      const std::vector<std::string>& allowed) {
  return value(key).as_enum(allowed);
}
std::string ObjectReader::string_enum(std::string_view key, const std::vector<std::string>& allowed,
                                      std::string fallback) {
  const auto v = optional(key);
  return v ? v->as_enum(allowed) : fallback;
}

ObjectReader ObjectReader::child(std::string_view key) {
  return value(key).as_object();
}
std::optional<ObjectReader> ObjectReader::optional_child(std::string_view key) {
  const auto v = optional(key);
  if (!v) return std::nullopt;
  return v->as_object();
}

std::vector<ValueReader> ObjectReader::array(std::string_view key) {
  return value(key).as_array();
}
std::vector<ValueReader> ObjectReader::optional_array(std::string_view key) {
  const auto v = optional(key);
  return v ? v->as_array() : std::vector<ValueReader>();
}

std::vector<std::pair<std::string, ValueReader>> ObjectReader::members() {
  std::vector<std::pair<std::string, ValueReader>> out;
  out.reserve(value_->size());
  all_known_ = true;
  for (const auto& [key, member] : value_->items()) {
    out.emplace_back(key, ValueReader(member, file_, child_pointer(pointer_, key)));
  }
  return out;
}

void ObjectReader::finish() const {
  std::vector<InputProblem> problems;
  for (const auto& [key, ignored] : value_->items()) {
    if (is_known(key)) continue;
    std::string hint;
    if (const std::string suggestion = did_you_mean(key, known_); !suggestion.empty()) {
      hint = "did you mean " + quote(suggestion) + "?";
    } else if (known_.empty()) {
      hint = "no keys are allowed here";
    } else {
      hint = "allowed keys: " + quote_list(known_);
    }
    InputProblem problem = unknown_key(key, "");
    problem.hint = std::move(hint);
    problems.push_back(std::move(problem));
  }
  if (!problems.empty()) throw InputError(std::move(problems));
}

void ObjectReader::fail(std::string detail, std::string hint) const {
  throw InputError(InputProblem{
      .file = file_, .pointer = pointer_, .detail = std::move(detail), .hint = std::move(hint)});
}

}  // namespace deploysim::input
