#include "scenario/load.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <system_error>
#include <tuple>
#include <utility>

#include "input/json_reader.hpp"
#include "input/seed.hpp"
#include "input/utf8.hpp"
#include "scenario/load_capacity.hpp"
#include "scenario/load_changes.hpp"
#include "scenario/load_incidents.hpp"
#include "scenario/load_runtime.hpp"
#include "spec/host_names.hpp"
#include "spec/service_graph.hpp"

namespace deploysim::scenario {

namespace {

using Unit = engine::Distribution::Unit;

// Upper bound on hosts in one scenario: far past the 1,000,000 the model is built for, low
// enough that a typo (2^70 hosts) is an error and not an allocation failure.
constexpr std::int64_t kMaxHosts = 10'000'000;
// Scrapes, signals or analyses over one run (docs/cli.md, "Limits").
constexpr double kMaxPeriodicEvents = 1e6;

// Variant files may extend variants; a longer chain is almost certainly a loop.
constexpr int kMaxExtendsDepth = 8;

const std::vector<std::string> kBehaviourKinds = {
    "healthy", "crash_on_start", "error_rate_increase", "latency_increase", "erroneous_actions"};
const std::vector<std::string> kStrategyTypes = {"manual",     "all_at_once", "rolling",
                                                 "blue_green", "canary",      "ring"};
const std::vector<std::string>& kMetrics = spec::metric_names();
const std::vector<std::string> kActions = {"set_flag", "rollback_code", "halt",  "resume",
                                           "deploy",   "page",          "remove"};

const std::vector<std::string> kScenarioKeys = {
    "name",       "description", "sources",           "seed",
    "clock",      "behaviours",  "services",          "fleet",
    "flags",      "deployment",  "monitoring",        "people",
    "automation", "business",    "timeline",          "load",
    "capacity",   "autoscaling", "remediation_teams", "changes"};
const std::vector<std::string> kVariantKeys = {"extends", "name", "description", "set", "sources"};

const std::string kTimeForms =
    "a time: a timestamp such as \"2012-08-01T09:30:00\" or a duration since the start such as "
    "\"+90min\"";

// ---- Messages ----
// ObjectReader's messages are right but generic ("expected an object", a missing key reported at
// the enclosing object). The helpers below say what belongs at each place in a scenario.

// `"a", "b" and "c"`, for lists in running text.
std::string and_list(const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " and " : ", ";
    out += input::quote(values[i]);
  }
  return out;
}

// `"a" or "b"`, `one of "a", "b", "c"`.
std::string one_of(const std::vector<std::string>& values) {
  if (values.size() == 1) return input::quote(values.front());
  if (values.size() == 2) return input::quote(values[0]) + " or " + input::quote(values[1]);
  return "one of " + input::quote_list(values);
}

// Unknown keys of a document's top level, each at its own pointer (see unknown_key); run before
// ObjectReader::finish(), which then has nothing left to report.
void check_top_level_keys(const input::ObjectReader& object,
                          const std::vector<std::string>& allowed) {
  std::vector<input::InputProblem> problems;
  for (const auto& [key, ignored] : object.json().items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    if (const auto suggestion = input::did_you_mean(key, allowed); !suggestion.empty()) {
      problems.push_back(object.unknown_key(key, suggestion));
    } else {
      problems.push_back(
          input::InputProblem{.file = object.file(),
                              .pointer = input::child_pointer("", key),
                              .detail = "unknown key " + input::quote(key),
                              .hint = "allowed keys: " + input::quote_list(allowed)});
    }
  }
  if (!problems.empty()) throw input::InputError(std::move(problems));
}

// A string, described as `what` when it is not one ("the scenario's name, a string").
std::string string_value(const input::ValueReader& value, const std::string& what) {
  if (!value.json().is_string()) value.fail(what);
  return value.as_string();
}

// `value` as an object; `what` replaces the bare "an object" of ObjectReader's message.
input::ObjectReader object_value(const input::ValueReader& value, const std::string& what) {
  if (!value.json().is_object()) value.fail(what);
  return value.as_object();
}

std::optional<input::ObjectReader> optional_object(input::ObjectReader& parent,
                                                   std::string_view key, const std::string& what) {
  const auto value = parent.optional(key);
  if (!value) return std::nullopt;
  return object_value(*value, what);
}

input::ObjectReader required_object(input::ObjectReader& parent, std::string_view key,
                                    const std::string& what) {
  return object_value(parent.required(key, what), what);
}

std::vector<input::ValueReader> array_value(const input::ValueReader& value,
                                            const std::string& what) {
  if (!value.json().is_array()) value.fail(what);
  return value.as_array();
}

std::vector<input::ValueReader> optional_array(input::ObjectReader& parent, std::string_view key,
                                               const std::string& what) {
  const auto value = parent.optional(key);
  return value ? array_value(*value, what) : std::vector<input::ValueReader>();
}

// An integer within [min, max], described as `what` ("a batch size") rather than "an integer":
// only the wording of ValueReader's problem changes, its found value and hints stay.
std::int64_t count(const input::ValueReader& value, std::int64_t min, std::int64_t max,
                   const std::string& what) {
  try {
    return value.as_integer(min, max);
  } catch (const input::InputError& error) {
    input::InputProblem problem = error.problems().front();
    problem.expected = what + " from " + std::to_string(min) + " to " + std::to_string(max);
    throw input::InputError(std::move(problem));
  }
}

std::vector<std::string> keys_of(const nlohmann::json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, ignored] : object.items()) keys.push_back(key);
  return keys;
}

// The one key of `keys` present in `object`, for objects that are one of several forms
// ({"skip": HOST} or {"misconfigure": HOST}). Two at once are an error rather than a silent
// choice, which would also make finish() call the other one unknown.
std::string exactly_one_of(input::ObjectReader& object, const std::vector<std::string>& keys,
                           const std::string& expected) {
  std::vector<std::string> present;
  for (const auto& key : keys) {
    if (object.has(key)) present.push_back(key);
  }
  if (present.size() == 1) return present.front();
  if (present.empty()) {
    // None of the forms: a misspelt one ("pauze") is the likely cause.
    for (const auto& [key, ignored] : object.json().items()) {
      if (const auto suggestion = input::did_you_mean(key, keys); !suggestion.empty()) {
        throw input::InputError(object.unknown_key(key, suggestion));
      }
    }
  }
  throw input::InputError(input::InputProblem{
      .file = object.file(),
      .pointer = object.pointer(),
      .expected = expected,
      .found = !present.empty()        ? (present.size() == 2 ? "both " : "") + and_list(present)
               : object.json().empty() ? std::string("an empty object")
                                       : "an object with " + and_list(keys_of(object.json()))});
}

std::size_t index_in(const std::vector<std::string>& values, const std::string& value) {
  return static_cast<std::size_t>(std::find(values.begin(), values.end(), value) - values.begin());
}

std::string host_name(const spec::HostGroup& group, std::int64_t number) {
  return spec::host_name(group.name_pattern, group.name, number);
}

// Whether some host of `group` is called `host`. The index is read from where the pattern puts
// it, so that a fleet of millions is not spelt out for every scripted fault.
bool group_has_host(const spec::HostGroup& group, const std::string& host) {
  const auto marker = group.name_pattern.find("{i}");
  if (marker == std::string::npos) return host == host_name(group, 1);
  // The text before the first "{i}" is the same for every host of the group.
  spec::HostGroup prefix_only = group;
  prefix_only.name_pattern = group.name_pattern.substr(0, marker);
  const std::string before = host_name(prefix_only, 1);
  if (host.size() <= before.size() || host.compare(0, before.size(), before) != 0) return false;
  // Each run of leading digits is a candidate index: "{i}0" makes host 1 "web-10".
  const char* digits = host.data() + before.size();
  const char* end = host.data() + host.size();
  for (const char* stop = digits + 1; stop <= end && *(stop - 1) >= '0' && *(stop - 1) <= '9';
       ++stop) {
    std::int64_t index = 0;
    const auto [ptr, ec] = std::from_chars(digits, stop, index);
    if (ec != std::errc() || *digits == '0' || index > group.hosts) break;
    if (index >= 1 && host_name(group, index) == host) return true;
  }
  return false;
}

