#include "delivery/drift.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "delivery/cancel.hpp"
#include "delivery/limits.hpp"
#include "delivery/parallel.hpp"
#include "delivery/quantities.hpp"
#include "engine/kernel.hpp"
#include "engine/random.hpp"
#include "experiment/runner.hpp"

namespace deploysim::delivery {

namespace {

constexpr std::uint64_t kSampleTag = UINT64_MAX;
constexpr std::uint64_t kDeployTag = UINT64_MAX - 1;

// The run's state and its processes. Tags: 2 * host for a drift, 2 * host + 1 for an agent run.
class DriftModel : public engine::Process {
 public:
  DriftModel(const DriftConfig& config, std::uint64_t seed, const std::atomic<bool>* stop)
      : config_(config),
        stop_(stop),
        drift_key_(engine::stream_key(seed, "drift/host/drift")),
        agent_key_(engine::stream_key(seed, "drift/host/agent")),
        deploy_stream_(seed, "drift/deploy"),
        drifted_since_(static_cast<std::size_t>(config.hosts), -1.0),
        run_(),
        warmup_s_(config.warmup.to_seconds()),
        horizon_s_(config.horizon.to_seconds()) {
    run_.time_in_drift_s.assign(static_cast<std::size_t>(config.hosts), 0.0);
    drift_streams_.reserve(drifted_since_.size());
    agent_streams_.reserve(drifted_since_.size());
    for (std::size_t h = 0; h < drifted_since_.size(); ++h) {
      drift_streams_.emplace_back(engine::member_stream_key(drift_key_, h));
      agent_streams_.emplace_back(engine::member_stream_key(agent_key_, h));
    }
  }

  DriftRun run() {
    kernel_.reserve(2 * drifted_since_.size() + 2);
    // Every host starts clean; the agents start out of phase, as hosts booted at different times.
    for (std::size_t h = 0; h < drifted_since_.size(); ++h) {
      schedule_drift(h);
      const double first =
          config_.schedule == AgentSchedule::periodic
              ? agent_streams_[h].uniform(0.0, static_cast<double>(config_.interval.ms()))
              : agent_streams_[h].exponential(static_cast<double>(config_.interval.ms()));
      kernel_.wake_after(duration_ms(first), *this, 2 * h + 1);
    }
    kernel_.wake_at(engine::Time::zero(), *this, kSampleTag);
    if (config_.deploy_every.ms() > 0) kernel_.wake_after(config_.deploy_every, *this, kDeployTag);
    run_until_or_cancelled(kernel_, engine::Time::zero() + config_.horizon, stop_);
    // Close the books at the horizon.
    advance_area(horizon_s_);
    for (std::size_t h = 0; h < drifted_since_.size(); ++h) {
      if (drifted_since_[h] >= 0.0) run_.time_in_drift_s[h] += horizon_s_ - drifted_since_[h];
    }
    const double window = (horizon_s_ - warmup_s_) * static_cast<double>(drifted_since_.size());
    run_.steady_drifted_fraction = area_ / window;
    run_.events_processed = kernel_.events_processed();
    return std::move(run_);
  }

  void on_wake(engine::Kernel& kernel, std::uint64_t tag) override {
    const double now = kernel.now().to_seconds();
    if (tag == kSampleTag) {
      run_.series.push_back(
          {now, static_cast<double>(drifted_) / static_cast<double>(drifted_since_.size())});
      kernel.wake_after(config_.sample_every, *this, kSampleTag);
      return;
    }
    if (tag == kDeployTag) {
      deploy();
      kernel.wake_after(config_.deploy_every, *this, kDeployTag);
      return;
    }
    const std::size_t host = static_cast<std::size_t>(tag / 2);
    if (tag % 2 == 0) {
      // Only clean hosts have a pending drift, so this host becomes drifted now.
      advance_area(now);
      drifted_since_[host] = now;
      ++drifted_;
      ++run_.drift_events;
      return;
    }
    ++run_.agent_runs;
    // Draw the outcome whatever the state, so a host's agent stream does not depend on drift.
    const bool success = agent_streams_[host].bernoulli(config_.success_probability);
    if (drifted_since_[host] >= 0.0 && success) {
      advance_area(now);
      run_.time_in_drift_s[host] += now - drifted_since_[host];
      drifted_since_[host] = -1.0;
      --drifted_;
      ++run_.repairs;
      schedule_drift(host);
    }
    kernel.wake_after(duration_ms(next_gap_ms(host)), *this, tag);
  }

 private:
  static engine::Duration duration_ms(double ms) {
    return engine::Duration::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
  }

