#pragma once
// Version numbers and the ranges people write for compatible versions of a dependency
// (">=1.4 <2.0", "^1.2", "~1.2.3", "1.x"), as npm and Cargo users know them. Used by the
// version-skew rule (DS004). Format: docs/manifest-format.md, "Compatible versions".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deploysim::check {

/// A dotted numeric version with an optional pre-release: "1.4", "v2.0.1", "2.0.0-rc.1".
/// Build metadata ("+sha.5114f85") is accepted and ignored, as in SemVer.
struct Version {
  /// Any number of components; missing ones count as zero, so 1.4 == 1.4.0.
  std::vector<std::uint64_t> numbers;
  /// Dot-separated pre-release identifiers; empty for a release.
  std::vector<std::string> prerelease;
};

/// The version written in `text`, or nothing if it is not one (e.g. "legacy", "1..2").
std::optional<Version> parse_version(std::string_view text);

/// SemVer precedence extended to any number of components: components numerically, then a
/// pre-release before its release, pre-release identifiers compared numerically when both are
/// numbers, numbers before words, words in ASCII order, a shorter list of equal identifiers
/// first. Returns <0, 0 or >0.
int compare_versions(const Version& a, const Version& b);

/// A set of versions: comparator sets joined by "||", each a space-separated intersection.
class VersionRange {
 public:
  /// Parses `text`; on failure returns nothing and says what is wrong in `error`.
  static std::optional<VersionRange> parse(std::string_view text, std::string& error);

  /// Whether `version` is in the range.
  bool contains(const Version& version) const;
  /// Whether the version named `name` is in the range; a name that is not a version is not.
  bool contains(std::string_view name) const;

  /// The range as written.
  const std::string& text() const { return text_; }

 private:
  enum class Op { less, less_equal, greater, greater_equal, equal };
  struct Comparator {
    Op op;
    Version bound;
  };
  using Intersection = std::vector<Comparator>;

  std::string text_;
  std::vector<Intersection> alternatives_;
};

}  // namespace deploysim::check
