// Versions and ranges for compatible versions: ordering, each operator at its boundaries, errors,
// and their use by the manifest and DS004 (dependency-version-skew).
#include "check/version_range.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check/manifest.hpp"
#include "check/rules.hpp"
#include "input/input_error.hpp"

namespace deploysim::check {
namespace {

namespace fs = std::filesystem;

int compare(const std::string& a, const std::string& b) {
  const auto x = parse_version(a);
  const auto y = parse_version(b);
  if (!x || !y) {
    ADD_FAILURE() << "not versions: " << a << ", " << b;
    return 99;
  }
  return compare_versions(*x, *y);
}

// Whether `range` contains `version`; fails the test if the range does not parse.
bool in(const std::string& range, const std::string& version) {
  std::string error;
  const auto parsed = VersionRange::parse(range, error);
  if (!parsed) {
    ADD_FAILURE() << range << ": " << error;
    return false;
  }
  return parsed->contains(version);
}

std::string range_error(const std::string& range) {
  std::string error;
  return VersionRange::parse(range, error) ? "parsed" : error;
}

TEST(Version, ParsesDottedNumbersWithPrereleaseAndBuild) {
  const auto v = parse_version("v1.4.2-rc.1+sha.5114f85");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->numbers, (std::vector<std::uint64_t>{1, 4, 2}));
  EXPECT_EQ(v->prerelease, (std::vector<std::string>{"rc", "1"}));
  EXPECT_EQ(parse_version("7")->numbers.size(), 1u);
  EXPECT_EQ(parse_version("1.2.3.4")->numbers.size(), 4u);
  for (const char* bad : {"", "legacy", "v", "1..2", "1.", ".1", "1.x", "1.2-", "1.2-rc..1", "1.2+",
                          "-1", "1.2 ", "1234567890123456789"}) {
    EXPECT_FALSE(parse_version(bad)) << bad;
  }
}

TEST(Version, OrdersAsSemverWithAnyNumberOfComponents) {
  // SemVer 2.0.0, section 11's example, in increasing order.
  const std::vector<std::string> ordered = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                            "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                            "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                            "1.1",         "1.9.0",         "1.10.0",
                                            "2",           "10.0.0"};
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    for (std::size_t j = 0; j < ordered.size(); ++j) {
      const int expected = i < j ? -1 : (i == j ? 0 : 1);
      EXPECT_EQ(compare(ordered[i], ordered[j]), expected) << ordered[i] << " vs " << ordered[j];
    }
  }
  // Missing components are zeros; build metadata and a leading "v" do not count.
  EXPECT_EQ(compare("1.4", "1.4.0"), 0);
  EXPECT_EQ(compare("1.4.0.0", "1.4"), 0);
  EXPECT_EQ(compare("v1.4+build.7", "1.4.0"), 0);
  EXPECT_LT(compare("1.4.0.1", "1.4.1"), 0);
  // Numeric identifiers compare as numbers, not text, and sort before words.
  EXPECT_LT(compare("1.0.0-rc.9", "1.0.0-rc.10"), 0);
  EXPECT_LT(compare("1.0.0-99", "1.0.0-a"), 0);
  EXPECT_LT(compare("18446744073.0", "18446744074.0"), 0);
}

TEST(VersionRange, ExactVersion) {
  EXPECT_TRUE(in("1.4.2", "1.4.2"));
  EXPECT_TRUE(in("=1.4.2", "v1.4.2"));
  EXPECT_TRUE(in("1.4", "1.4.0"));  // missing components are zeros
  EXPECT_FALSE(in("1.4", "1.4.1"));
  EXPECT_FALSE(in("1.4.2", "1.4.2-rc.1"));
  EXPECT_FALSE(in("1.4.2", "legacy"));
}

