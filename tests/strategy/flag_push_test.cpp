// Staged flag, configuration and content pushes (strategy/flag_push.hpp), each against a case
// computed by hand: 10 hosts of one service in three groups, a flag that is off, one scrape
// every 15 s, and a push that starts at +10 min.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy {
namespace {

using testing::scenario_from_json;

constexpr double kStart = 600.0;  // +10min

// `rule` is what the new content does when on; `change` is the rest of the change object
// (strategy, abort_on, ...); `extra` adds top-level keys.
std::string push_scenario(const std::string& rule, const std::string& change,
                          const std::string& extra = "") {
  return R"({"name": "content push", "clock": {"end": "4h"},
    "behaviours": {"bad_rule": )" +
         rule + R"(},
    "services": {"cdn": {"versions": {"v1": {"flags": {"new_rule": "bad_rule"}}, "v2": {}}}},
    "fleet": {"canary": {"hosts": 2, "service": "cdn", "version": "v1"},
              "europe": {"hosts": 4, "service": "cdn", "version": "v1"},
              "america": {"hosts": 4, "service": "cdn", "version": "v1"}},
    "flags": {"new_rule": {}},
    "business": {"requests_per_host_per_s": 10},
    "monitoring": {"scrape_interval": "15s",
                   "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.05,
                               "for": "1min"}]},
    "people": {"sre": {}},
    "changes": [{"name": "rule push", "kind": "content", "flag": "new_rule", "start": "+10min",
                 )" +
         change + "}]" + extra + "}";
}

const std::string kFailingRule = R"({"kind": "error_rate_increase", "error_rate": 0.5})";
const std::string kHarmlessRule = R"({"kind": "healthy"})";
const std::string kRings = R"("strategy": {"type": "rings", "rings": [
    {"name": "canary", "groups": ["canary"], "bake": "30min"},
    {"name": "europe", "groups": ["europe"], "bake": "30min"},
    {"name": "everyone", "percent": 100}]})";

// The story's records of one event, in order.
std::vector<engine::TraceRecord> records(const simulation::Result& result,
                                         const std::string& event) {
  std::vector<engine::TraceRecord> found;
  for (const auto& record : result.story) {
    if (record.event == event) found.push_back(record);
  }
  return found;
}

std::int64_t int_field(const engine::TraceRecord& record, const std::string& key) {
  for (const auto& field : record.fields) {
    if (field.key == key) return std::get<std::int64_t>(field.value);
  }
  ADD_FAILURE() << "no field " << key << " in " << record.event;
  return -1;
}

TEST(FlagPush, AStagedContentPushStopsAtItsFirstRingWhenItsAlertFires) {
  const auto scenario =
      scenario_from_json(push_scenario(kFailingRule, kRings + R"(, "abort_on": ["errors"])"));
  const auto result = simulation::run(scenario, 1);
  const auto& s = result.summary;
  ASSERT_EQ(s.changes.size(), 1U);
  const auto& change = s.changes[0];
  EXPECT_EQ(change.outcome, ChangeOutcome::rolled_back);
  EXPECT_EQ(change.stages_done, 1U);
  EXPECT_EQ(change.stages_total, 3U);
  EXPECT_EQ(change.kind, "content");
  EXPECT_EQ(change.reason, "alert errors");
  // The canary ring (2 of 10 hosts at 50% errors) makes the fleet's error rate 0.1 from +10 min;
  // the alert holds for 1 min and fires at the scrape of +11 min, which rolls the push back.
  ASSERT_TRUE(change.ended_s);
  EXPECT_DOUBLE_EQ(*change.ended_s, kStart + 60.0);
  EXPECT_EQ(s.max_hosts_misbehaving, 2);
  // 2 hosts x 10 requests/s x 50% for the 60 s the rule was on.
  EXPECT_DOUBLE_EQ(s.failed_requests, 2 * 10 * 0.5 * 60.0);
  EXPECT_EQ(records(result, "change_stage").size(), 1U);
  const auto rolled_back = records(result, "change_rolled_back");
  ASSERT_EQ(rolled_back.size(), 1U);
  EXPECT_EQ(int_field(rolled_back[0], "hosts_flag_on"), 0);
  EXPECT_EQ(int_field(rolled_back[0], "misbehaving_hosts"), 0);
  EXPECT_EQ(s.to_json()["changes"][0]["outcome"], "rolled_back");
}

