#include "check_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "check/ansible.hpp"
#include "check/config.hpp"
#include "check/kubernetes.hpp"
#include "check/manifest.hpp"
#include "check/report.hpp"
#include "check/rules.hpp"
#include "exit_codes.hpp"
#include "input/file.hpp"
#include "input/json_reader.hpp"
#include "input/utf8.hpp"
#include "io/output_file.hpp"
#include "output.hpp"

namespace deploysim::cli {
namespace {

// One requested report: a format and where it goes ("" for standard output).
struct Output {
  check::Format format = check::Format::text;
  std::string file;
};

struct CheckOptions {
  std::string manifest;
  std::string observed;
  std::vector<std::string> kubernetes;
  std::string version_label;
  std::string kustomize_dir;
  std::string ansible;
  std::string facts;
  // Empty: from the configuration file, else the defaults of check::AnsibleOptions.
  std::string version_var;
  std::string version_fact;
  std::vector<std::string> flag_vars;
  bool list_rules = false;
  std::vector<Output> outputs;
  std::string fail_on;  // empty: from the configuration file, else "error"
  bool exit_zero = false;
  std::vector<std::string> disable;
  std::vector<std::string> enable;
  std::vector<std::string> severity;
  std::string baseline;
  std::string write_baseline;
  std::string config;
  bool no_config = false;
  std::string canary_max_percent;
  std::string max_convergence_age;
  std::string mixed_version_window;
  // A usage problem found while options were parsed in order (e.g. --output before --format).
  std::string usage_error;
};

int usage(const std::string& message) {
  std::cerr << "deploysim check: " << message << "\nRun 'deploysim check --help' for usage.\n";
  return kExitUsage;
}

std::string rule_hint(const std::string& key) {
  std::vector<std::string> keys;
  for (const auto& rule : check::rule_catalogue()) {
    keys.emplace_back(rule.id);
    keys.emplace_back(rule.name);
  }
  const std::string suggestion = input::did_you_mean(key, keys);
  return suggestion.empty() ? "" : "; did you mean \"" + suggestion + "\"?";
}

// Reads a baseline: {"baseline_version": 1, "accepted": [{"fingerprint": ..., "reason": ...}]}.
std::map<std::string, std::string> read_baseline(const std::string& file) {
  const std::string text = input::read_text_file(file);
  const nlohmann::json document = input::parse_json_text(text, file);
  input::ObjectReader root(document, file, "");
  const auto version = root.value("baseline_version");
  if (version.as_integer() != 1) version.fail("1");
  std::map<std::string, std::string> accepted;
  for (const auto& entry : root.array("accepted")) {
    auto object = entry.as_object();
    const std::string fingerprint = object.string("fingerprint");
    const auto reason = object.value("reason");
    const std::string text_reason = reason.as_string();
    if (text_reason.find_first_not_of(" \t") == std::string::npos) {
      reason.fail("a reason why the finding is accepted", "a suppression needs a reason");
    }
    object.string("message", "");
    object.finish();
    accepted.emplace(fingerprint, text_reason);
  }
  root.finish();
  return accepted;
}

void write_baseline_file(const std::string& file, const check::CheckResult& result) {
  nlohmann::json accepted = nlohmann::json::array();
  for (const auto& finding : result.findings) {
    if (finding.suppression && finding.suppression_kind == "inSource") continue;
    accepted.push_back({{"fingerprint", finding.fingerprint()},
                        {"reason", finding.suppression.value_or(
                                       "accepted when the baseline was written; say why")},
                        {"message", finding.message}});
  }
  const nlohmann::json baseline{{"baseline_version", 1}, {"accepted", accepted}};
  io::write_output_file(file,
                        [&](std::ostream& out) { out << input::dump_json(baseline, 2) << '\n'; });
}

// A policy limit given on the command line, read as the manifest's "policy" reads it; the
// option's name stands in for the file in messages.
template <class Read>
void read_policy_flag(const std::string& text, const std::string& option, Read read) {
  if (text.empty()) return;
  // A number stays a number ("5"), anything else is a string ("12h").
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_number()) value = text;
  read(input::ValueReader(value, option, ""));
}

// The configuration file of this run: --config, else the one found upward from the current
// directory, unless --no-config.
std::optional<check::CheckConfig> load_config(const CheckOptions& options) {
  if (options.no_config) return std::nullopt;
  std::string file = options.config;
  if (file.empty()) {
    const auto found = check::find_check_config(".");
    if (!found) return std::nullopt;
    file = found->string();
  }
  return check::parse_check_config(input::read_text_file(file), file);
}

// Every rule with its default severity, and the inputs it has nothing to read in.
int list_rules() {
  for (const auto& rule : check::rule_catalogue()) {
    std::cout << rule.id << "  " << rule.name << " (" << check::severity_name(rule.severity)
              << "): " << rule.summary << '\n';
    for (const auto kind : {check::InputKind::manifest, check::InputKind::scenario,
                            check::InputKind::kubernetes, check::InputKind::ansible}) {
      const auto reason = check::not_applicable(rule, kind);
      if (reason.empty()) continue;
      std::cout << "       off for " << check::input_kind_name(kind) << " input: " << reason
                << '\n';
    }
  }
  std::cout << "Pages: docs/rules/<ID>-<name>.md\n";
  return kExitOk;
}

// Where versions and flags are read in Ansible input: the command line over the configuration
// file over the defaults.
check::AnsibleOptions ansible_options(const CheckOptions& options,
                                      const std::optional<check::CheckConfig>& config) {
  check::AnsibleOptions out;
  if (config && config->ansible_version_var) out.version_var = *config->ansible_version_var;
  if (config && config->ansible_version_fact) out.version_fact = *config->ansible_version_fact;
  if (config && config->ansible_flag_vars) out.flag_vars = *config->ansible_flag_vars;
  if (!options.version_var.empty()) out.version_var = options.version_var;
  if (!options.version_fact.empty()) out.version_fact = options.version_fact;
  if (!options.flag_vars.empty()) out.flag_vars = options.flag_vars;
  return out;
}

// The fleet description of this run: a manifest (or scenario), Kubernetes objects or an
// Ansible inventory.
check::Manifest read_fleet(const CheckOptions& options,
                           const std::optional<check::CheckConfig>& config,
                           const check::Policy& policy_defaults,
                           std::optional<check::Inventory>& inventory) {
  if (!options.ansible.empty()) {
    std::vector<check::NamedText> facts;
    if (!options.facts.empty()) facts = check::read_fact_cache(options.facts);
    auto input = check::read_ansible({options.ansible, input::read_text_file(options.ansible)},
                                     facts, ansible_options(options, config));
    input.manifest.policy = policy_defaults;
    inventory = std::move(input.inventory);
    return std::move(input.manifest);
  }
  if (options.kubernetes.empty()) {
    check::Manifest manifest = check::parse_manifest(input::read_text_file(options.manifest),
                                                     options.manifest, policy_defaults);
    if (!options.observed.empty()) {
      inventory = check::parse_inventory(input::read_text_file(options.observed), options.observed);
    }
    return manifest;
  }
  std::vector<check::NamedText> texts;
  for (const auto& path : options.kubernetes) {
    for (const auto& file : check::kubernetes_files(path)) {
      texts.push_back({file, input::read_text_file(file)});
    }
  }
  std::optional<check::NamedText> observed;
  if (!options.observed.empty()) {
    observed = check::NamedText{options.observed, input::read_text_file(options.observed)};
  }
  check::KubernetesOptions settings;
  if (config && config->version_label) settings.version_label = *config->version_label;
  if (!options.version_label.empty()) settings.version_label = options.version_label;
  settings.kustomize_dir = options.kustomize_dir;
  auto input = check::read_kubernetes(texts, observed ? &*observed : nullptr, settings);
  input.manifest.policy = policy_defaults;
  for (const auto& [kind, count] : input.skipped) {
    std::cerr << "note: skipped " << count << " object(s) of kind " << kind << '\n';
  }
  const auto& origins = input.origins;
  if (origins.annotated > origins.located) {
    std::cerr << "note: " << origins.annotated - origins.located
              << " object(s) name the file kustomize built them from (config.kubernetes.io/origin)"
              << (options.kustomize_dir.empty()
                      ? "; give --kustomize-dir DIR, the directory given to kustomize build, to "
                        "locate their findings in those files\n"
                      : ", but it was not found under " + options.kustomize_dir +
                            " or did not hold the object; their findings point at the build "
                            "output\n");
  }
  inventory = std::move(input.inventory);
  return std::move(input.manifest);
}

// The file a report is about: the manifest, the first Kubernetes path or the inventory.
const std::string& checked_file(const CheckOptions& options) {
  if (!options.kubernetes.empty()) return options.kubernetes.front();
  return options.ansible.empty() ? options.manifest : options.ansible;
}

// Every report but text (whose lines went to standard error) carries the errors, so that a CI
// system reading only the SARIF, JUnit or annotations still sees why nothing was checked.
void write_error_reports(const CheckOptions& options, const check::ReportContext& context) {
  check::CheckResult empty;
  empty.files.push_back(checked_file(options));
  for (const auto& output : options.outputs) {
    if (output.format == check::Format::text) continue;
    if (output.file.empty()) {
      check::write_report(std::cout, output.format, empty, context);
      continue;
    }
    write_file(output.file,
               [&](std::ostream& out) { check::write_report(out, output.format, empty, context); });
  }
}

// A usage error once the formats are understood: the message, and each requested report
// carrying it as an input error about the checked file, as for a bad file.
int usage_with_reports(const CheckOptions& options, const std::string& message) {
  usage(message);
  check::ReportContext context;
  context.exit_code = kExitUsage;
  context.input_problems.push_back(
      input::InputProblem{.file = checked_file(options), .detail = "command line: " + message});
  write_error_reports(options, context);
  return kExitUsage;
}

int run_check_command(CheckOptions& options) {
  if (!options.usage_error.empty()) return usage(options.usage_error);
  if (options.list_rules) return list_rules();
  const int inputs = (options.manifest.empty() ? 0 : 1) + (options.kubernetes.empty() ? 0 : 1) +
                     (options.ansible.empty() ? 0 : 1);
  if (inputs != 1) {
    return usage(inputs == 0 ? "name a manifest, Kubernetes objects (--kubernetes) or an Ansible "
                               "inventory (--ansible)"
                             : "a manifest, --kubernetes and --ansible exclude each other");
  }
  if (!options.facts.empty() && options.ansible.empty()) {
    return usage_with_reports(options, "--facts goes with --ansible; other inputs take --observed");
  }
  const auto stdin_uses = std::count(options.kubernetes.begin(), options.kubernetes.end(), "-");
  if (stdin_uses > 1 || (stdin_uses == 1 && options.observed == "-")) {
    return usage_with_reports(options, "standard input (-) can be read once");
  }
  if (!options.fail_on.empty() && !check::parse_severity(options.fail_on)) {
    return usage_with_reports(
        options, "--fail-on must be note, warning or error, not \"" + options.fail_on + "\"");
  }
  if (options.no_config && !options.config.empty()) {
    return usage_with_reports(options, "--config and --no-config exclude each other");
  }
  // Rule settings from the command line, applied over the configuration file's.
  check::CheckOptions settings;
  for (const auto& key : options.disable) {
    const auto* rule = check::find_rule(key);
    if (rule == nullptr)
      return usage_with_reports(options, "unknown rule \"" + key + "\"" + rule_hint(key));
    settings.enabled[std::string(rule->id)] = false;
  }
  for (const auto& key : options.enable) {
    const auto* rule = check::find_rule(key);
    if (rule == nullptr)
      return usage_with_reports(options, "unknown rule \"" + key + "\"" + rule_hint(key));
    const auto [it, fresh] = settings.enabled.try_emplace(std::string(rule->id), true);
    if (!fresh && !it->second) {
      return usage_with_reports(options,
                                "rule " + std::string(rule->id) + " is both enabled and disabled");
    }
  }
  for (const auto& assignment : options.severity) {
    const auto equals = assignment.find('=');
    const std::string key = assignment.substr(0, equals);
    const auto* rule = check::find_rule(key);
    if (equals == std::string::npos || rule == nullptr) {
      return usage_with_reports(options, "--severity takes RULE=LEVEL such as DS014=error, not \"" +
                                             assignment + "\"" +
                                             (equals == std::string::npos ? "" : rule_hint(key)));
    }
    const auto level = check::parse_severity(assignment.substr(equals + 1));
    if (!level)
      return usage_with_reports(
          options, "--severity level must be note, warning or error: \"" + assignment + "\"");
    settings.severity[std::string(rule->id)] = *level;
  }
  std::optional<double> canary_max_percent;
  std::optional<engine::Duration> max_convergence_age;
  std::optional<engine::Duration> mixed_version_window;
  try {
    read_policy_flag(options.canary_max_percent, "--canary-max-percent",
                     [&](const input::ValueReader& v) { canary_max_percent = v.as_percent(); });
    read_policy_flag(
        options.max_convergence_age, "--max-convergence-age",
        [&](const input::ValueReader& v) { max_convergence_age = v.as_positive_duration(); });
    read_policy_flag(options.mixed_version_window, "--mixed-version-window",
                     [&](const input::ValueReader& v) { mixed_version_window = v.as_duration(); });
  } catch (const input::InputError& error) {
    return usage_with_reports(options, error.problems().front().message());
  }
  if (options.observed == "-" && options.manifest == "-") {
    return usage_with_reports(
        options, "the manifest and the inventory cannot both come from standard input");
  }
  if (options.outputs.empty()) {
    const char* actions = std::getenv("GITHUB_ACTIONS");
    const bool github = actions != nullptr && std::string(actions) == "true";
    options.outputs.push_back({github ? check::Format::github : check::Format::text, ""});
  }

  check::ReportContext context;
  std::optional<check::CheckResult> result;
  check::Severity fail_on = check::Severity::error;
  try {
    // Precedence, lowest first: built-in defaults, the configuration file, the manifest's own
    // "policy" (for the limits), the command line.
    const auto config = load_config(options);
    check::Policy policy_defaults;
    if (config) {
      for (const auto& [id, enabled] : config->enabled) settings.enabled.try_emplace(id, enabled);
      for (const auto& [id, level] : config->severity) settings.severity.try_emplace(id, level);
      if (config->fail_on) fail_on = *config->fail_on;
      if (config->exit_zero) options.exit_zero = options.exit_zero || *config->exit_zero;
      if (options.baseline.empty() && config->baseline) options.baseline = *config->baseline;
      policy_defaults = config->apply_to(policy_defaults);
    }
    if (!options.fail_on.empty()) fail_on = *check::parse_severity(options.fail_on);
    if (!options.baseline.empty()) settings.baseline = read_baseline(options.baseline);
    std::optional<check::Inventory> inventory;
    check::Manifest manifest = read_fleet(options, config, policy_defaults, inventory);
    if (canary_max_percent) manifest.policy.canary_max_percent = *canary_max_percent;
    if (max_convergence_age) manifest.policy.max_convergence_age = *max_convergence_age;
    if (mixed_version_window) manifest.policy.mixed_version_window = *mixed_version_window;
    if (manifest.hosts.empty() && manifest.workloads.empty()) {
      throw input::InputError(input::InputProblem{
          .file = options.manifest, .detail = "nothing to check: the manifest declares no hosts"});
    }
    result = check::run_check(manifest, inventory ? &*inventory : nullptr, settings);
  } catch (const input::InputError& error) {
    context.input_problems = error.problems();
    context.exit_code = kExitUsage;
  }
  if (!result) {
    for (const auto& problem : context.input_problems) {
      std::cerr << "error: " << problem.message() << '\n';
    }
    write_error_reports(options, context);
    return kExitUsage;
  }

  bool failing = false;
  for (const auto& finding : result->findings) {
    if (!finding.suppression && finding.severity >= fail_on) failing = true;
  }
  context.exit_code = failing && !options.exit_zero ? kExitFindings : kExitOk;
  for (const auto& output : options.outputs) {
    if (output.file.empty()) {
      context.colour = output.format == check::Format::text && ::isatty(STDOUT_FILENO) != 0 &&
                       std::getenv("NO_COLOR") == nullptr;
      check::write_report(std::cout, output.format, *result, context);
      continue;
    }
    context.colour = false;
    const auto failed = write_file(output.file, [&](std::ostream& out) {
      check::write_report(out, output.format, *result, context);
    });
    if (failed) return *failed;
  }
  if (!options.write_baseline.empty()) {
    try {
      write_baseline_file(options.write_baseline, *result);
    } catch (const io::OutputError& error) {
      return input_error(error.what());
    }
    std::cerr << "wrote " << options.write_baseline << ": findings in it are accepted when "
              << "passed with --baseline; give each a reason\n";
    return kExitOk;
  }
  return context.exit_code;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* check = app.add_subcommand(
      "check", "Check a deployment manifest (and the observed inventory) for inconsistencies");
  check->footer(
      "\nRules DS001-DS021 are documented in docs/rules/; the formats in docs/manifest-format.md;\n"
      "the configuration file (.deploysim-check.json) in docs/checker-config.md. Command-line\n"
      "options override the configuration file.\n"
      "Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, input or I/O error,\n"
      "or nothing to check.\n"
      "\nExamples:\n"
      "  deploysim check examples/knight_capital/manifest.json \\\n"
      "      --observed examples/knight_capital/inventory.json\n"
      "  deploysim check manifest.json --observed - --format sarif --output results.sarif "
      "--format text\n"
      "  helm template chart/ | deploysim check --kubernetes - --observed live.json\n"
      "      (live.json: kubectl get pods,replicasets,deployments,configmaps -o json;\n"
      "       see docs/checker-kubernetes.md)\n"
      "  deploysim check --ansible inventory.json --facts facts/ --version-var app_version \\\n"
      "      --flag-var power_peg      (inventory.json: ansible-inventory --list)\n"
      "  deploysim check --list-rules\n");
  check->add_option("manifest", options->manifest,
                    "Manifest (JSON), or a deploysim scenario; - for standard input");
  check->add_option("--kubernetes", options->kubernetes,
                    "Kubernetes objects instead of a manifest: YAML or JSON files, directories "
                    "of them, or - for standard input (helm template, kustomize build); "
                    "repeatable");
  check->add_option("--observed", options->observed,
                    "Observed inventory (JSON), or with --kubernetes the live List from kubectl "
                    "get ... -o json (or -o yaml); - for standard input");
  check
      ->add_option("--kustomize-dir", options->kustomize_dir,
                   "With --kubernetes: the directory given to kustomize build, so that findings "
                   "on objects with config.kubernetes.io/origin annotations (buildMetadata: "
                   "[originAnnotations]) point at their resource files")
      ->check(CLI::ExistingDirectory);
  check->add_option("--version-label", options->version_label,
                    "With --kubernetes: the pod label whose value is the version (default: the "
                    "image tag or digest)");
  check->add_option("--ansible", options->ansible,
                    "An Ansible inventory instead of a manifest: the JSON of ansible-inventory "
                    "--list (- for standard input)");
  check->add_option("--facts", options->facts,
                    "With --ansible: the JSON fact cache directory (one file per host), read as "
                    "the observed state");
  check->add_option("--version-var", options->version_var,
                    "With --ansible: the host variable holding the version a host should run "
                    "(default: ansible.version_var of the configuration file, else app_version)");
  check->add_option("--version-fact", options->version_fact,
                    "With --ansible: the fact holding the version a host runs, as a dotted path "
                    "(default: ansible.version_fact, else ansible_local.deploysim.version)");
  check->add_option("--flag-var", options->flag_vars,
                    "With --ansible: a host variable that is a feature flag (repeatable; "
                    "default: ansible.flag_vars of the configuration file)");
  check->add_flag("--list-rules", options->list_rules,
                  "List the rules, their severities and the inputs each has nothing to read in");
  check
      ->add_option_function<std::string>(
          "--format",
          [options](const std::string& name) {
            const auto format = check::parse_format(name);
            if (!format) {
              options->usage_error = "unknown format \"" + name + "\"; expected one of " +
                                     input::quote_list(check::format_names());
              return;
            }
            options->outputs.push_back({*format, ""});
          },
          "Output format: text, json, sarif, junit or github (repeatable; default text, or "
          "github when GITHUB_ACTIONS=true)")
      ->trigger_on_parse()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  check
      ->add_option_function<std::string>(
          "--output",
          [options](const std::string& file) {
            if (options->outputs.empty()) {
              options->usage_error = "--output " + file + " must follow a --format";
            } else if (!options->outputs.back().file.empty()) {
              options->usage_error = "two --output for one --format";
            } else {
              options->outputs.back().file = file;
            }
          },
          "File for the output of the preceding --format (default: standard output)")
      ->trigger_on_parse()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  check->add_option("--fail-on", options->fail_on,
                    "Lowest severity that fails the check: note, warning or error (default: "
                    "error, or the configuration file's fail_on)");
  check->add_flag("--exit-zero", options->exit_zero,
                  "Exit 0 even with findings (report-only adoption); input errors still exit 2");
  check->add_option("--disable", options->disable, "Rule ID or name to switch off (repeatable)");
  check->add_option("--enable", options->enable,
                    "Rule ID or name to switch on when the configuration file switches it off "
                    "(repeatable)");
  check->add_option("--severity", options->severity,
                    "RULE=LEVEL: change a rule's severity, e.g. DS014=error (repeatable)");
  check->add_option("--baseline", options->baseline,
                    "Baseline file: findings whose fingerprints it lists are reported as "
                    "suppressed");
  check->add_option("--write-baseline", options->write_baseline,
                    "Write every current finding to this baseline file and exit 0");
  check->add_option("--config", options->config,
                    "Configuration file (default: .deploysim-check.json in the current directory "
                    "or above it, up to the repository root)");
  check->add_flag("--no-config", options->no_config, "Ignore any configuration file");
  check->add_option("--canary-max-percent", options->canary_max_percent,
                    "Largest share of a service's hosts in a canary stage, 0-100 (DS010; "
                    "overrides the manifest's policy)");
  check->add_option("--max-convergence-age", options->max_convergence_age,
                    "Oldest allowed convergence, e.g. 12h (DS013; overrides the manifest's "
                    "policy)");
  check->add_option("--mixed-version-window", options->mixed_version_window,
                    "How long after rollout.started mixed versions are expected, e.g. 2h "
                    "(DS014; overrides the manifest's policy)");
  check->callback([options, &exit_code] { exit_code = run_check_command(*options); });
}

}  // namespace deploysim::cli
