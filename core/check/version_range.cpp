#include "check/version_range.hpp"

#include <algorithm>
#include <cstddef>

namespace deploysim::check {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_identifier_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Dot-separated identifiers of a pre-release or build part, none empty.
bool valid_identifiers(std::string_view text) {
  for (const auto part : split(text, '.')) {
    if (part.empty() || !std::all_of(part.begin(), part.end(), is_identifier_char)) return false;
  }
  return true;
}

// A version whose trailing components may be wildcards ("1.x", "2.*"), as ranges allow.
struct Partial {
  Version version;
  /// Number of components before the first wildcard; equal to the size when there is none.
  std::size_t fixed = 0;
  bool wildcard = false;
};

// Parses a version that may end in wildcards; "" in `error` means success.
std::optional<Partial> parse_partial(std::string_view text, std::string& error) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
  if (const auto plus = text.find('+'); plus != std::string_view::npos) {
    if (!valid_identifiers(text.substr(plus + 1))) {
      error = quoted + " has malformed build metadata after \"+\"";
      return std::nullopt;
    }
    text = text.substr(0, plus);
  }
  Partial partial;
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto pre = text.substr(dash + 1);
    if (!valid_identifiers(pre)) {
      error = quoted + " has a malformed pre-release after \"-\"";
      return std::nullopt;
    }
    for (const auto part : split(pre, '.')) partial.version.prerelease.emplace_back(part);
    text = text.substr(0, dash);
  }
  for (const auto part : split(text, '.')) {
    if (part == "x" || part == "X" || part == "*") {
      partial.wildcard = true;
      continue;
    }
    if (partial.wildcard) {
      error = quoted + ": only the last components can be wildcards";
      return std::nullopt;
    }
    // 18 digits always fit in 64 bits.
    if (!all_digits(part) || part.size() > 18) {
      error = quoted + " is not a version (numbers separated by dots, such as 1.4.2)";
      return std::nullopt;
    }
    std::uint64_t number = 0;
    for (const char c : part) number = number * 10 + static_cast<std::uint64_t>(c - '0');
    partial.version.numbers.push_back(number);
  }
  partial.fixed = partial.version.numbers.size();
  if (partial.wildcard && !partial.version.prerelease.empty()) {
    error = quoted + ": a wildcard version cannot have a pre-release";
    return std::nullopt;
  }
  return partial;
}

// The lowest version above every version that starts with the first `length` components of
// `version` once the last of them is incremented: the exclusive upper bound of "^", "~", "1.x".
// Its pre-release "0" sorts before every other, so that 2.0.0-rc.1 is not below "<2".
Version bumped(const Version& version, std::size_t length) {
  Version upper;
  upper.numbers.assign(version.numbers.begin(),
                       version.numbers.begin() + static_cast<long>(length));
  ++upper.numbers.back();
  upper.prerelease = {"0"};
  return upper;
}

int compare_identifiers(const std::string& a, const std::string& b) {
  const bool a_number = all_digits(a);
  const bool b_number = all_digits(b);
  if (a_number && b_number) {
    // Without leading zeros a longer number is larger; compare as text otherwise.
    const std::string_view x =
        std::string_view(a).substr(std::min(a.find_first_not_of('0'), a.size()));
    const std::string_view y =
        std::string_view(b).substr(std::min(b.find_first_not_of('0'), b.size()));
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    return x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
  }
  if (a_number != b_number) return a_number ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

}  // namespace

std::optional<Version> parse_version(std::string_view text) {
  std::string error;
  auto partial = parse_partial(text, error);
  if (!partial || partial->wildcard || partial->version.numbers.empty()) return std::nullopt;
  return std::move(partial->version);
}

