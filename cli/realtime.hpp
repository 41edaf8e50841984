#pragma once
// `deploysim run --realtime FACTOR`: a run paced against the wall clock (60 = a simulated minute
// a second) that streams its samples and events to the --export influx destinations as they
// happen, so that a class can watch an incident unfold on a dashboard.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/trace.hpp"
#include "export_targets.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"

namespace deploysim::cli {

struct LiveRun {
  simulation::Result result;  ///< the run as far as it got
  bool interrupted = false;   ///< stopped by `stop` before the end
  /// Streaming failures: a destination that fails is reported once and left out afterwards.
  std::vector<std::string> errors;
  std::size_t rows_sent = 0;   ///< samples streamed (the final one comes with the result)
  std::size_t story_sent = 0;  ///< story records streamed
};

/// Runs paced at `factor` times the wall clock, writing each new sample and story event to the
/// line-protocol targets (files are flushed, servers get one request per tick) until the end or
/// until `stop` is set. The targets' remaining lines are left to finish_live().
LiveRun run_live(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace,
                 double factor, std::vector<ExportTarget>& targets, const std::atomic<bool>& stop);

/// After run_live: the samples and events not streamed yet (the final sample), the incident's
/// events and per-host points to the line-protocol targets, and everything to the other
/// targets. Returns the errors.
std::vector<std::string> finish_live(std::vector<ExportTarget>& targets,
                                     const spec::Scenario& scenario, const LiveRun& run,
                                     const std::vector<engine::TraceRecord>* host_records);

}  // namespace deploysim::cli
