#include "check/config.hpp"

#include <algorithm>
#include <system_error>
#include <utility>
#include <vector>

#include "check/position_index.hpp"
#include "input/json_reader.hpp"

namespace deploysim::check {
namespace {

namespace fs = std::filesystem;

using input::child_pointer;
using input::InputError;
using input::InputProblem;
using input::ObjectReader;
using input::ProblemCollector;
using input::quote;
using input::ValueReader;

const std::vector<std::string> kLevels = {"note", "warning", "error"};

class ConfigParser {
 public:
  ConfigParser(const nlohmann::json& document, const PositionIndex& positions, CheckConfig& config)
      : document_(document), positions_(positions), config_(config) {}

  void parse() {
    ProblemCollector problems;
    problems.check([&] {
      reject_unknown_keys(document_, "",
                          {"$schema", "config_version", "note", "fail_on", "exit_zero", "baseline",
                           "rules", "policy", "kubernetes", "ansible"});
    });
    ObjectReader root(document_, config_.file, "");
    problems.check([&] {
      const auto version = root.value("config_version");
      if (version.as_integer() != 1) version.fail("1 (the only configuration format so far)");
    });
    problems.check([&] { root.string("$schema", ""); });
    problems.check([&] { root.string("note", ""); });
    problems.check([&] {
      if (const auto level = root.optional("fail_on")) config_.fail_on = severity(*level);
    });
    problems.check([&] {
      if (const auto exit_zero = root.optional("exit_zero")) {
        config_.exit_zero = exit_zero->as_boolean();
      }
    });
    problems.check([&] {
      const auto baseline = root.optional("baseline");
      if (!baseline) return;
      const std::string path = baseline->as_string();
      if (path.empty()) baseline->fail("the path of a baseline file");
      config_.baseline = (fs::path(config_.file).parent_path() / path).lexically_normal().string();
    });
    problems.check([&] { parse_rules(root); });
    problems.check([&] { parse_policy(root); });
    problems.check([&] { parse_inputs(root); });
    problems.throw_if_any();
  }

 private:
  // Like ObjectReader::finish, but each unknown key gets the line of the key itself: in a
  // configuration file the pointer of the enclosing object is a poor way to find a typo.
  void reject_unknown_keys(const nlohmann::json& object, const std::string& pointer,
                           const std::vector<std::string>& allowed) const {
    if (!object.is_object()) return;  // the typed reader reports it
    std::vector<InputProblem> problems;
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const std::string suggestion = input::did_you_mean(key, allowed);
      problems.push_back(
          at(InputProblem{.file = config_.file,
                          .pointer = pointer,
                          .detail = "unknown key " + quote(key),
                          .hint = suggestion.empty() ? "allowed keys: " + input::quote_list(allowed)
                                                     : "did you mean " + quote(suggestion) + "?"},
             child_pointer(pointer, key)));
    }
    if (!problems.empty()) throw InputError(std::move(problems));
  }

  InputProblem at(InputProblem problem, const std::string& pointer) const {
    const TextRange range = positions_.find(pointer);
    problem.line = range.start.line;
    problem.column = range.start.column;
    return problem;
  }

  static Severity severity(const ValueReader& value) {
    return *parse_severity(value.as_enum(kLevels));
  }

  // "rules": {"DS014": "error", "unused-suppression": "off", "DS010": {"severity": "error"}}
  void parse_rules(ObjectReader& root) {
    const auto section = root.optional("rules");
    if (!section) return;
    std::vector<std::string> rule_keys;
    for (const auto& rule : rule_catalogue()) {
      rule_keys.emplace_back(rule.id);
      rule_keys.emplace_back(rule.name);
    }
    // Rule ID -> the key that configured it, to refuse a rule configured twice.
    std::map<std::string, std::string> configured_by;
    ProblemCollector problems;
    for (auto& [key, value] : section->as_object().members()) {
      problems.check([&, &key = key, &value = value] {
        const RuleInfo* rule = find_rule(key);
        if (rule == nullptr) {
          const std::string suggestion = input::did_you_mean(key, rule_keys);
          throw InputError(at(
              InputProblem{.file = config_.file,
                           .pointer = value.pointer(),
                           .detail = "unknown rule " + quote(key),
                           .hint = suggestion.empty() ? "rules are DS001-DS018 or their names "
                                                        "(see docs/rules/)"
                                                      : "did you mean " + quote(suggestion) + "?"},
              value.pointer()));
        }
        const std::string id(rule->id);
        const auto [previous, fresh] = configured_by.try_emplace(id, key);
        if (!fresh) {
          throw InputError(
              at(InputProblem{.file = config_.file,
                              .pointer = value.pointer(),
                              .detail = "rule " + id + " is configured twice (also as " +
                                        quote(previous->second) + ")",
                              .hint = "keep one entry"},
                 value.pointer()));
        }
        parse_rule(id, value);
      });
    }
    problems.throw_if_any();
  }

