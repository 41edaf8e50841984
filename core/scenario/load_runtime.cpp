#include "scenario/load_runtime.hpp"

#include <algorithm>
#include <string>

namespace deploysim::scenario {

namespace {

const spec::HostGroup* find_group(const spec::Scenario& scenario, const std::string& name) {
  const auto it =
      std::find_if(scenario.groups.begin(), scenario.groups.end(),
                   [&name](const spec::HostGroup& group) { return group.name == name; });
  return it == scenario.groups.end() ? nullptr : &*it;
}

std::string group_names(const spec::Scenario& scenario) {
  std::string names;
  for (const auto& group : scenario.groups)
    names += (names.empty() ? "\"" : ", \"") + group.name + "\"";
  return names;
}

}  // namespace

std::vector<input::ValueReader> read_dependency(const input::ValueReader& value,
                                                spec::Dependency& dependency) {
  const std::string versions_expected = "an array of the versions of \"" + dependency.service +
                                        "\" that this service works with ([] for any)";
  if (value.json().is_array()) return value.as_array();
  if (!value.json().is_object()) {
    value.fail(versions_expected +
               ", or an object such as {\"versions\": [], "
               "\"call_fraction\": 0.5, \"timeout\": \"2s\"}");
  }
  auto object = value.as_object();
  std::vector<input::ValueReader> versions;
  if (auto listed = object.optional("versions")) {
    if (!listed->json().is_array()) listed->fail(versions_expected);
    versions = listed->as_array();
  }
  if (auto fraction = object.optional("call_fraction")) {
    if (!fraction->json().is_number() || fraction->json().get<double>() < 0.0 ||
        fraction->json().get<double>() > 1.0) {
      fraction->fail(
          "a call fraction from 0 to 1: the share of this service's requests that "
          "call \"" +
          dependency.service + "\"");
    }
    dependency.call_fraction = fraction->json().get<double>();
  }
  dependency.timeout = object.duration("timeout", dependency.timeout);
  object.string("note", "");
  object.boolean("calibrated", false);
  object.finish();
  return versions;
}

void read_service_runtime(input::ObjectReader& object, spec::Service& service) {
  service.cold_restart = object.duration("cold_restart", service.cold_restart);
  if (auto surge = object.optional("retry_surge")) {
    service.retry_surge = surge->as_number(1.0, 1'000.0);
  }
  service.retry_surge_for = object.duration("retry_surge_for", service.retry_surge_for);
}

std::optional<spec::CountOrPercent> read_command_hosts(input::ObjectReader& object,
                                                       const spec::Scenario& scenario,
                                                       const std::string& group,
                                                       spec::ActionKind action) {
  const bool takes_hosts = action == spec::ActionKind::halt || action == spec::ActionKind::remove;
  if (!takes_hosts || (!object.has("count") && !object.has("percent"))) return std::nullopt;
  if (object.has("count") && object.has("percent")) {
    object.value("percent").fail("either \"count\" or \"percent\", not both");
  }
  const spec::HostGroup* named = find_group(scenario, group);
  if (named == nullptr) {
    object.value(object.has("count") ? "count" : "percent")
        .fail("a \"group\" beside it, naming the group of hosts it counts in",
              "groups: " + group_names(scenario));
  }
  if (object.has("count")) {
    const auto count = object.value("count");
    const auto hosts = count.json().is_number_integer() ? count.json().get<std::int64_t>() : 0;
    if (hosts < 1 || hosts > named->hosts) {
      count.fail("a count of hosts from 1 to the " + std::to_string(named->hosts) +
                 " hosts of group \"" + group + "\"");
    }
    return spec::CountOrPercent{static_cast<double>(hosts), false};
  }
  const auto percent = object.value("percent");
  const std::string expected =
      "a percentage of the hosts of group \"" + group + "\", above 0 and at most 100";
  if (!percent.json().is_number() || !(percent.json().get<double>() > 0.0) ||
      percent.json().get<double>() > 100.0) {
    percent.fail(expected);
  }
  const double value = percent.json().get<double>();
  return spec::CountOrPercent{value, true};
}

spec::CommandGate read_command_gate(const input::ValueReader& value,
                                    const spec::Scenario& scenario) {
  spec::CommandGate gate;
  auto object = value.as_object();
  if (auto minimums = object.optional_child("min_hosts")) {
    for (auto& [name, count] : minimums->members()) {
      const spec::HostGroup* group = find_group(scenario, name);
      if (group == nullptr) {
        const nlohmann::json key(name);
        input::ValueReader(key, count.file(), count.pointer())
            .fail("a key naming a group of hosts in /fleet", "groups: " + group_names(scenario));
      }
      const auto hosts = count.json().is_number_integer() ? count.json().get<std::int64_t>() : -1;
      if (hosts < 0 || hosts > group->hosts) {
        count.fail("a minimum from 0 to the " + std::to_string(group->hosts) +
                   " hosts of group \"" + name + "\"");
      }
      gate.min_hosts[name] = hosts;
    }
  }
  gate.max_percent = object.percent("max_percent", gate.max_percent);
  object.string("note", "");
  object.finish();
  return gate;
}

}  // namespace deploysim::scenario
