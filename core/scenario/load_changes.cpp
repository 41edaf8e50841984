#include "scenario/load_changes.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "scenario/defined_name.hpp"

namespace deploysim::scenario {

// Named, so that a unity build that joins this file to the other readers sees no clash between
// their file-local helpers.
namespace change_reader {
namespace {

// "code" is read with the deployment (load.cpp): a code release is the scenario's deployment.
const std::vector<std::string> kKinds = {"flag", "config", "content", "code"};
const std::vector<std::string> kStrategies = {"all_at_once", "rings", "canary", "rolling"};

// The groups a flag reaches: its own, or every group for a global flag.
std::vector<std::string> flag_scope(const spec::Scenario& scenario, const std::string& flag) {
  for (const auto& f : scenario.flags) {
    if (f.name == flag && !f.groups.empty()) return f.groups;
  }
  return spec::names_of(scenario.groups);
}

std::vector<std::string> version_names(const spec::Scenario& scenario) {
  std::set<std::string> names;
  for (const auto& service : scenario.services) {
    for (const auto& version : service.versions) names.insert(version.name);
  }
  return {names.begin(), names.end()};
}

// Checks what stages promise: a stage only ever adds hosts. Groups are added before the flag
// covers its whole scope, and the percentage of the hosts reached never falls.
class StageOrder {
 public:
  void check(const input::ValueReader& stage, const spec::ChangeStage& next) {
    if (!next.groups.empty() && whole_scope_) {
      child(stage, "groups")
          .fail("no groups after " + whole_scope_pointer_ + ", which covers the flag's whole scope",
                "a stage of groups belongs before the first stage of percent");
    }
    if (next.percent < percent_) {
      child(stage, "percent")
          .fail("a percentage of at least " + format(percent_) + ", which " + percent_pointer_ +
                    " reached",
                "stages only ever add hosts");
    }
    percent_ = next.percent;
    percent_pointer_ = stage.pointer();
    if (next.groups.empty() && !whole_scope_) {
      whole_scope_ = true;
      whole_scope_pointer_ = stage.pointer();
    }
  }

