// Kubernetes objects as the checker's input: the mapping to groups, hosts and flags, the
// rollout window, the rules for workloads, and where findings point.
#include "check/kubernetes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/rules.hpp"
#include "check_findings.hpp"
#include "input/input_error.hpp"

namespace deploysim::check {
namespace {

// A Deployment `name` at image tag `tag`, written so that the image is on line 14 and
// replicas on line 7.
std::string deployment(const std::string& name, const std::string& tag, int replicas = 2,
                       const std::string& extra_container = "") {
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: " +
         name +
         "\n"
         "  namespace: prod\n"
         "spec:\n"
         "  replicas: " +
         std::to_string(replicas) +
         "\n"
         "  template:\n"
         "    metadata:\n"
         "      labels: {app: " +
         name +
         "}\n"
         "    spec:\n"
         "      containers:\n"
         "        - name: " +
         name +
         "\n"
         "          image: reg.example.com/" +
         name + ":" + tag +
         "\n"
         "          readinessProbe: {tcpSocket: {port: 80}}\n" +
         extra_container;
}

std::string pod_json(const std::string& name, const std::string& rs, const std::string& image,
                     bool ready) {
  return R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ")" + name +
         R"(", "namespace": "prod", "ownerReferences": [{"kind": "ReplicaSet", "name": ")" + rs +
         R"(", "controller": true}]}, "spec": {"containers": [{"name": "web", "image": ")" + image +
         R"("}]}, "status": {"conditions": [{"type": "Ready", "status": ")" +
         (ready ? "True" : "False") + R"("}]}})";
}

std::string rs_json(const std::string& name, int revision) {
  return R"({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": ")" + name +
         R"(", "namespace": "prod", "annotations": {"deployment.kubernetes.io/revision": ")" +
         std::to_string(revision) +
         R"("}, "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}})";
}

std::string deployment_status_json(const std::string& reason) {
  return R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web",
    "namespace": "prod"}, "status": {"conditions": [{"type": "Progressing", "status": "True",
    "reason": ")" +
         reason + R"("}]}})";
}

std::string list_json(const std::vector<std::string>& items) {
  std::string text = R"({"apiVersion": "v1", "kind": "List", "items": [)";
  for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ",\n" : "\n") + items[i];
  return text + "]}";
}

// Web at 2.0 on revision 2, one pod left on revision 1 at 1.0, while the Deployment is
// `reason` (ReplicaSetUpdated: rolling out; NewReplicaSetAvailable: done).
std::string web_live(const std::string& reason, bool all_ready = true) {
  return list_json({deployment_status_json(reason), rs_json("web-new", 2), rs_json("web-old", 1),
                    pod_json("web-new-a", "web-new", "reg.example.com/web:2.0", all_ready),
                    pod_json("web-old-b", "web-old", "reg.example.com/web:1.0", true)});
}

CheckResult check(const std::string& yaml, const std::string* live = nullptr) {
  const std::vector<NamedText> manifests{{"web.yaml", yaml}};
  const NamedText observed{"live.json", live != nullptr ? *live : ""};
  const KubernetesInput input = read_kubernetes(manifests, live != nullptr ? &observed : nullptr);
  return run_check(input.manifest, input.inventory ? &*input.inventory : nullptr);
}

using testing::findings_of;

std::string refusal(const std::string& yaml, const std::string* live = nullptr) {
  try {
    check(yaml, live);
  } catch (const input::InputError& error) {
    return error.problems().front().message();
  }
  return "accepted";
}

TEST(Kubernetes, WorkloadsBecomeGroupsAndReplicasHosts) {
  const std::vector<NamedText> manifests{
      {"web.yaml", deployment("web", "2.0", 3) + "---\n" + deployment("api", "1.1", 1) +
                       "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"}};
  const KubernetesInput input = read_kubernetes(manifests, nullptr);
  ASSERT_EQ(input.manifest.groups.size(), 2u);
  EXPECT_EQ(input.manifest.groups[0].name, "prod/web");
  EXPECT_EQ(input.manifest.groups[0].version, "2.0");
  EXPECT_EQ(input.manifest.groups[0].hosts.size(), 3u);
  EXPECT_EQ(input.manifest.kind, InputKind::kubernetes);
  EXPECT_EQ(input.skipped.at("Service"), 1u);
}

