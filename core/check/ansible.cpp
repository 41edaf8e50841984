#include "check/ansible.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "input/file.hpp"
#include "input/input_error.hpp"
#include "input/json_reader.hpp"

namespace deploysim::check {
namespace {

using input::child_pointer;
using input::InputError;
using input::InputProblem;
using input::ObjectReader;
using input::quote;

// The value at a dotted path ("ansible_local.app.version") and its JSON pointer, or null.
const nlohmann::json* at_path(const nlohmann::json& root, const std::string& path,
                              std::string& pointer) {
  const nlohmann::json* value = &root;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('.', start);
    if (end == std::string::npos) end = path.size();
    const std::string key = path.substr(start, end - start);
    if (!value->is_object() || !value->contains(key)) return nullptr;
    value = &value->at(key);
    pointer = child_pointer(pointer, key);
    start = end + 1;
  }
  return value;
}

bool truthy(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (!value.is_string()) return false;
  std::string text = value.get<std::string>();
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return text == "true" || text == "on" || text == "yes" || text == "1";
}

// A version written as a string or a number (YAML turns 2.0 into a number).
std::string version_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// An INI or YAML inventory is what users have at hand; say how to get the JSON the checker
// reads instead of reporting the first character JSON does not allow.
void require_json_inventory(const NamedText& inventory) {
  const std::string& text = inventory.text;
  const std::size_t at = text.find_first_not_of(" \t\r\n");
  if (at == std::string::npos || text[at] == '{') return;
  const std::size_t line_start =
      text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  std::string first_line = text.substr(at, text.find_first_of("\r\n", at) - at);
  if (first_line.size() > 40) {
    // Cut at 40 bytes without splitting a UTF-8 character.
    first_line.resize(40);
    while (!first_line.empty() && (static_cast<unsigned char>(first_line.back()) & 0xC0) == 0x80)
      first_line.pop_back();
    if (!first_line.empty() && static_cast<unsigned char>(first_line.back()) >= 0xC0)
      first_line.pop_back();
    first_line += "...";
  }
  throw InputError(InputProblem{
      .file = inventory.file,
      .expected = "the JSON object that `ansible-inventory --list` prints",
      .found = quote(first_line),
      .hint = "for an INI or YAML inventory, check the output of "
              "`ansible-inventory -i FILE --list` instead",
      .line = static_cast<int>(
                  std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) +
              1,
      .column = static_cast<int>(at - line_start) + 1});
}

class AnsibleReader {
 public:
  AnsibleReader(const NamedText& inventory, const AnsibleOptions& options, AnsibleInput& out)
      : input_(inventory),
        options_(options),
        out_(out),
        document_(input::parse_json_text(inventory.text, inventory.file)),
        positions_(inventory.text),
        sources_(std::make_shared<SourceMap>()) {}

  void read_hosts() {
    ObjectReader root(document_, input_.file, "");
    // Each host's first group in name order ("all" and "ungrouped" only when no other).
    for (auto& [name, value] : root.members()) {
      if (name == "_meta" || name == "all" || !value.json().is_object()) continue;
      for (const auto& host : value.as_object().optional_array("hosts")) {
        const std::string host_name = host.as_string();
        auto [it, fresh] = group_of_.try_emplace(host_name, name);
        if (!fresh && it->second == "ungrouped") it->second = name;
        if (fresh) sources_->add(child_pointer("/groups", name), spot(value.pointer()));
      }
    }
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json* meta = document_.contains("_meta") ? &document_["_meta"] : &empty;
    const nlohmann::json* hostvars =
        meta->is_object() && meta->contains("hostvars") ? &meta->at("hostvars") : &empty;
    for (const auto& [host, group] : group_of_) {
      const std::string vars_at = child_pointer("/_meta/hostvars", host);
      const auto found = hostvars->find(host);
      read_host(host, group, found != hostvars->end() ? *found : empty, vars_at);
    }
    if (out_.manifest.hosts.empty()) {
      throw InputError(
          InputProblem{.file = input_.file,
                       .expected = "an inventory with hosts (ansible-inventory --list)",
                       .found = "none",
                       .line = 1,
                       .column = 1});
    }
    add_flags();
  }

