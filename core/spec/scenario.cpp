#include "spec/scenario.hpp"

#include <array>

namespace deploysim::spec {

std::string strategy_name(const StrategyParams& strategy) {
  // In the order of the variant's alternatives; these are the scenario format's "type" values.
  static constexpr std::array<const char*, std::variant_size_v<StrategyParams>> kNames = {
      "manual", "all_at_once", "rolling", "blue_green", "canary", "ring"};
  return kNames[strategy.index()];
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> kNames = {
      "error_rate",        "latency_ms",      "loss_rate_usd_per_min",
      "misbehaving_hosts", "hosts_on_target", "kpi"};
  return kNames;
}

std::string_view metric_name(Metric metric) {
  return metric_names().at(static_cast<std::size_t>(metric));
}

std::optional<Metric> find_metric(std::string_view name) {
  const auto& names = metric_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Metric>(i);
  }
  return std::nullopt;
}

}  // namespace deploysim::spec
