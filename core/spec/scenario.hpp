#pragma once
// A scenario, typed and validated: everything a run needs except the seed. Parsed from the JSON
// format documented in docs/scenario-format.md; every field here maps to one key there.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/time.hpp"
#include "spec/change.hpp"

namespace deploysim::spec {

using engine::Distribution;
using engine::Duration;
using engine::Time;

/// How a host that crashed comes back (docs/scenario-format.md, "Crashes and recovery").
enum class CrashRecovery {
  rollback,  ///< stays down (a boot loop) until a rollback gives it code that starts
  restart,   ///< its supervisor restarts it after `restart_after`, and it then serves
  manual,    ///< needs hands-on repair by a remediation team; a rollback cannot reach it
};

/// What code does when it runs. The same version can behave differently depending on flags.
struct Behaviour {
  enum class Kind {
    healthy,
    crash_on_start,
    error_rate_increase,
    latency_increase,
    erroneous_actions
  };
  std::string name;
  Kind kind = Kind::healthy;
  /// error_rate_increase: fraction of requests that fail (0..1).
  double error_rate = 0.0;
  /// latency_increase: milliseconds added to every request.
  double added_latency_ms = 0.0;
  /// erroneous_actions: business loss per minute for each host running it (Knight's runaway
  /// orders).
  double loss_per_host_per_min_usd = 0.0;
  /// crash_on_start: how the crashed host recovers.
  CrashRecovery recovery = CrashRecovery::rollback;
  /// recovery restart: from the crash to the next start (a supervisor's back-off).
  Duration restart_after = Duration::minutes(1);
  /// recovery manual: the remediation team that repairs the host.
  std::string remediation_team{};
};

/// People who repair crashed hosts by hand, one host at a time each (a desk-side or data-centre
/// team): `technicians` work in parallel, each host takes a time drawn from `per_host`.
struct RemediationTeam {
  std::string name;
  std::int64_t technicians = 1;
  Distribution per_host = Distribution::constant(1'800'000.0);  ///< milliseconds
  /// From the first host needing repair to the first technician starting (mobilising).
  Duration start_after = Duration::seconds(0);
  /// Technicians join one after another, evenly spread over this time (0: all at once).
  Duration ramp_up = Duration::seconds(0);
  /// Groups repaired first, in this order; hosts of other groups after them; within a group,
  /// in the order they crashed.
  std::vector<std::string> order;
};

/// A service level objective: what users are promised (docs/incidents.md).
struct ServiceLevelObjective {
  /// Percent of requests that succeed, in (0, 100]; absent: 100 x (1 - /business/error_budget).
  std::optional<double> availability_percent;
  /// Mean request latency users may see, milliseconds; absent: no latency objective.
  std::optional<double> latency_ms;
};

/// One version of a service. `flag_behaviours` says what the version does when a flag is on:
/// the same flag can mean a new feature on one version and dead code on another.
struct Version {
  std::string name;
  std::string behaviour = "healthy";
  std::map<std::string, std::string> flag_behaviours;  ///< flag -> behaviour when the flag is on
};

/// A service this one calls, and the versions of it that this one works with (empty: any).
/// At run time (docs/dependencies.md) `call_fraction` of the caller's requests call it; a call
/// that fails fails the caller's request after waiting `timeout`.
struct Dependency {
  std::string service;
  std::vector<std::string> compatible_versions;
  double call_fraction = 1.0;
  Duration timeout = Duration::seconds(1);
};

struct Service {
  std::string name;
  std::vector<Version> versions;  ///< in release order: older first
  std::vector<Dependency> depends_on;
  /// Brought back from no serving host, the service fails every request for this long
  /// (bootstrapping, warming caches) before it serves again.
  Duration cold_restart = Duration::seconds(0);
  /// Then its callers' retries arrive: its load is multiplied by `retry_surge` for
  /// `retry_surge_for` (with a load model; docs/dependencies.md).
  double retry_surge = 1.0;
  Duration retry_surge_for = Duration::minutes(5);
  ServiceLevelObjective slo;
  /// From a host's start (a resume, a restart) to its serving: boot and warm-up.
  Duration host_start = Duration::seconds(0);
};

/// A named group of hosts: a zone, a region, a ring, a tier.
struct HostGroup {
  std::string name;
  std::int64_t hosts = 1;
  std::string service;
  std::string version;
  /// Host names: "{group}-{i}" by default, i from 1.
  std::string name_pattern = "{group}-{i}";
  /// Share of traffic each host takes, relative to other hosts (1 = an ordinary host).
  double traffic_weight = 1.0;
  std::map<std::string, std::string> config;
};

/// A feature flag. `groups` empty means every group (a global flag).
struct Flag {
  std::string name;
  bool initial = false;
  std::vector<std::string> groups;
  /// Percentage of hosts in scope that see the flag on (deterministic hash bucketing).
  double percent = 100.0;
};

/// How one host is updated, whatever the strategy: drain, install, start, health check.
struct HostUpdate {
  Duration drain = Duration::seconds(0);
  Distribution install = Distribution::constant(30'000.0);  ///< milliseconds
  Duration health_check = Duration::seconds(0);
  /// Probability that an install fails and is retried (after `retry_delay`).
  double install_failure_probability = 0.0;
  Duration retry_delay = Duration::seconds(10);
  int max_retries = 3;
};

/// A host the operator of a manual deploy skips, or misconfigures, by script.
struct ScriptedFault {
  enum class Kind { skip, misconfigure };
  Kind kind = Kind::skip;
  std::string host;
};

/// An operator copies the release host after host (Knight, hand-run scripts).
struct ManualParams {
  Distribution per_host = Distribution::constant(600'000.0);  ///< ms
  double skip_probability = 0.0;
  double misconfigure_probability = 0.0;
  std::vector<ScriptedFault> faults;
  /// Hosts done per working day before the operator stops until the next day (0: no limit).
  int hosts_per_day = 0;
};

/// Every host at once (Recreate in Kubernetes, a fleet-wide push script).
struct AllAtOnceParams {};

/// A count ("3") or a percentage ("25%") of replicas, as Kubernetes writes maxSurge.
struct CountOrPercent {
  double value = 0.0;
  bool percent = false;
};

/// Kubernetes RollingUpdate (max_surge / max_unavailable) or fixed in-place batches (batch_size,
/// as Ansible's `serial`). With batch_size set, surge and unavailable are ignored.
struct RollingParams {
  std::int64_t batch_size = 0;
  CountOrPercent max_surge{25.0, true};
  CountOrPercent max_unavailable{25.0, true};
  Duration min_ready = Duration::seconds(0);
  Duration progress_deadline = Duration::seconds(600);
};

/// Blue/green: a full green copy, optional analysis, switch, scale-down delay.
struct BlueGreenParams {
  Duration pre_promotion_analysis = Duration::seconds(0);
  Duration scale_down_delay = Duration::seconds(30);
  bool auto_promote = true;
};

/// One step of a canary (Argo Rollouts / Flagger).
struct CanaryStep {
  enum class Kind { set_weight, pause, analysis };
  Kind kind = Kind::set_weight;
  double weight = 0.0;  ///< set_weight: percent of traffic (and replicas) on the canary
  Duration duration;    ///< pause and analysis
};

/// Canary analysis: the alert-like check run during analysis steps.
struct CanaryAnalysis {
  std::string metric = "error_rate";
  double max_value = 0.01;
  Duration interval = Duration::seconds(60);
  int failure_limit = 0;            ///< Argo: failed > limit -> abort
  int consecutive_error_limit = 4;  ///< Argo default
  /// Compare canary against the stable baseline (Kayenta-style) instead of an absolute threshold.
  bool compare_to_baseline = false;
  double max_ratio_to_baseline = 1.5;
};

struct CanaryParams {
  std::vector<CanaryStep> steps;
  CanaryAnalysis analysis;
  bool traffic_routed = true;  ///< with a traffic router: canary pods = ceil(w*N/100)
  bool automated_rollback = true;
};

/// Facebook-style rings: each ring is a set of groups or a percentage of the fleet, then a bake.
struct Ring {
  std::string name;
  std::vector<std::string> groups;
  double percent = 0.0;  ///< used when groups is empty: cumulative percent of hosts
  Duration bake = Duration::seconds(0);
};

struct RingParams {
  std::vector<Ring> rings;
  /// Hosts updated at the same time inside a ring (0: the whole ring at once).
  std::int64_t parallelism = 0;
};

using StrategyParams = std::variant<ManualParams, AllAtOnceParams, RollingParams, BlueGreenParams,
                                    CanaryParams, RingParams>;

/// Name of a strategy as written in files ("manual", "rolling", ...).
std::string strategy_name(const StrategyParams& strategy);

/// The deployment being simulated.
struct Deployment {
  /// The name of the code change in /changes that this is; empty when written as /deployment.
  std::string name;
  std::string service;
  std::string to;                   ///< target version
  std::vector<std::string> groups;  ///< empty: every group running the service
  Time start;
  StrategyParams strategy = ManualParams{};
  HostUpdate host_update;
  /// Refuse flag changes while a host in the flag's scope does not run a version that gives the
  /// flag the intended meaning (the fleet consistency check Knight lacked).
  bool preflight_gate = false;
  /// After the last host, check that every host runs `to`; halt the flag if not.
  bool post_deploy_verification = false;
};

/// A fleet-level metric that monitoring computes.
enum class Metric {
  error_rate,  ///< failed / all requests, 0..1
  latency_ms,  ///< mean request latency
  loss_rate_usd_per_min,
  misbehaving_hosts,
  hosts_on_target,  ///< hosts running the deployment's target version
  kpi,              ///< a business rate (orders/s, starts/s) relative to normal, 1 = normal
};

/// Every metric, in the order of the enum; the names are the scenario format's.
const std::vector<std::string>& metric_names();
std::string_view metric_name(Metric metric);
/// The metric called `name`, or nothing.
std::optional<Metric> find_metric(std::string_view name);

/// "when `metric` is above (or below) `threshold` for `for_duration`, fire".
struct AlertRule {
  std::string name;
  Metric metric = Metric::error_rate;
  bool below = false;
  double threshold = 0.0;
  Duration for_duration;
  enum class Level { warning, critical } level = Level::critical;
  /// Who is told; empty: nobody (a dashboard nobody watches).
  std::string notify;
  /// Fired but not treated as an alert (Knight's "Power Peg disabled" e-mails).
  bool ignored = false;
};

/// A message that code emits while a condition holds, e.g. e-mails about a flag without code.
struct Signal {
  std::string name;
  enum class Source { flag_without_code } source = Source::flag_without_code;
  std::string flag;
  /// When the code starts sending (e.g. the day's first orders); time 0 if not given.
  Time start;
  Duration every = Duration::minutes(1);
  bool treated_as_alert = false;
  std::string notify;
};

struct Monitoring {
  Duration scrape_interval = Duration::seconds(15);
  /// Relative noise on sampled metrics (standard deviation as a fraction of the value).
  double noise = 0.0;
  std::vector<AlertRule> alerts;
  std::vector<Signal> signals;
};

/// An action a person or automation can take.
/// `remove` terminates hosts for good (a scale-down); `halt` takes them out of rotation.
enum class ActionKind { set_flag, rollback_code, halt, resume, deploy, page, remove };

/// A person or on-call team: how long they take, and what they do when alerted.
struct Person {
  std::string name;
  Distribution acknowledge = Distribution::constant(60'000.0);
  Distribution diagnose = Distribution::constant(600'000.0);
  Distribution act = Distribution::constant(60'000.0);
  /// What they try, in order: each next action only if the alert still holds afterwards.
  struct Response {
    ActionKind action = ActionKind::rollback_code;
    std::string flag;
    bool value = false;
    std::string group;
    std::string person;  ///< for page
    /// halt and remove: how many of the group's hosts (absent: the whole group).
    std::optional<CountOrPercent> hosts;
  };
  std::vector<Response> playbook;
};

/// A pre-flight check on operator commands that take capacity away: a command is refused when it
/// would leave a group with fewer serving hosts than its minimum, or take more than
/// `max_percent` of a group's live hosts at once.
struct CommandGate {
  std::map<std::string, std::int64_t> min_hosts;  ///< group -> serving hosts to keep
  double max_percent = 100.0;
};

/// What machines do without waiting for people.
struct Automation {
  /// Alerts whose firing rolls the deployment back at once.
  std::vector<std::string> rollback_on;
  /// Halt the affected service when this fires (a kill switch).
  std::optional<AlertRule> kill_switch;
  /// The kill switch turns this flag off instead of halting (empty: it halts).
  std::string kill_switch_flag;
  /// The kill switch switches this service off instead of halting every group: its hosts halt
  /// and its callers stop calling it (empty: it halts everything).
  std::string kill_switch_service;
  /// Halt instead of flipping a flag when the fleet is inconsistent.
  bool halt_on_inconsistency = false;
  /// Checks every halt and remove that a person or the timeline commands (docs/commands.md).
  std::optional<CommandGate> command_gate;
};

struct Business {
  double requests_per_host_per_s = 10.0;
  double users_per_request = 0.1;
  /// Allowed fraction of failed requests (an SLO of 99.9% -> 0.001) over the run.
  double error_budget = 0.001;
  /// Normal latency of a request, milliseconds.
  double base_latency_ms = 50.0;
  /// Fraction of requests failing on a healthy host.
  double base_error_rate = 0.0;
};

/// One timed action: "at 09:30 set flag power_peg on".
struct TimelineEntry {
  Time at;
  ActionKind action = ActionKind::set_flag;
  std::string flag;
  bool value = true;
  std::string group;       ///< empty: the deployment's groups (or every group for flags)
  std::string person;      ///< who does it (for the trace), or who is paged
  double percent = 100.0;  ///< set_flag: percentage of hosts in scope that see it
  /// halt and remove: how many of the group's hosts (absent: the whole group).
  std::optional<CountOrPercent> hosts;
};

struct Clock {
  std::optional<engine::WallClock> wall;  ///< absent: times print as "+HH:MM:SS"
  Time end;
};

// --- load, capacity and autoscaling (docs/capacity.md) ---

/// A burst of extra requests on top of a load profile.
struct LoadSpike {
  Time at;
  Duration duration;
  double extra_rps = 0.0;
};

/// Requests per second arriving at a service over time.
struct LoadProfile {
  enum class Kind { constant, diurnal, step, csv };
  std::string service;
  Kind kind = Kind::constant;
  /// constant: the rate; step and csv: the rate before the first point.
  double rps = 0.0;
  /// diurnal: mean × (1 + amplitude × cos(2π (time of day − peak) / 1 day)).
  double mean_rps = 0.0;
  double amplitude = 0.0;
  Duration peak;  ///< time of day of the maximum
  /// Time of day at simulated time 0 (from the wall clock; 00:00 without one).
  Duration day_offset;
  /// step and csv: (from, rate) in time order; each rate holds until the next point.
  std::vector<std::pair<Time, double>> points;
  std::vector<LoadSpike> spikes;
  std::string csv_file;  ///< csv: the file as written, for messages
};

/// What one host of a service can serve: `concurrency` workers (M/M/c servers) sharing
/// `rps_per_host` requests per second at full utilisation; requests slower than `timeout` fail.
struct HostCapacity {
  std::string service;
  double rps_per_host = 100.0;
  /// Versions that serve more or less per host (a slower release): version -> requests/s.
  std::map<std::string, double> rps_per_host_by_version;
  std::int64_t concurrency = 1;
  Duration timeout = Duration::seconds(30);
  /// CPU cost per request relative to the version's ordinary cost (docs/capacity.md): a host's
  /// cost is the product of its version's, its behaviour's and each flag's on for it, and its
  /// capacity is divided by it.
  std::map<std::string, double> cpu_cost_by_version;
  std::map<std::string, double> cpu_cost_by_behaviour;
  std::map<std::string, double> cpu_cost_by_flag;
};

/// One HPA scaling policy: at most `value` pods (or percent of current) per `period`.
struct ScalingPolicy {
  enum class Kind { pods, percent };
  Kind kind = Kind::pods;
  double value = 0.0;
  Duration period = Duration::seconds(15);
};

/// HPA behavior.scaleUp or behavior.scaleDown.
struct ScalingRules {
  Duration stabilization_window;
  enum class Select { max, min, disabled } select = Select::max;
  std::vector<ScalingPolicy> policies;
};

/// An autoscaler on one group of hosts (a Deployment): the Kubernetes HPA, or a PaaS that also
/// scales to zero after an idle time (Heroku's sleeping dynos, Knative).
struct Autoscaler {
  std::string group;
  enum class Mode { hpa, scale_to_zero } mode = Mode::hpa;
  std::int64_t min_replicas = 1;
  std::int64_t max_replicas = 10;
  /// Target average utilisation of ready hosts, 0..1 (averageUtilization / 100).
  double target_utilization = 0.8;
  double tolerance = 0.1;
  Duration sync_period = Duration::seconds(15);
  /// Age of the metric the controller reads (metrics-server's scrape window).
  Duration metric_lag;
  /// From creating a host to its serving traffic (image pull, boot, readiness: cold start).
  Duration provisioning = Duration::seconds(30);
  /// scale_to_zero: no request for this long puts the app to sleep.
  Duration idle_timeout = Duration::minutes(30);
  ScalingRules scale_up;
  ScalingRules scale_down;
};

struct Scenario {
  std::string name;
  std::string description;
  std::vector<std::string> sources;
  std::uint64_t seed = 1;
  Clock clock;
  std::vector<Behaviour> behaviours;  ///< always includes "healthy"
  std::vector<Service> services;
  std::vector<HostGroup> groups;
  std::vector<Flag> flags;
  std::optional<Deployment> deployment;
  Monitoring monitoring;
  std::vector<Person> people;
  Automation automation;
  Business business;
  std::vector<TimelineEntry> timeline;
  /// Load, capacity and autoscaling; all empty for a scenario without a load model.
  std::vector<LoadProfile> loads;
  std::vector<HostCapacity> capacities;
  std::vector<Autoscaler> autoscalers;
  std::vector<RemediationTeam> remediation_teams;
  /// Staged flag, configuration and content pushes, besides `deployment` (spec/change.hpp).
  std::vector<Change> changes;
  bool has_load_model() const { return !loads.empty(); }
  /// The document it was read from, after overrides (for hashes, exports and sweeps).
  nlohmann::json source;
  /// The file it was read from ("<memory>" when built from a dict or string).
  std::string file;
};

/// The names of named items (services, groups, flags, ...), in their order.
template <typename Named>
std::vector<std::string> names_of(const std::vector<Named>& items) {
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

}  // namespace deploysim::spec
