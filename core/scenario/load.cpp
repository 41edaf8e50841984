#include "scenario/load.hpp"

#include <algorithm>
#include <set>

#include "model/service_graph.hpp"
#include "scenario/json_reader.hpp"

namespace deploysim::scenario {

namespace {

using Unit = engine::Distribution::Unit;

// Upper bound on hosts in one scenario: far past the 1,000,000 the model is built for, low
// enough that a typo (2^70 hosts) is an error and not an allocation failure.
constexpr std::int64_t kMaxHosts = 10'000'000;

const std::vector<std::string> kBehaviourKinds = {
    "healthy", "crash_on_start", "error_rate_increase", "latency_increase", "erroneous_actions"};
const std::vector<std::string> kStrategyTypes = {"manual", "all_at_once", "rolling",
                                                 "blue_green", "canary", "ring"};
const std::vector<std::string> kMetrics = {"error_rate",        "latency_ms",
                                           "loss_rate_usd_per_min", "misbehaving_hosts",
                                           "hosts_on_target",   "kpi"};
const std::vector<std::string> kActions = {"set_flag", "rollback_code", "halt",
                                           "resume",   "deploy",        "page"};

// Reads scenario documents; holds what cross-checks need (the file, the clock).
class Parser {
 public:
  Parser(const nlohmann::json& document, std::string file)
      : document_(document), file_(std::move(file)) {}

  Scenario parse();

 private:
  void parse_clock(ObjectReader& root);
  Time read_time(const ValueReader& value) const;
  void parse_behaviours(ObjectReader& root);
  void parse_services(ObjectReader& root);
  void parse_fleet(ObjectReader& root);
  void parse_flags(ObjectReader& root);
  void parse_deployment(ObjectReader& root);
  Strategy parse_strategy(ObjectReader& object, std::int64_t deployment_hosts);
  HostUpdate parse_host_update(ObjectReader& object);
  void parse_monitoring(ObjectReader& root);
  AlertRule parse_alert(ObjectReader& object, bool named);
  void parse_people(ObjectReader& root);
  void parse_automation(ObjectReader& root);
  void parse_business(ObjectReader& root);
  void parse_timeline(ObjectReader& root);
  void check_services_graph(ObjectReader& root);

  // Name checks: the value must name something defined elsewhere in the file.
  std::string reference(const ValueReader& value, const std::vector<std::string>& names,
                        const std::string& what) const;
  std::vector<std::string> behaviour_names() const;
  std::vector<std::string> group_names() const;
  std::vector<std::string> flag_names() const;
  std::vector<std::string> person_names() const;
  std::vector<std::string> version_names(const std::string& service) const;

