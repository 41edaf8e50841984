#include "strategy/flag_push.hpp"

#include <algorithm>
#include <utility>

namespace deploysim::strategy {

namespace {
nlohmann::ordered_json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}
}  // namespace

std::string_view change_outcome_name(ChangeOutcome outcome) {
  switch (outcome) {
    case ChangeOutcome::not_started:
      return "not_started";
    case ChangeOutcome::in_progress:
      return "in_progress";
    case ChangeOutcome::completed:
      return "completed";
    case ChangeOutcome::rolled_back:
      return "rolled_back";
    case ChangeOutcome::stopped:
      return "stopped";
    case ChangeOutcome::blocked:
      return "blocked";
  }
  return "unknown";
}

nlohmann::ordered_json ChangeSummary::to_json() const {
  return {{"name", name},
          {"kind", kind},
          {"flag", flag},
          {"strategy", strategy},
          {"outcome", change_outcome_name(outcome)},
          {"stages_total", stages_total},
          {"stages_done", stages_done},
          {"started_s", optional_number(started_s)},
          {"ended_s", optional_number(ended_s)},
          {"reason", reason}};
}

FlagPush::FlagPush(model::World& world, const spec::Change& change, AlertQuery firing)
    : world_(world), change_(change), firing_(std::move(firing)) {
  // The loader checked the names: a missing one here is a programming error, not input.
  flag_ = world_.fleet().find_flag(change_.flag).value();
  scope_ = world_.fleet().flags()[flag_].scope;
}

void FlagPush::begin() {
  if (outcome_ != ChangeOutcome::not_started) return;
  started_ = world_.now();
  if (auto refusal = preflight_refusal()) {
    ++world_.counters().flag_changes_blocked;
    world_.record({world_.now(),
                   "change_blocked",
                   change_.name,
                   {{"flag", change_.flag}, {"reason", "pre-flight gate: " + *refusal}}},
                  true);
    end(ChangeOutcome::blocked, "pre-flight gate: " + *refusal);
    return;
  }
  const auto& info = world_.fleet().flags()[flag_];
  before_on_ = info.on_in_group;
  before_percent_ = info.percent;
  outcome_ = ChangeOutcome::in_progress;
  apply_stage(0);
}

void FlagPush::apply_stage(std::size_t index) {
  const auto& stage = change_.stages[index];
  if (stage.groups.empty()) {
    reached_ = scope_;
  } else {
    for (const auto& name : stage.groups) {
      const auto g = world_.fleet().find_group(name).value();
      if (std::find(reached_.begin(), reached_.end(), g) == reached_.end()) reached_.push_back(g);
    }
  }
  world_.fleet().set_flag(flag_, reached_, true, stage.percent);
  ++world_.counters().actions_taken;
  stages_done_ = index + 1;
  world_.record({world_.now(),
                 "change_stage",
                 change_.name,
                 {{"stage", stage.name},
                  {"number", static_cast<std::int64_t>(index + 1)},
                  {"of", static_cast<std::int64_t>(change_.stages.size())},
                  {"percent", stage.percent},
                  {"hosts_flag_on", hosts_with_flag_on()},
                  {"misbehaving_hosts", world_.fleet().totals().misbehaving_hosts}}},
                true);
  world_.kernel().call_after(stage.bake, [this, index](engine::Kernel&) { stage_baked(index); });
}

void FlagPush::stage_baked(std::size_t index) {
  if (outcome_ != ChangeOutcome::in_progress) return;
  // The analysis at the end of the bake: an abort alert still firing stops the push even if it
  // began firing before the push did.
  for (const auto& alert : change_.abort_on) {
    if (firing_(alert)) {
      roll_back(alert);
      return;
    }
  }
  if (index + 1 < change_.stages.size()) {
    apply_stage(index + 1);
    return;
  }
  world_.record({world_.now(),
                 "change_completed",
                 change_.name,
                 {{"flag", change_.flag}, {"hosts_flag_on", hosts_with_flag_on()}}},
                true);
  end(ChangeOutcome::completed, "");
}

