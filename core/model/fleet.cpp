#include "model/fleet.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/random.hpp"
#include "spec/host_names.hpp"

namespace deploysim::model {

namespace {

using spec::Behaviour;

// When several flags give a host different behaviours, the most harmful one is what it does.
int severity(Behaviour::Kind kind) {
  switch (kind) {
    case Behaviour::Kind::healthy:
      return 0;
    case Behaviour::Kind::latency_increase:
      return 1;
    case Behaviour::Kind::error_rate_increase:
      return 2;
    case Behaviour::Kind::crash_on_start:
      return 3;
    case Behaviour::Kind::erroneous_actions:
      return 4;
  }
  return 0;
}

template <typename T>
std::uint32_t index_of(const std::vector<T>& items, std::string_view name) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return static_cast<std::uint32_t>(i);
  }
  throw std::logic_error("unresolved name \"" + std::string(name) + "\" in a validated scenario");
}

}  // namespace

inline void Fleet::account_service(HostIndex h, Health health, BehaviourIndex b, int sign) {
  if (health == Health::terminated) return;
  const std::uint32_t service = service_of(h);
  ServiceTotals& t = service_totals_[service];
  const double w = sign * static_cast<double>(weight_[h]);
  t.live += sign;
  t.live_weight += w;
  const bool down = is_unavailable_health(health);
  const bool harms = misbehaving(health, b);
  t.unavailable += down ? sign : 0;
  t.misbehaving += harms ? sign : 0;
  if ((down || harms) && sign > 0 && (marks_[h] & kEverAffected) == 0) {
    marks_[h] |= kEverAffected;
    ++t.ever_affected;
  }
  if (!serving(health)) return;
  t.serving += sign;
  t.serving_weight += w;
  const std::size_t key = service * behaviours_.size() + b;
  service_serving_weight_[key] += w;
  service_serving_hosts_[key] += sign;
}

std::string_view health_name(Health health) {
  switch (health) {
    case Health::healthy:
      return "healthy";
    case Health::degraded:
      return "degraded";
    case Health::crashed:
      return "crashed";
    case Health::draining:
      return "draining";
    case Health::out_of_rotation:
      return "out_of_rotation";
    case Health::terminated:
      return "terminated";
    case Health::starting:
      return "starting";
    case Health::halted:
      return "halted";
    case Health::unreachable:
      return "unreachable";
  }
  return "unknown";
}

