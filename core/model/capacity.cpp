#include "model/capacity.hpp"

#include <algorithm>
#include <array>
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

namespace {

// The terms of P(response > t) of one M/M/c queue that do not depend on t, worked out once for
// the hundreds of evaluations a quantile's bisection makes.
struct TailTerms {
  double mu;              // service rate of a worker
  double theta;           // rate the queue drains at: cμ − λ
  double wait;            // Erlang C
  double served_at_once;  // 1 − C
  double mu_minus_theta;
  bool erlang2;  // θ = μ, where the hypoexponential form divides by zero

  TailTerms(const MmcQueue& queue, double wait_probability)
      : mu(queue.service_rate),
        theta(static_cast<double>(queue.servers) * queue.service_rate - queue.arrival_rate),
        wait(wait_probability),
        served_at_once(1.0 - wait_probability),
        mu_minus_theta(mu - theta),
        erlang2(std::abs(mu - theta) <= 1e-9 * mu) {}

  // Wait (rate θ) plus service (rate μ): a hypoexponential tail, or Erlang-2 when θ = μ.
  // exp(−μt) is computed once; it appeared twice in the formula and the exps are most of a
  // tick's cost.
  double operator()(double t_s) const {
    if (t_s <= 0.0) return 1.0;
    const double decay_mu = std::exp(-mu * t_s);
    const double served = served_at_once * decay_mu;
    double waited;
    if (erlang2) {
      waited = (1.0 + mu * t_s) * decay_mu;
    } else {
      waited = (mu * std::exp(-theta * t_s) - theta * decay_mu) / mu_minus_theta;
    }
    return std::clamp(served + wait * waited, 0.0, 1.0);
  }
};

}  // namespace

double MmcQueue::response_tail(double t_s, double wait_probability) const {
  return TailTerms(*this, wait_probability)(t_s);
}

