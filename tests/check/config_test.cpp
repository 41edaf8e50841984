// The configuration file: reading it strictly (tests/data/bad/check_config holds one mistake per
// file with the exact message), finding it upward to the repository root, and its place in the
// precedence of defaults, file, manifest and command line.
#include "check/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "files.hpp"
#include "input/input_error.hpp"
#include "run_command.hpp"

namespace deploysim::check {
namespace {

namespace fs = std::filesystem;

const fs::path kBadDir = fs::path(DEPLOYSIM_TEST_DATA) / "bad" / "check_config";
const std::string kConfigExamples = std::string(DEPLOYSIM_SOURCE_DIR) + "/examples/";

// A fresh directory per test, removed afterwards; random because build directories may run the
// same test at the same time.
class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("deploysim-config-test-" + std::to_string(std::random_device()()))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

// ---- The bad-input corpus ----

std::vector<std::string> bad_configs() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(CheckConfigCorpus, EveryFileHasItsExpectedMessage) {
  EXPECT_GE(bad_configs().size(), 15u);
  for (const auto& name : bad_configs()) {
    EXPECT_TRUE(fs::exists(kBadDir / (fs::path(name).stem().string() + ".expected"))) << name;
  }
}

class BadConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(BadConfig, FailsWithTheExpectedMessageAtALine) {
  const std::string name = GetParam();
  std::string expected =
      testing::read_file_text(kBadDir / (fs::path(name).stem().string() + ".expected"));
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) {
    expected.pop_back();
  }
  try {
    parse_check_config(testing::read_file_text(kBadDir / name), name);
    ADD_FAILURE() << name << " was accepted";
  } catch (const input::InputError& error) {
    EXPECT_EQ(error.what(), expected);
    for (const auto& problem : error.problems()) {
      EXPECT_EQ(problem.file, name);
      // Every problem but an empty file's has a place a person can jump to.
      if (name != "empty_file.json") {
        EXPECT_GT(problem.line, 0) << problem.message();
      }
    }
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  std::replace_if(
      name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) == 0; }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadConfig, ::testing::ValuesIn(bad_configs()), test_name);

// ---- Reading a good file ----

TEST(CheckConfig, ReadsEverySetting) {
  const CheckConfig config = parse_check_config(R"({
    "$schema": "core/check/check-config.schema.json", "config_version": 1, "note": "why",
    "fail_on": "warning", "exit_zero": true, "baseline": "ci/baseline.json",
    "rules": {"DS017": "off", "mixed-versions": "error", "DS008": "on",
              "canary-too-large": {"enabled": true, "severity": "note", "note": "small fleet"},
              "DS013": {"enabled": false}},
    "policy": {"canary_max_percent": 5, "max_convergence_age": "12h",
               "mixed_version_window": "2h"}})",
                                                "repo/.deploysim-check.json");
  EXPECT_EQ(config.fail_on, Severity::warning);
  EXPECT_EQ(config.exit_zero, true);
  // Relative to the file, so that the same file works from any directory below it.
  EXPECT_EQ(config.baseline, "repo/ci/baseline.json");
  EXPECT_EQ(config.enabled.at("DS017"), false);
  EXPECT_EQ(config.enabled.at("DS014"), true);
  EXPECT_EQ(config.severity.at("DS014"), Severity::error);
  EXPECT_EQ(config.enabled.at("DS008"), true);
  EXPECT_EQ(config.severity.count("DS008"), 0u);  // "on" keeps the default severity
  EXPECT_EQ(config.severity.at("DS010"), Severity::note);
  EXPECT_EQ(config.enabled.at("DS013"), false);
  const Policy policy = config.apply_to(Policy{});
  EXPECT_EQ(policy.canary_max_percent, 5.0);
  EXPECT_EQ(policy.max_convergence_age, engine::Duration::hours(12));
  EXPECT_EQ(policy.mixed_version_window, engine::Duration::hours(2));
}

TEST(CheckConfig, ReadsWhereKubernetesAndAnsibleInputHoldVersionsAndFlags) {
  const CheckConfig config = parse_check_config(R"({"config_version": 1,
    "kubernetes": {"version_label": "app.kubernetes.io/version"},
    "ansible": {"version_var": "release", "version_fact": "ansible_local.app.version",
                "flag_vars": ["power_peg", "beta"]}})",
                                                ".deploysim-check.json");
  EXPECT_EQ(config.version_label, "app.kubernetes.io/version");
  EXPECT_EQ(config.ansible_version_var, "release");
  EXPECT_EQ(config.ansible_version_fact, "ansible_local.app.version");
  ASSERT_TRUE(config.ansible_flag_vars.has_value());
  EXPECT_EQ(config.ansible_flag_vars->size(), 2u);
  EXPECT_FALSE(parse_check_config(R"({"config_version": 1})", "c.json").version_label);
}