Fleet::Fleet(const spec::Scenario& scenario, const engine::Kernel& kernel)
    : kernel_(kernel), business_(scenario.business), behaviours_(scenario.behaviours) {
  for (const auto& behaviour : behaviours_) {
    costs_.push_back(
        BehaviourCost{.loss_per_min = behaviour.loss_per_host_per_min_usd,
                      .error_rate = behaviour.kind == Behaviour::Kind::error_rate_increase
                                        ? behaviour.error_rate
                                        : business_.base_error_rate,
                      .added_latency_ms = behaviour.added_latency_ms,
                      .misbehaves = behaviour.kind != Behaviour::Kind::healthy,
                      .crashes = behaviour.kind == Behaviour::Kind::crash_on_start});
  }
  for (const auto& flag : scenario.flags) {
    FlagInfo info;
    info.name = flag.name;
    info.percent = flag.percent;
    flags_.push_back(std::move(info));
  }
  for (const auto& service : scenario.services) {
    const auto service_index = static_cast<std::uint32_t>(service_names_.size());
    service_names_.push_back(service.name);
    for (const auto& version : service.versions) {
      VersionInfo info;
      info.name = version.name;
      info.service = service_index;
      info.base_behaviour = static_cast<BehaviourIndex>(index_of(behaviours_, version.behaviour));
      for (const auto& [flag, behaviour] : version.flag_behaviours) {
        info.flag_behaviours.emplace_back(
            index_of(flags_, flag), static_cast<BehaviourIndex>(index_of(behaviours_, behaviour)));
      }
      versions_.push_back(std::move(info));
    }
  }
  serving_weight_by_behaviour_.assign(behaviours_.size(), 0.0);
  serving_hosts_by_behaviour_.assign(behaviours_.size(), 0);
  hosts_per_version_.assign(versions_.size(), 0);
  service_totals_.assign(service_names_.size(), ServiceTotals{});
  service_serving_weight_.assign(service_names_.size() * behaviours_.size(), 0.0);
  service_serving_hosts_.assign(service_names_.size() * behaviours_.size(), 0);
  init_runtime(scenario);

  std::size_t total = 0;
  for (const auto& group : scenario.groups) total += static_cast<std::size_t>(group.hosts);
  group_.reserve(total);
  index_in_group_.reserve(total);
  version_.reserve(total);
  previous_version_.reserve(total);
  health_.reserve(total);
  behaviour_.reserve(total);
  weight_.reserve(total);
  marks_.reserve(total);

  for (const auto& group : scenario.groups) {
    GroupInfo info;
    info.name = group.name;
    info.service = index_of(scenario.services, group.service);
    info.name_pattern = group.name_pattern;
    info.traffic_weight = group.traffic_weight;
    groups_.push_back(std::move(info));
  }
  for (std::size_t f = 0; f < scenario.flags.size(); ++f) {
    const auto& flag = scenario.flags[f];
    auto& info = flags_[f];
    info.on_in_group.assign(groups_.size(), false);
    if (flag.groups.empty()) {
      for (std::uint32_t g = 0; g < groups_.size(); ++g) info.scope.push_back(g);
    } else {
      for (const auto& name : flag.groups) info.scope.push_back(index_of(groups_, name));
    }
    if (flag.initial) {
      for (auto g : info.scope) info.on_in_group[g] = true;
    }
  }
  // The initial hosts, healthy. This is add_host followed by set_health(healthy) for each, with
  // the same additions to the totals in the same order (so the sums are the same to the last
  // bit), without their per-host checks: a million-host simulation is built in 12 ms instead of
  // 33 (docs/performance.md). Time is 0, so there is no impact to settle, and the misbehaving
  // count only grows, so noting it once at the end is the same as after each host.
  for (std::size_t g = 0; g < scenario.groups.size(); ++g) {
    const auto& group = scenario.groups[g];
    const auto version = *find_version(group.service, group.version);
    GroupInfo& info = groups_[g];
    const auto weight = static_cast<float>(info.traffic_weight);
    info.hosts.reserve(static_cast<std::size_t>(group.hosts));
    for (std::int64_t i = 0; i < group.hosts; ++i) {
      const auto h = static_cast<HostIndex>(group_.size());
      group_.push_back(static_cast<std::uint32_t>(g));
      index_in_group_.push_back(static_cast<std::uint32_t>(i));
      version_.push_back(version);
      previous_version_.push_back(version);
      health_.push_back(Health::healthy);
      weight_.push_back(weight);
      behaviour_.push_back(0);
      marks_.push_back(0);
      const BehaviourIndex b = resolve_behaviour(h);
      behaviour_[h] = b;
      account_service(h, Health::healthy, b, 1);
      info.hosts.push_back(h);
      ++totals_.live_hosts;
      totals_.live_weight += weight;
      ++hosts_per_version_[version];
      if (costs_[b].misbehaves) ++totals_.misbehaving_hosts;
      totals_.serving_weight += weight;
      ++totals_.serving_hosts;
      serving_weight_by_behaviour_[b] += weight;
      ++serving_hosts_by_behaviour_[b];
      loss_rate_per_min_ += costs_[b].loss_per_min;
    }
  }
  note_misbehaving_change();
}

