#include "model/world.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scenarios.hpp"

namespace deploysim::model {
namespace {

using engine::Duration;
using engine::Time;

// web: groups "a" (hosts 0, 1) and "b" (host 2); db: group "d" (hosts 3, 4). v2 reads flag f as
// runaway actions; v1 gives it no meaning. `deployment` is spliced into the scenario.
std::string world_scenario(const std::string& deployment) {
  return R"({
    "name": "world",
    "behaviours": {"runaway": {"kind": "erroneous_actions", "loss_per_host_per_min_usd": 60}},
    "services": {"web": {"versions": {"v1": {}, "v2": {"flags": {"f": "runaway"}}}},
                 "db": {"versions": {"d1": {}, "d2": {}}}},
    "fleet": {"a": {"hosts": 2, "service": "web", "version": "v1"},
              "b": {"hosts": 1, "service": "web", "version": "v1"},
              "d": {"hosts": 2, "service": "db", "version": "d1"}},
    "flags": {"f": {"initial": false, "scope": ["a", "b"]}})" +
         deployment + "}";
}

const std::string kDeployWeb = R"(, "deployment": {"service": "web", "to": "v2",
    "strategy": {"type": "all_at_once"}, "preflight_gate": true})";

std::vector<std::string> story_events(const World& world) {
  std::vector<std::string> events;
  for (const auto& record : world.story()) events.push_back(record.event + " " + record.subject);
  return events;
}

TEST(WorldOutcome, EveryOutcomeHasItsResultName) {
  EXPECT_EQ(outcome_name(DeployOutcome::not_started), "not_started");
  EXPECT_EQ(outcome_name(DeployOutcome::in_progress), "in_progress");
  EXPECT_EQ(outcome_name(DeployOutcome::completed), "completed");
  EXPECT_EQ(outcome_name(DeployOutcome::rolled_back), "rolled_back");
  EXPECT_EQ(outcome_name(DeployOutcome::halted), "halted");
  EXPECT_EQ(outcome_name(DeployOutcome::failed), "failed");
}

TEST(World, DeploymentTargetsEveryGroupOfItsServiceByDefault) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 7);
  EXPECT_EQ(world.seed(), 7u);
  EXPECT_EQ(world.deployment_hosts(), (std::vector<HostIndex>{0, 1, 2}));
  ASSERT_TRUE(world.target_version());
  EXPECT_EQ(*world.target_version(), *world.fleet().find_version("web", "v2"));
  EXPECT_EQ(world.deployment_live_hosts(), 3);
  world.fleet().set_health(1, Health::terminated);
  EXPECT_EQ(world.deployment_live_hosts(), 2);
  // Hosts of other groups never count, whatever their state.
  world.fleet().set_health(3, Health::terminated);
  EXPECT_EQ(world.deployment_live_hosts(), 2);
}

TEST(World, NamedGroupsNarrowTheDeploymentAndItsLateHosts) {
  const auto scenario = testing::scenario_from_json(world_scenario(
      R"(, "deployment": {"service": "web", "to": "v2", "groups": ["b"],
          "strategy": {"type": "all_at_once"}})"));
  World world(scenario, 1);
  EXPECT_EQ(world.deployment_hosts(), (std::vector<HostIndex>{2}));
  world.add_deployment_host(0);  // group a is not deployed
  world.add_deployment_host(2);  // group b is: the autoscaler's host joins
  EXPECT_EQ(world.deployment_hosts(), (std::vector<HostIndex>{2, 2}));
}

TEST(World, WithoutADeploymentThereIsNoTarget) {
  const auto scenario = testing::scenario_from_json(world_scenario(""));
  World world(scenario, 1);
  EXPECT_FALSE(world.target_version());
  EXPECT_TRUE(world.deployment_hosts().empty());
  EXPECT_TRUE(world.inconsistent_hosts(*world.fleet().find_flag("f")).empty());
}

TEST(World, PreflightGateRefusesAFlagWhileTheScopeIsInconsistent) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 1);
  const auto v2 = *world.target_version();
  const auto f = *world.fleet().find_flag("f");
  world.fleet().set_version(0, v2);
  EXPECT_EQ(world.inconsistent_hosts(f), (std::vector<HostIndex>{1, 2}));
  EXPECT_FALSE(world.set_flag("f", "", true, 100.0, "alice"));
  EXPECT_EQ(world.counters().flag_changes_blocked, 1);
  EXPECT_EQ(world.counters().actions_taken, 0);
  ASSERT_EQ(world.story().size(), 1u);
  const auto& blocked = world.story().front();
  EXPECT_EQ(blocked.event, "flag_blocked");
  EXPECT_EQ(std::get<std::string>(blocked.fields[1].value),
            "pre-flight gate: 2 host(s) in scope not on v2, e.g. a-2");
  EXPECT_EQ(world.fleet().totals().misbehaving_hosts, 0);
  // Turning a flag off is never gated, and once every host is on v2 it may go on.
  EXPECT_TRUE(world.set_flag("f", "", false, 100.0, "alice"));
  world.fleet().set_version(1, v2);
  world.fleet().set_version(2, v2);
  EXPECT_TRUE(world.set_flag("f", "", true, 100.0, "alice"));
  EXPECT_EQ(world.fleet().totals().misbehaving_hosts, 3);
  EXPECT_EQ(world.counters().actions_taken, 2);
  EXPECT_EQ(story_events(world),
            (std::vector<std::string>{"flag_blocked f", "flag_set f", "flag_set f"}));
  EXPECT_FALSE(world.set_flag("no_such_flag", "", true, 100.0, "alice"));
}

