#include "model/measure.hpp"

#include <algorithm>

namespace deploysim::model {

namespace {

// The code's own failure rate over the serving hosts: traffic-weighted, or per host when none
// takes traffic; 0 when nothing serves.
double code_error_rate(const HostSums& sums) {
  if (sums.serving_weight > 0.0) {
    return std::clamp((sums.failing_weight + sums.dependency_failing_weight) / sums.serving_weight,
                      0.0, 1.0);
  }
  if (sums.serving > 0) {
    return std::clamp(
        (sums.failing_plain + sums.dependency_failing_plain) / static_cast<double>(sums.serving),
        0.0, 1.0);
  }
  return 0.0;
}

double added_latency_ms(const HostSums& sums) {
  if (sums.serving_weight > 0.0) {
    return (sums.latency_weight + sums.dependency_latency_weight) / sums.serving_weight;
  }
  if (sums.serving > 0) {
    return (sums.latency_plain + sums.dependency_latency_plain) / static_cast<double>(sums.serving);
  }
  return 0.0;
}

double latency_of(const HostSums& sums, double base_latency_ms) {
  // Nothing serves and no request waits anywhere: there is no latency to report.
  if (sums.serving == 0 && !sums.has_load) return 0.0;
  return (sums.has_load ? sums.load_latency_ms : base_latency_ms) + added_latency_ms(sums);
}

double kpi_of(const HostSums& sums) {
  const double success = 1.0 - error_rate_of(sums);
  if (sums.live_weight > 0.0 && sums.serving_weight > 0.0) {
    return sums.serving_weight * success / sums.live_weight;
  }
  // No traffic weight anywhere: the share of live hosts serving, as probes would count it.
  if (sums.live > 0) {
    return static_cast<double>(sums.serving) * success / static_cast<double>(sums.live);
  }
  return 0.0;
}

}  // namespace

double error_rate_of(const HostSums& sums) {
  const double code = code_error_rate(sums);
  if (!sums.has_load || sums.requests_per_s <= 0.0) return code;
  // Requests refused for lack of capacity never reach the code; the rest fail as it does.
  const double overload = std::clamp(sums.overload_failed_per_s / sums.requests_per_s, 0.0, 1.0);
  return overload + (1.0 - overload) * code;
}

double user_error_rate_of(const HostSums& sums) {
  if (!sums.has_load && sums.serving == 0 && sums.unavailable > 0) return 1.0;
  return error_rate_of(sums);
}

double metric_of(const HostSums& sums, spec::Metric metric, double base_latency_ms) {
  switch (metric) {
    case spec::Metric::error_rate:
      return error_rate_of(sums);
    case spec::Metric::latency_ms:
      return latency_of(sums, base_latency_ms);
    case spec::Metric::loss_rate_usd_per_min:
      return sums.loss_per_min;
    case spec::Metric::misbehaving_hosts:
      return static_cast<double>(sums.misbehaving);
    case spec::Metric::hosts_on_target:
      return static_cast<double>(sums.on_target);
    case spec::Metric::kpi:
      return kpi_of(sums);
  }
  return 0.0;
}

}  // namespace deploysim::model