// What to suggest for a name that is not defined: the one close name, if exactly one is close
// ("v3" is as close to "v1" as to "v2", so neither is a good guess), else the names defined.
// 50 as "50", 12.5 as "12.5".
std::string percent_text(double percent) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", percent);
  return buffer;
}

std::string names_hint(const std::string& name, const std::vector<std::string>& names) {
  if (names.empty()) return "none is defined";
  const auto close = std::count_if(names.begin(), names.end(), [&](const std::string& candidate) {
    return !input::did_you_mean(name, {candidate}).empty();
  });
  if (close == 1) return "did you mean " + input::quote(input::did_you_mean(name, names)) + "?";
  constexpr std::size_t kMaxListed = 10;
  if (names.size() <= kMaxListed) return "defined: " + input::quote_list(names);
  return "defined: " +
         input::quote_list(std::vector<std::string>(names.begin(), names.begin() + kMaxListed)) +
         ", ... (" + std::to_string(names.size()) + " in all)";
}

// Reads scenario documents; holds what cross-checks need (the file, the clock).
class Parser {
 public:
  Parser(const nlohmann::json& document, std::string file)
      : document_(document), file_(std::move(file)) {}

  spec::Scenario parse();

 private:
  void parse_clock(input::ObjectReader& root);
  engine::Time read_time(const input::ValueReader& value) const;
  // A time at or after the clock's start and no later than its end.
  engine::Time read_time_in_run(const input::ValueReader& value) const;
  void parse_behaviours(input::ObjectReader& root);
  void parse_services(input::ObjectReader& root);
  void parse_fleet(input::ObjectReader& root);
  engine::Duration periodic(input::ObjectReader& object, std::string_view key,
                            engine::Duration fallback) const;
  void check_pattern_numbers_hosts(const spec::HostGroup& group, input::ObjectReader& object) const;
  void check_unique_host_names(const std::string& fleet_pointer) const;
  std::vector<std::size_t> groups_that_may_share_names() const;
  void parse_flags(input::ObjectReader& root);
  void parse_deployment(input::ObjectReader& root);
  void parse_code_changes(input::ObjectReader& root);
  spec::Deployment read_deployment(input::ObjectReader& object);
  void parse_deployment_groups(input::ObjectReader& object, spec::Deployment& deployment);
  spec::StrategyParams parse_strategy(input::ObjectReader& object, std::int64_t deployment_hosts);
  spec::ManualParams parse_manual(input::ObjectReader& object);
  spec::CanaryParams parse_canary(input::ObjectReader& object);
  spec::RingParams parse_ring(input::ObjectReader& object);
  void check_faults(const spec::ManualParams& manual, const std::string& strategy_pointer) const;
  spec::HostUpdate parse_host_update(input::ObjectReader& object);
  void parse_monitoring(input::ObjectReader& root);
  spec::AlertRule parse_alert(input::ObjectReader& object, bool named);
  void parse_people(input::ObjectReader& root);
  void parse_automation(input::ObjectReader& root);
  void parse_business(input::ObjectReader& root);
  void parse_timeline(input::ObjectReader& root);
  void check_services_graph(input::ObjectReader& root);

  // Name checks: the value must name something defined elsewhere in the file; `expected` says
  // what and where, e.g. "a flag defined in /flags".
  std::string reference(const input::ValueReader& value, const std::vector<std::string>& names,
                        const std::string& expected) const;
  std::vector<std::string> behaviour_names() const;
  std::vector<std::string> group_names() const;
  std::vector<std::string> flag_names() const;
  std::vector<std::string> person_names() const;
  std::vector<std::string> version_names(const std::string& service) const;

  const nlohmann::json& document_;
  std::string file_;
  spec::Scenario scenario_;
  std::vector<std::string> declared_people_;
  std::vector<std::string> declared_alerts_;
  // The clock's bounds as written, for messages about times outside them.
  std::string clock_start_text_ = "the start of the run";
  std::string clock_end_text_;
};

spec::Scenario Parser::parse() {
  const input::ValueReader document(document_, file_, "");
  input::ObjectReader root = object_value(
      document, "a scenario: an object with at least \"name\", \"services\" and \"fleet\"");
  scenario_.file = file_;
  scenario_.source = document_;
  scenario_.name = string_value(root.required("name", "the scenario's name, a string"),
                                "the scenario's name, a string");
  scenario_.description = root.string("description", "");
  for (const auto& source : optional_array(root, "sources", "an array of strings")) {
    scenario_.sources.push_back(source.as_string());
  }
  scenario_.seed = static_cast<std::uint64_t>(root.integer("seed", 0, input::kMaxSeed, 1));
  parse_clock(root);
  parse_behaviours(root);
  parse_services(root);
  parse_fleet(root);
  parse_remediation_teams(root, scenario_);
  parse_flags(root);
  // People and alerts are read before anything that names them.
  if (const auto* people = root.get("people"); people && people->is_object()) {
    for (const auto& [name, ignored] : people->items()) declared_people_.push_back(name);
  }
  if (const auto* monitoring = root.get("monitoring"); monitoring && monitoring->is_object()) {
    if (auto alerts = monitoring->find("alerts");
        alerts != monitoring->end() && alerts->is_array()) {
      for (const auto& alert : *alerts) {
        if (alert.is_object() && alert.contains("name") && alert["name"].is_string()) {
          declared_alerts_.push_back(alert["name"].get<std::string>());
        }
      }
    }
  }
  parse_deployment(root);
  parse_monitoring(root);
  parse_people(root);
  parse_automation(root);
  parse_business(root);
  parse_timeline(root);
  parse_changes(root, scenario_,
                [this](const input::ValueReader& value) { return read_time_in_run(value); });
  parse_capacity_sections(root, scenario_,
                          [this](const input::ValueReader& value) { return read_time(value); });
  check_services_graph(root);
  check_top_level_keys(root, kScenarioKeys);
  root.finish();
  return std::move(scenario_);
}

void Parser::parse_clock(input::ObjectReader& root) {
  scenario_.clock.end = engine::Time::zero() + engine::Duration::days(1);
  clock_end_text_ = "the end of the run (\"+1d\" when /clock/end is not given)";
  auto clock = optional_object(
      root, "clock", "an object such as {\"start\": \"2012-08-01T08:00:00\", \"end\": \"6h\"}");
  if (!clock) return;
  if (auto start = clock->optional("start")) {
    const std::string zone = clock->string("zone", "");
    if (!start->json().is_string()) start->fail("a timestamp such as \"2012-08-01T09:30:00\"");
    try {
      scenario_.clock.wall.emplace(start->as_string(), zone);
    } catch (const engine::TimeFormatError& error) {
      start->fail("a timestamp such as \"2012-08-01T09:30:00\"", error.what());
    }
    clock_start_text_ = "/clock/start (" + input::quote(start->as_string()) + ")";
  } else {
    clock->string("zone", "");
  }
  if (auto end = clock->optional("end")) {
    scenario_.clock.end = read_time(*end);
    clock_end_text_ = "/clock/end (" + input::quote(end->as_string()) + ")";
    if (scenario_.clock.end <= engine::Time::zero()) {
      end->fail(scenario_.clock.wall ? "an end after " + clock_start_text_
                                     : "a duration longer than zero",
                "the run would be empty");
    }
    // Long horizons belong to the delivery models; a rollout run samples its monitoring every few
    // seconds, so a typo such as "3650d" for "365min" would otherwise run for minutes.
    if (scenario_.clock.end > engine::Time::zero() + engine::Duration::days(366)) {
      end->fail("an end at most 366 days after the start", "a deployment run covers hours or days");
    }
  }
  clock->finish();
}