  void parse_rule(const std::string& id, const ValueReader& value) {
    if (value.json().is_string()) {
      const std::string setting = value.as_enum({"off", "on", "note", "warning", "error"});
      config_.enabled[id] = setting != "off";
      if (const auto level = parse_severity(setting)) config_.severity[id] = *level;
      return;
    }
    if (!value.json().is_object()) {
      value.fail(
          "\"off\", \"on\", \"note\", \"warning\", \"error\" or an object with "
          "\"enabled\" and \"severity\"");
    }
    reject_unknown_keys(value.json(), value.pointer(), {"enabled", "severity", "note"});
    auto object = value.as_object();
    if (const auto enabled = object.optional("enabled"))
      config_.enabled[id] = enabled->as_boolean();
    if (const auto level = object.optional("severity")) config_.severity[id] = severity(*level);
    object.string("note", "");
  }

  void parse_policy(ObjectReader& root) {
    const auto section = root.optional("policy");
    if (!section) return;
    reject_unknown_keys(section->json(), section->pointer(),
                        {"canary_max_percent", "max_convergence_age", "mixed_version_window"});
    auto object = section->as_object();
    ProblemCollector problems;
    problems.check([&] {
      if (const auto value = object.optional("canary_max_percent")) {
        config_.canary_max_percent = value->as_percent();
      }
    });
    problems.check([&] {
      if (const auto value = object.optional("max_convergence_age")) {
        config_.max_convergence_age = value->as_positive_duration();
      }
    });
    problems.check([&] {
      if (const auto value = object.optional("mixed_version_window")) {
        config_.mixed_version_window = value->as_duration();
      }
    });
    problems.throw_if_any();
  }

  // Where versions and flags are in Kubernetes and Ansible input (docs/checker-kubernetes.md,
  // docs/checker-ansible.md).
  void parse_inputs(ObjectReader& root) {
    auto name = [](const input::ValueReader& value) {
      std::string text = value.as_string();
      if (text.empty()) value.fail("a non-empty name");
      return text;
    };
    if (auto kubernetes = root.optional_child("kubernetes")) {
      if (const auto label = kubernetes->optional("version_label")) {
        config_.version_label = name(*label);
      }
      kubernetes->finish();
    }
    if (auto ansible = root.optional_child("ansible")) {
      if (const auto var = ansible->optional("version_var"))
        config_.ansible_version_var = name(*var);
      if (const auto fact = ansible->optional("version_fact")) {
        config_.ansible_version_fact = name(*fact);
      }
      if (ansible->has("flag_vars")) {
        std::vector<std::string> vars;
        for (const auto& entry : ansible->array("flag_vars")) vars.push_back(name(entry));
        config_.ansible_flag_vars = std::move(vars);
      }
      ansible->finish();
    }
  }

  const nlohmann::json& document_;
  const PositionIndex& positions_;
  CheckConfig& config_;
};

}  // namespace

Policy CheckConfig::apply_to(Policy policy) const {
  if (canary_max_percent) policy.canary_max_percent = *canary_max_percent;
  if (max_convergence_age) policy.max_convergence_age = *max_convergence_age;
  if (mixed_version_window) policy.mixed_version_window = *mixed_version_window;
  return policy;
}

std::optional<fs::path> find_check_config(const fs::path& start) {
  std::error_code ec;
  fs::path directory = fs::absolute(start, ec).lexically_normal();
  if (ec) return std::nullopt;
  // "/repo/." normalises to "/repo/", whose parent_path() would be "/repo" again.
  if (!directory.has_filename() && directory != directory.root_path()) {
    directory = directory.parent_path();
  }
  fs::path shown = start;
  while (true) {
    // Any entry counts, a dangling link or a link loop too: reading it then fails with the
    // reason, where fs::exists would skip it and quietly use the defaults.
    const auto entry = fs::symlink_status(directory / kCheckConfigName, ec);
    if (!ec && entry.type() != fs::file_type::not_found) {
      return (shown / kCheckConfigName).lexically_normal();
    }
    // The repository root is as far as a repository's settings reach: a file above it belongs
    // to something else (a home directory, another checkout).
    if (fs::exists(directory / ".git", ec)) return std::nullopt;
    const fs::path parent = directory.parent_path();
    if (parent == directory) return std::nullopt;
    directory = parent;
    shown /= "..";
  }
}

CheckConfig parse_check_config(std::string_view text, const std::string& file) {
  const nlohmann::json document = [&] {
    try {
      return input::parse_json_text(text, file);
    } catch (const InputError& error) {
      // Duplicate keys and too-deep nesting come with a pointer but no line: add it. The text is
      // not valid JSON for nlohmann, but the index still finds the values before the problem.
      const PositionIndex positions(text);
      std::vector<InputProblem> problems = error.problems();
      for (auto& problem : problems) {
        if (problem.line > 0 || problem.pointer.empty()) continue;
        const TextRange range = positions.find(problem.pointer);
        problem.line = range.start.line;
        problem.column = range.start.column;
      }
      throw InputError(std::move(problems));
    }
  }();
  const PositionIndex positions(text);
  CheckConfig config;
  config.file = file;
  try {
    ConfigParser(document, positions, config).parse();
  } catch (const InputError& error) {
    // Typed readers know the pointer; the line and column come from the text.
    std::vector<InputProblem> problems = error.problems();
    for (auto& problem : problems) {
      if (problem.line > 0) continue;
      const TextRange range = positions.find(problem.pointer);
      problem.line = range.start.line;
      problem.column = range.start.column;
    }
    throw InputError(std::move(problems));
  }
  return config;
}

}  // namespace deploysim::check
