#include "check/manifest.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <system_error>
#include <unordered_set>

#include "engine/hash.hpp"
#include "input/json_reader.hpp"
#include "scenario/load.hpp"
#include "spec/host_names.hpp"

namespace deploysim::check {
namespace {

using input::child_pointer;
using input::InputError;
using input::InputProblem;
using input::ObjectReader;
using input::ProblemCollector;
using input::quote;
using input::ValueReader;

constexpr const char* kIgnoreKey = "x-deploysim-ignore";

// A scenario may describe ten million hosts by counting them; the checker lists each one (about
// 350 bytes apiece), so a scenario used as a manifest is held to a tenth of that.
constexpr std::int64_t kMaxScenarioHosts = 1'000'000;

// Reads "x-deploysim-ignore": {"DS001": "reason"}; a reason is required so that every accepted
// finding says why (rule IDs are checked against the catalogue by the checker).
Ignores read_ignores(ObjectReader& object) {
  Ignores ignores;
  const auto value = object.optional(kIgnoreKey);
  if (!value) return ignores;
  auto reader = value->as_object();
  for (auto& [rule, reason] : reader.members()) {
    const std::string text = reason.as_string();
    if (text.find_first_not_of(" \t") == std::string::npos) {
      reason.fail("a reason why the finding is accepted", "a suppression needs a reason");
    }
    ignores.emplace(rule, text);
  }
  return ignores;
}

// "YYYY-MM-DDTHH:MM[:SS]" with an optional trailing "Z", as epoch milliseconds.
std::int64_t read_timestamp(const ValueReader& value) {
  std::string text = value.as_string();
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  try {
    return engine::parse_timestamp_ms(text);
  } catch (const engine::TimeFormatError&) {
    value.fail("a timestamp such as \"2012-08-01T09:30:00Z\"");
  }
}

std::map<std::string, nlohmann::json> read_config(const ValueReader& value) {
  std::map<std::string, nlohmann::json> config;
  auto object = value.as_object();
  for (auto& [key, item] : object.members()) {
    if (item.json().is_object() || item.json().is_array()) {
      item.fail("a string, number, boolean or null configuration value");
    }
    config.emplace(key, item.json());
  }
  return config;
}

// Names must resolve: a typo in a service or version name is an input error with a suggestion,
// not a finding about a service that does not exist.
std::string reference(const ValueReader& value, const std::vector<std::string>& names,
                      const std::string& what) {
  const std::string name = value.as_string();
  for (const auto& candidate : names) {
    if (candidate == name) return name;
  }
  const std::string suggestion = input::did_you_mean(name, names);
  value.fail(what, suggestion.empty() ? std::string{} : "did you mean " + quote(suggestion) + "?");
}

class ManifestParser {
 public:
  ManifestParser(const nlohmann::json& document, Manifest& manifest)
      : document_(document), manifest_(manifest) {}

  void parse() {
    ObjectReader root(document_, manifest_.file, "");
    const auto format = root.value("manifest_version");
    if (format.as_integer() != 1) format.fail("1 (the only manifest format so far)");
    manifest_.name = root.string("name", "");
    root.string("description", "");
    root.string("note", "");
    root.string("$schema", "");
    ProblemCollector problems;
    problems.check([&] { parse_behaviours(root); });
    problems.check([&] { parse_services(root); });
    problems.throw_if_any();
    problems.check([&] { parse_dependencies(root); });
    problems.check([&] { parse_groups(root); });
    problems.throw_if_any();
    problems.check([&] { parse_flags(root); });
    problems.throw_if_any();
    problems.check([&] { check_flag_references(); });
    problems.check([&] { parse_rollout(root); });
    problems.check([&] { parse_policy(root); });
    problems.check([&] { root.finish(); });
    problems.throw_if_any();
  }

 private:
  void parse_behaviours(ObjectReader& root) {
    const auto section = root.optional("behaviours");
    if (!section) return;
    for (auto& [name, value] : section->as_object().members()) {
      auto object = value.as_object();
      ManifestBehaviour behaviour{name, object.boolean("retired", false), object.pointer()};
      object.string("note", "");
      object.string("description", "");
      object.finish();
      manifest_.behaviours.push_back(std::move(behaviour));
    }
  }

