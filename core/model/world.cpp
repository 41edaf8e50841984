#include "model/world.hpp"

#include <algorithm>
#include <utility>

namespace deploysim::model {

std::string_view outcome_name(DeployOutcome outcome) {
  switch (outcome) {
    case DeployOutcome::not_started:
      return "not_started";
    case DeployOutcome::in_progress:
      return "in_progress";
    case DeployOutcome::completed:
      return "completed";
    case DeployOutcome::rolled_back:
      return "rolled_back";
    case DeployOutcome::halted:
      return "halted";
    case DeployOutcome::failed:
      return "failed";
  }
  return "unknown";
}

World::World(const spec::Scenario& scenario, std::uint64_t seed)
    : scenario_(scenario),
      seed_(seed),
      fleet_(scenario, kernel_),
      incidents_(scenario, fleet_, kernel_),
      remediation_(scenario, kernel_, fleet_, seed),
      start_generation_(fleet_.groups().size(), 0) {
  incidents_.changed();
  fleet_.set_observer(this);
  if (!scenario.deployment) return;
  const auto& deployment = *scenario.deployment;
  target_version_ = fleet_.find_version(deployment.service, deployment.to);
  for (std::uint32_t g = 0; g < fleet_.groups().size(); ++g) {
    const auto& group = fleet_.groups()[g];
    const bool named = deployment.groups.empty()
                           ? fleet_.service_names()[group.service] == deployment.service
                           : std::find(deployment.groups.begin(), deployment.groups.end(),
                                       group.name) != deployment.groups.end();
    if (named) {
      deployment_groups_.push_back(g);
      deployment_hosts_.insert(deployment_hosts_.end(), group.hosts.begin(), group.hosts.end());
    }
  }
}

World::~World() {
  fleet_.set_observer(nullptr);
}

std::int64_t World::deployment_live_hosts() const {
  std::int64_t live = 0;
  for (auto g : deployment_groups_) {
    for (HostIndex h : fleet_.groups()[g].hosts) {
      if (fleet_.health_of(h) != Health::terminated) ++live;
    }
  }
  return live;
}

void World::record(engine::TraceRecord record, bool notable) {
  if (trace_ != nullptr) trace_->write(record);
  if (notable) story_.push_back(std::move(record));
}

std::vector<std::uint32_t> World::groups_named(std::string_view group) const {
  std::vector<std::uint32_t> result;
  if (group.empty()) {
    for (std::uint32_t g = 0; g < fleet_.groups().size(); ++g) result.push_back(g);
  } else if (auto g = fleet_.find_group(group)) {
    result.push_back(*g);
  }
  return result;
}

std::vector<HostIndex> World::inconsistent_hosts(std::uint32_t flag) const {
  std::vector<HostIndex> hosts;
  if (!target_version_) return hosts;
  const auto service = fleet_.versions()[*target_version_].service;
  for (auto g : fleet_.flags()[flag].scope) {
    if (fleet_.groups()[g].service != service) continue;
    for (HostIndex h : fleet_.groups()[g].hosts) {
      if (fleet_.health_of(h) != Health::terminated && fleet_.version_of(h) != *target_version_) {
        hosts.push_back(h);
      }
    }
  }
  return hosts;
}

bool World::set_flag(std::string_view flag, std::string_view group, bool on, double percent,
                     std::string_view who) {
  const auto f = fleet_.find_flag(flag);
  if (!f) return false;
  std::vector<std::uint32_t> groups;
  if (group.empty()) {
    groups = fleet_.flags()[*f].scope;
  } else {
    groups = groups_named(group);
  }
  const bool gated = scenario_.deployment && scenario_.deployment->preflight_gate;
  if (on && gated) {
    const auto inconsistent = inconsistent_hosts(*f);
    if (!inconsistent.empty()) {
      ++counters_.flag_changes_blocked;
      const std::string first = fleet_.host_name(inconsistent.front());
      record({now(),
              "flag_blocked",
              std::string(flag),
              {{"by", std::string(who)},
               {"reason", std::string("pre-flight gate: ") + std::to_string(inconsistent.size()) +
                              " host(s) in scope not on " +
                              fleet_.versions()[*target_version_].name + ", e.g. " + first},
               {"inconsistent_hosts", static_cast<std::int64_t>(inconsistent.size())}}},
             true);
      if (scenario_.automation.halt_on_inconsistency) {
        halt(group, "automation", "fleet inconsistent with the flag");
      }
      return false;
    }
  }
  fleet_.set_flag(*f, groups, on, percent);
  ++counters_.actions_taken;
  std::vector<engine::TraceField> fields{{"value", on}, {"by", std::string(who)}};
  if (percent < 100.0) fields.push_back({"percent", percent});
  fields.push_back({"misbehaving_hosts", fleet_.totals().misbehaving_hosts});
  record({now(), "flag_set", std::string(flag), std::move(fields)}, true);
  if (!on) {
    for (const auto& listener : flag_off_listeners_) listener(*f, who);
  }
  return true;
}

void World::rollback_code(std::string_view group, std::string_view who, std::string_view reason) {
  ++counters_.actions_taken;
  if (rollout_ != nullptr) {
    rollout_->rollback(reason, who);
  } else {
    for (auto g : groups_named(group)) {
      for (HostIndex h : fleet_.groups()[g].hosts) {
        if (fleet_.needs_repair(h)) continue;  // only hands reach it
        fleet_.set_version(h, fleet_.previous_version_of(h));
      }
    }
  }
  record({now(),
          "code_rolled_back",
          std::string(group),
          {{"by", std::string(who)},
           {"reason", std::string(reason)},
           {"misbehaving_hosts", fleet_.totals().misbehaving_hosts}}},
         true);
}

void World::halt(std::string_view group, std::string_view who, std::string_view reason) {
  ++counters_.actions_taken;
  for (auto g : groups_named(group)) fleet_.halt_group(g);
  if (rollout_ != nullptr && rollout_->outcome() == DeployOutcome::in_progress) rollout_->halt();
  record({now(),
          "halted",
          std::string(group),
          {{"by", std::string(who)},
           {"reason", std::string(reason)},
           {"misbehaving_hosts", fleet_.totals().misbehaving_hosts}}},
         true);
}

void World::switch_off_service(std::string_view service, std::string_view who,
                               std::string_view reason) {
  ++counters_.actions_taken;
  const auto& names = fleet_.service_names();
  const auto s =
      static_cast<std::uint32_t>(std::find(names.begin(), names.end(), service) - names.begin());
  fleet_.switch_off_service(s);
  if (rollout_ != nullptr && rollout_->outcome() == DeployOutcome::in_progress &&
      scenario_.deployment && scenario_.deployment->service == service) {
    rollout_->halt();
  }
  // One line per group, as a halt writes it, so that every front end shows it already.
  const std::string why =
      std::string(reason) + "; " + std::string(service) + " switched off, its callers skip it";
  for (const auto& group : fleet_.groups()) {
    if (group.service != s) continue;
    record({now(),
            "halted",
            group.name,
            {{"by", std::string(who)},
             {"reason", why},
             {"misbehaving_hosts", fleet_.totals().misbehaving_hosts}}},
           true);
  }
}

void World::resume(std::string_view group, std::string_view who) {
  ++counters_.actions_taken;
  for (auto g : groups_named(group)) {
    const auto start = scenario_.services[fleet_.groups()[g].service].host_start;
    const std::uint64_t generation = ++start_generation_[g];
    if (fleet_.resume_group(g, start.ms() > 0) == 0) continue;
    // One event for the group, not one per host: they all boot for the same time. A later
    // resume of the same group (after another halt) starts its own clock.
    kernel_.call_after(start, [this, g, generation](engine::Kernel&) {
      if (start_generation_[g] == generation) fleet_.finish_start(g);
    });
  }
  record({now(), "resumed", std::string(group), {{"by", std::string(who)}}}, true);
}

}  // namespace deploysim::model