TEST(World, AFlagSetInOneGroupReachesOnlyThatGroup) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 1);
  for (HostIndex h = 0; h < 3; ++h) world.fleet().set_version(h, *world.target_version());
  EXPECT_TRUE(world.set_flag("f", "b", true, 100.0, "bob"));
  EXPECT_EQ(world.fleet().totals().misbehaving_hosts, 1);
  EXPECT_TRUE(world.fleet().is_misbehaving(2));
}

TEST(World, HaltAndResumeMoveAGroupOutOfAndBackIntoRotation) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 1);
  world.halt("a", "oncall", "errors");
  EXPECT_EQ(world.fleet().health_of(0), Health::halted);
  EXPECT_EQ(world.fleet().health_of(1), Health::halted);
  EXPECT_EQ(world.fleet().totals().serving_hosts, 3);
  world.resume("a", "oncall");
  EXPECT_EQ(world.fleet().totals().serving_hosts, 5);
  // An empty group halts every group, db included.
  world.halt("", "automation", "kill switch");
  EXPECT_EQ(world.fleet().totals().serving_hosts, 0);
  EXPECT_EQ(world.counters().actions_taken, 3);
  EXPECT_EQ(story_events(world), (std::vector<std::string>{"halted a", "resumed a", "halted "}));
}

TEST(World, RollbackWithoutARolloutRestoresEachHostsPreviousVersion) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 1);
  const auto v1 = *world.fleet().find_version("web", "v1");
  const auto v2 = *world.target_version();
  world.fleet().set_version(0, v2);
  world.fleet().set_version(2, v2);
  world.rollback_code("a", "oncall", "errors");
  EXPECT_EQ(world.fleet().version_of(0), v1);
  EXPECT_EQ(world.fleet().version_of(2), v2) << "group b was not named";
  EXPECT_EQ(world.counters().actions_taken, 1);
  EXPECT_EQ(story_events(world), (std::vector<std::string>{"code_rolled_back a"}));
}

// A rollout stands in for the strategy so that the world's calls to it can be counted.
class RecordingRollout : public Rollout {
 public:
  void rollback(std::string_view reason, std::string_view who) override {
    calls.push_back("rollback " + std::string(reason) + " by " + std::string(who));
  }
  void halt() override { calls.push_back("halt"); }
  DeployOutcome outcome() const override { return state; }
  std::vector<std::string> calls;
  DeployOutcome state = DeployOutcome::in_progress;
};

TEST(World, ActionsGoThroughTheRolloutWhenThereIsOne) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 1);
  RecordingRollout rollout;
  world.set_rollout(&rollout);
  world.fleet().set_version(0, *world.target_version());
  world.rollback_code("", "oncall", "errors");
  EXPECT_EQ(world.fleet().version_of(0), *world.target_version()) << "the rollout decides";
  world.halt("a", "oncall", "errors");
  rollout.state = DeployOutcome::halted;
  world.halt("a", "oncall", "again");  // a rollout already over is not halted twice
  EXPECT_EQ(rollout.calls, (std::vector<std::string>{"rollback errors by oncall", "halt"}));
  EXPECT_FALSE(rollout.promote("oncall"));
}

TEST(World, DetectionCountsOnlyOnceAnIncidentHasBegun) {
  const auto scenario = testing::scenario_from_json(world_scenario(kDeployWeb));
  World world(scenario, 1);
  const auto v2 = *world.target_version();
  world.note_detection();
  EXPECT_FALSE(world.counters().detected_at) << "nothing was wrong yet";
  for (HostIndex h = 0; h < 3; ++h) world.fleet().set_version(h, v2);
  world.kernel().call_at(Time::zero() + Duration::minutes(5),
                         [&](engine::Kernel&) { world.set_flag("f", "", true, 100.0, "t"); });
  world.kernel().call_at(Time::zero() + Duration::minutes(9),
                         [&](engine::Kernel&) { world.note_detection(); });
  world.kernel().call_at(Time::zero() + Duration::minutes(12),
                         [&](engine::Kernel&) { world.note_detection(); });
  world.kernel().run_until(Time::zero() + Duration::minutes(20));
  ASSERT_TRUE(world.counters().detected_at);
  EXPECT_EQ(*world.counters().detected_at, Time::zero() + Duration::minutes(9));
}

TEST(World, OnlyNotableRecordsEnterTheStoryButTheSinkSeesAll) {
  const auto scenario = testing::scenario_from_json(world_scenario(""));
  World world(scenario, 1);
  EXPECT_FALSE(world.tracing());
  engine::MemoryTraceSink sink;
  world.set_trace(&sink);
  EXPECT_TRUE(world.tracing());
  world.record({Time::zero(), "host_installed", "a-1", {}}, false);
  world.record({Time::zero(), "alert_fired", "x", {}}, true);
  EXPECT_EQ(sink.records.size(), 2u);
  ASSERT_EQ(world.story().size(), 1u);
  EXPECT_EQ(world.take_story().front().event, "alert_fired");
  EXPECT_TRUE(world.story().empty());
}

}  // namespace
}  // namespace deploysim::model
