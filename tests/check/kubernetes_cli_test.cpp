// `deploysim check --kubernetes` as a user runs it: the example, the Helm pipe, --list-rules,
// and the bad-input corpus (tests/data/bad/check_kubernetes: NAME.yaml read as manifests,
// NAME.live.json or NAME.live.yaml read as the live List beside examples/kubernetes/manifests;
// NAME.expected
// holds the message).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "files.hpp"
#include "input/yaml_reader.hpp"
#include "run_command.hpp"

namespace deploysim::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSource(DEPLOYSIM_SOURCE_DIR);
const fs::path kBadDir = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / "check_kubernetes";
const std::string kExample = "examples/kubernetes";

// The 1-based line of the first line of `file` containing `needle`.
int line_of(const fs::path& file, const std::string& needle) {
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(needle) != std::string::npos) return n;
  }
  return -1;
}

bool has_line(const std::string& out, const std::string& start, const std::string& rule) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(start, 0) == 0 && line.find(rule) != std::string::npos) return true;
  }
  return false;
}

TEST(KubernetesCli, ExampleReportsTheStalePodAndTheFlagInTheUsersYaml) {
  const auto result =
      run_deploysim_in(kSource.string(), "check --kubernetes " + kExample +
                                             "/manifests --observed " + kExample + "/live.json");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const fs::path smars = kSource / kExample / "manifests/smars.yaml";
  const std::string image_at =
      kExample + "/manifests/smars.yaml:" + std::to_string(line_of(smars, "image:")) + ":";
  EXPECT_TRUE(has_line(result.out, image_at, "[DS001 version-mismatch]")) << result.out;
  EXPECT_TRUE(has_line(result.out, image_at, "[DS002 flag-version-mismatch]")) << result.out;
  EXPECT_NE(result.out.find("smars-5b7d4c9f88-q8zvw"), std::string::npos);
  // The quote service's old pod is inside its rollout window; its missing ready pod is not.
  EXPECT_EQ(result.out.find("quotes-84f6d9c7b5-w4kzd"), std::string::npos) << result.out;
  const std::string replicas_at =
      kExample + "/manifests/quotes.yaml:" +
      std::to_string(line_of(kSource / kExample / "manifests/quotes.yaml", "replicas: 3")) + ":";
  EXPECT_TRUE(has_line(result.out, replicas_at, "[DS019 fewer-ready-replicas]")) << result.out;
  EXPECT_EQ(result.out.find("DS013"), std::string::npos);
  EXPECT_NE(result.err.find("note: skipped 1 object(s) of kind Service"), std::string::npos);
}

// What a shell script printed on standard output and error, and its exit code.
struct ScriptResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `script` with bash in `directory`, with deploysim first on PATH (run_deploysim reads
// standard input from /dev/null, and pipes are what these tests are about).
ScriptResult run_script(const fs::path& directory, const std::string& script) {
  const fs::path dir =
      fs::temp_directory_path() / ("deploysim-script-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream file(dir / "script.sh");
    file << "cd '" << directory.string() << "'\nexport PATH='"
         << fs::path(DEPLOYSIM_BINARY).parent_path().string() << "':\"$PATH\"\n"
         << script << '\n';
  }
  const int status = std::system(("bash '" + (dir / "script.sh").string() + "' > '" +
                                  (dir / "out").string() + "' 2> '" + (dir / "err").string() + "'")
                                     .c_str());
  ScriptResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                      testing::read_file_text(dir / "out"), testing::read_file_text(dir / "err")};
  fs::remove_all(dir);
  return result;
}

TEST(KubernetesCli, HelmTemplatePipeMapsFindingsToTheTemplates) {
  // rendered.yaml is what `helm template trading smars` prints (the CI job runs helm).
  const auto result = run_script(
      kSource / kExample / "chart",
      "cat rendered.yaml | deploysim check --kubernetes - --observed ../live.json --format json");
  EXPECT_EQ(result.exit_code, 1);
  const auto report = nlohmann::json::parse(result.out);
  const int template_line =
      line_of(kSource / kExample / "chart/smars/templates/smars.yaml", "image:");
  bool found = false;
  for (const auto& finding : report["findings"]) {
    if (finding["rule_id"] == "DS001") {
      EXPECT_EQ(finding["location"]["file"], "smars/templates/smars.yaml");
      EXPECT_EQ(finding["location"]["line"], template_line);
      found = true;
    }
  }
  EXPECT_TRUE(found) << result.out;
}

