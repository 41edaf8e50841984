#pragma once
// The checker's findings for tests: those of one rule.

#include <string_view>
#include <vector>

#include "check/rules.hpp"

namespace deploysim::testing {

/// The findings of rule `id` (e.g. "DS001"), in report order.
inline std::vector<const check::Finding*> findings_of(const check::CheckResult& result,
                                                      std::string_view id) {
  std::vector<const check::Finding*> found;
  for (const auto& finding : result.findings) {
    if (finding.rule->id == id) found.push_back(&finding);
  }
  return found;
}

}  // namespace deploysim::testing
