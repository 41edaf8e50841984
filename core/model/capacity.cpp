#include "model/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace deploysim::model {

double erlang_c(std::int64_t servers, double offered_load) {
  const auto c = static_cast<double>(servers);
  if (offered_load >= c) return 1.0;
  if (offered_load <= 0.0) return 0.0;
  // Erlang B by its recursion, which stays within [0, 1] where the textbook sum of a^k/k!
  // overflows for a few hundred servers; C follows from B.
  double b = 1.0;
  for (std::int64_t k = 1; k <= servers; ++k) {
    b = offered_load * b / (static_cast<double>(k) + offered_load * b);
  }
  const double rho = offered_load / c;
  return b / (1.0 - rho * (1.0 - b));
}

double MmcQueue::wait_probability() const {
  return erlang_c(servers, arrival_rate / service_rate);
}

double MmcQueue::mean_response_s() const {
  const double drain = static_cast<double>(servers) * service_rate - arrival_rate;
  return 1.0 / service_rate + wait_probability() / drain;
}

double MmcQueue::response_tail(double t_s, double wait_probability) const {
  if (t_s <= 0.0) return 1.0;
  const double mu = service_rate;
  const double theta = static_cast<double>(servers) * service_rate - arrival_rate;
  const double served_at_once = (1.0 - wait_probability) * std::exp(-mu * t_s);
  // Wait (rate θ) plus service (rate μ): a hypoexponential tail, or Erlang-2 when θ = μ.
  double waited;
  if (std::abs(mu - theta) <= 1e-9 * mu) {
    waited = (1.0 + mu * t_s) * std::exp(-mu * t_s);
  } else {
    waited = (mu * std::exp(-theta * t_s) - theta * std::exp(-mu * t_s)) / (mu - theta);
  }
  return std::clamp(served_at_once + wait_probability * waited, 0.0, 1.0);
}

