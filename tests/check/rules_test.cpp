// Every rule has a case that fires and a case that stays silent. Inputs are built from one
// consistent manifest and inventory, with one thing changed per test.
#include "check/rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "check/manifest.hpp"
#include "check/report.hpp"
#include "check_fleet.hpp"
#include "input/input_error.hpp"

namespace deploysim::check {
namespace {

using nlohmann::json;

// A small consistent fleet: web depends on db, one flag, a three-stage rollout of web.
json base_manifest() {
  return json::parse(R"({
    "manifest_version": 1,
    "behaviours": {"old_checkout": {"retired": true}, "new_checkout": {}},
    "services": {
      "web": {"versions": {"v1": {"flags": {"checkout": "old_checkout"}},
                           "v2": {"flags": {"checkout": "new_checkout"}}},
              "depends_on": {"db": ["d2"]}},
      "db": {"versions": {"d1": {}, "d2": {}}}
    },
    "groups": {
      "web": {"service": "web", "version": "v2", "config": {"threads": 8}, "config_revision": "r2",
              "hosts": ["web-1", "web-2", "web-3", "web-4", "web-5", "web-6", "web-7", "web-8",
                        "web-9", "web-10"]},
      "db": {"service": "db", "version": "d2", "hosts": ["db-1", "db-2"]}
    },
    "flags": {"checkout": {"on": true, "scope": ["web"], "meaning": "new_checkout"}},
    "rollout": {"service": "web", "to": "v2", "started": "2024-05-01T10:00:00",
      "stages": [
        {"name": "canary", "canary": true, "hosts": ["web-1"], "health_gate": "error_rate", "rollback": "auto"},
        {"name": "half", "hosts": ["web-2", "web-3", "web-4", "web-5"], "health_gate": "error_rate", "rollback": "auto"},
        {"name": "rest", "hosts": ["web-6", "web-7", "web-8", "web-9", "web-10"], "health_gate": "error_rate", "rollback": "auto"}
      ]}
  })");
}

json base_inventory() {
  json hosts = json::array();
  for (int i = 1; i <= 10; ++i) {
    hosts.push_back({{"name", "web-" + std::to_string(i)},
                     {"version", "v2"},
                     {"config", {{"threads", 8}}},
                     {"config_revision", "r2"},
                     {"converged_at", "2024-05-01T11:00:00Z"}});
  }
  for (int i = 1; i <= 2; ++i) {
    hosts.push_back({{"name", "db-" + std::to_string(i)}, {"version", "d2"}});
  }
  return {{"inventory_version", 1}, {"observed_at", "2024-05-01T12:00:00Z"}, {"hosts", hosts}};
}

CheckResult check(const json& manifest, const json* inventory = nullptr) {
  const Manifest m = parse_manifest(manifest.dump(2), "manifest.json");
  if (inventory == nullptr) return run_check(m, nullptr);
  const Inventory i = parse_inventory(inventory->dump(2), "inventory.json");
  return run_check(m, &i);
}

// Copies, so that a finding outlives the result it came from.
std::vector<Finding> of_rule(const CheckResult& result, std::string_view id) {
  std::vector<Finding> out;
  for (const auto& f : result.findings) {
    if (f.rule->id == id) out.push_back(f);
  }
  return out;
}

std::string dump(const CheckResult& result) {
  std::string text;
  for (const auto& f : result.findings) text += std::string(f.rule->id) + ": " + f.message + "\n";
  return text;
}

TEST(CheckRules, ConsistentInputsHaveNoFindings) {
  const json inventory = base_inventory();
  const auto result = check(base_manifest(), &inventory);
  EXPECT_TRUE(result.findings.empty()) << dump(result);
  EXPECT_EQ(result.hosts_checked, 12u);
}

TEST(CheckRules, CatalogueIdsAreStableAndUnique) {
  const auto& rules = rule_catalogue();
  ASSERT_EQ(rules.size(), 21u);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "DS%03zu", i + 1);
    EXPECT_EQ(rules[i].id, id);
    EXPECT_EQ(find_rule(rules[i].name), &rules[i]);
    EXPECT_TRUE(
        std::filesystem::exists(std::string(DEPLOYSIM_SOURCE_DIR) + "/" + rule_doc_path(rules[i])))
        << rule_doc_path(rules[i]);
  }
  EXPECT_EQ(find_rule("version-mismatch")->id, "DS001");
}