  double next_gap_ms(std::size_t host) {
    const double interval = static_cast<double>(config_.interval.ms());
    if (config_.schedule == AgentSchedule::exponential) {
      return agent_streams_[host].exponential(interval);
    }
    return interval + agent_streams_[host].uniform(0.0, static_cast<double>(config_.splay.ms()));
  }

  void schedule_drift(std::size_t host) {
    const double mean_ms = kDay * 1000.0 / config_.drift_rate_per_day;
    kernel_.wake_after(duration_ms(drift_streams_[host].exponential(mean_ms)), *this, 2 * host);
  }

  // Adds drifted host-seconds inside [warmup, horizon] up to `now`.
  void advance_area(double now) {
    const double from = std::max(last_change_s_, warmup_s_);
    const double to = std::min(now, horizon_s_);
    if (to > from) area_ += static_cast<double>(drifted_) * (to - from);
    last_change_s_ = now;
  }

  void deploy() {
    ++run_.deploys;
    std::int64_t bad = 0;
    for (std::size_t h = 0; h < drifted_since_.size(); ++h) {
      if (drifted_since_[h] >= 0.0 && deploy_stream_.bernoulli(config_.deploy_failure_if_drifted)) {
        ++bad;
      }
    }
    run_.bad_host_deploys += bad;
    if (bad > 0) {
      ++run_.deploy_incidents;
      run_.incidents.push_back({kernel_.now().to_seconds(), drifted_, bad});
    }
  }