namespace {

constexpr double kOverloadFailureShare = 1e-3;

// The t where a decreasing tail function falls to `level`, by bisection on [0, hi].
template <typename Tail>
double solve_tail(const Tail& tail, double level, double hi) {
  double lo = 0.0;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (tail(mid) > level) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double MmcQueue::response_quantile(double p) const {
  const double c = wait_probability();
  const double level = 1.0 - p;
  const auto tail = [&](double t) { return response_tail(t, c); };
  double hi = 1.0 / service_rate;
  while (tail(hi) > level) hi *= 2.0;
  return solve_tail(tail, level, hi);
}

double load_rate(const spec::LoadProfile& profile, engine::Time t) {
  using Kind = spec::LoadProfile::Kind;
  double rate = profile.rps;
  switch (profile.kind) {
    case Kind::constant:
      break;
    case Kind::diurnal: {
      constexpr double kDayMs = 86'400'000.0;
      const double since_peak =
          static_cast<double>((t.since_start() + profile.day_offset - profile.peak).ms());
      rate = profile.mean_rps *
             (1.0 + profile.amplitude * std::cos(2.0 * std::numbers::pi * since_peak / kDayMs));
      break;
    }
    case Kind::step:
    case Kind::csv: {
      // The last point at or before t.
      const auto after =
          std::upper_bound(profile.points.begin(), profile.points.end(), t,
                           [](engine::Time time, const auto& point) { return time < point.first; });
      if (after != profile.points.begin()) rate = std::prev(after)->second;
      break;
    }
  }
  for (const auto& spike : profile.spikes) {
    if (t >= spike.at && t < spike.at + spike.duration) rate += spike.extra_rps;
  }
  return std::max(0.0, rate);
}

LoadModel::LoadModel(World& world) : world_(world) {
  const auto& scenario = world.scenario();
  const auto& fleet = world.fleet();
  tick_ = std::min(scenario.monitoring.scrape_interval, engine::Duration::seconds(15));
  for (const auto& scaler : scenario.autoscalers) {
    tick_ = std::min(tick_, scaler.sync_period);
    history_span_ = std::max(history_span_, scaler.metric_lag);
  }
  for (const auto& profile : scenario.loads) {
    const spec::HostCapacity* capacity = nullptr;
    for (const auto& c : scenario.capacities) {
      if (c.service == profile.service) capacity = &c;
    }
    load_capacity_.push_back(capacity);
  }
  group_service_load_.assign(fleet.groups().size(), -1);
  for (std::uint32_t g = 0; g < fleet.groups().size(); ++g) {
    const auto& service = fleet.service_names()[fleet.groups()[g].service];
    for (std::size_t l = 0; l < scenario.loads.size(); ++l) {
      if (scenario.loads[l].service == service) group_service_load_[g] = static_cast<int>(l);
    }
  }
  group_utilization_.assign(fleet.groups().size(), 0.0);
  version_capacity_.assign(fleet.versions().size(), 0.0);
  for (std::size_t v = 0; v < fleet.versions().size(); ++v) {
    const auto& version = fleet.versions()[v];
    for (const auto* capacity : load_capacity_) {
      if (capacity->service != fleet.service_names()[version.service]) continue;
      const auto it = capacity->rps_per_host_by_version.find(version.name);
      version_capacity_[v] =
          it != capacity->rps_per_host_by_version.end() ? it->second : capacity->rps_per_host;
      const auto cost = capacity->cpu_cost_by_version.find(version.name);
      if (cost != capacity->cpu_cost_by_version.end()) version_capacity_[v] /= cost->second;
    }
  }
  read_cpu_costs();
}

void LoadModel::read_cpu_costs() {
  const auto& scenario = world_.scenario();
  const auto& fleet = world_.fleet();
  for (std::size_t l = 0; l < scenario.loads.size(); ++l) {
    const auto& names = fleet.service_names();
    load_service_.push_back(static_cast<std::uint32_t>(
        std::find(names.begin(), names.end(), scenario.loads[l].service) - names.begin()));
    const spec::HostCapacity& capacity = *load_capacity_[l];
    auto& by_behaviour = behaviour_cost_.emplace_back();
    if (!capacity.cpu_cost_by_behaviour.empty()) {
      for (const auto& behaviour : fleet.behaviours()) {
        const auto it = capacity.cpu_cost_by_behaviour.find(behaviour.name);
        by_behaviour.push_back(it == capacity.cpu_cost_by_behaviour.end() ? 1.0 : it->second);
      }
    }
    auto& by_flag = flag_cost_.emplace_back();
    for (const auto& [flag, cost] : capacity.cpu_cost_by_flag) {
      by_flag.emplace_back(*fleet.find_flag(flag), cost);
    }
  }
}

void LoadModel::start() {
  update();
  world_.kernel().wake_after(tick_, *this);
}

void LoadModel::on_wake(engine::Kernel& kernel, std::uint64_t /*tag*/) {
  update();
  kernel.wake_after(tick_, *this);
}

double LoadModel::service_rate_for_group(std::uint32_t g) const {
  const int l = group_service_load_[g];
  return l < 0 ? 0.0
               : load_rate(world_.scenario().loads[static_cast<std::size_t>(l)], world_.now());
}

double LoadModel::group_utilization_at(std::uint32_t g, engine::Time t) const {
  for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
    if (it->first <= t) return it->second[g];
  }
  return history_.empty() ? group_utilization_[g] : history_.front().second[g];
}

double LoadModel::overload_seconds() const {
  double ms = overload_ms_;
  if (overloaded_since_ != engine::Time::max()) {
    ms += static_cast<double>((world_.now() - overloaded_since_).ms());
  }
  return ms / 1'000.0;
}

// One tick's working figures, passed from phase to phase of update().
struct LoadModel::Tick {
  std::vector<double> rate;         // by load: requests/s now
  std::vector<double> load_weight;  // by load: traffic weight of its serving hosts
  std::vector<double> load_failed;  // by load: requests/s failing for lack of capacity
  std::vector<double> group_weight_per_capacity;
  std::vector<std::int64_t> group_serving;
  double total_rate = 0.0;
  double weighted_latency = 0.0;  // seconds, weighted by share of requests
  double longest_timeout = 0.0;
  // Requests answered at one fixed time (saturated hosts, failures, a cold start), as point
  // masses of the latency distribution: (share of all requests, seconds).
  std::vector<std::pair<double, double>> fixed;
  LoadFigures figures;
};

void LoadModel::update() {
  const auto& scenario = world_.scenario();
  const std::size_t loads = scenario.loads.size();
  Tick tick;
  tick.rate.resize(loads);
  tick.load_failed.assign(loads, 0.0);
  for (std::size_t l = 0; l < loads; ++l) {
    // Right after a cold restart, callers' retries come back on top of the ordinary load.
    tick.rate[l] = load_rate(scenario.loads[l], world_.now()) *
                   world_.fleet().load_multiplier(load_service_[l], world_.now());
  }
  classify_serving_hosts(tick);
  for (double r : tick.rate) tick.total_rate += r;
  tick.figures.requests_per_s = tick.total_rate;
  queue_classes(tick);
  serve_loads_without_hosts(tick);
  tick.figures.failed_per_s = std::min(tick.figures.failed_per_s, tick.total_rate);
  set_host_loads();
  tick.figures.mean_latency_ms = tick.weighted_latency * 1'000.0;
  if (tick.total_rate > 0.0) latency_quantiles(tick);
  group_utilizations(tick);
  figures_ = tick.figures;
  max_utilization_ = std::max(max_utilization_, tick.figures.peak_utilization);
  track_overload();
  // Each service's own overload is what its callers see of it (model/dependencies.hpp).
  for (std::size_t l = 0; l < loads; ++l) {
    world_.fleet().set_service_overload(
        load_service_[l],
        tick.rate[l] > 0.0 ? std::min(1.0, tick.load_failed[l] / tick.rate[l]) : 0.0);
  }
  world_.fleet().set_load(figures_.requests_per_s, figures_.failed_per_s, figures_.mean_latency_ms);
  record_history();
}

void LoadModel::classify_serving_hosts(Tick& tick) {
  // Serving hosts by (load, traffic weight): hosts alike see the same queue, so the queueing
  // formulas run once per class instead of once per host.
  const Fleet& fleet = world_.fleet();
  const std::size_t groups = fleet.groups().size();
  classes_.clear();
  tick.load_weight.assign(tick.rate.size(), 0.0);
  tick.group_weight_per_capacity.assign(groups, 0.0);
  tick.group_serving.assign(groups, 0);
  for (std::uint32_t g = 0; g < groups; ++g) {
    const int l = group_service_load_[g];
    if (l < 0) continue;
    double group_weight = 0.0;
    for (HostIndex h : fleet.groups()[g].hosts) {
      if (!fleet.is_serving(h)) continue;
      const float w = fleet.weight_of(h);
      const double capacity = host_capacity(l, h);
      ++tick.group_serving[g];
      group_weight += w;
      tick.group_weight_per_capacity[g] += w / capacity;
      HostClass* host_class = find_class(l, w, capacity);
      if (host_class == nullptr) {
        host_class = &classes_.emplace_back(HostClass{.load = l,
                                                      .weight = w,
                                                      .capacity = capacity,
                                                      .hosts = 0,
                                                      .arrival_per_host = 0.0,
                                                      .share = 0.0,
                                                      .saturated = false,
                                                      .failed_fraction = 0.0,
                                                      .queue = {}});
      }
      ++host_class->hosts;
    }
    tick.load_weight[static_cast<std::size_t>(l)] += group_weight;
  }
}

void LoadModel::queue_classes(Tick& tick) {
  for (auto& c : classes_) {
    const auto l = static_cast<std::size_t>(c.load);
    const auto& capacity = *load_capacity_[l];
    const double timeout = capacity.timeout.to_seconds();
    tick.longest_timeout = std::max(tick.longest_timeout, timeout);
    c.arrival_per_host =
        tick.load_weight[l] > 0.0 ? tick.rate[l] * c.weight / tick.load_weight[l] : 0.0;
    c.queue = MmcQueue{.servers = capacity.concurrency,
                       .arrival_rate = c.arrival_per_host,
                       .service_rate = c.capacity / static_cast<double>(capacity.concurrency)};
    const double arrivals = c.arrival_per_host * static_cast<double>(c.hosts);
    c.share = tick.total_rate > 0.0 ? arrivals / tick.total_rate : 0.0;
    c.saturated = c.arrival_per_host >= c.capacity;
    tick.figures.serving_replicas += c.hosts;
    c.failed_fraction = 0.0;
    if (c.saturated) {
      c.failed_fraction = 1.0 - c.capacity / c.arrival_per_host;
      // The queue is full to the timeout: what a host serves waits that long, the rest fails.
      tick.figures.failed_per_s += arrivals - c.capacity * static_cast<double>(c.hosts);
      tick.load_failed[l] += arrivals - c.capacity * static_cast<double>(c.hosts);
      tick.weighted_latency += c.share * timeout;
      tick.fixed.emplace_back(c.share, timeout);
      continue;
    }
    if (arrivals <= 0.0) continue;
    const double wait = c.queue.wait_probability();
    c.failed_fraction = c.queue.response_tail(timeout, wait);
    tick.figures.failed_per_s += arrivals * c.failed_fraction;
    tick.load_failed[l] += arrivals * c.failed_fraction;
    tick.weighted_latency += c.share * c.queue.mean_response_s();
  }
}

void LoadModel::serve_loads_without_hosts(Tick& tick) {
  // A loaded service with no serving host: its requests wait for a host that is starting (a
  // cold start) if one comes within the timeout, and fail otherwise.
  for (std::size_t l = 0; l < tick.rate.size(); ++l) {
    if (tick.rate[l] <= 0.0 || tick.load_weight[l] > 0.0) continue;
    const double timeout = load_capacity_[l]->timeout.to_seconds();
    tick.longest_timeout = std::max(tick.longest_timeout, timeout);
    std::optional<double> wait;
    if (cold_start_hook_) {
      for (std::uint32_t g = 0; g < group_service_load_.size() && !wait; ++g) {
        if (group_service_load_[g] == static_cast<int>(l)) wait = cold_start_hook_(g);
      }
    }
    const double share = tick.rate[l] / tick.total_rate;
    if (wait && *wait <= timeout) {
      tick.fixed.emplace_back(share, *wait);
      tick.weighted_latency += share * *wait;
    } else {
      tick.figures.failed_per_s += tick.rate[l];
      tick.load_failed[l] += tick.rate[l];
      tick.fixed.emplace_back(share, timeout);
      tick.weighted_latency += share * timeout;
    }
  }
}

void LoadModel::set_host_loads() {
  // What each serving host receives, for metrics of a subset of hosts (a canary's analysis);
  // hosts out of rotation receive nothing.
  Fleet& fleet = world_.fleet();
  for (std::uint32_t g = 0; g < fleet.groups().size(); ++g) {
    const int l = group_service_load_[g];
    if (l < 0) continue;
    const double timeout_ms =
        load_capacity_[static_cast<std::size_t>(l)]->timeout.to_seconds() * 1'000.0;
    for (HostIndex h : fleet.groups()[g].hosts) {
      const HostClass* host_class =
          fleet.is_serving(h) ? find_class(l, fleet.weight_of(h), host_capacity(l, h)) : nullptr;
      if (host_class == nullptr) {
        fleet.set_host_load(h, 0.0, 0.0, 0.0);
        continue;
      }
      const double response_ms =
          host_class->saturated ? timeout_ms : host_class->queue.mean_response_s() * 1'000.0;
      fleet.set_host_load(h, host_class->arrival_per_host, host_class->failed_fraction,
                          response_ms);
    }
  }
}

void LoadModel::latency_quantiles(Tick& tick) const {
  std::vector<double> waits(classes_.size());
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    if (!classes_[i].saturated) waits[i] = classes_[i].queue.wait_probability();
  }
  // P(response > t) over all requests, failed ones counted at their timeout.
  const auto tail = [&](double t) {
    double sum = 0.0;
    for (std::size_t i = 0; i < classes_.size(); ++i) {
      const auto& c = classes_[i];
      if (c.saturated || c.share <= 0.0) continue;
      sum += c.share * c.queue.response_tail(t, waits[i]);
    }
    for (const auto& [share, at] : tick.fixed) {
      if (t < at) sum += share;
    }
    return sum;
  };
  const auto quantile_ms = [&](double p) {
    const double hi = std::max(tick.longest_timeout, 1e-3);
    if (tail(hi * (1.0 - 1e-12)) > 1.0 - p) return hi * 1'000.0;
    return solve_tail(tail, 1.0 - p, hi) * 1'000.0;
  };
  tick.figures.p50_ms = quantile_ms(0.50);
  tick.figures.p95_ms = quantile_ms(0.95);
  tick.figures.p99_ms = quantile_ms(0.99);
}