  void read_facts(const std::vector<NamedText>& facts) {
    Inventory inventory;
    inventory.file = facts.empty() ? std::string("-") : facts.front().file;
    for (const NamedText& file : facts) {
      const nlohmann::json document = input::parse_json_text(file.text, file.file);
      const std::string host = std::filesystem::path(file.file).filename().string();
      ObservedHost observed;
      observed.name = host;
      observed.pointer = child_pointer("/facts", host);
      std::string pointer;
      const nlohmann::json* version = at_path(document, options_.version_fact, pointer);
      const PositionIndex positions(file.text);
      if (version == nullptr || !(version->is_string() || version->is_number())) {
        missing_version_fact(file, host, document, positions, version);
      }
      observed.version = version_text(*version);
      sources_->add(observed.pointer, {file.file, positions.find(version ? pointer : "")});
      sources_->add(child_pointer(observed.pointer, "name"), {file.file, positions.find("")});
      if (const auto flags = declared_flags_.find(host); flags != declared_flags_.end()) {
        observed.flags = flags->second;
      }
      inventory.hosts.push_back(std::move(observed));
    }
    out_.inventory = std::move(inventory);
  }

  void finish() {
    out_.manifest.kind = InputKind::ansible;
    out_.manifest.file = input_.file;
    // Pointers with no place of their own (the list of groups) point at the inventory.
    sources_->add("", spot(""));
    out_.manifest.sources = sources_;
    if (out_.inventory) out_.inventory->sources = sources_;
  }

 private:
  SourceSpot spot(const std::string& pointer) const {
    return {input_.file, positions_.find(pointer)};
  }

  // A fact file without the version fact would check nothing for its host, silently: a
  // misspelt --version-fact must not pass every host.
  [[noreturn]] void missing_version_fact(const NamedText& file, const std::string& host,
                                         const nlohmann::json& document,
                                         const PositionIndex& positions,
                                         const nlohmann::json* found) const {
    std::string pointer;
    std::string path;
    const nlohmann::json* deepest = &document;
    std::string hint = "name the fact with --version-fact (a dotted path into the host's facts)";
    std::size_t start = 0;
    while (start <= options_.version_fact.size()) {
      std::size_t end = options_.version_fact.find('.', start);
      if (end == std::string::npos) end = options_.version_fact.size();
      const std::string key = options_.version_fact.substr(start, end - start);
      if (!deepest->is_object()) break;
      if (!deepest->contains(key)) {
        std::vector<std::string> keys;
        for (const auto& item : deepest->items()) keys.push_back(item.key());
        const std::string suggestion = input::did_you_mean(key, keys);
        if (!suggestion.empty()) {
          hint =
              "did you mean " + quote(path + suggestion + options_.version_fact.substr(end)) + "?";
        }
        break;
      }
      deepest = &deepest->at(key);
      pointer = child_pointer(pointer, key);
      path += key + ".";
      start = end + 1;
    }
    const TextPoint at = positions.find(pointer).start;
    throw InputError(InputProblem{.file = file.file,
                                  .pointer = pointer,
                                  .expected = "a fact " + quote(options_.version_fact) +
                                              " holding the version host " + quote(host) + " runs",
                                  .found = found != nullptr ? input::describe_json(*found) : "none",
                                  .hint = hint,
                                  .line = at.line,
                                  .column = at.column});
  }

