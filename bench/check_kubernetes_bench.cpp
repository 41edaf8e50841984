// `deploysim check --kubernetes` at the size of a large cluster: 500 Deployments (each with a
// flag ConfigMap) read as YAML, checked against a live List of 20,000 pods, their ReplicaSets,
// Deployments and ConfigMaps (about 21,500 objects). Inconsistencies are planted at fixed
// strides: a stale pod on an old ReplicaSet in every 25th Deployment, a pod not ready in every
// 50th, a rollout under way in every 40th (its old pods must not be reported), an unpinned
// image in every 100th, a flag whose meaning an old version gets wrong.
//
// It times the whole check in CPU time on one thread, phase by phase and end to end, against a
// baseline
// measured in the same run: parsing the same live List with nlohmann::json alone, the least any
// reader of it must do. It prints the peak resident memory, and compares the JSON report with
// bench/golden/check_kubernetes_report.json (exit 1 if it differs).
//
//   check_kubernetes_bench                      time, measure memory, compare with the golden
//   check_kubernetes_bench --update-golden      write the golden report
//   check_kubernetes_bench --write-inputs=DIR   write DIR/manifests.yaml and DIR/live.json

#include <sys/resource.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "check/kubernetes.hpp"
#include "check/report.hpp"
#include "check/rules.hpp"

namespace {

using namespace deploysim::check;

constexpr int kDeployments = 500;
constexpr int kPodsEach = 40;

std::string deployment_yaml(int d) {
  const std::string name = "svc-" + std::to_string(d);
  const std::string tag = d % 100 == 7 ? "latest" : "2." + std::to_string(d % 5) + ".0";
  std::ostringstream out;
  out << "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " << name
      << "\n  namespace: ns-" << d % 20 << "\n  labels: {app: " << name << ", team: t" << d % 7
      << "}\n  annotations:\n    deploysim.io/versions: '{\"1.9.0\": "
      << "{\"fast_path\": \"legacy\"}, \"" << tag << "\": {\"fast_path\": \"new\"}}'\nspec:\n"
      << "  replicas: " << kPodsEach << "\n  selector:\n    matchLabels: {app: " << name
      << "}\n  template:\n    metadata:\n      labels: {app: " << name
      << "}\n    spec:\n      containers:\n        - name: app\n"
      << "          image: registry.example.com/team/" << name << ":" << tag << "\n"
      << "          ports: [{containerPort: 8080}]\n"
      << "          resources: {requests: {cpu: 100m, memory: 128Mi}}\n"
      << "          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n"
      << "          envFrom: [{configMapRef: {name: " << name << "-flags}}]\n"
      << "        - name: proxy\n          image: registry.example.com/proxy:1.27.3\n"
      << "          readinessProbe: {tcpSocket: {port: 15000}}\n"
      << "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " << name
      << "-flags\n  namespace: ns-" << d % 20 << "\n  annotations:\n"
      << "    deploysim.io/flags: fast_path\n    deploysim.io/meaning.fast_path: new\ndata:\n"
      << "  fast_path: \"" << (d % 2 == 0 ? "true" : "false") << "\"\n  log_level: info\n";
  return out.str();
}

std::string manifests_yaml() {
  std::string text;
  for (int d = 0; d < kDeployments; ++d) text += deployment_yaml(d);
  return text;
}

void live_objects(int d, std::ostringstream& out) {
  const std::string name = "svc-" + std::to_string(d);
  const std::string ns = "ns-" + std::to_string(d % 20);
  const std::string tag = d % 100 == 7 ? "latest" : "2." + std::to_string(d % 5) + ".0";
  const bool rolling = d % 40 == 3;
  const std::string reason = rolling ? "ReplicaSetUpdated" : "NewReplicaSetAvailable";
  out << R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" << name
      << R"(","namespace":")" << ns << R"("},"spec":{"replicas":)" << kPodsEach
      << R"(},"status":{"conditions":[{"type":"Progressing","status":"True","reason":")" << reason
      << R"("}]}},)" << '\n';
  for (const int revision : {1, 2}) {
    out << R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":")" << name << "-rs"
        << revision << R"(","namespace":")" << ns
        << R"(","annotations":{"deployment.kubernetes.io/revision":")" << revision
        << R"("},"ownerReferences":[{"kind":"Deployment","name":")" << name
        << R"(","controller":true}]}},)" << '\n';
  }
  out << R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" << name
      << R"(-flags","namespace":")" << ns << R"("},"data":{"fast_path":")"
      << (d % 2 == 0 ? "true" : "false") << R"(","log_level":"info"}},)" << '\n';
  for (int p = 0; p < kPodsEach; ++p) {
    // Old pods: the last one of every 25th Deployment (stale), the last four while rolling out.
    const bool old = (d % 25 == 0 && p == kPodsEach - 1) || (rolling && p >= kPodsEach - 4);
    const bool ready = !(d % 50 == 1 && p == 0);
    out << R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" << name << "-rs"
        << (old ? 1 : 2) << "-" << p << R"(","namespace":")" << ns << R"(","labels":{"app":")"
        << name << R"("},"ownerReferences":[{"kind":"ReplicaSet","name":")" << name << "-rs"
        << (old ? 1 : 2) << R"(","controller":true}]},"spec":{"containers":[{"name":"app",)"
        << R"("image":"registry.example.com/team/)" << name << ":" << (old ? "1.9.0" : tag)
        << R"("},{"name":"proxy","image":"registry.example.com/proxy:1.27.3"}]},)"
        << R"("status":{"phase":"Running","conditions":[{"type":"Ready","status":")"
        << (ready ? "True" : "False") << R"("}]}})"
        << (d + 1 < kDeployments || p + 1 < kPodsEach ? ",\n" : "\n");
  }
}

