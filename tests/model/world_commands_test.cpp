// Operator commands that take capacity away, by count or percentage, and the command gate in
// front of them (docs/commands.md).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "model/world.hpp"
#include "scenarios.hpp"
#include "simulation/narrative.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::model {
namespace {

std::string gated(const std::string& timeline, const std::string& gate) {
  return R"({
    "name": "commands",
    "clock": {"end": "1h"},
    "services": {"web": {"versions": {"v1": {}}}, "db": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 10, "service": "web", "version": "v1"},
              "db": {"hosts": 4, "service": "db", "version": "v1"}},
    "automation": {)" +
         gate + R"(},
    "timeline": )" +
         timeline + "}";
}

int count_story(const simulation::Result& result, const std::string& kind) {
  return static_cast<int>(std::count_if(result.story.begin(), result.story.end(),
                                        [&](const auto& record) { return record.event == kind; }));
}

TEST(Commands, HaltAndRemoveTakeACountOrAPercentageOfAGroup) {
  const auto scenario = testing::scenario_from_json(
      gated(R"([{"at": "+1min", "do": "halt", "group": "web", "count": 3},
                {"at": "+2min", "do": "remove", "group": "db", "percent": 30}])",
            ""));
  World world(scenario, 1);
  const auto web = *world.fleet().find_group("web");
  const auto db = *world.fleet().find_group("db");
  ASSERT_TRUE(world.command_capacity(spec::ActionKind::halt, "web", scenario.timeline[0].hosts,
                                     "test", "by count"));
  EXPECT_EQ(world.fleet().totals().serving_hosts, 14 - 3);
  EXPECT_FALSE(world.fleet().groups()[web].halted) << "a partial halt holds hosts, not the group";
  // 30% of 4 hosts is 1.2: rounded up, two hosts are terminated for good.
  ASSERT_TRUE(world.command_capacity(spec::ActionKind::remove, "db", scenario.timeline[1].hosts,
                                     "test", "by percent"));
  EXPECT_EQ(world.fleet().totals().live_hosts, 14 - 2);
  std::int64_t db_live = 0;
  for (const auto h : world.fleet().groups()[db].hosts) {
    if (world.fleet().health_of(h) != Health::terminated) ++db_live;
  }
  EXPECT_EQ(db_live, 2);
  world.resume("web", "test");
  EXPECT_EQ(world.fleet().totals().serving_hosts, 12) << "halted hosts come back, removed do not";
}

TEST(Commands, TheGateRefusesAnOversizedRemovalAndLetsASmallerOneThrough) {
  // At most 20% of a group per command, and web keeps at least 8 serving hosts: 30% of web is
  // refused, two hosts pass (8 left), one more is refused by the minimum (7 would be left), and
  // a halt of the whole of db is far over 20%.
  const auto result =
      simulation::run(testing::scenario_from_json(
                          gated(R"([{"at": "+1min", "do": "remove", "group": "web", "percent": 30},
                    {"at": "+2min", "do": "remove", "group": "web", "count": 2},
                    {"at": "+3min", "do": "halt", "group": "web", "count": 1},
                    {"at": "+4min", "do": "halt", "group": "db"}])",
                                R"("command_gate": {"min_hosts": {"web": 8}, "max_percent": 20})")),
                      1);
  ASSERT_TRUE(result.summary.commands_refused.has_value());
  EXPECT_EQ(*result.summary.commands_refused, 3) << "30% of web, 1 more of web, all of db";
  EXPECT_EQ(count_story(result, "command_refused"), 3);
  EXPECT_EQ(count_story(result, "removed"), 1);
  EXPECT_EQ(result.summary.hosts_total, 14 - 2);
  const auto refused =
      std::find_if(result.story.begin(), result.story.end(),
                   [](const auto& record) { return record.event == "command_refused"; });
  ASSERT_NE(refused, result.story.end());
  EXPECT_EQ(refused->subject, "web");
  EXPECT_NE(result.summary.to_json().dump().find("\"commands_refused\":3"), std::string::npos);
}

TEST(Commands, TheStorySaysWhatWasTakenAndWhatWasRefused) {
  const auto result =
      simulation::run(testing::scenario_from_json(
                          gated(R"([{"at": "+1min", "do": "remove", "group": "web", "percent": 30},
                    {"at": "+2min", "do": "halt", "group": "web", "count": 1}])",
                                R"("command_gate": {"max_percent": 20})")),
                      1);
  ASSERT_EQ(result.story.size(), 2u);
  EXPECT_EQ(simulation::describe(result.story[0]),
            "remove of web by timeline refused: command gate: would take 3 of the 10 hosts of web "
            "(30%), more than the 20% one command may take");
  EXPECT_EQ(simulation::describe(result.story[1]), "halted 1 host of web by timeline (timeline)");
}

TEST(Commands, WithoutAGateTheSummaryHasNoRefusalKeyAndEveryCommandActs) {
  const auto result = simulation::run(
      testing::scenario_from_json(
          gated(R"([{"at": "+1min", "do": "remove", "group": "web", "percent": 100}])", "")),
      1);
  EXPECT_FALSE(result.summary.commands_refused.has_value());
  EXPECT_FALSE(result.summary.to_json().contains("commands_refused"));
  EXPECT_EQ(result.summary.hosts_total, 4);
}

TEST(Commands, AKillSwitchIsAutomationAndNotHeldByTheGate) {
  const auto scenario =
      testing::scenario_from_json(gated("[]", R"("command_gate": {"max_percent": 10})"));
  World world(scenario, 1);
  world.halt("", "automation", "kill switch");
  EXPECT_EQ(world.fleet().totals().serving_hosts, 0);
  world.resume("", "test");
  EXPECT_FALSE(world.command_capacity(spec::ActionKind::halt, "", std::nullopt, "oncall", "halt"));
  EXPECT_EQ(world.fleet().totals().serving_hosts, 14) << "an operator's full halt is refused";
  EXPECT_EQ(world.counters().commands_refused, 1);
}

}  // namespace
}  // namespace deploysim::model