  void parse_services(ObjectReader& root) {
    auto section = root.child("services");
    for (auto& [name, value] : section.members()) {
      auto object = value.as_object();
      ManifestService service;
      service.name = name;
      service.pointer = object.pointer();
      auto versions = object.child("versions");
      for (auto& [version_name, version_value] : versions.members()) {
        auto version_object = version_value.as_object();
        ManifestVersion version{version_name, {}, version_object.pointer()};
        if (auto flags = version_object.optional("flags")) {
          for (auto& [flag, behaviour] : flags->as_object().members()) {
            version.flags.emplace(flag, behaviour.as_string());
          }
        }
        version_object.string("note", "");
        version_object.finish();
        service.versions.push_back(std::move(version));
      }
      if (service.versions.empty()) versions.fail("at least one version");
      object.get("depends_on");  // read once every service is known
      object.string("note", "");
      service.ignore = read_ignores(object);
      object.finish();
      manifest_.services.push_back(std::move(service));
    }
  }

  std::vector<std::string> service_names() const {
    std::vector<std::string> names;
    for (const auto& service : manifest_.services) names.push_back(service.name);
    return names;
  }

  std::vector<std::string> version_names(std::string_view service) const {
    std::vector<std::string> names;
    if (const auto* found = manifest_.find_service(service)) {
      for (const auto& version : found->versions) names.push_back(version.name);
    }
    return names;
  }

  void parse_dependencies(ObjectReader& root) {
    ObjectReader services(root.json().at("services"), manifest_.file, "/services");
    std::size_t index = 0;
    for (auto& [name, value] : services.members()) {
      ManifestService& service = manifest_.services[index++];
      auto object = value.as_object();
      const auto depends = object.optional("depends_on");
      if (!depends) continue;
      for (auto& [dependency, versions] : depends->as_object().members()) {
        const nlohmann::json key(dependency);
        ManifestDependency dep;
        dep.service = reference(ValueReader(key, manifest_.file, versions.pointer()),
                                service_names(), "a key naming a service in /services");
        dep.pointer = versions.pointer();
        // One range as a string, or a list of version names and ranges.
        if (versions.json().is_string()) {
          read_compatible(versions, dep);
        } else {
          if (!versions.json().is_array()) {
            versions.fail(
                "a version range such as \">=1.4 <2.0\", or a list of versions and "
                "ranges");
          }
          for (const auto& version : versions.as_array()) read_compatible(version, dep);
        }
        service.depends_on.push_back(std::move(dep));
      }
    }
  }

  // One entry of a dependency's compatible versions: a version name of the dependency, or a
  // range. A name that is neither is a typo of a version name, or a malformed range, and the
  // message says which it looks like.
  void read_compatible(const ValueReader& entry, ManifestDependency& dep) const {
    const std::string text = entry.as_string();
    const auto names = version_names(dep.service);
    const bool named = std::find(names.begin(), names.end(), text) != names.end();
    std::string error;
    auto range = VersionRange::parse(text, error);
    if (!named && !range) {
      const bool looks_like_range =
          text.empty() || text.find_first_of("<>=^~*|0123456789") != std::string::npos;
      if (!looks_like_range || !input::did_you_mean(text, names).empty()) {
        reference(entry, names, "a version of " + quote(dep.service));
      }
      entry.fail(
          "a version range such as \">=1.4 <2.0\", \"^1.2\", \"~1.2.3\" or \"1.x\", or a "
          "version of " +
              quote(dep.service),
          error);
    }
    dep.compatible.push_back(text);
    if (range) dep.ranges.push_back(std::move(*range));
  }

