#pragma once
// The kernel demo: a fleet of servers that fail at random and are restarted. Small enough to read
// in one sitting, it shows the pieces every deploysim model uses: processes woken by the kernel,
// named random streams, a trace, and a summary.

#include <cstdint>
#include <string>

#include "engine/distribution.hpp"
#include "engine/time.hpp"
#include "engine/trace.hpp"

namespace deploysim::model {

/// Inputs of the restart demo.
struct RestartDemoConfig {
  int servers = 8;
  engine::Duration horizon = engine::Duration::hours(24);
  /// Time from a server coming up to its next failure.
  engine::Distribution time_to_failure =
      engine::Distribution::parse("exponential(6h)", engine::Distribution::Unit::duration);
  /// Time a restart takes.
  engine::Distribution restart_time =
      engine::Distribution::parse("lognormal(5min, 0.5)", engine::Distribution::Unit::duration);
  std::uint64_t seed = 1;
};

/// What happened over the horizon.
struct RestartDemoResult {
  int failures = 0;
  int restarts_completed = 0;
  /// Server-time up divided by server-time in the horizon, 0..1.
  double availability = 1.0;
  engine::Duration total_downtime;
  engine::Duration longest_outage;
  /// Index of the server with the longest outage; -1 when none failed.
  int longest_outage_server = -1;
  std::uint64_t events_processed = 0;
};

/// Runs the demo; records "server_failed" and "server_restarted" events to `trace` if given.
/// Throws std::invalid_argument for fewer than one server or a non-positive horizon.
RestartDemoResult run_restart_demo(const RestartDemoConfig& config,
                                   engine::TraceSink* trace = nullptr);

/// "server-1" ... "server-N": the demo's display name of a server index.
std::string demo_server_name(int index);

}  // namespace deploysim::model
