// The whole rollout model at scale: scenario, fleet, host updates, monitoring, strategy. Each
// benchmark times what a user pays for one run of `deploysim run`, minus process start: parsing
// the scenario (JSON text, or the file for the Knight replay), constructing the Simulation (the
// fleet, its aggregates, the strategy's plan), running it to the clock's end, and building the
// Result. The scenarios are written here as JSON text:
//
//   rolling_10k    10,000 hosts in batches of 100 ({"type": "rolling", "batch_size": 100});
//                  each host: drain 5 s, install exponential(mean 30 s), health check 2 s,
//                  1% of installs fail and are retried; monitoring samples every 10 s
//   rolling_100k   the same with 100,000 hosts in batches of 1,000
//   knight         scenarios/knight_capital_2012.json, loaded from the file each run
//   ring_million   (separate mode, --ring-million) 1,000,000 hosts, rings employees (10,000
//                  hosts) -> 2% -> 100% with 1 h bakes, 10,000 hosts in flight
//
// The million-host ring runs in a child process (the program runs itself with --ring-million)
// so that its peak resident memory, read with getrusage, is its own and not the benchmarks'.
// Figures are recorded in docs/performance.md.

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "input/json_reader.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace {

using deploysim::simulation::Result;
using deploysim::simulation::Simulation;
using deploysim::spec::Scenario;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kSeed = 42;

// Replaces each "@name" in `text` with its value: the scenarios below are templates, written as
// a user would write the file.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
      text.replace(at, name.size(), value);
      at += value.size();
    }
  }
  return text;
}

// The per-host update of every scenario here.
constexpr const char* kHostUpdate = R"json(
      {"drain": "5s", "install": "exponential(30s)", "health_check": "2s",
       "install_failure_probability": 0.01, "retry_delay": "10s"})json";

// A rolling deploy of @hosts in batches of @batch. The clock ends a little after the deploy does
// (at 4:50 for 10,000 hosts, 6:35 for 100,000 with seed 42), as a user would set it.
constexpr const char* kRolling = R"json({
    "name": "rolling bench",
    "clock": {"end": "@end"},
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"web": {"hosts": @hosts, "service": "web", "version": "v1"}},
    "deployment": {
      "service": "web", "to": "v2", "host_update": @host_update,
      "strategy": {"type": "rolling", "batch_size": @batch}
    },
    "monitoring": {"scrape_interval": "10s"}
  })json";

// Facebook's phases over a million hosts: employees, 2% of production, everyone (done at 3:16).
constexpr const char* kRingMillion = R"json({
    "name": "ring bench",
    "clock": {"end": "4h"},
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {
      "employees": {"hosts": 10000, "service": "web", "version": "v1"},
      "production": {"hosts": 990000, "service": "web", "version": "v1"}
    },
    "deployment": {
      "service": "web", "to": "v2", "host_update": @host_update,
      "strategy": {"type": "ring", "parallelism": 10000, "rings": [
        {"name": "employees", "groups": ["employees"], "bake": "1h"},
        {"name": "2%", "percent": 2, "bake": "1h"},
        {"name": "100%", "percent": 100}]}
    },
    "monitoring": {"scrape_interval": "10s",
                   "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.01,
                               "for": "1min"}]}
  })json";

std::string rolling_json(std::int64_t hosts, std::int64_t batch, const char* end) {
  return fill(kRolling, {{"@end", end},
                         {"@hosts", std::to_string(hosts)},
                         {"@batch", std::to_string(batch)},
                         {"@host_update", kHostUpdate}});
}

std::string ring_million_json() {
  return fill(kRingMillion, {{"@host_update", kHostUpdate}});
}

std::filesystem::path knight_path =
    std::filesystem::path(DEPLOYSIM_SOURCE_DIR) / "scenarios" / "knight_capital_2012.json";

Scenario parse_text(const std::string& text) {
  return deploysim::scenario::parse_scenario(deploysim::input::parse_json_text(text, "bench.json"),
                                             "bench.json");
}

// CPU time of this process, seconds. Phases are timed in CPU time: on a shared machine the
// wall clock also counts the time other processes had the core.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double seconds_since(double start) {
  return cpu_seconds() - start;
}

// CPU time of each phase of one run, seconds.
struct Phases {
  double parse = 0;
  double construct = 0;
  double run = 0;  // run to the end, and build the Result
  double total() const { return parse + construct + run; }
};

