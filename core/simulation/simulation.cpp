#include "simulation/simulation.hpp"

#include <algorithm>

#include "strategy/strategy.hpp"

namespace deploysim::simulation {

namespace {
nlohmann::ordered_json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}
}  // namespace

nlohmann::ordered_json Summary::to_json() const {
  nlohmann::ordered_json j;
  j["loss_usd"] = loss_usd;
  j["time_to_detect_s"] = optional_number(time_to_detect_s);
  j["time_to_mitigate_s"] = optional_number(time_to_mitigate_s);
  j["incident_duration_s"] = optional_number(incident_duration_s);
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
  return j;
}

Simulation::Simulation(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace)
    : scenario_(scenario),
      world_(scenario, seed),
      monitor_(
          world_, [this](const spec::AlertRule& rule) { on_alert(rule); },
          [this](const spec::AlertRule& rule) {
            // A kill switch is an alert that machines act on: it counts as detection.
            ++world_.counters().alerts_fired;
            world_.note_detection();
            world_.halt("", "automation",
                        "kill switch on " + std::string(spec::metric_name(rule.metric)));
          }) {
  world_.set_trace(trace);
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
    load_->start();
    for (auto& scaler : autoscalers_) scaler->start();
    monitor_.set_load_model(load_.get());
  }
  monitor_.start();
  if (scenario.deployment) {
    strategy_ = strategy::make_strategy(world_, *scenario.deployment);
    world_.set_rollout(strategy_.get());
    if (scenario.deployment->start <= scenario.clock.end) {
      world_.kernel().call_at(scenario.deployment->start,
                              [this](engine::Kernel&) { strategy_->begin(); });
    }
  }
  schedule_timeline();
}

Simulation::~Simulation() = default;

void Simulation::schedule_timeline() {
  for (const auto& entry : scenario_.timeline) {
    world_.kernel().call_at(entry.at, [this, &entry](engine::Kernel&) {
      const std::string who = entry.person.empty() ? "timeline" : entry.person;
      switch (entry.action) {
        case spec::ActionKind::set_flag:
          world_.set_flag(entry.flag, entry.group, entry.value, entry.percent, who);
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

void Simulation::on_alert(const spec::AlertRule& rule) {
  auto& counters = world_.counters();
  ++counters.alerts_fired;
  if (rule.ignored) {
    ++counters.alerts_ignored;
    return;
  }
  world_.note_detection();
  const auto& automation = scenario_.automation;
  if (std::find(automation.rollback_on.begin(), automation.rollback_on.end(), rule.name) !=
      automation.rollback_on.end()) {
    world_.rollback_code("", "automation", "alert " + rule.name);
  }
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
  s.failed_requests = impact.failed_requests;
  s.users_affected = impact.failed_requests * scenario_.business.users_per_request;
  const double budget = impact.requests * scenario_.business.error_budget;
  s.error_budget_consumed = budget > 0.0 ? impact.failed_requests / budget : 0.0;
  if (strategy_) s.deploy_outcome = std::string(model::outcome_name(strategy_->outcome()));
  if (const auto start = fleet.incident_start()) {
    s.incident_start_s = start->to_seconds();
    if (counters.detected_at) {
      s.time_to_detect_s = std::max(0.0, (*counters.detected_at - *start).to_seconds());
    }
    if (const auto end = fleet.incident_end()) {
      s.time_to_mitigate_s = (*end - *start).to_seconds();
      s.incident_duration_s = s.time_to_mitigate_s;
    } else {
      // Still going at the end of the run: its duration so far.
      s.incident_duration_s = (world_.now() - *start).to_seconds();
    }
  }
  if (load_) {
    s.peak_utilization = load_->max_utilization();
    s.overload_s = load_->overload_seconds();
    int events = 0;
    for (const auto& scaler : autoscalers_) events += scaler->scaling_events();
    s.scaling_events = events;
  }
  return s;
}

Result run(const spec::Scenario& scenario, std::uint64_t seed, engine::TraceSink* trace) {
  Simulation simulation(scenario, seed, trace);
  simulation.run();
  return std::move(simulation).result();
}

}  // namespace deploysim::simulation
