#include "spec/host_names.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace deploysim::spec