// One run from scenario text (or file) to Result, timing its phases.
template <typename Parse>
Result timed_run(Parse parse, Phases& phases) {
  double start = cpu_seconds();
  const Scenario scenario = parse();
  phases.parse += seconds_since(start);
  start = cpu_seconds();
  Simulation simulation(scenario, kSeed);
  phases.construct += seconds_since(start);
  start = cpu_seconds();
  simulation.run();
  Result result = simulation.result();
  phases.run += seconds_since(start);
  return result;
}

template <typename Parse>
void run_benchmark(benchmark::State& state, Parse parse, const char* outcome,
                   std::int64_t on_target) {
  Phases phases;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const Result result = timed_run(parse, phases);
    events = result.summary.events_processed;
    if (result.summary.deploy_outcome != outcome ||
        (on_target >= 0 && result.summary.hosts_on_target_version != on_target)) {
      state.SkipWithError(("unexpected result: " + result.summary.deploy_outcome + ", " +
                           std::to_string(result.summary.hosts_on_target_version) + " on target")
                              .c_str());
      break;
    }
    benchmark::DoNotOptimize(result.summary.loss_usd);
  }
  const auto runs = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events));
  state.counters["events"] = static_cast<double>(events);
  state.counters["parse_ms"] = phases.parse / runs * 1e3;
  state.counters["construct_ms"] = phases.construct / runs * 1e3;
  state.counters["run_ms"] = phases.run / runs * 1e3;
}

void BM_rolling_10k(benchmark::State& state) {
  const std::string text = rolling_json(10'000, 100, "5h");
  const auto parse = [&] { return parse_text(text); };
  run_benchmark(state, parse, "completed", 10'000);
}

void BM_rolling_100k(benchmark::State& state) {
  const std::string text = rolling_json(100'000, 1'000, "7h");
  const auto parse = [&] { return parse_text(text); };
  run_benchmark(state, parse, "completed", 100'000);
}

void BM_knight(benchmark::State& state) {
  // The replay's deploy completed days before the open, one host short; the team's code rollback
  // at 09:54 marks it rolled back and leaves no host on the new code.
  const auto load = [] { return deploysim::scenario::load_scenario(knight_path); };
  run_benchmark(state, load, "rolled_back", 0);
}

BENCHMARK(BM_rolling_10k)
    ->Name("rolling_10k")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_rolling_100k)
    ->Name("rolling_100k")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);
BENCHMARK(BM_knight)
    ->Name("knight")
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);

// Prints as usual and keeps, per benchmark, the median over repetitions (or the single run).
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  struct Figures {
    double seconds = 0;      // wall time per run
    double cpu_seconds = 0;  // CPU time per run
    std::map<std::string, double> counters;
  };

  explicit CapturingReporter(bool color) : ConsoleReporter(color ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (!median && run.run_type != Run::RT_Iteration) continue;
      const std::string& name = run.run_name.function_name;
      if (run.run_type == Run::RT_Iteration && medians_.count(name) != 0) continue;
      if (median) medians_.insert(name);
      Figures& f = figures[name];
      f.seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      f.cpu_seconds = run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      for (const auto& [key, counter] : run.counters) f.counters[key] = counter.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  std::map<std::string, Figures> figures;

 private:
  std::set<std::string> medians_;
};

// Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB).
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// --ring-million: a few runs of the million-host ring in this process, alone.
int ring_million(int runs) {
  const double rss_at_start = peak_rss_mib();
  const std::string text = ring_million_json();
  std::vector<double> walls;
  std::vector<double> cpus;
  Phases last;
  Result result;
  for (int i = 0; i < runs; ++i) {
    Phases phases;
    const auto start = Clock::now();
    result = timed_run([&] { return parse_text(text); }, phases);
    walls.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    cpus.push_back(phases.total());
    last = phases;
    if (result.summary.deploy_outcome != "completed" ||
        result.summary.hosts_on_target_version != 1'000'000) {
      std::printf("ring_million: unexpected result: %s, %lld on target\n",
                  result.summary.deploy_outcome.c_str(),
                  static_cast<long long>(result.summary.hosts_on_target_version));
      return 1;
    }
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  const double wall = walls[walls.size() / 2];
  const double cpu = cpus[cpus.size() / 2];
  const double rss = peak_rss_mib();
  std::printf(
      "\nring_million: 1,000,000 hosts, rings employees -> 2%% -> 100%%, 10,000 in flight\n");
  std::printf("  events per run:        %llu\n",
              static_cast<unsigned long long>(result.summary.events_processed));
  std::printf(
      "  per run (median of %d): %.3f s wall, %.3f s CPU (last run, CPU: parse %.3f s, "
      "construct %.3f s, run and result %.3f s)\n",
      runs, wall, cpu, last.parse, last.construct, last.run);
  std::printf("  model events/s:        %.2f M (CPU time)\n",
              static_cast<double>(result.summary.events_processed) / cpu / 1e6);
  std::printf("  peak RSS:              %.0f MiB (%.0f MiB before the first run)\n", rss,
              rss_at_start);
  std::printf("  targets: < 10 s wall: %s; < 1 GiB peak RSS: %s\n", wall < 10.0 ? "met" : "MISSED",
              rss < 1024.0 ? "met" : "MISSED");
  std::fflush(stdout);
  return 0;
}

// Runs this program again with --ring-million and waits for it.
void ring_million_in_child(const char* self, int runs) {
  std::fflush(stdout);
  std::string runs_flag = "--ring-runs=" + std::to_string(runs);
  const pid_t child = fork();
  if (child == 0) {
    char flag[] = "--ring-million";
    char* args[] = {const_cast<char*>(self), flag, runs_flag.data(), nullptr};
    execv("/proc/self/exe", args);
    std::perror("execv");
    _exit(127);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    std::printf("ring_million: the child process failed\n");
  }
}

void print_summary(const std::map<std::string, CapturingReporter::Figures>& figures) {
  std::printf("\n");
  const auto counter = [](const CapturingReporter::Figures& f, const char* key) {
    const auto it = f.counters.find(key);
    return it == f.counters.end() ? 0.0 : it->second;
  };
  const auto phases = [&](const CapturingReporter::Figures& f) {
    std::printf(
        "  per run: %.2f ms CPU (parse %.3f ms, construct %.3f ms, run and result "
        "%.2f ms); %.2f ms wall\n",
        f.cpu_seconds * 1e3, counter(f, "parse_ms"), counter(f, "construct_ms"),
        counter(f, "run_ms"), f.seconds * 1e3);
  };
  if (const auto it = figures.find("rolling_10k"); it != figures.end()) {
    const auto& f = it->second;
    const double rate = counter(f, "items_per_second");
    std::printf("rolling_10k: 10,000 hosts, batches of 100, %.0f model events\n",
                counter(f, "events"));
    phases(f);
    std::printf(
        "  model events/s (CPU time): %.2f M (target >= 7 M: %s); SimPy 4, same model "
        "(project issue): 0.073 s a run, %.1fx that by CPU time, %.1fx by wall time\n",
        rate / 1e6, rate >= 7e6 ? "met" : "MISSED", 0.073 / f.cpu_seconds, 0.073 / f.seconds);
  }
  if (const auto it = figures.find("rolling_100k"); it != figures.end()) {
    const auto& f = it->second;
    std::printf(
        "rolling_100k: 100,000 hosts, batches of 1,000, %.0f model events, %.2f M "
        "events/s\n",
        counter(f, "events"), counter(f, "items_per_second") / 1e6);
    phases(f);
    std::printf("  target < 100 ms per run: %s by CPU time, %s by wall time\n",
                f.cpu_seconds < 0.1 ? "met" : "MISSED", f.seconds < 0.1 ? "met" : "MISSED");
  }
  if (const auto it = figures.find("knight"); it != figures.end()) {
    const auto& f = it->second;
    std::printf("knight: scenarios/knight_capital_2012.json, %.0f model events\n",
                counter(f, "events"));
    phases(f);
    std::printf("  target < 10 ms per run: %s by CPU time, %s by wall time\n",
                f.cpu_seconds < 0.01 ? "met" : "MISSED", f.seconds < 0.01 ? "met" : "MISSED");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // Our own flags first; the rest go to Google Benchmark.
  std::vector<char*> args{argv[0]};
  bool ring_mode = false;
  bool ring_child = true;
  int ring_runs = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--ring-million") {
      ring_mode = true;
    } else if (arg.rfind("--ring-runs=", 0) == 0) {
      ring_runs = std::max(1, std::atoi(arg.c_str() + 12));
    } else if (arg == "--no-ring-million") {
      ring_child = false;
    } else if (arg.rfind("--knight=", 0) == 0) {
      knight_path = arg.substr(9);
    } else {
      if (arg.rfind("--benchmark_filter", 0) == 0) ring_child = false;
      args.push_back(argv[i]);
    }
  }
  if (ring_mode) return ring_million(ring_runs);

  // Repetitions run in random order, so a burst of load on a shared machine spreads over all.
  char interleave[] = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, interleave);
  int arg_count = static_cast<int>(args.size());
  benchmark::Initialize(&arg_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(arg_count, args.data())) return 1;
  CapturingReporter reporter(isatty(STDOUT_FILENO) != 0);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  print_summary(reporter.figures);
  if (ring_child) ring_million_in_child(argv[0], ring_runs);
  return 0;
}
