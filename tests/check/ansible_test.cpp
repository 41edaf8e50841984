// An Ansible inventory and fact cache as the checker's input, and the Ansible example run as a
// user runs it.
#include "check/ansible.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "check/rules.hpp"
#include "check_findings.hpp"
#include "files.hpp"
#include "input/input_error.hpp"
#include "run_command.hpp"

namespace deploysim::check {
namespace {

const std::string kInventory = R"({
    "_meta": {"hostvars": {
        "web-1": {"app_version": "1.4", "beta": true,
                  "deploysim_versions": {"1.3": {"beta": "old"}, "1.4": {"beta": "new"}},
                  "deploysim_flag_meanings": {"beta": "new"}},
        "web-2": {"app_version": "1.4", "beta": true}
    }},
    "all": {"children": ["ungrouped", "web"]},
    "web": {"hosts": ["web-1", "web-2"]}
})";

NamedText fact(const std::string& host, const std::string& version) {
  return {"facts/" + host, R"({"ansible_hostname": ")" + host +
                               R"(",
 "ansible_local": {"deploysim": {"version": ")" +
                               version + R"("}}})"};
}

CheckResult check(const std::string& inventory, const std::vector<NamedText>& facts) {
  AnsibleOptions options;
  options.flag_vars = {"beta"};
  const AnsibleInput input = read_ansible({"inventory.json", inventory}, facts, options);
  return run_check(input.manifest, input.inventory ? &*input.inventory : nullptr);
}

using testing::findings_of;

TEST(Ansible, HostsAndGroupsComeFromTheInventory) {
  const AnsibleInput input = read_ansible({"inventory.json", kInventory}, {});
  ASSERT_EQ(input.manifest.groups.size(), 1u);
  EXPECT_EQ(input.manifest.groups[0].name, "web");
  ASSERT_EQ(input.manifest.hosts.size(), 2u);
  EXPECT_EQ(input.manifest.hosts[1].name, "web-2");
  EXPECT_EQ(input.manifest.hosts[1].version, "1.4");
  EXPECT_EQ(input.manifest.kind, InputKind::ansible);
}

TEST(Ansible, StaleFactIsAVersionMismatchAndAFlagMisread) {
  const auto result = check(kInventory, {fact("web-1", "1.4"), fact("web-2", "1.3")});
  const auto mismatch = findings_of(result, "DS001");
  ASSERT_EQ(mismatch.size(), 1u);
  EXPECT_EQ(mismatch[0]->fingerprint(), "DS001|host/web-2");
  EXPECT_EQ(mismatch[0]->location.file, "facts/web-2");
  EXPECT_EQ(mismatch[0]->location.range.start.line, 2);
  // The declared side: the version variable in the inventory.
  ASSERT_EQ(mismatch[0]->related.size(), 1u);
  EXPECT_EQ(mismatch[0]->related[0].file, "inventory.json");
  EXPECT_EQ(mismatch[0]->related[0].range.start.line, 3);
  const auto flag = findings_of(result, "DS002");
  ASSERT_EQ(flag.size(), 1u);
  EXPECT_NE(flag[0]->message.find("maps it to \"old\", not to its meaning \"new\""),
            std::string::npos);
  // No convergence time is read, so no convergence-age finding can be a false positive.
  for (const auto* rule : result.rules) EXPECT_NE(rule->id, "DS013");
}

TEST(Ansible, AgreeingFactsAreClean) {
  const auto result = check(kInventory, {fact("web-1", "1.4"), fact("web-2", "1.4")});
  EXPECT_TRUE(result.findings.empty());
}

TEST(Ansible, FactsOfUnknownHostsAndHostsWithoutFactsAreReported) {
  const auto result = check(kInventory, {fact("web-1", "1.4"), fact("db-1", "9.0")});
  ASSERT_EQ(findings_of(result, "DS016").size(), 1u);
  EXPECT_EQ(findings_of(result, "DS016")[0]->location.file, "facts/db-1");
  ASSERT_EQ(findings_of(result, "DS017").size(), 1u);
  EXPECT_NE(findings_of(result, "DS017")[0]->message.find("\"web-2\""), std::string::npos);
}

