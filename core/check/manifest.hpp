#pragma once
// The checker's inputs, typed: the manifest (what should run where) and the observed inventory
// (what runs). Formats are documented in docs/manifest-format.md and
// core/check/manifest.schema.json. Every entity keeps the JSON pointer it was read from, so that
// findings can point at it; pointers are resolved to lines through a PositionIndex.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/position_index.hpp"
#include "check/version_range.hpp"
#include "engine/time.hpp"

namespace deploysim::check {

/// Rule ID or name -> the reason a finding of that rule is accepted on this entity
/// (the `x-deploysim-ignore` field).
using Ignores = std::map<std::string, std::string>;

/// A dependency of a service, with the versions of it that the dependent works with.
struct ManifestDependency {
  std::string service;
  /// As written: version names of the dependency and ranges (">=1.4 <2.0"); empty: any version.
  std::vector<std::string> compatible;
  std::string pointer;  ///< of the dependency's entry
  /// The entries of `compatible` that are ranges (an exact version number is one too).
  std::vector<VersionRange> ranges;

  /// Whether the dependent works with the dependency's version `version`: named in
  /// `compatible`, or in one of its ranges.
  bool accepts(std::string_view version) const;
};

/// One version of a service and what it does with each flag it honours.
struct ManifestVersion {
  std::string name;
  /// flag -> behaviour this version runs when the flag is on; a flag not listed is not honoured.
  std::map<std::string, std::string> flags;
  std::string pointer;
};

struct ManifestService {
  std::string name;
  std::vector<ManifestVersion> versions;  ///< in release order
  std::vector<ManifestDependency> depends_on;
  std::string pointer;
  Ignores ignore;

  const ManifestVersion* find_version(std::string_view version) const;
};

/// What code a behaviour is. Retired behaviours are dead code that should be unreachable.
struct ManifestBehaviour {
  std::string name;
  bool retired = false;
  std::string pointer;
};

/// One host as declared: its group's service, version and configuration unless it overrides
/// them.
struct ManifestHost {
  std::string name;
  std::size_t group = 0;  ///< index into Manifest::groups
  std::string version;
  std::map<std::string, nlohmann::json> config;
  std::string pointer;  ///< of the host entry (or of the group's "hosts" when generated)
  Ignores ignore;
  /// What findings about the host are keyed by when its name is not stable (a Kubernetes pod's
  /// name changes when it is rescheduled): "namespace/workload@version"; empty: the name.
  std::string stable_id;
};

/// Hosts that run one service at one version with one configuration.
struct ManifestGroup {
  std::string name;
  std::string service;
  std::string version;
  std::map<std::string, nlohmann::json> config;
  /// Revision of `config`, compared with the revision a host reports as applied to tell drift
  /// from a pending change; empty when not tracked.
  std::string config_revision;
  std::vector<std::size_t> hosts;  ///< indices into Manifest::hosts
  std::string pointer;
  /// Whether the group is being rolled out now (a Kubernetes Deployment whose Progressing
  /// condition says so): mixed versions are the rollout itself.
  bool rolling_out = false;
};

struct ManifestFlag {
  std::string name;
  bool on = false;
  /// Group names; empty: every group.
  std::vector<std::string> scope;
  /// The behaviour the flag is meant to switch on; empty: any behaviour, as long as the version
  /// honours the flag.
  std::string meaning;
  std::string pointer;
  Ignores ignore;
};

struct RolloutStage {
  std::string name;
  std::vector<std::string> hosts;
  /// Pointer of each entry of `hosts`.
  std::vector<std::string> host_pointers;
  bool canary = false;
  std::string health_gate;  ///< empty: none
  std::string rollback;     ///< empty: none
  std::string pointer;
  Ignores ignore;
};

struct Rollout {
  std::string service;
  std::string to;
  std::optional<std::int64_t> started_ms;  ///< epoch milliseconds
  std::vector<RolloutStage> stages;
  std::string pointer;
};

/// Limits the rules check against.
struct Policy {
  double canary_max_percent = 10.0;
  engine::Duration max_convergence_age = engine::Duration::hours(24);
  engine::Duration mixed_version_window = engine::Duration::hours(24);
};

/// Where a value read from another format is written, for inputs whose pointers are made up
/// (a Kubernetes workload becomes "/groups/prod~1web").
struct SourceSpot {
  std::string file;
  TextRange range;
};

/// Made-up pointer -> where it is written; a pointer not listed is looked up by its nearest
/// listed ancestor.
class SourceMap {
 public:
  void add(std::string pointer, SourceSpot spot) {
    spots_.insert_or_assign(std::move(pointer), std::move(spot));
  }
  const SourceSpot* find(std::string pointer) const;

