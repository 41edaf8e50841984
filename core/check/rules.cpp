#include "check/rules.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "input/input_error.hpp"
#include "input/json_reader.hpp"
#include "spec/service_graph.hpp"

namespace deploysim::check {
namespace {

using input::child_pointer;
using input::quote;

const std::vector<RuleInfo> kRules = {
    {"DS001", "version-mismatch", Severity::error,
     "A host runs a version other than the one the manifest declares",
     "The observed inventory reports a version that differs from the declared one. A fleet "
     "that is partly on the old code behaves differently from what everyone believes "
     "(Knight Capital, 2012: seven of eight servers had the new code).",
     "Deploy the declared version to the host (or correct the manifest), then check again.",
     "rollout"},
    {"DS002", "flag-version-mismatch", Severity::error,
     "A flag is on where a host runs a version that does not honour it or gives it another "
     "meaning",
     "A flag that is on in a scope where some host runs a version that does not know the flag, "
     "or maps it to a different behaviour (a repurposed flag), switches on something nobody "
     "intended on that host.",
     "Bring every host in the flag's scope to a version that maps the flag to its meaning before "
     "turning it on, or narrow the scope.",
     "flags"},
    {"DS003", "retired-behaviour-reachable", Severity::warning,
     "A version that hosts run still maps a flag to a retired behaviour (dead code)",
     "Retired code that a flag can still reach is a loaded gun: reusing the flag, or turning it "
     "on by mistake, runs code nobody maintains.",
     "Remove the retired code path from the version (and the mapping from the manifest), or "
     "retire the version.",
     "flags"},
    {"DS004", "dependency-version-skew", Severity::error,
     "A service runs next to a version of a dependency outside its compatible versions",
     "A dependent service declares which versions of a dependency it works with; hosts of the "
     "dependency running another version break the calls between them.",
     "Deploy a compatible version of the dependency, or test and declare the version as "
     "compatible.",
     "skew"},
    {"DS005", "dependency-cycle", Severity::error, "Services depend on each other in a cycle",
     "With a dependency cycle there is no safe order to deploy the services in: one of them "
     "always runs against a dependency that is not ready.",
     "Break the cycle: remove one dependency or split a service.", "skew"},
    {"DS006", "rollout-missing-host", Severity::error,
     "A host of the service being rolled out is in no stage of the plan",
     "A host that no stage covers keeps the old version when the rollout is done (the "
     "eighth server).",
     "Add the host to a stage of the rollout plan, or remove it from the group.", "coverage"},
    {"DS007", "rollout-repeated-host", Severity::error,
     "A host appears in more than one stage of the rollout plan",
     "A host listed twice is updated twice, or counted in a stage it does not belong to, which "
     "hides a host that is missing elsewhere.",
     "Keep each host in exactly one stage.", "coverage"},
    {"DS008", "stage-without-health-gate", Severity::warning, "A rollout stage has no health gate",
     "Without a health gate a bad version spreads to the next stage before anyone looks.",
     "Give the stage a \"health_gate\" (an alert, an analysis, a manual approval).", "rollout"},
    {"DS009", "stage-without-rollback", Severity::warning, "A rollout stage has no rollback",
     "A stage that cannot be rolled back leaves a failing version in place while people "
     "improvise (Knight's team rolled back the wrong thing).",
     "Give the stage a \"rollback\" (automatic, or a named runbook).", "rollout"},
    {"DS010", "canary-too-large", Severity::warning,
     "A canary stage holds a larger share of the hosts than the policy allows",
     "A canary exists to limit the blast radius of a bad version; a large canary is a partial "
     "rollout.",
     "Move hosts out of the canary stage, or raise policy.canary_max_percent deliberately.",
     "rollout"},
    {"DS011", "config-drift", Severity::warning,
     "A host's observed configuration differs from the declared one it has applied",
     "The host reports the declared configuration revision (or none) but other values: "
     "something changed it outside the pipeline.",
     "Re-apply the declared configuration and find what changed it; if the change is wanted, "
     "declare it.",
     "drift"},
    {"DS012", "config-pending", Severity::note,
     "A host has not yet applied the declared configuration revision",
     "The manifest declares a configuration revision the host has not applied yet: a pending "
     "change, not drift.",
     "Let the rollout apply it; if it stays pending, see DS013.", "drift"},
    {"DS013", "stale-convergence", Severity::warning,
     "A host has not converged within the maximum age",
     "A host whose agent last converged long ago may run anything: its reported state is old.",
     "Find why the agent stopped converging (stopped, failing, unreachable) and fix it.", "drift"},
    {"DS014", "mixed-versions", Severity::warning,
     "Hosts of one service run different versions beyond the allowed window",
     "A mixed fleet is normal during a rollout and a hazard afterwards: flags and dependent "
     "services see two behaviours.",
     "Finish or roll back the rollout; set rollout.started to when it began.", "rollout"},
    {"DS015", "duplicate-host", Severity::error, "A host name appears more than once",
     "Two entries for one host make its declared version or observed state ambiguous.",
     "Keep one entry per host name.", "inventory"},
    {"DS016", "unknown-inventory-host", Severity::error,
     "The inventory reports a host the manifest does not declare",
     "A host nobody declared gets no rollout, no flag scope and no review.",
     "Declare the host in a group of the manifest, or decommission it.", "inventory"},
    {"DS017", "missing-inventory-host", Severity::warning,
     "A declared host is absent from the observed inventory",
     "A host that does not report its state cannot be checked: it may run anything.",
     "Make the host report (agent installed and running), or remove it from the manifest.",
     "inventory"},
    {"DS018", "unused-suppression", Severity::warning,
     "An x-deploysim-ignore entry matches no finding",
     "A stale suppression hides nothing today and will silently hide a future finding.",
     "Remove the entry.", "suppression"},
    {"DS019", "fewer-ready-replicas", Severity::error,
     "A workload has fewer ready pods than the replicas it declares",
     "Pods that are missing or not ready serve no traffic: the service runs with less capacity "
     "than planned, and a rollout that waits for ready pods is stuck.",
     "Find why pods are not ready (kubectl describe pod: image pull, crash loop, failing probe, "
     "no room to schedule) and fix it.",
     "kubernetes"},
    {"DS020", "unpinned-image", Severity::warning,
     "A container image is not pinned: tag \"latest\" or no tag",
     "An unpinned image means each pod may run whatever the tag points at when it starts: two "
     "pods of one workload can run different code while the manifest says they agree.",
     "Use an immutable tag (a release number) or a digest (image@sha256:...).", "kubernetes"},
    {"DS021", "missing-readiness-probe", Severity::warning,
     "No container of a workload whose rolling update waits for ready pods has a readiness probe",
     "A rolling update replaces old pods once new ones are ready; without a readiness probe a pod "
     "is ready as soon as it starts, so a broken version replaces the whole workload.",
     "Give the application's container a readinessProbe that checks the service can serve.",
     "kubernetes"},
};

// Hosts of one group that run one version: how many, and the first of them.
struct VersionCount {
  const std::string* version;
  std::size_t hosts = 0;
  std::size_t first = 0;
};

// Everything the rules read, with lookups built once so that each rule is linear in the fleet.
struct Context {
  const Manifest& manifest;
  const Inventory* inventory;
  // Host name -> index of its first declaration / first observation (names point into the
  // inputs, which outlive the check).
  std::unordered_map<std::string_view, std::size_t> declared;
  std::unordered_map<std::string_view, std::size_t> observed;
  // The same by host index: manifest host -> its name's first declaration, inventory host ->
  // its name's first report; and whether an inventory host's name is declared.
  std::vector<std::size_t> first_declaration;
  std::vector<std::size_t> first_report;
  std::vector<bool> report_declared;
  // Manifest host index -> observed host index (first observation), if any.
  std::vector<std::optional<std::size_t>> observation;
  // Manifest host index -> the version it runs as far as the checker knows: observed if
  // reported, else declared (see effective_version).
  std::vector<const std::string*> running;
  // Group index -> the versions its hosts run, in order of first host.
  std::vector<std::vector<VersionCount>> group_versions;
  // Manifest host index -> index of the version it runs in its group's group_versions.
  std::vector<std::size_t> version_slot;
  // Service -> version -> (first host running it, number of hosts running it).
  std::map<std::string, std::map<std::string, std::pair<std::size_t, std::size_t>>> in_use;
  std::unordered_map<std::string_view, const ManifestService*> services;
  std::unordered_map<std::string_view, std::size_t> groups;
};

Location manifest_at(const Context& c, std::string pointer, std::string logical = {},
                     std::string message = {}) {
  return Location{Document::manifest, c.manifest.file,   std::move(pointer), {},
                  std::move(logical), std::move(message)};
}

Location inventory_at(const Context& c, std::string pointer, std::string logical = {},
                      std::string message = {}) {
  return Location{Document::inventory, c.inventory->file, std::move(pointer), {},
                  std::move(logical),  std::move(message)};
}

// What findings about a host are keyed by: a stable ID where names are not stable.
const std::string& host_key(const ManifestHost& host) {
  return host.stable_id.empty() ? host.name : host.stable_id;
}

std::string host_logical(const Context& c, const ManifestHost& host) {
  return "groups/" + c.manifest.groups[host.group].name + "/" + host.name;
}

// Where a host's declared version is written: its own entry when it overrides the group's.
std::string declared_version_pointer(const Context& c, const ManifestHost& host) {
  const auto& group = c.manifest.groups[host.group];
  if (host.version != group.version) return child_pointer(host.pointer, "version");
  return child_pointer(group.pointer, "version");
}

// The version a host runs as far as the checker knows: observed if reported, else declared.
struct Effective {
  std::string version;
  Location where;
};

Effective effective_version(const Context& c, std::size_t host_index) {
  const auto& host = c.manifest.hosts[host_index];
  if (const auto seen = c.observation[host_index]) {
    const auto& observed = c.inventory->hosts[*seen];
    if (!observed.version.empty()) {
      return {observed.version, inventory_at(c, child_pointer(observed.pointer, "version"),
                                             host_logical(c, host), "observed version")};
    }
  }
  return {host.version, manifest_at(c, host.pointer, host_logical(c, host), "declared host")};
}

class Emitter {
 public:
  explicit Emitter(std::vector<Finding>& out) : out_(out) {}
  void set_rule(const RuleInfo* rule, Severity severity) {
    rule_ = rule;
    severity_ = severity;
  }
  // Records a finding; `ignores` are the suppressions of the entity it is about.
  void emit(std::string message, Location location, std::vector<Location> related,
            std::string entity, const Ignores* ignores = nullptr) {
    Finding finding;
    finding.rule = rule_;
    finding.severity = severity_;
    finding.message = std::move(message);
    finding.location = std::move(location);
    finding.related = std::move(related);
    finding.entity = std::move(entity);
    if (ignores != nullptr) {
      for (const auto key : {rule_->id, rule_->name}) {
        const auto it = ignores->find(std::string(key));
        if (it == ignores->end()) continue;
        finding.suppression = it->second;
        finding.suppression_kind = "inSource";
        used_.insert({ignores, it->first});
      }
    }
    out_.push_back(std::move(finding));
  }
  bool used(const Ignores* ignores, const std::string& key) const {
    return used_.count({ignores, key}) > 0;
  }

