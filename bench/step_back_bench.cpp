// Stepping back in the classroom GUI: the run is set up again and re-run to the event before,
// since a run depends only on its scenario and seed. The dearest step back is the one from the
// last event, a re-run of nearly the whole run. For every bundled scenario this times that
// re-run as the GUI's worker does it (fresh simulation, step to the event, publish a snapshot
// with every time-series row and story line) and prints it against the 100 ms target and, as a
// ratio that holds on a loaded machine, against a plain forward run of the same scenario
// (simulation::run) timed in the same process, and beside the wall-clock time of the step back
// its CPU time, which load on the machine does not inflate.
//   QT_QPA_PLATFORM=offscreen build/ci/bench/step_back_bench [repetitions]

#include <QCoreApplication>
#include <QObject>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>

#include "scenario/load.hpp"
#include "scenario_document.hpp"
#include "simulation/simulation.hpp"
#include "simulation_runner.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kTargetMs = 100.0;

// CPU time of this thread, which the bench runs on (the runner is called directly, not from a
// worker thread): what the step back costs whatever else the machine is running.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

template <typename F>
double best_ms(int repetitions, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::printf("%-42s %8s %10s %10s %10s %7s\n", "scenario", "events", "run ms", "back ms",
              "back CPU", "ratio");
  double worst = 0.0;
  for (const auto& path : deploysim::gui::bundled_scenarios()) {
    const auto scenario = std::make_shared<const deploysim::spec::Scenario>(
        deploysim::scenario::load_scenario(path.string()));
    const std::uint64_t seed = scenario->seed;
    const std::uint64_t events =
        deploysim::simulation::run(*scenario, seed).summary.events_processed;
    const double run_ms = best_ms(repetitions, [&] {
      const auto result = deploysim::simulation::run(*scenario, seed);
      if (result.summary.events_processed != events) std::abort();
    });

    deploysim::gui::SimulationRunner runner;
    std::shared_ptr<const deploysim::gui::Snapshot> latest;
    QObject::connect(
        &runner, &deploysim::gui::SimulationRunner::snapshot_ready,
        [&](std::shared_ptr<const deploysim::gui::Snapshot> s) { latest = std::move(s); });
    runner.setup(scenario, seed, 1);
    // Forward to the end (not timed), then one event back (timed).
    double alone_ms = 1e300;
    double cpu_ms = 1e300;
    for (int i = 0; i < repetitions; ++i) {
      runner.seek_event(events);
      const auto start = Clock::now();
      const double cpu_start = thread_cpu_ms();
      runner.seek_event(events - 1);
      cpu_ms = std::min(cpu_ms, thread_cpu_ms() - cpu_start);
      alone_ms = std::min(alone_ms,
                          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      // The bench must time a real step back: one event before the end, set up afresh.
      if (!latest || latest->events != events - 1 || !latest->restarted) std::abort();
    }
    worst = std::max(worst, alone_ms);
    std::printf("%-42s %8llu %10.1f %10.1f %10.1f %7.2f\n", path.filename().string().c_str(),
                static_cast<unsigned long long>(events), run_ms, alone_ms, cpu_ms,
                alone_ms / run_ms);
  }
  std::printf("slowest step back: %.1f ms (target: under %.0f ms) %s\n", worst, kTargetMs,
              worst < kTargetMs ? "met" : "MISSED");
  return 0;
}
