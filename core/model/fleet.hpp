#pragma once
// The fleet: every host's version, health, traffic weight and effective behaviour, kept as
// structure-of-arrays so that a million hosts fit in tens of megabytes, plus running aggregates
// (serving weight, error rate, loss rate, hosts per version) that monitoring reads in O(versions)
// instead of walking every host.
//
// Business impact is integrated here, exactly: loss and failed requests accrue at a rate that is
// constant between two changes of the fleet, so every change first settles the time since the
// previous one.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kernel.hpp"
#include "model/dependencies.hpp"
#include "model/measure.hpp"
#include "spec/scenario.hpp"

namespace deploysim::model {

using HostIndex = std::uint32_t;
using VersionIndex = std::uint16_t;
using BehaviourIndex = std::uint16_t;

/// A host's state in the fleet (docs/scenario-format.md, "Host states"). A host serving code
/// whose behaviour is harmful is "misbehaving"; that is a property of a serving host, not a
/// state of its own.
enum class Health : std::uint8_t {
  healthy,          ///< serving traffic
  degraded,         ///< serving traffic, flagged by a health check
  crashed,          ///< down after a failed start, restarting in a loop (a boot loop)
  draining,         ///< finishing requests, taking no new ones
  out_of_rotation,  ///< installing or waiting as a deployment planned it: takes no traffic
  terminated,       ///< removed from the fleet (a scaled-down replica)
  starting,         ///< booting after a resume or a restart: takes no traffic yet
  halted,           ///< stopped by an operator or a kill switch
  unreachable,      ///< running but cut off from its callers (a network partition)
};
std::string_view health_name(Health health);

/// Whether a host in this state is down when it should serve: halted, crashed, unreachable, or
/// starting again after one of those. A host out of rotation for a planned update is not.
constexpr bool is_unavailable_health(Health health) {
  return health == Health::crashed || health == Health::halted || health == Health::unreachable ||
         health == Health::starting;
}

/// Told about changes of the fleet as they happen (the incident tracker, crash recovery).
class FleetObserver {
 public:
  virtual ~FleetObserver() = default;
  /// Before any change that can move a metric, at the time of the change.
  virtual void fleet_will_change() {}
  /// After any change that can move a metric (a host's state, version, weight, a flag, the load).
  virtual void fleet_changed() {}
  /// After host `h` crashed (on start, or when a flag made its code crash).
  virtual void host_crashed(std::uint32_t /*h*/) {}
  /// A service began a cold restart that ends at `until`; the owner of the clock then calls
  /// Fleet::cold_restart_ended, since the service's rates change then without a host changing.
  virtual void cold_restart_began(engine::Time /*until*/) {}
};

/// A version of a service, resolved to indices.
struct VersionInfo {
  std::string name;
  std::uint32_t service = 0;
  BehaviourIndex base_behaviour = 0;
  /// (flag index, behaviour) pairs: what this version does when that flag is on.
  std::vector<std::pair<std::uint32_t, BehaviourIndex>> flag_behaviours;
};

/// A group of hosts (zone, ring, tier). Hosts added later (surge, canary pods) join `hosts`.
struct GroupInfo {
  std::string name;
  std::uint32_t service = 0;
  std::string name_pattern;
  double traffic_weight = 1.0;
  std::vector<HostIndex> hosts;
  bool halted = false;
};

/// Flags as hosts see them: on or off per group, with a percentage rollout by hash bucket.
struct FlagInfo {
  std::string name;
  std::vector<bool> on_in_group;  ///< by group index
  double percent = 100.0;
  /// The flag's scope (group indices); empty scope in the scenario means every group.
  std::vector<std::uint32_t> scope;
};

/// Running totals over serving hosts, by behaviour.
struct FleetTotals {
  double live_weight = 0.0;  ///< traffic weight of the hosts not terminated
  double serving_weight = 0.0;
  std::int64_t serving_hosts = 0;
  std::int64_t live_hosts = 0;  ///< not terminated
  std::int64_t misbehaving_hosts = 0;
};

/// Running totals of one service's hosts, for its service level (model/slo.hpp).
struct ServiceTotals {
  std::int64_t live = 0;
  std::int64_t serving = 0;
  std::int64_t misbehaving = 0;
  std::int64_t unavailable = 0;    ///< see is_unavailable_health
  std::int64_t ever_affected = 0;  ///< hosts that have misbehaved or been unavailable
  double live_weight = 0.0;
  double serving_weight = 0.0;
};

/// Accumulated business impact since time 0.
struct Impact {
  double loss_usd = 0.0;
  double requests = 0.0;
  double failed_requests = 0.0;
};

class Fleet {
 public:
  Fleet(const spec::Scenario& scenario, const engine::Kernel& kernel);

