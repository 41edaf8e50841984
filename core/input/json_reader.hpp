#pragma once
// Loading JSON strictly (no duplicate keys, bounded nesting, finite numbers) and reading it with
// the place of every value known, so that each error is an InputError naming file and pointer.
//
// Readers refer to the document they read and must not outlive it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/time.hpp"
#include "input/input_error.hpp"

namespace deploysim::input {

/// Objects and arrays nested deeper than this are refused, so that no input can exhaust the
/// stack of code that walks the document recursively.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Reads and parses a JSON file; errors are labelled with `path` as given.
/// Throws InputError if the file cannot be read or parse_json_text refuses its content.
nlohmann::json load_json_file(const std::filesystem::path& path);

/// Parses JSON text strictly. Throws InputError, labelled `file_label`, for malformed JSON (with
/// line and column), nesting deeper than kMaxJsonDepth, duplicate keys and numbers too large
/// for a double.
nlohmann::json parse_json_text(std::string_view text, const std::string& file_label);

/// `parent` extended by one RFC 6901 reference token ("~" is written "~0", "/" is "~1").
std::string child_pointer(std::string_view parent, std::string_view key);
/// `parent` extended by an array index.
std::string child_pointer(std::string_view parent, std::size_t index);

class ObjectReader;

/// One JSON value and where it is; converts it to typed values or throws an InputError there.
class ValueReader {
 public:
  ValueReader(const nlohmann::json& value, std::string file, std::string pointer);
  /// A reader keeps a reference: a temporary document would dangle.
  ValueReader(const nlohmann::json&& value, std::string file, std::string pointer) = delete;

  const nlohmann::json& json() const { return *value_; }
  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }

  std::string as_string() const;
  bool as_boolean() const;
  /// An integer within [min, max]; integral floats such as 3.0 are accepted, 2.5 is not.
  std::int64_t as_integer(std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t max = std::numeric_limits<std::int64_t>::max()) const;
  /// A finite number within [min, max].
  double as_number(double min = -std::numeric_limits<double>::infinity(),
                   double max = std::numeric_limits<double>::infinity()) const;
  /// A number from 0 to 100.
  double as_percent() const;
  /// A number from 0 to 1.
  double as_probability() const;
  /// A string such as "30s" (see engine::parse_duration).
  engine::Duration as_duration() const;
  /// A duration longer than zero.
  engine::Duration as_positive_duration() const;
  /// A string such as "lognormal(20min, 0.5)"; for Unit::number also a bare non-negative number.
  engine::Distribution as_distribution(engine::Distribution::Unit unit) const;
  /// A string equal to one of `allowed`.
  std::string as_enum(const std::vector<std::string>& allowed) const;
  /// An object, read with its own unknown-key tracking.
  ObjectReader as_object() const;
  /// An array; each element knows its pointer, e.g. "/timeline/3".
  std::vector<ValueReader> as_array() const;

  /// "expected <expected>, found <this value>" at this value's place.
  InputProblem problem(std::string expected, std::string hint = {}) const;
  /// Throws InputError(problem(expected, hint)).
  [[noreturn]] void fail(std::string expected, std::string hint = {}) const;

 private:
  const nlohmann::json* value_;
  std::string file_;
  std::string pointer_;
};

/// Reads one JSON object. Every key asked about is remembered, so that finish() can report the
/// keys nobody asked about as unknown, with a "did you mean" when one is a likely typo.
/// Required readers throw when the key is missing; the forms with a fallback return it instead.
/// A key present with value null is not missing: it fails the type check.
class ObjectReader {
 public:
  /// Throws InputError "expected an object, found ..." if `value` is not an object.
  ObjectReader(const nlohmann::json& value, std::string file, std::string pointer);
  /// A reader keeps a reference: a temporary document would dangle.
  ObjectReader(const nlohmann::json&& value, std::string file, std::string pointer) = delete;

  const nlohmann::json& json() const { return *value_; }
  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }

  /// Whether `key` is present; marks it as known.
  bool has(std::string_view key);
  /// The value of `key`, or nullptr if absent; marks it as known.
  const nlohmann::json* get(std::string_view key);
  /// The value of `key`, which must be present. The one policy for a missing key: when a key
  /// nobody asked about looks like a misspelling of it, the misspelling is the real problem and
  /// is reported as an unknown key; otherwise the problem is at the missing key's own pointer,
  /// "expected <expected>, found nothing" (or "missing required key" without `expected`).
  ValueReader required(std::string_view key, const std::string& expected);
  /// The value of `key`; required(key) without a description of what belongs there.
  ValueReader value(std::string_view key);
  /// The value of `key`, or nothing if absent.
  std::optional<ValueReader> optional(std::string_view key);

  std::string string(std::string_view key);
  std::string string(std::string_view key, std::string fallback);
  bool boolean(std::string_view key);
  bool boolean(std::string_view key, bool fallback);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max,
                       std::int64_t fallback);
  double number(std::string_view key, double min, double max);
  double number(std::string_view key, double min, double max, double fallback);
  double percent(std::string_view key);
  double percent(std::string_view key, double fallback);
  double probability(std::string_view key);
  double probability(std::string_view key, double fallback);
  engine::Duration duration(std::string_view key);
  engine::Duration duration(std::string_view key, engine::Duration fallback);
  engine::Duration positive_duration(std::string_view key);
  engine::Duration positive_duration(std::string_view key, engine::Duration fallback);
  engine::Distribution distribution(std::string_view key, engine::Distribution::Unit unit);
  engine::Distribution distribution(std::string_view key, engine::Distribution::Unit unit,
                                    engine::Distribution fallback);
  std::string string_enum(std::string_view key, const std::vector<std::string>& allowed);
  std::string string_enum(std::string_view key, const std::vector<std::string>& allowed,
                          std::string fallback);
  /// The object at `key` (required).
  ObjectReader child(std::string_view key);
  /// The object at `key`, or nothing if absent.
  std::optional<ObjectReader> optional_child(std::string_view key);
  /// The elements of the array at `key` (required).
  std::vector<ValueReader> array(std::string_view key);
  /// The elements of the array at `key`; empty if absent.
  std::vector<ValueReader> optional_array(std::string_view key);
  /// Every member, in key order, for objects used as maps (e.g. service name -> service); marks
  /// all keys as known.
  std::vector<std::pair<std::string, ValueReader>> members();

  /// Throws InputError with one problem per key never asked about, e.g.
  /// `unknown key "stratgy"; did you mean "strategy"?`. Call it once all keys have been read.
  void finish() const;
  /// `unknown key "key"; did you mean "suggestion"?`, at this object, or at the key itself at the
  /// top level of a document, where the object's pointer would print as nothing.
  InputProblem unknown_key(const std::string& key, const std::string& suggestion) const;
  /// An InputError about the object as a whole, e.g. `needs "to" or "weights", not both`.
  [[noreturn]] void fail(std::string detail, std::string hint = {}) const;

 private:
  void mark_known(std::string_view key);
  bool is_known(const std::string& key) const;
  [[noreturn]] void fail_missing(std::string_view key, const std::string& expected) const;

  const nlohmann::json* value_;
  std::string file_;
  std::string pointer_;
  // In the order first asked about, which is the order the allowed keys are listed in; the set
  // keeps look-ups linear in the number of keys however large the object.
  std::vector<std::string> known_;
  std::unordered_set<std::string> known_set_;
  bool all_known_ = false;  // members() read every key
};

}  // namespace deploysim::input