 private:
  std::map<std::string, SourceSpot, std::less<>> spots_;
};

/// Which format the fleet description came from; some rules have nothing to read in some.
enum class InputKind { manifest, scenario, kubernetes, ansible };

/// A Kubernetes workload as the rules about workloads (DS019-DS021) see it.
struct WorkloadFacts {
  struct Container {
    std::string name;
    std::string image;
    bool pinned = true;  ///< a tag other than "latest", or a digest
    bool readiness_probe = false;
    std::string pointer;  ///< of the image
  };
  std::size_t group = 0;  ///< index into Manifest::groups
  std::string kind;       ///< "Deployment", "StatefulSet", ...
  std::int64_t desired = 0;
  /// Ready pods in the observed state; nothing without one.
  std::optional<std::int64_t> ready;
  /// Whether a rolling update of this workload waits for new pods to be ready.
  bool gates_on_readiness = false;
  std::vector<Container> containers;
  /// The container whose image is the version (deploysim.io/container, else the first).
  std::size_t main = 0;
  std::string replicas_pointer;
  Ignores ignore;
};

/// What should be: services, hosts, flags, and how the next version rolls out.
struct Manifest {
  std::string file;  ///< as the user named it
  std::string name;
  std::vector<ManifestBehaviour> behaviours;
  std::vector<ManifestService> services;
  std::vector<ManifestGroup> groups;
  std::vector<ManifestHost> hosts;  ///< every host, duplicates included, in file order
  std::vector<ManifestFlag> flags;
  std::optional<Rollout> rollout;
  Policy policy;
  /// Whether this came from a scenario file (some rules have nothing to read then).
  bool from_scenario = false;
  InputKind kind = InputKind::manifest;
  PositionIndex positions;
  /// For inputs in other formats: where the made-up pointers are written (else null).
  std::shared_ptr<const SourceMap> sources;
  /// Kubernetes workloads (empty for other inputs).
  std::vector<WorkloadFacts> workloads;

  const ManifestService* find_service(std::string_view service) const;
  const ManifestBehaviour* find_behaviour(std::string_view behaviour) const;
  std::optional<std::size_t> find_group(std::string_view group) const;
};

/// One host as a deploy tool or configuration agent reports it.
struct ObservedHost {
  std::string name;
  std::string version;  ///< empty: not reported
  std::optional<std::map<std::string, nlohmann::json>> config;
  std::string config_hash;         ///< empty: not reported
  bool config_hash_given = false;  ///< a "config_hash" key was present, "" included
  std::string config_revision;     ///< the revision last applied; empty: not reported
  std::map<std::string, bool> flags;
  std::optional<std::int64_t> converged_ms;
  std::string pointer;
  Ignores ignore;
  /// See ManifestHost::stable_id.
  std::string stable_id;
};

/// What is: the observed state of hosts at one moment.
struct Inventory {
  std::string file;
  std::optional<std::int64_t> observed_ms;
  std::vector<ObservedHost> hosts;
  PositionIndex positions;
  /// See Manifest::sources.
  std::shared_ptr<const SourceMap> sources;
};

/// Reads a manifest from `text`; a document with a "fleet" key is a deploysim scenario and is
/// read with scenario::parse_scenario (see manifest_from_scenario). Throws input::InputError
/// naming `file`, with line and column for malformed JSON and a "did you mean" for unknown keys.
/// `policy_defaults` are the limits in force where the manifest's "policy" does not set them.
Manifest parse_manifest(std::string_view text, const std::string& file,
                        const Policy& policy_defaults = {});

/// Reads an observed inventory from `text`; throws input::InputError.
Inventory parse_inventory(std::string_view text, const std::string& file);

/// Reads an inventory as parse_inventory does, always through the whole JSON document: the
/// reader parse_inventory falls back to for text its streaming reader does not accept. Both give
/// the same Inventory or the same error; tests and fuzz targets compare them.
Inventory parse_inventory_strict(std::string_view text, const std::string& file);

/// The hash of a configuration that hosts report as "config_hash": FNV-1a 64 over the compact
/// JSON of the configuration object (keys sorted), as 16 lowercase hex digits.
std::string config_hash(const std::map<std::string, nlohmann::json>& config);

}  // namespace deploysim::check