TEST(Kubernetes, StalePodAfterTheRolloutIsAVersionMismatchAtTheImageLine) {
  const std::string live = web_live("NewReplicaSetAvailable");
  const auto result = check(deployment("web", "2.0"), &live);
  const auto found = findings_of(result, "DS001");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0]->message.find("\"web-old-b\" runs \"1.0\""), std::string::npos);
  EXPECT_EQ(found[0]->location.file, "web.yaml");
  EXPECT_EQ(found[0]->location.range.start.line, 14);
  // Keyed by workload and version: a rescheduled pod keeps the fingerprint.
  EXPECT_EQ(found[0]->fingerprint(), "DS001|host/prod/web@1.0");
  EXPECT_EQ(findings_of(result, "DS014").size(), 1u);
}

TEST(Kubernetes, OldReplicaSetInsideARolloutWindowIsNotReported) {
  const std::string live = web_live("ReplicaSetUpdated");
  const auto result = check(deployment("web", "2.0"), &live);
  EXPECT_TRUE(findings_of(result, "DS001").empty());
  EXPECT_TRUE(findings_of(result, "DS014").empty());
  EXPECT_TRUE(findings_of(result, "DS019").empty());
}

TEST(Kubernetes, MissingReadyReplicaIsReportedEvenInARolloutWindow) {
  const std::string live = web_live("ReplicaSetUpdated", false);
  const auto result = check(deployment("web", "2.0"), &live);
  const auto found = findings_of(result, "DS019");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->message, "Deployment \"prod/web\" has 1 ready pod(s) of the 2 it declares");
  EXPECT_EQ(found[0]->location.range.start.line, 7);
}

TEST(Kubernetes, NoConvergenceOrInventoryRulesOnPods) {
  const std::string live = web_live("NewReplicaSetAvailable");
  const auto result = check(deployment("web", "2.0"), &live);
  for (const auto* rule : result.rules) {
    EXPECT_TRUE(rule->id != "DS013" && rule->id != "DS016" && rule->id != "DS017") << rule->id;
  }
  EXPECT_FALSE(not_applicable(*find_rule("DS013"), InputKind::kubernetes).empty());
}

TEST(Kubernetes, FlagMeaningIsCheckedPerPodVersionAndPointsAtTheUsersYaml) {
  const std::string web =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n"
      "  annotations:\n    deploysim.io/versions: '{\"1.0\": {\"beta\": \"old_path\"}, "
      "\"2.0\": {\"beta\": \"new_path\"}}'\n"
      "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
      "          image: reg.example.com/web:2.0\n          readinessProbe: {exec: {}}\n"
      "          envFrom: [{configMapRef: {name: flags}}]\n"
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: prod\n"
      "  annotations:\n    deploysim.io/flags: beta\n    deploysim.io/meaning.beta: new_path\n"
      "data:\n  beta: \"true\"\n  other: x\n";
  const std::string live = web_live("NewReplicaSetAvailable");
  const auto result = check(web, &live);
  const auto found = findings_of(result, "DS002");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0]->message.find("maps it to \"old_path\", not to its meaning \"new_path\""),
            std::string::npos);
  EXPECT_EQ(found[0]->location.range.start.line, 13);  // the image
  ASSERT_FALSE(found[0]->related.empty());
  EXPECT_EQ(found[0]->related[0].range.start.line, 26);  // the ConfigMap key
  // The flag off in the ConfigMap: nothing to report.
  std::string off = web;
  off.replace(off.find("beta: \"true\""), 12, "beta: \"false\"");
  EXPECT_TRUE(findings_of(check(off, &live), "DS002").empty());
}

TEST(Kubernetes, FlagsAreTheConfigMapKeysThatReachContainers) {
  const std::string config_map =
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: prod\n"
      "  annotations:\n    deploysim.io/flags: beta, gamma\ndata:\n  beta: \"on\"\n"
      "  gamma: \"false\"\n";
  // One key read through valueFrom: only that key is a flag of the workload.
  const std::string one_key =
      deployment("web", "2.0", 2,
                 "          env:\n            - name: BETA\n              valueFrom:\n"
                 "                configMapKeyRef: {name: flags, key: beta}\n");
  const KubernetesInput input = read_kubernetes({{"web.yaml", one_key + config_map}}, nullptr);
  ASSERT_EQ(input.manifest.flags.size(), 1u);
  EXPECT_EQ(input.manifest.flags[0].name, "beta");
  EXPECT_TRUE(input.manifest.flags[0].on);  // "on" is on
  EXPECT_EQ(input.manifest.flags[0].scope, std::vector<std::string>{"prod/web"});
  // No container reads the ConfigMap: no flag, rather than a flag scoped everywhere.
  const KubernetesInput unread =
      read_kubernetes({{"web.yaml", deployment("web", "2.0") + config_map}}, nullptr);
  EXPECT_TRUE(unread.manifest.flags.empty());
}

