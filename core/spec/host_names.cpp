#include "spec/host_names.hpp"

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