  // --- catalogue ---
  const std::vector<spec::Behaviour>& behaviours() const { return behaviours_; }
  const std::vector<VersionInfo>& versions() const { return versions_; }
  const std::vector<GroupInfo>& groups() const { return groups_; }
  const std::vector<FlagInfo>& flags() const { return flags_; }
  const std::vector<std::string>& service_names() const { return service_names_; }
  std::optional<VersionIndex> find_version(std::string_view service, std::string_view name) const;
  std::optional<std::uint32_t> find_group(std::string_view name) const;
  std::optional<std::uint32_t> find_flag(std::string_view name) const;
  std::optional<HostIndex> find_host(std::string_view name) const;

  // --- per host ---
  /// Hosts ever created, terminated ones included; indices are stable.
  std::size_t size() const { return group_.size(); }
  std::uint32_t group_of(HostIndex h) const { return group_[h]; }
  VersionIndex version_of(HostIndex h) const { return version_[h]; }
  VersionIndex previous_version_of(HostIndex h) const { return previous_version_[h]; }
  Health health_of(HostIndex h) const { return health_[h]; }
  BehaviourIndex behaviour_of(HostIndex h) const { return behaviour_[h]; }
  float weight_of(HostIndex h) const { return weight_[h]; }
  bool is_serving(HostIndex h) const { return serving(health_[h]); }
  /// Whether host `h` takes its share of traffic: the one test of availability, for anything
  /// that asks whether a host (a dependency's, a caller's) can answer a request.
  bool is_available(HostIndex h) const { return serving(health_[h]); }
  /// Down when it should serve (is_unavailable_health).
  bool is_unavailable(HostIndex h) const { return is_unavailable_health(health_[h]); }
  /// Crashed with a recovery only hands can do: a rollback does not reach it.
  bool needs_repair(HostIndex h) const { return (marks_[h] & kNeedsRepair) != 0; }
  void set_needs_repair(HostIndex h, bool needed);
  /// A deployment has the host mid-install (from its install's start to its update's end): it
  /// must not serve. Putting such a host into service is counted, so that the invariant can be
  /// checked (`deploysim verify`, property no_serving_mid_install).
  void set_mid_install(HostIndex h, bool installing) {
    marks_[h] = installing ? (marks_[h] | kMidInstall) : (marks_[h] & ~kMidInstall);
  }
  /// How many times a host was put into service while mid-install; the model keeps it at 0.
  std::int64_t served_mid_install() const { return served_mid_install_; }
  /// The service host `h` belongs to.
  std::uint32_t service_of(HostIndex h) const { return groups_[group_[h]].service; }
  /// Serving with a behaviour other than healthy, or crashed.
  bool is_misbehaving(HostIndex h) const { return misbehaving(health_[h], behaviour_[h]); }
  std::string host_name(HostIndex h) const;
  /// Whether `flag` is on as host `h` sees it.
  bool flag_on_for(std::uint32_t flag, HostIndex h) const;