TEST(CheckConfig, UnsetSettingsStayUnset) {
  const CheckConfig config = parse_check_config(R"({"config_version": 1})", "c.json");
  EXPECT_FALSE(config.fail_on);
  EXPECT_FALSE(config.exit_zero);
  EXPECT_FALSE(config.baseline);
  EXPECT_TRUE(config.enabled.empty());
  const Policy policy = config.apply_to(Policy{});
  EXPECT_EQ(policy.canary_max_percent, Policy{}.canary_max_percent);
}

// ---- Discovery ----

TEST(CheckConfigDiscovery, FindsTheNearestFileUpward) {
  const TempDir dir;
  dir.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  dir.write("repo/.deploysim-check.json", "{}");
  dir.write("repo/services/web/.deploysim-check.json", "{}");
  fs::create_directories(dir.path() / "repo/services/web/deploy");
  fs::create_directories(dir.path() / "repo/services/db");
  EXPECT_EQ(find_check_config(dir.path() / "repo/services/web/deploy"),
            dir.path() / "repo/services/web/.deploysim-check.json");
  EXPECT_EQ(find_check_config(dir.path() / "repo/services/db"),
            dir.path() / "repo/.deploysim-check.json");
  EXPECT_EQ(find_check_config(dir.path() / "repo"), dir.path() / "repo/.deploysim-check.json");
}

// A dangling link or a link loop is found, so that reading it reports the problem instead of
// the check silently running with the defaults.
TEST(CheckConfigDiscovery, FindsBrokenLinksToReportThem) {
  const TempDir dir;
  dir.write("dangling/.git/HEAD", "ref: refs/heads/main\n");
  fs::create_symlink(dir.path() / "dangling/nowhere.json",
                     dir.path() / "dangling/.deploysim-check.json");
  EXPECT_EQ(find_check_config(dir.path() / "dangling"),
            dir.path() / "dangling/.deploysim-check.json");
  dir.write("loop/.git/HEAD", "ref: refs/heads/main\n");
  fs::create_symlink(dir.path() / "loop/.deploysim-check.json",
                     dir.path() / "loop/.deploysim-check.json");
  EXPECT_EQ(find_check_config(dir.path() / "loop"), dir.path() / "loop/.deploysim-check.json");
}

TEST(CheckConfigDiscovery, StopsAtTheRepositoryRoot) {
  const TempDir dir;
  // A file above the repository belongs to something else and must not apply.
  dir.write(".deploysim-check.json", "{}");
  dir.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  fs::create_directories(dir.path() / "repo/a/b");
  EXPECT_FALSE(find_check_config(dir.path() / "repo/a/b"));
  EXPECT_FALSE(find_check_config(dir.path() / "repo"));
  // A worktree's .git is a file; it marks the root just the same.
  dir.write("worktree/.git", "gitdir: /elsewhere\n");
  fs::create_directories(dir.path() / "worktree/sub");
  EXPECT_FALSE(find_check_config(dir.path() / "worktree/sub"));
  // Outside any repository the search goes on to the filesystem root.
  fs::create_directories(dir.path() / "plain/sub");
  EXPECT_EQ(find_check_config(dir.path() / "plain/sub"), dir.path() / ".deploysim-check.json");
}

TEST(CheckConfigDiscovery, NamesTheFileRelativeToARelativeStart) {
  const TempDir dir;
  dir.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  dir.write("repo/.deploysim-check.json", "{}");
  fs::create_directories(dir.path() / "repo/a/b");
  const fs::path previous = fs::current_path();
  fs::current_path(dir.path() / "repo/a/b");
  const auto found = find_check_config(".");
  const auto here = find_check_config("../..");
  fs::current_path(previous);
  EXPECT_EQ(found, fs::path("../../.deploysim-check.json"));
  EXPECT_EQ(here, fs::path("../../.deploysim-check.json"));
}

// ---- Precedence, through the command ----

// The Knight example copied into a repository: without configuration DS001 and DS002 fail the
// check with errors, and warnings (DS003, DS008, DS009) remain.
class ConfigPrecedence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    fs::create_directories(dir_.path() / "repo/deploy");
    fs::copy_file(kConfigExamples + "knight_capital/manifest.json", dir_.path() / "repo/m.json");
    fs::copy_file(kConfigExamples + "knight_capital/inventory.json", dir_.path() / "repo/i.json");
  }
  // Runs `deploysim check` in repo/deploy.
  deploysim::testing::CommandResult check(const std::string& args) const {
    return deploysim::testing::run_deploysim_in(
        (dir_.path() / "repo/deploy").string(),
        "check ../m.json --observed ../i.json --format json " + args);
  }
  static std::vector<std::string> rules_run(const deploysim::testing::CommandResult& result) {
    std::vector<std::string> ids;
    const auto report = nlohmann::json::parse(result.out, nullptr, false);
    if (report.is_discarded()) return {"unparsable: " + result.out + result.err};
    for (const auto& rule : report["rules"]) ids.push_back(rule["id"]);
    return ids;
  }
  static std::string severity_of(const deploysim::testing::CommandResult& result,
                                 const std::string& id) {
    const auto report = nlohmann::json::parse(result.out, nullptr, false);
    if (report.is_discarded()) return "unparsable: " + result.out + result.err;
    for (const auto& finding : report["findings"]) {
      if (finding["rule_id"] == id) return finding["severity"];
    }
    return "no finding";
  }

  TempDir dir_;
};