std::string live_json() {
  std::ostringstream out;
  out << R"({"apiVersion":"v1","kind":"List","items":[)" << '\n';
  for (int d = 0; d < kDeployments; ++d) live_objects(d, out);
  out << "]}\n";
  return out.str();
}

// CPU time of this process: on a machine shared with other builds, wall-clock time measures
// the neighbours; the target is for one core, which CPU time measures.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double seconds_since(double start) {
  return cpu_seconds() - start;
}

// The whole check as the CLI runs it, returning the JSON report.
std::string check_once(const std::string& yaml, const std::string& live, double* read_s,
                       double* check_s) {
  const auto start = cpu_seconds();
  const NamedText observed{"live.json", live};
  const KubernetesInput input = read_kubernetes({{"manifests.yaml", yaml}}, &observed);
  *read_s = seconds_since(start);
  const auto checking = cpu_seconds();
  const CheckResult result = run_check(input.manifest, &*input.inventory);
  std::ostringstream report;
  ReportContext context;
  context.exit_code = 1;
  write_report(report, Format::json, result, context);
  *check_s = seconds_since(checking);
  return report.str();
}

int write_inputs(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "manifests.yaml") << manifests_yaml();
  std::ofstream(dir / "live.json") << live_json();
  std::cout << "wrote " << (dir / "manifests.yaml").string() << " and "
            << (dir / "live.json").string() << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view arg = argc > 1 ? argv[1] : "";
  if (arg.substr(0, 15) == "--write-inputs=") return write_inputs(std::string(arg.substr(15)));
  const std::string yaml = manifests_yaml();
  const std::string live = live_json();
  std::printf("inputs: manifests.yaml %.1f MB, live.json %.1f MB\n",
              static_cast<double>(yaml.size()) / 1e6, static_cast<double>(live.size()) / 1e6);
  // Best of three, for the check and for the baseline alike.
  double best = 1e9;
  double best_read = 0;
  double best_check = 0;
  double baseline = 1e9;
  std::string report;
  for (int run = 0; run < 3; ++run) {
    auto start = cpu_seconds();
    const auto document = nlohmann::json::parse(live);
    baseline = std::min(baseline, seconds_since(start));
    double read_s = 0;
    double check_s = 0;
    start = cpu_seconds();
    report = check_once(yaml, live, &read_s, &check_s);
    if (seconds_since(start) < best) {
      best = seconds_since(start);
      best_read = read_s;
      best_check = check_s;
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("baseline (nlohmann::json::parse of live.json): %.3f s CPU\n", baseline);
  std::printf(
      "check --kubernetes: %.3f s CPU (read %.3f s, rules and report %.3f s), %.2fx the "
      "baseline; target < 1 s\n",
      best, best_read, best_check, best / baseline);
  std::printf("peak resident memory: %.0f MB; target < 500 MB\n",
              static_cast<double>(usage.ru_maxrss) / 1024.0);
  const std::filesystem::path golden =
      std::filesystem::path(DEPLOYSIM_SOURCE_DIR) / "bench/golden/check_kubernetes_report.json";
  if (arg == "--update-golden") {
    std::ofstream(golden) << report;
    std::printf("wrote %s\n", golden.string().c_str());
    return 0;
  }
  std::ifstream in(golden);
  std::stringstream expected;
  expected << in.rdbuf();
  const bool same = expected.str() == report;
  std::printf("golden report: %s\n", same ? "identical" : "DIFFERS (or missing)");
  return same && best < 1.0 ? 0 : 1;
}
