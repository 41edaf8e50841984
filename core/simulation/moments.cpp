#include "simulation/moments.hpp"

#include <algorithm>
#include <array>

#include "simulation/narrative.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {

namespace {

constexpr std::array<std::pair<MomentKind, std::string_view>, 8> kKindNames = {{
    {MomentKind::alert, "alert"},
    {MomentKind::first_misbehaving, "first_misbehaving"},
    {MomentKind::flag_change, "flag_change"},
    {MomentKind::rollback, "rollback"},
    {MomentKind::scaling, "scaling"},
    {MomentKind::incident_end, "incident_end"},
    {MomentKind::deploy_start, "deploy_start"},
    {MomentKind::deploy_end, "deploy_end"},
}};

std::optional<MomentKind> kind_of_record(std::string_view event) {
  if (event == "alert_fired") return MomentKind::alert;
  if (event == "flag_set") return MomentKind::flag_change;
  if (event == "code_rolled_back" || event == "deploy_rolled_back") return MomentKind::rollback;
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

// Deploy: from its start to its outcome or the first rollback. Incident: the first misbehaving
// host to the first time the fleet went quiet again. Rollback: from the first rollback to that
// same quiet moment, since a rollback is over for the class when the harm stops.
std::vector<Phase> phases_of(const std::vector<Moment>& moments, engine::Time end) {
  std::vector<Phase> phases;
  const auto span = [&](PhaseKind kind, MomentKind start, std::initializer_list<MomentKind> stops) {
    const Moment* from = first_after(moments, engine::Time::zero(), {start});
    if (from == nullptr) return;
    const Moment* to = first_after(moments, from->time, stops);
    phases.push_back({kind, from->time, to != nullptr ? to->time : end});
  };
  span(PhaseKind::deploy, MomentKind::deploy_start, {MomentKind::deploy_end, MomentKind::rollback});
  span(PhaseKind::incident, MomentKind::first_misbehaving, {MomentKind::incident_end});
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
  Moments result;
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
    // The fleet can go quiet more than once; each time is an end of the incident so far.
    if (fleet.incident_end() && fleet.incident_end() != incident_end) {
      incident_end = fleet.incident_end();
      result.moments.push_back(
          {MomentKind::incident_end, *incident_end, event, "incident over: no host misbehaving"});
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