 private:
  static input::ValueReader child(const input::ValueReader& stage, const char* key) {
    return {stage.json().at(key), stage.file(), input::child_pointer(stage.pointer(), key)};
  }
  static std::string format(double percent) {
    std::string text = std::to_string(percent);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text + "%";
  }
  double percent_ = 0.0;
  std::string percent_pointer_;
  bool whole_scope_ = false;
  std::string whole_scope_pointer_;
};

// A stage of "rings" or "canary": {"name", "groups" | "percent", "bake"}.
spec::ChangeStage read_stage(const input::ValueReader& value, const std::vector<std::string>& scope,
                             bool groups_allowed) {
  auto object = value.as_object();
  spec::ChangeStage stage;
  stage.name = object.string("name", "");
  if (groups_allowed) {
    for (const auto& group : object.optional_array("groups")) {
      stage.groups.push_back(defined_name(group, scope, "a group in the flag's scope"));
    }
  }
  if (auto percent = object.optional("percent")) {
    if (!stage.groups.empty()) percent->fail("no \"percent\" in a stage of groups");
    stage.percent = percent->as_percent();
    if (!(stage.percent > 0.0)) percent->fail("a percentage above 0 and at most 100");
  } else if (stage.groups.empty()) {
    object.fail(groups_allowed ? "a stage needs \"groups\" or \"percent\""
                               : "a step needs \"percent\"");
  }
  stage.bake = object.duration("bake", stage.bake);
  object.finish();
  return stage;
}

std::vector<spec::ChangeStage> read_listed_stages(input::ObjectReader& strategy, const char* key,
                                                  const std::vector<std::string>& scope,
                                                  bool groups_allowed) {
  const auto values = strategy.array(key);
  if (values.empty()) strategy.value(key).fail("at least one stage");
  std::vector<spec::ChangeStage> stages;
  StageOrder order;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto stage = read_stage(values[i], scope, groups_allowed);
    if (stage.name.empty()) stage.name = std::string(key) + " " + std::to_string(i + 1);
    order.check(values[i], stage);
    stages.push_back(std::move(stage));
  }
  return stages;
}

// Rolling: equal steps of `step_percent` every `interval` up to 100%.
std::vector<spec::ChangeStage> read_rolling(input::ObjectReader& strategy) {
  auto step = strategy.value("step_percent");
  const double percent = step.as_percent();
  if (!(percent > 0.0)) step.fail("a percentage above 0 and at most 100");
  const auto interval = strategy.duration("interval", engine::Duration::minutes(5));
  std::vector<spec::ChangeStage> stages;
  for (double reached = percent;; reached += percent) {
    const double capped = std::min(reached, 100.0);
    stages.push_back({"step " + std::to_string(stages.size() + 1), {}, capped, interval});
    if (capped >= 100.0) break;
  }
  return stages;
}

void read_strategy(input::ObjectReader& change, spec::Change& result,
                   const std::vector<std::string>& scope) {
  auto strategy = change.child("strategy");
  result.strategy = strategy.string_enum("type", kStrategies);
  if (result.strategy == "all_at_once") {
    result.stages.push_back(
        {"all", {}, 100.0, strategy.duration("bake", engine::Duration::seconds(0))});
  } else if (result.strategy == "rings") {
    result.stages = read_listed_stages(strategy, "rings", scope, true);
  } else if (result.strategy == "canary") {
    result.stages = read_listed_stages(strategy, "steps", scope, false);
    // As Argo Rollouts does after its last step: promotion to everyone.
    if (result.stages.back().percent < 100.0) result.stages.push_back({"promote", {}, 100.0, {}});
  } else {
    result.stages = read_rolling(strategy);
  }
  strategy.finish();
}

spec::Change read_change(const input::ValueReader& value, const spec::Scenario& scenario,
                         const std::function<engine::Time(const input::ValueReader&)>& read_time) {
  auto object = value.as_object();
  spec::Change change;
  change.name = object.string("name");
  const auto kind = object.string_enum("kind", kKinds, "flag");
  change.kind = static_cast<spec::Change::Kind>(std::find(kKinds.begin(), kKinds.end(), kind) -
                                                kKinds.begin());
  change.flag = defined_name(object.required("flag", "the flag the change turns on"),
                             spec::names_of(scenario.flags), "a flag defined in /flags");
  change.start = read_time(object.required("start", "when the change begins"));
  read_strategy(object, change, flag_scope(scenario, change.flag));
  if (auto preflight = object.optional_child("preflight")) {
    const auto versions = version_names(scenario);
    for (const auto& version : preflight->array("require_versions")) {
      change.require_versions.push_back(
          defined_name(version, versions, "a version defined in /services"));
    }
    preflight->finish();
  }
  std::vector<std::string> alerts;
  for (const auto& alert : scenario.monitoring.alerts) alerts.push_back(alert.name);
  for (const auto& alert : object.optional_array("abort_on")) {
    change.abort_on.push_back(
        defined_name(alert, alerts, "an alert defined in /monitoring/alerts"));
  }
  object.string("note", "");
  object.boolean("calibrated", false);
  object.finish();
  return change;
}

}  // namespace
}  // namespace change_reader

void parse_changes(input::ObjectReader& root, spec::Scenario& scenario,
                   const std::function<engine::Time(const input::ValueReader&)>& read_time) {
  auto value = root.optional("changes");
  if (!value) return;
  if (!value->json().is_array()) value->fail("an array of changes, such as [{\"name\": ...}]");
  std::vector<std::string> names;
  for (const auto& element : value->as_array()) {
    const bool code =
        element.json().is_object() && element.json().value("kind", nlohmann::json()) == "code";
    spec::Change change;
    if (code) {
      change.name = scenario.deployment->name;
    } else {
      change = change_reader::read_change(element, scenario, read_time);
    }
    if (std::find(names.begin(), names.end(), change.name) != names.end()) {
      const input::ValueReader name(element.json().at("name"), element.file(),
                                    input::child_pointer(element.pointer(), "name"));
      name.fail("a name no other change has", input::quote(change.name) + " is used twice");
    }
    names.push_back(change.name);
    if (!code) scenario.changes.push_back(std::move(change));
  }
}

}  // namespace deploysim::scenario