  void parse_groups(ObjectReader& root) {
    auto section = root.child("groups");
    for (auto& [name, value] : section.members()) {
      auto object = value.as_object();
      ManifestGroup group;
      group.name = name;
      group.pointer = object.pointer();
      group.service =
          reference(object.value("service"), service_names(), "the name of a service in /services");
      const auto versions = version_names(group.service);
      const std::string version_what = "a version of " + quote(group.service);
      group.version = reference(object.value("version"), versions, version_what);
      if (auto config = object.optional("config")) group.config = read_config(*config);
      group.config_revision = object.string("config_revision", "");
      object.string("note", "");
      const std::size_t group_index = manifest_.groups.size();
      for (const auto& entry : object.array("hosts")) {
        ManifestHost host;
        host.group = group_index;
        host.version = group.version;
        host.config = group.config;
        host.pointer = entry.pointer();
        if (entry.json().is_string()) {
          host.name = entry.as_string();
        } else {
          auto host_object = entry.as_object();
          host.name = host_object.string("name");
          if (auto version = host_object.optional("version")) {
            host.version = reference(*version, versions, version_what);
          }
          if (auto config = host_object.optional("config")) {
            for (auto& [key, item] : read_config(*config)) host.config[key] = item;
          }
          host_object.string("note", "");
          host.ignore = read_ignores(host_object);
          host_object.finish();
        }
        if (host.name.empty()) entry.fail("a host name");
        group.hosts.push_back(manifest_.hosts.size());
        manifest_.hosts.push_back(std::move(host));
      }
      object.finish();
      manifest_.groups.push_back(std::move(group));
    }
  }

  std::vector<std::string> group_names() const {
    std::vector<std::string> names;
    for (const auto& group : manifest_.groups) names.push_back(group.name);
    return names;
  }

  void parse_flags(ObjectReader& root) {
    const auto section = root.optional("flags");
    if (!section) return;
    const auto groups = group_names();
    for (auto& [name, value] : section->as_object().members()) {
      auto object = value.as_object();
      ManifestFlag flag;
      flag.name = name;
      flag.pointer = object.pointer();
      flag.on = object.boolean("on");
      for (const auto& group : object.optional_array("scope")) {
        flag.scope.push_back(reference(group, groups, "the name of a group in /groups"));
      }
      flag.meaning = object.string("meaning", "");
      object.string("note", "");
      flag.ignore = read_ignores(object);
      object.finish();
      manifest_.flags.push_back(std::move(flag));
    }
  }

  // Versions and flags name flags and behaviours; a name that refers to nothing is a typo, an
  // input error, not a set of findings about a meaning no version has.
  void check_flag_references() const {
    ProblemCollector problems;
    std::vector<std::string> flags;
    for (const auto& flag : manifest_.flags) flags.push_back(flag.name);
    std::vector<std::string> behaviours;
    for (const auto& behaviour : manifest_.behaviours) behaviours.push_back(behaviour.name);
    const bool declared_behaviours = !behaviours.empty();
    for (const auto& service : manifest_.services) {
      for (const auto& version : service.versions) {
        for (const auto& [flag, behaviour] : version.flags) {
          const auto pointer = child_pointer(child_pointer(version.pointer, "flags"), flag);
          if (std::find(flags.begin(), flags.end(), flag) == flags.end()) {
            problems.add(reference_problem(pointer, "a flag declared in /flags", flag, flags));
          } else if (declared_behaviours && std::find(behaviours.begin(), behaviours.end(),
                                                      behaviour) == behaviours.end()) {
            problems.add(reference_problem(pointer, "a behaviour declared in /behaviours",
                                           behaviour, behaviours));
          }
        }
      }
    }
    for (const auto& flag : manifest_.flags) {
      if (flag.meaning.empty()) continue;
      const auto known = declared_behaviours ? behaviours : meanings_of(flag.name);
      if (std::find(known.begin(), known.end(), flag.meaning) == known.end()) {
        problems.add(reference_problem(child_pointer(flag.pointer, "meaning"),
                                       declared_behaviours
                                           ? "a behaviour declared in /behaviours"
                                           : "a behaviour some version gives the flag",
                                       flag.meaning, known));
      }
    }
    problems.throw_if_any();
  }

  std::vector<std::string> meanings_of(const std::string& flag) const {
    std::vector<std::string> meanings;
    for (const auto& service : manifest_.services) {
      for (const auto& version : service.versions) {
        const auto it = version.flags.find(flag);
        if (it != version.flags.end() &&
            std::find(meanings.begin(), meanings.end(), it->second) == meanings.end()) {
          meanings.push_back(it->second);
        }
      }
    }
    return meanings;
  }

