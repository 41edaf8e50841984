#include "model/fault_plan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace deploysim::model {

namespace {
constexpr std::array<std::pair<FaultKind, std::string_view>, 15> kNames{{
    {FaultKind::skip_host, "skip_host"},
    {FaultKind::install_fails_once, "install_fails_once"},
    {FaultKind::install_fails, "install_fails"},
    {FaultKind::health_check_passes_bad, "health_check_passes_bad"},
    {FaultKind::health_check_fails_good, "health_check_fails_good"},
    {FaultKind::host_crash_mid_update, "host_crash_mid_update"},
    {FaultKind::alert_silent, "alert_silent"},
    {FaultKind::alert_late, "alert_late"},
    {FaultKind::scrape_missed, "scrape_missed"},
    {FaultKind::person_unreachable, "person_unreachable"},
    {FaultKind::person_slow, "person_slow"},
    {FaultKind::flag_early, "flag_early"},
    {FaultKind::flag_wrong_percent, "flag_wrong_percent"},
    {FaultKind::group_unreachable, "group_unreachable"},
    {FaultKind::canary_misleading, "canary_misleading"},
}};

std::string point_key(FaultKind kind, std::string_view target) {
  std::string key(fault_kind_name(kind));
  key += '/';
  key += target;
  return key;
}
}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<FaultKind> find_fault_kind(std::string_view name) {
  for (const auto& [kind, n] : kNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

const std::vector<FaultKind>& all_fault_kinds() {
  static const std::vector<FaultKind> kinds = [] {
    std::vector<FaultKind> all;
    for (const auto& entry : kNames) all.push_back(entry.first);
    return all;
  }();
  return kinds;
}

FaultPlan::FaultPlan(std::vector<Fault> faults, FaultBounds bounds, QuantileFunction quantile)
    : faults_(std::move(faults)),
      applied_(faults_.size(), false),
      noted_(faults_.size(), false),
      bounds_(bounds),
      quantile_(quantile) {}

const Fault* FaultPlan::consult(FaultKind kind, std::string_view target, engine::Time now) {
  std::string key = point_key(kind, target);
  const auto at = std::lower_bound(seen_.begin(), seen_.end(), key);
  if (at == seen_.end() || *at != key) {
    seen_.insert(at, std::move(key));
    reached_.push_back({kind, std::string(target), now});
  }
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    if (faults_[i].kind == kind && faults_[i].target == target) {
      applied_[i] = true;
      return &faults_[i];
    }
  }
  return nullptr;
}

engine::Duration FaultPlan::slow(const engine::Distribution& distribution) const {
  const double ms =
      quantile_ != nullptr ? quantile_(distribution, bounds_.slow_quantile) : distribution.mean();
  return engine::Duration::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

}  // namespace deploysim::model
