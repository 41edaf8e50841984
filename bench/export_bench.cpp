// What exporting costs beside the run it exports: the 1,000,000-host ring deploy
// (bench/scenarios/ring_million.json) is run, then its service-level series and events are
// written as InfluxDB line protocol and as OpenMetrics text. The run is the baseline, measured in
// the same program; the target is an export under 10% of it.
//
//   export_bench [--runs=N]    (default 5; medians of CPU time, wall time beside it)
//
// Figures are recorded in docs/performance.md.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "io/metrics_export.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace {

using namespace deploysim;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Timing {
  double cpu = 0.0;
  double wall = 0.0;
};

template <typename F>
Timing timed(F&& f) {
  const double cpu = cpu_seconds();
  const auto wall = std::chrono::steady_clock::now();
  f();
  return {cpu_seconds() - cpu,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count()};
}

// The slowest 60 s step of each bundled scenario, with its line protocol, against 100 ms.
int live_ticks() {
  std::printf("\nlive mode at 600x: slowest 60 s step (run + line protocol) vs the 100 ms tick\n");
  double worst = 0.0;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(DEPLOYSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() == ".json" && entry.path().stem() != "schema") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const auto scenario = scenario::load_scenario(file);
    const auto labels = io::labels_of(scenario, scenario.seed);
    simulation::Simulation sim(scenario, scenario.seed);
    std::size_t rows = 0, story = 0;
    double slowest = 0.0;
    for (std::int64_t step = 1; !sim.finished(); ++step) {
      std::ostringstream lines;
      const Timing t = timed([&] {
        sim.run_until(engine::Time::from_ms(step * 60'000));
        const auto& series = sim.timeseries();
        io::write_line_protocol_rows(lines, labels, scenario, series, rows, series.rows());
        rows = series.rows();
        const auto& records = sim.world().story();
        io::write_event_points(
            lines, labels, scenario,
            {records.begin() + static_cast<std::ptrdiff_t>(story), records.end()});
        story = records.size();
      });
      slowest = std::max(slowest, t.cpu);
    }
    worst = std::max(worst, slowest);
    std::printf("  %-45s %8.3f ms\n", file.filename().c_str(), slowest * 1e3);
  }
  std::printf("live tick ratio (slowest step / 100 ms): %.4f (keeps up: %s)\n", worst / 0.1,
              worst < 0.1 ? "yes" : "NO");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--runs=", 7) == 0) runs = std::max(1, std::atoi(argv[i] + 7));
  }
  const auto scenario =
      scenario::load_scenario(DEPLOYSIM_SOURCE_DIR "/bench/scenarios/ring_million.json");
  std::vector<double> run_cpu, run_wall, lp_cpu, om_cpu;
  std::size_t rows = 0, lp_bytes = 0, om_bytes = 0;
  for (int r = 0; r < runs; ++r) {
    simulation::Result result;
    const Timing run = timed([&] { result = simulation::run(scenario, scenario.seed); });
    if (result.summary.hosts_on_target_version != 1'000'000) {
      std::printf("export_bench: unexpected result: %lld hosts on target\n",
                  static_cast<long long>(result.summary.hosts_on_target_version));
      return 1;
    }
    std::ostringstream lp;
    std::ostringstream om;
    const Timing line_protocol = timed([&] { io::write_line_protocol(lp, scenario, result); });
    const Timing openmetrics = timed([&] { io::write_openmetrics(om, scenario, result); });
    run_cpu.push_back(run.cpu);
    run_wall.push_back(run.wall);
    lp_cpu.push_back(line_protocol.cpu);
    om_cpu.push_back(openmetrics.cpu);
    rows = result.timeseries.rows();
    lp_bytes = lp.str().size();
    om_bytes = om.str().size();
  }
  const double base = median(run_cpu);
  std::printf("ring_million run (baseline): %.3f s CPU, %.3f s wall; %zu samples\n", base,
              median(run_wall), rows);
  std::printf("line protocol:  %.2f ms CPU, %zu bytes\n", median(lp_cpu) * 1e3, lp_bytes);
  std::printf("OpenMetrics:    %.2f ms CPU, %zu bytes\n", median(om_cpu) * 1e3, om_bytes);
  const double ratio = median(lp_cpu) / base;
  std::printf("export/run ratio: line protocol %.4f, OpenMetrics %.4f (target < 0.10: %s)\n", ratio,
              median(om_cpu) / base,
              ratio < 0.10 && median(om_cpu) / base < 0.10 ? "met" : "NOT met");
  return live_ticks();
}