  // --- changes (each settles impact up to now first) ---
  void set_version(HostIndex h, VersionIndex v);
  void set_health(HostIndex h, Health health);
  void set_weight(HostIndex h, float weight);
  /// A new host in `group` (a surge or canary replica), out of rotation until made healthy.
  HostIndex add_host(std::uint32_t group, VersionIndex version);
  /// Turns a flag on or off in the given groups, with a rollout percentage.
  void set_flag(std::uint32_t flag, const std::vector<std::uint32_t>& groups, bool on,
                double percent);
  /// With a load model (model/capacity.hpp): the request rate arriving, the part of it failing
  /// for lack of capacity, and the mean queueing latency. From then on these replace the
  /// per-host request rate of /business, and overload failures add to the behaviours' errors.
  void set_load(double requests_per_s, double overload_failed_per_s, double latency_ms);
  bool has_load() const { return has_load_; }
  /// How many times set_load was called: changes at each tick of the load model.
  std::uint64_t load_updates() const { return load_updates_; }
  /// With a load model, what the serving hosts of group `g` receive (set_host_load), and how many
  /// of them fail more than `overloaded_above` of their requests for lack of capacity.
  struct GroupLoad {
    double requests_per_s = 0.0;
    double failed_per_s = 0.0;
    double response_weighted = 0.0;  ///< requests per second x mean response time, summed
    std::int64_t overloaded = 0;
  };
  GroupLoad group_load(std::uint32_t g, double overloaded_above) const;
  /// The load model begins a tick of set_host_load calls: the instant before it ended with the
  /// old loads.
  void begin_host_loads() {
    if (observer_ != nullptr) observer_->fleet_will_change();
  }
  /// With a load model, the fraction of host `h`'s requests failing for lack of capacity.
  double host_overload_fraction(HostIndex h) const {
    return h < host_load_.size() ? host_load_[h].failed_fraction : 0.0;
  }
  /// With a load model, what host `h` receives: requests per second, the fraction of them that
  /// fails for lack of capacity, and their mean response time; read by sums_of.
  /// Inline: the load model calls it for every pod on every tick.
  void set_host_load(HostIndex h, double requests_per_s, double failed_fraction,
                     double response_ms) {
    if (host_load_.size() <= h) host_load_.resize(size());
    host_load_[h] = HostLoad{requests_per_s, failed_fraction, response_ms};
  }
  /// With a load model: the fraction of service `s`'s requests failing for lack of capacity,
  /// which its callers see as failed calls (model/dependencies.hpp).
  void set_service_overload(std::uint32_t s, double failed_fraction);
  /// What calls to other services do to service `s`'s requests right now.
  DependencyEffect dependency_effect(std::uint32_t s) const;
  /// Whether service `s` is in its cold restart: back from no serving host less than its
  /// `cold_restart` ago, it fails every request.
  bool in_cold_restart(std::size_t s, engine::Time t) const { return t < restart_until_[s]; }
  /// How much the load on service `s` is multiplied at `t`: its retry surge right after a cold
  /// restart, 1 otherwise.
  double load_multiplier(std::uint32_t s, engine::Time t) const;
  /// A cold restart ended: the rates before it are settled and observers told.
  void cold_restart_ended();
  /// Halts every serving host of a group (kill switch): halted until resumed.
  void halt_group(std::uint32_t group);
  /// Lifts a halt: halted hosts start (Health::starting) when `cold`, else serve at once; hosts
  /// a deployment is updating are left to it. Returns the number of hosts starting.
  std::int64_t resume_group(std::uint32_t group, bool cold);
  /// Switches a service off (a kill switch on a component): its groups halt, and its callers
  /// skip their calls to it until one of its groups is resumed.
  void switch_off_service(std::uint32_t service);
  bool switched_off(std::uint32_t service) const { return switched_off_[service] != 0; }
  /// Hosts of `group` still starting begin to serve (the end of a cold start).
  void finish_start(std::uint32_t group);
  /// Receives changes as they happen; nullptr for none.
  void set_observer(FleetObserver* observer) { observer_ = observer; }

