#include "spec/host_names.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace deploysim::spec {
namespace {

TEST(HostName, ReplacesGroupAndOneBasedNumber) {
  EXPECT_EQ(host_name("{group}-{i}", "web", 1), "web-1");
  EXPECT_EQ(host_name("{group}-{i}", "web", 12), "web-12");
  EXPECT_EQ(host_name("smars-{i}.nyc", "ignored", 8), "smars-8.nyc");
}

TEST(HostName, KeepsEveryOtherCharacterAndRepeatsPlaceholders) {
  EXPECT_EQ(host_name("static", "web", 3), "static");
  EXPECT_EQ(host_name("", "web", 3), "");
  EXPECT_EQ(host_name("{i}{i}-{group}{group}", "db", 7), "77-dbdb");
  // Incomplete or unknown braces are plain text.
  EXPECT_EQ(host_name("{gr}{i", "web", 2), "{gr}{i");
  EXPECT_EQ(host_name("{{i}}", "web", 2), "{2}");
}

TEST(HostName, InsertedTextIsNeverExpandedAgain) {
  // A repeated replace would turn the group name "{i}" into the number as well.
  EXPECT_EQ(host_name("{group}-{i}", "{i}", 5), "{i}-5");
  EXPECT_EQ(host_name("{group}", "{group}", 5), "{group}");
}

TEST(HostName, PrintsLargeAndZeroNumbersInFull) {
  EXPECT_EQ(host_name("h{i}", "g", 0), "h0");
  EXPECT_EQ(host_name("h{i}", "g", 10'000'000'000LL), "h10000000000");
}

// Two groups' shapes, judged against their names written out: a "false" must never hide a name
// both groups give (hosts 1 to 120 reach one-, two- and three-digit numbers).
bool groups_share_a_name(const std::string& pattern_a, const std::string& group_a,
                         const std::string& pattern_b, const std::string& group_b) {
  std::set<std::string> names;
  for (int i = 1; i <= 120; ++i) names.insert(host_name(pattern_a, group_a, i));
  for (int i = 1; i <= 120; ++i) {
    if (names.count(host_name(pattern_b, group_b, i)) != 0) return true;
  }
  return false;
}

TEST(NameShape, SplitsAtTheNumberAfterExpandingTheGroup) {
  const auto shape = name_shape("{group}-{i}.{group}", "web");
  EXPECT_EQ(shape.prefix, "web-");
  EXPECT_EQ(shape.suffix, ".web");
  EXPECT_TRUE(shape.numbered);
  EXPECT_FALSE(name_shape("static", "web").numbered);
  EXPECT_EQ(name_shape("static", "web").prefix, "static");
  EXPECT_FALSE(name_shape("{i}-{i}", "web").has_shape);
}

TEST(NameShape, GroupsThatCannotMeetAreToldApartWithoutTheirNames) {
  const auto shapes = [](const char* a, const char* b) {
    return shapes_may_share_a_name(name_shape(a, "ga"), name_shape(b, "gb"));
  };
  EXPECT_FALSE(shapes("ring0-{i}", "ring1-{i}"));
  EXPECT_FALSE(shapes("web-{i}", "web-canary-{i}"));  // "c" cannot start a number
  EXPECT_FALSE(shapes("h{i}", "h0{i}"));              // nor can "0"
  EXPECT_FALSE(shapes("h{i}.a", "h{i}.b"));
  EXPECT_FALSE(shapes("h{i}", "h{i}x"));  // "x" cannot end a number
  EXPECT_TRUE(shapes("h{i}", "h1{i}"));   // h15 is host 15 of one and host 5 of the other
  EXPECT_TRUE(shapes("h{i}", "h{i}5"));
  EXPECT_TRUE(shapes("{i}-{i}", "a{i}"));
  EXPECT_TRUE(shapes("h7", "h{i}"));
  EXPECT_FALSE(shapes("h07", "h{i}"));
  EXPECT_FALSE(shapes("h", "h{i}"));
  EXPECT_TRUE(shapes("same", "same"));
}

TEST(NameShape, NeverSaysTwoGroupsAreApartWhenTheirNamesMeet) {
  const std::vector<std::string> patterns = {
      "{group}-{i}", "h{i}", "h1{i}", "h{i}1", "h0{i}",  "h{i}0", "{i}", "1{i}", "{i}1",
      "h12",         "h",    "h{i}x", "hx{i}", "{i}{i}", "1{i}1", "12",  "h100", "{{i}}"};
  const std::vector<std::string> groups = {"a", "a1", "1"};
  for (const auto& pa : patterns) {
    for (const auto& pb : patterns) {
      for (const auto& ga : groups) {
        for (const auto& gb : groups) {
          if (pa == pb && ga == gb) continue;
          if (groups_share_a_name(pa, ga, pb, gb)) {
            EXPECT_TRUE(shapes_may_share_a_name(name_shape(pa, ga), name_shape(pb, gb)))
                << pa << " (" << ga << ") and " << pb << " (" << gb << ")";
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace deploysim::spec