TEST(KubernetesCli, HelmFindingsFindTheirTemplateLineAcrossMultiLineDirectives) {
  // A chart as `helm create` writes them: labels from a helper, expanded to three lines where
  // the template has one, so counting lines from `# Source:` would miss the image by two.
  const fs::path dir = fs::temp_directory_path() / ("deploysim-helm-" + std::to_string(::getpid()));
  fs::create_directories(dir / "web/templates");
  const std::string template_text =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
      "  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\nspec:\n"
      "  replicas: {{ .Values.replicas }}\n  template:\n    metadata:\n      labels:\n"
      "        {{- include \"web.labels\" . | nindent 8 }}\n    spec:\n      containers:\n"
      "        - name: web\n          image: \"reg.example.com/web:{{ .Values.tag }}\"\n";
  std::ofstream(dir / "web/templates/web.yaml") << template_text;
  std::ofstream(dir / "rendered.yaml")
      << "---\n# Source: web/templates/web.yaml\napiVersion: apps/v1\nkind: Deployment\n"
         "metadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: web\n"
         "    app.kubernetes.io/instance: web\n    app.kubernetes.io/version: \"latest\"\n"
         "spec:\n  replicas: 2\n  template:\n    metadata:\n      labels:\n"
         "        app.kubernetes.io/name: web\n        app.kubernetes.io/instance: web\n"
         "        app.kubernetes.io/version: \"latest\"\n    spec:\n      containers:\n"
         "        - name: web\n          image: \"reg.example.com/web:latest\"\n";
  const auto result =
      run_script(dir, "deploysim check --no-config --kubernetes - < rendered.yaml --format json");
  fs::remove_all(dir);
  ASSERT_EQ(result.exit_code, 0) << result.err;  // DS020 and DS021 are warnings
  const auto report = nlohmann::json::parse(result.out);
  int checked = 0;
  for (const auto& finding : report["findings"]) {
    // The unpinned image and the missing probe, both at the template's image line.
    EXPECT_EQ(finding["location"]["file"], "web/templates/web.yaml");
    EXPECT_EQ(finding["location"]["line"], 16) << finding;
    EXPECT_EQ(finding["location"]["column"], 11) << finding;
    ++checked;
  }
  EXPECT_EQ(checked, 2) << result.out;
}