 private:
  std::vector<Finding>& out_;
  const RuleInfo* rule_ = nullptr;
  Severity severity_ = Severity::error;
  std::set<std::pair<const Ignores*, std::string>> used_;
};

void version_mismatch(const Context& c, Emitter& e) {
  if (c.inventory == nullptr) return;
  // Group index -> hosts running their declared version, counted when first needed.
  std::vector<std::optional<std::size_t>> on_declared_in(c.manifest.groups.size());
  for (std::size_t i = 0; i < c.manifest.hosts.size(); ++i) {
    const auto seen = c.observation[i];
    if (!seen) continue;
    const auto& host = c.manifest.hosts[i];
    const auto& observed = c.inventory->hosts[*seen];
    if (observed.version.empty() || observed.version == host.version) continue;
    const auto& group = c.manifest.groups[host.group];
    auto& counted = on_declared_in[host.group];
    if (!counted) {
      counted = 0;
      for (const auto h : group.hosts) {
        if (*c.running[h] == c.manifest.hosts[h].version) ++*counted;
      }
    }
    const std::size_t on_declared = *counted;
    e.emit("host " + quote(host.name) + " runs " + quote(observed.version) +
               "; the manifest declares " + quote(host.version) + " (" +
               std::to_string(on_declared) + " of " + std::to_string(group.hosts.size()) +
               " hosts of group " + quote(group.name) + " run their declared version)",
           inventory_at(c, child_pointer(observed.pointer, "version"), host_logical(c, host)),
           {manifest_at(c, declared_version_pointer(c, host), host_logical(c, host),
                        "declared version")},
           "host/" + host_key(host), &observed.ignore);
  }
}

// Whether hosts of `group` running `running` would get `flag` wrong when it is on: their
// version is unknown, does not honour the flag, or gives it another meaning.
bool misreads_flag(const Context& c, const ManifestFlag& flag, const ManifestGroup& group,
                   const std::string& running) {
  const auto service = c.services.find(group.service);
  const ManifestVersion* version =
      service != c.services.end() ? service->second->find_version(running) : nullptr;
  if (version == nullptr) return true;
  const auto it = version->flags.find(flag.name);
  return it == version->flags.end() || (!flag.meaning.empty() && it->second != flag.meaning);
}

// Hosts in the scope of `flag` whose version would get it wrong, in host order. Versions are
// judged once per group, so a group that runs only versions reading the flag right costs no
// walk over its hosts.
std::vector<std::size_t> flag_misreaders(const Context& c, const ManifestFlag& flag) {
  std::vector<std::size_t> scoped;
  if (flag.scope.empty()) {
    for (std::size_t g = 0; g < c.manifest.groups.size(); ++g) scoped.push_back(g);
  } else {
    for (const auto& name : flag.scope) {
      if (const auto it = c.groups.find(name); it != c.groups.end()) scoped.push_back(it->second);
    }
    std::sort(scoped.begin(), scoped.end());
    scoped.erase(std::unique(scoped.begin(), scoped.end()), scoped.end());
  }
  std::vector<std::size_t> hosts;
  std::vector<bool> wrong;  // by version slot
  for (const std::size_t g : scoped) {
    const auto& group = c.manifest.groups[g];
    wrong.assign(c.group_versions[g].size(), false);
    bool any = false;
    for (std::size_t v = 0; v < wrong.size(); ++v) {
      wrong[v] = misreads_flag(c, flag, group, *c.group_versions[g][v].version);
      any = any || wrong[v];
    }
    if (!any) continue;
    for (const std::size_t h : group.hosts) {
      if (wrong[c.version_slot[h]]) hosts.push_back(h);
    }
  }
  std::sort(hosts.begin(), hosts.end());
  return hosts;
}

void flag_version_mismatch(const Context& c, Emitter& e) {
  for (const auto& flag : c.manifest.flags) {
    for (const std::size_t i : flag_misreaders(c, flag)) {
      const auto& host = c.manifest.hosts[i];
      const auto& group = c.manifest.groups[host.group];
      bool on = flag.on;
      if (const auto seen = c.observation[i]) {
        const auto& flags = c.inventory->hosts[*seen].flags;
        if (const auto it = flags.find(flag.name); it != flags.end()) on = it->second;
      }
      if (!on) continue;
      const Effective running = effective_version(c, i);
      const auto* service = c.manifest.find_service(group.service);
      const auto* version = service != nullptr ? service->find_version(running.version) : nullptr;
      std::string problem;
      std::vector<Location> related{manifest_at(c, child_pointer(flag.pointer, "on"),
                                                "flags/" + flag.name, "flag turned on")};
      if (version == nullptr) {
        problem = "which the manifest does not know, so nothing says it honours the flag";
      } else if (const auto it = version->flags.find(flag.name); it == version->flags.end()) {
        problem = "which does not honour the flag";
        related.push_back(manifest_at(c, version->pointer,
                                      "services/" + group.service + "@" + version->name,
                                      "version without the flag"));
      } else if (!flag.meaning.empty() && it->second != flag.meaning) {
        problem =
            "which maps it to " + quote(it->second) + ", not to its meaning " + quote(flag.meaning);
        related.push_back(manifest_at(
            c, child_pointer(child_pointer(version->pointer, "flags"), flag.name),
            "services/" + group.service + "@" + version->name, "the version's meaning"));
      } else {
        continue;
      }
      const Ignores* ignores = &flag.ignore;
      if (const auto seen = c.observation[i]) ignores = &c.inventory->hosts[*seen].ignore;
      e.emit("flag " + quote(flag.name) + " is on for host " + quote(host.name) + ", which runs " +
                 quote(running.version) + ", " + problem,
             running.where, std::move(related), "flag/" + flag.name + "/host/" + host_key(host),
             ignores);
    }
  }
}

void retired_behaviour_reachable(const Context& c, Emitter& e) {
  for (const auto& service : c.manifest.services) {
    const auto running = c.in_use.find(service.name);
    if (running == c.in_use.end()) continue;
    for (const auto& version : service.versions) {
      // Hosts running the version, with the first one as an example.
      const auto hosts = running->second.find(version.name);
      if (hosts == running->second.end()) continue;
      for (const auto& [flag, behaviour] : version.flags) {
        const auto* info = c.manifest.find_behaviour(behaviour);
        if (info == nullptr || !info->retired) continue;
        const std::size_t example = hosts->second.first;
        Effective where = effective_version(c, example);
        where.where.message = "a host running it";
        e.emit("version " + quote(version.name) + " of " + quote(service.name) + ", which " +
                   std::to_string(hosts->second.second) + " host(s) run (first: " +
                   quote(c.manifest.hosts[example].name) + "), still maps flag " + quote(flag) +
                   " to retired behaviour " + quote(behaviour),
               manifest_at(c, child_pointer(child_pointer(version.pointer, "flags"), flag),
                           "services/" + service.name + "@" + version.name),
               {where.where,
                manifest_at(c, info->pointer, "behaviours/" + behaviour, "retired behaviour")},
               "service/" + service.name + "@" + version.name + "/flag/" + flag, &service.ignore);
      }
    }
  }
}

void dependency_version_skew(const Context& c, Emitter& e) {
  const auto& in_use = c.in_use;
  for (const auto& service : c.manifest.services) {
    if (in_use.find(service.name) == in_use.end()) continue;
    for (const auto& dependency : service.depends_on) {
      if (dependency.compatible.empty()) continue;
      const auto versions = in_use.find(dependency.service);
      if (versions == in_use.end()) continue;
      for (const auto& [version, hosts] : versions->second) {
        if (dependency.accepts(version)) continue;
        const Effective where = effective_version(c, hosts.first);
        e.emit(
            quote(service.name) + " works with " + quote(dependency.service) + " versions " +
                input::quote_list(dependency.compatible) + ", but " + std::to_string(hosts.second) +
                " host(s) of " + quote(dependency.service) + " run " + quote(version) +
                " (first: " + quote(c.manifest.hosts[hosts.first].name) + ")",
            where.where,
            {manifest_at(c, dependency.pointer, "services/" + service.name, "compatible versions")},
            "dependency/" + service.name + "->" + dependency.service + "@" + version,
            &service.ignore);
      }
    }
  }
}

void dependency_cycle(const Context& c, Emitter& e) {
  std::vector<spec::ServiceDependencies> services;
  for (const auto& service : c.manifest.services) {
    spec::ServiceDependencies s{service.name, {}};
    for (const auto& dependency : service.depends_on) s.depends_on.push_back(dependency.service);
    services.push_back(std::move(s));
  }
  try {
    spec::safe_deployment_order(services);
  } catch (const spec::DependencyCycle& cycle) {
    const auto& path = cycle.path();  // "a", "b", "a": a depends on b
    const std::string& first = path.front();
    const std::string& second = path.size() > 1 ? path[1] : path.front();
    const auto* service = c.manifest.find_service(first);
    std::string pointer = service != nullptr ? service->pointer : "/services";
    if (service != nullptr) {
      for (const auto& dependency : service->depends_on) {
        if (dependency.service == second) pointer = dependency.pointer;
      }
    }
    const std::set<std::string> in_cycle(path.begin(), path.end());
    std::string entity = "cycle";
    for (const auto& s : c.manifest.services) {
      if (in_cycle.count(s.name) != 0) entity += "/" + s.name;
    }
    e.emit(cycle.what(), manifest_at(c, pointer, "services/" + first), {}, entity,
           service != nullptr ? &service->ignore : nullptr);
  }
}

std::size_t hosts_of_service(const Context& c, const std::string& service) {
  std::size_t n = 0;
  for (const auto& group : c.manifest.groups) {
    if (group.service == service) n += group.hosts.size();
  }
  return n;
}

void rollout_missing_host(const Context& c, Emitter& e) {
  if (!c.manifest.rollout) return;
  const auto& rollout = *c.manifest.rollout;
  std::unordered_set<std::string_view> staged;
  for (const auto& stage : rollout.stages) staged.insert(stage.hosts.begin(), stage.hosts.end());
  for (const auto& host : c.manifest.hosts) {
    const auto& group = c.manifest.groups[host.group];
    if (group.service != rollout.service || staged.count(host.name) > 0) continue;
    e.emit("host " + quote(host.name) + " of " + quote(rollout.service) +
               " is in no stage of the rollout to " + quote(rollout.to),
           manifest_at(c, child_pointer(rollout.pointer, "stages"), "rollout"),
           {manifest_at(c, host.pointer, host_logical(c, host), "declared host")},
           "rollout/host/" + host.name, &host.ignore);
  }
}

void rollout_repeated_host(const Context& c, Emitter& e) {
  if (!c.manifest.rollout) return;
  std::unordered_map<std::string, std::pair<std::string, std::string>> first;  // stage, pointer
  for (const auto& stage : c.manifest.rollout->stages) {
    for (std::size_t k = 0; k < stage.hosts.size(); ++k) {
      const auto [it, fresh] =
          first.try_emplace(stage.hosts[k], std::make_pair(stage.name, stage.host_pointers[k]));
      if (fresh) continue;
      e.emit("host " + quote(stage.hosts[k]) + " is in stage " + quote(stage.name) +
                 " and already in stage " + quote(it->second.first),
             manifest_at(c, stage.host_pointers[k], "rollout/" + stage.name),
             {manifest_at(c, it->second.second, "rollout/" + it->second.first, "first occurrence")},
             "rollout/" + stage.name + "/host/" + stage.hosts[k], &stage.ignore);
    }
  }
}

void stage_without_health_gate(const Context& c, Emitter& e) {
  if (!c.manifest.rollout) return;
  for (const auto& stage : c.manifest.rollout->stages) {
    if (!stage.health_gate.empty()) continue;
    e.emit("stage " + quote(stage.name) + " has no health gate",
           manifest_at(c, stage.pointer, "rollout/" + stage.name), {}, "rollout/" + stage.name,
           &stage.ignore);
  }
}

void stage_without_rollback(const Context& c, Emitter& e) {
  if (!c.manifest.rollout) return;
  for (const auto& stage : c.manifest.rollout->stages) {
    if (!stage.rollback.empty()) continue;
    e.emit("stage " + quote(stage.name) + " has no rollback",
           manifest_at(c, stage.pointer, "rollout/" + stage.name), {}, "rollout/" + stage.name,
           &stage.ignore);
  }
}

std::string percent_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g%%", value);
  return text;
}

void canary_too_large(const Context& c, Emitter& e) {
  if (!c.manifest.rollout) return;
  const std::size_t total = hosts_of_service(c, c.manifest.rollout->service);
  if (total == 0) return;
  for (const auto& stage : c.manifest.rollout->stages) {
    if (!stage.canary && stage.name != "canary") continue;
    const double share =
        100.0 * static_cast<double>(stage.hosts.size()) / static_cast<double>(total);
    if (share <= c.manifest.policy.canary_max_percent) continue;
    e.emit("canary stage " + quote(stage.name) + " has " + std::to_string(stage.hosts.size()) +
               " of " + std::to_string(total) + " hosts (" + percent_text(share) +
               "), more than the allowed " + percent_text(c.manifest.policy.canary_max_percent),
           manifest_at(c, child_pointer(stage.pointer, "hosts"), "rollout/" + stage.name), {},
           "rollout/" + stage.name, &stage.ignore);
  }
}

// Emits drift or pending findings: the two rules share the comparison and differ in whether
// the host has applied the declared revision.
void config_difference(const Context& c, Emitter& e, bool pending_rule) {
  if (c.inventory == nullptr) return;
  // Hashing is a serialisation: do it once per group for the hosts that do not override the
  // group's configuration.
  std::vector<std::optional<std::string>> group_hashes(c.manifest.groups.size());
  std::string own_hash;
  auto declared_hash = [&](const ManifestHost& host) -> const std::string& {
    const auto& group = c.manifest.groups[host.group];
    if (host.config != group.config) return own_hash = config_hash(host.config);
    auto& cached = group_hashes[host.group];
    if (!cached) cached = config_hash(group.config);
    return *cached;
  };
  for (std::size_t i = 0; i < c.manifest.hosts.size(); ++i) {
    const auto seen = c.observation[i];
    if (!seen) continue;
    const auto& host = c.manifest.hosts[i];
    const auto& group = c.manifest.groups[host.group];
    const auto& observed = c.inventory->hosts[*seen];
    std::string differs;  // description of the first difference
    std::string observed_pointer;
    std::string declared_pointer;
    if (observed.config) {
      for (const auto& [key, value] : host.config) {
        const auto it = observed.config->find(key);
        if (it != observed.config->end() && it->second == value) continue;
        differs = "key " + quote(key) + " is " +
                  (it == observed.config->end() ? std::string("missing")
                                                : input::describe_json(it->second)) +
                  ", declared " + input::describe_json(value);
        observed_pointer = it == observed.config->end()
                               ? child_pointer(observed.pointer, "config")
                               : child_pointer(child_pointer(observed.pointer, "config"), key);
        declared_pointer = child_pointer(child_pointer(group.pointer, "config"), key);
        break;
      }
    } else if (!observed.config_hash.empty() && observed.config_hash != declared_hash(host)) {
      differs = "config_hash is " + quote(observed.config_hash) + ", declared configuration " +
                "hashes to " + quote(declared_hash(host));
      observed_pointer = child_pointer(observed.pointer, "config_hash");
    }
    if (differs.empty()) continue;
    if (declared_pointer.empty()) declared_pointer = child_pointer(group.pointer, "config");
    const bool pending = !group.config_revision.empty() && !observed.config_revision.empty() &&
                         observed.config_revision != group.config_revision;
    if (pending != pending_rule) continue;
    const std::string message =
        pending
            ? "host " + quote(host.name) + " has applied configuration revision " +
                  quote(observed.config_revision) + ", not yet the declared " +
                  quote(group.config_revision) + " (" + differs + ")"
            : "host " + quote(host.name) + " drifted from its declared configuration: " + differs;
    e.emit(message, inventory_at(c, observed_pointer, host_logical(c, host)),
           {manifest_at(c, declared_pointer, "groups/" + group.name, "declared configuration")},
           "host/" + host.name + "/config", &observed.ignore);
  }
}

void config_drift(const Context& c, Emitter& e) {
  config_difference(c, e, false);
}
void config_pending(const Context& c, Emitter& e) {
  config_difference(c, e, true);
}

void stale_convergence(const Context& c, Emitter& e) {
  if (c.inventory == nullptr || !c.inventory->observed_ms) return;
  const auto max_age = c.manifest.policy.max_convergence_age;
  for (const auto& observed : c.inventory->hosts) {
    if (!observed.converged_ms) continue;
    const auto age =
        engine::Duration::milliseconds(*c.inventory->observed_ms - *observed.converged_ms);
    if (age <= max_age) continue;
    e.emit(
        "host " + quote(observed.name) + " last converged " + engine::format_duration(age) +
            " before the inventory was taken, more than the allowed " +
            engine::format_duration(max_age),
        inventory_at(c, child_pointer(observed.pointer, "converged_at"), "hosts/" + observed.name),
        {}, "host/" + observed.name + "/convergence", &observed.ignore);
  }
}

void mixed_versions(const Context& c, Emitter& e) {
  const auto& rollout = c.manifest.rollout;
  for (const auto& service : c.manifest.services) {
    // Versions in use, by number of hosts, with their first host.
    const auto in_use = c.in_use.find(service.name);
    if (in_use == c.in_use.end() || in_use->second.size() < 2) continue;
    const auto& versions = in_use->second;
    // While a group of the service is being rolled out (a Kubernetes Deployment progressing),
    // mixing is the rollout itself.
    const bool rolling_out = std::any_of(
        c.manifest.groups.begin(), c.manifest.groups.end(),
        [&](const ManifestGroup& g) { return g.rolling_out && g.service == service.name; });
    if (rolling_out) continue;
    // Within the window of a rollout of this service that started at a known time, mixing is
    // the rollout itself.
    if (rollout && rollout->service == service.name && rollout->started_ms && c.inventory &&
        c.inventory->observed_ms &&
        *c.inventory->observed_ms - *rollout->started_ms <=
            c.manifest.policy.mixed_version_window.ms()) {
      continue;
    }
    auto majority = versions.begin();
    auto minority = versions.begin();
    for (auto it = versions.begin(); it != versions.end(); ++it) {
      if (it->second.second > majority->second.second) majority = it;
      if (it->second.second < minority->second.second) minority = it;
    }
    if (minority == majority) minority = std::next(versions.begin());
    std::string counts;
    for (const auto& [version, hosts] : versions) {
      counts +=
          (counts.empty() ? "" : ", ") + std::to_string(hosts.second) + " on " + quote(version);
    }
    Effective other = effective_version(c, majority->second.first);
    other.where.message = "a host on the most common version";
    e.emit("hosts of " + quote(service.name) + " run " + std::to_string(versions.size()) +
               " versions (" + counts + ")" +
               (rollout && rollout->service == service.name && rollout->started_ms
                    ? " longer than the allowed " +
                          engine::format_duration(c.manifest.policy.mixed_version_window)
                    : ""),
           effective_version(c, minority->second.first).where, {other.where},
           "service/" + service.name + "/versions", &service.ignore);
  }
}

void duplicate_host(const Context& c, Emitter& e) {
  for (std::size_t i = 0; i < c.manifest.hosts.size(); ++i) {
    const auto& host = c.manifest.hosts[i];
    const std::size_t first = c.first_declaration[i];
    if (first == i) continue;
    const auto& original = c.manifest.hosts[first];
    e.emit("host " + quote(host.name) + " is declared again (first in group " +
               quote(c.manifest.groups[original.group].name) + ")",
           manifest_at(c, host.pointer, host_logical(c, host)),
           {manifest_at(c, original.pointer, host_logical(c, original), "first declaration")},
           "manifest/host/" + host.name + "/" + std::to_string(i), &host.ignore);
  }
  if (c.inventory == nullptr) return;
  for (std::size_t i = 0; i < c.inventory->hosts.size(); ++i) {
    const auto& host = c.inventory->hosts[i];
    const std::size_t first = c.first_report[i];
    if (first == i) continue;
    e.emit(
        "host " + quote(host.name) + " is reported again",
        inventory_at(c, child_pointer(host.pointer, "name"), "hosts/" + host.name),
        {inventory_at(c, c.inventory->hosts[first].pointer, "hosts/" + host.name, "first report")},
        "inventory/host/" + host.name + "/" + std::to_string(i), &host.ignore);
  }
}

void unknown_inventory_host(const Context& c, Emitter& e) {
  if (c.inventory == nullptr) return;
  for (std::size_t i = 0; i < c.inventory->hosts.size(); ++i) {
    const auto& host = c.inventory->hosts[i];
    if (c.report_declared[i]) continue;
    e.emit("host " + quote(host.name) + " is in the inventory but not in the manifest",
           inventory_at(c, child_pointer(host.pointer, "name"), "hosts/" + host.name),
           {manifest_at(c, "/groups", "groups", "declared groups")}, "host/" + host.name,
           &host.ignore);
  }
}

void missing_inventory_host(const Context& c, Emitter& e) {
  if (c.inventory == nullptr) return;
  for (std::size_t i = 0; i < c.manifest.hosts.size(); ++i) {
    const auto& host = c.manifest.hosts[i];
    if (c.observation[i] || c.first_declaration[i] != i) continue;
    e.emit("host " + quote(host.name) + " is declared but absent from the inventory " +
               quote(c.inventory->file),
           manifest_at(c, host.pointer, host_logical(c, host)), {}, "host/" + host.name,
           &host.ignore);
  }
}

std::string workload_logical(const Context& c, const WorkloadFacts& workload) {
  return "workloads/" + c.manifest.groups[workload.group].name;
}

void fewer_ready_replicas(const Context& c, Emitter& e) {
  for (const auto& workload : c.manifest.workloads) {
    if (!workload.ready || *workload.ready >= workload.desired) continue;
    const std::string& group = c.manifest.groups[workload.group].name;
    e.emit(workload.kind + " " + quote(group) + " has " + std::to_string(*workload.ready) +
               " ready pod(s) of the " + std::to_string(workload.desired) + " it declares",
           manifest_at(c, workload.replicas_pointer, workload_logical(c, workload)), {},
           "workload/" + group + "/ready", &workload.ignore);
  }
}

void unpinned_image(const Context& c, Emitter& e) {
  for (const auto& workload : c.manifest.workloads) {
    const std::string& group = c.manifest.groups[workload.group].name;
    for (const auto& container : workload.containers) {
      if (container.pinned) continue;
      e.emit("container " + quote(container.name) + " of " + workload.kind + " " + quote(group) +
                 " runs image " + quote(container.image) + ", which names no fixed version",
             manifest_at(c, container.pointer, workload_logical(c, workload)), {},
             "workload/" + group + "/container/" + container.name + "/image", &workload.ignore);
    }
  }
}

void missing_readiness_probe(const Context& c, Emitter& e) {
  for (const auto& workload : c.manifest.workloads) {
    if (!workload.gates_on_readiness) continue;
    const std::string& group = c.manifest.groups[workload.group].name;
    // A pod is ready when all its containers are: one probe (usually the application's) gates
    // the pod, and a sidecar without one changes nothing.
    const auto& containers = workload.containers;
    if (containers.empty() ||
        std::any_of(containers.begin(), containers.end(),
                    [](const auto& container) { return container.readiness_probe; })) {
      continue;
    }
    const auto& main = containers[std::min(workload.main, containers.size() - 1)];
    e.emit("no container of " + workload.kind + " " + quote(group) +
               " has a readinessProbe, so a rolling update takes each new pod as ready as soon "
               "as it starts",
           manifest_at(c, main.pointer, workload_logical(c, workload)), {},
           "workload/" + group + "/readiness", &workload.ignore);
  }
}

using RuleFunction = void (*)(const Context&, Emitter&);

// Rule functions by catalogue position (DS018, null here, is handled by run_check itself).
const RuleFunction kRuleFunctions[] = {
    version_mismatch,
    flag_version_mismatch,
    retired_behaviour_reachable,
    dependency_version_skew,
    dependency_cycle,
    rollout_missing_host,
    rollout_repeated_host,
    stage_without_health_gate,
    stage_without_rollback,
    canary_too_large,
    config_drift,
    config_pending,
    stale_convergence,
    mixed_versions,
    duplicate_host,
    unknown_inventory_host,
    missing_inventory_host,
    nullptr,
    fewer_ready_replicas,
    unpinned_image,
    missing_readiness_probe,
};

// Rules with nothing to read in an input kind, and why (shown by --list-rules).
struct NotApplicable {
  std::string_view id;
  InputKind kind;
  std::string_view reason;
};

const NotApplicable kNotApplicable[] = {
    {"DS006", InputKind::kubernetes, "a Kubernetes rollout names no hosts in its steps"},
    {"DS007", InputKind::kubernetes, "a Kubernetes rollout names no hosts in its steps"},
    {"DS011", InputKind::kubernetes, "pods report no applied configuration revision"},
    {"DS012", InputKind::kubernetes, "pods report no applied configuration revision"},
    {"DS013", InputKind::kubernetes, "pods report no convergence time (observed_at, converged_at)"},
    {"DS016", InputKind::kubernetes,
     "pods of workloads outside the manifests are counted and skipped"},
    {"DS017", InputKind::kubernetes, "hosts are the observed pods; a missing replica is DS019"},
    {"DS019", InputKind::manifest, "only Kubernetes workloads declare replicas"},
    {"DS020", InputKind::manifest, "only Kubernetes workloads name container images"},
    {"DS021", InputKind::manifest, "only Kubernetes workloads have readiness probes"},
    {"DS019", InputKind::scenario, "only Kubernetes workloads declare replicas"},
    {"DS020", InputKind::scenario, "only Kubernetes workloads name container images"},
    {"DS021", InputKind::scenario, "only Kubernetes workloads have readiness probes"},
    {"DS011", InputKind::ansible, "configuration is not read from host variables"},
    {"DS012", InputKind::ansible, "configuration is not read from host variables"},
    {"DS013", InputKind::ansible, "the fact cache records no time the state was observed at"},
    {"DS019", InputKind::ansible, "only Kubernetes workloads declare replicas"},
    {"DS020", InputKind::ansible, "only Kubernetes workloads name container images"},
    {"DS021", InputKind::ansible, "only Kubernetes workloads have readiness probes"},
};

// Every suppression of the inputs, with the pointer it is written at.
struct SuppressionSite {
  const Ignores* ignores;
  Document document;
  std::string pointer;
};

std::vector<SuppressionSite> suppression_sites(const Manifest& m, const Inventory* inventory) {
  std::vector<SuppressionSite> sites;
  auto add = [&sites](const Ignores& ignores, Document document, const std::string& pointer) {
    if (!ignores.empty()) sites.push_back({&ignores, document, pointer});
  };
  for (const auto& s : m.services) add(s.ignore, Document::manifest, s.pointer);
  for (const auto& h : m.hosts) add(h.ignore, Document::manifest, h.pointer);
  for (const auto& f : m.flags) add(f.ignore, Document::manifest, f.pointer);
  if (m.rollout) {
    for (const auto& s : m.rollout->stages) add(s.ignore, Document::manifest, s.pointer);
  }
  for (const auto& w : m.workloads) add(w.ignore, Document::manifest, m.groups[w.group].pointer);
  if (inventory != nullptr) {
    for (const auto& h : inventory->hosts) add(h.ignore, Document::inventory, h.pointer);
  }
  return sites;
}

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::note:
      return "note";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view name) {
  if (name == "note") return Severity::note;
  if (name == "warning") return Severity::warning;
  if (name == "error") return Severity::error;
  return std::nullopt;
}