engine::Time Parser::read_time(const input::ValueReader& value) const {
  if (!value.json().is_string()) value.fail(kTimeForms);
  const std::string text = value.as_string();
  const bool looks_like_timestamp = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (looks_like_timestamp) {
    if (!scenario_.clock.wall) {
      value.fail("a duration since the start such as \"+90min\"",
                 "timestamps need a wall-clock start: set /clock/start");
    }
    try {
      return scenario_.clock.wall->at(text);
    } catch (const engine::TimeFormatError& error) {
      value.fail("a timestamp such as \"2012-08-01T09:30:00\"", error.what());
    }
  }
  try {
    const std::string_view offset =
        !text.empty() && text[0] == '+' ? std::string_view(text).substr(1) : std::string_view(text);
    return engine::Time::zero() + engine::parse_duration(offset);
  } catch (const engine::TimeFormatError& error) {
    value.fail(kTimeForms, error.what());
  }
}

engine::Time Parser::read_time_in_run(const input::ValueReader& value) const {
  const engine::Time time = read_time(value);
  // Only a timestamp can be before the start: offsets are never negative.
  if (time < engine::Time::zero()) value.fail("a time at or after " + clock_start_text_);
  if (time > scenario_.clock.end) value.fail("a time at or before " + clock_end_text_);
  return time;
}

std::string Parser::reference(const input::ValueReader& value,
                              const std::vector<std::string>& names,
                              const std::string& expected) const {
  if (!value.json().is_string()) value.fail(expected);
  const std::string name = value.as_string();
  if (std::find(names.begin(), names.end(), name) != names.end()) return name;
  value.fail(expected, names_hint(name, names));
}

std::vector<std::string> Parser::behaviour_names() const {
  return spec::names_of(scenario_.behaviours);
}
std::vector<std::string> Parser::group_names() const {
  return spec::names_of(scenario_.groups);
}
std::vector<std::string> Parser::flag_names() const {
  return spec::names_of(scenario_.flags);
}
std::vector<std::string> Parser::person_names() const {
  return declared_people_;
}
std::vector<std::string> Parser::version_names(const std::string& service) const {
  for (const auto& s : scenario_.services) {
    if (s.name == service) return spec::names_of(s.versions);
  }
  return {};
}

const std::string kBehaviourReference = "a behaviour defined in /behaviours, or \"healthy\"";
const std::string kGroupReference = "a group of hosts defined in /fleet";
const std::string kFlagReference = "a flag defined in /flags";
const std::string kPersonReference = "a person defined in /people";

std::string version_reference(const std::string& service) {
  return "a version of service " + input::quote(service) + " (defined in " +
         input::child_pointer(input::child_pointer("/services", service), "versions") + ")";
}

void Parser::parse_behaviours(input::ObjectReader& root) {
  scenario_.behaviours.push_back(spec::Behaviour{.name = "healthy"});
  auto behaviours = optional_object(
      root, "behaviours",
      "an object of behaviours by name, such as {\"crash\": {\"kind\": \"crash_on_start\"}}");
  if (!behaviours) return;
  for (auto& [name, value] : behaviours->members()) {
    auto object = object_value(value, "a behaviour: an object with a \"kind\"");
    spec::Behaviour behaviour;
    behaviour.name = name;
    const auto kind = object.required("kind", "the kind of behaviour, " + one_of(kBehaviourKinds))
                          .as_enum(kBehaviourKinds);
    behaviour.kind = static_cast<spec::Behaviour::Kind>(index_in(kBehaviourKinds, kind));
    using K = spec::Behaviour::Kind;
    if (behaviour.kind == K::error_rate_increase) {
      behaviour.error_rate =
          object.required("error_rate", "the fraction of requests that fail, from 0 to 1")
              .as_probability();
    }
    if (behaviour.kind == K::latency_increase) {
      behaviour.added_latency_ms =
          object.required("added_latency_ms", "the milliseconds added to each request")
              .as_number(0.0, 3.6e6);
    }
    if (behaviour.kind == K::erroneous_actions) {
      behaviour.loss_per_host_per_min_usd =
          object.required("loss_per_host_per_min_usd", "the loss per host and minute in USD")
              .as_number(0.0, 1e12);
      object.boolean("stops_by_itself", false);
    }
    if (behaviour.kind == K::crash_on_start) parse_crash_recovery(object, behaviour);
    // Provenance notes are for readers; they change nothing.
    object.boolean("calibrated", false);
    object.string("note", "");
    object.finish();
    if (name == "healthy") {
      scenario_.behaviours.front() = behaviour;
    } else {
      scenario_.behaviours.push_back(behaviour);
    }
  }
}

void Parser::parse_services(input::ObjectReader& root) {
  const std::string what =
      "an object of services by name, such as {\"web\": {\"versions\": {\"v1\": {}}}}";
  auto services = required_object(root, "services", what);
  auto members = services.members();
  if (members.empty()) {
    throw input::InputError(
        input::InputProblem{.file = file_,
                            .pointer = services.pointer(),
                            .expected = "at least one service",
                            .found = "an empty object",
                            .hint = "e.g. {\"web\": {\"versions\": {\"v1\": {}}}}"});
  }
  // Names first, so that dependencies may point forward.
  for (auto& [name, value] : members) {
    spec::Service service;
    service.name = name;
    auto object = object_value(value, "a service: an object with \"versions\"");
    auto versions =
        required_object(object, "versions", "an object of versions by name, such as {\"v1\": {}}");
    auto version_members = versions.members();
    if (version_members.empty()) {
      throw input::InputError(input::InputProblem{.file = file_,
                                                  .pointer = versions.pointer(),
                                                  .expected = "at least one version",
                                                  .found = "an empty object",
                                                  .hint = "e.g. {\"v1\": {}, \"v2\": {}}"});
    }
    for (auto& [version_name, version_value] : version_members) {
      auto version_object =
          object_value(version_value, "a version: an object, {} for a healthy version");
      spec::Version version;
      version.name = version_name;
      if (auto behaviour = version_object.optional("behaviour")) {
        version.behaviour = reference(*behaviour, behaviour_names(), kBehaviourReference);
      }
      if (auto flags = optional_object(
              version_object, "flags",
              "an object of flag name to behaviour, such as {\"new_checkout\": \"crash\"}")) {
        for (auto& [flag, flag_behaviour] : flags->members()) {
          version.flag_behaviours[flag] =
              reference(flag_behaviour, behaviour_names(), kBehaviourReference);
        }
      }
      version_object.string("note", "");
      version_object.finish();
      service.versions.push_back(std::move(version));
    }
    scenario_.services.push_back(std::move(service));
  }
  const auto service_names = spec::names_of(scenario_.services);
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto object = members[i].second.as_object();
    object.get("versions");
    parse_service_level(object, scenario_.services[i]);
    if (auto depends = optional_object(
            object, "depends_on",
            "an object of service name to compatible versions, such as {\"db\": [\"v2\"]}")) {
      for (auto& [dependency, versions] : depends->members()) {
        spec::Dependency dep;
        const nlohmann::json name(dependency);
        dep.service = reference(input::ValueReader(name, file_, versions.pointer()), service_names,
                                "a key naming a service defined in /services");
        const auto items = read_dependency(versions, dep);
        for (const auto& version : items) {
          dep.compatible_versions.push_back(
              reference(version, version_names(dep.service), version_reference(dep.service)));
        }
        scenario_.services[i].depends_on.push_back(std::move(dep));
      }
    }
    read_service_runtime(object, scenario_.services[i]);
    object.finish();
  }
}

void Parser::check_services_graph(input::ObjectReader& root) {
  try {
    spec::safe_deployment_order(scenario_.services);
  } catch (const spec::DependencyCycle& cycle) {
    // The message is "services depend on each other in a cycle: a -> b -> a"; the path is the
    // finding.
    std::string path = cycle.what();
    if (const auto colon = path.find(": "); colon != std::string::npos) path.erase(0, colon + 2);
    throw input::InputError(
        input::InputProblem{.file = file_,
                            .pointer = input::child_pointer(root.pointer(), "services"),
                            .expected = "dependencies (depends_on) without a cycle",
                            .found = "the cycle " + path,
                            .hint = "remove one of these dependencies"});
  }
}