void Fleet::init_runtime(const spec::Scenario& scenario) {
  const std::size_t services = scenario.services.size();
  calls_.emplace(scenario.services);
  runtime_active_ = calls_->has_calls();
  for (const auto& service : scenario.services) {
    runtime_active_ =
        runtime_active_ || service.cold_restart > engine::Duration{} || service.retry_surge > 1.0;
    cold_restart_.push_back(service.cold_restart);
    retry_surge_.push_back(service.retry_surge);
    retry_surge_for_.push_back(service.retry_surge_for);
  }
  restart_until_.assign(services, engine::Time::zero());
  service_overload_.assign(services, 0.0);
  was_serving_.assign(services, false);
  ever_served_.assign(services, false);
  service_has_hosts_.assign(services, false);
  switched_off_.assign(services, 0);
  for (const auto& group : scenario.groups) {
    service_has_hosts_[index_of(scenario.services, group.service)] = true;
  }
}

void Fleet::note_service_returns() {
  for (std::size_t s = 0; s < service_totals_.size(); ++s) {
    const bool serving_now = service_totals_[s].serving > 0;
    if (serving_now && !was_serving_[s] && ever_served_[s]) {
      // Back from no serving host: a service that had served before restarts cold, and its
      // callers' retries surge from the end of that restart.
      restart_until_[s] = kernel_.now() + cold_restart_[s];
      if (observer_ != nullptr && cold_restart_[s] > engine::Duration{}) {
        observer_->cold_restart_began(restart_until_[s]);
      }
    }
    ever_served_[s] = ever_served_[s] || serving_now;
    was_serving_[s] = serving_now;
  }
}

void Fleet::cold_restart_ended() {
  settle();
  notify_changed();
}

