#pragma once
// An Ansible inventory as the checker's input (docs/checker-ansible.md): the JSON that
// `ansible-inventory --list` prints is the manifest, and the JSON fact cache (one file per host,
// `fact_caching = jsonfile`) is the observed state. Host names and groups are Ansible's own, so
// findings and fingerprints name real hosts.
//
// The mapping: a host's group is its `deploysim_service` variable, else the first group that
// lists it; its declared version is the host variable named by AnsibleOptions::version_var and
// its running version the fact at AnsibleOptions::version_fact; flags are the host variables
// named in AnsibleOptions::flag_vars. What a version does with a flag and a flag's meaning come
// from the variables `deploysim_versions` and `deploysim_flag_meanings`.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "check/kubernetes.hpp"
#include "check/manifest.hpp"

namespace deploysim::check {

/// Which host variables and facts hold versions and flags.
struct AnsibleOptions {
  /// The host variable holding the version a host should run.
  std::string version_var = "app_version";
  /// The fact holding the version a host runs, as a dotted path into a host's cached facts.
  std::string version_fact = "ansible_local.deploysim.version";
  /// Host variables that are feature flags (on when true, "true", "on", "yes" or 1).
  std::vector<std::string> flag_vars;
};

/// What reading Ansible input gave.
struct AnsibleInput {
  Manifest manifest;
  std::optional<Inventory> inventory;
};

/// Reads `inventory` (ansible-inventory --list) and, if given, the fact files of `facts` (each
/// named after its host). Throws input::InputError with file, line:col and what was
/// expected: malformed JSON, a host without the version variable, an inventory with no hosts,
/// a fact file for a host the inventory does not list.
AnsibleInput read_ansible(const NamedText& inventory, const std::vector<NamedText>& facts,
                          const AnsibleOptions& options = {});

/// The fact files of a fact cache directory, sorted; the file name is the host name. Throws
/// input::InputError if `directory` is not a readable directory.
std::vector<NamedText> read_fact_cache(const std::string& directory);

}  // namespace deploysim::check
