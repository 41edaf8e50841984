#include "model/slo.hpp"

#include <algorithm>

namespace deploysim::model {

namespace {
// Floating sums of exact rates can leave a residue; a rate this close to its objective meets it.
constexpr double kTolerance = 1e-12;
// A host failing more than this share of its requests for lack of capacity is overloaded.
constexpr double kOverloaded = 0.5;
}  // namespace

IncidentTracker::IncidentTracker(const spec::Scenario& scenario, const Fleet& fleet,
                                 const engine::Kernel& kernel)
    : scenario_(scenario), fleet_(fleet), kernel_(kernel) {
  const double fallback = 100.0 * (1.0 - scenario.business.error_budget);
  for (const auto& service : scenario.services) {
    targets_.push_back(service.slo.availability_percent.value_or(fallback));
  }
  groups_of_service_.resize(scenario.services.size());
  for (std::uint32_t g = 0; g < fleet.groups().size(); ++g) {
    groups_of_service_[fleet.groups()[g].service].push_back(g);
  }
  levels_.resize(scenario.services.size());
  rates_.resize(scenario.services.size());
  records_.resize(scenario.services.size());
}

std::optional<double> IncidentTracker::latency_target(std::uint32_t service) const {
  return scenario_.services[service].slo.latency_ms;
}

void IncidentTracker::changed() {
  dirty_ = true;
  dirty_at_ = kernel_.now();
  if (arrivals_ && fleet_.has_load() && fleet_.load_updates() != load_tick_) refresh_load();
}

void IncidentTracker::carry(IncidentRecord& record, const Rates& rates, double ms) {
  const double s = ms / 1000.0;
  record.requests += rates.requests_per_s * s;
  record.failed_requests += rates.failed_per_s * s;
  record.outage_requests += rates.outage_per_s * s;
  record.unavailable_host_ms += rates.unavailable_hosts * ms;
}

void IncidentTracker::transition(IncidentRecord& record, bool active, bool harm, engine::Time now) {
  if (active) {
    if (!record.start) record.start = now;
    record.end.reset();
  } else if (record.start && !record.end) {
    record.end = now;
  }
  if (harm) {
    record.harmed = true;
    record.harm_end.reset();
  } else if (record.harmed && !record.harm_end) {
    record.harm_end = now;
  }
}

// Per service, what the load model routed at its last tick (it changes only at ticks, so a walk
// over the hosts happens once a tick, not once a change): every request arriving at the service,
// the part failing for lack of capacity, and the response time.
void IncidentTracker::refresh_load() {
  if (fleet_.load_updates() == load_tick_) return;
  load_tick_ = fleet_.load_updates();
  loads_.assign(records_.size(), ServiceLoad{});
  for (std::uint32_t s = 0; s < records_.size(); ++s) {
    ServiceLoad& load = loads_[s];
    for (auto g : groups_of_service_[s]) {
      load.arriving = std::max(load.arriving, arrivals_(g));
      const Fleet::GroupLoad group = fleet_.group_load(g, kOverloaded);
      // The group's mean response time, weighted back by its requests, as a measurement of the
      // group (measure.hpp) would give it.
      const double latency =
          group.requests_per_s > 0.0 ? group.response_weighted / group.requests_per_s : 0.0;
      load.routed += group.requests_per_s;
      load.failed += group.failed_per_s;
      load.response_weighted += group.requests_per_s * latency;
      load.overloaded += group.overloaded;
    }
  }
  // Requests no host took (a service with none serving) fail or wait as the load model decided
  // (a cold start serves them late); only its fleet-wide figure says which, so it is shared out
  // in proportion to each service's requests without a host.
  double unrouted = 0.0;
  double routed_failed = 0.0;
  for (const auto& load : loads_) {
    unrouted += std::max(0.0, load.arriving - load.routed);
    routed_failed += load.failed;
  }
  const double unrouted_failed =
      std::max(0.0, fleet_.sums(std::nullopt).overload_failed_per_s - routed_failed);
  if (unrouted <= 0.0) return;
  for (auto& load : loads_) {
    load.failed += unrouted_failed * std::max(0.0, load.arriving - load.routed) / unrouted;
  }
}

void IncidentTracker::measure(std::uint32_t service) {
  HostSums sums = fleet_.service_sums(service);
  if (fleet_.switched_off(service)) {
    // Switched off on purpose: its callers no longer call it, so it has no requests to fail and
    // no level to breach. Its halted hosts still count as unavailable.
    levels_[service] = ServiceLevel{};
    levels_[service].unavailable_hosts = sums.unavailable;
    rates_[service] = Rates{};
    rates_[service].unavailable_hosts = static_cast<double>(sums.unavailable);
    return;
  }
  std::int64_t overloaded = 0;
  if (fleet_.has_load() && arrivals_) {
    const ServiceLoad& load = loads_[service];
    sums.has_load = true;
    sums.requests_per_s = std::max(load.arriving, load.routed);
    sums.overload_failed_per_s = load.failed;
    sums.load_latency_ms = load.routed > 0.0 ? load.response_weighted / load.routed : 0.0;
    overloaded = load.overloaded;
  }
  ServiceLevel& level = levels_[service];
  level.error_rate = user_error_rate_of(sums);
  level.latency_ms = metric_of(sums, spec::Metric::latency_ms, scenario_.business.base_latency_ms);
  level.unavailable_hosts = sums.unavailable + overloaded;
  const auto latency = latency_target(service);
  level.breached = level.error_rate > 1.0 - targets_[service] / 100.0 + kTolerance ||
                   (latency && level.latency_ms > *latency + kTolerance);
  Rates& rates = rates_[service];
  const bool outage = !sums.has_load && sums.serving == 0 && sums.unavailable > 0;
  const double rps = scenario_.business.requests_per_host_per_s;
  rates.requests_per_s = sums.has_load ? sums.requests_per_s
                         : outage      ? rps * sums.live_weight
                                       : rps * sums.serving_weight;
  rates.failed_per_s = rates.requests_per_s * level.error_rate;
  rates.outage_per_s = outage ? rates.requests_per_s : 0.0;
  rates.unavailable_hosts = static_cast<double>(level.unavailable_hosts);
}

void IncidentTracker::update() {
  dirty_ = false;
  const engine::Time now = dirty_at_;
  const double ms = static_cast<double>((now - settled_at_).ms());
  if (ms > 0.0) {
    for (std::size_t s = 0; s < records_.size(); ++s) carry(records_[s], rates_[s], ms);
    carry(overall_, overall_rates_, ms);
  }
  settled_at_ = now;
  overall_rates_ = Rates{};
  bool any_active = false;
  for (std::uint32_t s = 0; s < records_.size(); ++s) {
    measure(s);
    const bool harm = fleet_.service_totals(s).misbehaving > 0;
    const bool active = levels_[s].breached || harm;
    transition(records_[s], active, harm, now);
    any_active = any_active || active;
    overall_rates_.requests_per_s += rates_[s].requests_per_s;
    overall_rates_.failed_per_s += rates_[s].failed_per_s;
    overall_rates_.outage_per_s += rates_[s].outage_per_s;
    overall_rates_.unavailable_hosts += rates_[s].unavailable_hosts;
  }
  transition(overall_, any_active, fleet_.totals().misbehaving_hosts > 0, now);
}

IncidentRecord IncidentTracker::service_at(std::uint32_t service, engine::Time now) const {
  if (dirty_) {
    // A reader that must not change the run sees the levels read on a copy.
    IncidentTracker copy(*this);
    copy.update();
    return copy.service_at(service, now);
  }
  IncidentRecord record = records_[service];
  carry(record, rates_[service], static_cast<double>((now - settled_at_).ms()));
  return record;
}

IncidentRecord IncidentTracker::overall_at(engine::Time now) const {
  if (dirty_) {
    IncidentTracker copy(*this);
    copy.update();
    return copy.overall_at(now);
  }
  IncidentRecord record = overall_;
  carry(record, overall_rates_, static_cast<double>((now - settled_at_).ms()));
  return record;
}

}  // namespace deploysim::model