TEST(Kubernetes, UnpinnedImageFiresOnLatestAndIsSilentOnTagsAndDigests) {
  const auto result = check(deployment("web", "latest"));
  const auto latest = findings_of(result, "DS020");
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0]->location.range.start.line, 14);
  EXPECT_TRUE(findings_of(check(deployment("web", "1.4.2")), "DS020").empty());
  std::string digest = deployment("web", "1.4.2");
  digest.replace(digest.find(":1.4.2"), 6, "@sha256:0123abcd");
  EXPECT_TRUE(findings_of(check(digest), "DS020").empty());
}

TEST(Kubernetes, MissingReadinessProbeOnlyWhereARollingUpdateGatesOnIt) {
  std::string web = deployment("web", "1.0");
  web.erase(web.find("          readinessProbe"));
  ASSERT_EQ(findings_of(check(web), "DS021").size(), 1u);
  std::string recreate = web;
  recreate.replace(recreate.find("  replicas: 2\n"), 14,
                   "  replicas: 2\n  strategy: {type: Recreate}\n");
  EXPECT_TRUE(findings_of(check(recreate), "DS021").empty());
  EXPECT_TRUE(findings_of(check(deployment("web", "1.0")), "DS021").empty());
  // The pod is ready when all its containers are: the application's probe gates it, and a
  // sidecar without one is no finding.
  std::string with_sidecar = deployment("web", "1.0");
  with_sidecar += "        - name: proxy\n          image: reg.example.com/proxy:1.28\n";
  EXPECT_TRUE(findings_of(check(with_sidecar), "DS021").empty()) << with_sidecar;
  std::string neither =
      web + "        - name: proxy\n          image: reg.example.com/proxy:1.28\n";
  const auto neither_result = check(neither);
  const auto both_without = findings_of(neither_result, "DS021");
  ASSERT_EQ(both_without.size(), 1u);
  EXPECT_EQ(both_without[0]->fingerprint(), "DS021|workload/prod/web/readiness");
}

TEST(Kubernetes, ObservedListAsYamlGivesWhatItsJsonGives) {
  // kubectl get -o yaml of the same objects: flow mappings are YAML, and so is JSON itself, so
  // the List is written as block YAML the way kubectl writes it.
  const std::string json = web_live("NewReplicaSetAvailable");
  const nlohmann::json list = nlohmann::json::parse(json);
  std::string yaml = "apiVersion: v1\nkind: List\nitems:\n";
  for (const auto& item : list["items"]) yaml += "- " + item.dump() + "\n";
  const auto from_json = check(deployment("web", "2.0"), &json);
  const auto from_yaml = check(deployment("web", "2.0"), &yaml);
  ASSERT_EQ(findings_of(from_json, "DS001").size(), 1u);
  ASSERT_EQ(from_yaml.findings.size(), from_json.findings.size());
  for (std::size_t i = 0; i < from_json.findings.size(); ++i) {
    EXPECT_EQ(from_yaml.findings[i].fingerprint(), from_json.findings[i].fingerprint());
  }
  std::string misplaced = yaml;
  misplaced.replace(misplaced.find("kind: List"), 10, "kind: Pod");
  EXPECT_EQ(refusal(deployment("web", "2.0"), &misplaced),
            "live.json:2:1: /kind: expected \"List\", what `kubectl get "
            "pods,replicasets,deployments -o json` prints, found \"Pod\"");
}

TEST(Kubernetes, KeysTheCheckerDoesNotReadAreNotTakenForMisspellings) {
  // The keys of a real Deployment, many of them one or two letters from a key the checker reads
  // in a looser sense (livenessProbe, initContainers, selector, value).
  const std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  uid: 4b1c
  generation: 3
  labels: {app: web}
  finalizers: []
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  minReadySeconds: 5
  revisionHistoryLimit: 3
  progressDeadlineSeconds: 600
  paused: false
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}, annotations: {a: b}}
    spec:
      serviceAccountName: web
      nodeSelector: {pool: apps}
      tolerations: []
      initContainers:
        - {name: init, image: "reg.example.com/init:1.0"}
      volumes: []
      containers:
        - name: web
          image: reg.example.com/web:1.0
          imagePullPolicy: IfNotPresent
          args: [serve]
          command: [web]
          ports: [{containerPort: 8080}]
          env:
            - {name: MODE, value: fast}
          resources: {limits: {cpu: "1"}}
          livenessProbe: {tcpSocket: {port: 8080}}
          startupProbe: {tcpSocket: {port: 8080}}
          readinessProbe: {tcpSocket: {port: 8080}}
          volumeMounts: []
          securityContext: {runAsNonRoot: true}
          tty: false
          stdin: false
)";
  EXPECT_TRUE(check(yaml).findings.empty());
  std::string misspelt = yaml;
  misspelt.replace(misspelt.find("  replicas: 2"), 13, "  replcas: 2");
  EXPECT_EQ(refusal(misspelt),
            "web.yaml:11:3: /spec/replcas: unknown key \"replcas\"; did you mean \"replicas\"?");
}

