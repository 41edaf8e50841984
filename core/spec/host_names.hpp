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

}  // namespace deploysim::spec
