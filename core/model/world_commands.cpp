// Operator commands that take capacity away, and the gate in front of them (docs/commands.md).

#include <algorithm>
#include <cmath>
#include <sstream>

#include "model/world.hpp"

namespace deploysim::model {

// What one command takes from one group.
struct World::CapacityCut {
  std::uint32_t group = 0;
  bool whole = false;              // no count or percentage: the group as a whole
  std::int64_t live = 0;           // hosts not terminated, before the command
  std::int64_t serving = 0;        // hosts in rotation, before the command
  std::int64_t serving_taken = 0;  // of `taken`, those in rotation
  std::vector<HostIndex> taken;
};

namespace {

// A percentage is of the group's live hosts, rounded up: "10%" of five hosts is one host, so
// that a percentage above 0 always acts.
std::int64_t hosts_asked(const spec::CountOrPercent& amount, std::int64_t live) {
  if (!amount.percent) return std::min(static_cast<std::int64_t>(amount.value), live);
  const double exact = amount.value * static_cast<double>(live) / 100.0;
  return std::min(live, static_cast<std::int64_t>(std::ceil(exact - 1e-9)));
}

std::string percent_text(double percent) {
  std::ostringstream text;
  text << std::round(percent * 10.0) / 10.0 << "%";
  return text.str();
}

}  // namespace

std::vector<World::CapacityCut> World::plan_cut(
    std::string_view group, const std::optional<spec::CountOrPercent>& hosts) const {
  std::vector<CapacityCut> cuts;
  for (const auto g : groups_named(group)) {
    CapacityCut cut;
    cut.group = g;
    cut.whole = !hosts;
    const auto& members = fleet_.groups()[g].hosts;
    for (const HostIndex h : members) {
      if (fleet_.health_of(h) == Health::terminated) continue;
      ++cut.live;
      if (fleet_.is_serving(h)) ++cut.serving;
    }
    const std::int64_t wanted = hosts ? hosts_asked(*hosts, cut.live) : cut.live;
    // The newest hosts first, and those in rotation before those already out of it, so that the
    // command takes the capacity it names rather than hosts that serve nothing anyway.
    for (const bool in_rotation : {true, false}) {
      for (auto it = members.rbegin(); it != members.rend(); ++it) {
        if (static_cast<std::int64_t>(cut.taken.size()) >= wanted) break;
        if (fleet_.health_of(*it) == Health::terminated || fleet_.is_serving(*it) != in_rotation) {
          continue;
        }
        cut.taken.push_back(*it);
        if (in_rotation) ++cut.serving_taken;
      }
    }
    cuts.push_back(std::move(cut));
  }
  return cuts;
}

std::optional<std::string> World::gate_refusal(const std::vector<CapacityCut>& cuts) const {
  const auto& gate = scenario_.automation.command_gate;
  if (!gate) return std::nullopt;
  for (const auto& cut : cuts) {
    const std::string& name = fleet_.groups()[cut.group].name;
    const auto taken = static_cast<std::int64_t>(cut.taken.size());
    const double share =
        cut.live > 0 ? 100.0 * static_cast<double>(taken) / static_cast<double>(cut.live) : 0.0;
    if (share > gate->max_percent + 1e-9) {
      return "would take " + std::to_string(taken) + " of the " + std::to_string(cut.live) +
             " hosts of " + name + " (" + percent_text(share) + "), more than the " +
             percent_text(gate->max_percent) + " one command may take";
    }
    const auto minimum = gate->min_hosts.find(name);
    const std::int64_t left = cut.serving - cut.serving_taken;
    if (minimum != gate->min_hosts.end() && left < minimum->second) {
      return "would leave " + std::to_string(left) + " serving hosts in " + name +
             ", fewer than its minimum of " + std::to_string(minimum->second);
    }
  }
  return std::nullopt;
}

bool World::command_capacity(spec::ActionKind action, std::string_view group,
                             const std::optional<spec::CountOrPercent>& hosts, std::string_view who,
                             std::string_view reason) {
  const bool remove = action == spec::ActionKind::remove;
  const auto cuts = plan_cut(group, hosts);
  std::int64_t taken = 0;
  for (const auto& cut : cuts) taken += static_cast<std::int64_t>(cut.taken.size());
  if (const auto refusal = gate_refusal(cuts)) {
    ++counters_.commands_refused;
    record({now(),
            "command_refused",
            std::string(group),
            {{"by", std::string(who)},
             {"command", std::string(remove ? "remove" : "halt")},
             {"hosts", taken},
             {"reason", "command gate: " + *refusal}}},
           true);
    return false;
  }
  // A whole-group halt stays the kill switch it always was: the group is held out of rotation.
  if (!remove && !hosts) {
    halt(group, who, reason);
    return true;
  }
  ++counters_.actions_taken;
  for (const auto& cut : cuts) {
    for (const HostIndex h : cut.taken) {
      fleet_.set_health(h, remove ? Health::terminated : Health::halted);
    }
  }
  // Hosts taken out by hand must not be put back by a rollout that goes on meanwhile.
  if (!remove && rollout_ != nullptr && rollout_->outcome() == DeployOutcome::in_progress) {
    rollout_->halt();
  }
  record({now(),
          remove ? "removed" : "halted",
          std::string(group),
          {{"by", std::string(who)},
           {"reason", std::string(reason)},
           {"hosts", taken},
           {"serving_hosts", fleet_.totals().serving_hosts}}},
         true);
  return true;
}

}  // namespace deploysim::model
