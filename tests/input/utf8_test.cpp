#include "input/utf8.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <sstream>
#include <string>

namespace deploysim::input {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(Utf8, AcceptsWellFormedTextOfEveryLength) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));                // é
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));               // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9D\x84\x9E"));           // U+1D11E
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));           // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8(std::string("nul\0byte", 8)));  // NUL is a character
}

TEST(Utf8, RefusesWhatRfc3629Forbids) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\x80"));              // a continuation byte alone
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));      // overlong three-byte form
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // cut short
}

TEST(Utf8, RepairsEachInvalidByteAndCountsTheRepair) {
  const auto before = utf8_repairs();
  EXPECT_EQ(to_valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(utf8_repairs(), before);
  EXPECT_EQ(to_valid_utf8("a\xFF\xFE"
                          "b"),
            "a" + kReplacement + kReplacement + "b");
  EXPECT_EQ(to_valid_utf8("\xE2\x82"), kReplacement + kReplacement);
  EXPECT_EQ(utf8_repairs(), before + 2);
}

TEST(Utf8, DumpsJsonWithInvalidBytesWhereNlohmannWouldThrow) {
  const nlohmann::json value = {{"name", "bad\xFF"}};
  EXPECT_THROW((void)value.dump(), nlohmann::json::type_error);
  const auto before = utf8_repairs();
  EXPECT_EQ(dump_json(value), "{\"name\":\"bad" + kReplacement + "\"}");
  EXPECT_EQ(utf8_repairs(), before + 1);
  const nlohmann::ordered_json fine = {{"b", 1}, {"a", "\xC3\xA9"}};
  EXPECT_EQ(dump_json(fine, 2), fine.dump(2));
  EXPECT_EQ(utf8_repairs(), before + 1);
}

TEST(Utf8Filter, JoinsASequenceCutByAFlush) {
  std::stringbuf sink;
  Utf8Filter filter(&sink);
  std::ostream out(&filter);
  out << "price \xE2\x82";
  out.flush();
  EXPECT_EQ(sink.str(), "price ");  // the cut euro sign is held
  out << "\xAC!";
  out.flush();
  EXPECT_EQ(sink.str(), "price \xE2\x82\xAC!");
}

TEST(Utf8Filter, RepairsInvalidBytesAndACutSequenceAtTheEnd) {
  std::stringbuf sink;
  Utf8Filter filter(&sink);
  std::ostream out(&filter);
  out << "a\xFF" << 'b' << "\xE2\x82";
  EXPECT_TRUE(filter.finish());
  EXPECT_EQ(sink.str(), "a" + kReplacement + "b" + kReplacement + kReplacement);
}

TEST(Utf8Filter, PassesLargeTextThroughUnchanged) {
  std::stringbuf sink;
  Utf8Filter filter(&sink);
  std::ostream out(&filter);
  std::string text;
  for (int i = 0; i < 40'000; ++i) text += "\xE2\x82\xAC";  // larger than the filter's buffer
  for (const char c : text) out.put(c);
  EXPECT_TRUE(filter.finish());
  EXPECT_EQ(sink.str(), text);
}

// A sink that takes nothing, as a full disk does.
class FullSink : public std::streambuf {
 protected:
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
  int_type overflow(int_type) override { return traits_type::eof(); }
};

TEST(Utf8Filter, ASinkThatFailsFailsTheStream) {
  FullSink sink;
  Utf8Filter filter(&sink);
  std::ostream out(&filter);
  out << "lost";
  out.flush();
  EXPECT_FALSE(out);
  EXPECT_FALSE(filter.finish());
}

}  // namespace
}  // namespace deploysim::input

namespace deploysim::input {
namespace {

TEST(XmlEscape, EscapesMarkupAndReplacesWhatXmlForbids) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(xml_escape("tab\tline\nbell\a"), "tab\tline\nbell ");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE"), "\xEF\xBF\xBD") << "U+FFFE is no XML character";
  EXPECT_EQ(xml_escape("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace deploysim::input