  InputProblem reference_problem(const std::string& pointer, const std::string& expected,
                                 const std::string& name,
                                 const std::vector<std::string>& names) const {
    const auto suggestion = input::did_you_mean(name, names);
    return InputProblem{.file = manifest_.file,
                        .pointer = pointer,
                        .expected = expected,
                        .found = input::quote(name),
                        .hint = suggestion.empty()
                                    ? (names.empty() ? std::string("there are none")
                                                     : "one of " + input::quote_list(names))
                                    : "did you mean " + input::quote(suggestion) + "?"};
  }

  void parse_rollout(ObjectReader& root) {
    auto section = root.optional("rollout");
    if (!section) return;
    auto object = section->as_object();
    Rollout rollout;
    rollout.pointer = object.pointer();
    rollout.service =
        reference(object.value("service"), service_names(), "the name of a service in /services");
    rollout.to = reference(object.value("to"), version_names(rollout.service),
                           "a version of " + quote(rollout.service));
    if (auto started = object.optional("started")) rollout.started_ms = read_timestamp(*started);
    std::vector<std::string> host_names;
    for (const auto& host : manifest_.hosts) host_names.push_back(host.name);
    // A plan lists every host of a service: look names up by hash, and leave the linear search
    // with its suggestion to names that are not there.
    const std::unordered_set<std::string_view> known_hosts(host_names.begin(), host_names.end());
    for (const auto& entry : object.array("stages")) {
      auto stage_object = entry.as_object();
      RolloutStage stage;
      stage.pointer = stage_object.pointer();
      stage.name = stage_object.string("name");
      stage.canary = stage_object.boolean("canary", false);
      stage.health_gate = stage_object.string("health_gate", "");
      stage.rollback = stage_object.string("rollback", "");
      for (const auto& host : stage_object.array("hosts")) {
        const auto* name =
            host.json().is_string() ? host.json().get_ptr<const std::string*>() : nullptr;
        stage.hosts.push_back(name != nullptr && known_hosts.count(*name) > 0
                                  ? *name
                                  : reference(host, host_names, "the name of a host in /groups"));
        stage.host_pointers.push_back(host.pointer());
      }
      stage_object.string("note", "");
      stage.ignore = read_ignores(stage_object);
      stage_object.finish();
      rollout.stages.push_back(std::move(stage));
    }
    object.string("note", "");
    object.finish();
    manifest_.rollout = std::move(rollout);
  }

  void parse_policy(ObjectReader& root) {
    auto section = root.optional("policy");
    if (!section) return;
    auto object = section->as_object();
    Policy& policy = manifest_.policy;
    policy.canary_max_percent = object.percent("canary_max_percent", policy.canary_max_percent);
    policy.max_convergence_age =
        object.positive_duration("max_convergence_age", policy.max_convergence_age);
    policy.mixed_version_window =
        object.duration("mixed_version_window", policy.mixed_version_window);
    object.finish();
  }