void Parser::parse_fleet(input::ObjectReader& root) {
  auto fleet = required_object(
      root, "fleet",
      "an object of host groups by name, such as {\"web\": {\"hosts\": 4, \"service\": "
      "\"web\", \"version\": \"v1\"}}");
  auto members = fleet.members();
  if (members.empty()) {
    throw input::InputError(input::InputProblem{
        .file = file_,
        .pointer = fleet.pointer(),
        .expected = "at least one group of hosts",
        .found = "an empty object",
        .hint = "e.g. {\"web\": {\"hosts\": 4, \"service\": \"web\", \"version\": \"v1\"}}"});
  }
  std::int64_t total = 0;
  const auto service_names = spec::names_of(scenario_.services);
  for (auto& [name, value] : members) {
    auto object = object_value(
        value, "a group of hosts: an object with \"hosts\", \"service\" and \"version\"");
    spec::HostGroup group;
    group.name = name;
    const auto hosts = object.required("hosts", "the number of hosts in the group");
    group.hosts = count(hosts, 1, kMaxHosts, "a number of hosts");
    if (group.hosts > kMaxHosts - total) {
      hosts.fail("at most " + std::to_string(kMaxHosts) + " hosts in the whole fleet",
                 "the groups before this one have " + std::to_string(total));
    }
    total += group.hosts;
    group.service = reference(object.required("service", "the service the group runs, one of " +
                                                             input::quote_list(service_names)),
                              service_names, "a service defined in /services");
    group.version =
        reference(object.required("version", "the version the group runs at the start, one of " +
                                                 input::quote_list(version_names(group.service))),
                  version_names(group.service), version_reference(group.service));
    group.name_pattern = object.string("name_pattern", "{group}-{i}");
    group.traffic_weight = object.number("traffic_weight", 0.0, 1e6, 1.0);
    if (auto config =
            optional_object(object, "config", "an object of configuration keys and values")) {
      for (auto& [key, config_value] : config->members()) {
        group.config[key] =
            config_value.json().is_string() ? config_value.as_string() : config_value.json().dump();
      }
    }
    object.string("zone", "");
    check_pattern_numbers_hosts(group, object);
    object.finish();
    scenario_.groups.push_back(std::move(group));
  }
  check_unique_host_names(fleet.pointer());
}

// Something done every `key` (a scrape, a signal, an analysis) over the whole run: at most
// kMaxPeriodicEvents times, so that "1ms" cannot make a run of days take hours.
engine::Duration Parser::periodic(input::ObjectReader& object, std::string_view key,
                                  engine::Duration fallback) const {
  const auto value = object.optional(key);
  if (!value) return fallback;
  const auto every = value->as_positive_duration();
  const auto run_ms = (scenario_.clock.end - engine::Time::zero()).ms();
  if (static_cast<double>(run_ms) / static_cast<double>(every.ms()) > kMaxPeriodicEvents) {
    const auto shortest = engine::Duration::milliseconds(
        static_cast<std::int64_t>(std::ceil(static_cast<double>(run_ms) / kMaxPeriodicEvents)));
    value->fail("an interval of at least " + engine::format_duration(shortest),
                "the run of " + engine::format_duration(engine::Duration::milliseconds(run_ms)) +
                    " may hold at most 1e6 of them");
  }
  return every;
}

// Every host name once in the fleet: a fault or a report names a host, and two hosts of one
// name would be skipped or counted together (the checker's DS015 for manifests). Inside a group
// a pattern with "{i}" names each host differently, so only one without it can repeat.
void Parser::check_pattern_numbers_hosts(const spec::HostGroup& group,
                                         input::ObjectReader& object) const {
  if (group.hosts < 2 || group.name_pattern.find("{i}") != std::string::npos) return;
  object.value("name_pattern")
      .fail("a name_pattern with \"{i}\" for a group of " + std::to_string(group.hosts) + " hosts",
            "without it every host is named " +
                input::quote(spec::host_name(group.name_pattern, group.name, 1)));
}

// Across groups, names are compared by hash, in one sorted vector (the fleet may hold ten
// million hosts), and only equal hashes are compared as names.
std::vector<std::size_t> Parser::groups_that_may_share_names() const {
  // Pairs of groups grow as the square of their number; past a few thousand groups comparing
  // the names themselves is the cheaper way.
  constexpr std::size_t kMaxGroupsPaired = 4096;
  std::vector<std::size_t> groups;
  if (scenario_.groups.size() > kMaxGroupsPaired) {
    for (std::size_t g = 0; g < scenario_.groups.size(); ++g) groups.push_back(g);
    return groups;
  }
  std::vector<spec::NameShape> shapes;
  for (const auto& group : scenario_.groups) {
    shapes.push_back(spec::name_shape(group.name_pattern, group.name));
  }
  std::vector<bool> compared(shapes.size(), false);
  for (std::size_t a = 0; a < shapes.size(); ++a) {
    for (std::size_t b = a + 1; b < shapes.size(); ++b) {
      if (spec::shapes_may_share_a_name(shapes[a], shapes[b])) compared[a] = compared[b] = true;
    }
  }
  for (std::size_t g = 0; g < shapes.size(); ++g) {
    if (compared[g]) groups.push_back(g);
  }
  return groups;
}

void Parser::check_unique_host_names(const std::string& fleet_pointer) const {
  if (scenario_.groups.size() < 2) return;
  // Names are compared one by one only in groups whose patterns could meet another's: ten
  // million hosts in groups named "{group}-{i}" need no name written out.
  const auto compared = groups_that_may_share_names();
  struct Entry {  // 16 bytes: groups and host numbers are far below 2^32
    std::uint64_t hash;
    std::uint32_t group;
    std::uint32_t number;
  };
  std::vector<Entry> entries;
  for (const std::size_t g : compared) {
    const auto& group = scenario_.groups[g];
    for (std::int64_t i = 1; i <= group.hosts; ++i) {
      entries.push_back(
          {std::hash<std::string>{}(spec::host_name(group.name_pattern, group.name, i)),
           static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(i)});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.hash, a.group, a.number) < std::tie(b.hash, b.group, b.number);
  });
  auto name_of = [&](const Entry& e) {
    const auto& group = scenario_.groups[e.group];
    return spec::host_name(group.name_pattern, group.name, e.number);
  };
  for (std::size_t k = 1; k < entries.size(); ++k) {
    if (entries[k].hash != entries[k - 1].hash) continue;
    const auto name = name_of(entries[k]);
    if (name != name_of(entries[k - 1])) continue;
    const auto& later = scenario_.groups[entries[k].group];
    throw input::InputError(input::InputProblem{
        .file = file_,
        .pointer =
            input::child_pointer(input::child_pointer(fleet_pointer, later.name), "name_pattern"),
        .expected = "a name_pattern that gives every host its own name",
        .found = input::quote(later.name_pattern),
        .hint = "host " + input::quote(name) + " is also in group " +
                input::quote(scenario_.groups[entries[k - 1].group].name)});
  }
}

