#include "realtime.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "io/metrics_export.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::cli {

namespace {

using Clock = std::chrono::steady_clock;

// Ten ticks a second: smooth on a dashboard, and few enough requests for a server.
constexpr auto kTick = std::chrono::milliseconds(100);

bool streams(const ExportTarget& target) {
  return target.kind == ExportTarget::Kind::influx_file ||
         target.kind == ExportTarget::Kind::influx_http;
}

// Sends one tick's lines to every streaming target; a target that fails is reported once and
// sent nothing more.
void send(const std::vector<ExportTarget*>& live, const std::string& lines,
          std::vector<std::string>& errors) {
  if (lines.empty()) return;
  for (auto* target : live) {
    if (target->failed) continue;
    if (target->kind == ExportTarget::Kind::influx_file) {
      auto& out = target->file->stream();
      out << lines;
      out.flush();
      if (out) continue;
      errors.push_back(target->destination + ": write failed; streaming to it stopped");
    } else {
      try {
        post_line_protocol(target->destination, lines);
        continue;
      } catch (const std::exception& error) {
        errors.push_back(std::string(error.what()) + "; streaming to it stopped");
      }
    }
    target->failed = true;
  }
}

std::vector<ExportTarget*> streaming(std::vector<ExportTarget>& targets) {
  std::vector<ExportTarget*> live;
  for (auto& target : targets) {
    if (streams(target)) live.push_back(&target);
  }
  return live;
}

bool on_terminal() {
  static const bool terminal = ::isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr;
  return terminal;
}

// "live 2012-08-01 09:31:00 (60x)" on a terminal, redrawn in place.
void show_clock(const spec::Scenario& scenario, engine::Time now, double factor) {
  if (!on_terminal()) return;
  std::fprintf(stderr, "\rlive %s (%gx)  Ctrl-C stops   ",
               simulation::clock_text(scenario, now, true).c_str(), factor);
  std::fflush(stderr);
}

}  // namespace

LiveRun run_live(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace,
                 double factor, std::vector<ExportTarget>& targets, const std::atomic<bool>& stop) {
  const auto live = streaming(targets);
  const io::SeriesLabels labels = io::labels_of(scenario, seed);
  simulation::Simulation sim(scenario, seed, trace);
  LiveRun out;
  auto& rows_sent = out.rows_sent;
  auto& story_sent = out.story_sent;
  const auto started = Clock::now();
  for (std::int64_t tick = 1; !sim.finished(); ++tick) {
    if (stop.load()) {
      out.interrupted = true;
      break;
    }
    const auto wall = std::chrono::duration<double>(kTick * tick).count();
    sim.run_until(engine::Time::from_ms(std::llround(wall * factor * 1000.0)));
    // What happened during the tick, as the full export writes it.
    std::ostringstream lines;
    const auto& series = sim.timeseries();
    io::write_line_protocol_rows(lines, labels, scenario, series, rows_sent, series.rows());
    rows_sent = series.rows();
    const auto& story = sim.world().story();
    io::write_event_points(lines, labels, scenario,
                           {story.begin() + static_cast<std::ptrdiff_t>(story_sent), story.end()});
    story_sent = story.size();
    send(live, lines.str(), out.errors);
    show_clock(scenario, sim.now(), factor);
    std::this_thread::sleep_until(started + kTick * tick);
  }
  if (on_terminal()) std::fprintf(stderr, "\r\033[K");
  out.result = std::move(sim).result();
  return out;
}

std::vector<std::string> finish_live(std::vector<ExportTarget>& targets,
                                     const spec::Scenario& scenario, const LiveRun& run,
                                     const std::vector<engine::TraceRecord>* host_records) {
  const auto& result = run.result;
  const io::SeriesLabels labels = io::labels_of(scenario, result.summary.seed);
  std::ostringstream lines;
  io::write_line_protocol_rows(lines, labels, scenario, result.timeseries, run.rows_sent,
                               result.timeseries.rows());
  io::write_event_points(
      lines, labels, scenario,
      {result.story.begin() + static_cast<std::ptrdiff_t>(run.story_sent), result.story.end()});
  io::write_line_protocol_end(lines, scenario, result, io::ExportContent{host_records});
  std::vector<std::string> errors;
  const auto live = streaming(targets);
  send(live, lines.str(), errors);
  std::vector<ExportTarget> rest;
  for (auto& target : targets) {
    if (streams(target)) {
      // A file whose streaming failed is not completed: its temporary is removed.
      if (!target.file || target.failed) continue;
      try {
        target.file->commit();
      } catch (const io::OutputError& error) {
        errors.emplace_back(error.what());
      }
    } else {
      rest.push_back(target);
    }
  }
  for (auto& error : export_run(rest, scenario, result, host_records)) errors.push_back(error);
  return errors;
}

}  // namespace deploysim::cli