int compare_versions(const Version& a, const Version& b) {
  const std::size_t n = std::max(a.numbers.size(), b.numbers.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.numbers.size() ? a.numbers[i] : 0;
    const std::uint64_t y = i < b.numbers.size() ? b.numbers[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.prerelease.empty() != b.prerelease.empty()) return a.prerelease.empty() ? 1 : -1;
  const std::size_t m = std::min(a.prerelease.size(), b.prerelease.size());
  for (std::size_t i = 0; i < m; ++i) {
    if (const int c = compare_identifiers(a.prerelease[i], b.prerelease[i]); c != 0) return c;
  }
  if (a.prerelease.size() != b.prerelease.size()) {
    return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
  }
  return 0;
}

std::optional<VersionRange> VersionRange::parse(std::string_view text, std::string& error) {
  VersionRange range;
  range.text_ = std::string(text);
  // "||" separates alternatives; split on the single bar and require pairs.
  std::vector<std::string> alternatives;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = text.find("||", start);
    alternatives.emplace_back(
        text.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 2;
  }
  for (const auto& alternative : alternatives) {
    // Tokens, with an operator written apart from its version (">= 1.4") joined to it.
    std::vector<std::string> tokens;
    std::string pending;
    for (std::size_t i = 0; i < alternative.size();) {
      if (alternative[i] == ' ' || alternative[i] == '\t') {
        ++i;
        continue;
      }
      const std::size_t end = std::min(alternative.find_first_of(" \t", i), alternative.size());
      std::string token = alternative.substr(i, end - i);
      i = end;
      if (token.find_first_not_of("<>=^~") == std::string::npos) {
        pending += token;
        continue;
      }
      tokens.push_back(pending + token);
      pending.clear();
    }
    if (!pending.empty()) {
      error = "\"" + pending + "\" needs a version after it";
      return std::nullopt;
    }
    if (tokens.empty()) {
      error = alternatives.size() > 1 ? "\"||\" needs a range on each side" : "the range is empty";
      return std::nullopt;
    }
    Intersection intersection;
    for (const auto& token : tokens) {
      const std::size_t op_length = token.find_first_not_of("<>=^~");
      const std::string op = token.substr(0, op_length);
      const std::string rest = token.substr(op_length);
      if (op.empty() && (rest == "*" || rest == "x" || rest == "X")) continue;  // any version
      auto partial = parse_partial(rest, error);
      if (!partial) return std::nullopt;
      const Version& v = partial->version;
      if (!op.empty() && (partial->wildcard || v.numbers.empty())) {
        error = "\"" + token + "\": " + op + " needs a version without wildcards";
        return std::nullopt;
      }
      if (op.empty() && partial->wildcard) {
        // "1.x": the versions starting with 1; "*.x" was handled above as any version.
        if (partial->fixed == 0) continue;
        intersection.push_back({Op::greater_equal, v});
        intersection.push_back({Op::less, bumped(v, partial->fixed)});
      } else if (op.empty() || op == "=") {
        intersection.push_back({Op::equal, v});
      } else if (op == "^") {
        // Up to the next change of the first non-zero component: ^1.2.3 < 2, ^0.2.3 < 0.3.
        std::size_t significant = v.numbers.size();
        for (std::size_t i = 0; i < v.numbers.size(); ++i) {
          if (v.numbers[i] != 0) {
            significant = i + 1;
            break;
          }
        }
        intersection.push_back({Op::greater_equal, v});
        intersection.push_back({Op::less, bumped(v, significant)});
      } else if (op == "~") {
        // Patch changes only: ~1.2.3 < 1.3; ~1 < 2.
        intersection.push_back({Op::greater_equal, v});
        intersection.push_back({Op::less, bumped(v, std::min<std::size_t>(2, v.numbers.size()))});
      } else if (op == ">=" || op == ">" || op == "<=" || op == "<") {
        Version bound = v;
        // "<2.0" means before 2.0 and its pre-releases, which already carry 2.0's changes.
        if (op == "<" && bound.prerelease.empty()) bound.prerelease = {"0"};
        const Op kind = op == ">="   ? Op::greater_equal
                        : op == ">"  ? Op::greater
                        : op == "<=" ? Op::less_equal
                                     : Op::less;
        intersection.push_back({kind, std::move(bound)});
      } else {
        error = "\"" + op + "\" is not an operator (use >=, >, <=, <, =, ^ or ~)";
        return std::nullopt;
      }
    }
    range.alternatives_.push_back(std::move(intersection));
  }
  return range;
}

bool VersionRange::contains(const Version& version) const {
  for (const auto& intersection : alternatives_) {
    bool all = true;
    for (const auto& [op, bound] : intersection) {
      const int c = compare_versions(version, bound);
      const bool ok = op == Op::less            ? c < 0
                      : op == Op::less_equal    ? c <= 0
                      : op == Op::greater       ? c > 0
                      : op == Op::greater_equal ? c >= 0
                                                : c == 0;
      if (!ok) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool VersionRange::contains(std::string_view name) const {
  const auto version = parse_version(name);
  return version && contains(*version);
}

}  // namespace deploysim::check