TEST(CheckRules, VersionMismatchFiresOnObservedVersion) {
  json inventory = base_inventory();
  inventory["hosts"][7]["version"] = "v1";
  const auto result = check(base_manifest(), &inventory);
  const auto found = of_rule(result, "DS001");
  ASSERT_EQ(found.size(), 1u) << dump(result);
  EXPECT_EQ(found[0].location.file, "inventory.json");
  EXPECT_EQ(found[0].location.pointer, "/hosts/7/version");
  EXPECT_GT(found[0].location.range.start.line, 1);
  EXPECT_EQ(found[0].related.at(0).pointer, "/groups/web/version");
  EXPECT_EQ(found[0].entity, "host/web-8");
}

TEST(CheckRules, VersionMismatchSilentWithoutInventory) {
  EXPECT_TRUE(of_rule(check(base_manifest()), "DS001").empty());
}

TEST(CheckRules, FlagOnForVersionWithAnotherMeaning) {
  json inventory = base_inventory();
  inventory["hosts"][7]["version"] = "v1";
  const auto found = of_rule(check(base_manifest(), &inventory), "DS002");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("\"old_checkout\""), std::string::npos) << found[0].message;
  EXPECT_EQ(found[0].location.pointer, "/hosts/7/version");
}

TEST(CheckRules, FlagOnForVersionThatDoesNotHonourIt) {
  json manifest = base_manifest();
  manifest["services"]["web"]["versions"]["v2"]["flags"] = json::object();
  const auto found = of_rule(check(manifest), "DS002");
  EXPECT_EQ(found.size(), 10u);
  EXPECT_NE(found[0].message.find("does not honour"), std::string::npos);
}

TEST(CheckRules, FlagRuleSilentWhenOffOrOutOfScope) {
  json inventory = base_inventory();
  inventory["hosts"][7]["version"] = "v1";
  inventory["hosts"][7]["flags"] = {{"checkout", false}};  // the host does not see it on
  EXPECT_TRUE(of_rule(check(base_manifest(), &inventory), "DS002").empty());
  json manifest = base_manifest();
  manifest["flags"]["checkout"]["on"] = false;
  manifest["groups"]["web"]["version"] = "v1";
  EXPECT_TRUE(of_rule(check(manifest), "DS002").empty());
}

TEST(CheckRules, RetiredBehaviourReachableWhenAHostRunsTheVersion) {
  json inventory = base_inventory();
  inventory["hosts"][2]["version"] = "v1";
  const auto found = of_rule(check(base_manifest(), &inventory), "DS003");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].location.pointer, "/services/web/versions/v1/flags/checkout");
  // Nobody runs v1: the dead code is not reachable.
  EXPECT_TRUE(of_rule(check(base_manifest()), "DS003").empty());
}

TEST(CheckRules, DependencySkewOutsideCompatibleVersions) {
  json manifest = base_manifest();
  manifest["groups"]["db"]["version"] = "d1";
  const auto found = of_rule(check(manifest), "DS004");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].related.at(0).pointer, "/services/web/depends_on/db");
  manifest["services"]["web"]["depends_on"]["db"] = json::array({"d1", "d2"});
  EXPECT_TRUE(of_rule(check(manifest), "DS004").empty());
}

TEST(CheckRules, DependencyCycle) {
  json manifest = base_manifest();
  manifest["services"]["db"]["depends_on"] = {{"web", json::array()}};
  const auto found = of_rule(check(manifest), "DS005");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("->"), std::string::npos);
  EXPECT_TRUE(of_rule(check(base_manifest()), "DS005").empty());
}

TEST(CheckRules, RolloutMissingAndRepeatedHosts) {
  json manifest = base_manifest();
  manifest["rollout"]["stages"][2]["hosts"] = {"web-6", "web-7", "web-8", "web-9", "web-2"};
  const auto result = check(manifest);
  const auto missing = of_rule(result, "DS006");
  ASSERT_EQ(missing.size(), 1u) << dump(result);
  EXPECT_NE(missing[0].message.find("web-10"), std::string::npos);
  const auto repeated = of_rule(result, "DS007");
  ASSERT_EQ(repeated.size(), 1u);
  EXPECT_EQ(repeated[0].location.pointer, "/rollout/stages/2/hosts/4");
  EXPECT_EQ(repeated[0].related.at(0).pointer, "/rollout/stages/1/hosts/0");
}

TEST(CheckRules, StageWithoutGateOrRollback) {
  json manifest = base_manifest();
  manifest["rollout"]["stages"][1].erase("health_gate");
  manifest["rollout"]["stages"][2].erase("rollback");
  const auto result = check(manifest);
  ASSERT_EQ(of_rule(result, "DS008").size(), 1u);
  EXPECT_EQ(of_rule(result, "DS008")[0].location.pointer, "/rollout/stages/1");
  ASSERT_EQ(of_rule(result, "DS009").size(), 1u);
  EXPECT_EQ(of_rule(result, "DS009")[0].location.pointer, "/rollout/stages/2");
}

