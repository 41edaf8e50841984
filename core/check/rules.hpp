#pragma once
// The checker's rules and what they find. Each rule has a stable ID (never reused or
// renumbered: SARIF fingerprints and suppressions depend on it), a kebab-case name accepted
// wherever the ID is, a default severity, and a page in docs/rules/<ID>-<name>.md.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/manifest.hpp"

namespace deploysim::check {

/// How bad a finding is; ordered, so that `--fail-on warning` means warning or worse.
enum class Severity { note, warning, error };

/// "note", "warning" or "error".
std::string_view severity_name(Severity severity);
/// The severity named `name`, or nothing.
std::optional<Severity> parse_severity(std::string_view name);

/// A rule as documented: what it checks and how to fix what it finds.
struct RuleInfo {
  std::string_view id;           ///< "DS001"
  std::string_view name;         ///< "version-mismatch"
  Severity severity;             ///< default severity
  std::string_view summary;      ///< one line, shown in SARIF shortDescription
  std::string_view description;  ///< why it matters, in a few sentences
  std::string_view fix;          ///< how to fix a finding
  std::string_view tag;          ///< category: rollout, flags, skew, drift, coverage, inventory
};

/// Every rule, in ID order.
const std::vector<RuleInfo>& rule_catalogue();
/// The rule with this ID or name, or nullptr.
const RuleInfo* find_rule(std::string_view id_or_name);
/// Why `rule` has nothing to read in input of `kind` (such rules do not run), or "" if it runs.
std::string_view not_applicable(const RuleInfo& rule, InputKind kind);
/// "manifest", "scenario", "kubernetes" or "ansible".
std::string_view input_kind_name(InputKind kind);
/// The documentation page of a rule, relative to the repository: "docs/rules/DS001-....md".
std::string rule_doc_path(const RuleInfo& rule);

/// Which input a location is in.
enum class Document { manifest, inventory };

/// A place in an input: file, JSON pointer, resolved line and column, and a logical name.
struct Location {
  Document document = Document::manifest;
  std::string file;
  std::string pointer;
  TextRange range;
  /// The entity by name, e.g. "groups/smars/smars-8".
  std::string logical;
  /// What this place is, for related locations ("declared version").
  std::string message;
};

/// One inconsistency.
struct Finding {
  const RuleInfo* rule = nullptr;
  Severity severity = Severity::error;
  std::string message;
  Location location;
  /// The other side of the inconsistency (declaration, first occurrence, ...).
  std::vector<Location> related;
  /// A stable key of what the finding is about ("host/smars-8"): with the rule ID it is the
  /// finding's fingerprint, which does not change when lines move.
  std::string entity;
  /// Set when the finding is accepted: the reason given.
  std::optional<std::string> suppression;
  /// "inSource" (x-deploysim-ignore) or "external" (a baseline file).
  std::string suppression_kind;

  /// "DS001|host/smars-8".
  std::string fingerprint() const;
};

/// Per-run settings: rules switched off and severities changed (by rule ID).
struct CheckOptions {
  std::map<std::string, bool> enabled;
  std::map<std::string, Severity> severity;
  /// Fingerprints accepted by a baseline file, with their reasons.
  std::map<std::string, std::string> baseline;
};

/// What a check found, sorted by file, line, column, rule.
struct CheckResult {
  std::vector<Finding> findings;
  /// The rules that ran (enabled ones), in ID order.
  std::vector<const RuleInfo*> rules;
  /// Inputs checked: the manifest, and the inventory if given.
  std::vector<std::string> files;
  std::size_t hosts_checked = 0;
};

/// Runs every enabled rule. Throws input::InputError for suppressions naming unknown rules.
CheckResult run_check(const Manifest& manifest, const Inventory* inventory,
                      const CheckOptions& options = {});

}  // namespace deploysim::check
