// The keys of /changes read from tests/data/good/changes_every_key.json: each strategy turned into
// its stages, the defaults, and the gate and abort alerts (docs/scenario-format.md, "Changes").

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "scenario/load.hpp"

namespace deploysim::scenario {
namespace {

using engine::Duration;

const std::filesystem::path kEveryKey =
    std::filesystem::path(DEPLOYSIM_TEST_DATA) / "good" / "changes_every_key.json";

struct Expected {
  std::string name;
  std::vector<std::string> groups;
  double percent;
  Duration bake;
};

void expect_stages(const spec::Change& change, const std::vector<Expected>& expected) {
  ASSERT_EQ(change.stages.size(), expected.size()) << change.name;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& stage = change.stages[i];
    EXPECT_EQ(stage.name, expected[i].name) << change.name << " stage " << i;
    EXPECT_EQ(stage.groups, expected[i].groups) << change.name << " stage " << i;
    EXPECT_DOUBLE_EQ(stage.percent, expected[i].percent) << change.name << " stage " << i;
    EXPECT_EQ(stage.bake, expected[i].bake) << change.name << " stage " << i;
  }
}

TEST(LoadChanges, RingsKeepTheirGroupsAndAnUnnamedRingIsNumbered) {
  const auto s = load_scenario(kEveryKey);
  ASSERT_EQ(s.changes.size(), 4U);
  const auto& waf = s.changes[0];
  EXPECT_EQ(waf.kind, spec::Change::Kind::content);
  EXPECT_EQ(waf.flag, "waf_rule");
  EXPECT_EQ(waf.start.ms(), 3'600'000);
  EXPECT_EQ(waf.strategy, "rings");
  EXPECT_EQ(waf.abort_on, std::vector<std::string>{"errors"});
  EXPECT_TRUE(waf.require_versions.empty());
  expect_stages(waf, {{"canary", {"canary"}, 100.0, Duration::minutes(30)},
                      {"europe", {"europe"}, 100.0, Duration::minutes(30)},
                      {"rings 3", {}, 100.0, Duration::minutes(10)}});
}

TEST(LoadChanges, ACanaryUnder100PercentEndsWithPromotion) {
  const auto s = load_scenario(kEveryKey);
  const auto& page = s.changes[1];
  EXPECT_EQ(page.kind, spec::Change::Kind::flag);
  EXPECT_EQ(page.require_versions, std::vector<std::string>{"v2"});
  expect_stages(page, {{"one in ten", {}, 10.0, Duration::minutes(10)},
                       {"promote", {}, 100.0, Duration::seconds(0)}});
}

TEST(LoadChanges, RollingStepsUpTo100PercentAndAllAtOnceIsOneStage) {
  const auto s = load_scenario(kEveryKey);
  EXPECT_EQ(s.changes[2].kind, spec::Change::Kind::config);
  expect_stages(s.changes[2], {{"step 1", {}, 25.0, Duration::minutes(10)},
                               {"step 2", {}, 50.0, Duration::minutes(10)},
                               {"step 3", {}, 75.0, Duration::minutes(10)},
                               {"step 4", {}, 100.0, Duration::minutes(10)}});
  EXPECT_EQ(s.changes[3].kind, spec::Change::Kind::flag) << "the default kind";
  expect_stages(s.changes[3], {{"all", {}, 100.0, Duration::minutes(5)}});
}

TEST(LoadChanges, AScenarioWithoutChangesHasNone) {
  auto document = nlohmann::json::parse(R"({"name": "none",
      "services": {"web": {"versions": {"v1": {}}}},
      "fleet": {"web": {"hosts": 1, "service": "web", "version": "v1"}}})");
  EXPECT_TRUE(parse_scenario(document, "test.json").changes.empty());
}

}  // namespace
}  // namespace deploysim::scenario