void FlagPush::alert_fired(std::string_view alert) {
  if (outcome_ != ChangeOutcome::in_progress) return;
  if (std::find(change_.abort_on.begin(), change_.abort_on.end(), alert) !=
      change_.abort_on.end()) {
    roll_back(std::string(alert));
  }
}

void FlagPush::flag_turned_off(std::uint32_t flag, std::string_view who) {
  if (flag != flag_ || outcome_ != ChangeOutcome::in_progress) return;
  const std::string reason = "flag turned off by " + std::string(who);
  world_.record({world_.now(),
                 "change_stopped",
                 change_.name,
                 {{"reason", reason},
                  {"stages_done", static_cast<std::int64_t>(stages_done_)},
                  {"hosts_flag_on", hosts_with_flag_on()}}},
                true);
  end(ChangeOutcome::stopped, reason);
}

void FlagPush::roll_back(const std::string& alert) {
  // The flag goes back group by group to what it was; the percentage is the flag's own, one for
  // its whole scope, so it returns to its value before the push.
  std::vector<std::uint32_t> on;
  std::vector<std::uint32_t> off;
  for (auto g : scope_) (before_on_[g] ? on : off).push_back(g);
  world_.fleet().set_flag(flag_, off, false, before_percent_);
  world_.fleet().set_flag(flag_, on, true, before_percent_);
  ++world_.counters().actions_taken;
  const std::string reason = "alert " + alert;
  world_.record({world_.now(),
                 "change_rolled_back",
                 change_.name,
                 {{"by", std::string("automation")},
                  {"reason", reason},
                  {"stages_done", static_cast<std::int64_t>(stages_done_)},
                  {"hosts_flag_on", hosts_with_flag_on()},
                  {"misbehaving_hosts", world_.fleet().totals().misbehaving_hosts}}},
                true);
  end(ChangeOutcome::rolled_back, reason);
}

void FlagPush::end(ChangeOutcome outcome, std::string reason) {
  outcome_ = outcome;
  ended_ = world_.now();
  reason_ = std::move(reason);
}

std::optional<std::string> FlagPush::preflight_refusal() const {
  if (change_.require_versions.empty()) return std::nullopt;
  const auto& fleet = world_.fleet();
  const auto& allowed = change_.require_versions;
  std::int64_t count = 0;
  std::optional<model::HostIndex> first;
  for (auto g : scope_) {
    for (model::HostIndex h : fleet.groups()[g].hosts) {
      if (fleet.health_of(h) == model::Health::terminated) continue;
      const auto& version = fleet.versions()[fleet.version_of(h)].name;
      if (std::find(allowed.begin(), allowed.end(), version) != allowed.end()) continue;
      ++count;
      if (!first) first = h;
    }
  }
  if (count == 0) return std::nullopt;
  std::string versions;
  for (const auto& v : allowed) versions += (versions.empty() ? "" : ", ") + v;
  return std::to_string(count) + " host(s) in scope not on " + versions + ", e.g. " +
         fleet.host_name(*first);
}

std::int64_t FlagPush::hosts_with_flag_on() const {
  const auto& fleet = world_.fleet();
  std::int64_t on = 0;
  for (auto g : scope_) {
    for (model::HostIndex h : fleet.groups()[g].hosts) {
      if (fleet.health_of(h) != model::Health::terminated && fleet.flag_on_for(flag_, h)) ++on;
    }
  }
  return on;
}

ChangeSummary FlagPush::summary() const {
  ChangeSummary s;
  s.name = change_.name;
  s.kind = spec::change_kind_name(change_.kind);
  s.flag = change_.flag;
  s.strategy = change_.strategy;
  s.outcome = outcome_;
  s.stages_total = change_.stages.size();
  s.stages_done = stages_done_;
  if (started_) s.started_s = started_->to_seconds();
  if (ended_) s.ended_s = ended_->to_seconds();
  s.reason = reason_;
  return s;
}

}  // namespace deploysim::strategy