TEST(CheckRules, CanaryLargerThanPolicy) {
  json manifest = base_manifest();
  manifest["policy"] = {{"canary_max_percent", 5}};
  EXPECT_EQ(of_rule(check(manifest), "DS010").size(), 1u);  // 1 of 10 = 10% > 5%
  manifest["policy"]["canary_max_percent"] = 10;
  EXPECT_TRUE(of_rule(check(manifest), "DS010").empty());
}

TEST(CheckRules, DriftAndPendingAreSeparate) {
  json inventory = base_inventory();
  inventory["hosts"][0]["config"]["threads"] = 4;  // same revision: drift
  inventory["hosts"][1]["config"]["threads"] = 4;  // older revision: pending
  inventory["hosts"][1]["config_revision"] = "r1";
  const auto result = check(base_manifest(), &inventory);
  const auto drift = of_rule(result, "DS011");
  const auto pending = of_rule(result, "DS012");
  ASSERT_EQ(drift.size(), 1u) << dump(result);
  ASSERT_EQ(pending.size(), 1u) << dump(result);
  EXPECT_EQ(drift[0].location.pointer, "/hosts/0/config/threads");
  EXPECT_EQ(pending[0].location.pointer, "/hosts/1/config/threads");
  EXPECT_EQ(pending[0].severity, Severity::note);
}

TEST(CheckRules, DriftByConfigHash) {
  json inventory = base_inventory();
  inventory["hosts"][0].erase("config");
  inventory["hosts"][0]["config_hash"] = config_hash({{"threads", 8}});
  EXPECT_TRUE(of_rule(check(base_manifest(), &inventory), "DS011").empty());
  inventory["hosts"][0]["config_hash"] = "0000000000000000";
  EXPECT_EQ(of_rule(check(base_manifest(), &inventory), "DS011").size(), 1u);
}

TEST(CheckRules, StaleConvergence) {
  json inventory = base_inventory();
  inventory["hosts"][3]["converged_at"] = "2024-04-28T12:00:00Z";
  const auto found = of_rule(check(base_manifest(), &inventory), "DS013");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("3d"), std::string::npos) << found[0].message;
}

TEST(CheckRules, MixedVersionsOnlyBeyondTheWindow) {
  json inventory = base_inventory();
  inventory["hosts"][9]["version"] = "v1";
  // Two hours into the rollout: mixing is expected.
  EXPECT_TRUE(of_rule(check(base_manifest(), &inventory), "DS014").empty());
  inventory["observed_at"] = "2024-05-03T12:00:00Z";
  const auto found = of_rule(check(base_manifest(), &inventory), "DS014");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].location.pointer, "/hosts/9/version");
}

TEST(CheckRules, DuplicateHostsInManifestAndInventory) {
  json manifest = base_manifest();
  manifest["groups"]["db"]["hosts"].push_back("web-3");
  json inventory = base_inventory();
  inventory["hosts"].push_back(inventory["hosts"][0]);
  const auto found = of_rule(check(manifest, &inventory), "DS015");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_TRUE(of_rule(check(base_manifest()), "DS015").empty());
}

TEST(CheckRules, UnknownAndMissingInventoryHosts) {
  json inventory = base_inventory();
  inventory["hosts"][11]["name"] = "db-9";
  const auto result = check(base_manifest(), &inventory);
  ASSERT_EQ(of_rule(result, "DS016").size(), 1u);
  EXPECT_EQ(of_rule(result, "DS016")[0].location.pointer, "/hosts/11/name");
  ASSERT_EQ(of_rule(result, "DS017").size(), 1u);
  EXPECT_NE(of_rule(result, "DS017")[0].message.find("db-2"), std::string::npos);
}

TEST(CheckRules, SuppressionNeedsAReasonAndIsReported) {
  json inventory = base_inventory();
  inventory["hosts"][7]["version"] = "v1";
  inventory["hosts"][7]["x-deploysim-ignore"] = {{"DS001", "being replaced on Monday"},
                                                 {"version-mismatch", "same, by name"}};
  const auto result = check(base_manifest(), &inventory);
  const auto found = of_rule(result, "DS001");
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].suppression.has_value());
  EXPECT_EQ(found[0].suppression_kind, "inSource");
  inventory["hosts"][7]["x-deploysim-ignore"] = {{"DS001", " "}};
  EXPECT_THROW(check(base_manifest(), &inventory), input::InputError);
}

