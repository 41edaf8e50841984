#include "engine/hash.hpp"

#include <gtest/gtest.h>

namespace deploysim::engine {
namespace {

// The published FNV-1a 64 test vectors: a different offset basis, prime or order of xor and
// multiply changes every one of them, and with them every seed stream of every run.
TEST(Fnv1a64, MatchesThePublishedVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Fnv1a64, ReadsBytesAsUnsigned) {
  // 0xff as a signed char is -1; xored sign-extended it would set all high bits. By hand:
  // (basis ^ 0xff) * prime mod 2^64.
  const std::uint64_t expected = (0xcbf29ce484222325ULL ^ 0xffULL) * 0x100000001b3ULL;
  EXPECT_EQ(fnv1a64(std::string_view("\xff", 1)), expected);
}

TEST(Fnv1a64, IsAConstantExpressionAndOrderSensitive) {
  static_assert(fnv1a64("") == 0xcbf29ce484222325ULL);
  EXPECT_NE(fnv1a64("ab"), fnv1a64("ba"));
  // An embedded NUL is hashed, not a terminator.
  EXPECT_NE(fnv1a64(std::string_view("a\0b", 3)), fnv1a64("a"));
}

TEST(Hex64, PrintsSixteenLowerCaseDigits) {
  EXPECT_EQ(hex64(0), "0000000000000000");
  EXPECT_EQ(hex64(0xABCULL), "0000000000000abc");
  EXPECT_EQ(hex64(0xcbf29ce484222325ULL), "cbf29ce484222325");
  EXPECT_EQ(hex64(~0ULL), "ffffffffffffffff");
}

}  // namespace
}  // namespace deploysim::engine