void Parser::parse_flags(input::ObjectReader& root) {
  auto flags = optional_object(root, "flags",
                               "an object of feature flags by name, such as {\"dark_launch\": "
                               "{\"initial\": false}}");
  if (flags) {
    for (auto& [name, value] : flags->members()) {
      auto object = object_value(value, "a flag: an object, {} for an off, fleet-wide flag");
      spec::Flag flag;
      flag.name = name;
      flag.initial = object.boolean("initial", false);
      if (auto scope = object.optional("scope")) {
        if (scope->json().is_string()) {
          flag.groups.push_back(reference(*scope, group_names(), kGroupReference));
        } else {
          const auto groups = array_value(
              *scope, "a group of hosts or an array of groups, such as [\"web\", \"api\"]");
          for (const auto& group : groups) {
            flag.groups.push_back(reference(group, group_names(), kGroupReference));
          }
        }
      }
      flag.percent = object.percent("percent", 100.0);
      object.string("note", "");
      object.finish();
      scenario_.flags.push_back(std::move(flag));
    }
  }
  // Every flag a version gives a meaning to must be declared.
  const auto declared = flag_names();
  for (const auto& service : scenario_.services) {
    for (const auto& version : service.versions) {
      for (const auto& [flag, behaviour] : version.flag_behaviours) {
        const std::string pointer = input::child_pointer(
            input::child_pointer(
                input::child_pointer(
                    input::child_pointer(input::child_pointer("", "services"), service.name),
                    "versions"),
                version.name),
            "flags");
        const nlohmann::json name(flag);
        reference(input::ValueReader(name, file_, input::child_pointer(pointer, flag)), declared,
                  "a key naming a flag defined in /flags");
      }
    }
  }
}

spec::HostUpdate Parser::parse_host_update(input::ObjectReader& object) {
  spec::HostUpdate update;
  update.drain = object.duration("drain", update.drain);
  update.install = object.distribution("install", Unit::duration, update.install);
  update.health_check = object.duration("health_check", update.health_check);
  update.install_failure_probability =
      object.probability("install_failure_probability", update.install_failure_probability);
  update.retry_delay = object.duration("retry_delay", update.retry_delay);
  update.max_retries = static_cast<int>(object.integer("max_retries", 0, 100, update.max_retries));
  object.finish();
  return update;
}

// "3" or "25%", as Kubernetes writes maxSurge and maxUnavailable.
spec::CountOrPercent read_count_or_percent(const input::ValueReader& value, std::int64_t hosts) {
  const std::string expected = "a count of hosts from 0 to " + std::to_string(hosts) +
                               " or a percentage from \"0%\" to \"100%\"";
  if (value.json().is_string()) {
    const std::string& text = value.json().get_ref<const std::string&>();
    double percent = -1.0;
    if (text.size() >= 2 && text.back() == '%') {
      // from_chars, unlike stod, takes no leading spaces, signs or hexadecimal.
      const char* end = text.data() + text.size() - 1;
      const auto [ptr, ec] = std::from_chars(text.data(), end, percent);
      if (ec != std::errc() || ptr != end) percent = -1.0;
    }
    if (!(percent >= 0.0 && percent <= 100.0)) value.fail(expected);
    return {percent, true};
  }
  if (!value.json().is_number()) value.fail(expected);
  try {
    return {static_cast<double>(value.as_integer(0, hosts)), false};
  } catch (const input::InputError&) {
    value.fail(expected);
  }
}

spec::ManualParams Parser::parse_manual(input::ObjectReader& object) {
  spec::ManualParams manual;
  manual.per_host = object.distribution("per_host", Unit::duration, manual.per_host);
  manual.skip_probability = object.probability("skip_probability", 0.0);
  manual.misconfigure_probability = object.probability("misconfigure_probability", 0.0);
  manual.hosts_per_day = static_cast<int>(object.integer("hosts_per_day", 0, kMaxHosts, 0));
  const std::string fault_form = "one kind of fault: {\"skip\": HOST} or {\"misconfigure\": HOST}";
  for (const auto& fault_value : optional_array(object, "faults",
                                                "an array of faults, such as "
                                                "[{\"skip\": \"web-3\"}]")) {
    auto fault_object = object_value(fault_value, fault_form);
    spec::ScriptedFault fault;
    const auto kind = exactly_one_of(fault_object, {"skip", "misconfigure"}, fault_form);
    fault.kind =
        kind == "skip" ? spec::ScriptedFault::Kind::skip : spec::ScriptedFault::Kind::misconfigure;
    fault.host = string_value(fault_object.value(kind), "the name of a host, such as \"web-3\"");
    fault_object.finish();
    manual.faults.push_back(std::move(fault));
  }
  return manual;
}

void Parser::check_faults(const spec::ManualParams& manual,
                          const std::string& strategy_pointer) const {
  for (std::size_t i = 0; i < manual.faults.size(); ++i) {
    const spec::ScriptedFault& fault = manual.faults[i];
    const bool exists = std::any_of(
        scenario_.groups.begin(), scenario_.groups.end(),
        [&](const spec::HostGroup& group) { return group_has_host(group, fault.host); });
    if (exists) continue;
    // Name the hosts of a few groups, so that the right spelling is in the message.
    std::string hint = "hosts are named by each group's name_pattern: ";
    for (std::size_t g = 0; g < scenario_.groups.size() && g < 3; ++g) {
      const spec::HostGroup& group = scenario_.groups[g];
      if (g > 0) hint += ", ";
      hint += input::quote(host_name(group, 1));
      if (group.hosts > 1) hint += " to " + input::quote(host_name(group, group.hosts));
    }
    if (scenario_.groups.size() > 3) hint += ", ...";
    const std::string pointer = input::child_pointer(
        input::child_pointer(input::child_pointer(strategy_pointer, "faults"), i),
        fault.kind == spec::ScriptedFault::Kind::skip ? "skip" : "misconfigure");
    throw input::InputError(input::InputProblem{.file = file_,
                                                .pointer = pointer,
                                                .expected = "the name of a host in the fleet",
                                                .found = input::quote(fault.host),
                                                .hint = hint});
  }
}

spec::CanaryParams Parser::parse_canary(input::ObjectReader& object) {
  spec::CanaryParams canary;
  const std::string step_form =
      "one kind of step: {\"set_weight\": PERCENT}, {\"pause\": DURATION} or "
      "{\"analysis\": DURATION}";
  const auto steps =
      array_value(object.required("steps",
                                  "an array of steps such as [{\"set_weight\": 20}, {\"pause\": "
                                  "\"10min\"}]"),
                  "an array of steps such as [{\"set_weight\": 20}, {\"pause\": \"10min\"}]");
  for (const auto& step_value : steps) {
    auto step_object = object_value(step_value, step_form);
    spec::CanaryStep step;
    const auto kind = exactly_one_of(step_object, {"set_weight", "pause", "analysis"}, step_form);
    if (kind == "set_weight") {
      step.kind = spec::CanaryStep::Kind::set_weight;
      step.weight = step_object.percent("set_weight");
    } else if (kind == "pause") {
      step.kind = spec::CanaryStep::Kind::pause;
      step.duration = step_object.positive_duration("pause");
    } else {
      step.kind = spec::CanaryStep::Kind::analysis;
      step.duration = step_object.positive_duration("analysis");
    }
    step_object.finish();
    canary.steps.push_back(step);
  }
  if (auto analysis = optional_object(object, "analysis",
                                      "an object such as {\"metric\": \"error_rate\", \"max\": "
                                      "0.01, \"interval\": \"1min\"}")) {
    auto& a = canary.analysis;
    a.metric = analysis->string_enum("metric", kMetrics, a.metric);
    a.max_value = analysis->number("max", -1e300, 1e300, a.max_value);
    a.interval = periodic(*analysis, "interval", a.interval);
    a.failure_limit =
        static_cast<int>(analysis->integer("failure_limit", -1, 1000, a.failure_limit));
    a.consecutive_error_limit = static_cast<int>(
        analysis->integer("consecutive_error_limit", 0, 1000, a.consecutive_error_limit));
    a.compare_to_baseline = analysis->boolean("compare_to_baseline", a.compare_to_baseline);
    a.max_ratio_to_baseline =
        analysis->number("max_ratio_to_baseline", 0.0, 1e6, a.max_ratio_to_baseline);
    analysis->finish();
  }
  canary.traffic_routed = object.boolean("traffic_routed", true);
  canary.automated_rollback = object.boolean("automated_rollback", true);
  return canary;
}