TEST(CheckRules, SuppressionOfUnknownRuleIsAnInputErrorWithHint) {
  json manifest = base_manifest();
  manifest["services"]["web"]["x-deploysim-ignore"] = {{"DS0001", "typo"}};
  try {
    check(manifest);
    FAIL() << "expected an InputError";
  } catch (const input::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("did you mean \"DS001\""), std::string::npos)
        << error.what();
  }
}

TEST(CheckRules, UnusedSuppressionIsWarned) {
  json manifest = base_manifest();
  manifest["services"]["web"]["x-deploysim-ignore"] = {{"DS004", "db upgrade in progress"}};
  const auto found = of_rule(check(manifest), "DS018");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].location.pointer, "/services/web/x-deploysim-ignore/DS004");
  EXPECT_GT(found[0].location.range.start.line, 1);
}

TEST(CheckRules, OptionsDisableRulesAndChangeSeverity) {
  json manifest = base_manifest();
  manifest["rollout"]["stages"][1].erase("health_gate");
  CheckOptions options;
  options.severity["DS008"] = Severity::error;
  const Manifest m = parse_manifest(manifest.dump(), "m.json");
  auto result = run_check(m, nullptr, options);
  ASSERT_EQ(of_rule(result, "DS008").size(), 1u);
  EXPECT_EQ(of_rule(result, "DS008")[0].severity, Severity::error);
  options.enabled["DS008"] = false;
  result = run_check(m, nullptr, options);
  EXPECT_TRUE(of_rule(result, "DS008").empty());
  // A baseline accepts by fingerprint.
  options.enabled.clear();
  options.baseline["DS008|rollout/half"] = "known";
  result = run_check(m, nullptr, options);
  ASSERT_EQ(of_rule(result, "DS008").size(), 1u);
  EXPECT_EQ(of_rule(result, "DS008")[0].suppression_kind, "external");
}

TEST(CheckRules, FindingsAreSortedByPlace) {
  json inventory = base_inventory();
  inventory["hosts"][7]["version"] = "v1";
  inventory["hosts"][2]["version"] = "v1";
  const auto result = check(base_manifest(), &inventory);
  EXPECT_TRUE(std::is_sorted(result.findings.begin(), result.findings.end(),
                             [](const Finding& a, const Finding& b) {
                               return std::tie(a.location.file, a.location.range.start.line) <
                                      std::tie(b.location.file, b.location.range.start.line);
                             }));
}

// A generated fleet of 2,000 hosts with every kind of planted inconsistency
// (tests/support/check_fleet.hpp): the whole JSON report, locations included, must stay as it
// is, so that making the rules faster cannot change what they find. After an intended change
// of findings, regenerate the report with
//   DEPLOYSIM_UPDATE_GOLDEN=1 build/release/tests/check_tests
//   --gtest_filter='CheckRules.GeneratedFleet*'
// and review the diff like any other change.
TEST(CheckRules, GeneratedFleetReportMatchesTheGoldenReport) {
  const auto fleet = fixtures::generate_check_fleet(
      {.hosts = 2000, .services = 10, .flags = 40, .groups_per_service = 4});
  const Manifest manifest = parse_manifest(fleet.manifest, "manifest.json");
  const Inventory inventory = parse_inventory(fleet.inventory, "inventory.json");
  const CheckResult result = run_check(manifest, &inventory);
  // Every rule but DS010 (no canary is too large) and those for Kubernetes input only has
  // something to report.
  for (const auto& rule : rule_catalogue()) {
    if (rule.id != "DS010" && not_applicable(rule, InputKind::manifest).empty()) {
      EXPECT_FALSE(of_rule(result, rule.id).empty()) << rule.id;
    }
  }
  ReportContext context;
  context.exit_code = 1;
  std::ostringstream report;
  write_report(report, Format::json, result, context);

  const auto golden =
      std::filesystem::path(DEPLOYSIM_TEST_DATA) / "golden" / "check_fleet_2000.json";
  if (std::getenv("DEPLOYSIM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden) << report.str();
    GTEST_SKIP() << "wrote " << golden;
  }
  std::ifstream in(golden);
  ASSERT_TRUE(in.good()) << "no golden report " << golden << "; see above this test";
  std::stringstream expected_text;
  expected_text << in.rdbuf();
  // The tool's version is not a finding.
  json expected = json::parse(expected_text.str());
  json actual = json::parse(report.str());
  expected.erase("tool");
  actual.erase("tool");
  ASSERT_EQ(actual["findings"].size(), expected["findings"].size());
  for (std::size_t i = 0; i < expected["findings"].size(); ++i) {
    EXPECT_EQ(actual["findings"][i].dump(2), expected["findings"][i].dump(2)) << "finding " << i;
  }
  EXPECT_EQ(actual.dump(2), expected.dump(2));
}

}  // namespace
}  // namespace deploysim::check
