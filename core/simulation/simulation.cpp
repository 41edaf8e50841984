#include "simulation/simulation.hpp"

#include <algorithm>

#include "strategy/strategy.hpp"

namespace deploysim::simulation {

namespace {
nlohmann::ordered_json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// The incident keys of a record: times from its start, integrals up to now.
IncidentSummary summarise(const model::IncidentRecord& record,
                          const std::optional<engine::Time>& detected, engine::Time now,
                          double users_per_request) {
  IncidentSummary s;
  s.failed_requests = record.failed_requests;
  s.users_affected = record.failed_requests * users_per_request;
  s.host_minutes_unavailable = record.unavailable_host_ms / 60'000.0;
  if (!record.start) return s;
  const engine::Time start = *record.start;
  s.incident_start_s = start.to_seconds();
  if (detected) s.time_to_detect_s = std::max(0.0, (*detected - start).to_seconds());
  if (record.end) s.time_to_recover_s = (*record.end - start).to_seconds();
  // The cause stopped when no host misbehaved any more; an incident without misbehaving hosts
  // (a halted or overloaded service) has no cause to stop but the outage itself.
  if (record.harmed && record.harm_end) {
    s.time_to_mitigate_s = (*record.harm_end - start).to_seconds();
  } else if (!record.harmed) {
    s.time_to_mitigate_s = s.time_to_recover_s;
  }
  s.incident_duration_s = (record.end.value_or(now) - start).to_seconds();
  return s;
}

}  // namespace

nlohmann::ordered_json IncidentSummary::to_json() const {
  nlohmann::ordered_json j;
  j["time_to_detect_s"] = optional_number(time_to_detect_s);
  j["time_to_mitigate_s"] = optional_number(time_to_mitigate_s);
  j["time_to_recover_s"] = optional_number(time_to_recover_s);
  j["incident_duration_s"] = optional_number(incident_duration_s);
  j["host_minutes_unavailable"] = host_minutes_unavailable;
  j["blast_radius_hosts"] = blast_radius_hosts;
  j["failed_requests"] = failed_requests;
  j["users_affected"] = users_affected;
  j["error_budget_consumed"] = optional_number(error_budget_consumed);
  j["incident_start_s"] = optional_number(incident_start_s);
  j["availability_objective_percent"] = availability_objective_percent;
  j["latency_objective_ms"] = optional_number(latency_objective_ms);
  return j;
}

nlohmann::ordered_json Summary::to_json() const {
  nlohmann::ordered_json j;
  j["loss_usd"] = loss_usd;
  j["time_to_detect_s"] = optional_number(time_to_detect_s);
  j["time_to_mitigate_s"] = optional_number(time_to_mitigate_s);
  j["time_to_recover_s"] = optional_number(time_to_recover_s);
  j["incident_duration_s"] = optional_number(incident_duration_s);
  j["host_minutes_unavailable"] = host_minutes_unavailable;
  j["blast_radius_hosts"] = blast_radius_hosts;
  j["deploy_outcome"] = deploy_outcome;
  j["hosts_total"] = hosts_total;
  j["hosts_on_target_version"] = hosts_on_target_version;
  j["max_hosts_misbehaving"] = max_hosts_misbehaving;
  j["alerts_fired"] = alerts_fired;
  j["events_processed"] = events_processed;
  j["seed"] = seed;
  j["deployment_hosts"] = deployment_hosts;
  j["alerts_ignored"] = alerts_ignored;
  j["signals_emitted"] = signals_emitted;
  j["flag_changes_blocked"] = flag_changes_blocked;
  // Only scenarios with a command gate have the key, so that every other summary reads as before.
  if (commands_refused) j["commands_refused"] = *commands_refused;
  j["failed_requests"] = failed_requests;
  j["users_affected"] = users_affected;
  j["error_budget_consumed"] = error_budget_consumed;
  j["incident_start_s"] = optional_number(incident_start_s);
  j["end_s"] = end_s;
  j["peak_utilization"] = optional_number(peak_utilization);
  j["overload_s"] = optional_number(overload_s);
  j["scaling_events"] =
      scaling_events ? nlohmann::ordered_json(*scaling_events) : nlohmann::ordered_json(nullptr);
  auto& by_service = j["services"] = nlohmann::ordered_json::object();
  for (const auto& [name, incident] : services) by_service[name] = incident.to_json();
  auto& teams = j["remediation"] = nlohmann::ordered_json::array();
  for (const auto& team : remediation) {
    teams.push_back({{"team", team.team},
                     {"technicians", team.technicians},
                     {"hosts_repaired", team.hosts_repaired},
                     {"hosts_awaiting_repair", team.hosts_awaiting_repair},
                     {"first_crash_s", optional_number(team.first_crash_s)},
                     {"last_repair_s", optional_number(team.last_repair_s)}});
  }
  // Only scenarios with changes have the key, so that every other summary reads as before.
  if (!changes.empty()) {
    auto& list = j["changes"] = nlohmann::ordered_json::array();
    for (const auto& change : changes) list.push_back(change.to_json());
  }
  return j;
}

Simulation::Simulation(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace,
                       model::FaultPlan* faults)
    : scenario_(scenario),
      world_(scenario, seed),
      monitor_(
          world_, [this](const spec::AlertRule& rule) { on_alert(rule); },
          [this](const spec::AlertRule& rule) { kill_switch(rule); }) {
  world_.set_trace(trace);
  world_.set_faults(faults);
  for (const auto& person : scenario.people) {
    responders_.push_back(std::make_unique<model::Responder>(
        world_, person, [this](std::string_view alert) { return monitor_.is_firing(alert); },
        [this](std::string_view who, std::string_view alert) { page(who, alert); }));
  }
  if (scenario.has_load_model()) {
    // Started before monitoring, so that each sample sees the load of its own instant.
    load_ = std::make_unique<model::LoadModel>(world_);
    for (const auto& params : scenario.autoscalers) {
      autoscalers_.push_back(std::make_unique<model::Autoscaler>(world_, *load_, params));
    }
    load_->set_cold_start_hook([this](std::uint32_t group) -> std::optional<double> {
      for (auto& scaler : autoscalers_) {
        if (scaler->group() == group) return scaler->cold_start(group);
      }
      return std::nullopt;
    });
    world_.incidents().set_load([this](std::uint32_t group) {
      return load_->loaded(group) ? load_->service_rate_for_group(group) : 0.0;
    });
    load_->start();
    for (auto& scaler : autoscalers_) scaler->start();
    monitor_.set_load_model(load_.get());
  }
  monitor_.start();
  if (scenario.deployment) {
    strategy_ = strategy::make_strategy(world_, *scenario.deployment);
    world_.set_rollout(strategy_.get());
    if (scenario.deployment->start <= scenario.clock.end) {
      world_.kernel().call_at(scenario.deployment->start, [this](engine::Kernel&) {
        if (world_.faults() != nullptr) cut_off_groups();
        strategy_->begin();
      });
    }
  }
  schedule_changes();
  schedule_timeline();
}

Simulation::~Simulation() = default;

void Simulation::schedule_changes() {
  for (const auto& change : scenario_.changes) {
    auto push = std::make_unique<strategy::FlagPush>(
        world_, change, [this](std::string_view alert) { return monitor_.is_firing(alert); });
    if (change.start <= scenario_.clock.end) {
      world_.kernel().call_at(change.start, [p = push.get()](engine::Kernel&) { p->begin(); });
    }
    pushes_.push_back(std::move(push));
  }
  // One listener serves both kinds of stages, the changes' and the timeline's: turning a flag off
  // ends them.
  const auto flags = world_.fleet().flags().size();
  timeline_staged_.assign(flags, false);
  stopped_by_others_.assign(flags, false);
  world_.add_flag_off_listener([this](std::uint32_t flag, std::string_view who) {
    if (!in_timeline_ && timeline_staged_[flag]) stopped_by_others_[flag] = true;
    for (auto& push : pushes_) push->flag_turned_off(flag, who);
  });
}

void Simulation::timeline_flag_stage(const spec::TimelineEntry& entry, const std::string& who) {
  const auto flag = world_.fleet().find_flag(entry.flag).value();
  // A flag the timeline releases in stages stops at the stage it reached once a person or
  // automation turns it off: the next stage would undo their decision.
  if (entry.value && stopped_by_others_[flag]) {
    world_.record({world_.now(),
                   "flag_stage_skipped",
                   entry.flag,
                   {{"by", who}, {"reason", std::string("turned off since the last stage")}}},
                  true);
    return;
  }
  in_timeline_ = true;
  double percent = entry.percent;
  if (entry.value && world_.faults() != nullptr) {
    if (const auto* wrong = world_.fault_at(model::FaultKind::flag_wrong_percent, entry.flag)) {
      world_.note_fault(*wrong, "flag " + entry.flag + " reaches the wrong share of hosts");
      percent = wrong->percent;
    }
  }
  if (world_.set_flag(entry.flag, entry.group, entry.value, percent, who) && entry.value) {
    timeline_staged_[flag] = true;
    stopped_by_others_[flag] = false;
  }
  in_timeline_ = false;
}

void Simulation::cut_off_groups() {
  for (const auto& group : world_.fleet().groups()) {
    const auto& hosts = world_.deployment_hosts();
    if (group.hosts.empty() ||
        std::find(hosts.begin(), hosts.end(), group.hosts.front()) == hosts.end()) {
      continue;
    }
    const auto* cut = world_.fault_at(model::FaultKind::group_unreachable, group.name);
    if (cut == nullptr) continue;
    world_.note_fault(*cut, group.name + " is cut off from its callers");
    for (auto h : group.hosts) world_.fleet().set_health(h, model::Health::unreachable);
  }
}

engine::Time Simulation::timeline_time(const spec::TimelineEntry& entry,
                                       std::vector<bool>& early_taken) {
  if (world_.faults() == nullptr || entry.action != spec::ActionKind::set_flag || !entry.value ||
      !scenario_.deployment) {
    return entry.at;
  }
  // Only the flag's first turn-on moves, to the moment the deployment starts.
  const auto flag = world_.fleet().find_flag(entry.flag);
  if (!flag || early_taken[*flag]) return entry.at;
  early_taken[*flag] = true;
  const auto* early = world_.fault_at(model::FaultKind::flag_early, entry.flag);
  if (early == nullptr) return entry.at;
  const auto at = std::min(entry.at, scenario_.deployment->start);
  // Noted when it happens, not now: the story is in time order.
  world_.kernel().call_at(at, [this, early, &entry](engine::Kernel&) {
    world_.note_fault(*early, "flag " + entry.flag + " goes on as the deployment starts");
  });
  return at;
}

void Simulation::schedule_timeline() {
  std::vector<bool> early_taken(world_.fleet().flags().size(), false);
  for (const auto& entry : scenario_.timeline) {
    world_.kernel().call_at(timeline_time(entry, early_taken), [this, &entry](engine::Kernel&) {
      const std::string who = entry.person.empty() ? "timeline" : entry.person;
      switch (entry.action) {
        case spec::ActionKind::set_flag:
          timeline_flag_stage(entry, who);
          break;
        case spec::ActionKind::rollback_code:
          world_.rollback_code(entry.group, who, "timeline");
          break;
        case spec::ActionKind::halt:
        case spec::ActionKind::remove:
          world_.command_capacity(entry.action, entry.group, entry.hosts, who, "timeline");
          break;
        case spec::ActionKind::resume:
          world_.resume(entry.group, who);
          break;
        case spec::ActionKind::page:
          page(entry.person, "timeline");
          break;
        case spec::ActionKind::deploy:
          if (strategy_ && strategy_->outcome() == model::DeployOutcome::not_started) {
            strategy_->begin();
          } else if (strategy_ && strategy_->outcome() == model::DeployOutcome::in_progress) {
            strategy_->promote(who);
          }
          break;
      }
    });
  }
}

void Simulation::kill_switch(const spec::AlertRule& rule) {
  // A kill switch is an alert that machines act on: it counts as detection.
  ++world_.counters().alerts_fired;
  world_.note_detection();
  const std::string reason = "kill switch on " + std::string(spec::metric_name(rule.metric));
  const auto& automation = scenario_.automation;
  if (!automation.kill_switch_flag.empty()) {
    world_.set_flag(automation.kill_switch_flag, "", false, 100.0, "automation");
  } else if (!automation.kill_switch_service.empty()) {
    world_.switch_off_service(automation.kill_switch_service, "automation", reason);
  } else {
    world_.halt("", "automation", reason);
  }
}

void Simulation::on_alert(const spec::AlertRule& rule) {
  auto& counters = world_.counters();
  ++counters.alerts_fired;
  if (rule.ignored) {
    ++counters.alerts_ignored;
    return;
  }
  const auto& automation = scenario_.automation;
  const bool rolls_back = std::find(automation.rollback_on.begin(), automation.rollback_on.end(),
                                    rule.name) != automation.rollback_on.end();
  const bool aborts = std::any_of(
      scenario_.changes.begin(), scenario_.changes.end(), [&](const spec::Change& change) {
        return std::find(change.abort_on.begin(), change.abort_on.end(), rule.name) !=
               change.abort_on.end();
      });
  // Detection is an alert somebody or something acts on (docs/incidents.md): one that pages
  // nobody and stops nothing is a dashboard nobody watches.
  if (!rule.notify.empty() || rolls_back || aborts) world_.note_detection();
  for (auto& push : pushes_) push->alert_fired(rule.name);
  if (rolls_back) world_.rollback_code("", "automation", "alert " + rule.name);
  if (!rule.notify.empty()) page(rule.notify, rule.name);
}

void Simulation::page(std::string_view person, std::string_view alert) {
  for (auto& responder : responders_) {
    if (responder->name() == person) responder->page(alert);
  }
}

void Simulation::run() {
  run_until(scenario_.clock.end);
}

void Simulation::run_until(engine::Time limit) {
  world_.kernel().run_until(std::min(limit, scenario_.clock.end));
  if (finished()) finalize();
}

bool Simulation::step() {
  // Events due at the end time itself still run, as run_until(end) runs them: a run stepped
  // one event at a time processes the same events as one run straight through.
  if (world_.kernel().next_event_time() > scenario_.clock.end) {
    world_.kernel().run_until(scenario_.clock.end);
    finalize();
    return false;
  }
  return world_.kernel().step();
}

bool Simulation::finished() const {
  return world_.now() >= scenario_.clock.end;
}

void Simulation::finalize() {
  if (finalized_) return;
  finalized_ = true;
  monitor_.sample_now();
}

Result Simulation::result() & {
  if (finished()) finalize();
  Result result{snapshot(), monitor_.series(), world_.story()};
  return result;
}

Result Simulation::result() && {
  if (finished()) finalize();
  Result result{snapshot(), monitor_.take_series(), world_.take_story()};
  return result;
}

Summary Simulation::snapshot() const {
  Summary s;
  const auto& fleet = world_.fleet();
  const auto& counters = world_.counters();
  const model::Impact impact = fleet.impact_at(world_.now());
  s.loss_usd = impact.loss_usd;
  s.seed = world_.seed();
  s.end_s = world_.now().to_seconds();
  s.events_processed = world_.kernel().events_processed();
  s.hosts_total = fleet.totals().live_hosts;
  s.deployment_hosts = world_.deployment_live_hosts();
  s.hosts_on_target_version =
      world_.target_version() ? fleet.hosts_on_version(*world_.target_version()) : 0;
  s.max_hosts_misbehaving = fleet.max_misbehaving_hosts();
  s.alerts_fired = counters.alerts_fired;
  s.alerts_ignored = counters.alerts_ignored;
  s.signals_emitted = counters.signals_emitted;
  s.flag_changes_blocked = counters.flag_changes_blocked;
  if (scenario_.automation.command_gate) s.commands_refused = counters.commands_refused;
  // Requests failing on a service with nothing serving are the users' loss too, though no host
  // served them.
  const auto overall = world_.incidents().overall_at(world_.now());
  s.failed_requests = impact.failed_requests + overall.outage_requests;
  s.users_affected = s.failed_requests * scenario_.business.users_per_request;
  const double budget =
      (impact.requests + overall.outage_requests) * scenario_.business.error_budget;
  s.error_budget_consumed = budget > 0.0 ? s.failed_requests / budget : 0.0;
  if (strategy_) s.deploy_outcome = std::string(model::outcome_name(strategy_->outcome()));
  summarise_incidents(s);
  for (const auto& push : pushes_) s.changes.push_back(push->summary());
  if (load_) {
    s.peak_utilization = load_->max_utilization();
    s.overload_s = load_->overload_seconds();
    int events = 0;
    for (const auto& scaler : autoscalers_) events += scaler->scaling_events();
    s.scaling_events = events;
  }
  return s;
}

void Simulation::summarise_incidents(Summary& s) const {
  const auto& incidents = world_.incidents();
  const auto now = world_.now();
  const auto detected = world_.counters().detected_at;
  const double users = scenario_.business.users_per_request;
  const auto overall = summarise(incidents.overall_at(now), detected, now, users);
  s.incident_start_s = overall.incident_start_s;
  s.time_to_detect_s = overall.time_to_detect_s;
  s.time_to_mitigate_s = overall.time_to_mitigate_s;
  s.time_to_recover_s = overall.time_to_recover_s;
  s.incident_duration_s = overall.incident_duration_s;
  s.host_minutes_unavailable = overall.host_minutes_unavailable;
  s.blast_radius_hosts = world_.fleet().ever_affected_hosts();
  for (std::uint32_t i = 0; i < scenario_.services.size(); ++i) {
    const auto record = incidents.service_at(i, now);
    auto service = summarise(record, detected, now, users);
    service.blast_radius_hosts = world_.fleet().service_totals(i).ever_affected;
    service.availability_objective_percent = incidents.availability_target(i);
    service.latency_objective_ms = incidents.latency_target(i);
    const double allowed = record.requests * (1.0 - service.availability_objective_percent / 100.0);
    if (allowed > 0.0) {
      service.error_budget_consumed = record.failed_requests / allowed;
    } else if (record.requests == 0.0 || record.failed_requests == 0.0) {
      service.error_budget_consumed = 0.0;
    }
    s.services.emplace_back(scenario_.services[i].name, std::move(service));
  }
  for (const auto& team : world_.remediation().progress()) {
    s.remediation.push_back(
        {.team = team.team,
         .technicians = team.technicians,
         .hosts_repaired = team.repaired,
         .hosts_awaiting_repair = team.waiting + team.in_repair,
         .first_crash_s =
             team.first_crash ? std::optional(team.first_crash->to_seconds()) : std::nullopt,
         .last_repair_s =
             team.last_repair ? std::optional(team.last_repair->to_seconds()) : std::nullopt});
  }
}

Result run(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace,
           model::FaultPlan* faults) {
  Simulation simulation(scenario, seed, trace, faults);
  simulation.run();
  return std::move(simulation).result();
}

}  // namespace deploysim::simulation