spec::RingParams Parser::parse_ring(input::ObjectReader& object) {
  spec::RingParams ring;
  const std::string what =
      "an array of rings such as [{\"name\": \"canary\", \"percent\": 1, \"bake\": \"1h\"}]";
  const std::string ring_form =
      "a ring: an object with \"name\" and either \"groups\" or \"percent\"";
  double highest_percent = 0.0;
  for (const auto& ring_value : array_value(object.required("rings", what), what)) {
    auto ring_object = object_value(ring_value, ring_form);
    spec::Ring r;
    r.name = string_value(ring_object.required("name", "the ring's name, a string"),
                          "the ring's name, a string");
    const auto form = exactly_one_of(ring_object, {"groups", "percent"},
                                     "exactly one of \"groups\" and \"percent\"");
    if (form == "groups") {
      const auto groups = array_value(ring_object.value("groups"),
                                      "an array of groups of hosts, such as [\"eu-west\"]");
      for (const auto& group : groups) {
        r.groups.push_back(reference(group, group_names(), kGroupReference));
      }
    } else {
      // Percentages are cumulative (each ring holds the hosts up to its share), so one below
      // the ring before would add nothing and leave the rest of the fleet unupdated.
      r.percent = ring_object.percent("percent");
      if (r.percent < highest_percent) {
        ring_object.value("percent").fail(
            "a percentage of at least " + percent_text(highest_percent) + ", the ring before's",
            "ring percentages are cumulative: each ring holds the hosts up to its share");
      }
      highest_percent = r.percent;
    }
    r.bake = ring_object.duration("bake", r.bake);
    ring_object.finish();
    ring.rings.push_back(std::move(r));
  }
  if (ring.rings.empty()) object.value("rings").fail("at least one ring");
  ring.parallelism = object.integer("parallelism", 0, kMaxHosts, 0);
  return ring;
}

spec::StrategyParams Parser::parse_strategy(input::ObjectReader& object,
                                            std::int64_t deployment_hosts) {
  const auto type = object.required("type", "the strategy type, " + one_of(kStrategyTypes))
                        .as_enum(kStrategyTypes);
  spec::StrategyParams strategy;
  if (type == "manual") {
    strategy = parse_manual(object);
  } else if (type == "all_at_once") {
    strategy = spec::AllAtOnceParams{};
  } else if (type == "rolling") {
    spec::RollingParams rolling;
    if (auto batch = object.optional("batch_size")) {
      rolling.batch_size =
          count(*batch, 1, deployment_hosts, "a batch size (hosts updated at a time)");
    }
    if (auto surge = object.optional("max_surge")) {
      rolling.max_surge = read_count_or_percent(*surge, deployment_hosts);
    }
    if (auto unavailable = object.optional("max_unavailable")) {
      rolling.max_unavailable = read_count_or_percent(*unavailable, deployment_hosts);
    }
    if (rolling.batch_size == 0 && rolling.max_surge.value == 0.0 &&
        rolling.max_unavailable.value == 0.0) {
      object.value("max_unavailable")
          .fail("a max_unavailable above zero when max_surge is zero",
                "one of them must allow progress, as in Kubernetes");
    }
    rolling.min_ready = object.duration("min_ready", rolling.min_ready);
    rolling.progress_deadline =
        object.positive_duration("progress_deadline", rolling.progress_deadline);
    strategy = rolling;
  } else if (type == "blue_green") {
    spec::BlueGreenParams blue_green;
    blue_green.pre_promotion_analysis =
        object.duration("pre_promotion_analysis", blue_green.pre_promotion_analysis);
    blue_green.scale_down_delay = object.duration("scale_down_delay", blue_green.scale_down_delay);
    blue_green.auto_promote = object.boolean("auto_promote", true);
    strategy = blue_green;
  } else if (type == "canary") {
    strategy = parse_canary(object);
  } else {
    strategy = parse_ring(object);
  }
  object.finish();
  return strategy;
}

// Named groups must be some of the deployed service's: another service's hosts would be given
// a version of a service they do not run. An empty list would deploy to nothing.
void Parser::parse_deployment_groups(input::ObjectReader& object, spec::Deployment& deployment) {
  if (!object.has("groups")) return;
  const auto list = object.value("groups");
  const auto groups = array_value(list, "an array of groups of hosts, such as [\"web\"]");
  if (groups.empty()) {
    list.fail("at least one group of hosts",
              "leave \"groups\" out to deploy to every group that runs " +
                  input::quote(deployment.service));
  }
  for (const auto& value : groups) {
    const auto name = reference(value, group_names(), kGroupReference);
    const auto& group = *std::find_if(scenario_.groups.begin(), scenario_.groups.end(),
                                      [&](const spec::HostGroup& g) { return g.name == name; });
    if (group.service != deployment.service) {
      value.fail("a group that runs " + input::quote(deployment.service) + ", the deployed service",
                 input::quote(name) + " runs " + input::quote(group.service));
    }
    deployment.groups.push_back(name);
  }
}

void Parser::parse_deployment(input::ObjectReader& root) {
  auto object = optional_object(
      root, "deployment",
      "an object such as {\"service\": \"web\", \"to\": \"v2\", \"strategy\": {\"type\": "
      "\"rolling\"}}");
  if (object) {
    scenario_.deployment = read_deployment(*object);
    object->finish();
  }
  parse_code_changes(root);
}

// A code release written among the changes is the scenario's deployment, with a name and alerts
// that roll it back. The model runs one code release: a second one, here or in /deployment, is
// an error.
void Parser::parse_code_changes(input::ObjectReader& root) {
  const auto* changes = root.get("changes");
  if (changes == nullptr || !changes->is_array()) return;  // parse_changes says what is wrong
  for (std::size_t i = 0; i < changes->size(); ++i) {
    const auto& entry = (*changes)[i];
    if (!entry.is_object() || entry.value("kind", nlohmann::json()) != "code") continue;
    const input::ValueReader value(
        entry, file_, input::child_pointer(input::child_pointer("", "changes"), std::to_string(i)));
    auto object = value.as_object();
    if (scenario_.deployment) {
      object.value("kind").fail(
          "at most one code release in a scenario",
          scenario_.deployment->name.empty()
              ? "/deployment is one already; write other changes as flag, config or content"
              : "change " + input::quote(scenario_.deployment->name) + " is one already");
    }
    const auto name = object.string("name");
    object.string("kind");
    scenario_.deployment = read_deployment(object);
    scenario_.deployment->name = name;
    for (const auto& alert : object.optional_array("abort_on")) {
      scenario_.automation.rollback_on.push_back(
          reference(alert, declared_alerts_, "an alert defined in /monitoring/alerts"));
    }
    object.string("note", "");
    object.boolean("calibrated", false);
    object.finish();
  }
}

spec::Deployment Parser::read_deployment(input::ObjectReader& object) {
  spec::Deployment deployment;
  const auto service_names = spec::names_of(scenario_.services);
  deployment.service = reference(object.required("service", "the service to deploy, one of " +
                                                                input::quote_list(service_names)),
                                 service_names, "a service defined in /services");
  const auto versions = version_names(deployment.service);
  deployment.to = reference(object.required("to", "the version to deploy, " + one_of(versions)),
                            versions, version_reference(deployment.service));
  parse_deployment_groups(object, deployment);
  std::int64_t hosts = 0;
  for (const auto& group : scenario_.groups) {
    const bool named = deployment.groups.empty()
                           ? group.service == deployment.service
                           : std::find(deployment.groups.begin(), deployment.groups.end(),
                                       group.name) != deployment.groups.end();
    if (named) hosts += group.hosts;
  }
  if (hosts == 0) {
    object.value("service").fail("a service that some group of the fleet runs",
                                 "no host runs it, so there is nothing to deploy to");
  }
  if (auto start = object.optional("start")) deployment.start = read_time_in_run(*start);
  if (auto host_update =
          optional_object(object, "host_update", "an object such as {\"install\": \"2min\"}")) {
    deployment.host_update = parse_host_update(*host_update);
  }
  auto strategy = required_object(object, "strategy",
                                  "the strategy, an object such as {\"type\": \"rolling\"}");
  deployment.strategy = parse_strategy(strategy, hosts);
  if (const auto* manual = std::get_if<spec::ManualParams>(&deployment.strategy)) {
    check_faults(*manual, strategy.pointer());
  }
  deployment.preflight_gate = object.boolean("preflight_gate", false);
  deployment.post_deploy_verification = object.boolean("post_deploy_verification", false);
  return deployment;
}