// A StatefulSet of three databases and a DaemonSet whose version is a pod label.
const std::string kStatefulAndDaemon = R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: prod}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: db
          image: reg.example.com/db:15.4
          readinessProbe: {exec: {command: [ready]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: prod
  annotations: {deploysim.io/version-label: app.kubernetes.io/version}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/version: "2.3"}}
    spec:
      containers:
        - name: agent
          image: reg.example.com/agent@sha256:0123
          readinessProbe: {tcpSocket: {port: 9100}}
)";

// A pod owned directly by a StatefulSet or DaemonSet.
std::string owned_pod_json(const std::string& name, const std::string& kind,
                           const std::string& owner, const std::string& image,
                           const std::string& version_label, bool ready = true) {
  return R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ")" + name +
         R"(", "namespace": "prod", "labels": {"app.kubernetes.io/version": ")" + version_label +
         R"("}, "ownerReferences": [{"kind": ")" + kind + R"(", "name": ")" + owner +
         R"(", "controller": true}]}, "spec": {"containers": [{"name": ")" + owner +
         R"(", "image": ")" + image + R"("}]}, "status": {"conditions": [{"type": "Ready",
         "status": ")" +
         (ready ? "True" : "False") + R"("}]}})";
}

// db-2 on 15.3 while the StatefulSet's revisions are `current` and `update`; the DaemonSet
// should run on 3 nodes, agent-z reports 2.2 and agent-y is not ready.
std::string stateful_and_daemon_live(const std::string& current, const std::string& update) {
  const std::string db = "reg.example.com/db:";
  const std::string agent = "reg.example.com/agent@sha256:0123";
  return list_json({R"({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db",
          "namespace": "prod"}, "status": {"currentRevision": ")" +
                        current + R"(", "updateRevision": ")" + update + R"("}})",
                    R"({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent",
          "namespace": "prod"}, "status": {"desiredNumberScheduled": 3}})",
                    owned_pod_json("db-0", "StatefulSet", "db", db + "15.4", ""),
                    owned_pod_json("db-1", "StatefulSet", "db", db + "15.4", ""),
                    owned_pod_json("db-2", "StatefulSet", "db", db + "15.3", ""),
                    owned_pod_json("agent-x", "DaemonSet", "agent", agent, "2.3"),
                    owned_pod_json("agent-y", "DaemonSet", "agent", agent, "2.3", false),
                    owned_pod_json("agent-z", "DaemonSet", "agent", agent, "2.2")});
}

TEST(Kubernetes, StatefulSetAndDaemonSetPodsAreCheckedLikeDeploymentPods) {
  const std::string settled = stateful_and_daemon_live("db-7", "db-7");
  const auto result = check(kStatefulAndDaemon, &settled);
  const auto mismatches = findings_of(result, "DS001");
  ASSERT_EQ(mismatches.size(), 2u);
  // The StatefulSet's stale pod at its image; the DaemonSet's version is its label.
  EXPECT_EQ(mismatches[0]->fingerprint(), "DS001|host/prod/db@15.3");
  EXPECT_EQ(mismatches[0]->location.range.start.line, 10);
  EXPECT_EQ(mismatches[1]->fingerprint(), "DS001|host/prod/agent@2.2");
  // A version read from a label is located at the label.
  EXPECT_EQ(mismatches[1]->location.range.start.line, 21);
  // A DaemonSet's desired pods are the live status's desiredNumberScheduled.
  const auto not_ready = findings_of(result, "DS019");
  ASSERT_EQ(not_ready.size(), 1u);
  EXPECT_NE(not_ready[0]->message.find("DaemonSet \"prod/agent\" has 2 ready pod(s) of the 3"),
            std::string::npos)
      << not_ready[0]->message;
  // During a StatefulSet's rolling update its pods on the old revision are expected.
  const std::string rolling = stateful_and_daemon_live("db-7", "db-8");
  const auto during = check(kStatefulAndDaemon, &rolling);
  ASSERT_EQ(findings_of(during, "DS001").size(), 1u);
  EXPECT_EQ(findings_of(during, "DS001")[0]->fingerprint(), "DS001|host/prod/agent@2.2");
}