  const nlohmann::json& document_;
  Manifest& manifest_;
};

// A scenario describes the fleet before its deployment; the manifest is the fleet as it should
// be after it: groups being deployed are declared at the target version. Flags count as on if
// they start on or the timeline turns them on, and mean what the target version makes of them.
void manifest_from_scenario(const spec::Scenario& source, Manifest& manifest) {
  manifest.name = source.name;
  manifest.from_scenario = true;
  for (const auto& service : source.services) {
    ManifestService out;
    out.name = service.name;
    out.pointer = child_pointer("/services", service.name);
    for (const auto& version : service.versions) {
      ManifestVersion v{version.name, version.flag_behaviours,
                        child_pointer(child_pointer(out.pointer, "versions"), version.name)};
      out.versions.push_back(std::move(v));
    }
    for (const auto& dependency : service.depends_on) {
      out.depends_on.push_back(ManifestDependency{
          dependency.service,
          dependency.compatible_versions,
          child_pointer(child_pointer(out.pointer, "depends_on"), dependency.service),
          {}});
    }
    manifest.services.push_back(std::move(out));
  }
  const auto* deployment = source.deployment ? &*source.deployment : nullptr;
  std::int64_t total_hosts = 0;
  for (const auto& group : source.groups) {
    if (group.hosts > kMaxScenarioHosts - total_hosts) {
      throw InputError(InputProblem{
          .file = manifest.file,
          .pointer = child_pointer(child_pointer("/fleet", group.name), "hosts"),
          .expected = "at most " + std::to_string(kMaxScenarioHosts) +
                      " hosts in the whole fleet of a scenario checked by deploysim check, "
                      "which lists every host",
          .found = std::to_string(group.hosts),
          .hint = total_hosts > 0 ? "the groups before this one have " + std::to_string(total_hosts)
                                  : ""});
    }
    total_hosts += group.hosts;
    ManifestGroup out;
    out.name = group.name;
    out.service = group.service;
    out.version = group.version;
    out.pointer = child_pointer("/fleet", group.name);
    const bool deployed = deployment != nullptr && deployment->service == group.service &&
                          (deployment->groups.empty() ||
                           std::find(deployment->groups.begin(), deployment->groups.end(),
                                     group.name) != deployment->groups.end());
    if (deployed) out.version = deployment->to;
    for (const auto& [key, value] : group.config) out.config.emplace(key, value);
    for (std::int64_t i = 0; i < group.hosts; ++i) {
      out.hosts.push_back(manifest.hosts.size());
      manifest.hosts.push_back(ManifestHost{spec::host_name(group.name_pattern, group.name, i + 1),
                                            manifest.groups.size(),
                                            out.version,
                                            out.config,
                                            child_pointer(out.pointer, "hosts"),
                                            {},
                                            {}});
    }
    manifest.groups.push_back(std::move(out));
  }
  for (const auto& flag : source.flags) {
    ManifestFlag out;
    out.name = flag.name;
    out.on = flag.initial;
    for (const auto& entry : source.timeline) {
      if (entry.action == spec::ActionKind::set_flag && entry.flag == flag.name && entry.value) {
        out.on = true;
      }
    }
    out.scope = flag.groups;
    out.pointer = child_pointer("/flags", flag.name);
    if (deployment != nullptr) {
      for (const auto& service : source.services) {
        if (service.name != deployment->service) continue;
        for (const auto& version : service.versions) {
          if (version.name != deployment->to) continue;
          const auto it = version.flag_behaviours.find(flag.name);
          if (it != version.flag_behaviours.end()) out.meaning = it->second;
        }
      }
    }
    manifest.flags.push_back(std::move(out));
  }
}

// The inventory read in one streaming pass (nlohmann's SAX interface) straight into an
// Inventory, without a JSON document in between: at 100,000 hosts, building and freeing the
// document costs more than all the rules together. The stream reads only what a valid
// inventory holds. At anything else (malformed JSON, a wrong type, an unknown or repeated key,
// a bad timestamp) it stops, and InventoryParser reads the text again through the document, so
// that every problem is reported exactly as before. Whatever the stream accepts, the strict
// reader accepts and reads alike (fuzz/inventory_fuzzer.cpp compares the two).
class InventoryStream {
 public:
  explicit InventoryStream(Inventory& inventory) : inventory_(inventory) {}

  /// Whether the whole of `text` was read; if not, the inventory holds part of it.
  bool read(std::string_view text) {
    return nlohmann::json::sax_parse(text.begin(), text.end(), this) && level_ == Level::done &&
           version_read_ && (root_seen_ & bit(Key::hosts)) != 0;
  }