spec::AlertRule Parser::parse_alert(input::ObjectReader& object, bool named) {
  spec::AlertRule rule;
  if (named) {
    rule.name = string_value(object.required("name", "the alert's name, a string"),
                             "the alert's name, a string");
  }
  const auto metric =
      object.required("metric", "the metric watched, " + one_of(kMetrics)).as_enum(kMetrics);
  rule.metric = static_cast<spec::Metric>(index_in(kMetrics, metric));
  const auto direction =
      exactly_one_of(object, {"above", "below"}, "exactly one of \"above\" and \"below\"");
  rule.below = direction == "below";
  rule.threshold = object.number(direction, -1e300, 1e300);
  rule.for_duration = object.duration("for", engine::Duration{});
  rule.level = object.string_enum("level", {"warning", "critical"}, "critical") == "warning"
                   ? spec::AlertRule::Level::warning
                   : spec::AlertRule::Level::critical;
  if (auto notify = object.optional("notify")) {
    rule.notify = reference(*notify, person_names(), kPersonReference);
  }
  rule.ignored = object.boolean("ignored", false);
  object.string("channel", "");
  object.finish();
  return rule;
}

void Parser::parse_monitoring(input::ObjectReader& root) {
  auto object = optional_object(root, "monitoring",
                                "an object such as {\"scrape_interval\": \"15s\", \"alerts\": []}");
  if (!object) return;
  auto& monitoring = scenario_.monitoring;
  monitoring.scrape_interval = periodic(*object, "scrape_interval", monitoring.scrape_interval);
  monitoring.noise = object->number("noise", 0.0, 10.0, 0.0);
  std::set<std::string> names;
  const std::string alert_form =
      "an alert: an object such as {\"name\": \"errors\", \"metric\": \"error_rate\", "
      "\"above\": 0.05, \"for\": \"2min\"}";
  for (const auto& alert_value :
       optional_array(*object, "alerts", "an array of alerts (objects)")) {
    auto alert_object = object_value(alert_value, alert_form);
    auto rule = parse_alert(alert_object, true);
    if (!names.insert(rule.name).second) {
      alert_object.value("name").fail("a name no other alert has",
                                      input::quote(rule.name) + " is used twice");
    }
    monitoring.alerts.push_back(std::move(rule));
  }
  const std::string signal_form =
      "a signal: an object such as {\"name\": \"rejects\", \"from\": \"flag_without_code\", "
      "\"flag\": \"power_peg\"}";
  for (const auto& signal_value :
       optional_array(*object, "signals", "an array of signals (objects)")) {
    auto signal_object = object_value(signal_value, signal_form);
    spec::Signal signal;
    signal.name = string_value(signal_object.required("name", "the signal's name, a string"),
                               "the signal's name, a string");
    signal_object.required("from", "the source of the signal, \"flag_without_code\"")
        .as_enum({"flag_without_code"});
    signal.flag = reference(signal_object.required("flag", "the flag the signal is about"),
                            flag_names(), kFlagReference);
    if (auto start = signal_object.optional("start")) signal.start = read_time_in_run(*start);
    signal.every = periodic(signal_object, "every", signal.every);
    signal.treated_as_alert = signal_object.boolean("treated_as_alert", false);
    if (auto notify = signal_object.optional("notify")) {
      signal.notify = reference(*notify, person_names(), kPersonReference);
    }
    signal_object.string("channel", "");
    signal_object.finish();
    monitoring.signals.push_back(std::move(signal));
  }
  object->finish();
}

void Parser::parse_people(input::ObjectReader& root) {
  auto object = optional_object(
      root, "people",
      "an object of people or teams by name, such as {\"oncall\": {\"acknowledge\": \"5min\"}}");
  if (!object) return;
  for (auto& [name, value] : object->members()) {
    auto person_object =
        object_value(value, "a person: an object, {} for the default response times");
    spec::Person person;
    person.name = name;
    person.acknowledge =
        person_object.distribution("acknowledge", Unit::duration, person.acknowledge);
    person.diagnose = person_object.distribution("diagnose", Unit::duration, person.diagnose);
    person.act = person_object.distribution("act", Unit::duration, person.act);
    const std::string step_form = "a playbook step: an object such as {\"do\": \"rollback_code\"}";
    for (const auto& step_value :
         optional_array(person_object, "playbook", "an array of steps, tried in order")) {
      auto step = object_value(step_value, step_form);
      spec::Person::Response response;
      const auto action = step.required("do", "the action, " + one_of(kActions)).as_enum(kActions);
      response.action = static_cast<spec::ActionKind>(index_in(kActions, action));
      if (response.action == spec::ActionKind::set_flag) {
        response.flag =
            reference(step.required("flag", "the flag to set"), flag_names(), kFlagReference);
        response.value = step.required("value", "the flag's new value, true or false").as_boolean();
      }
      if (response.action == spec::ActionKind::page) {
        response.person = reference(step.required("person", "the person to page"), person_names(),
                                    kPersonReference);
      }
      if (auto group = step.optional("group")) {
        response.group = reference(*group, group_names(), kGroupReference);
      }
      response.hosts = read_command_hosts(step, scenario_, response.group, response.action);
      step.finish();
      person.playbook.push_back(std::move(response));
    }
    person_object.string("note", "");
    person_object.finish();
    scenario_.people.push_back(std::move(person));
  }
}

void Parser::parse_automation(input::ObjectReader& root) {
  auto object =
      optional_object(root, "automation", "an object such as {\"rollback_on\": [\"errors\"]}");
  if (!object) return;
  auto& automation = scenario_.automation;
  for (const auto& name :
       optional_array(*object, "rollback_on", "an array of alert names, such as [\"errors\"]")) {
    automation.rollback_on.push_back(
        reference(name, declared_alerts_, "an alert defined in /monitoring/alerts"));
  }
  if (auto kill_switch = optional_object(
          *object, "kill_switch",
          "an alert rule such as {\"metric\": \"kpi\", \"below\": 0.5, \"for\": \"1min\"}")) {
    if (auto flag = kill_switch->optional("turn_off_flag")) {
      automation.kill_switch_flag = reference(*flag, flag_names(), "a flag defined in /flags");
    }
    if (auto service = kill_switch->optional("turn_off_service")) {
      if (!automation.kill_switch_flag.empty()) {
        service->fail("one thing to turn off", "\"turn_off_flag\" is given as well");
      }
      automation.kill_switch_service =
          reference(*service, spec::names_of(scenario_.services), "a service defined in /services");
    }
    automation.kill_switch = parse_alert(*kill_switch, false);
    automation.kill_switch->name = "kill_switch";
  }
  automation.halt_on_inconsistency = object->boolean("halt_on_inconsistency", false);
  if (auto gate = object->optional("command_gate")) {
    automation.command_gate = read_command_gate(*gate, scenario_);
  }
  object->finish();
}

void Parser::parse_business(input::ObjectReader& root) {
  auto object =
      optional_object(root, "business", "an object such as {\"requests_per_host_per_s\": 100}");
  if (!object) return;
  auto& business = scenario_.business;
  business.requests_per_host_per_s =
      object->number("requests_per_host_per_s", 0.0, 1e9, business.requests_per_host_per_s);
  business.users_per_request =
      object->number("users_per_request", 0.0, 1e6, business.users_per_request);
  business.error_budget = object->probability("error_budget", business.error_budget);
  business.base_latency_ms =
      object->number("base_latency_ms", 0.0, 3.6e6, business.base_latency_ms);
  business.base_error_rate = object->probability("base_error_rate", business.base_error_rate);
  object->finish();
}