  const nlohmann::json& document_;
  std::string file_;
  Scenario scenario_;
  std::vector<std::string> declared_people_;
  std::vector<std::string> declared_alerts_;
};

template <typename T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

Scenario Parser::parse() {
  ObjectReader root(document_, file_, "");
  scenario_.file = file_;
  scenario_.source = document_;
  scenario_.name = root.string("name");
  scenario_.description = root.string("description", "");
  for (const auto& source : root.optional_array("sources")) {
    scenario_.sources.push_back(source.as_string());
  }
  scenario_.seed = static_cast<std::uint64_t>(root.integer("seed", 0, INT64_MAX, 1));
  parse_clock(root);
  parse_behaviours(root);
  parse_services(root);
  parse_fleet(root);
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
  check_services_graph(root);
  root.finish();
  return std::move(scenario_);
}

void Parser::parse_clock(ObjectReader& root) {
  auto clock = root.optional_child("clock");
  if (!clock) {
    scenario_.clock.end = Time::zero() + Duration::days(1);
    return;
  }
  if (auto start = clock->optional("start")) {
    const std::string zone = clock->string("zone", "");
    try {
      scenario_.clock.wall.emplace(start->as_string(), zone);
    } catch (const engine::TimeFormatError& error) {
      start->fail("a timestamp such as \"2012-08-01T09:30:00\"", error.what());
    }
  } else {
    clock->string("zone", "");
  }
  if (auto end = clock->optional("end")) {
    scenario_.clock.end = read_time(*end);
    if (scenario_.clock.end <= Time::zero()) {
      end->fail("an end after the start", "the run would be empty");
    }
  } else {
    scenario_.clock.end = Time::zero() + Duration::days(1);
  }
  clock->finish();
}

Time Parser::read_time(const ValueReader& value) const {
  const std::string text = value.as_string();
  const bool looks_like_timestamp = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (looks_like_timestamp) {
    if (!scenario_.clock.wall) {
      value.fail("a duration since the start such as \"90min\"",
                 "timestamps need a wall-clock start: set /clock/start");
    }
    try {
      return scenario_.clock.wall->at(text);
    } catch (const engine::TimeFormatError& error) {
      value.fail("a timestamp such as \"2012-08-01T09:30:00\"", error.what());
    }
  }
  try {
    const std::string_view offset = !text.empty() && text[0] == '+'
                                        ? std::string_view(text).substr(1)
                                        : std::string_view(text);
    return Time::zero() + engine::parse_duration(offset);
  } catch (const engine::TimeFormatError& error) {
    value.fail("a time: a timestamp \"2012-08-01T09:30:00\" or a duration since the start "
               "such as \"90min\"",
               error.what());
  }
}

std::string Parser::reference(const ValueReader& value, const std::vector<std::string>& names,
                              const std::string& what) const {
  const std::string name = value.as_string();
  if (std::find(names.begin(), names.end(), name) != names.end()) return name;
  std::string hint;
  if (auto suggestion = did_you_mean(name, names); !suggestion.empty()) {
    hint = "did you mean " + quote(suggestion) + "?";
  } else if (names.empty()) {
    hint = "none is defined";
  } else {
    hint = "defined: " + quote_list(names);
  }
  throw InputError(InputProblem{.file = value.file(),
                                .pointer = value.pointer(),
                                .detail = "unknown " + what + " " + quote(name),
                                .hint = hint});
}

std::vector<std::string> Parser::behaviour_names() const { return names_of(scenario_.behaviours); }
std::vector<std::string> Parser::group_names() const { return names_of(scenario_.groups); }
std::vector<std::string> Parser::flag_names() const { return names_of(scenario_.flags); }
std::vector<std::string> Parser::person_names() const { return declared_people_; }
std::vector<std::string> Parser::version_names(const std::string& service) const {
  for (const auto& s : scenario_.services) {
    if (s.name == service) return names_of(s.versions);
  }
  return {};
}

void Parser::parse_behaviours(ObjectReader& root) {
  scenario_.behaviours.push_back(Behaviour{.name = "healthy"});
  auto behaviours = root.optional_child("behaviours");
  if (!behaviours) return;
  for (auto& [name, value] : behaviours->members()) {
    auto object = value.as_object();
    Behaviour behaviour;
    behaviour.name = name;
    const auto kind = object.string_enum("kind", kBehaviourKinds);
    behaviour.kind = static_cast<Behaviour::Kind>(
        std::find(kBehaviourKinds.begin(), kBehaviourKinds.end(), kind) - kBehaviourKinds.begin());
    using K = Behaviour::Kind;
    if (behaviour.kind == K::error_rate_increase) {
      behaviour.error_rate = object.probability("error_rate");
    }
    if (behaviour.kind == K::latency_increase) {
      behaviour.added_latency_ms = object.number("added_latency_ms", 0.0, 3.6e6);
    }
    if (behaviour.kind == K::erroneous_actions) {
      behaviour.loss_per_host_per_min_usd = object.number("loss_per_host_per_min_usd", 0.0, 1e12);
      object.boolean("stops_by_itself", false);
    }
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

void Parser::parse_services(ObjectReader& root) {
  auto services = root.child("services");
  auto members = services.members();
  if (members.empty()) services.fail("at least one service");
  // Names first, so that dependencies may point forward.
  for (auto& [name, value] : members) {
    Service service;
    service.name = name;
    auto object = value.as_object();
    auto versions = object.child("versions");
    auto version_members = versions.members();
    if (version_members.empty()) versions.fail("at least one version");
    for (auto& [version_name, version_value] : version_members) {
      auto version_object = version_value.as_object();
      Version version;
      version.name = version_name;
      if (auto behaviour = version_object.optional("behaviour")) {
        version.behaviour = reference(*behaviour, behaviour_names(), "behaviour");
      }
      if (auto flags = version_object.optional_child("flags")) {
        for (auto& [flag, flag_behaviour] : flags->members()) {
          version.flag_behaviours[flag] = reference(flag_behaviour, behaviour_names(), "behaviour");
        }
      }
      version_object.string("note", "");
      version_object.finish();
      service.versions.push_back(std::move(version));
    }
    scenario_.services.push_back(std::move(service));
  }
  const auto service_names = names_of(scenario_.services);
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto object = members[i].second.as_object();
    object.get("versions");
    if (auto depends = object.optional_child("depends_on")) {
      for (auto& [dependency, versions] : depends->members()) {
        Dependency dep;
        const nlohmann::json name(dependency);
        dep.service = reference(ValueReader(name, file_, versions.pointer()), service_names,
                                "service");
        for (const auto& version : versions.as_array()) {
          dep.compatible_versions.push_back(
              reference(version, version_names(dep.service), "version of " + dep.service));
        }
        scenario_.services[i].depends_on.push_back(std::move(dep));
      }
    }
    object.finish();
  }
}

void Parser::check_services_graph(ObjectReader& root) {
  try {
    model::safe_deployment_order(scenario_.services);
  } catch (const model::DependencyCycle& cycle) {
    throw InputError(InputProblem{.file = file_,
                                  .pointer = child_pointer(root.pointer(), "services"),
                                  .detail = cycle.what(),
                                  .hint = "services must form a directed acyclic graph"});
  }
}

void Parser::parse_fleet(ObjectReader& root) {
  auto fleet = root.child("fleet");
  auto members = fleet.members();
  if (members.empty()) fleet.fail("at least one group of hosts", "the fleet is empty");
  std::int64_t total = 0;
  for (auto& [name, value] : members) {
    auto object = value.as_object();
    HostGroup group;
    group.name = name;
    group.hosts = object.integer("hosts", 1, kMaxHosts);
    total += group.hosts;
    if (total > kMaxHosts) {
      object.value("hosts").fail("at most " + std::to_string(kMaxHosts) + " hosts in all");
    }
    group.service = reference(object.value("service"), names_of(scenario_.services), "service");
    group.version =
        reference(object.value("version"), version_names(group.service), "version of " + group.service);
    group.name_pattern = object.string("name_pattern", "{group}-{i}");
    group.traffic_weight = object.number("traffic_weight", 0.0, 1e6, 1.0);
    if (auto config = object.optional_child("config")) {
      for (auto& [key, config_value] : config->members()) {
        group.config[key] = config_value.json().is_string() ? config_value.as_string()
                                                            : config_value.json().dump();
      }
    }
    object.string("zone", "");
    object.finish();
    scenario_.groups.push_back(std::move(group));
  }
}

void Parser::parse_flags(ObjectReader& root) {
  auto flags = root.optional_child("flags");
  if (flags) {
    for (auto& [name, value] : flags->members()) {
      auto object = value.as_object();
      Flag flag;
      flag.name = name;
      flag.initial = object.boolean("initial", false);
      if (auto scope = object.optional("scope")) {
        if (scope->json().is_string()) {
          flag.groups.push_back(reference(*scope, group_names(), "group"));
        } else {
          for (const auto& group : scope->as_array()) {
            flag.groups.push_back(reference(group, group_names(), "group"));
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
  for (std::size_t s = 0; s < scenario_.services.size(); ++s) {
    for (const auto& version : scenario_.services[s].versions) {
      for (const auto& [flag, behaviour] : version.flag_behaviours) {
        const std::string pointer = "/services/" + scenario_.services[s].name + "/versions/" +
                                    version.name + "/flags";
        const nlohmann::json name(flag);
        reference(ValueReader(name, file_, pointer), declared, "flag");
      }
    }
  }
}

HostUpdate Parser::parse_host_update(ObjectReader& object) {
  HostUpdate update;
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

CountOrPercent read_count_or_percent(const ValueReader& value, std::int64_t hosts) {
  if (value.json().is_string()) {
    const std::string text = value.as_string();
    if (!text.empty() && text.back() == '%') {
      try {
        std::size_t used = 0;
        const double percent = std::stod(text.substr(0, text.size() - 1), &used);
        if (used + 1 == text.size() && percent >= 0.0 && percent <= 100.0) {
          return {percent, true};
        }
      } catch (const std::exception&) {
      }
    }
    value.fail("a count of hosts or a percentage from \"0%\" to \"100%\"");
  }
  return {static_cast<double>(value.as_integer(0, hosts)), false};
}

Strategy Parser::parse_strategy(ObjectReader& object, std::int64_t deployment_hosts) {
  const auto type = object.string_enum("type", kStrategyTypes);
  Strategy strategy;
  if (type == "manual") {
    ManualStrategy manual;
    manual.per_host = object.distribution("per_host", Unit::duration, manual.per_host);
    manual.skip_probability = object.probability("skip_probability", 0.0);
    manual.misconfigure_probability = object.probability("misconfigure_probability", 0.0);
    manual.hosts_per_day =
        static_cast<int>(object.integer("hosts_per_day", 0, kMaxHosts, 0));
    for (const auto& fault_value : object.optional_array("faults")) {
      auto fault_object = fault_value.as_object();
      ScriptedFault fault;
      if (auto skip = fault_object.optional("skip")) {
        fault.kind = ScriptedFault::Kind::skip;
        fault.host = skip->as_string();
      } else if (auto misconfigure = fault_object.optional("misconfigure")) {
        fault.kind = ScriptedFault::Kind::misconfigure;
        fault.host = misconfigure->as_string();
      } else {
        fault_object.fail("a fault {\"skip\": HOST} or {\"misconfigure\": HOST}");
      }
      fault_object.finish();
      manual.faults.push_back(std::move(fault));
    }
    strategy = manual;
  } else if (type == "all_at_once") {
    strategy = AllAtOnceStrategy{};
  } else if (type == "rolling") {
    RollingStrategy rolling;
    rolling.batch_size = object.integer("batch_size", 1, deployment_hosts, 0);
    if (auto surge = object.optional("max_surge")) {
      rolling.max_surge = read_count_or_percent(*surge, deployment_hosts);
    }
    if (auto unavailable = object.optional("max_unavailable")) {
      rolling.max_unavailable = read_count_or_percent(*unavailable, deployment_hosts);
    }
    if (rolling.batch_size == 0 && rolling.max_surge.value == 0.0 &&
        rolling.max_unavailable.value == 0.0) {
      object.fail("max_surge and max_unavailable both zero",
                  "one of them must allow progress, as Kubernetes requires");
    }
    rolling.min_ready = object.duration("min_ready", rolling.min_ready);
    rolling.progress_deadline = object.positive_duration("progress_deadline", rolling.progress_deadline);
    strategy = rolling;
  } else if (type == "blue_green") {
    BlueGreenStrategy blue_green;
    blue_green.pre_promotion_analysis =
        object.duration("pre_promotion_analysis", blue_green.pre_promotion_analysis);
    blue_green.scale_down_delay = object.duration("scale_down_delay", blue_green.scale_down_delay);
    blue_green.auto_promote = object.boolean("auto_promote", true);
    strategy = blue_green;
  } else if (type == "canary") {
    CanaryStrategy canary;
    double last_weight = 0.0;
    for (const auto& step_value : object.array("steps")) {
      auto step_object = step_value.as_object();
      CanaryStep step;
      if (step_object.has("set_weight")) {
        step.kind = CanaryStep::Kind::set_weight;
        step.weight = step_object.percent("set_weight");
        last_weight = step.weight;
      } else if (step_object.has("pause")) {
        step.kind = CanaryStep::Kind::pause;
        step.duration = step_object.positive_duration("pause");
      } else if (step_object.has("analysis")) {
        step.kind = CanaryStep::Kind::analysis;
        step.duration = step_object.positive_duration("analysis");
      } else {
        step_object.fail("a step {\"set_weight\": PERCENT}, {\"pause\": DURATION} or "
                         "{\"analysis\": DURATION}");
      }
      step_object.finish();
      canary.steps.push_back(step);
    }
    (void)last_weight;
    if (auto analysis = object.optional_child("analysis")) {
      auto& a = canary.analysis;
      a.metric = analysis->string_enum("metric", kMetrics, a.metric);
      a.max_value = analysis->number("max", -1e300, 1e300, a.max_value);
      a.interval = analysis->positive_duration("interval", a.interval);
      a.failure_limit = static_cast<int>(analysis->integer("failure_limit", -1, 1000, a.failure_limit));
      a.consecutive_error_limit = static_cast<int>(
          analysis->integer("consecutive_error_limit", 0, 1000, a.consecutive_error_limit));
      a.compare_to_baseline = analysis->boolean("compare_to_baseline", a.compare_to_baseline);
      a.max_ratio_to_baseline =
          analysis->number("max_ratio_to_baseline", 0.0, 1e6, a.max_ratio_to_baseline);
      analysis->finish();
    }
    canary.traffic_routed = object.boolean("traffic_routed", true);
    canary.automated_rollback = object.boolean("automated_rollback", true);
    strategy = canary;
  } else {
    RingStrategy ring;
    for (const auto& ring_value : object.array("rings")) {
      auto ring_object = ring_value.as_object();
      Ring r;
      r.name = ring_object.string("name");
      if (auto groups = ring_object.optional("groups")) {
        for (const auto& group : groups->as_array()) {
          r.groups.push_back(reference(group, group_names(), "group"));
        }
      } else {
        r.percent = ring_object.percent("percent");
      }
      r.bake = ring_object.duration("bake", r.bake);
      ring_object.finish();
      ring.rings.push_back(std::move(r));
    }
    if (ring.rings.empty()) object.fail("at least one ring");
    ring.parallelism = object.integer("parallelism", 0, kMaxHosts, 0);
    strategy = ring;
  }
  object.finish();
  return strategy;
}

void Parser::parse_deployment(ObjectReader& root) {
  auto object = root.optional_child("deployment");
  if (!object) return;
  Deployment deployment;
  deployment.service = reference(object->value("service"), names_of(scenario_.services), "service");
  deployment.to = reference(object->value("to"), version_names(deployment.service),
                            "version of " + deployment.service);
  for (const auto& group : object->optional_array("groups")) {
    deployment.groups.push_back(reference(group, group_names(), "group"));
  }
  std::int64_t hosts = 0;
  for (const auto& group : scenario_.groups) {
    const bool named = deployment.groups.empty()
                           ? group.service == deployment.service
                           : std::find(deployment.groups.begin(), deployment.groups.end(),
                                       group.name) != deployment.groups.end();
    if (named) hosts += group.hosts;
  }
  if (hosts == 0) {
    object->value("service").fail("a service that some group of the fleet runs",
                                  "no host runs it, so there is nothing to deploy to");
  }
  if (auto start = object->optional("start")) deployment.start = read_time(*start);
  if (auto host_update = object->optional_child("host_update")) {
    deployment.host_update = parse_host_update(*host_update);
  }
  auto strategy = object->child("strategy");
  deployment.strategy = parse_strategy(strategy, hosts);
  if (const auto* manual = std::get_if<ManualStrategy>(&deployment.strategy)) {
    const auto faults = object->json()["strategy"].value("faults", nlohmann::json::array());
    for (std::size_t i = 0; i < manual->faults.size(); ++i) {
      const auto& host = manual->faults[i].host;
      // Host names come from each group's pattern; check the name against those patterns.
      bool exists = false;
      for (const auto& group : scenario_.groups) {
        for (std::int64_t h = 1; h <= group.hosts && !exists; ++h) {
          std::string name = group.name_pattern;
          for (auto pos = name.find("{group}"); pos != std::string::npos; pos = name.find("{group}")) {
            name.replace(pos, 7, group.name);
          }
          for (auto pos = name.find("{i}"); pos != std::string::npos; pos = name.find("{i}")) {
            name.replace(pos, 3, std::to_string(h));
          }
          exists = name == host;
        }
      }
      if (!exists) {
        throw InputError(InputProblem{
            .file = file_,
            .pointer = "/deployment/strategy/faults/" + std::to_string(i),
            .detail = "unknown host " + quote(host),
            .hint = "host names follow each group's name_pattern, e.g. \"" +
                    scenario_.groups.front().name + "-1\""});
      }
    }
  }
  deployment.preflight_gate = object->boolean("preflight_gate", false);
  deployment.post_deploy_verification = object->boolean("post_deploy_verification", false);
  object->finish();
  if (deployment.start > scenario_.clock.end) {
    root.child("deployment").value("start").fail("a start before the clock's end");
  }
  scenario_.deployment = std::move(deployment);
}

AlertRule Parser::parse_alert(ObjectReader& object, bool named) {
  AlertRule rule;
  if (named) rule.name = object.string("name");
  const auto metric = object.string_enum("metric", kMetrics);
  rule.metric = static_cast<Metric>(std::find(kMetrics.begin(), kMetrics.end(), metric) -
                                    kMetrics.begin());
  const bool above = object.has("above");
  const bool below = object.has("below");
  if (above == below) object.fail("exactly one of \"above\" and \"below\"");
  rule.below = below;
  rule.threshold = object.number(below ? "below" : "above", -1e300, 1e300);
  rule.for_duration = object.duration("for", Duration{});
  rule.level = object.string_enum("level", {"warning", "critical"}, "critical") == "warning"
                   ? AlertRule::Level::warning
                   : AlertRule::Level::critical;
  if (auto notify = object.optional("notify")) {
    rule.notify = reference(*notify, person_names(), "person");
  }
  rule.ignored = object.boolean("ignored", false);
  object.string("channel", "");
  object.finish();
  return rule;
}

void Parser::parse_monitoring(ObjectReader& root) {
  auto object = root.optional_child("monitoring");
  if (!object) return;
  auto& monitoring = scenario_.monitoring;
  monitoring.scrape_interval = object->positive_duration("scrape_interval", monitoring.scrape_interval);
  monitoring.noise = object->number("noise", 0.0, 10.0, 0.0);
  std::set<std::string> names;
  for (const auto& alert_value : object->optional_array("alerts")) {
    auto alert_object = alert_value.as_object();
    auto rule = parse_alert(alert_object, true);
    if (!names.insert(rule.name).second) {
      alert_value.fail("a unique alert name", quote(rule.name) + " is used twice");
    }
    monitoring.alerts.push_back(std::move(rule));
  }
  for (const auto& signal_value : object->optional_array("signals")) {
    auto signal_object = signal_value.as_object();
    Signal signal;
    signal.name = signal_object.string("name");
    signal_object.string_enum("from", {"flag_without_code"});
    signal.flag = reference(signal_object.value("flag"), flag_names(), "flag");
    if (auto start = signal_object.optional("start")) signal.start = read_time(*start);
    signal.every = signal_object.positive_duration("every", signal.every);
    signal.treated_as_alert = signal_object.boolean("treated_as_alert", false);
    if (auto notify = signal_object.optional("notify")) {
      signal.notify = reference(*notify, person_names(), "person");
    }
    signal_object.string("channel", "");
    signal_object.finish();
    monitoring.signals.push_back(std::move(signal));
  }
  object->finish();
}

void Parser::parse_people(ObjectReader& root) {
  auto object = root.optional_child("people");
  if (!object) return;
  for (auto& [name, value] : object->members()) {
    auto person_object = value.as_object();
    Person person;
    person.name = name;
    person.acknowledge = person_object.distribution("acknowledge", Unit::duration, person.acknowledge);
    person.diagnose = person_object.distribution("diagnose", Unit::duration, person.diagnose);
    person.act = person_object.distribution("act", Unit::duration, person.act);
    for (const auto& step_value : person_object.optional_array("playbook")) {
      auto step = step_value.as_object();
      Person::Response response;
      const auto action = step.string_enum("do", kActions);
      response.action = static_cast<ActionKind>(
          std::find(kActions.begin(), kActions.end(), action) - kActions.begin());
      if (response.action == ActionKind::set_flag) {
        response.flag = reference(step.value("flag"), flag_names(), "flag");
        response.value = step.boolean("value");
      }
      if (response.action == ActionKind::page) {
        response.person = reference(step.value("person"), person_names(), "person");
      }
      if (auto group = step.optional("group")) {
        response.group = reference(*group, group_names(), "group");
      }
      step.finish();
      person.playbook.push_back(std::move(response));
    }
    person_object.string("note", "");
    person_object.finish();
    scenario_.people.push_back(std::move(person));
  }
}

void Parser::parse_automation(ObjectReader& root) {
  auto object = root.optional_child("automation");
  if (!object) return;
  auto& automation = scenario_.automation;
  for (const auto& name : object->optional_array("rollback_on")) {
    automation.rollback_on.push_back(reference(name, declared_alerts_, "alert"));
  }
  if (auto kill_switch = object->optional_child("kill_switch")) {
    automation.kill_switch = parse_alert(*kill_switch, false);
    automation.kill_switch->name = "kill_switch";
  }
  automation.halt_on_inconsistency = object->boolean("halt_on_inconsistency", false);
  object->finish();
}

void Parser::parse_business(ObjectReader& root) {
  auto object = root.optional_child("business");
  if (!object) return;
  auto& business = scenario_.business;
  business.requests_per_host_per_s =
      object->number("requests_per_host_per_s", 0.0, 1e9, business.requests_per_host_per_s);
  business.users_per_request = object->number("users_per_request", 0.0, 1e6, business.users_per_request);
  business.error_budget = object->probability("error_budget", business.error_budget);
  business.base_latency_ms = object->number("base_latency_ms", 0.0, 3.6e6, business.base_latency_ms);
  business.base_error_rate = object->probability("base_error_rate", business.base_error_rate);
  object->finish();
}

void Parser::parse_timeline(ObjectReader& root) {
  Time previous = Time::zero();
  for (const auto& entry_value : root.optional_array("timeline")) {
    auto object = entry_value.as_object();
    TimelineEntry entry;
    auto at = object.value("at");
    entry.at = read_time(at);
    if (entry.at < Time::zero()) at.fail("a time at or after the clock's start");
    if (entry.at > scenario_.clock.end) at.fail("a time before the clock's end");
    if (entry.at < previous) {
      at.fail("a time no earlier than the entry before it", "timeline entries must be in order");
    }
    previous = entry.at;
    const auto action = object.string_enum("do", kActions);
    entry.action = static_cast<ActionKind>(std::find(kActions.begin(), kActions.end(), action) -
                                           kActions.begin());
    if (entry.action == ActionKind::set_flag) {
      entry.flag = reference(object.value("flag"), flag_names(), "flag");
      entry.value = object.boolean("value");
      entry.percent = object.percent("percent", 100.0);
    }
    if (auto group = object.optional("group")) entry.group = reference(*group, group_names(), "group");
    if (auto by = object.optional("by")) entry.person = reference(*by, person_names(), "person");
    if (entry.action == ActionKind::page) {
      entry.person = reference(object.value("person"), person_names(), "person");
    }
    if (entry.action == ActionKind::deploy && !scenario_.deployment) {
      object.value("do").fail("an action other than \"deploy\"", "the scenario has no deployment");
    }
    object.boolean("calibrated", false);
    object.string("note", "");
    object.finish();
    scenario_.timeline.push_back(std::move(entry));
  }
}

}  // namespace

std::string strategy_name(const Strategy& strategy) {
  return kStrategyTypes[strategy.index()];
}

Scenario parse_scenario(const nlohmann::json& document, const std::string& file) {
  return Parser(document, file).parse();
}

namespace {

// A variant file names a base scenario and the values it changes:
//   {"extends": "knight_capital_2012.json", "name": "...", "set": {"deployment.preflight_gate": true}}
nlohmann::json resolve_extends(const std::filesystem::path& path, nlohmann::json document,
                               int depth) {
  if (!document.is_object() || !document.contains("extends")) return document;
  const std::string file = path.string();
  ObjectReader variant(document, file, "");
  auto extends = variant.value("extends");
  if (depth >= 8) extends.fail("a chain of at most 8 \"extends\"", "is there a loop?");
  const auto base_path = path.parent_path() / extends.as_string();
  nlohmann::json base = resolve_extends(base_path, load_json_file(base_path), depth + 1);
  if (!base.is_object()) extends.fail("a base scenario that is a JSON object");
  for (const char* key : {"name", "description"}) {
    if (auto value = variant.optional(key)) base[key] = value->as_string();
  }
  if (auto changes = variant.optional_child("set")) {
    for (auto& [change_path, value] : changes->members()) {
      set_value(base, change_path, value.json(), "set \"" + change_path + "\"", file);
    }
  }
  for (const auto& source : variant.optional_array("sources")) {
    base["sources"].push_back(source.as_string());
  }
  variant.finish();
  return base;
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  const std::string file = path.string();
  nlohmann::json document = resolve_extends(path, load_json_file(path), 0);
  for (const auto& assignment : overrides) apply_override(document, assignment, file);
  return parse_scenario(document, file);
}

void apply_override(nlohmann::json& document, std::string_view assignment, const std::string& file) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw InputError(InputProblem{.file = "--set",
                                  .expected = "PATH=VALUE, e.g. deployment.strategy.batch_size=5",
                                  .found = quote(std::string(assignment))});
  }
  const std::string text(assignment.substr(equals + 1));
  nlohmann::json value;
  try {
    value = parse_json_text(text, "--set");
  } catch (const InputError&) {
    value = text;  // not JSON: a plain string such as 30s or rolling
  }
  set_value(document, std::string(assignment.substr(0, equals)), std::move(value),
            "--set " + std::string(assignment), file);
}

void set_value(nlohmann::json& document, const std::string& path, nlohmann::json value,
               const std::string& label, const std::string& file) {
  nlohmann::json* node = &document;
  std::string pointer;
  std::size_t begin = 0;
  for (;;) {
    const auto dot = path.find('.', begin);
    const std::string key = path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
    const bool last = dot == std::string::npos;
    if (key.empty()) {
      throw InputError(InputProblem{.file = file, .detail = label + ": empty key in the path"});
    }
    if (node->is_array()) {
      std::size_t index = 0;
      const bool numeric = std::all_of(key.begin(), key.end(), ::isdigit);
      if (numeric) index = std::stoul(key);
      if (!numeric || index >= node->size()) {
        throw InputError(InputProblem{
            .file = file,
            .pointer = pointer,
            .detail = label + ": " + quote(key) + " is not an index of this array of " +
                      std::to_string(node->size())});
      }
      pointer = child_pointer(pointer, index);
      node = &(*node)[index];
    } else if (node->is_object()) {
      if (!last && !node->contains(key)) {
        std::vector<std::string> keys;
        for (const auto& [k, ignored] : node->items()) keys.push_back(k);
        const auto suggestion = did_you_mean(key, keys);
        throw InputError(InputProblem{
            .file = file,
            .pointer = pointer,
            .detail = label + ": no key " + quote(key) + " here",
            .hint = suggestion.empty() ? "keys here: " + quote_list(keys)
                                       : "did you mean " + quote(suggestion) + "?"});
      }
      pointer = child_pointer(pointer, key);
      node = &(*node)[key];
    } else {
      throw InputError(InputProblem{.file = file,
                                    .pointer = pointer,
                                    .detail = label + ": " + quote(key) +
                                              " cannot be set inside " + describe_json(*node)});
    }
    if (last) break;
    begin = dot + 1;
  }
  *node = std::move(value);
}

}  // namespace deploysim::scenario