  void read_host(const std::string& host, const std::string& first_group,
                 const nlohmann::json& vars, const std::string& vars_at) {
    Manifest& manifest = out_.manifest;
    std::string group_name = first_group;
    if (vars.contains("deploysim_service") && vars["deploysim_service"].is_string()) {
      group_name = vars["deploysim_service"].get<std::string>();
    }
    if (!vars.contains(options_.version_var) ||
        !(vars[options_.version_var].is_string() || vars[options_.version_var].is_number())) {
      throw InputError(InputProblem{.file = input_.file,
                                    .pointer = vars_at,
                                    .expected = "a host variable " + quote(options_.version_var) +
                                                " holding the version host " + quote(host) +
                                                " should run",
                                    .found = vars.contains(options_.version_var)
                                                 ? input::describe_json(vars[options_.version_var])
                                                 : "none",
                                    .hint = version_var_hint(vars),
                                    .line = positions_.find(vars_at).start.line,
                                    .column = positions_.find(vars_at).start.column});
    }
    const std::string version = version_text(vars[options_.version_var]);
    const std::string version_at = child_pointer(vars_at, options_.version_var);
    const std::size_t g = group(group_name, version, version_at);
    ManifestHost declared;
    declared.name = host;
    declared.group = g;
    declared.version = version;
    declared.pointer = child_pointer("/hosts", host);
    sources_->add(declared.pointer, spot(vars_at));
    sources_->add(child_pointer(declared.pointer, "version"), spot(version_at));
    manifest.groups[g].hosts.push_back(manifest.hosts.size());
    manifest.hosts.push_back(std::move(declared));
    add_versions(manifest.groups[g].service, version, vars, vars_at);
    read_flags(host, g, vars, vars_at);
  }

  std::string version_var_hint(const nlohmann::json& vars) const {
    std::vector<std::string> names;
    if (vars.is_object()) {
      for (const auto& item : vars.items()) names.push_back(item.key());
    }
    const std::string suggestion = input::did_you_mean(options_.version_var, names);
    return suggestion.empty() ? "name the variable with --version-var"
                              : "did you mean " + quote(suggestion) + "? (--version-var)";
  }

  std::size_t group(const std::string& name, const std::string& version,
                    const std::string& version_at) {
    Manifest& manifest = out_.manifest;
    if (const auto found = manifest.find_group(name)) return *found;
    ManifestGroup group;
    group.name = name;
    group.service = name;
    group.version = version;
    group.pointer = child_pointer("/groups", name);
    sources_->add(child_pointer(group.pointer, "version"), spot(version_at));
    ManifestService service;
    service.name = name;
    service.pointer = child_pointer("/services", name);
    sources_->add(service.pointer, spot(version_at));
    manifest.services.push_back(std::move(service));
    manifest.groups.push_back(std::move(group));
    return manifest.groups.size() - 1;
  }

  void add_version(ManifestService& service, const std::string& name,
                   const std::map<std::string, std::string>& flags, const std::string& at) {
    for (auto& version : service.versions) {
      if (version.name != name) continue;
      version.flags.insert(flags.begin(), flags.end());
      return;
    }
    ManifestVersion version{name, flags,
                            child_pointer(child_pointer(service.pointer, "versions"), name)};
    sources_->add(version.pointer, spot(at));
    service.versions.push_back(std::move(version));
  }

  // The host's version, and what `deploysim_versions` says each version does with flags.
  void add_versions(const std::string& service_name, const std::string& version,
                    const nlohmann::json& vars, const std::string& vars_at) {
    auto& services = out_.manifest.services;
    auto service = std::find_if(services.begin(), services.end(),
                                [&](const ManifestService& s) { return s.name == service_name; });
    const auto versions = vars.find("deploysim_versions");
    if (versions != vars.end()) {
      const std::string at = child_pointer(vars_at, "deploysim_versions");
      ObjectReader reader(*versions, input_.file, at);
      for (auto& [name, flags] : reader.members()) {
        std::map<std::string, std::string> meanings;
        for (auto& [flag, behaviour] : flags.as_object().members()) {
          meanings.emplace(flag, behaviour.as_string());
        }
        add_version(*service, name, meanings, at);
      }
    }
    add_version(*service, version, {}, child_pointer(vars_at, options_.version_var));
  }

