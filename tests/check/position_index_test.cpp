#include "check/position_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace deploysim::check {
namespace {

// Line and column of the start and end of the value at `pointer`, as "l:c-l:c".
std::string range(const PositionIndex& index, const std::string& pointer) {
  const auto r = index.find(pointer);
  return std::to_string(r.start.line) + ":" + std::to_string(r.start.column) + "-" +
         std::to_string(r.end.line) + ":" + std::to_string(r.end.column);
}

// Columns counted by hand below: line 1 is "{", line 2 starts with two spaces.
const std::string kDoc =
    "{\n"
    "  \"hosts\": [\n"
    "    {\"name\": \"a\", \"tags\": [1, 22]},\n"
    "    {\"name\": \"b\"}\n"
    "  ],\n"
    "  \"n\": -1.5e3\n"
    "}\n";

TEST(PositionIndex, ScalarsSpanTheirCharacters) {
  const PositionIndex index(kDoc);
  EXPECT_EQ(range(index, "/hosts/0/name"), "3:14-3:17");  // "a" with its quotes
  EXPECT_EQ(range(index, "/hosts/0/tags/1"), "3:31-3:33");
  EXPECT_EQ(range(index, "/n"), "6:8-6:14");
}

TEST(PositionIndex, ContainersSpanFromOpeningToClosingBracket) {
  const PositionIndex index(kDoc);
  EXPECT_EQ(range(index, "/hosts"), "2:12-5:4");
  EXPECT_EQ(range(index, "/hosts/1"), "4:5-4:18");
  EXPECT_EQ(range(index, ""), "1:1-7:2");
}

TEST(PositionIndex, MissingValuesFallBackToTheNearestAncestor) {
  const PositionIndex index(kDoc);
  EXPECT_EQ(range(index, "/hosts/1/version"), range(index, "/hosts/1"));
  EXPECT_EQ(range(index, "/hosts/9/name"), range(index, "/hosts"));
  EXPECT_EQ(range(index, "/nothing/at/all"), range(index, ""));
  // A scalar has no children: a pointer below it names the scalar.
  EXPECT_EQ(range(index, "/n/0"), range(index, "/n"));
}

TEST(PositionIndex, ArrayIndicesMustBeCanonical) {
  // "01" is not an array index in RFC 6901; it must not find element 1.
  const PositionIndex index("[10, 20]");
  EXPECT_EQ(range(index, "/1"), "1:6-1:8");
  EXPECT_NE(range(index, "/01"), range(index, "/1"));
}

TEST(PositionIndex, StringsWithBracketsAndEscapedQuotesDoNotConfuseNesting) {
  const std::string text = R"({"a": "}]\"[{", "b": [ "x" ]})";
  const PositionIndex index(text);
  EXPECT_EQ(range(index, "/a"), "1:7-1:15");
  EXPECT_EQ(range(index, "/b/0"), "1:24-1:27");
}

TEST(PositionIndex, CopiesAndThreadsSeeTheSamePositions) {
  const PositionIndex index(kDoc);
  const PositionIndex copy = index;
  EXPECT_EQ(range(copy, "/hosts/0/tags/1"), "3:31-3:33");
  std::vector<std::string> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = range(i % 2 ? copy : index, "/hosts/1/name"); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& s : seen) EXPECT_EQ(s, "4:14-4:17");
}

TEST(PositionIndex, AnEmptyIndexFindsNothing) {
  EXPECT_EQ(range(PositionIndex(), ""), "0:0-0:0");
  EXPECT_EQ(range(PositionIndex(), "/a"), "0:0-0:0");
}

}  // namespace
}  // namespace deploysim::check
