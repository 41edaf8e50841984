#include "scenario/load_capacity.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

namespace deploysim::scenario {

namespace {

constexpr double kMaxRps = 1e9;
const std::string kRpsExpected = "a request rate from 0 to 1e9 requests per second";

std::string in_quotes(const std::string& text) {
  return "\"" + text + "\"";
}

// "14:00" or "09:30:15": a time of day.
engine::Duration read_time_of_day(const input::ValueReader& value) {
  const std::string expected = "a time of day such as \"14:00\" or \"09:30:00\"";
  if (!value.json().is_string()) value.fail(expected);
  const auto ms = engine::parse_time_of_day_ms(value.as_string());
  if (!ms) value.fail(expected);
  return engine::Duration::milliseconds(*ms);
}

// A CSV of "time_s,rps" rows (a header line is allowed), times in seconds since the start.
std::vector<std::pair<engine::Time, double>> read_load_csv(const input::ValueReader& value,
                                                           const std::string& scenario_file) {
  const std::string name = value.as_string();
  std::filesystem::path path(name);
  if (path.is_relative() && scenario_file != "<memory>") {
    path = std::filesystem::path(scenario_file).parent_path() / path;
  }
  std::ifstream in(path);
  if (!in) value.fail("a readable CSV file of time_s,rps rows (relative to the scenario)");
  std::vector<std::pair<engine::Time, double>> points;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.find(',');
    const auto row_problem = [&](const std::string& what) {
      value.fail("a CSV of time_s,rps rows with times increasing and rates from 0 to 1e9",
                 name + " line " + std::to_string(line_number) + ": " + what);
    };
    double time_s = 0.0;
    double rps = 0.0;
    try {
      if (comma == std::string::npos) throw std::invalid_argument("no comma");
      std::size_t used = 0;
      time_s = std::stod(line.substr(0, comma), &used);
      rps = std::stod(line.substr(comma + 1));
    } catch (const std::exception&) {
      if (line_number == 1) continue;  // the header
      row_problem(in_quotes(line) + " is not two numbers");
    }
    if (!(rps >= 0.0 && rps <= kMaxRps)) row_problem("rate " + std::to_string(rps));
    if (!(time_s >= 0.0 && time_s < 366.0 * 86'400.0)) row_problem("time " + line.substr(0, comma));
    const engine::Time at = engine::Time::zero() + engine::Duration::from_seconds(time_s);
    if (!points.empty() && at <= points.back().first) row_problem("times must increase");
    points.emplace_back(at, rps);
  }
  if (points.empty()) value.fail("a CSV with at least one time_s,rps row", name + " has none");
  return points;
}

// "note" and "calibrated" say where a number comes from, as elsewhere in the format.
void mark_annotations(input::ObjectReader& object) {
  object.string("note", "");
  object.boolean("calibrated", false);
}

spec::ScalingRules read_rules(std::optional<input::ObjectReader> object, spec::ScalingRules rules) {
  if (!object) return rules;
  rules.stabilization_window = object->duration("stabilization_window", rules.stabilization_window);
  const std::string select =
      object->string_enum("select_policy", {"max", "min", "disabled"}, "max");
  rules.select = select == "max"   ? spec::ScalingRules::Select::max
                 : select == "min" ? spec::ScalingRules::Select::min
                                   : spec::ScalingRules::Select::disabled;
  if (object->has("policies")) {
    rules.policies.clear();
    for (const auto& element : object->array("policies")) {
      auto policy_object = element.as_object();
      spec::ScalingPolicy policy;
      policy.kind = policy_object.string_enum("type", {"pods", "percent"}) == "pods"
                        ? spec::ScalingPolicy::Kind::pods
                        : spec::ScalingPolicy::Kind::percent;
      const auto amount = policy_object.value("value");
      policy.value = amount.as_number(0.0, 1e9);
      if (policy.value <= 0.0) amount.fail("a number of pods or a percentage above 0");
      policy.period = policy_object.positive_duration("period");
      policy_object.finish();
      rules.policies.push_back(policy);
    }
    if (rules.policies.empty()) object->value("policies").fail("at least one scaling policy");
  }
  object->finish();
  return rules;
}

using ReadTime = std::function<engine::Time(const input::ValueReader&)>;

void require_service(const spec::Scenario& scenario, const std::string& name,
                     const input::ValueReader& where) {
  const bool known = std::any_of(scenario.services.begin(), scenario.services.end(),
                                 [&](const spec::Service& s) { return s.name == name; });
  if (!known) where.fail("the name of a service defined in /services");
}

// Where in the day the run starts, for diurnal profiles: the wall clock's time of day at
// time 0, or midnight without one.
engine::Duration day_offset(const spec::Scenario& scenario) {
  if (!scenario.clock.wall) return engine::Duration{};
  return engine::Duration::milliseconds(
      ((scenario.clock.wall->origin_epoch_ms() % 86'400'000) + 86'400'000) % 86'400'000);
}

void read_version_capacities(const input::ValueReader& by_version, const spec::Scenario& scenario,
                             spec::HostCapacity& host) {
  const auto& service =
      *std::find_if(scenario.services.begin(), scenario.services.end(),
                    [&](const spec::Service& s) { return s.name == host.service; });
  auto versions = by_version.as_object();
  for (auto& [version, version_rps] : versions.members()) {
    const bool exists = std::any_of(
        service.versions.begin(), service.versions.end(),
        [&version_name = version](const spec::Version& v) { return v.name == version_name; });
    if (!exists) version_rps.fail("a version of service \"" + host.service + "\"");
    const double rate = version_rps.as_number(0.0, kMaxRps);
    if (rate <= 0.0) version_rps.fail("a capacity above 0 requests per second per host");
    host.rps_per_host_by_version[version] = rate;
  }
}

// One map of /capacity/<service>/cpu_cost: names that `known` accepts, each to a cost above 0.
std::map<std::string, double> read_costs(input::ObjectReader& cpu_cost, std::string_view key,
                                         const std::function<bool(const std::string&)>& known,
                                         const std::string& what) {
  std::map<std::string, double> costs;
  auto object = cpu_cost.optional_child(key);
  if (!object) return costs;
  for (auto& [name, value] : object->members()) {
    if (!known(name)) {
      const nlohmann::json written(name);
      input::ValueReader(written, value.file(), value.pointer()).fail("a key naming " + what);
    }
    const double cost = value.as_number(0.0, 1e6);
    if (cost <= 0.0) {
      value.fail("a CPU cost per request above 0, relative to the ordinary cost (1)",
                 "a request that costs nothing would make capacity infinite");
    }
    costs[name] = cost;
  }
  return costs;
}

// {"versions": {"v2": 1.3}, "behaviours": {"regex_storm": 40}, "flags": {"waf_rule": 2}}.
void read_cpu_costs(const input::ValueReader& value, const spec::Scenario& scenario,
                    spec::HostCapacity& host) {
  auto cpu_cost = value.as_object();
  const auto& service =
      *std::find_if(scenario.services.begin(), scenario.services.end(),
                    [&](const spec::Service& s) { return s.name == host.service; });
  host.cpu_cost_by_version = read_costs(
      cpu_cost, "versions",
      [&](const std::string& name) {
        return std::any_of(service.versions.begin(), service.versions.end(),
                           [&](const spec::Version& v) { return v.name == name; });
      },
      "a version of service \"" + host.service + "\"");
  host.cpu_cost_by_behaviour = read_costs(
      cpu_cost, "behaviours",
      [&](const std::string& name) {
        return std::any_of(scenario.behaviours.begin(), scenario.behaviours.end(),
                           [&](const spec::Behaviour& b) { return b.name == name; });
      },
      "a behaviour defined in /behaviours");
  host.cpu_cost_by_flag = read_costs(
      cpu_cost, "flags",
      [&](const std::string& name) {
        return std::any_of(scenario.flags.begin(), scenario.flags.end(),
                           [&](const spec::Flag& f) { return f.name == name; });
      },
      "a flag defined in /flags");
  cpu_cost.finish();
}

spec::HostCapacity read_capacity(const std::string& name, const input::ValueReader& value,
                                 const spec::Scenario& scenario) {
  spec::HostCapacity host;
  host.service = name;
  auto entry = value.as_object();
  require_service(scenario, name, value);
  const auto rps = entry.value("rps_per_host");
  host.rps_per_host = rps.as_number(0.0, kMaxRps);
  if (host.rps_per_host <= 0.0) {
    rps.fail("a capacity above 0 requests per second per host",
             "a host that serves nothing cannot take traffic");
  }
  if (auto by_version = entry.optional("rps_per_host_by_version")) {
    read_version_capacities(*by_version, scenario, host);
  }
  if (auto cpu_cost = entry.optional("cpu_cost")) read_cpu_costs(*cpu_cost, scenario, host);
  host.concurrency = entry.integer("concurrency", 1, 100'000, 1);
  host.timeout = entry.positive_duration("timeout", host.timeout);
  mark_annotations(entry);
  entry.finish();
  return host;
}

void read_steps(input::ObjectReader& entry, spec::LoadProfile& profile, const ReadTime& read_time) {
  for (const auto& element : entry.array("steps")) {
    auto step = element.as_object();
    const engine::Time at = read_time(step.value("at"));
    if (!profile.points.empty() && at <= profile.points.back().first) {
      step.value("at").fail("a time after the previous step's");
    }
    profile.points.emplace_back(at, step.value("rps").as_number(0.0, kMaxRps));
    step.finish();
  }
}

// The profile's own keys: its kind and the rate over time that kind describes.
void read_profile_shape(input::ObjectReader& entry, spec::LoadProfile& profile,
                        const std::string& scenario_file, const ReadTime& read_time) {
  const std::string kind = entry.string_enum("profile", {"constant", "diurnal", "step", "csv"});
  if (kind == "constant") {
    profile.kind = spec::LoadProfile::Kind::constant;
    profile.rps = entry.value("rps").as_number(0.0, kMaxRps);
  } else if (kind == "diurnal") {
    profile.kind = spec::LoadProfile::Kind::diurnal;
    profile.mean_rps = entry.value("mean_rps").as_number(0.0, kMaxRps);
    profile.amplitude = entry.value("amplitude").as_probability();
    profile.peak = read_time_of_day(entry.value("peak"));
  } else if (kind == "step") {
    profile.kind = spec::LoadProfile::Kind::step;
    profile.rps = entry.value("rps").as_number(0.0, kMaxRps);
    read_steps(entry, profile, read_time);
  } else {
    profile.kind = spec::LoadProfile::Kind::csv;
    const auto file = entry.value("csv");
    profile.csv_file = file.as_string();
    profile.points = read_load_csv(file, scenario_file);
    profile.rps = 0.0;
  }
}

spec::LoadProfile read_load(const std::string& name, const input::ValueReader& value,
                            const spec::Scenario& scenario, const ReadTime& read_time) {
  auto entry = value.as_object();
  require_service(scenario, name, value);
  spec::LoadProfile profile;
  profile.service = name;
  profile.day_offset = day_offset(scenario);
  read_profile_shape(entry, profile, scenario.file, read_time);
  for (const auto& element : entry.optional_array("spikes")) {
    auto spike_object = element.as_object();
    spec::LoadSpike spike;
    spike.at = read_time(spike_object.value("at"));
    spike.duration = spike_object.positive_duration("for");
    spike.extra_rps = spike_object.value("extra_rps").as_number(0.0, kMaxRps);
    spike_object.finish();
    profile.spikes.push_back(spike);
  }
  mark_annotations(entry);
  entry.finish();
  return profile;
}

// Every loaded service needs to know what its hosts can take.
void require_capacities(const input::ValueReader& load, const spec::Scenario& scenario) {
  for (const auto& profile : scenario.loads) {
    const bool known =
        std::any_of(scenario.capacities.begin(), scenario.capacities.end(),
                    [&](const spec::HostCapacity& c) { return c.service == profile.service; });
    if (!known) {
      input::ValueReader(load.json()[profile.service], load.file(),
                         input::child_pointer(load.pointer(), profile.service))
          .fail("a service with a capacity in /capacity/" + profile.service,
                "add {\"rps_per_host\": ...} for it under /capacity");
    }
  }
}

// The group an autoscaler names must exist and have a load.
void require_loaded_group(const std::string& name, const input::ValueReader& value,
                          const spec::Scenario& scenario) {
  const auto group =
      std::find_if(scenario.groups.begin(), scenario.groups.end(),
                   [&group_name = name](const spec::HostGroup& g) { return g.name == group_name; });
  if (group == scenario.groups.end()) value.fail("the name of a group of hosts in /fleet");
  const bool loaded =
      std::any_of(scenario.loads.begin(), scenario.loads.end(),
                  [&](const spec::LoadProfile& p) { return p.service == group->service; });
  if (!loaded) {
    value.fail("a group whose service has a load in /load/" + group->service,
               "an autoscaler reacts to load");
  }
}

void read_replicas_and_target(input::ObjectReader& entry, spec::Autoscaler& scaler) {
  const bool to_zero = scaler.mode == spec::Autoscaler::Mode::scale_to_zero;
  scaler.min_replicas = entry.integer("min_replicas", to_zero ? 0 : 1, 100'000, to_zero ? 0 : 1);
  const auto max = entry.value("max_replicas");
  scaler.max_replicas = max.as_integer(1, 100'000);
  if (scaler.max_replicas < scaler.min_replicas) {
    max.fail("at least min_replicas (" + std::to_string(scaler.min_replicas) + ")");
  }
  const auto target = entry.value("target_utilization");
  scaler.target_utilization = target.as_number(0.0, 10.0);
  if (scaler.target_utilization <= 0.0) {
    target.fail("a target utilisation above 0 (e.g. 0.6 for averageUtilization 60)");
  }
}

// behavior.scale_up and behavior.scale_down over Kubernetes' defaults (autoscaling/v2).
void read_behavior(input::ObjectReader& entry, spec::Autoscaler& scaler) {
  spec::ScalingRules up;
  up.policies = {{spec::ScalingPolicy::Kind::percent, 100.0, engine::Duration::seconds(15)},
                 {spec::ScalingPolicy::Kind::pods, 4.0, engine::Duration::seconds(15)}};
  spec::ScalingRules down;
  down.stabilization_window = engine::Duration::seconds(300);
  down.policies = {{spec::ScalingPolicy::Kind::percent, 100.0, engine::Duration::seconds(15)}};
  std::optional<input::ObjectReader> up_object;
  std::optional<input::ObjectReader> down_object;
  if (auto behavior = entry.optional("behavior")) {
    auto behavior_object = behavior->as_object();
    if (auto v = behavior_object.optional("scale_up")) up_object.emplace(v->as_object());
    if (auto v = behavior_object.optional("scale_down")) down_object.emplace(v->as_object());
    behavior_object.finish();
  }
  scaler.scale_up = read_rules(std::move(up_object), up);
  scaler.scale_down = read_rules(std::move(down_object), down);
}

spec::Autoscaler read_autoscaler(const std::string& name, const input::ValueReader& value,
                                 const spec::Scenario& scenario) {
  auto entry = value.as_object();
  require_loaded_group(name, value, scenario);
  spec::Autoscaler scaler;
  scaler.group = name;
  scaler.mode = entry.string_enum("mode", {"hpa", "scale_to_zero"}, "hpa") == "hpa"
                    ? spec::Autoscaler::Mode::hpa
                    : spec::Autoscaler::Mode::scale_to_zero;
  read_replicas_and_target(entry, scaler);
  scaler.tolerance = entry.number("tolerance", 0.0, 0.99, 0.1);
  scaler.sync_period = entry.positive_duration("sync_period", scaler.sync_period);
  scaler.metric_lag = entry.duration("metric_lag", scaler.metric_lag);
  scaler.provisioning = entry.duration("provisioning", scaler.provisioning);
  scaler.idle_timeout = entry.positive_duration("idle_timeout", scaler.idle_timeout);
  read_behavior(entry, scaler);
  mark_annotations(entry);
  entry.finish();
  return scaler;
}

}  // namespace

void parse_capacity_sections(input::ObjectReader& root, spec::Scenario& scenario,
                             const ReadTime& read_time) {
  if (auto capacity = root.optional("capacity")) {
    auto object = capacity->as_object();
    for (auto& [name, value] : object.members()) {
      scenario.capacities.push_back(read_capacity(name, value, scenario));
    }
  }
  if (auto load = root.optional("load")) {
    auto object = load->as_object();
    for (auto& [name, value] : object.members()) {
      scenario.loads.push_back(read_load(name, value, scenario, read_time));
    }
    require_capacities(*load, scenario);
  }
  if (auto autoscaling = root.optional("autoscaling")) {
    auto object = autoscaling->as_object();
    for (auto& [name, value] : object.members()) {
      scenario.autoscalers.push_back(read_autoscaler(name, value, scenario));
    }
  }
}

}  // namespace deploysim::scenario
