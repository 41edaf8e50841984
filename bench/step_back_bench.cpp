// Stepping back in the classroom GUI: the run is set up again and re-run to the event before,
// since a run depends only on its scenario and seed. The dearest step back is the one from the
// last event, a re-run of nearly the whole run. For every bundled scenario this times that
// re-run as the GUI's worker does it (fresh simulation, step to the event, publish a snapshot
// with every time-series row and story line) and prints it against the 100 ms target and, as a
// ratio that holds on a loaded machine, against a plain forward run of the same scenario
// (simulation::run) timed in the same process.
//
// Where the wall-clock time goes: the thread's CPU time, the time it was ready to run but waited
// for a core (the run queue, /proc/thread-self/schedstat: other processes' load), and the rest,
// time it was blocked (sleeping, I/O, a lock). The step back does no I/O and takes no lock, so
// on a loaded machine wall = CPU + queued, and "blocked" stays near zero.
//
// Last, what a teacher waits for: the whole window (MainWindow::step_back on the offscreen
// platform, worker thread and all, then the window repainted with the re-run's charts, log and
// fleet), from the end of the run to the event before.
//   QT_QPA_PLATFORM=offscreen build/ci/bench/step_back_bench [repetitions]

#include <QApplication>
#include <QObject>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "main_window.hpp"
#include "scenario/load.hpp"
#include "scenario_document.hpp"
#include "simulation/simulation.hpp"
#include "simulation_runner.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kTargetMs = 100.0;

// This thread's time on a core (CLOCK_THREAD_CPUTIME_ID, exact) and its time waiting in the run
// queue (the scheduler's statistics, brought up to date each time the thread gets a core, so
// exact while it runs): what the step back costs, and what the machine's load adds to it.
struct ThreadTimes {
  double cpu_ms = 0.0;
  double queued_ms = 0.0;
};

ThreadTimes thread_times() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  const double cpu_ms =
      static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  // Without scheduler statistics the queue is unknown and reported as 0.
  std::ifstream stat("/proc/thread-self/schedstat");
  double on_cpu_ns = 0.0, waiting_ns = 0.0;
  if (!(stat >> on_cpu_ns >> waiting_ns)) waiting_ns = 0.0;
  return {cpu_ms, waiting_ns / 1e6};
}

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Time all of this process's threads waited in the run queue.
double process_queued_ms() {
  double total_ns = 0.0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream stat(task.path() / "schedstat");
    double on_cpu_ns = 0.0, waiting_ns = 0.0;
    if (stat >> on_cpu_ns >> waiting_ns) total_ns += waiting_ns;
  }
  return total_ns / 1e6;
}

// The window's threads run one after the other (the window waits for the worker's answer), so
// its wall time is their CPU time, their time queued for a core, and any time both were blocked.
struct WindowTimes {
  double wall_ms = 1e300;
  double cpu_ms = 0.0;     ///< both threads, the worker's and the window's
  double queued_ms = 0.0;  ///< both threads
};

// The whole window stepping back from the end of the run: worker re-run, snapshot, widgets.
WindowTimes window_step_back(const std::filesystem::path& path, int repetitions) {
  deploysim::gui::MainWindow window;
  window.resize(1280, 720);
  window.show();
  if (!window.open_scenario(path) || !window.run_until_text("end")) std::abort();
  window.wait_idle();
  WindowTimes best;
  for (int i = 0; i < repetitions; ++i) {
    window.run_until_text("end");
    window.wait_idle();
    QApplication::processEvents();
    const auto start = Clock::now();
    const double cpu_start = process_cpu_ms();
    const double queued_start = process_queued_ms();
    window.step_back();
    window.repaint();
    const double cpu = process_cpu_ms() - cpu_start;
    const double queued = process_queued_ms() - queued_start;
    const double wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (wall < best.wall_ms) best = {wall, cpu, queued};
  }
  return best;
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
  QApplication app(argc, argv);
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::printf("%-42s %7s %8s %8s %8s %8s %8s %6s %8s %8s %8s\n", "scenario", "events", "run ms",
              "back ms", "CPU", "queued", "blocked", "ratio", "window", "its CPU", "queued");
  double worst = 0.0, worst_cpu = 0.0, worst_window = 0.0, worst_window_cpu = 0.0;
  double wall_total = 0.0, cpu_total = 0.0, queued_total = 0.0;
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
    // Forward to the end (not timed), then one event back (timed); the fastest repetition, with
    // its own CPU and queue times.
    double wall_ms = 1e300;
    ThreadTimes spent;
    for (int i = 0; i < repetitions; ++i) {
      runner.seek_event(events);
      const auto start = Clock::now();
      const ThreadTimes before = thread_times();
      runner.seek_event(events - 1);
      const ThreadTimes after = thread_times();
      const double wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      // The bench must time a real step back: one event before the end, set up afresh.
      if (!latest || latest->events != events - 1 || !latest->restarted) std::abort();
      if (wall < wall_ms) {
        wall_ms = wall;
        spent = {after.cpu_ms - before.cpu_ms, after.queued_ms - before.queued_ms};
      }
    }
    const WindowTimes window = window_step_back(path, repetitions);
    const double blocked = std::max(0.0, wall_ms - spent.cpu_ms - spent.queued_ms);
    worst = std::max(worst, wall_ms);
    worst_cpu = std::max(worst_cpu, spent.cpu_ms);
    worst_window = std::max(worst_window, window.wall_ms);
    worst_window_cpu = std::max(worst_window_cpu, window.cpu_ms);
    wall_total += wall_ms;
    cpu_total += spent.cpu_ms;
    queued_total += spent.queued_ms;
    std::printf("%-42s %7llu %8.1f %8.1f %8.1f %8.1f %8.1f %6.2f %8.1f %8.1f %8.1f\n",
                path.filename().string().c_str(), static_cast<unsigned long long>(events), run_ms,
                wall_ms, spent.cpu_ms, spent.queued_ms, blocked, wall_ms / run_ms, window.wall_ms,
                window.cpu_ms, window.queued_ms);
  }
  const double beyond = wall_total - cpu_total;
  std::printf(
      "wall time beyond CPU time, all scenarios: %.1f ms, of which %.1f ms waiting for a core "
      "(%.0f%%) and %.1f ms blocked\n",
      beyond, queued_total, beyond > 0.0 ? 100.0 * queued_total / beyond : 100.0,
      std::max(0.0, beyond - queued_total));
  std::printf(
      "slowest step back: the re-run %.1f ms wall, %.1f ms CPU; the whole window %.1f ms wall, "
      "%.1f ms CPU (target: under %.0f ms): %s in CPU time, %s in wall time on this machine now\n",
      worst, worst_cpu, worst_window, worst_window_cpu, kTargetMs,
      worst_window_cpu < kTargetMs ? "met" : "MISSED", worst_window < kTargetMs ? "met" : "missed");
  return 0;
}
