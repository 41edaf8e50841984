// The long-horizon delivery models at the scale. Each benchmark times one replica as
// `deploysim pipeline` / `deploysim drift` run it, minus process start:
//
//   pipeline_year_1000_per_day         one year, 1,000 changes a day, default stages, continuous
//                                      releases, diagnosis growing 10% per change in a release
//   pipeline_year_1000_per_day_flat    the same with diagnosis independent of release size
//   pipeline_year_canary_1000_hosts    one year, 1,000 changes a day, production stage the canary
//                                      scenario on 1,000 hosts (examples/delivery), calibrated
//   production_calibration_1000_hosts  calibrating that stage: 20 clean + 20 defective Simulation
//                                      runs of the 1,000-host canary scenario (paid once per load)
//   simulation_canary_1000_hosts       one Simulation of one clean canary release on 1,000 hosts:
//                                      what a full simulation per release would cost
//   drift_1000_hosts_30d               1,000 hosts drifting 0.5 a day, agent every 30 min + 10 min
//                                      splay, 30 days (about 1.5 million agent runs)
//   drift_ctmc_200_phases              the analytic CTMC with 200 Erlang phases (400 states)
//   cost_curve_year_latent_gatekeeper  `deploysim pipeline --cost-curve` for one year at 1,000
//                                      changes a day, gated by a release engineer with working
//                                      hours, latent defects shipping and waking; its counter
//                                      "ratio" is its time over pipeline_year_1000_per_day's,
//                                      both measured in the same loop
//
// Figures are recorded in docs/performance.md, section "Delivery".

#include <benchmark/benchmark.h>

#include <chrono>

#include "delivery/config.hpp"
#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/report.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace {

using deploysim::engine::Duration;
namespace delivery = deploysim::delivery;

delivery::PipelineConfig year_at_1000(double growth) {
  auto c = delivery::default_pipeline();
  c.changes_per_day = 1000;
  c.horizon = Duration::days(365);
  c.diagnosis_growth_per_change = growth;
  return c;
}

void run_pipeline(benchmark::State& state, const delivery::PipelineConfig& config) {
  std::uint64_t seed = 1;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto run = delivery::simulate_pipeline(config, seed++);
    events += run.events_processed;
    benchmark::DoNotOptimize(run.loss_usd);
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void pipeline_year_1000_per_day(benchmark::State& state) {
  run_pipeline(state, year_at_1000(0.1));
}
void pipeline_year_1000_per_day_flat(benchmark::State& state) {
  run_pipeline(state, year_at_1000(0.0));
}

const std::string kCanaryPipeline =
    std::string(DEPLOYSIM_SOURCE_DIR) + "/examples/delivery/pipeline_canary_1000.json";

void pipeline_year_canary_1000_hosts(benchmark::State& state) {
  run_pipeline(state, delivery::load_pipeline_config(kCanaryPipeline));
}

void production_calibration_1000_hosts(benchmark::State& state) {
  for (auto _ : state) {
    const auto config = delivery::load_pipeline_config(kCanaryPipeline);
    benchmark::DoNotOptimize(config.production->stop_probability);
  }
}

void simulation_canary_1000_hosts(benchmark::State& state) {
  const auto scenario = deploysim::scenario::load_scenario(
      std::string(DEPLOYSIM_SOURCE_DIR) + "/examples/delivery/production/canary_1000.json");
  std::uint64_t seed = 1;
  for (auto _ : state) {
    const auto result = deploysim::simulation::run(scenario, seed++);
    benchmark::DoNotOptimize(result.summary.loss_usd);
  }
}

void drift_1000_hosts_30d(benchmark::State& state) {
  delivery::DriftConfig c;
  c.hosts = 1000;
  c.drift_rate_per_day = 0.5;
  c.interval = Duration::minutes(30);
  c.splay = Duration::minutes(10);
  c.horizon = Duration::days(30);
  std::uint64_t seed = 1;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto run = delivery::simulate_drift(c, seed++);
    events += run.events_processed;
    benchmark::DoNotOptimize(run.steady_drifted_fraction);
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void drift_ctmc_200_phases(benchmark::State& state) {
  delivery::DriftConfig c;
  c.interval = Duration::hours(1);  // no splay: a fixed interval, the 200-phase cap
  for (auto _ : state) benchmark::DoNotOptimize(delivery::analyze_drift(c).ctmc_drifted_fraction);
}

delivery::PipelineConfig cost_curve_year() {
  auto c = year_at_1000(0.1);
  c.cadence = delivery::ReleaseCadence::gated;
  c.gate_delay = deploysim::engine::Distribution::parse(
      "lognormal(30min, 0.5)", deploysim::engine::Distribution::Unit::duration);
  c.gate_hours = delivery::WorkingHours{Duration::hours(8), Duration::hours(20), true};
  c.gate_stop_probability = 0.2;
  c.latent = {0.02, 0.01, 0.05};
  return c;
}

void cost_curve_year_latent_gatekeeper(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const auto config = cost_curve_year();
  const auto baseline = year_at_1000(0.1);
  std::uint64_t seed = 1;
  double ours_s = 0.0;
  double base_s = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const auto report = delivery::run_pipeline_report(config, 1, 1, seed);
    benchmark::DoNotOptimize(delivery::to_json(report)["defect_cost"].size());
    const auto t1 = Clock::now();
    state.PauseTiming();
    benchmark::DoNotOptimize(delivery::simulate_pipeline(baseline, seed).loss_usd);
    base_s += std::chrono::duration<double>(Clock::now() - t1).count();
    state.ResumeTiming();
    ours_s += std::chrono::duration<double>(t1 - t0).count();
    ++seed;
  }
  state.counters["ratio"] = ours_s / base_s;
}

}  // namespace

BENCHMARK(cost_curve_year_latent_gatekeeper)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(pipeline_year_1000_per_day)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(pipeline_year_1000_per_day_flat)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(pipeline_year_canary_1000_hosts)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(production_calibration_1000_hosts)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(simulation_canary_1000_hosts)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(drift_1000_hosts_30d)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(drift_ctmc_200_phases)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
