// The load model at the size the issue asks for: a day of diurnal load on 1,000 hosts, an HPA
// syncing every 15 s, every host's queue and failure fraction computed at every tick, and a
// rolling update of the whole group at the afternoon peak. Times one run from scenario text to
// Result in CPU time. Figures are recorded in docs/performance.md.
//
//   hpa_day_1000   mean 60,000 requests/s (swinging ±60% around it, peak at 14:00), 100 per host
//                  at full utilisation with 8 workers; HPA target 60% between 200 and 3,000 pods,
//                  45 s provisioning; a RollingUpdate (25% / 25%) of the 1,000 starting pods at
//                  13:30; monitoring every 15 s with an error alert

#include <benchmark/benchmark.h>
#include <time.h>

#include <string>

#include "input/json_reader.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace {

constexpr const char* kHpaDay = R"json({
    "name": "hpa day bench",
    "clock": {"start": "2024-03-04T00:00:00", "end": "2024-03-05T00:00:00"},
    "services": {"api": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"web": {"hosts": 1000, "service": "api", "version": "v1"}},
    "deployment": {"service": "api", "to": "v2", "start": "2024-03-04T13:30:00",
      "strategy": {"type": "rolling", "max_surge": "25%", "max_unavailable": "25%"},
      "host_update": {"install": "exponential(40s)", "health_check": "10s"}},
    "monitoring": {"scrape_interval": "15s",
      "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.01, "for": "1min"}]},
    "load": {"api": {"profile": "diurnal", "mean_rps": 60000, "amplitude": 0.6, "peak": "14:00"}},
    "capacity": {"api": {"rps_per_host": 100, "concurrency": 8, "timeout": "10s"}},
    "autoscaling": {"web": {"min_replicas": 200, "max_replicas": 3000,
                            "target_utilization": 0.6, "provisioning": "45s"}}
  })json";

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void BM_hpa_day_1000(benchmark::State& state) {
  const std::string text = kHpaDay;
  double cpu = 0.0;
  int scaling_events = 0;
  for (auto _ : state) {
    const double start = cpu_seconds();
    const auto scenario = deploysim::scenario::parse_scenario(
        deploysim::input::parse_json_text(text, "bench.json"), "bench.json");
    const auto result = deploysim::simulation::run(scenario, 42);
    cpu += cpu_seconds() - start;
    if (result.summary.deploy_outcome != "completed" || !result.summary.scaling_events) {
      state.SkipWithError(("unexpected result: " + result.summary.deploy_outcome).c_str());
      break;
    }
    scaling_events = *result.summary.scaling_events;
    benchmark::DoNotOptimize(result.summary.failed_requests);
  }
  state.counters["cpu_ms"] = cpu / static_cast<double>(state.iterations()) * 1e3;
  state.counters["scaling_events"] = scaling_events;
}

BENCHMARK(BM_hpa_day_1000)
    ->Name("hpa_day_1000")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->DisplayAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