TEST(FlagPush, WithoutAbortAlertsEveryStageRunsAtItsTime) {
  // The same failing content without abort_on: nothing stops it; stages at +10, +40 and +70 min.
  const auto scenario = scenario_from_json(push_scenario(kFailingRule, kRings));
  const auto result = simulation::run(scenario, 1);
  const auto stages = records(result, "change_stage");
  ASSERT_EQ(stages.size(), 3U);
  const std::vector<double> times = {kStart, kStart + 1800.0, kStart + 3600.0};
  const std::vector<std::int64_t> hosts_on = {2, 6, 10};
  for (std::size_t i = 0; i < stages.size(); ++i) {
    EXPECT_DOUBLE_EQ(stages[i].time.to_seconds(), times[i]) << "stage " << i + 1;
    EXPECT_EQ(int_field(stages[i], "hosts_flag_on"), hosts_on[i]) << "stage " << i + 1;
  }
  const auto& change = result.summary.changes.at(0);
  EXPECT_EQ(change.outcome, ChangeOutcome::completed);
  EXPECT_EQ(change.stages_done, 3U);
  ASSERT_TRUE(change.ended_s);
  EXPECT_DOUBLE_EQ(*change.ended_s, kStart + 3600.0) << "the last ring has no bake";
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 10);
}

TEST(FlagPush, TurningTheFlagOffStopsItsStages) {
  // A person turns the flag off at +20 min, during the canary ring's bake: the europe ring
  // due at +40 min never comes.
  const std::string timeline =
      R"(, "timeline": [{"at": "+20min", "do": "set_flag", "flag": "new_rule", "value": false,
                          "by": "sre"}])";
  const auto scenario = scenario_from_json(push_scenario(kFailingRule, kRings, timeline));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(records(result, "change_stage").size(), 1U);
  const auto stopped = records(result, "change_stopped");
  ASSERT_EQ(stopped.size(), 1U);
  EXPECT_DOUBLE_EQ(stopped[0].time.to_seconds(), 1200.0);
  EXPECT_EQ(int_field(stopped[0], "hosts_flag_on"), 0);
  const auto& change = result.summary.changes.at(0);
  EXPECT_EQ(change.outcome, ChangeOutcome::stopped);
  EXPECT_EQ(change.stages_done, 1U);
  EXPECT_EQ(change.reason, "flag turned off by sre");
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 2);
}

TEST(FlagPush, AKillSwitchThatTurnsTheFlagOffStopsThePushToo) {
  const std::string automation = R"(, "automation": {"kill_switch": {"metric": "error_rate",
      "above": 0.05, "for": "30s", "turn_off_flag": "new_rule"}})";
  const auto scenario = scenario_from_json(push_scenario(kFailingRule, kRings, automation));
  const auto result = simulation::run(scenario, 1);
  const auto& change = result.summary.changes.at(0);
  EXPECT_EQ(change.outcome, ChangeOutcome::stopped);
  EXPECT_EQ(change.reason, "flag turned off by automation");
  ASSERT_TRUE(change.ended_s);
  EXPECT_DOUBLE_EQ(*change.ended_s, kStart + 30.0);
  EXPECT_EQ(change.stages_done, 1U);
}

TEST(FlagPush, PercentStagesOnlyEverAddHosts) {
  // Rolling by 30%: 30, 60, 90 and 100% every 5 min; the push completes 5 min after the last.
  const auto scenario = scenario_from_json(push_scenario(
      kHarmlessRule, R"("strategy": {"type": "rolling", "step_percent": 30, "interval": "5min"})"));
  const auto result = simulation::run(scenario, 1);
  const auto stages = records(result, "change_stage");
  ASSERT_EQ(stages.size(), 4U);
  std::int64_t previous = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    EXPECT_DOUBLE_EQ(stages[i].time.to_seconds(), kStart + 300.0 * static_cast<double>(i));
    const auto on = int_field(stages[i], "hosts_flag_on");
    EXPECT_GE(on, previous) << "stage " << i + 1;
    previous = on;
  }
  EXPECT_EQ(previous, 10);
  const auto& change = result.summary.changes.at(0);
  EXPECT_EQ(change.outcome, ChangeOutcome::completed);
  EXPECT_DOUBLE_EQ(*change.ended_s, kStart + 4 * 300.0);
}

