#pragma once
// Reading a name that must be one of the things a scenario defines (groups, flags, versions,
// alerts, teams), with the same hint wherever it is read.

#include <algorithm>
#include <string>
#include <vector>

#include "input/input_error.hpp"
#include "input/json_reader.hpp"

namespace deploysim::scenario {

/// The name `value` holds, if it is one of `names`; else fails with `expected`, hinting a close
/// match or the names defined.
inline std::string defined_name(const input::ValueReader& value,
                                const std::vector<std::string>& names,
                                const std::string& expected) {
  if (!value.json().is_string()) value.fail(expected);
  std::string name = value.as_string();
  if (std::find(names.begin(), names.end(), name) != names.end()) return name;
  const std::string close = input::did_you_mean(name, names);
  value.fail(expected, !close.empty()  ? "did you mean " + input::quote(close) + "?"
                       : names.empty() ? "none is defined"
                                       : "defined: " + input::quote_list(names));
}

}  // namespace deploysim::scenario