std::optional<VersionIndex> Fleet::find_version(std::string_view service,
                                                std::string_view name) const {
  for (std::size_t v = 0; v < versions_.size(); ++v) {
    if (versions_[v].name == name && service_names_[versions_[v].service] == service) {
      return static_cast<VersionIndex>(v);
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> Fleet::find_group(std::string_view name) const {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].name == name) return static_cast<std::uint32_t>(g);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> Fleet::find_flag(std::string_view name) const {
  for (std::size_t f = 0; f < flags_.size(); ++f) {
    if (flags_[f].name == name) return static_cast<std::uint32_t>(f);
  }
  return std::nullopt;
}

std::optional<HostIndex> Fleet::find_host(std::string_view name) const {
  for (HostIndex h = 0; h < size(); ++h) {
    if (host_name(h) == name) return h;
  }
  return std::nullopt;
}

std::string Fleet::host_name(HostIndex h) const {
  const auto& group = groups_[group_[h]];
  return spec::host_name(group.name_pattern, group.name, index_in_group_[h] + 1);
}

bool Fleet::flag_bucket_on(std::uint32_t flag, HostIndex h) const {
  const double percent = flags_[flag].percent;
  if (percent >= 100.0) return true;
  if (percent <= 0.0) return false;
  // Deterministic bucketing on (flag, group, position in group): a host keeps its bucket for the
  // whole run, so raising the percentage only ever adds hosts (as LaunchDarkly and Unleash do).
  const std::uint64_t key = engine::member_stream_key(
      engine::stream_key(group_[h], flags_[flag].name), index_in_group_[h]);
  const double bucket = static_cast<double>(key % 100'000) / 1'000.0;
  return bucket < percent;
}

bool Fleet::flag_on_for(std::uint32_t flag, HostIndex h) const {
  return flags_[flag].on_in_group[group_[h]] && flag_bucket_on(flag, h);
}

BehaviourIndex Fleet::resolve_behaviour(HostIndex h) const {
  const VersionInfo& version = versions_[version_[h]];
  BehaviourIndex result = version.base_behaviour;
  for (const auto& [flag, behaviour] : version.flag_behaviours) {
    if (flag_on_for(flag, h) &&
        severity(behaviours_[behaviour].kind) >= severity(behaviours_[result].kind)) {
      result = behaviour;
    }
  }
  return result;
}

void Fleet::accrue(Impact& impact, engine::Time from, engine::Time to) const {
  const double minutes = static_cast<double>((to - from).ms()) / 60'000.0;
  if (minutes <= 0.0) return;
  impact.loss_usd += loss_rate_per_min_ * minutes;
  const double requests =
      has_load_ ? load_requests_per_s_ * 60.0 * minutes
                : business_.requests_per_host_per_s * 60.0 * minutes * totals_.serving_weight;
  impact.requests += requests;
  impact.failed_requests += requests * error_rate_of(sums_at(std::nullopt, from));
}

engine::Time Fleet::next_restart_end(engine::Time after, engine::Time until) const {
  engine::Time next = until;
  for (const engine::Time end : restart_until_) {
    if (end > after && end < next) next = end;
  }
  return next;
}

Impact Fleet::impact_at(engine::Time now) const {
  Impact impact = impact_;
  if (!runtime_active_) {
    accrue(impact, settled_at_, now);
    return impact;
  }
  // The fleet is unchanged since the last settlement, but a cold restart may have ended since:
  // the error rate is constant between those ends.
  for (engine::Time from = settled_at_; from < now;) {
    const engine::Time to = next_restart_end(from, now);
    accrue(impact, from, to);
    from = to;
  }
  return impact;
}

void Fleet::settle() {
  if (observer_ != nullptr) observer_->fleet_will_change();
  const engine::Time now = kernel_.now();
  impact_ = impact_at(now);
  settled_at_ = now;
  // What follows a settlement changes the fleet.
  ++change_stamp_;
}

Impact Fleet::impact_now() {
  settle();
  return impact_;
}

void Fleet::set_needs_repair(HostIndex h, bool needed) {
  marks_[h] = needed ? (marks_[h] | kNeedsRepair) : (marks_[h] & ~kNeedsRepair);
}

std::int64_t Fleet::ever_affected_hosts() const {
  std::int64_t hosts = 0;
  for (const auto& t : service_totals_) hosts += t.ever_affected;
  return hosts;
}

HostSums Fleet::service_sums(std::uint32_t service) const {
  const ServiceTotals& t = service_totals_[service];
  HostSums s;
  s.live = t.live;
  s.serving = t.serving;
  s.misbehaving = t.misbehaving;
  s.unavailable = t.unavailable;
  s.live_weight = t.live_weight;
  s.serving_weight = t.serving_weight;
  const std::size_t first = service * behaviours_.size();
  for (std::size_t b = 0; b < costs_.size(); ++b) {
    const double weight = service_serving_weight_[first + b];
    const auto hosts = static_cast<double>(service_serving_hosts_[first + b]);
    s.failing_weight += weight * costs_[b].error_rate;
    s.latency_weight += weight * costs_[b].added_latency_ms;
    s.failing_plain += hosts * costs_[b].error_rate;
    s.latency_plain += hosts * costs_[b].added_latency_ms;
    s.loss_per_min += hosts * costs_[b].loss_per_min;
  }
  if (runtime_active_) add_call_terms(s, call_effects(kernel_.now()), service);
  return s;
}

void Fleet::remove_from_totals(HostIndex h) {
  account_service(h, health_[h], behaviour_[h], -1);
  if (health_[h] != Health::terminated) {
    --totals_.live_hosts;
    totals_.live_weight -= weight_[h];
    --hosts_per_version_[version_[h]];
  }
  if (is_misbehaving(h)) --totals_.misbehaving_hosts;
  if (!is_serving(h)) return;
  totals_.serving_weight -= weight_[h];
  --totals_.serving_hosts;
  serving_weight_by_behaviour_[behaviour_[h]] -= weight_[h];
  --serving_hosts_by_behaviour_[behaviour_[h]];
  loss_rate_per_min_ -= costs_[behaviour_[h]].loss_per_min;
}

void Fleet::add_to_totals(HostIndex h) {
  account_service(h, health_[h], behaviour_[h], 1);
  if (health_[h] != Health::terminated) {
    ++totals_.live_hosts;
    totals_.live_weight += weight_[h];
    ++hosts_per_version_[version_[h]];
  }
  if (is_misbehaving(h)) ++totals_.misbehaving_hosts;
  if (!is_serving(h)) return;
  totals_.serving_weight += weight_[h];
  ++totals_.serving_hosts;
  serving_weight_by_behaviour_[behaviour_[h]] += weight_[h];
  ++serving_hosts_by_behaviour_[behaviour_[h]];
  loss_rate_per_min_ += costs_[behaviour_[h]].loss_per_min;
}

void Fleet::note_misbehaving_change() {
  const auto misbehaving = totals_.misbehaving_hosts;
  max_misbehaving_ = std::max(max_misbehaving_, misbehaving);
  // Sums of a few exact host rates can leave a rounding residue once every host stops.
  if (misbehaving == 0 && loss_rate_per_min_ < 1e-6) loss_rate_per_min_ = 0.0;
  if (misbehaving > 0) {
    if (!incident_start_) incident_start_ = kernel_.now();
    incident_end_.reset();
  } else if (incident_start_ && !incident_end_) {
    incident_end_ = kernel_.now();
  }
  notify_changed();
}

void Fleet::set_version(HostIndex h, VersionIndex v) {
  settle();
  if (!is_serving(h)) {
    // The usual case: a host gets its new version while it takes no traffic. Only the counts per
    // version move; whether it misbehaves (it does if crashed) does not depend on its version.
    if (health_[h] != Health::terminated) {
      --hosts_per_version_[version_[h]];
      ++hosts_per_version_[v];
    }
    if (version_[h] != v) previous_version_[h] = version_[h];
    version_[h] = v;
    behaviour_[h] = resolve_behaviour(h);
    note_misbehaving_change();
    return;
  }
  remove_from_totals(h);
  if (version_[h] != v) previous_version_[h] = version_[h];
  version_[h] = v;
  behaviour_[h] = resolve_behaviour(h);
  add_to_totals(h);
  note_misbehaving_change();
}

void Fleet::set_health(HostIndex h, Health health) {
  // A halted group keeps its hosts halted whatever a rollout does to them.
  if (groups_[group_[h]].halted && serving(health)) health = Health::halted;
  if (health_[h] == health) return;
  settle();
  const Health old = health_[h];
  const bool was_serving = serving(old);
  const bool now_serving = serving(health);
  if (now_serving && !was_serving && (marks_[h] & kMidInstall) != 0) ++served_mid_install_;
  if (was_serving && now_serving) {
    // healthy <-> degraded: take the host out and put it back, as every other change does, so
    // that the weight sums see the same subtraction and addition.
    remove_from_totals(h);
    health_[h] = health;
    add_to_totals(h);
    note_misbehaving_change();
    return;
  }
  // Every host update passes here three times (draining, installing, back in rotation), so only
  // what changes is touched: the same operations remove_from_totals and add_to_totals would do,
  // less the ones that cancel out.
  if (old == Health::terminated) {
    ++totals_.live_hosts;
    totals_.live_weight += weight_[h];
    ++hosts_per_version_[version_[h]];
  } else if (health == Health::terminated) {
    --totals_.live_hosts;
    totals_.live_weight -= weight_[h];
    --hosts_per_version_[version_[h]];
  }
  const BehaviourIndex b = behaviour_[h];
  account_service(h, old, b, -1);
  account_service(h, health, b, 1);
  totals_.misbehaving_hosts += static_cast<std::int64_t>(misbehaving(health, b)) -
                               static_cast<std::int64_t>(misbehaving(old, b));
  if (was_serving) {
    totals_.serving_weight -= weight_[h];
    --totals_.serving_hosts;
    serving_weight_by_behaviour_[b] -= weight_[h];
    --serving_hosts_by_behaviour_[b];
    loss_rate_per_min_ -= costs_[b].loss_per_min;
  } else if (now_serving) {
    totals_.serving_weight += weight_[h];
    ++totals_.serving_hosts;
    serving_weight_by_behaviour_[b] += weight_[h];
    ++serving_hosts_by_behaviour_[b];
    loss_rate_per_min_ += costs_[b].loss_per_min;
  }
  health_[h] = health;
  note_misbehaving_change();
  if (health == Health::crashed && observer_ != nullptr) observer_->host_crashed(h);
}

void Fleet::set_weight(HostIndex h, float weight) {
  settle();
  remove_from_totals(h);
  weight_[h] = weight;
  add_to_totals(h);
  notify_changed();
}

HostIndex Fleet::add_host(std::uint32_t group, VersionIndex version) {
  const auto h = static_cast<HostIndex>(group_.size());
  GroupInfo& info = groups_[group];
  group_.push_back(group);
  index_in_group_.push_back(static_cast<std::uint32_t>(info.hosts.size()));
  version_.push_back(version);
  previous_version_.push_back(version);
  health_.push_back(Health::terminated);
  weight_.push_back(static_cast<float>(info.traffic_weight));
  behaviour_.push_back(0);
  marks_.push_back(0);
  behaviour_[h] = resolve_behaviour(h);
  info.hosts.push_back(h);
  // Created terminated (uncounted), then brought in through the one path that keeps totals.
  set_health(h, Health::out_of_rotation);
  return h;
}

void Fleet::set_flag(std::uint32_t flag, const std::vector<std::uint32_t>& groups, bool on,
                     double percent) {
  settle();
  FlagInfo& info = flags_[flag];
  info.percent = percent;
  for (auto g : groups) info.on_in_group[g] = on;
  for (auto g : groups) {
    for (HostIndex h : groups_[g].hosts) {
      const BehaviourIndex resolved = resolve_behaviour(h);
      if (resolved == behaviour_[h]) continue;
      const bool crashed_by_code = costs_[behaviour_[h]].crashes;
      remove_from_totals(h);
      behaviour_[h] = resolved;
      add_to_totals(h);
      // Code or content that crashes takes a serving host down at once; turned off again, it
      // lets a host it crashed start, unless only hands can repair it.
      if (costs_[resolved].crashes && is_serving(h)) {
        set_health(h, Health::crashed);
      } else if (!costs_[resolved].crashes && crashed_by_code && health_[h] == Health::crashed &&
                 !needs_repair(h)) {
        set_health(h, Health::healthy);
      }
    }
  }
  note_misbehaving_change();
}

void Fleet::halt_group(std::uint32_t group) {
  for (HostIndex h : groups_[group].hosts) {
    if (is_serving(h) || health_[h] == Health::starting) set_health(h, Health::halted);
  }
  groups_[group].halted = true;
}

void Fleet::switch_off_service(std::uint32_t service) {
  switched_off_[service] = 1;
  for (std::uint32_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].service == service) halt_group(g);
  }
  notify_changed();  // callers stop calling it even when no host was serving
}

std::int64_t Fleet::resume_group(std::uint32_t group, bool cold) {
  groups_[group].halted = false;
  if (switched_off_[groups_[group].service] != 0) {
    switched_off_[groups_[group].service] = 0;
    notify_changed();
  }
  std::int64_t starting = 0;
  // Only hosts the halt stopped: one a deployment is installing stays out of rotation until its
  // update ends, or it would serve half-installed.
  for (HostIndex h : groups_[group].hosts) {
    if (health_[h] != Health::halted) continue;
    set_health(h, cold ? Health::starting : Health::healthy);
    starting += cold ? 1 : 0;
  }
  return starting;
}

void Fleet::finish_start(std::uint32_t group) {
  for (HostIndex h : groups_[group].hosts) {
    if (health_[h] == Health::starting) set_health(h, Health::healthy);
  }
}

void Fleet::set_load(double requests_per_s, double overload_failed_per_s, double latency_ms) {
  settle();
  has_load_ = true;
  ++load_updates_;
  load_requests_per_s_ = requests_per_s;
  load_failed_per_s_ = overload_failed_per_s;
  load_latency_ms_ = latency_ms;
  notify_changed();
}

void Fleet::set_service_overload(std::uint32_t s, double failed_fraction) {
  if (service_overload_[s] == failed_fraction) return;
  settle();
  service_overload_[s] = failed_fraction;
}

double Fleet::load_multiplier(std::uint32_t s, engine::Time t) const {
  const engine::Time end = restart_until_[s];
  if (end == engine::Time::zero() || t < end || t >= end + retry_surge_for_[s]) return 1.0;
  return retry_surge_[s];
}

bool Fleet::call_cache_valid(engine::Time t) const {
  if (call_cache_.stamp != change_stamp_) return false;
  for (std::size_t s = 0; s < restart_until_.size(); ++s) {
    if (in_cold_restart(s, t) != static_cast<bool>(call_cache_.restarting[s])) return false;
  }
  return true;
}

const Fleet::CallEffects& Fleet::call_effects(engine::Time t) const {
  // Monitoring, the impact and every service level ask for the cascade between two changes; it
  // moves only with a change or at the end of a cold restart, so it is worked out once per phase.
  if (call_cache_valid(t)) return call_cache_.effects;
  const std::size_t services = service_names_.size();
  const std::size_t kinds = costs_.size();
  std::vector<double>& own = call_cache_.own;
  own.assign(services, 0.0);
  call_cache_.restarting.assign(services, 0);
  for (std::size_t s = 0; s < services; ++s) {
    call_cache_.restarting[s] = in_cold_restart(s, t) ? 1 : 0;
    if (switched_off_[s] != 0) continue;  // nobody calls it: see the cascade below
    if (unavailable_for_calls(s, t)) {
      own[s] = 1.0;  // every call to it fails
      continue;
    }
    double weight = 0.0;
    double failing = 0.0;
    for (std::size_t b = 0; b < kinds; ++b) {
      weight += service_serving_weight_[s * kinds + b];
      failing += service_serving_weight_[s * kinds + b] * costs_[b].error_rate;
    }
    const double code = weight > 0.0 ? std::clamp(failing / weight, 0.0, 1.0) : 0.0;
    own[s] = service_overload_[s] + (1.0 - service_overload_[s]) * code;
  }
  CallEffects& result = call_cache_.effects;
  calls_->cascade(own, call_cache_.total, result.effects, switched_off_);
  result.blocked.resize(services);
  for (std::size_t s = 0; s < services; ++s) {
    result.blocked[s] = call_cache_.restarting[s] != 0 ? 1.0 : result.effects[s].failed;
  }
  call_cache_.stamp = change_stamp_;
  return result;
}

DependencyEffect Fleet::dependency_effect(std::uint32_t s) const {
  if (!runtime_active_) return {};
  return call_effects(kernel_.now()).effects[s];
}

void Fleet::add_call_terms(HostSums& sums, const CallEffects& calls, std::uint32_t s) const {
  const std::size_t kinds = costs_.size();
  for (std::size_t b = 0; b < kinds; ++b) {
    const double weight = service_serving_weight_[s * kinds + b];
    const auto hosts = static_cast<double>(service_serving_hosts_[s * kinds + b]);
    const double served = 1.0 - costs_[b].error_rate;
    sums.dependency_failing_weight += weight * served * calls.blocked[s];
    sums.dependency_failing_plain += hosts * served * calls.blocked[s];
    sums.dependency_latency_weight += weight * calls.effects[s].wait_ms;
    sums.dependency_latency_plain += hosts * calls.effects[s].wait_ms;
  }
}

HostSums Fleet::sums_at(std::optional<VersionIndex> target, engine::Time t) const {
  HostSums s;
  s.live = totals_.live_hosts;
  s.serving = totals_.serving_hosts;
  s.misbehaving = totals_.misbehaving_hosts;
  for (const auto& service : service_totals_) s.unavailable += service.unavailable;
  s.on_target = target ? hosts_per_version_[*target] : 0;
  s.live_weight = totals_.live_weight;
  s.serving_weight = totals_.serving_weight;
  for (std::size_t b = 0; b < costs_.size(); ++b) {
    s.failing_weight += serving_weight_by_behaviour_[b] * costs_[b].error_rate;
    s.latency_weight += serving_weight_by_behaviour_[b] * costs_[b].added_latency_ms;
    const auto hosts = static_cast<double>(serving_hosts_by_behaviour_[b]);
    s.failing_plain += hosts * costs_[b].error_rate;
    s.latency_plain += hosts * costs_[b].added_latency_ms;
  }
  s.loss_per_min = loss_rate_per_min_;
  s.has_load = has_load_;
  s.requests_per_s = load_requests_per_s_;
  s.overload_failed_per_s = load_failed_per_s_;
  s.load_latency_ms = load_latency_ms_;
  if (runtime_active_) {
    const CallEffects& calls = call_effects(t);
    for (std::uint32_t service = 0; service < service_names_.size(); ++service) {
      add_call_terms(s, calls, service);
    }
  }
  return s;
}

Fleet::GroupLoad Fleet::group_load(std::uint32_t g, double overloaded_above) const {
  GroupLoad load;
  for (HostIndex h : groups_[g].hosts) {
    if (!is_serving(h) || h >= host_load_.size()) continue;
    const HostLoad& host = host_load_[h];
    load.requests_per_s += host.requests_per_s;
    load.failed_per_s += host.requests_per_s * host.failed_fraction;
    load.response_weighted += host.requests_per_s * host.response_ms;
    if (host.failed_fraction > overloaded_above) ++load.overloaded;
  }
  return load;
}

HostSums Fleet::sums_of(std::span<const HostIndex> hosts,
                        std::optional<VersionIndex> target) const {
  HostSums s;
  s.has_load = has_load_;
  double response_weighted = 0.0;
  static const CallEffects kNoCalls;
  const CallEffects& calls = runtime_active_ ? call_effects(kernel_.now()) : kNoCalls;
  for (HostIndex h : hosts) {
    if (health_[h] == Health::terminated) continue;
    ++s.live;
    s.live_weight += weight_[h];
    if (is_misbehaving(h)) ++s.misbehaving;
    if (is_unavailable(h)) ++s.unavailable;
    if (target && version_[h] == *target) ++s.on_target;
    if (!is_serving(h)) continue;
    const BehaviourCost& cost = costs_[behaviour_[h]];
    const double w = weight_[h];
    ++s.serving;
    s.serving_weight += w;
    s.failing_weight += w * cost.error_rate;
    s.latency_weight += w * cost.added_latency_ms;
    s.failing_plain += cost.error_rate;
    s.latency_plain += cost.added_latency_ms;
    s.loss_per_min += cost.loss_per_min;
    if (runtime_active_) {
      const std::uint32_t service = groups_[group_[h]].service;
      const double blocked = (1.0 - cost.error_rate) * calls.blocked[service];
      s.dependency_failing_weight += w * blocked;
      s.dependency_failing_plain += blocked;
      s.dependency_latency_weight += w * calls.effects[service].wait_ms;
      s.dependency_latency_plain += calls.effects[service].wait_ms;
    }
    if (h < host_load_.size()) {
      const HostLoad& load = host_load_[h];
      s.requests_per_s += load.requests_per_s;
      s.overload_failed_per_s += load.requests_per_s * load.failed_fraction;
      response_weighted += load.requests_per_s * load.response_ms;
    }
  }
  if (s.requests_per_s > 0.0) s.load_latency_ms = response_weighted / s.requests_per_s;
  return s;
}

double Fleet::error_rate() const {
  return error_rate_of(sums(std::nullopt));
}

double Fleet::latency_ms() const {
  return metric_of(sums(std::nullopt), spec::Metric::latency_ms, business_.base_latency_ms);
}

}  // namespace deploysim::model