TEST(KubernetesCli, KustomizeOriginAnnotationsLocateFindingsInTheResourceFiles) {
  // rendered.yaml is what `kustomize build overlays/prod` prints with originAnnotations.
  const std::string pipe =
      "cat rendered.yaml | deploysim check --kubernetes - --observed ../live.json --format json";
  const auto located =
      run_script(kSource / kExample / "kustomize", pipe + " --kustomize-dir overlays/prod");
  EXPECT_EQ(located.exit_code, 1) << located.err;
  const int image_line = line_of(kSource / kExample / "kustomize/base/smars.yaml", "image:");
  const int flag_line = line_of(kSource / kExample / "kustomize/base/flags.yaml", "  power_peg:");
  int checked = 0;
  const auto report = nlohmann::json::parse(located.out);
  for (const auto& finding : report["findings"]) {
    if (finding["rule_id"] == "DS001") {
      EXPECT_EQ(finding["location"]["file"], "base/smars.yaml");
      EXPECT_EQ(finding["location"]["line"], image_line);
      ++checked;
    }
    if (finding["rule_id"] == "DS002") {
      EXPECT_EQ(finding["related"][0]["file"], "base/flags.yaml") << finding;
      EXPECT_EQ(finding["related"][0]["line"], flag_line);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2) << located.out;
  EXPECT_EQ(located.err.find("config.kubernetes.io/origin"), std::string::npos) << located.err;
  // Without the directory the findings stay in the build output, and a note says what to add.
  const auto unlocated = run_script(kSource / kExample / "kustomize", pipe);
  EXPECT_EQ(unlocated.exit_code, 1);
  EXPECT_NE(unlocated.out.find("\"file\": \"-\""), std::string::npos) << unlocated.out;
  EXPECT_NE(unlocated.err.find("note: 2 object(s) name the file kustomize built them from "
                               "(config.kubernetes.io/origin); give --kustomize-dir DIR"),
            std::string::npos)
      << unlocated.err;
}

// The `deploysim check` step of examples/ci/github-actions-kubernetes.yml, run as written in its
// working directory, with `helm` answering what `helm template` printed (chart/rendered.yaml)
// and the live state of the example in $GITHUB_WORKSPACE.
TEST(KubernetesCli, GithubActionsHelmStepRunsAsWritten) {
  const auto documents = input::parse_yaml_documents(
      testing::read_file_text(kSource / "examples/ci/github-actions-kubernetes.yml"), "workflow");
  std::string run;
  std::string directory;
  for (const auto& step : documents.at(0).value["jobs"]["check-kubernetes"]["steps"]) {
    const std::string script = step.value("run", "");
    if (script.find("deploysim check --kubernetes -") == std::string::npos) continue;
    run = script;
    directory = step.value("working-directory", ".");
  }
  ASSERT_NE(run.find("helm template"), std::string::npos) << run;
  const fs::path workspace =
      fs::temp_directory_path() / ("deploysim-gha-" + std::to_string(::getpid()));
  fs::create_directories(workspace);
  fs::copy_file(kSource / kExample / "live.json", workspace / "live.json");
  {
    std::ofstream script(workspace / "step.sh");
    script << "cd '" << (kSource / directory).string() << "'\n"
           << "export GITHUB_WORKSPACE='" << workspace.string() << "' GITHUB_ACTIONS=true\n"
           << "export PATH='" << fs::path(DEPLOYSIM_BINARY).parent_path().string()
           << "':\"$PATH\"\n"
           << "helm() { cat rendered.yaml; }\n"
           << run << '\n';
    ASSERT_TRUE(script.good());
  }
  const int status = std::system(("bash '" + (workspace / "step.sh").string() + "' > '" +
                                  (workspace / "out.txt").string() + "' 2>&1")
                                     .c_str());
  const std::string out = testing::read_file_text(workspace / "out.txt");
  const std::string sarif = testing::read_file_text(workspace / "deploysim.sarif");
  fs::remove_all(workspace);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << out;
  EXPECT_NE(out.find("::error file=smars/templates/smars.yaml,line="), std::string::npos) << out;
  ASSERT_FALSE(sarif.empty());
  EXPECT_FALSE(nlohmann::json::parse(sarif)["runs"][0]["results"].empty());
}

TEST(KubernetesCli, SarifFingerprintsNameWorkloadAndVersionNotPods) {
  const auto result = run_deploysim_in(kSource.string(), "check --kubernetes " + kExample +
                                                             "/manifests --observed " + kExample +
                                                             "/live.json --format sarif");
  const auto sarif = nlohmann::json::parse(result.out);
  std::vector<std::string> fingerprints;
  for (const auto& found : sarif["runs"][0]["results"]) {
    fingerprints.push_back(found["partialFingerprints"]["deploysimEntity/v1"]);
  }
  EXPECT_NE(std::find(fingerprints.begin(), fingerprints.end(), "DS001|host/trading/smars@1.9.3"),
            fingerprints.end());
  for (const auto& fingerprint : fingerprints) {
    EXPECT_EQ(fingerprint.find("q8zvw"), std::string::npos) << fingerprint;
  }
}

TEST(KubernetesCli, ListRulesSaysWhichRulesAreOffForWhichInput) {
  const auto result = run_deploysim("check --list-rules");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("DS013  stale-convergence (warning)"), std::string::npos);
  EXPECT_NE(result.out.find("off for kubernetes input: pods report no convergence time"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("DS021  missing-readiness-probe"), std::string::npos);
}

TEST(KubernetesCli, ManifestAndKubernetesExcludeEachOther) {
  EXPECT_EQ(run_deploysim("check m.json --kubernetes k.yaml").exit_code, 2);
  EXPECT_EQ(run_deploysim("check").exit_code, 2);
}

TEST(KubernetesCli, MillionPodListIsRefusedWithALimit) {
  const fs::path dir = fs::temp_directory_path() / ("deploysim-k8s-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "huge.json");
    out << R"({"apiVersion": "v1", "kind": "List", "items": [)";
    for (int i = 0; i < 1'000'000; ++i) out << (i ? ",{}" : "{}");
    out << "]}\n";
    ASSERT_TRUE(out.good());
  }
  const auto result =
      run_deploysim("check --kubernetes '" + (kSource / kExample / "manifests").string() +
                    "' --observed '" + (dir / "huge.json").string() + "'");
  fs::remove_all(dir);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("huge.json:1:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("/items: expected at most 200000 objects in one List"),
            std::string::npos)
      << result.err;
}

std::vector<std::string> bad_inputs() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    if (entry.path().extension() != ".expected") names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BadKubernetesInput : public ::testing::TestWithParam<std::string> {};

TEST_P(BadKubernetesInput, ExitsTwoWithFileLineAndColumn) {
  const std::string name = GetParam();
  const bool live = name.find(".live.") != std::string::npos;
  const std::string stem = name.substr(0, name.find('.'));
  std::string expected = testing::read_file_text(kBadDir / (stem + ".expected"));
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  const std::string manifests = (kSource / kExample / "manifests").string();
  const auto result = run_deploysim_in(
      kBadDir.string(), live ? "check --kubernetes '" + manifests + "' --observed " + name
                             : "check --kubernetes " + name);
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_EQ(result.err.substr(0, result.err.find('\n')), "error: " + expected);
  EXPECT_EQ(result.err.find(name + ":0:"), std::string::npos);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.find('.'));
  std::replace_if(
      name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) == 0; }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadKubernetesInput, ::testing::ValuesIn(bad_inputs()), test_name);

}  // namespace
}  // namespace deploysim::testing