TEST(VersionRange, Comparisons) {
  EXPECT_TRUE(in(">=1.4 <2.0", "1.4.0"));
  EXPECT_TRUE(in(">=1.4 <2.0", "1.99.99"));
  EXPECT_FALSE(in(">=1.4 <2.0", "1.3.9"));
  EXPECT_FALSE(in(">=1.4 <2.0", "2.0.0"));
  // A pre-release of 2.0 already has 2.0's changes: it is not below "<2.0".
  EXPECT_FALSE(in(">=1.4 <2.0", "2.0.0-rc.1"));
  EXPECT_TRUE(in("<2.0.0-rc.2", "2.0.0-rc.1"));
  EXPECT_FALSE(in(">=1.4", "1.4.0-beta"));
  EXPECT_TRUE(in(">1.4", "1.4.1"));
  EXPECT_FALSE(in(">1.4", "1.4.0"));
  EXPECT_TRUE(in("<=1.4", "1.4.0"));
  EXPECT_FALSE(in("<=1.4", "1.4.1"));
  EXPECT_TRUE(in(">= 1.4  < 2", "1.5"));  // spaces after operators
}

TEST(VersionRange, Caret) {
  EXPECT_TRUE(in("^1.2.3", "1.2.3"));
  EXPECT_TRUE(in("^1.2.3", "1.9.9"));
  EXPECT_FALSE(in("^1.2.3", "1.2.2"));
  EXPECT_FALSE(in("^1.2.3", "2.0.0"));
  EXPECT_FALSE(in("^1.2.3", "2.0.0-alpha"));
  EXPECT_TRUE(in("^1.2", "1.2.0"));
  EXPECT_TRUE(in("^1", "1.99"));
  // Below 1.0 the first non-zero component is the one that breaks.
  EXPECT_TRUE(in("^0.2.3", "0.2.9"));
  EXPECT_FALSE(in("^0.2.3", "0.3.0"));
  EXPECT_TRUE(in("^0.0.3", "0.0.3"));
  EXPECT_FALSE(in("^0.0.3", "0.0.4"));
  EXPECT_TRUE(in("^0", "0.9"));
  EXPECT_FALSE(in("^0", "1.0"));
}

TEST(VersionRange, Tilde) {
  EXPECT_TRUE(in("~1.2.3", "1.2.3"));
  EXPECT_TRUE(in("~1.2.3", "1.2.99"));
  EXPECT_FALSE(in("~1.2.3", "1.3.0"));
  EXPECT_FALSE(in("~1.2.3", "1.2.2"));
  EXPECT_TRUE(in("~1.2", "1.2.7"));
  EXPECT_FALSE(in("~1.2", "1.3"));
  EXPECT_TRUE(in("~1", "1.9"));
  EXPECT_FALSE(in("~1", "2.0"));
}

TEST(VersionRange, Wildcards) {
  EXPECT_TRUE(in("1.x", "1.0.0"));
  EXPECT_TRUE(in("1.x", "1.99.1"));
  EXPECT_FALSE(in("1.x", "2.0.0"));
  EXPECT_FALSE(in("1.x", "0.9.9"));
  EXPECT_TRUE(in("1.2.*", "1.2.5"));
  EXPECT_FALSE(in("1.2.X", "1.3.0"));
  EXPECT_TRUE(in("1.x.x", "1.5.5"));
  EXPECT_TRUE(in("*", "0.0.1"));
  EXPECT_TRUE(in("x", "99"));
  EXPECT_FALSE(in("*", "legacy"));  // a range holds versions only
}

TEST(VersionRange, Alternatives) {
  EXPECT_TRUE(in("^1.2 || ^2.0", "2.5.0"));
  EXPECT_TRUE(in("^1.2 || ^2.0", "1.2.0"));
  EXPECT_FALSE(in("^1.2 || ^2.0", "3.0.0"));
  EXPECT_FALSE(in("^1.2 || ^2.0", "1.1.0"));
}