const std::vector<RuleInfo>& rule_catalogue() {
  return kRules;
}

const RuleInfo* find_rule(std::string_view id_or_name) {
  for (const auto& rule : kRules) {
    if (rule.id == id_or_name || rule.name == id_or_name) return &rule;
  }
  return nullptr;
}

std::string rule_doc_path(const RuleInfo& rule) {
  return "docs/rules/" + std::string(rule.id) + "-" + std::string(rule.name) + ".md";
}

std::string_view not_applicable(const RuleInfo& rule, InputKind kind) {
  for (const auto& entry : kNotApplicable) {
    if (entry.id == rule.id && entry.kind == kind) return entry.reason;
  }
  return {};
}

std::string_view input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::manifest:
      return "manifest";
    case InputKind::scenario:
      return "scenario";
    case InputKind::kubernetes:
      return "kubernetes";
    case InputKind::ansible:
      return "ansible";
  }
  return "manifest";
}

std::string Finding::fingerprint() const {
  return std::string(rule->id) + "|" + entity;
}

CheckResult run_check(const Manifest& manifest, const Inventory* inventory,
                      const CheckOptions& options) {
  static_assert(std::size(kRuleFunctions) == 21, "one function per rule, null for DS018");
  const auto sites = suppression_sites(manifest, inventory);
  // Suppressions must name real rules: a typo would silently suppress nothing.
  input::ProblemCollector problems;
  std::vector<std::string> rule_keys;
  for (const auto& rule : kRules) {
    rule_keys.emplace_back(rule.id);
    rule_keys.emplace_back(rule.name);
  }
  for (const auto& site : sites) {
    for (const auto& [key, reason] : *site.ignores) {
      if (find_rule(key) != nullptr) continue;
      const std::string suggestion = input::did_you_mean(key, rule_keys);
      problems.add(input::InputProblem{
          .file = site.document == Document::manifest ? manifest.file : inventory->file,
          .pointer = child_pointer(child_pointer(site.pointer, "x-deploysim-ignore"), key),
          .detail = "unknown rule " + quote(key),
          .hint =
              suggestion.empty() ? "see docs/rules/" : "did you mean " + quote(suggestion) + "?"});
    }
  }
  problems.throw_if_any();

  Context context{manifest, inventory, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  context.declared.reserve(manifest.hosts.size());
  context.first_declaration.reserve(manifest.hosts.size());
  for (std::size_t i = 0; i < manifest.hosts.size(); ++i) {
    const auto it = context.declared.try_emplace(manifest.hosts[i].name, i).first;
    context.first_declaration.push_back(it->second);
  }
  context.observation.resize(manifest.hosts.size());
  if (inventory != nullptr) {
    context.observed.reserve(inventory->hosts.size());
    context.first_report.reserve(inventory->hosts.size());
    for (std::size_t i = 0; i < inventory->hosts.size(); ++i) {
      const auto it = context.observed.try_emplace(inventory->hosts[i].name, i).first;
      context.first_report.push_back(it->second);
    }
    context.report_declared.resize(inventory->hosts.size());
    for (std::size_t i = 0; i < manifest.hosts.size(); ++i) {
      const auto it = context.observed.find(manifest.hosts[i].name);
      if (it == context.observed.end()) continue;
      context.observation[i] = it->second;
      context.report_declared[it->second] = true;
    }
    for (std::size_t i = 0; i < inventory->hosts.size(); ++i) {
      context.report_declared[i] = context.report_declared[context.first_report[i]];
    }
  }
  context.running.reserve(manifest.hosts.size());
  for (std::size_t i = 0; i < manifest.hosts.size(); ++i) {
    const auto seen = context.observation[i];
    const bool reported = seen && !inventory->hosts[*seen].version.empty();
    context.running.push_back(reported ? &inventory->hosts[*seen].version
                                       : &manifest.hosts[i].version);
  }
  // Versions per group, then per service: the rules that look at versions in use read these
  // instead of walking the fleet.
  context.group_versions.resize(manifest.groups.size());
  context.version_slot.reserve(manifest.hosts.size());
  std::vector<std::unordered_map<std::string_view, std::size_t>> slots(manifest.groups.size());
  for (std::size_t i = 0; i < manifest.hosts.size(); ++i) {
    const std::size_t g = manifest.hosts[i].group;
    auto& versions = context.group_versions[g];
    const std::string& running = *context.running[i];
    // A group runs one or two versions, and hashing costs more than comparing with them; the
    // map serves groups where hosts report many.
    std::size_t slot = 0;
    while (slot < versions.size() && slot < 8 && *versions[slot].version != running) ++slot;
    if (slot == 8) slot = slots[g].try_emplace(running, versions.size()).first->second;
    if (slot == versions.size()) versions.push_back(VersionCount{&running, 0, i});
    ++versions[slot].hosts;
    context.version_slot.push_back(slot);
  }
  for (std::size_t g = 0; g < manifest.groups.size(); ++g) {
    auto& versions = context.in_use[manifest.groups[g].service];
    for (const auto& counted : context.group_versions[g]) {
      const auto [it, fresh] =
          versions.try_emplace(*counted.version, std::make_pair(counted.first, counted.hosts));
      if (fresh) continue;
      it->second.first = std::min(it->second.first, counted.first);
      it->second.second += counted.hosts;
    }
  }
  for (const auto& service : manifest.services)
    context.services.try_emplace(service.name, &service);
  for (std::size_t g = 0; g < manifest.groups.size(); ++g) {
    context.groups.try_emplace(manifest.groups[g].name, g);
  }

  CheckResult result;
  result.files.push_back(manifest.file);
  if (inventory != nullptr) result.files.push_back(inventory->file);
  result.hosts_checked = manifest.hosts.size();
  Emitter emitter(result.findings);
  const InputKind kind = manifest.from_scenario ? InputKind::scenario : manifest.kind;
  auto enabled = [&options, kind](const RuleInfo& rule) {
    if (!not_applicable(rule, kind).empty()) return false;
    const auto it = options.enabled.find(std::string(rule.id));
    return it == options.enabled.end() || it->second;
  };
  auto severity = [&options](const RuleInfo& rule) {
    const auto it = options.severity.find(std::string(rule.id));
    return it == options.severity.end() ? rule.severity : it->second;
  };
  for (std::size_t r = 0; r < std::size(kRuleFunctions); ++r) {
    const RuleInfo& rule = kRules[r];
    if (kRuleFunctions[r] == nullptr || !enabled(rule)) continue;
    result.rules.push_back(&rule);
    emitter.set_rule(&rule, severity(rule));
    kRuleFunctions[r](context, emitter);
  }
  // Stale suppressions: only entries for rules that ran can be known to be unused.
  const RuleInfo& unused = *find_rule("DS018");
  if (enabled(unused)) {
    result.rules.push_back(&unused);
    emitter.set_rule(&unused, severity(unused));
    for (const auto& site : sites) {
      for (const auto& [key, reason] : *site.ignores) {
        const RuleInfo* rule = find_rule(key);
        if (!enabled(*rule) || emitter.used(site.ignores, key)) continue;
        const std::string pointer =
            child_pointer(child_pointer(site.pointer, "x-deploysim-ignore"), key);
        Location where{site.document,
                       site.document == Document::manifest ? manifest.file : inventory->file,
                       pointer,
                       {},
                       {},
                       {}};
        emitter.emit("suppression of " + quote(key) + " matches no finding", where, {},
                     "suppression" + pointer);
      }
    }
  }
  std::sort(result.rules.begin(), result.rules.end(),
            [](const RuleInfo* a, const RuleInfo* b) { return a->id < b->id; });
  // Baseline entries accept findings by fingerprint.
  for (auto& finding : result.findings) {
    if (finding.suppression) continue;
    const auto it = options.baseline.find(finding.fingerprint());
    if (it == options.baseline.end()) continue;
    finding.suppression = it->second;
    finding.suppression_kind = "external";
  }
  // Resolve pointers to lines, then sort so that outputs diff cleanly between runs.
  auto resolve = [&](Location& location) {
    const bool in_manifest = location.document == Document::manifest || inventory == nullptr;
    const auto& sources = in_manifest ? manifest.sources : inventory->sources;
    if (sources != nullptr) {
      if (const SourceSpot* spot = sources->find(location.pointer)) {
        location.file = spot->file;
        location.range = spot->range;
        return;
      }
    }
    const PositionIndex& index = location.document == Document::manifest || inventory == nullptr
                                     ? manifest.positions
                                     : inventory->positions;
    location.range = index.find(location.pointer);
  };
  for (auto& finding : result.findings) {
    resolve(finding.location);
    for (auto& related : finding.related) resolve(related);
  }
  std::stable_sort(
      result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.location.file, a.location.range.start.line, a.location.range.start.column,
                        a.rule->id,
                        a.message) < std::tie(b.location.file, b.location.range.start.line,
                                              b.location.range.start.column, b.rule->id, b.message);
      });
  return result;
}

}  // namespace deploysim::check