TEST(FlagPush, ACanaryEndsWithPromotionToEveryone) {
  const auto scenario =
      scenario_from_json(push_scenario(kHarmlessRule, R"("strategy": {"type": "canary", "steps": [
          {"percent": 10, "bake": "10min"}, {"percent": 50, "bake": "10min"}]})"));
  const auto result = simulation::run(scenario, 1);
  const auto stages = records(result, "change_stage");
  ASSERT_EQ(stages.size(), 3U);
  EXPECT_DOUBLE_EQ(stages[2].time.to_seconds(), kStart + 1200.0);
  EXPECT_EQ(int_field(stages[2], "hosts_flag_on"), 10);
  EXPECT_EQ(result.summary.changes.at(0).outcome, ChangeOutcome::completed);
}

TEST(FlagPush, ThePreflightGateRefusesAPushWhileHostsRunOtherVersions) {
  const auto scenario = scenario_from_json(
      push_scenario(kFailingRule, kRings + R"(, "preflight": {"require_versions": ["v2"]})"));
  const auto result = simulation::run(scenario, 1);
  const auto& change = result.summary.changes.at(0);
  EXPECT_EQ(change.outcome, ChangeOutcome::blocked);
  EXPECT_EQ(change.stages_done, 0U);
  EXPECT_EQ(result.summary.flag_changes_blocked, 1);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 0);
  // Groups are in key order, so america comes first.
  EXPECT_EQ(change.reason, "pre-flight gate: 10 host(s) in scope not on v2, e.g. america-1");
}

TEST(FlagPush, AnAbortAlertAlreadyFiringStopsThePushAtTheEndOfTheBake) {
  // An older flag, on in the canary group from the start, fails the same requests: the alert
  // fires at +1 min, long before the push, and the canary ring adds no error of its own, so no
  // alert fires during the push. The analysis at the end of the canary's bake (+40 min) still
  // sees the alert firing and rolls back.
  auto text = push_scenario(kFailingRule, kRings + R"(, "abort_on": ["errors"])");
  const auto replace = [&text](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace(R"("flags": {"new_rule": "bad_rule"})",
          R"("flags": {"new_rule": "bad_rule", "old_bug": "bad_rule"})");
  replace(R"("flags": {"new_rule": {}})",
          R"("flags": {"new_rule": {}, "old_bug": {"initial": true, "scope": "canary"}})");
  const auto result = simulation::run(scenario_from_json(text), 1);
  const auto& change = result.summary.changes.at(0);
  EXPECT_EQ(change.outcome, ChangeOutcome::rolled_back);
  EXPECT_EQ(change.stages_done, 1U);
  ASSERT_TRUE(change.ended_s);
  EXPECT_DOUBLE_EQ(*change.ended_s, kStart + 1800.0);
  const auto fired = records(result, "alert_fired");
  ASSERT_EQ(fired.size(), 1U);
  EXPECT_DOUBLE_EQ(fired[0].time.to_seconds(), 60.0);
}

TEST(TimelineFlagStages, StopOnceSomebodyElseTurnsTheFlagOff) {
  // The timeline releases the rule to the canary group at +10 min and to europe at +40 min; a
  // kill switch turns it off at +10:30 (the canary's 2 hosts make 10% errors for 30 s). The
  // europe stage would undo the kill switch: it is skipped.
  auto text = push_scenario(kFailingRule, kRings, R"(,
      "automation": {"kill_switch": {"metric": "error_rate", "above": 0.05, "for": "30s",
                                     "turn_off_flag": "new_rule"}},
      "timeline": [
        {"at": "+10min", "do": "set_flag", "flag": "new_rule", "value": true, "group": "canary"},
        {"at": "+40min", "do": "set_flag", "flag": "new_rule", "value": true, "group": "europe"}])");
  // Without the change: only the timeline turns the flag on here.
  auto scenario = scenario_from_json(text);
  scenario.changes.clear();
  const auto result = simulation::run(scenario, 1);
  const auto skipped = records(result, "flag_stage_skipped");
  ASSERT_EQ(skipped.size(), 1U);
  EXPECT_DOUBLE_EQ(skipped[0].time.to_seconds(), 2400.0);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 2);
  EXPECT_DOUBLE_EQ(result.summary.failed_requests, 2 * 10 * 0.5 * 30.0);
  EXPECT_EQ(records(result, "flag_set").size(), 2U) << "the canary stage and the kill switch";
}