TEST(VersionRange, MalformedRangesSayWhatIsWrong) {
  EXPECT_EQ(range_error(""), "the range is empty");
  EXPECT_EQ(range_error("^1.2 ||"), "\"||\" needs a range on each side");
  EXPECT_EQ(range_error(">="), "\">=\" needs a version after it");
  EXPECT_EQ(range_error(">=1.4 <<2.0"), "\"<<\" is not an operator (use >=, >, <=, <, =, ^ or ~)");
  EXPECT_EQ(range_error("1.x.3"), "\"1.x.3\": only the last components can be wildcards");
  EXPECT_EQ(range_error(">=1.x"), "\">=1.x\": >= needs a version without wildcards");
  EXPECT_EQ(range_error("1.4.two"),
            "\"1.4.two\" is not a version (numbers separated by dots, such as 1.4.2)");
  EXPECT_EQ(range_error("1.4-rc..1"), "\"1.4-rc..1\" has a malformed pre-release after \"-\"");
  EXPECT_EQ(range_error("1.x-rc.1"), "\"1.x-rc.1\": a wildcard version cannot have a pre-release");
}

// ---- In the manifest and DS004 ----

const char* kManifest = R"({"manifest_version": 1,
  "services": {
    "web": {"versions": {"3.0.0": {}}, "depends_on": {"api": RANGE}},
    "api": {"versions": {"1.3.0": {}, "1.4.0": {}, "1.9.2": {}, "2.0.0-rc.1": {}, "2.0.0": {}}}},
  "groups": {
    "web": {"service": "web", "version": "3.0.0", "hosts": ["web-1"]},
    "api": {"service": "api", "version": "VERSION", "hosts": ["api-1"]}}})";

Manifest manifest_with(const std::string& range, const std::string& version) {
  std::string text = kManifest;
  text.replace(text.find("RANGE"), 5, range);
  text.replace(text.find("VERSION"), 7, version);
  return parse_manifest(text, "m.json");
}

bool skew(const std::string& range, const std::string& version) {
  const CheckResult result = run_check(manifest_with(range, version), nullptr);
  return std::any_of(result.findings.begin(), result.findings.end(),
                     [](const Finding& f) { return f.rule->id == "DS004"; });
}

TEST(VersionRangeInManifest, SkewRuleUsesRanges) {
  EXPECT_FALSE(skew(R"(">=1.4 <2.0")", "1.9.2"));
  EXPECT_TRUE(skew(R"(">=1.4 <2.0")", "1.3.0"));
  EXPECT_TRUE(skew(R"(">=1.4 <2.0")", "2.0.0-rc.1"));
  EXPECT_TRUE(skew(R"(">=1.4 <2.0")", "2.0.0"));
  EXPECT_FALSE(skew(R"("^1.4")", "1.9.2"));
  EXPECT_FALSE(skew(R"("1.x")", "1.3.0"));
  // Lists still work, and may mix names and ranges.
  EXPECT_FALSE(skew(R"(["1.3.0", "~1.9"])", "1.3.0"));
  EXPECT_FALSE(skew(R"(["1.3.0", "~1.9"])", "1.9.2"));
  EXPECT_TRUE(skew(R"(["1.3.0", "~1.9"])", "1.4.0"));
  EXPECT_FALSE(skew("[]", "2.0.0"));  // any version
}

TEST(VersionRangeInManifest, SkewMessageQuotesTheRangeAsWritten) {
  const CheckResult result = run_check(manifest_with(R"(">=1.4 <2.0")", "2.0.0"), nullptr);
  ASSERT_FALSE(result.findings.empty());
  EXPECT_EQ(result.findings[0].message,
            "\"web\" works with \"api\" versions \">=1.4 <2.0\", but 1 host(s) of \"api\" run "
            "\"2.0.0\" (first: \"api-1\")");
}

// tests/data/bad/check_manifest: manifests whose compatible versions are wrong, each with the
// exact message.
TEST(VersionRangeInManifest, BadManifestsFailWithTheExpectedMessage) {
  const fs::path dir = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / "check_manifest";
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const auto read = [](const fs::path& path) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      return text.str();
    };
    std::string expected = read(fs::path(entry.path()).replace_extension(".expected"));
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    const std::string name = entry.path().filename().string();
    try {
      parse_manifest(read(entry.path()), name);
      ADD_FAILURE() << name << " was accepted";
    } catch (const input::InputError& error) {
      EXPECT_EQ(error.what(), expected);
    }
  }
  EXPECT_GE(files, 4u);
}

}  // namespace
}  // namespace deploysim::check
