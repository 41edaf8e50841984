#pragma once
// The moments of a run where its story turns (an alert, the first misbehaving host, a flag
// change, a rollback, a scaling event, the end of the incident) and the phases they bound
// (deploy, incident, rollback). The incident is the users' (model/slo.hpp): it ends when they
// are back within every objective, which can be well after the last host stopped misbehaving
// (a cold restart, a repair team's queue). Found by one deterministic run, so a front end can stop
// at a moment, step back to one, or shade a phase, all by re-running to an event count.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/time.hpp"
#include "spec/scenario.hpp"

namespace deploysim::simulation {

class Simulation;

enum class MomentKind : std::uint8_t {
  alert,
  first_misbehaving,
  flag_change,
  rollback,
  scaling,
  incident_end,
  deploy_start,
  deploy_end,
  /// The incident as users see it begins: an objective breached or a host misbehaving.
  incident_start,
};

/// "alert", "first_misbehaving", ... (the names bookmarks and the CLI use).
std::string_view moment_kind_name(MomentKind kind);
std::optional<MomentKind> moment_kind_from_name(std::string_view name);

struct Moment {
  MomentKind kind = MomentKind::alert;
  engine::Time time;
  /// Events processed once the moment has happened: re-running to this count shows it.
  std::uint64_t event = 0;
  std::string text;  ///< in the narrative's words
};

enum class PhaseKind : std::uint8_t { deploy, incident, rollback };
std::string_view phase_kind_name(PhaseKind kind);

struct Phase {
  PhaseKind kind = PhaseKind::deploy;
  engine::Time from;
  engine::Time to;  ///< the run's end when the phase was still going
};

struct Moments {
  std::vector<Moment> moments;  ///< in the order they happened
  std::vector<Phase> phases;    ///< ordered by start
  std::uint64_t events = 0;     ///< events of the whole run
};

/// Runs `scenario` with `seed` to its end, one event at a time, and lists its moments.
Moments find_moments(const spec::Scenario& scenario, std::uint64_t seed);

/// The first moment of `kind` that happens after `after_event` events; nullptr if none.
const Moment* next_moment(const Moments& moments, MomentKind kind, std::uint64_t after_event);

/// Steps `simulation` until it has processed `events` events (or finished); the way to show a
/// run as it was after any event, since a run depends only on its scenario and seed.
void run_to_event(Simulation& simulation, std::uint64_t events);

}  // namespace deploysim::simulation
