#include "simulation/moments.hpp"

#include <algorithm>
#include <array>

#include "simulation/narrative.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {

namespace {

constexpr std::array<std::pair<MomentKind, std::string_view>, 9> kKindNames = {{
    {MomentKind::alert, "alert"},
    {MomentKind::first_misbehaving, "first_misbehaving"},
    {MomentKind::flag_change, "flag_change"},
    {MomentKind::rollback, "rollback"},
    {MomentKind::scaling, "scaling"},
    {MomentKind::incident_end, "incident_end"},
    {MomentKind::deploy_start, "deploy_start"},
    {MomentKind::deploy_end, "deploy_end"},
    {MomentKind::incident_start, "incident_start"},
}};

std::optional<MomentKind> kind_of_record(std::string_view event) {
  if (event == "alert_fired") return MomentKind::alert;
  // A staged configuration change turns its flag on stage by stage, and off when it rolls back.
  if (event == "flag_set" || event == "change_stage") return MomentKind::flag_change;
  if (event == "code_rolled_back" || event == "deploy_rolled_back" ||
      event == "change_rolled_back") {
    return MomentKind::rollback;
  }
  if (event == "scaled") return MomentKind::scaling;
  if (event == "deploy_started") return MomentKind::deploy_start;
  if (event == "deploy_completed" || event == "deploy_halted" || event == "deploy_failed") {
    return MomentKind::deploy_end;
  }
  return std::nullopt;
}

// Sees every record, per host too (scaling events past the story's first few are trace-only),
// and keeps the kinds of moments among those of the current event.
class MomentSink : public engine::TraceSink {
 public:
  void write(const engine::TraceRecord& record) override {
    if (const auto kind = kind_of_record(record.event)) pending.push_back({*kind, record});
  }
  std::vector<std::pair<MomentKind, engine::TraceRecord>> pending;
};

std::string first_misbehaving_text(const model::Fleet& fleet) {
  for (std::size_t h = 0; h < fleet.size(); ++h) {
    const auto host = static_cast<model::HostIndex>(h);
    if (fleet.is_misbehaving(host)) return "first host misbehaving: " + fleet.host_name(host);
  }
  return "first host misbehaving";
}

const Moment* first_after(const std::vector<Moment>& moments, engine::Time from,
                          std::initializer_list<MomentKind> kinds) {
  for (const auto& moment : moments) {
    if (moment.time >= from && std::find(kinds.begin(), kinds.end(), moment.kind) != kinds.end())
      return &moment;
  }
  return nullptr;
}

// Deploy: from its start to its outcome or the first rollback. Incident: from its start, as users
// see it, to the first time they were back within every objective. Rollback: from the first
// rollback to that same moment, since a rollback is over for the class when users are whole.
std::vector<Phase> phases_of(const std::vector<Moment>& moments, engine::Time end) {
  std::vector<Phase> phases;
  const auto span = [&](PhaseKind kind, MomentKind start, std::initializer_list<MomentKind> stops) {
    const Moment* from = first_after(moments, engine::Time::zero(), {start});
    if (from == nullptr) return;
    const Moment* to = first_after(moments, from->time, stops);
    phases.push_back({kind, from->time, to != nullptr ? to->time : end});
  };
  span(PhaseKind::deploy, MomentKind::deploy_start, {MomentKind::deploy_end, MomentKind::rollback});
  span(PhaseKind::incident, MomentKind::incident_start, {MomentKind::incident_end});
  span(PhaseKind::rollback, MomentKind::rollback, {MomentKind::incident_end});
  std::stable_sort(phases.begin(), phases.end(),
                   [](const Phase& a, const Phase& b) { return a.from < b.from; });
  return phases;
}

}  // namespace

std::string_view moment_kind_name(MomentKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<MomentKind> moment_kind_from_name(std::string_view name) {
  for (const auto& [kind, n] : kKindNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::string_view phase_kind_name(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::deploy:
      return "deploy";
    case PhaseKind::incident:
      return "incident";
    case PhaseKind::rollback:
      return "rollback";
  }
  return "unknown";
}

Moments find_moments(const spec::Scenario& scenario, std::uint64_t seed) {
  MomentSink sink;
  Simulation simulation(scenario, seed, &sink);
  const model::Fleet& fleet = simulation.world().fleet();
  const model::IncidentTracker& incidents = simulation.world().incidents();
  Moments result;
  std::optional<engine::Time> incident_start;
  std::optional<engine::Time> incident_end;
  bool misbehaved = false;
  while (simulation.step()) {
    const std::uint64_t event = simulation.world().kernel().events_processed();
    for (auto& [kind, record] : sink.pending) {
      result.moments.push_back({kind, record.time, event, describe(record)});
    }
    sink.pending.clear();
    if (!misbehaved && fleet.incident_start()) {
      misbehaved = true;
      result.moments.push_back(
          {MomentKind::first_misbehaving, simulation.now(), event, first_misbehaving_text(fleet)});
    }
    // The users' incident, read without touching the run.
    const model::IncidentRecord users = incidents.overall_at(simulation.now());
    if (users.start && !incident_start) {
      incident_start = users.start;
      result.moments.push_back({MomentKind::incident_start, *users.start, event,
                                "incident begins: an objective breached or a host misbehaving"});
    }
    // Users can be back more than once; each time is an end of the incident so far.
    if (users.end && users.end != incident_end) {
      incident_end = users.end;
      result.moments.push_back({MomentKind::incident_end, *incident_end, event,
                                "incident over: users back within every objective"});
    }
  }
  result.events = simulation.world().kernel().events_processed();
  result.phases = phases_of(result.moments, simulation.end());
  return result;
}

const Moment* next_moment(const Moments& moments, MomentKind kind, std::uint64_t after_event) {
  for (const auto& moment : moments.moments) {
    if (moment.kind == kind && moment.event > after_event) return &moment;
  }
  return nullptr;
}

void run_to_event(Simulation& simulation, std::uint64_t events) {
  while (simulation.world().kernel().events_processed() < events && simulation.step()) {
  }
}

}  // namespace deploysim::simulation
