#pragma once
// Load and capacity (docs/capacity.md): request arrivals per service from a load profile, routed
// to the serving hosts of that service by traffic weight; each host is an M/M/c queue with
// `concurrency` workers, whose response-time distribution gives latency percentiles and the
// fraction of requests slower than the timeout (they fail). Requests beyond a host's capacity
// fail at once. The results go to the fleet, so monitoring, alerts and the loss integration see
// them; an autoscaler reads the per-group utilisation.
//
// The load is piecewise constant between ticks: it is evaluated every tick (the scrape interval,
// at most 15 s, or an autoscaler's sync period if shorter), and after the tick the fleet
// integrates requests and failures at those rates until the next one.

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "engine/kernel.hpp"
#include "model/world.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

// --- M/M/c closed forms ---------------------------------------------------------------------

/// Erlang C: the probability that an arrival waits, for `servers` servers offered `offered_load`
/// erlangs (λ/μ). 1 when offered_load >= servers (the queue is unstable).
double erlang_c(std::int64_t servers, double offered_load);

/// An M/M/c queue: arrivals λ per second, `servers` workers each serving μ per second.
struct MmcQueue {
  std::int64_t servers = 1;
  double arrival_rate = 0.0;  ///< λ, per second
  double service_rate = 1.0;  ///< μ per worker, per second

  double utilization() const {
    return arrival_rate / (static_cast<double>(servers) * service_rate);
  }
  bool stable() const { return utilization() < 1.0; }
  /// Erlang C for this queue.
  double wait_probability() const;
  /// Mean response time (wait + service), seconds: 1/μ + C/(cμ − λ). Requires stable().
  double mean_response_s() const { return mean_response_s(wait_probability()); }
  /// The same with Erlang C already known.
  double mean_response_s(double wait_probability) const {
    const double drain = static_cast<double>(servers) * service_rate - arrival_rate;
    return 1.0 / service_rate + wait_probability / drain;
  }
  /// P(response time > t): the wait is 0 with probability 1 − C and exponential with rate
  /// cμ − λ otherwise; the service is exponential with rate μ. Requires stable().
  double response_tail(double t_s) const { return response_tail(t_s, wait_probability()); }
  /// The same with Erlang C already known (it costs O(servers)).
  double response_tail(double t_s, double wait_probability) const;
  /// The `p`-quantile of the response time (0 < p < 1), seconds. Requires stable().
  double response_quantile(double p) const;
};

// --- load profiles --------------------------------------------------------------------------

/// The request rate of `profile` at time `t`, requests per second (spikes included).
double load_rate(const spec::LoadProfile& profile, engine::Time t);

/// What the load model measured at its last tick, fleet-wide.
struct LoadFigures {
  double requests_per_s = 0.0;
  double failed_per_s = 0.0;  ///< shed by saturated hosts or slower than the timeout
  double mean_latency_ms = 0.0;
  double p50_ms = 0.0;
  double p95_ms = 0.0;
  double p99_ms = 0.0;
  /// The highest utilisation (offered load over capacity, averaged over a group's serving
  /// hosts) of any loaded group.
  double peak_utilization = 0.0;
  std::int64_t serving_replicas = 0;  ///< serving hosts of loaded services
};

/// The load process. Ticks before monitoring samples (it is started first), so each sample sees
/// the load of its own instant.
class LoadModel : public engine::Process {
 public:
  explicit LoadModel(World& world);
  /// Computes the load at time 0 and schedules the ticks.
  void start();
  /// Recomputes the load now (after a change of the fleet that should not wait for the tick).
  void update();
  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override;

  const LoadFigures& figures() const { return figures_; }
  /// Average utilisation of the serving hosts of group `g` at the last tick (0 without load).
  double group_utilization(std::uint32_t g) const { return group_utilization_[g]; }
  /// The same, as it was at time `t` (the last tick at or before it): what a lagging metrics
  /// pipeline reports.
  double group_utilization_at(std::uint32_t g, engine::Time t) const;
  /// The request rate arriving at group `g`'s service now.
  double service_rate_for_group(std::uint32_t g) const;
  /// Whether group `g` takes part in the load model (its service has a load).
  bool loaded(std::uint32_t g) const { return group_service_load_[g] >= 0; }
  /// The highest peak_utilization of any tick so far.
  double max_utilization() const { return max_utilization_; }
  /// Seconds the run spent with some loaded group above full utilisation or failing requests.
  double overload_seconds() const;
  /// Called with the group when a loaded service has requests but no serving host, so that a
  /// scaled-to-zero app can wake; returns seconds until a host is ready (nullopt: none coming).
  using ColdStartHook = std::function<std::optional<double>(std::uint32_t group)>;
  void set_cold_start_hook(ColdStartHook hook) { cold_start_hook_ = std::move(hook); }

