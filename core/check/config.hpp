#pragma once
// The checker's configuration file, `.deploysim-check.json`: the settings a repository wants on
// every run (rules switched off or made stricter, the failing severity, policy limits), so that
// the command line in each CI job stays short and they all agree. Format: docs/checker-config.md
// and core/check/check-config.schema.json.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/manifest.hpp"
#include "check/rules.hpp"
#include "engine/time.hpp"

namespace deploysim::check {

/// The name the checker looks for.
inline constexpr std::string_view kCheckConfigName = ".deploysim-check.json";

/// What a configuration file sets; a setting the file leaves out is unset, so that the command
/// line, the manifest and the built-in defaults decide it.
struct CheckConfig {
  std::string file;  ///< as found or named, for messages
  std::optional<Severity> fail_on;
  std::optional<bool> exit_zero;
  /// The baseline file, relative paths taken from the configuration file's directory.
  std::optional<std::string> baseline;
  /// Rule ID -> whether it runs.
  std::map<std::string, bool> enabled;
  /// Rule ID -> its severity.
  std::map<std::string, Severity> severity;
  std::optional<double> canary_max_percent;
  std::optional<engine::Duration> max_convergence_age;
  std::optional<engine::Duration> mixed_version_window;
  /// Kubernetes input: the pod label holding the version (`kubernetes.version_label`).
  std::optional<std::string> version_label;
  /// Ansible input: the host variable with the declared version, the fact with the running one,
  /// and the host variables that are flags (`ansible.version_var`, `.version_fact`,
  /// `.flag_vars`).
  std::optional<std::string> ansible_version_var;
  std::optional<std::string> ansible_version_fact;
  std::optional<std::vector<std::string>> ansible_flag_vars;

  /// `policy` with the limits this file sets replacing its values.
  Policy apply_to(Policy policy) const;
};

/// The configuration file for a run started in `start`: `.deploysim-check.json` in `start` or
/// the nearest directory above it, searching no higher than the repository root (the first
/// directory holding `.git`, a directory or a worktree's file) or else the filesystem root.
/// The path is relative to `start` ("../.deploysim-check.json") when `start` is relative to the
/// current directory; nothing when there is none.
std::optional<std::filesystem::path> find_check_config(const std::filesystem::path& start);

/// Reads a configuration from `text`. Throws input::InputError naming `file`, with the line
/// and column and the JSON pointer of each problem: malformed JSON, unknown keys (with "did you
/// mean"), wrong types, unknown rule IDs or names, a rule configured twice.
CheckConfig parse_check_config(std::string_view text, const std::string& file);

}  // namespace deploysim::check