  // --- aggregates ---
  const FleetTotals& totals() const { return totals_; }
  /// The whole fleet added up for the metrics (model/measure.hpp), from the running totals;
  /// `target` counts hosts on the deployment's version.
  HostSums sums(std::optional<VersionIndex> target) const { return sums_at(target, kernel_.now()); }
  /// The same as the fleet stands, with the dependency effects of time `t` (a cold restart
  /// ends at a given time, not at a change of the fleet).
  HostSums sums_at(std::optional<VersionIndex> target, engine::Time t) const;
  /// The hosts listed added up for the metrics, one by one; the same as sums() for a list of
  /// every host.
  HostSums sums_of(std::span<const HostIndex> hosts, std::optional<VersionIndex> target) const;
  /// One service's hosts added up, from running totals (no load figures: the caller adds them).
  HostSums service_sums(std::uint32_t service) const;
  const ServiceTotals& service_totals(std::uint32_t service) const {
    return service_totals_[service];
  }
  /// Hosts ever misbehaving or unavailable, the whole fleet (the blast radius).
  std::int64_t ever_affected_hosts() const;
  std::int64_t hosts_on_version(VersionIndex v) const { return hosts_per_version_[v]; }
  /// Failed fraction of requests served right now (0 when nothing serves).
  double error_rate() const;
  /// Mean request latency right now, milliseconds.
  double latency_ms() const;
  /// Business loss per minute right now.
  double loss_rate_per_min() const { return loss_rate_per_min_; }
  /// Impact accumulated up to now; settles it, so that later changes add from here.
  Impact impact_now();
  /// The same figures without settling: what impact_now() would return, for an observer that
  /// must leave the run untouched (splitting the integration would move the last bits).
  Impact impact_at(engine::Time now) const;
  /// First time any host misbehaved; nullopt if none has.
  std::optional<engine::Time> incident_start() const { return incident_start_; }
  /// Last time the fleet went from misbehaving to not; nullopt while it still misbehaves.
  std::optional<engine::Time> incident_end() const { return incident_end_; }
  std::int64_t max_misbehaving_hosts() const { return max_misbehaving_; }

 private:
  static bool serving(Health health) {
    return health == Health::healthy || health == Health::degraded;
  }
  // Code that crashes only harms by crashing: a host that restarted and serves it is not
  // misbehaving.
  bool misbehaving(Health health, BehaviourIndex b) const {
    return health == Health::crashed ||
           (serving(health) && costs_[b].misbehaves && !costs_[b].crashes);
  }
  // One host's share of its service's totals, added (sign 1) or taken out (-1).
  // Inlined: every health change calls it twice, and out of line it cost 8% of a big rollout.
  [[gnu::always_inline]] inline void account_service(HostIndex h, Health health, BehaviourIndex b,
                                                     int sign);
  void notify_changed() {
    if (runtime_active_) note_service_returns();
    ++change_stamp_;
    if (observer_ != nullptr) observer_->fleet_changed();
  }
  void settle();
  void remove_from_totals(HostIndex h);
  void add_to_totals(HostIndex h);
  BehaviourIndex resolve_behaviour(HostIndex h) const;
  void note_misbehaving_change();
  bool flag_bucket_on(std::uint32_t flag, HostIndex h) const;
  // Run-time dependencies and cold restarts (model/dependencies.hpp).
  void init_runtime(const spec::Scenario& scenario);
  // Whether service `s` answers no call at `t`: it has hosts but none serving, or it is in its
  // cold restart. The one place that says what "unavailable" means to callers; it reads the
  // serving count per service, kept with the other serving totals.
  bool unavailable_for_calls(std::size_t s, engine::Time t) const {
    return (service_has_hosts_[s] && service_totals_[s].serving == 0) || in_cold_restart(s, t);
  }
  // Starts a service's cold restart when it serves again after serving nothing.
  void note_service_returns();
  struct CallEffects {
    std::vector<double> blocked;  // by service: fraction its code would serve that fails anyway
    std::vector<DependencyEffect> effects;
  };
  const CallEffects& call_effects(engine::Time t) const;
  bool call_cache_valid(engine::Time t) const;
  // Adds what calls from service `s` cost its hosts' requests.
  void add_call_terms(HostSums& sums, const CallEffects& calls, std::uint32_t s) const;
  engine::Time next_restart_end(engine::Time after, engine::Time until) const;
  void accrue(Impact& impact, engine::Time from, engine::Time to) const;