  // nlohmann's SAX interface; returning false stops the parse.
  bool null() { return level_ == Level::config && config_value(nlohmann::json()); }
  bool boolean(bool value) {
    if (level_ == Level::flags) return current().flags.emplace(member_, value).second;
    return level_ == Level::config && config_value(nlohmann::json(value));
  }
  bool number_integer(std::int64_t value) {
    if (level_ == Level::root && root_key_ == Key::inventory_version) return version(value == 1);
    return level_ == Level::config && config_value(nlohmann::json(value));
  }
  bool number_unsigned(std::uint64_t value) {
    if (level_ == Level::root && root_key_ == Key::inventory_version) return version(value == 1);
    return level_ == Level::config && config_value(nlohmann::json(value));
  }
  bool number_float(double value, const std::string& /*text*/) {
    return level_ == Level::config && std::isfinite(value) && config_value(nlohmann::json(value));
  }
  bool binary(nlohmann::json::binary_t& /*value*/) { return false; }
  bool string(std::string& value);
  bool key(std::string& key);
  bool start_object(std::size_t /*elements*/);
  bool end_object();
  bool start_array(std::size_t /*elements*/) {
    if (level_ != Level::root || root_key_ != Key::hosts) return false;
    level_ = Level::hosts;
    return true;
  }
  bool end_array() {
    if (level_ != Level::hosts) return false;
    level_ = Level::root;
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::json::exception& /*error*/) {
    return false;
  }

 private:
  // Where the stream is: in which object or array, by its role in the format.
  enum class Level { start, root, hosts, host, config, flags, ignore, done };
  // The keys of the root and host objects.
  enum class Key : unsigned {
    unknown,
    inventory_version,
    observed_at,
    source,
    note,
    schema,
    hosts,
    name,
    version,
    config,
    config_hash,
    config_revision,
    flags,
    converged_at,
    ignore
  };

  static unsigned bit(Key key) { return 1u << static_cast<unsigned>(key); }

  static Key root_key(std::string_view key) {
    if (key == "inventory_version") return Key::inventory_version;
    if (key == "observed_at") return Key::observed_at;
    if (key == "source") return Key::source;
    if (key == "note") return Key::note;
    if (key == "$schema") return Key::schema;
    if (key == "hosts") return Key::hosts;
    return Key::unknown;
  }

  static Key host_key(std::string_view key) {
    if (key == "name") return Key::name;
    if (key == "version") return Key::version;
    if (key == "config") return Key::config;
    if (key == "config_hash") return Key::config_hash;
    if (key == "config_revision") return Key::config_revision;
    if (key == "flags") return Key::flags;
    if (key == "converged_at") return Key::converged_at;
    if (key == "note") return Key::note;
    if (key == kIgnoreKey) return Key::ignore;
    return Key::unknown;
  }

  // As read_timestamp: a trailing "Z" is allowed.
  static bool timestamp(std::string text, std::optional<std::int64_t>& out) {
    if (!text.empty() && text.back() == 'Z') text.pop_back();
    try {
      out = engine::parse_timestamp_ms(text);
      return true;
    } catch (...) {
      return false;  // the strict reader reports it
    }
  }

  ObservedHost& current() { return inventory_.hosts.back(); }

  bool version(bool is_one) {
    version_read_ = is_one;
    return is_one;
  }

  bool config_value(nlohmann::json value) {
    return current().config->emplace(member_, std::move(value)).second;
  }

  // Records `key` as read in an object whose keys so far are `seen`; a repeated key stops.
  static bool first_time(unsigned& seen, Key key) {
    if (key == Key::unknown || (seen & bit(key)) != 0) return false;
    seen |= bit(key);
    return true;
  }