TEST(Ansible, HostWithoutTheVersionVariableIsAnInputErrorAtItsLine) {
  std::string inventory = kInventory;
  const std::string with_version = R"("web-2": {"app_version": "1.4", )";
  inventory.replace(inventory.find(with_version), with_version.size(), R"("web-2": {)");
  try {
    check(inventory, {});
    ADD_FAILURE() << "accepted";
  } catch (const input::InputError& error) {
    EXPECT_EQ(error.problems().front().message(),
              "inventory.json:6:18: /_meta/hostvars/web-2: expected a host variable "
              "\"app_version\" holding the version host \"web-2\" should run, found none; name "
              "the variable with --version-var");
  }
}

}  // namespace
}  // namespace deploysim::check

namespace deploysim::testing {
namespace {

TEST(AnsibleCli, ExampleReportsTheHostTheDeploymentMissed) {
  const auto result = run_deploysim_in(
      DEPLOYSIM_SOURCE_DIR,
      "check --ansible examples/ansible/inventory.json --facts examples/ansible/facts "
      "--version-var app_version --flag-var power_peg");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("examples/ansible/facts/smars-8:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("host \"smars-8\" runs \"1.9.3\"; the manifest declares \"2.0.0\""),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("[DS002 flag-version-mismatch]"), std::string::npos);
  EXPECT_EQ(result.out.find("DS013"), std::string::npos);
  EXPECT_EQ(run_deploysim("check --facts x").exit_code, 2);
}

TEST(AnsibleCli, VariableNamesFromTheConfigurationFile) {
  const auto config = std::filesystem::temp_directory_path() /
                      ("deploysim-ansible-" + std::to_string(::getpid()) + ".json");
  std::ofstream(config) << R"({"config_version": 1,
      "ansible": {"version_var": "app_version", "flag_vars": ["power_peg"]}})";
  const std::string command =
      "check --ansible examples/ansible/inventory.json --facts examples/ansible/facts --config '" +
      config.string() + "'";
  const auto with_flags = run_deploysim_in(DEPLOYSIM_SOURCE_DIR, command);
  // The command line overrides the file: the flag it names replaces the file's, and one that no
  // host sets is refused rather than checking nothing.
  const auto overridden =
      run_deploysim_in(DEPLOYSIM_SOURCE_DIR, command + " --flag-var no_such_variable");
  std::filesystem::remove(config);
  EXPECT_EQ(with_flags.exit_code, 1) << with_flags.err;
  EXPECT_NE(with_flags.out.find("[DS002 flag-version-mismatch]"), std::string::npos);
  EXPECT_EQ(overridden.exit_code, 2) << overridden.out;
  EXPECT_NE(overridden.err.find("expected a host variable \"no_such_variable\""), std::string::npos)
      << overridden.err;
}

// tests/data/bad/check_ansible: NAME.args are the arguments of a check run in that directory,
// NAME.expected the first line it prints (after "error: ").
const std::filesystem::path kBadAnsible =
    std::filesystem::path(DEPLOYSIM_TEST_DATA) / "bad" / "check_ansible";

std::vector<std::string> bad_ansible_inputs() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kBadAnsible)) {
    if (entry.path().extension() == ".args") names.push_back(entry.path().stem());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BadAnsibleInput : public ::testing::TestWithParam<std::string> {};

TEST_P(BadAnsibleInput, ExitsTwoWithFileLineAndWhatWasExpected) {
  const std::string name = GetParam();
  std::string args = read_file_text(kBadAnsible / (name + ".args"));
  std::string expected = read_file_text(kBadAnsible / (name + ".expected"));
  while (!args.empty() && args.back() == '\n') args.pop_back();
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  const auto result = run_deploysim_in(kBadAnsible.string(), "check --no-config " + args);
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_EQ(result.err.substr(0, result.err.find('\n')), "error: " + expected);
  EXPECT_TRUE(result.out.empty()) << result.out;
}

std::string param_name(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadAnsibleInput, ::testing::ValuesIn(bad_ansible_inputs()),
                         param_name);

}  // namespace
}  // namespace deploysim::testing
