// The filter every message on standard error passes through: long words (values, file names)
// are cut to an excerpt, everything else passes as written.

#include "message_filter.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace deploysim::cli {
namespace {

// What `write` prints through a MessageFilter, in the pieces given (each followed by a flush,
// as std::cerr flushes after every insertion).
template <class... Pieces>
std::string filtered(const Pieces&... pieces) {
  std::ostringstream sink;
  {
    MessageFilter filter(sink);
    ((sink << pieces << std::flush), ...);
  }
  return sink.str();
}

TEST(MessageFilter, OrdinaryTextPassesWhole) {
  const std::string path(kLongWordBytes - 1, 'p');  // with the ":", the longest word kept
  EXPECT_EQ(filtered("error: ", path, ": cannot read\n"), "error: " + path + ": cannot read\n");
}

TEST(MessageFilter, ALongWordIsCutToItsExcerptKeepingItsClosingPunctuation) {
  const std::string value(kLongWordBytes + 1, 'y');
  const std::string excerpt = "\"" + std::string(engine::kExcerptBytes - 1, 'y') + "…\";";
  EXPECT_EQ(filtered("error: bad \"", value, "\"; expected x\n"),
            "error: bad " + excerpt + " expected x\n");
}

TEST(MessageFilter, AWordWrittenInPiecesIsJudgedWhole) {
  const std::string half(100, 'z');
  EXPECT_EQ(filtered("a ", half, half, " b"),
            "a " + std::string(engine::kExcerptBytes, 'z') + "… b");
}

TEST(MessageFilter, TheCutNeverSplitsAUtf8Sequence) {
  // 79 ASCII bytes, then two-byte "é"s: the first "é" would straddle byte 80, so it is dropped.
  std::string word(engine::kExcerptBytes - 1, 'a');
  for (int i = 0; i < 40; ++i) word += "é";
  EXPECT_EQ(filtered(word, "\n"), std::string(engine::kExcerptBytes - 1, 'a') + "…\n");
}

TEST(MessageFilter, TheStreamGetsItsBufferBack) {
  std::ostringstream sink;
  auto* const own = sink.rdbuf();
  { MessageFilter filter(sink); }
  EXPECT_EQ(sink.rdbuf(), own);
}

}  // namespace
}  // namespace deploysim::cli
