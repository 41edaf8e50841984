#pragma once
// Configuration drift and convergence. Hosts drift away from their declared configuration
// (a manual hotfix, a failed package upgrade) at a rate; a configuration-management agent
// (Puppet, Chef, Ansible-pull) runs on each host every interval plus a random splay and puts a
// drifted host back with some probability; in immutable mode the host is replaced instead.
//
// Two answers to "what fraction of the fleet is drifted?": a discrete-event simulation, and an
// analytic continuous-time Markov chain (solved with Eigen) that the simulation is tested
// against. Hosts are independent, so one host's chain gives the fleet's expected fraction.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/time.hpp"
#include "experiment/statistics.hpp"

namespace deploysim::delivery {

/// How the agent's runs are spaced on each host.
enum class AgentSchedule {
  /// interval + uniform(0, splay) between runs, with a random first run in [0, interval): the
  /// Chef client (interval + splay) and cron-driven Ansible-pull with a random sleep.
  periodic,
  /// Exponential gaps with mean `interval` (memoryless; splay must be 0). The CTMC is exact.
  exponential,
};

/// What an agent run does to a host.
enum class DriftMode {
  converge,   ///< the agent re-applies the declared configuration in place
  immutable,  ///< the host is replaced by a fresh one built from the image
};

/// A drift experiment's inputs. Durations are simulated time.
struct DriftConfig {
  std::int64_t hosts = 100;
  /// Drift events per clean host per day (> 0).
  double drift_rate_per_day = 0.1;
  DriftMode mode = DriftMode::converge;
  AgentSchedule schedule = AgentSchedule::periodic;
  /// Mean gap between runs for the exponential schedule; the fixed part for periodic (> 0).
  engine::Duration interval = engine::Duration::minutes(30);
  /// Random extra delay per run, uniform on [0, splay] (periodic only).
  engine::Duration splay = engine::Duration::minutes(0);
  /// Chance that a run (or replacement) leaves a drifted host clean, in [0, 1].
  double success_probability = 0.95;
  /// Length of each run, and the part at the start left out of steady-state averages.
  engine::Duration horizon = engine::Duration::days(30);
  engine::Duration warmup = engine::Duration::days(1);
  /// Spacing of the drifted-fraction time series (> 0).
  engine::Duration sample_every = engine::Duration::hours(1);
  /// Fleet-wide deploys, every deploy_every (0: none); each drifted host gets the deploy wrong
  /// with probability deploy_failure_if_drifted, and a deploy with any such host is an incident.
  engine::Duration deploy_every = engine::Duration::milliseconds(0);
  double deploy_failure_if_drifted = 0.0;
};

/// Throws std::invalid_argument naming the first bad value: no hosts, a rate <= 0, an interval
/// of 0, a probability outside [0, 1], a splay with the exponential schedule, a warmup not
/// shorter than the horizon.
void validate(const DriftConfig& config);

/// One point of the drifted-fraction time series.
struct DriftSample {
  double time_s = 0.0;
  double drifted_fraction = 0.0;
};

/// A fleet-wide deploy that went wrong on at least one drifted host.
struct DriftIncident {
  double time_s = 0.0;
  std::int64_t drifted_hosts = 0;  ///< drifted when the deploy ran
  std::int64_t bad_hosts = 0;      ///< got the deploy wrong
};

/// One simulated run.
struct DriftRun {
  /// Time-average drifted fraction over [warmup, horizon]: the steady-state estimate.
  double steady_drifted_fraction = 0.0;
  std::vector<DriftSample> series;
  /// Seconds each host spent drifted over the whole run.
  std::vector<double> time_in_drift_s;
  std::int64_t drift_events = 0;
  std::int64_t agent_runs = 0;
  std::int64_t repairs = 0;  ///< runs that put a drifted host back
  std::int64_t deploys = 0;
  std::int64_t bad_host_deploys = 0;  ///< drifted hosts that got a deploy wrong
  std::int64_t deploy_incidents = 0;  ///< deploys with at least one such host
  std::vector<DriftIncident> incidents;
  std::uint64_t events_processed = 0;
};

/// Simulates one run. Random streams are named "drift/host/<i>/drift", ".../agent" and
/// "drift/deploy", so adding hosts does not change the draws of the others. Throws Cancelled
/// (delivery/cancel.hpp) once `stop`, if given, is raised.
DriftRun simulate_drift(const DriftConfig& config, std::uint64_t seed,
                        const std::atomic<bool>* stop = nullptr);

/// The analytic answer.
struct DriftAnalysis {
  /// Steady-state drifted fraction from the CTMC.
  double ctmc_drifted_fraction = 0.0;
  /// Erlang phases the CTMC uses for the gap between runs (1 for the exponential schedule).
  int phases = 1;
  /// The exact renewal-reward value for the schedule as simulated; equals the CTMC for the
  /// exponential schedule and is approached by it as phases grow for the periodic one.
  double exact_drifted_fraction = 0.0;
  /// Mean gap between agent runs, seconds.
  double mean_gap_s = 0.0;
};

/// Solves the per-host CTMC (states: gap phase x clean/drifted) for its stationary
/// distribution. The gap between runs is an Erlang-k distribution with the gap's mean and k
/// matched to its squared coefficient of variation (1 / cv^2, capped at 200).
DriftAnalysis analyze_drift(const DriftConfig& config);

/// Many replicas: the steady drifted fraction per replica, and the fleet-mean time series.
struct DriftExperiment {
  experiment::RunningStats steady_drifted_fraction;
  experiment::Interval ci95;
  experiment::RunningStats time_in_drift_share;  ///< per host: time drifted / horizon
  double deploy_incidents_per_run = 0.0;
  experiment::RunningStats deploy_incidents;   ///< per replica: deploys gone wrong on drift
  experiment::Interval deploy_incidents_ci95;  ///< t interval of their mean over replicas
  std::vector<DriftSample> mean_series;
  std::uint64_t events_processed = 0;
};

/// Runs `replicas` replicas on experiment::replica_seed(base_seed, i) on up to `threads`
/// threads; the result does not depend on `threads`. `first_run`, if given, receives replica 0
/// in full (per-host time in drift, incidents). Throws Cancelled once `stop`, if given, is raised.
DriftExperiment run_drift_experiment(const DriftConfig& config, std::int64_t replicas,
                                     std::uint64_t base_seed, int threads = 1,
                                     DriftRun* first_run = nullptr,
                                     const std::atomic<bool>* stop = nullptr);

}  // namespace deploysim::delivery