  Inventory& inventory_;
  Level level_ = Level::start;
  Key root_key_ = Key::unknown;
  Key host_key_ = Key::unknown;
  unsigned root_seen_ = 0;
  unsigned host_seen_ = 0;
  std::string member_;  // key in config, flags or x-deploysim-ignore
  bool version_read_ = false;
};

bool InventoryStream::string(std::string& value) {
  switch (level_) {
    case Level::root:
      if (root_key_ == Key::observed_at) return timestamp(std::move(value), inventory_.observed_ms);
      return root_key_ == Key::source || root_key_ == Key::note || root_key_ == Key::schema;
    case Level::host: {
      ObservedHost& host = current();
      switch (host_key_) {
        case Key::name:
          host.name = std::move(value);
          return !host.name.empty();
        case Key::version:
          host.version = std::move(value);
          return true;
        case Key::config_hash:
          host.config_hash = std::move(value);
          host.config_hash_given = true;
          return true;
        case Key::config_revision:
          host.config_revision = std::move(value);
          return true;
        case Key::converged_at:
          return timestamp(std::move(value), host.converged_ms);
        case Key::note:
          return true;
        default:
          return false;
      }
    }
    case Level::config:
      return config_value(nlohmann::json(std::move(value)));
    case Level::ignore:
      // A suppression needs a reason.
      if (value.find_first_not_of(" \t") == std::string::npos) return false;
      return current().ignore.emplace(member_, std::move(value)).second;
    default:
      return false;
  }
}

bool InventoryStream::key(std::string& key) {
  switch (level_) {
    case Level::root:
      root_key_ = root_key(key);
      return first_time(root_seen_, root_key_);
    case Level::host:
      host_key_ = host_key(key);
      return first_time(host_seen_, host_key_);
    case Level::config:
    case Level::flags:
    case Level::ignore:
      member_ = std::move(key);
      return true;
    default:
      return false;
  }
}

bool InventoryStream::start_object(std::size_t /*elements*/) {
  switch (level_) {
    case Level::start:
      level_ = Level::root;
      return true;
    case Level::hosts:
      inventory_.hosts.emplace_back();
      current().pointer = child_pointer("/hosts", inventory_.hosts.size() - 1);
      host_seen_ = 0;
      level_ = Level::host;
      return true;
    case Level::host:
      if (host_key_ == Key::config) {
        current().config.emplace();
        level_ = Level::config;
      } else if (host_key_ == Key::flags) {
        level_ = Level::flags;
      } else if (host_key_ == Key::ignore) {
        level_ = Level::ignore;
      } else {
        return false;
      }
      return true;
    default:
      return false;
  }
}

bool InventoryStream::end_object() {
  switch (level_) {
    case Level::root:
      level_ = Level::done;
      return true;
    case Level::host:
      level_ = Level::hosts;
      return (host_seen_ & bit(Key::name)) != 0;
    case Level::config:
    case Level::flags:
    case Level::ignore:
      level_ = Level::host;
      return true;
    default:
      return false;
  }
}

class InventoryParser {
 public:
  InventoryParser(const nlohmann::json& document, Inventory& inventory)
      : document_(document), inventory_(inventory) {}

  void parse() {
    ObjectReader root(document_, inventory_.file, "");
    const auto format = root.value("inventory_version");
    if (format.as_integer() != 1) format.fail("1 (the only inventory format so far)");
    if (auto at = root.optional("observed_at")) inventory_.observed_ms = read_timestamp(*at);
    root.string("source", "");
    root.string("note", "");
    root.string("$schema", "");
    ProblemCollector problems;
    for (const auto& entry : root.array("hosts")) {
      problems.check([&] { inventory_.hosts.push_back(parse_host(entry)); });
    }
    problems.check([&] { root.finish(); });
    problems.throw_if_any();
  }

 private:
  ObservedHost parse_host(const ValueReader& entry) {
    auto object = entry.as_object();
    ObservedHost host;
    host.pointer = object.pointer();
    host.name = object.string("name");
    if (host.name.empty()) object.value("name").fail("a host name");
    host.version = object.string("version", "");
    if (auto config = object.optional("config")) host.config = read_config(*config);
    host.config_hash_given = object.optional("config_hash").has_value();
    host.config_hash = object.string("config_hash", "");
    host.config_revision = object.string("config_revision", "");
    if (auto flags = object.optional("flags")) {
      for (auto& [flag, value] : flags->as_object().members()) {
        host.flags.emplace(flag, value.as_boolean());
      }
    }
    if (auto at = object.optional("converged_at")) host.converged_ms = read_timestamp(*at);
    object.string("note", "");
    host.ignore = read_ignores(object);
    object.finish();
    return host;
  }

