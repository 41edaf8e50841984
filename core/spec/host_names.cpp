#include "spec/host_names.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace deploysim::spec {

std::string host_name(const std::string& pattern, const std::string& group, std::int64_t number) {
  static constexpr std::string_view kGroup = "{group}";
  static constexpr std::string_view kNumber = "{i}";
  std::string name;
  name.reserve(pattern.size() + group.size());
  for (std::size_t pos = 0; pos < pattern.size();) {
    if (pattern.compare(pos, kGroup.size(), kGroup) == 0) {
      name += group;
      pos += kGroup.size();
    } else if (pattern.compare(pos, kNumber.size(), kNumber) == 0) {
      name += std::to_string(number);
      pos += kNumber.size();
    } else {
      name += pattern[pos++];
    }
  }
  return name;
}

}  // namespace deploysim::spec

namespace deploysim::spec {

NameShape name_shape(const std::string& pattern, const std::string& group) {
  static constexpr std::string_view kNumber = "{i}";
  const auto first = pattern.find(kNumber);
  if (first == std::string::npos) {
    NameShape fixed;
    fixed.prefix = host_name(pattern, group, 1);
    return fixed;
  }
  if (pattern.find(kNumber, first + kNumber.size()) != std::string::npos) {
    NameShape unshaped;
    unshaped.has_shape = false;
    return unshaped;
  }
  // No "{group}" can overlap a "{i}", so each half expands as it does in the whole pattern.
  return {.prefix = host_name(pattern.substr(0, first), group, 0),
          .suffix = host_name(pattern.substr(first + kNumber.size()), group, 0),
          .numbered = true};
}

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Can `p1 + number + s1` equal a name starting with `p2`, where p1 is a prefix of p2? Only if
// what p2 adds could be the start of a number: it must begin with a digit other than 0.
bool prefixes_may_meet(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.substr(0, a.size()) != a) return false;
  return b.size() == a.size() || (is_digit(b[a.size()]) && b[a.size()] != '0');
}

// The mirror image at the end of the names: what the longer suffix adds must end in a digit.
bool suffixes_may_meet(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.substr(b.size() - a.size()) != a) return false;
  return b.size() == a.size() || is_digit(b[b.size() - a.size() - 1]);
}

// A fixed name against a numbered shape: it must read prefix, a number, suffix.
bool name_fits_shape(const std::string& name, const NameShape& shape) {
  const auto fixed = shape.prefix.size() + shape.suffix.size();
  if (name.size() <= fixed || name.compare(0, shape.prefix.size(), shape.prefix) != 0 ||
      name.compare(name.size() - shape.suffix.size(), shape.suffix.size(), shape.suffix) != 0) {
    return false;
  }
  const std::string_view number(name.data() + shape.prefix.size(), name.size() - fixed);
  return number[0] != '0' && std::all_of(number.begin(), number.end(), is_digit);
}

}  // namespace

bool shapes_may_share_a_name(const NameShape& a, const NameShape& b) {
  if (!a.has_shape || !b.has_shape) return true;
  if (!a.numbered && !b.numbered) return a.prefix == b.prefix;
  if (!a.numbered) return name_fits_shape(a.prefix, b);
  if (!b.numbered) return name_fits_shape(b.prefix, a);
  return prefixes_may_meet(a.prefix, b.prefix) && suffixes_may_meet(a.suffix, b.suffix);
}

}  // namespace deploysim::spec