  const DriftConfig& config_;
  const std::atomic<bool>* stop_;
  engine::Kernel kernel_;
  std::uint64_t drift_key_;
  std::uint64_t agent_key_;
  engine::RandomStream deploy_stream_;
  std::vector<engine::RandomStream> drift_streams_;
  std::vector<engine::RandomStream> agent_streams_;
  std::vector<double> drifted_since_;  // seconds; -1 while clean
  DriftRun run_;
  std::int64_t drifted_ = 0;
  double warmup_s_;
  double horizon_s_;
  double last_change_s_ = 0.0;
  double area_ = 0.0;
};

}  // namespace

void validate(const DriftConfig& c) {
  auto fail = [](const std::string& message) { throw std::invalid_argument(message); };
  if (c.hosts < 1) fail("hosts: expected at least 1, found " + std::to_string(c.hosts));
  if (!(c.drift_rate_per_day > 0.0 && c.drift_rate_per_day <= kMaxDriftRatePerDay)) {
    fail("drift rate: expected a rate per host per day above 0 and at most " +
         short_number(kMaxDriftRatePerDay) + " (one a second), found " +
         short_number(c.drift_rate_per_day));
  }
  if (c.interval.ms() <= 0) fail("agent interval: expected a duration > 0, found 0");
  if (c.splay.ms() < 0) fail("splay: expected a duration >= 0");
  if (c.schedule == AgentSchedule::exponential && c.splay.ms() != 0) {
    fail("splay: the exponential schedule is already random; expected no splay with it");
  }
  if (!is_probability(c.success_probability)) {
    fail("success probability: expected a probability in [0, 1], found " +
         short_number(c.success_probability));
  }
  if (!is_probability(c.deploy_failure_if_drifted)) {
    fail("deploy failure if drifted: expected a probability in [0, 1], found " +
         short_number(c.deploy_failure_if_drifted));
  }
  if (c.horizon.ms() <= 0) fail("horizon: expected a duration > 0, found 0");
  if (c.warmup.ms() < 0 || c.warmup >= c.horizon) {
    fail("warmup: expected a duration shorter than the horizon (" +
         engine::format_duration(c.horizon) + "), found " + engine::format_duration(c.warmup));
  }
  if (c.sample_every.ms() <= 0) fail("sample interval: expected a duration > 0, found 0");
  if (c.deploy_every.ms() < 0) fail("deploy interval: expected a duration >= 0");
  check_work(c);
}

DriftRun simulate_drift(const DriftConfig& config, std::uint64_t seed,
                        const std::atomic<bool>* stop) {
  validate(config);
  DriftModel model(config, seed, stop);
  return model.run();
}

DriftAnalysis analyze_drift(const DriftConfig& config) {
  validate(config);
  DriftAnalysis a;
  const double lambda = config.drift_rate_per_day / kDay;  // per second
  const double p = config.success_probability;
  const double t = config.interval.to_seconds();
  const double s = config.splay.to_seconds();

  // Gap between runs: mean and squared coefficient of variation.
  double cv2 = 1.0;
  if (config.schedule == AgentSchedule::periodic) {
    a.mean_gap_s = t + s / 2.0;
    cv2 = (s * s / 12.0) / (a.mean_gap_s * a.mean_gap_s);
  } else {
    a.mean_gap_s = t;
  }
  a.phases = cv2 >= 1.0 ? 1 : static_cast<int>(std::clamp(std::round(1.0 / cv2), 1.0, 200.0));

  // Generator over states (phase j, clean 0 / drifted 1) -> index 2j + c.
  const int k = a.phases;
  const int n = 2 * k;
  const double phase_rate = static_cast<double>(k) / a.mean_gap_s;
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(n, n);
  for (int j = 0; j < k; ++j) {
    const int clean = 2 * j;
    const int drifted = 2 * j + 1;
    q(clean, drifted) += lambda;
    const int next = (j + 1) % k;
    if (j + 1 < k) {
      q(clean, 2 * next) += phase_rate;
      q(drifted, 2 * next + 1) += phase_rate;
    } else {
      // The gap ends: the agent runs and repairs a drifted host with probability p.
      q(clean, 0) += phase_rate;
      q(drifted, 0) += phase_rate * p;
      q(drifted, 1) += phase_rate * (1.0 - p);
    }
  }
  for (int i = 0; i < n; ++i) q(i, i) -= q.row(i).sum();
  // pi Q = 0 with sum(pi) = 1: solve Q^T pi = 0 with the last equation replaced by the sum.
  Eigen::MatrixXd system = q.transpose();
  system.row(n - 1).setOnes();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
  rhs(n - 1) = 1.0;
  const Eigen::VectorXd pi = system.fullPivLu().solve(rhs);
  double drifted = 0.0;
  for (int j = 0; j < k; ++j) drifted += pi(2 * j + 1);
  a.ctmc_drifted_fraction = drifted;

  // Renewal-reward, exact for the schedule as simulated. With gap X: a clean host at the start
  // of a gap drifts by its end with probability b = 1 - E[exp(-lambda X)]; d is the chance a
  // host is drifted right after a run; the time drifted in a gap from clean is X - (1 -
  // exp(-lambda X)) / lambda.
  double laplace = 0.0;  // E[exp(-lambda X)]
  if (config.schedule == AgentSchedule::exponential) {
    laplace = 1.0 / (1.0 + lambda * t);
  } else if (s > 0.0) {
    laplace = std::exp(-lambda * t) * -std::expm1(-lambda * s) / (lambda * s);
  } else {
    laplace = std::exp(-lambda * t);
  }
  const double b = 1.0 - laplace;
  const double d = (1.0 - p) * b / (p + b - p * b);
  a.exact_drifted_fraction = 1.0 - (1.0 - d) * b / (lambda * a.mean_gap_s);
  return a;
}

DriftExperiment run_drift_experiment(const DriftConfig& config, std::int64_t replicas,
                                     std::uint64_t base_seed, int threads, DriftRun* first_run,
                                     const std::atomic<bool>* stop) {
  validate(config);
  if (replicas < 1) throw std::invalid_argument("replicas: expected at least 1");
  check_replicas(replicas);
  std::vector<DriftRun> runs(static_cast<std::size_t>(replicas));
  for_each_replica(replicas, threads, stop, [&](std::int64_t r) {
    runs[static_cast<std::size_t>(r)] = simulate_drift(
        config, experiment::replica_seed(base_seed, static_cast<std::uint64_t>(r)), stop);
  });
  // Combined in replica order, so the thread count cannot change a bit of the result.
  DriftExperiment e;
  double incidents = 0.0;
  for (const DriftRun& run : runs) {
    e.steady_drifted_fraction.add(run.steady_drifted_fraction);
    for (double s : run.time_in_drift_s) e.time_in_drift_share.add(s / config.horizon.to_seconds());
    incidents += static_cast<double>(run.deploy_incidents);
    e.deploy_incidents.add(static_cast<double>(run.deploy_incidents));
    e.events_processed += run.events_processed;
    if (e.mean_series.empty()) e.mean_series.assign(run.series.size(), DriftSample{});
    for (std::size_t i = 0; i < run.series.size() && i < e.mean_series.size(); ++i) {
      e.mean_series[i].time_s = run.series[i].time_s;
      e.mean_series[i].drifted_fraction +=
          run.series[i].drifted_fraction / static_cast<double>(replicas);
    }
  }
  e.ci95 = experiment::t_interval(e.steady_drifted_fraction);
  e.deploy_incidents_per_run = incidents / static_cast<double>(replicas);
  e.deploy_incidents_ci95 = experiment::t_interval(e.deploy_incidents);
  if (first_run != nullptr) *first_run = std::move(runs.front());
  return e;
}

}  // namespace deploysim::delivery