// A Rollout whose first step sends `first_weight` percent of traffic to the canary, then waits
// `first_gate`; the second step (100%) is gated by an analysis.
std::string argo_rollout(int first_weight, const std::string& first_gate) {
  return "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n"
         "  namespace: prod\nspec:\n  replicas: 10\n  strategy:\n    canary:\n"
         "      steps:\n        - setWeight: " +
         std::to_string(first_weight) + "\n        - " + first_gate +
         "\n        - setWeight: 100\n"
         "        - analysis: {templates: [{templateName: success-rate}]}\n"
         "  template:\n    spec:\n      containers:\n        - name: web\n"
         "          image: reg.example.com/web:2.0\n          readinessProbe: {exec: {}}\n";
}

TEST(Kubernetes, ArgoRolloutCanaryStepsGoThroughTheRolloutPlanRules) {
  const auto result = check(argo_rollout(50, "pause: {duration: 10m}"));
  const auto large = findings_of(result, "DS010");
  ASSERT_EQ(large.size(), 1u);
  EXPECT_NE(large[0]->message.find("has 5 of 10 hosts"), std::string::npos) << large[0]->message;
  EXPECT_EQ(large[0]->location.range.start.line, 11);
  // A timed pause promotes by itself: it is no health gate.
  const auto ungated = findings_of(result, "DS008");
  ASSERT_EQ(ungated.size(), 1u);
  EXPECT_EQ(ungated[0]->location.range.start.line, 11);
  EXPECT_TRUE(findings_of(result, "DS009").empty());
  // A small canary that waits for an analysis, or for a person, passes.
  for (const char* gate : {"analysis: {templates: [{templateName: errors}]}", "pause: {}"}) {
    const auto gated = check(argo_rollout(10, gate));
    EXPECT_TRUE(findings_of(gated, "DS008").empty()) << gate;
    EXPECT_TRUE(findings_of(gated, "DS010").empty()) << gate;
  }
}

TEST(Kubernetes, HelmSourceCommentsNameTheTemplate) {
  const std::string rendered =
      "---\n# Source: web/templates/deployment.yaml\n" + deployment("web", "latest");
  const auto result = check(rendered);
  const auto found = findings_of(result, "DS020");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->location.file, "web/templates/deployment.yaml");
  EXPECT_EQ(found[0]->location.range.start.line, 14);
}

TEST(Kubernetes, AListOverTheLimitIsRefusedBeforeItIsBuilt) {
  const std::string live = web_live("NewReplicaSetAvailable");  // 5 items
  const std::vector<NamedText> manifests{{"web.yaml", deployment("web", "2.0")}};
  const NamedText observed{"live.json", live};
  KubernetesOptions options;
  options.max_observed_items = 4;
  for (const std::size_t count_above : {std::size_t{0}, live.size()}) {
    options.count_items_above_bytes = count_above;  // counted first, or built and then counted
    try {
      read_kubernetes(manifests, &observed, options);
      ADD_FAILURE() << "accepted";
    } catch (const input::InputError& error) {
      EXPECT_NE(error.problems().front().message().find(
                    "live.json:1:47: /items: expected at most 4 objects in one List"),
                std::string::npos)
          << error.problems().front().message();
    }
  }
  options.max_observed_items = 5;
  options.count_items_above_bytes = 0;
  EXPECT_EQ(read_kubernetes(manifests, &observed, options).inventory->hosts.size(), 2u);
}

TEST(Kubernetes, BadInputIsLocated) {
  EXPECT_EQ(refusal(deployment("web", "1.0").replace(0, 19, "apiVersion: apps/v2")),
            "web.yaml:1:1: /apiVersion: expected \"apps/v1\" for kind Deployment, found "
            "\"apps/v2\"");
  std::string untagged = deployment("web", "1.0");
  untagged.replace(untagged.find(":1.0"), 4, "");
  EXPECT_NE(refusal(untagged).find("web.yaml:14:11: /spec/template/spec/containers/0/image: "
                                   "expected an image with a tag or digest"),
            std::string::npos);
  const std::string empty = list_json({});
  EXPECT_NE(refusal(deployment("web", "1.0"), &empty).find("live.json:1:"), std::string::npos);
  const std::string orphan = list_json({R"({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "stray", "namespace": "prod"}, "spec": {"containers": []}})"});
  EXPECT_NE(refusal(deployment("web", "1.0"), &orphan)
                .find("live.json:3:19: /items/0/metadata: "
                      "expected ownerReferences"),
            std::string::npos)
      << refusal(deployment("web", "1.0"), &orphan);
}

}  // namespace
}  // namespace deploysim::check