void Parser::parse_timeline(input::ObjectReader& root) {
  engine::Time previous = engine::Time::zero();
  std::string previous_pointer;
  std::string previous_text;
  const std::string entry_form =
      "a timeline entry: an object such as {\"at\": \"+1h\", \"do\": \"halt\"}";
  for (const auto& entry_value :
       optional_array(root, "timeline", "an array of timed actions, earliest first")) {
    auto object = object_value(entry_value, entry_form);
    spec::TimelineEntry entry;
    auto at = object.required("at", kTimeForms);
    entry.at = read_time_in_run(at);
    if (entry.at < previous) {
      at.fail(
          "a time no earlier than " + previous_pointer + " (" + input::quote(previous_text) + ")",
          "timeline entries must be in order");
    }
    previous = entry.at;
    previous_pointer = at.pointer();
    previous_text = at.as_string();
    const auto action = object.required("do", "the action, " + one_of(kActions)).as_enum(kActions);
    entry.action = static_cast<spec::ActionKind>(index_in(kActions, action));
    if (entry.action == spec::ActionKind::set_flag) {
      entry.flag =
          reference(object.required("flag", "the flag to set"), flag_names(), kFlagReference);
      entry.value = object.required("value", "the flag's new value, true or false").as_boolean();
      entry.percent = object.percent("percent", 100.0);
    }
    if (auto group = object.optional("group")) {
      entry.group = reference(*group, group_names(), kGroupReference);
    }
    if (auto by = object.optional("by")) {
      entry.person = reference(*by, person_names(), kPersonReference);
    }
    if (entry.action == spec::ActionKind::page) {
      entry.person = reference(object.required("person", "the person to page"), person_names(),
                               kPersonReference);
    }
    entry.hosts = read_command_hosts(object, scenario_, entry.group, entry.action);
    if (entry.action == spec::ActionKind::deploy && !scenario_.deployment) {
      object.value("do").fail("an action other than \"deploy\"", "the scenario has no deployment");
    }
    object.boolean("calibrated", false);
    object.string("note", "");
    object.finish();
    scenario_.timeline.push_back(std::move(entry));
  }
}

}  // namespace

spec::Scenario parse_scenario(const nlohmann::json& document, const std::string& file) {
  return Parser(document, file).parse();
}

namespace {

// A variant file names a base scenario and the values it changes:
//   {"extends": "knight_capital_2012.json", "name": "...", "set": {"deployment.preflight_gate":
//   true}}
nlohmann::json resolve_extends(const std::filesystem::path& path, nlohmann::json document,
                               int depth) {
  if (!document.is_object() || !document.contains("extends")) return document;
  const std::string file = path.string();
  input::ObjectReader variant(document, file, "");
  auto extends = variant.value("extends");
  const std::string expected_base = "a scenario file to extend, relative to this one";
  if (!extends.json().is_string() || extends.as_string().empty()) extends.fail(expected_base);
  if (depth >= kMaxExtendsDepth) {
    extends.fail("a chain of at most " + std::to_string(kMaxExtendsDepth) + " \"extends\"",
                 "does a file extend itself?");
  }
  const auto base_path = path.parent_path() / extends.as_string();
  // A missing base is this file's problem, at /extends; a broken base names its own file.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(base_path, ec)) {
    extends.fail(expected_base, "there is no file " + input::quote(base_path.string()));
  }
  nlohmann::json base = resolve_extends(base_path, input::load_json_file(base_path), depth + 1);
  if (!base.is_object()) extends.fail("a base scenario that is a JSON object");
  for (const char* key : {"name", "description"}) {
    if (auto value = variant.optional(key)) base[key] = value->as_string();
  }
  if (auto changes = optional_object(
          variant, "set",
          "an object of PATH: VALUE changes, such as {\"deployment.preflight_gate\": true}")) {
    for (auto& [change_path, value] : changes->members()) {
      set_value(base, change_path, value.json(), "set " + input::quote(change_path), file);
    }
  }
  const auto sources = optional_array(variant, "sources", "an array of strings");
  if (!sources.empty()) {
    auto& base_sources = base["sources"];
    if (base_sources.is_null()) base_sources = nlohmann::json::array();
    // A base whose sources are not an array is reported when the result is validated.
    if (base_sources.is_array()) {
      for (const auto& source : sources) base_sources.push_back(source.as_string());
    }
  }
  check_top_level_keys(variant, kVariantKeys);
  variant.finish();
  return base;
}

}  // namespace

spec::Scenario load_scenario(const std::filesystem::path& path,
                             const std::vector<std::string>& overrides) {
  return load_scenario_document(input::load_json_file(path), path, overrides);
}

spec::Scenario load_scenario_document(nlohmann::json document, const std::filesystem::path& path,
                                      const std::vector<std::string>& overrides) {
  const std::string file = path.string();
  document = resolve_extends(path, std::move(document), 0);
  for (const auto& assignment : overrides) apply_override(document, assignment, file);
  return parse_scenario(document, file);
}

void apply_override(nlohmann::json& document, std::string_view raw_assignment,
                    const std::string& file) {
  // Command-line bytes need not be UTF-8; the document and every message about it must be.
  const std::string repaired = input::to_valid_utf8(raw_assignment);
  const std::string_view assignment = repaired;
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw input::InputError(input::InputProblem{
        .file = file,
        .detail = "override " + input::quote(std::string(assignment)) +
                  ": expected PATH=VALUE such as deployment.strategy.batch_size=5, found " +
                  (equals == 0 ? "no PATH before \"=\"" : "no \"=\""),
        .hint = "PATH is keys joined by dots; VALUE is JSON, or else taken as a string"});
  }
  const std::string text(assignment.substr(equals + 1));
  nlohmann::json value;
  try {
    value = input::parse_json_text(text, "override");
  } catch (const input::InputError&) {
    value = text;  // not JSON: a plain string such as 30s or rolling
  }
  set_value(document, std::string(assignment.substr(0, equals)), std::move(value),
            "override " + std::string(assignment), file);
}

void set_value(nlohmann::json& document, const std::string& path, nlohmann::json value,
               const std::string& label, const std::string& file) {
  nlohmann::json* node = &document;
  std::string pointer;
  auto fail = [&](const std::string& detail, const std::string& hint = {}) {
    throw input::InputError(input::InputProblem{
        .file = file, .pointer = pointer, .detail = label + ": " + detail, .hint = hint});
  };
  std::size_t begin = 0;
  for (;;) {
    const auto dot = path.find('.', begin);
    const bool last = dot == std::string::npos;
    const std::string key = path.substr(begin, last ? std::string::npos : dot - begin);
    if (key.empty()) fail("expected keys joined by single dots, found an empty key");
    if (node->is_array()) {
      std::size_t index = 0;
      const char* end = key.data() + key.size();
      const auto [ptr, ec] = std::from_chars(key.data(), end, index);
      // Indices as JSON pointers write them: digits, no sign, no leading zero.
      const bool canonical = key.size() == 1 || key[0] != '0';
      if (ec != std::errc() || ptr != end || !canonical || index >= node->size()) {
        if (node->empty())
          fail("expected an index, found " + input::quote(key), "the array is empty");
        fail("expected an index from 0 to " + std::to_string(node->size() - 1) + ", found " +
             input::quote(key));
      }
      pointer = input::child_pointer(pointer, index);
      node = &(*node)[index];
    } else if (node->is_object()) {
      if (!last && !node->contains(key)) {
        std::vector<std::string> keys;
        for (const auto& [k, ignored] : node->items()) keys.push_back(k);
        const auto suggestion = input::did_you_mean(key, keys);
        fail("expected a key of this object, found " + input::quote(key),
             suggestion.empty() ? "keys here: " + input::quote_list(keys)
                                : "did you mean " + input::quote(suggestion) + "?");
      }
      pointer = input::child_pointer(pointer, key);
      node = &(*node)[key];
    } else {
      fail("expected an object or an array to set " + input::quote(key) + " in, found " +
           input::describe_json(*node));
    }
    if (last) break;
    begin = dot + 1;
  }
  *node = std::move(value);
}

}  // namespace deploysim::scenario