  void read_flags(const std::string& host, std::size_t g, const nlohmann::json& vars,
                  const std::string& vars_at) {
    for (const std::string& flag : options_.flag_vars) {
      const auto value = vars.find(flag);
      if (value == vars.end()) continue;
      const bool on = truthy(*value);
      declared_flags_[host][flag] = on;
      auto& seen = flags_[flag];
      seen.on = seen.on || on;
      seen.groups.insert(out_.manifest.groups[g].name);
      if (seen.pointer.empty()) seen.pointer = child_pointer(vars_at, flag);
      const auto meanings = vars.find("deploysim_flag_meanings");
      if (meanings != vars.end() && meanings->is_object() && meanings->contains(flag) &&
          meanings->at(flag).is_string()) {
        seen.meaning = meanings->at(flag).get<std::string>();
      }
    }
  }

  // A flag variable that no host sets checks nothing: most likely a misspelt --flag-var.
  void require_flag_vars() const {
    for (const std::string& flag : options_.flag_vars) {
      if (flags_.count(flag) != 0) continue;
      std::set<std::string> names;
      const auto meta = document_.find("_meta");
      if (meta != document_.end() && meta->is_object() && meta->contains("hostvars")) {
        for (const auto& host : meta->at("hostvars")) {
          if (!host.is_object()) continue;
          for (const auto& item : host.items()) names.insert(item.key());
        }
      }
      const std::string suggestion =
          input::did_you_mean(flag, std::vector<std::string>(names.begin(), names.end()));
      throw InputError(InputProblem{
          .file = input_.file,
          .pointer = "/_meta/hostvars",
          .expected = "a host variable " + quote(flag) +
                      " (a flag named by --flag-var or ansible.flag_vars) set for some host",
          .found = "none",
          .hint = suggestion.empty() ? "name the flag variables with --flag-var"
                                     : "did you mean " + quote(suggestion) + "?"});
    }
  }

  void add_flags() {
    require_flag_vars();
    for (const auto& [name, seen] : flags_) {
      ManifestFlag flag;
      flag.name = name;
      flag.on = seen.on;
      flag.scope.assign(seen.groups.begin(), seen.groups.end());
      flag.meaning = seen.meaning;
      flag.pointer = child_pointer("/flags", name);
      sources_->add(flag.pointer, spot(seen.pointer));
      out_.manifest.flags.push_back(std::move(flag));
    }
  }

  struct FlagSeen {
    bool on = false;
    std::set<std::string> groups;
    std::string meaning;
    std::string pointer;  // where it is first set
  };

  const NamedText& input_;
  const AnsibleOptions& options_;
  AnsibleInput& out_;
  nlohmann::json document_;
  PositionIndex positions_;
  std::shared_ptr<SourceMap> sources_;
  std::map<std::string, std::string> group_of_;
  std::map<std::string, FlagSeen> flags_;
  std::map<std::string, std::map<std::string, bool>> declared_flags_;
};

}  // namespace

AnsibleInput read_ansible(const NamedText& inventory, const std::vector<NamedText>& facts,
                          const AnsibleOptions& options) {
  AnsibleInput out;
  require_json_inventory(inventory);
  AnsibleReader reader(inventory, options, out);
  try {
    reader.read_hosts();
  } catch (const InputError& error) {
    throw located_in(error, inventory);
  }
  if (!facts.empty()) reader.read_facts(facts);
  reader.finish();
  return out;
}

std::vector<NamedText> read_fact_cache(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    throw InputError(InputProblem{.file = directory,
                                  .expected = "a fact cache directory (fact_caching = jsonfile)",
                                  .found = error ? error.message() : "not a directory"});
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<NamedText> texts;
  for (const auto& file : files) texts.push_back({file, input::read_text_file(file)});
  return texts;
}

}  // namespace deploysim::check
