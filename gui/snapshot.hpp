#pragma once
// What the UI thread sees of a run: a copy of the fleet and of what happened since the previous
// snapshot, taken by the worker between two slices of simulation. The UI never reads the live
// Simulation, so drawing can never race with the model.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "simulation/moments.hpp"

namespace deploysim::gui {

/// The parts of a fleet that change only when hosts are added: names and grouping.
struct FleetCatalog {
  std::vector<std::string> version_names;  ///< by version index (all services)
  std::vector<std::string> group_names;
  std::vector<std::vector<std::uint32_t>> group_hosts;  ///< host indices, by group
  std::vector<std::string> host_names;                  ///< by host index
  std::vector<std::string> flag_names;                  ///< by flag index (at most 32 shown)
  /// Hosts the run started with; hosts past these were added during the run (surge, scaling).
  std::size_t initial_hosts = 0;
};

/// One host as drawn: version, health (model::Health as a number) and marks.
struct HostTile {
  std::uint16_t version = 0;
  std::uint8_t health = 0;
  bool misbehaving = false;
  std::uint32_t flags_on = 0;  ///< bit f: flag f is on as this host sees it
};

/// One line of the story, already in words.
struct StoryLine {
  std::int64_t time_ms = 0;
  std::string clock;  ///< "09:30:00"
  std::string event;  ///< trace event name, e.g. "flag_set"
  std::string text;   ///< plain-language line
};

/// One per-host trace line (a host's history).
struct HostEvent {
  std::uint32_t host = 0;
  std::int64_t time_ms = 0;
  std::string text;
};

struct Snapshot {
  /// Which setup this snapshot belongs to; snapshots of an earlier setup are dropped.
  std::uint64_t generation = 0;
  std::int64_t now_ms = 0;
  std::int64_t end_ms = 0;
  std::uint64_t events = 0;
  bool finished = false;
  /// The run was set up again (a step back): what the UI has shown so far is no longer true.
  bool restarted = false;
  std::string clock_text;  ///< "2012-08-01 09:45:00"

  std::shared_ptr<const FleetCatalog> catalog;
  std::vector<HostTile> hosts;
  std::int64_t misbehaving_hosts = 0;
  std::int64_t serving_hosts = 0;
  /// Hosts that exist now (not terminated): the one host count every widget shows.
  std::int64_t live_hosts = 0;
  /// The whole run's moments and phases, found once per setup; widgets show only the past ones.
  std::shared_ptr<const simulation::Moments> moments;
  double loss_rate_usd_per_min = 0.0;
  double error_rate = 0.0;

  /// Time-series rows sampled since the previous snapshot: new_rows[column][row].
  std::vector<std::string> columns;
  std::vector<std::vector<double>> new_rows;
  std::vector<StoryLine> new_story;
  std::vector<HostEvent> new_host_events;

  /// The final summary (DESIGN.md result contract), once the run is finished.
  std::optional<nlohmann::ordered_json> final_summary;
};

}  // namespace deploysim::gui
