// The run-time keys of dependencies, capacity commands and CPU cost: their defaults and every
// key read from tests/data/good/runtime_every_key.json (docs/dependencies.md, docs/commands.md,
// docs/capacity.md).

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/load.hpp"
#include "scenarios.hpp"

namespace deploysim::scenario {
namespace {

using engine::Duration;

const std::filesystem::path kGood = std::filesystem::path(DEPLOYSIM_TEST_DATA) / "good";

const spec::Service& service(const spec::Scenario& s, const std::string& name) {
  for (const auto& candidate : s.services) {
    if (candidate.name == name) return candidate;
  }
  throw std::logic_error("no service " + name);
}

TEST(RuntimeDefaults, ADependencyAsAnArrayCallsWithEveryRequestAndTheCommandsAreUngated) {
  const auto s = testing::scenario_from_json(R"({
    "name": "defaults",
    "services": {"web": {"versions": {"v1": {}}, "depends_on": {"db": []}},
                 "db": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 2, "service": "web", "version": "v1"}},
    "timeline": [{"at": "+1h", "do": "halt", "group": "web"}],
    "load": {"web": {"profile": "constant", "rps": 10}},
    "capacity": {"web": {"rps_per_host": 100}}
  })");
  const auto& dependency = service(s, "web").depends_on.at(0);
  EXPECT_EQ(dependency.call_fraction, 1.0);
  EXPECT_EQ(dependency.timeout, Duration::seconds(1));
  EXPECT_EQ(service(s, "db").cold_restart, Duration::seconds(0));
  EXPECT_EQ(service(s, "db").retry_surge, 1.0);
  EXPECT_EQ(service(s, "db").retry_surge_for, Duration::minutes(5));
  EXPECT_FALSE(s.timeline.at(0).hosts.has_value()) << "the whole group";
  EXPECT_FALSE(s.automation.command_gate.has_value());
  EXPECT_TRUE(s.capacities.at(0).cpu_cost_by_version.empty());
  EXPECT_TRUE(s.capacities.at(0).cpu_cost_by_behaviour.empty());
  EXPECT_TRUE(s.capacities.at(0).cpu_cost_by_flag.empty());
}

TEST(RuntimeKeys, EveryKeyIsRead) {
  const auto s = load_scenario(kGood / "runtime_every_key.json");
  const auto& web = service(s, "web");
  ASSERT_EQ(web.depends_on.size(), 2u);
  EXPECT_EQ(web.depends_on[0].service, "auth");
  EXPECT_EQ(web.depends_on[0].compatible_versions, std::vector<std::string>{"v1"});
  EXPECT_EQ(web.depends_on[0].call_fraction, 0.5);
  EXPECT_EQ(web.depends_on[0].timeout, Duration::milliseconds(800));
  EXPECT_EQ(web.depends_on[1].call_fraction, 1.0) << "the array form";
  const auto& auth = service(s, "auth");
  EXPECT_EQ(auth.depends_on.at(0).call_fraction, 0.4);
  EXPECT_EQ(auth.cold_restart, Duration::minutes(5));
  EXPECT_EQ(auth.retry_surge, 1.5);
  EXPECT_EQ(auth.retry_surge_for, Duration::minutes(10));

  const auto& playbook = s.people.at(0).playbook;
  ASSERT_TRUE(playbook.at(0).hosts.has_value());
  EXPECT_TRUE(playbook[0].hosts->percent);
  EXPECT_EQ(playbook[0].hosts->value, 10.0);
  EXPECT_EQ(playbook.at(1).action, spec::ActionKind::remove);
  EXPECT_FALSE(playbook[1].hosts->percent);
  EXPECT_EQ(playbook[1].hosts->value, 1.0);
  EXPECT_EQ(s.timeline.at(2).action, spec::ActionKind::remove);
  EXPECT_EQ(s.timeline[2].hosts->value, 2.0);
  EXPECT_TRUE(s.timeline.at(3).hosts->percent);

  ASSERT_TRUE(s.automation.command_gate.has_value());
  EXPECT_EQ(s.automation.command_gate->max_percent, 25.0);
  EXPECT_EQ(s.automation.command_gate->min_hosts.at("web"), 6);
  EXPECT_EQ(s.automation.command_gate->min_hosts.at("auth"), 2);

  const auto& capacity = s.capacities.at(0);
  EXPECT_EQ(capacity.cpu_cost_by_version.at("v2"), 1.2);
  EXPECT_EQ(capacity.cpu_cost_by_behaviour.at("backtracking"), 3.0);
  EXPECT_EQ(capacity.cpu_cost_by_flag.at("waf"), 1.5);
}

}  // namespace
}  // namespace deploysim::scenario