 private:
  World& world_;
  engine::Duration tick_;
  std::vector<int> group_service_load_;  // by group: index into scenario loads, or -1
  std::vector<const spec::HostCapacity*> load_capacity_;  // by load index
  std::vector<double> version_capacity_;     // by version index: requests/s per host, at its cost
  std::vector<std::uint32_t> load_service_;  // by load: the fleet's index of its service
  // By load: CPU cost per request of each behaviour (empty: none given), and the flags that
  // change it, with their cost (docs/capacity.md, "CPU cost").
  std::vector<std::vector<double>> behaviour_cost_;
  std::vector<std::vector<std::pair<std::uint32_t, double>>> flag_cost_;
  void read_cpu_costs();
  std::vector<double> group_utilization_;
  // Per tick (time, utilisation by group), as long as the longest metric lag needs.
  std::deque<std::pair<engine::Time, std::vector<double>>> history_;
  engine::Duration history_span_;
  LoadFigures figures_;
  ColdStartHook cold_start_hook_;
  engine::Time overloaded_since_ = engine::Time::max();
  double overload_ms_ = 0.0;
  double max_utilization_ = 0.0;
  // Scratch per tick: one class per (load, traffic weight) of serving hosts.
  struct HostClass {
    int load = 0;
    float weight = 0.0F;
    double capacity = 0.0;  // requests/s per host
    std::int64_t hosts = 0;
    double arrival_per_host = 0.0;
    double share = 0.0;  // of all requests
    bool saturated = false;
    double failed_fraction = 0.0;
    MmcQueue queue;
    double wait = 0.0;         // Erlang C of the queue, unless saturated
    double response_ms = 0.0;  // what each host of the class reports as its response time
  };
  std::vector<HostClass> classes_;
  // Scratch per tick, by host: its index in classes_, or kNoClass when not serving.
  static constexpr std::uint32_t kNoClass = ~std::uint32_t{0};
  std::vector<std::uint32_t> host_class_;

  // The phases of update(), in order.
  struct Tick;
  void classify_serving_hosts(Tick& tick);
  void queue_classes(Tick& tick);
  void serve_loads_without_hosts(Tick& tick);
  void set_host_loads();
  void latency_quantiles(Tick& tick) const;
  void group_utilizations(Tick& tick);
  void track_overload();
  void record_history();
  // Defined here so that it inlines into the per-host loops: a call per host costs a measurable
  // share of a tick. There are a handful of classes, so a scan is the fastest lookup.
  // What host `h` of load `l` serves per second at full utilisation: its version's capacity over
  // the CPU cost per request of its behaviour and flags. Without such costs, the version's
  // capacity exactly.
  double host_capacity(int l, HostIndex h) const {
    const double base = version_capacity_[world_.fleet().version_of(h)];
    const auto li = static_cast<std::size_t>(l);
    if (behaviour_cost_[li].empty() && flag_cost_[li].empty()) return base;
    double cost =
        behaviour_cost_[li].empty() ? 1.0 : behaviour_cost_[li][world_.fleet().behaviour_of(h)];
    for (const auto& [flag, flag_cost] : flag_cost_[li]) {
      if (world_.fleet().flag_on_for(flag, h)) cost *= flag_cost;
    }
    return base / cost;
  }
  HostClass* find_class(int load, float weight, double capacity) {
    for (auto& c : classes_) {
      if (c.load == load && c.weight == weight && c.capacity == capacity) return &c;
    }
    return nullptr;
  }
  // The index of the class of a serving host, adding the class if new; `hint` (the previous
  // host's) is tried first, since a group's hosts mostly share one class.
  std::uint32_t class_index(int load, float weight, double capacity, std::uint32_t hint);
};

}  // namespace deploysim::model
