#pragma once
// The one definition of every metric (docs/scenario-format.md, "Metrics"). A metric of a set of
// hosts is computed in two steps: the hosts are added up into HostSums (Fleet::sums for the whole
// fleet from its running totals, Fleet::sums_of for any list of hosts, one host at a time), and
// metric_of turns the sums into the metric. Monitoring, the fleet's own aggregates, canary
// analysis and every front end read metrics through here, so that a canary judges what monitoring
// would see.

#include <cstdint>

#include "spec/scenario.hpp"

namespace deploysim::model {

/// What a set of hosts adds up to: the inputs of every metric.
struct HostSums {
  std::int64_t live = 0;         ///< not terminated
  std::int64_t serving = 0;      ///< in rotation
  std::int64_t misbehaving = 0;  ///< serving a misbehaving behaviour, or crashed
  std::int64_t unavailable = 0;  ///< halted, crashed, unreachable or starting again
  std::int64_t on_target = 0;    ///< live and on the deployment's target version
  double live_weight = 0.0;      ///< traffic weight of the live hosts
  double serving_weight = 0.0;   ///< traffic weight of the serving hosts
  double failing_weight = 0.0;   ///< serving hosts: sum of weight x the code's error rate
  double latency_weight = 0.0;   ///< serving hosts: sum of weight x the latency the code adds
  double failing_plain = 0.0;    ///< serving hosts: sum of the code's error rates
  double latency_plain = 0.0;    ///< serving hosts: sum of the added latencies
  double loss_per_min = 0.0;     ///< business loss per minute of the serving hosts
  /// Serving hosts: sum of weight x the share of requests the code would serve that fail all the
  /// same, because a call to another service failed or the service is in its cold restart
  /// (docs/dependencies.md); and of weight x the time requests wait on calls that time out.
  double dependency_failing_weight = 0.0;
  double dependency_latency_weight = 0.0;
  double dependency_failing_plain = 0.0;  ///< the same per host, unweighted
  double dependency_latency_plain = 0.0;
  /// With a load model: the requests that reach these hosts (for the whole fleet, every request,
  /// including those of a service with no host serving), the part failing for lack of capacity,
  /// and their mean response time from the queueing model.
  bool has_load = false;
  double requests_per_s = 0.0;
  double overload_failed_per_s = 0.0;
  double load_latency_ms = 0.0;
};

/// The failed fraction of requests: those refused for lack of capacity, then the rest failing as
/// the code does. The code's rate is traffic-weighted; hosts that take no traffic at all (a
/// stable side at 0% weight) are read per host, as a probe would read them.
double error_rate_of(const HostSums& sums);

/// The failed fraction of requests as users see it (a service level, docs/incidents.md): that
/// of error_rate_of, except that hosts down when they should serve with none serving in their
/// place fail every request (without a load model, which counts that itself). A deployment's
/// planned downtime (every host installing) is not counted here.
double user_error_rate_of(const HostSums& sums);

/// `metric` of the hosts `sums` adds up. Latency is the queueing model's mean response with a
/// load model, `base_latency_ms` without, plus the traffic-weighted latency the code adds; KPI is
/// the share of the traffic meant for the live hosts that is served successfully.
double metric_of(const HostSums& sums, spec::Metric metric, double base_latency_ms);

}  // namespace deploysim::model