namespace {

constexpr double kOverloadFailureShare = 1e-3;
constexpr int kBisectionSteps = 60;

// The t where a decreasing tail function falls to `level`, by bisection on [0, hi].
template <typename Tail>
double solve_tail(const Tail& tail, double level, double hi) {
  double lo = 0.0;
  for (int i = 0; i < kBisectionSteps; ++i) {
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
  if (host_class_.size() < fleet.size()) host_class_.resize(fleet.size(), kNoClass);
  std::uint32_t hint = kNoClass;
  for (std::uint32_t g = 0; g < groups; ++g) {
    const int l = group_service_load_[g];
    if (l < 0) continue;
    double group_weight = 0.0;
    for (HostIndex h : fleet.groups()[g].hosts) {
      if (!fleet.is_serving(h)) {
        host_class_[h] = kNoClass;
        continue;
      }
      const float w = fleet.weight_of(h);
      const double capacity = host_capacity(l, h);
      ++tick.group_serving[g];
      group_weight += w;
      tick.group_weight_per_capacity[g] += w / capacity;
      // Most hosts share the previous host's class: checked here, without a call.
      const HostClass* previous = hint != kNoClass ? &classes_[hint] : nullptr;
      if (previous == nullptr || previous->load != l || previous->weight != w ||
          previous->capacity != capacity) {
        hint = class_index(l, w, capacity, hint);
      }
      host_class_[h] = hint;
      ++classes_[hint].hosts;
    }
    tick.load_weight[static_cast<std::size_t>(l)] += group_weight;
  }
}

std::uint32_t LoadModel::class_index(int load, float weight, double capacity, std::uint32_t hint) {
  if (hint != kNoClass) {
    const HostClass& c = classes_[hint];
    if (c.load == load && c.weight == weight && c.capacity == capacity) return hint;
  }
  if (const HostClass* found = find_class(load, weight, capacity)) {
    return static_cast<std::uint32_t>(found - classes_.data());
  }
  classes_.push_back(HostClass{.load = load,
                               .weight = weight,
                               .capacity = capacity,
                               .hosts = 0,
                               .arrival_per_host = 0.0,
                               .share = 0.0,
                               .saturated = false,
                               .failed_fraction = 0.0,
                               .queue = {},
                               .wait = 0.0,
                               .response_ms = 0.0});
  return static_cast<std::uint32_t>(classes_.size() - 1);
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
      c.response_ms = timeout * 1'000.0;
      c.failed_fraction = 1.0 - c.capacity / c.arrival_per_host;
      // The queue is full to the timeout: what a host serves waits that long, the rest fails.
      tick.figures.failed_per_s += arrivals - c.capacity * static_cast<double>(c.hosts);
      tick.load_failed[l] += arrivals - c.capacity * static_cast<double>(c.hosts);
      tick.weighted_latency += c.share * timeout;
      tick.fixed.emplace_back(c.share, timeout);
      continue;
    }
    // Erlang C costs O(servers): once per class and tick, for every figure below.
    c.wait = c.queue.wait_probability();
    const double response_s = c.queue.mean_response_s(c.wait);
    c.response_ms = response_s * 1'000.0;
    if (arrivals <= 0.0) continue;
    c.failed_fraction = c.queue.response_tail(timeout, c.wait);
    tick.figures.failed_per_s += arrivals * c.failed_fraction;
    tick.load_failed[l] += arrivals * c.failed_fraction;
    tick.weighted_latency += c.share * response_s;
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
  fleet.begin_host_loads();
  for (std::uint32_t g = 0; g < fleet.groups().size(); ++g) {
    const int l = group_service_load_[g];
    if (l < 0) continue;
    for (HostIndex h : fleet.groups()[g].hosts) {
      if (!fleet.is_serving(h)) {
        fleet.set_host_load(h, 0.0, 0.0, 0.0);
        continue;
      }
      // A pod a cold start added since the hosts were classified has no class index yet.
      const std::uint32_t index = h < host_class_.size() ? host_class_[h] : kNoClass;
      const HostClass* host_class = index != kNoClass
                                        ? &classes_[index]
                                        : find_class(l, fleet.weight_of(h), host_capacity(l, h));
      if (host_class == nullptr) {
        fleet.set_host_load(h, 0.0, 0.0, 0.0);
        continue;
      }
      fleet.set_host_load(h, host_class->arrival_per_host, host_class->failed_fraction,
                          host_class->response_ms);
    }
  }
}

void LoadModel::latency_quantiles(Tick& tick) const {
  std::vector<TailTerms> terms;
  std::vector<double> shares;
  for (const auto& c : classes_) {
    if (c.saturated || c.share <= 0.0) continue;
    terms.emplace_back(c.queue, c.wait);
    shares.push_back(c.share);
  }
  // P(response > t) over all requests, failed ones counted at their timeout.
  const auto tail = [&](double t) {
    double sum = 0.0;
    for (std::size_t i = 0; i < terms.size(); ++i) sum += shares[i] * terms[i](t);
    for (const auto& [share, at] : tick.fixed) {
      if (t < at) sum += share;
    }
    return sum;
  };
  const double hi = std::max(tick.longest_timeout, 1e-3);
  const double at_timeout = tail(hi * (1.0 - 1e-12));
  // The three bisections start alike and share their first steps (while the midpoint is above
  // the slowest quantile); the previous one's probes are looked up by their exact midpoint.
  std::array<std::pair<double, double>, kBisectionSteps> probes;
  probes.fill({-1.0, 0.0});
  const auto quantile_ms = [&](double p) {
    if (at_timeout > 1.0 - p) return hi * 1'000.0;
    std::size_t step = 0;
    const auto probed = [&](double t) {
      auto& probe = probes[step++];
      if (probe.first != t) probe = {t, tail(t)};
      return probe.second;
    };
    return solve_tail(probed, 1.0 - p, hi) * 1'000.0;
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