void LoadModel::group_utilizations(Tick& tick) {
  for (std::uint32_t g = 0; g < group_utilization_.size(); ++g) {
    const int l = group_service_load_[g];
    if (l < 0) continue;
    const auto li = static_cast<std::size_t>(l);
    // Offered load per serving host over its capacity: what CPU utilisation (or a
    // requests-per-second metric over its target) reports, uncapped. With no serving host no
    // pod reports a metric.
    double utilization = 0.0;
    if (tick.group_serving[g] > 0 && tick.load_weight[li] > 0.0) {
      utilization = tick.rate[li] * tick.group_weight_per_capacity[g] / tick.load_weight[li] /
                    static_cast<double>(tick.group_serving[g]);
    }
    group_utilization_[g] = utilization;
    tick.figures.peak_utilization = std::max(tick.figures.peak_utilization, utilization);
  }
}

void LoadModel::track_overload() {
  // Overloaded: a group saturated, or more than 0.1% of requests failing for lack of capacity.
  // Queueing tails fail a vanishing share of requests at any load, so a lower bar would count
  // an ordinary busy afternoon as overload.
  const double total_rate = figures_.requests_per_s;
  const bool overloaded =
      figures_.peak_utilization >= 1.0 ||
      (total_rate > 0.0 && figures_.failed_per_s > kOverloadFailureShare * total_rate);
  if (overloaded && overloaded_since_ == engine::Time::max()) {
    overloaded_since_ = world_.now();
  } else if (!overloaded && overloaded_since_ != engine::Time::max()) {
    overload_ms_ += static_cast<double>((world_.now() - overloaded_since_).ms());
    overloaded_since_ = engine::Time::max();
  }
}

void LoadModel::record_history() {
  if (history_span_ <= engine::Duration{}) return;
  history_.emplace_back(world_.now(), group_utilization_);
  while (history_.size() > 1 && history_[1].first <= world_.now() - history_span_) {
    history_.pop_front();
  }
}

}  // namespace deploysim::model
