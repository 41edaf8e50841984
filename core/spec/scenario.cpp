#include "spec/scenario.hpp"

#include <array>

namespace deploysim::spec {

std::string strategy_name(const StrategyParams& strategy) {
  // In the order of the variant's alternatives; these are the scenario format's "type" values.
  static constexpr std::array<const char*, std::variant_size_v<StrategyParams>> kNames = {
      "manual", "all_at_once", "rolling", "blue_green", "canary", "ring"};
  return kNames[strategy.index()];
}

}  // namespace deploysim::spec