  const nlohmann::json& document_;
  Inventory& inventory_;
};

}  // namespace

bool ManifestDependency::accepts(std::string_view version) const {
  if (compatible.empty()) return true;
  if (std::find(compatible.begin(), compatible.end(), version) != compatible.end()) return true;
  return std::any_of(ranges.begin(), ranges.end(),
                     [version](const VersionRange& range) { return range.contains(version); });
}

const ManifestVersion* ManifestService::find_version(std::string_view version) const {
  for (const auto& v : versions) {
    if (v.name == version) return &v;
  }
  return nullptr;
}

const SourceSpot* SourceMap::find(std::string pointer) const {
  for (;;) {
    if (const auto it = spots_.find(pointer); it != spots_.end()) return &it->second;
    if (pointer.empty()) return nullptr;
    const auto slash = pointer.rfind('/');
    pointer.erase(slash == std::string::npos ? 0 : slash);
  }
}

const ManifestService* Manifest::find_service(std::string_view service) const {
  for (const auto& s : services) {
    if (s.name == service) return &s;
  }
  return nullptr;
}

const ManifestBehaviour* Manifest::find_behaviour(std::string_view behaviour) const {
  for (const auto& b : behaviours) {
    if (b.name == behaviour) return &b;
  }
  return nullptr;
}

std::optional<std::size_t> Manifest::find_group(std::string_view group) const {
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].name == group) return i;
  }
  return std::nullopt;
}

Manifest parse_manifest(std::string_view text, const std::string& file,
                        const Policy& policy_defaults) {
  const nlohmann::json document = input::parse_json_text(text, file);
  Manifest manifest;
  manifest.file = file;
  manifest.policy = policy_defaults;
  // The rule (docs/manifest-format.md): "manifest_version" makes a manifest, whatever else the
  // document holds, so a stray "fleet" in a manifest is its unknown key, not a switch of
  // format; otherwise "fleet", or a variant's "extends", makes a scenario.
  const bool scenario = document.is_object() && !document.contains("manifest_version") &&
                        (document.contains("fleet") || document.contains("extends"));
  if (scenario) {
    // A variant's base is found as `validate` finds it: beside the file, or for standard input
    // relative to the current directory.
    const spec::Scenario source = scenario::load_scenario_document(document, file);
    manifest_from_scenario(source, manifest);
  } else {
    ManifestParser(document, manifest).parse();
  }
  manifest.positions = PositionIndex(text);
  return manifest;
}

namespace {

bool is_config_hash(const std::string& text) {
  return text.size() == 16 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A config_hash in the form config_hash() writes, and none beside a config it contradicts: a
// hash of "zzzz" would be reported as drift on every host instead of as the typo it is. Both
// readers end here, so they agree on it.
void check_config_hashes(const Inventory& inventory) {
  ProblemCollector problems;
  for (const auto& host : inventory.hosts) {
    // "" is a value that cannot be a hash, not an absent one: it is refused like "zzzz".
    if (!host.config_hash_given) continue;
    const auto pointer = child_pointer(host.pointer, "config_hash");
    if (!is_config_hash(host.config_hash)) {
      problems.add(InputProblem{.file = inventory.file,
                                .pointer = pointer,
                                .expected = "16 lowercase hex digits (FNV-1a 64 of the "
                                            "configuration's compact, key-sorted JSON)",
                                .found = quote(host.config_hash)});
    } else if (host.config && config_hash(*host.config) != host.config_hash) {
      problems.add(InputProblem{
          .file = inventory.file,
          .pointer = pointer,
          .expected = "the hash of the host's \"config\", " + quote(config_hash(*host.config)),
          .found = quote(host.config_hash),
          .hint = "give \"config\" or \"config_hash\"; with both, they must agree"});
    }
  }
  problems.throw_if_any();
}

}  // namespace

Inventory parse_inventory(std::string_view text, const std::string& file) {
  Inventory inventory;
  inventory.file = file;
  if (!InventoryStream(inventory).read(text)) return parse_inventory_strict(text, file);
  check_config_hashes(inventory);
  inventory.positions = PositionIndex(text);
  return inventory;
}

Inventory parse_inventory_strict(std::string_view text, const std::string& file) {
  const nlohmann::json document = input::parse_json_text(text, file);
  Inventory inventory;
  inventory.file = file;
  InventoryParser(document, inventory).parse();
  check_config_hashes(inventory);
  inventory.positions = PositionIndex(text);
  return inventory;
}

std::string config_hash(const std::map<std::string, nlohmann::json>& config) {
  return engine::hex64(engine::fnv1a64(nlohmann::json(config).dump()));
}

}  // namespace deploysim::check