TEST_F(ConfigPrecedence, DiscoveredFileAppliesAndFlagsOverrideIt) {
  EXPECT_EQ(check("").exit_code, 1);
  dir_.write("repo/.deploysim-check.json", R"({"config_version": 1,
    "rules": {"DS001": "off", "flag-version-mismatch": "warning"}})");
  const auto configured = check("");
  EXPECT_EQ(configured.exit_code, 0) << configured.out << configured.err;
  const auto rules = rules_run(configured);
  EXPECT_EQ(std::count(rules.begin(), rules.end(), "DS001"), 0);
  EXPECT_EQ(severity_of(configured, "DS002"), "warning");
  // Flags win: a severity back to error, a rule switched back on.
  EXPECT_EQ(check("--severity DS002=error").exit_code, 1);
  EXPECT_EQ(severity_of(check("--enable version-mismatch"), "DS001"), "error");
  // --no-config ignores the file, --config names another one.
  EXPECT_EQ(check("--no-config").exit_code, 1);
  dir_.write("strict.json", R"({"config_version": 1, "fail_on": "note"})");
  EXPECT_EQ(check("--config ../../strict.json").exit_code, 1);
  EXPECT_EQ(check("--config ../../strict.json --no-config").exit_code, 2);
}

TEST_F(ConfigPrecedence, FailOnAndExitZeroFromTheFile) {
  dir_.write("repo/.deploysim-check.json", R"({"config_version": 1,
    "rules": {"DS001": "off", "DS002": "off"}, "fail_on": "warning"})");
  EXPECT_EQ(check("").exit_code, 1);  // warnings remain
  EXPECT_EQ(check("--fail-on error").exit_code, 0);
  dir_.write("repo/.deploysim-check.json", R"({"config_version": 1, "exit_zero": true})");
  EXPECT_EQ(check("").exit_code, 0);
}

TEST_F(ConfigPrecedence, PolicyFromFileManifestAndFlags) {
  // The Knight manifest's single stage holds all 8 hosts: a canary stage of 100%.
  auto manifest = nlohmann::json::parse(testing::read_file_text(dir_.path() / "repo/m.json"));
  manifest["rollout"]["stages"][0]["canary"] = true;
  manifest["rollout"]["stages"][0]["health_gate"] = "g";
  std::ofstream(dir_.path() / "repo/m.json") << manifest.dump(2);
  const auto canary_fires = [&](const std::string& args) {
    return severity_of(check(args), "DS010") != "no finding";
  };
  EXPECT_TRUE(canary_fires(""));
  dir_.write("repo/.deploysim-check.json",
             R"({"config_version": 1, "policy": {"canary_max_percent": 100}})");
  EXPECT_FALSE(canary_fires(""));
  // The manifest's own policy is more specific than the repository's file.
  manifest["policy"] = {{"canary_max_percent", 50}};
  std::ofstream(dir_.path() / "repo/m.json") << manifest.dump(2);
  EXPECT_TRUE(canary_fires(""));
  // The command line overrides both.
  EXPECT_FALSE(canary_fires("--canary-max-percent 100"));
  EXPECT_EQ(check("--canary-max-percent 150").exit_code, 2);
  EXPECT_EQ(check("--max-convergence-age soon").exit_code, 2);
}

TEST_F(ConfigPrecedence, BadFileExitsTwoWithFileLineAndPointer) {
  dir_.write("repo/.deploysim-check.json",
             "{\"config_version\": 1,\n \"rules\": {\"mixed-version\": \"off\"}}");
  const auto result = check("");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "error: ../.deploysim-check.json:2:29: /rules/mixed-version: unknown rule "
            "\"mixed-version\"; did you mean \"mixed-versions\"?\n");
  // A file above the repository root is never read, even a broken one.
  dir_.write(".deploysim-check.json", "{broken");
  fs::remove(dir_.path() / "repo/.deploysim-check.json");
  EXPECT_EQ(check("").exit_code, 1);
  EXPECT_EQ(check("--config missing.json").exit_code, 2);
}

}  // namespace
}  // namespace deploysim::check

namespace deploysim::check {
namespace {

// The schema lists the rule keys for editors' completion: it must follow the catalogue.
TEST(CheckConfigSchema, NamesEveryRuleAndNothingElse) {
  const auto schema = nlohmann::json::parse(testing::read_file_text(
      fs::path(DEPLOYSIM_SOURCE_DIR) / "core/check/check-config.schema.json"));
  std::vector<std::string> in_schema = schema["definitions"]["rule_key"]["enum"];
  std::vector<std::string> in_catalogue;
  for (const auto& rule : rule_catalogue()) {
    in_catalogue.emplace_back(rule.id);
    in_catalogue.emplace_back(rule.name);
  }
  std::sort(in_schema.begin(), in_schema.end());
  std::sort(in_catalogue.begin(), in_catalogue.end());
  EXPECT_EQ(in_schema, in_catalogue);
}

}  // namespace
}  // namespace deploysim::check
