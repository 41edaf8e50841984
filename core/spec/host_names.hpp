#pragma once
// Host names from a group's name pattern. The one rule, used by the scenario parser, the model
// and the checker: the pattern is read once from left to right; "{group}" becomes the group's
// name and "{i}" the host's number, counted from 1; every other character is kept; text put in
// is never read again, so a group called "{i}" cannot expand twice.

#include <cstdint>
#include <string>

namespace deploysim::spec {

/// The name of host `number` (1-based) of group `group` under `pattern`.
std::string host_name(const std::string& pattern, const std::string& group, std::int64_t number);

/// What every name of a group's pattern shares: the text before and after its host number.
/// A pattern without "{i}" names one host, `prefix` being the whole name; one with "{i}" more
/// than once has no such shape (`has_shape` false) and must be compared name by name.
struct NameShape {
  std::string prefix;
  std::string suffix;
  bool numbered = false;
  bool has_shape = true;
};

NameShape name_shape(const std::string& pattern, const std::string& group);

/// False when no name of one shape can equal a name of the other, whatever their host counts:
/// a host number is decimal digits without a leading zero, so two shapes whose fixed texts
/// disagree outside where a number could stand never meet. True means "compare the names".
bool shapes_may_share_a_name(const NameShape& a, const NameShape& b);

}  // namespace deploysim::spec
