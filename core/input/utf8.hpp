#pragma once
// Text leaving the program is UTF-8. File names and --set values come from the command line as
// bytes, and a name on disk need not be UTF-8: such text is repaired where it crosses a boundary
// (an override as it is read, a report or a stream as it is written), each invalid byte becoming
// U+FFFD, and the repairs are counted so that a front end can say once that it made them.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <streambuf>
#include <string>
#include <string_view>

namespace deploysim::input {

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// past U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// `text` with every byte that is not part of a well-formed sequence replaced by U+FFFD. Counts
/// a repair when it changes anything.
std::string to_valid_utf8(std::string_view text);

/// `value.dump(indent)`, with invalid UTF-8 in its strings written as U+FFFD (and counted) where
/// nlohmann_json would throw type_error.316.
std::string dump_json(const nlohmann::json& value, int indent = -1);
std::string dump_json(const nlohmann::ordered_json& value, int indent = -1);

/// Text for XML 1.0 content or attribute values (JUnit reports): markup escaped, invalid UTF-8
/// repaired, and the characters XML 1.0 forbids (controls other than tab and newline, U+FFFE,
/// U+FFFF) replaced.
std::string xml_escape(std::string_view raw);

/// How many texts this process repaired so far.
std::uint64_t utf8_repairs();

/// A stream buffer that passes UTF-8 on to `sink` and repairs what is not. A sequence cut by a
/// flush is held until its remaining bytes arrive; finish() repairs a sequence left incomplete at
/// the end. A failure of the sink fails this buffer, so a stream over it sees badbit.
class Utf8Filter : public std::streambuf {
 public:
  explicit Utf8Filter(std::streambuf* sink);
  Utf8Filter(const Utf8Filter&) = delete;
  Utf8Filter& operator=(const Utf8Filter&) = delete;
  ~Utf8Filter() override;

  /// Writes what is held, a cut sequence included, and flushes the sink. False on failure.
  bool finish();

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* data, std::streamsize count) override;
  int sync() override;

 private:
  // Passes on the complete sequences of the buffer, keeping a cut one at its start.
  bool drain(bool final);

  std::streambuf* sink_;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace deploysim::input