  const engine::Kernel& kernel_;
  spec::Business business_;

  std::vector<spec::Behaviour> behaviours_;
  // What each behaviour costs, by behaviour index: the few numbers the per-host updates and the
  // aggregates read, packed so that they do not walk the Behaviour records (names and all).
  struct BehaviourCost {
    double loss_per_min = 0.0;
    double error_rate = 0.0;  ///< failed fraction of requests (the base rate unless raised)
    double added_latency_ms = 0.0;
    bool misbehaves = false;  ///< kind other than healthy
    bool crashes = false;     ///< crash_on_start
  };
  std::vector<BehaviourCost> costs_;
  std::vector<VersionInfo> versions_;
  std::vector<GroupInfo> groups_;
  std::vector<FlagInfo> flags_;
  std::vector<std::string> service_names_;

  // Per-host state, structure of arrays.
  std::vector<std::uint32_t> group_;
  std::vector<std::uint32_t> index_in_group_;
  std::vector<VersionIndex> version_;
  std::vector<VersionIndex> previous_version_;
  std::vector<Health> health_;
  std::vector<BehaviourIndex> behaviour_;
  std::vector<float> weight_;
  // Per-host marks, one byte: ever affected (for the blast radius), needs manual repair.
  static constexpr std::uint8_t kEverAffected = 1;
  static constexpr std::uint8_t kNeedsRepair = 2;
  static constexpr std::uint8_t kMidInstall = 4;
  std::int64_t served_mid_install_ = 0;
  std::vector<std::uint8_t> marks_;
  std::vector<ServiceTotals> service_totals_;
  // By (service, behaviour), service-major: serving weight and hosts.
  std::vector<double> service_serving_weight_;
  std::vector<std::int64_t> service_serving_hosts_;
  FleetObserver* observer_ = nullptr;

  // Aggregates over serving hosts.
  FleetTotals totals_;
  std::vector<double> serving_weight_by_behaviour_;
  std::vector<std::int64_t> serving_hosts_by_behaviour_;
  std::vector<std::int64_t> hosts_per_version_;
  double loss_rate_per_min_ = 0.0;

  Impact impact_;
  engine::Time settled_at_;
  bool has_load_ = false;
  std::uint64_t load_updates_ = 0;
  double load_requests_per_s_ = 0.0;
  double load_failed_per_s_ = 0.0;
  double load_latency_ms_ = 0.0;
  // By host, with a load model only: what each host receives (set_host_load).
  struct HostLoad {
    double requests_per_s = 0.0;
    double failed_fraction = 0.0;
    double response_ms = 0.0;
  };
  std::vector<HostLoad> host_load_;
  // Run-time dependencies: only kept when some service calls another or has a cold restart.
  bool runtime_active_ = false;
  std::optional<DependencyGraph> calls_;
  std::vector<bool> service_has_hosts_;
  std::vector<std::uint8_t> switched_off_;  // by service
  std::vector<bool> was_serving_;           // by service, at the last note_service_returns
  // Moves at every settlement and change, so that what was worked out from the fleet's state
  // knows when it is out of date.
  std::uint64_t change_stamp_ = 0;
  // The cascade as of a change stamp and the services then in their cold restart.
  struct CallCache {
    std::uint64_t stamp = ~std::uint64_t{0};
    std::vector<std::uint8_t> restarting;
    std::vector<double> own;
    std::vector<double> total;
    CallEffects effects;
  };
  mutable CallCache call_cache_;
  std::vector<bool> ever_served_;
  std::vector<double> service_overload_;
  std::vector<engine::Duration> cold_restart_;
  std::vector<engine::Time> restart_until_;
  std::vector<double> retry_surge_;
  std::vector<engine::Duration> retry_surge_for_;
  std::optional<engine::Time> incident_start_;
  std::optional<engine::Time> incident_end_;
  std::int64_t max_misbehaving_ = 0;
};

}  // namespace deploysim::model
