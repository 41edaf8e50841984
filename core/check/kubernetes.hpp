#pragma once
// Kubernetes objects as the checker's input (docs/checker-kubernetes.md): manifests as YAML or
// JSON (plain, `helm template`, `kustomize build`) become a Manifest, and a `kubectl get -o json`
// List becomes the observed Inventory, so that the fleet rules run on pods.
//
// The mapping: a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Argo Rollout)
// is a group "namespace/name" of service `deploysim.io/service` (else its name); its version is
// the tag or digest of its first container's image (or the pod label named by
// `deploysim.io/version-label` or the option); its hosts are its pods. ConfigMap keys listed in
// `deploysim.io/flags` are flags, on when "true", scoped to the workloads whose containers read
// them through envFrom or valueFrom. What a version does with a flag and which dependency
// versions it works with come from `deploysim.io/versions` and `deploysim.io/depends-on`.
//
// Every made-up pointer is mapped to the line of the image, the replicas or the ConfigMap key
// in the user's file (or the template a `# Source:` comment names).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/manifest.hpp"
#include "input/input_error.hpp"

namespace deploysim::check {

/// One input text and the name to report it by.
struct NamedText {
  std::string file;
  std::string text;
};

/// `error` with the line and column of each problem in `source` that has only a pointer (the
/// typed readers know pointers; the user reads lines).
input::InputError located_in(const input::InputError& error, const NamedText& source);

/// Settings of a Kubernetes check.
struct KubernetesOptions {
  /// A pod template label whose value is the version, for every workload without its own
  /// `deploysim.io/version-label`; empty: the image tag.
  std::string version_label;
  /// Items an observed List may hold: a larger one is refused rather than read.
  std::size_t max_observed_items = 200'000;
  /// A List longer than this many bytes has its items counted before its document is built,
  /// so that one far over the limit is refused without the memory the document would take.
  std::size_t count_items_above_bytes = 64'000'000;
  /// The directory that was given to `kustomize build`: objects whose
  /// config.kubernetes.io/origin annotation names a resource file under it are located in that
  /// file. Empty: findings point at the build output.
  std::string kustomize_dir;
};

/// How many objects named the resource file they were built from, and how many were found in it.
struct OriginCounts {
  std::size_t annotated = 0;
  std::size_t located = 0;
};

/// What reading Kubernetes input gave.
struct KubernetesInput {
  Manifest manifest;
  std::optional<Inventory> inventory;
  /// Objects of kinds the checker does not read, by kind, in the manifests and the List.
  std::map<std::string, std::size_t> skipped;
  /// Objects of `kustomize build` output with a config.kubernetes.io/origin annotation.
  OriginCounts origins;
};

/// Reads the manifests (each text a YAML stream or JSON) and, if given, the observed List.
/// Throws input::InputError with file, line:col and what was expected: malformed YAML, a
/// known kind with the wrong apiVersion or shape, an image without tag or digest (unless a
/// version label applies), a document in deploysim's own manifest format, an empty or too large
/// List, a pod owned by nothing the manifests declare.
KubernetesInput read_kubernetes(const std::vector<NamedText>& manifests, const NamedText* observed,
                                const KubernetesOptions& options = {});

/// The files to read for `path`: the path itself, or the .yaml, .yml and .json files of a
/// directory (not recursive), sorted by name. Throws input::InputError if there are none.
std::vector<std::string> kubernetes_files(const std::string& path);

}  // namespace deploysim::check