TEST(TimelineFlagStages, TheTimelineItselfMayTurnAFlagOffAndOnAgain) {
  auto text = push_scenario(kHarmlessRule, kRings, R"(,
      "timeline": [
        {"at": "+10min", "do": "set_flag", "flag": "new_rule", "value": true, "group": "canary"},
        {"at": "+20min", "do": "set_flag", "flag": "new_rule", "value": false},
        {"at": "+40min", "do": "set_flag", "flag": "new_rule", "value": true}])");
  auto scenario = scenario_from_json(text);
  scenario.changes.clear();
  const auto result = simulation::run(scenario, 1);
  EXPECT_TRUE(records(result, "flag_stage_skipped").empty());
  EXPECT_EQ(records(result, "flag_set").size(), 3U);
}

// A code release of cdn to v2 with `release`, the rest of the code change or deployment object,
// written as /deployment or among the changes (beside the harmless content push).
std::string release_scenario(bool among_changes, const std::string& release) {
  const std::string code = R"("service": "cdn", "to": "v2", "start": "+10min",
      "strategy": {"type": "rolling", "batch_size": 2}, "host_update": {"install": "1min"})" +
                           release;
  const std::string push = R"({"name": "rule push", "kind": "content", "flag": "new_rule",
      "start": "+1h", "strategy": {"type": "all_at_once"}})";
  return R"({"name": "release and push", "clock": {"end": "4h"},
    "behaviours": {"bad_release": {"kind": "error_rate_increase", "error_rate": 0.5},
                   "rule": {"kind": "healthy"}},
    "services": {"cdn": {"versions": {"v1": {"flags": {"new_rule": "rule"}},
                                      "v2": {"behaviour": "bad_release"}}}},
    "fleet": {"canary": {"hosts": 2, "service": "cdn", "version": "v1"},
              "europe": {"hosts": 4, "service": "cdn", "version": "v1"},
              "america": {"hosts": 4, "service": "cdn", "version": "v1"}},
    "flags": {"new_rule": {}},
    "business": {"requests_per_host_per_s": 10},
    "monitoring": {"scrape_interval": "15s",
                   "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.05,
                               "for": "1min"}]},
    )" + (among_changes
              ? R"("changes": [{"name": "cdn v2", "kind": "code", )" + code + "}, " + push + "]}"
              : R"("deployment": {)" + code + R"(}, "changes": [)" + push + "]}");
}

TEST(CodeRelease, AmongTheChangesItRunsAsTheDeploymentDoes) {
  const auto as_deployment = simulation::run(scenario_from_json(release_scenario(false, "")), 3);
  const auto as_change = simulation::run(scenario_from_json(release_scenario(true, "")), 3);
  auto a = as_deployment.summary.to_json();
  auto b = as_change.summary.to_json();
  a.erase("wall_time_s");
  b.erase("wall_time_s");
  EXPECT_EQ(a, b);
  EXPECT_EQ(as_deployment.story.size(), as_change.story.size());
  EXPECT_EQ(as_change.summary.deploy_outcome, "completed");
  EXPECT_EQ(b["changes"].size(), 1U) << "the code release is reported by the deploy keys";
}

TEST(CodeRelease, ItsAbortAlertRollsItBackWhileAContentPushGoesOn) {
  // v2 fails half the requests of each host it reaches: the error alert fires mid-rollout.
  const auto result =
      simulation::run(scenario_from_json(release_scenario(true, R"(, "abort_on": ["errors"])")), 3);
  const auto& s = result.summary;
  EXPECT_EQ(s.deploy_outcome, "rolled_back");
  EXPECT_EQ(s.hosts_on_target_version, 0);
  EXPECT_EQ(s.to_json()["changes"][0]["outcome"], "completed") << "the content push is its own";
  const auto code_change =
      simulation::run(scenario_from_json(release_scenario(true, "")), 3).summary;
  EXPECT_EQ(code_change.deploy_outcome, "completed") << "without abort_on nothing rolls it back";
}

TEST(FlagPush, ScenariosWithoutChangesHaveNoChangesKey) {
  const auto scenario = scenario_from_json(push_scenario(kHarmlessRule, kRings));
  auto without = scenario;
  without.changes.clear();
  EXPECT_FALSE(simulation::run(without, 1).summary.to_json().contains("changes"));
  EXPECT_TRUE(simulation::run(scenario, 1).summary.to_json().contains("changes"));
}

}  // namespace
}  // namespace deploysim::strategy
