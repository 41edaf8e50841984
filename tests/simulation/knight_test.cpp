// The Knight Capital replay and its counterfactuals: the numbers must come out of the mechanism
// (one missed server, a repurposed flag, a rollback that spreads the failure), and each
// counterfactual must change the outcome for the reason it claims.

#include <gtest/gtest.h>

#include <algorithm>

#include "scenario/load.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {
namespace {

using testing::bundled_scenario;

Result run_scenario_file(const std::string& name, std::uint64_t seed = 1) {
  const auto scenario = scenario::load_scenario(bundled_scenario(name));
  return run(scenario, seed);
}

const engine::TraceRecord* find_event(const Result& result, std::string_view event) {
  for (const auto& record : result.story) {
    if (record.event == event) return &record;
  }
  return nullptr;
}

std::int64_t misbehaving_after(const engine::TraceRecord& record) {
  for (const auto& field : record.fields) {
    if (field.key == "misbehaving_hosts") return std::get<std::int64_t>(field.value);
  }
  return -1;
}

TEST(KnightReplay, HitsTheCalibrationBands) {
  const auto result = run_scenario_file("knight_capital_2012.json");
  const auto& s = result.summary;
  // SEC Release 34-70694: more than $460M lost in about 45 minutes.
  EXPECT_NEAR(s.loss_usd, 460e6, 46e6);
  // The SEC's 45 minutes are those of the runaway orders: from the open until SMARS stopped.
  ASSERT_TRUE(s.time_to_mitigate_s.has_value());
  EXPECT_NEAR(*s.time_to_mitigate_s / 60.0, 45.0, 5.0);
  // Stopping SMARS is an outage of the order router, not a recovery: it stays halted to the end
  // of the run at 10:30, an hour after the open.
  EXPECT_FALSE(s.time_to_recover_s.has_value());
  ASSERT_TRUE(s.incident_duration_s.has_value());
  EXPECT_DOUBLE_EQ(*s.incident_duration_s, 3600.0);
  EXPECT_EQ(s.hosts_total, 8);
  EXPECT_EQ(s.max_hosts_misbehaving, 8);
  EXPECT_EQ(s.deploy_outcome, "rolled_back");
}

TEST(KnightReplay, OneServerMissedThenRollbackSpreadsTheFailureToAllEight) {
  const auto result = run_scenario_file("knight_capital_2012.json");
  const auto* skipped = find_event(result, "host_skipped");
  ASSERT_NE(skipped, nullptr);
  EXPECT_EQ(skipped->subject, "smars-8");

  const auto* flag = find_event(result, "flag_set");
  ASSERT_NE(flag, nullptr);
  EXPECT_EQ(misbehaving_after(*flag), 1) << "only the server still on the old code misbehaves";

  const auto* rollback = find_event(result, "code_rolled_back");
  ASSERT_NE(rollback, nullptr);
  EXPECT_EQ(misbehaving_after(*rollback), 8) << "the old code comes back with the flag still on";
  EXPECT_GT(rollback->time, flag->time);

  const auto* halt = find_event(result, "halted");
  ASSERT_NE(halt, nullptr);
  EXPECT_EQ(misbehaving_after(*halt), 0);
}

TEST(KnightReplay, LossRateIsEightfoldAfterTheRollback) {
  const auto result = run_scenario_file("knight_capital_2012.json");
  const auto& time = *result.timeseries.column("time_s");
  const auto& rate = *result.timeseries.column("loss_rate_usd_per_min");
  const auto* flag = find_event(result, "flag_set");
  const auto* rollback = find_event(result, "code_rolled_back");
  ASSERT_TRUE(flag && rollback);
  double before = -1, after = -1;
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (time[i] > flag->time.to_seconds() && time[i] < rollback->time.to_seconds())
      before = rate[i];
    if (time[i] > rollback->time.to_seconds() && rate[i] > 0) after = rate[i];
  }
  ASSERT_GT(before, 0.0);
  EXPECT_DOUBLE_EQ(after, 8 * before);
}

TEST(KnightReplay, WarningEmailsBeforeTheOpenWereNotAlerts) {
  const auto result = run_scenario_file("knight_capital_2012.json");
  // SEC para. 19: 97 e-mails between about 08:01 and the 09:30 open.
  EXPECT_EQ(result.summary.signals_emitted, 97);
  ASSERT_TRUE(result.summary.time_to_detect_s.has_value());
  const auto* signal = find_event(result, "signal");
  const auto* flag = find_event(result, "flag_set");
  ASSERT_TRUE(signal && flag);
  EXPECT_LT(signal->time, flag->time) << "the warnings came before the incident";
}

TEST(KnightReplay, IsDeterministicForASeed) {
  const auto first = run_scenario_file("knight_capital_2012.json", 5);
  const auto second = run_scenario_file("knight_capital_2012.json", 5);
  EXPECT_EQ(first.summary.to_json().dump(), second.summary.to_json().dump());
  EXPECT_EQ(first.timeseries.values, second.timeseries.values);
}

TEST(KnightCounterfactual, AutomatedDeployReachesAllEightAndLosesNothing) {
  const auto result = run_scenario_file("knight_capital_2012_automated_deploy.json");
  EXPECT_EQ(result.summary.loss_usd, 0.0);
  EXPECT_EQ(result.summary.hosts_on_target_version, 8);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 0);
  EXPECT_FALSE(result.summary.incident_duration_s.has_value()) << "no incident is null, not 0";
  const auto* flag = find_event(result, "flag_set");
  ASSERT_NE(flag, nullptr) << "the flag still goes on at the open";
  EXPECT_EQ(misbehaving_after(*flag), 0);
}

TEST(KnightCounterfactual, PreflightGateBlocksTheFlagAndNamesTheServer) {
  const auto result = run_scenario_file("knight_capital_2012_preflight_gate.json");
  EXPECT_EQ(result.summary.loss_usd, 0.0);
  EXPECT_EQ(result.summary.flag_changes_blocked, 1);
  EXPECT_EQ(find_event(result, "flag_set"), nullptr);
  const auto* blocked = find_event(result, "flag_blocked");
  ASSERT_NE(blocked, nullptr);
  bool names_server = false;
  for (const auto& field : blocked->fields) {
    if (field.key == "reason") {
      names_server = std::get<std::string>(field.value).find("smars-8") != std::string::npos;
    }
  }
  EXPECT_TRUE(names_server);
  EXPECT_EQ(result.summary.hosts_on_target_version, 7) << "the gate does not fix the deploy";
}

TEST(KnightCounterfactual, FlagCanaryWithKillSwitchKeepsTheLossSmall) {
  const auto baseline = run_scenario_file("knight_capital_2012.json");
  const auto result = run_scenario_file("knight_capital_2012_kill_switch.json");
  EXPECT_GT(result.summary.loss_usd, 0.0) << "the flag still reaches smars-8";
  EXPECT_LT(result.summary.loss_usd, baseline.summary.loss_usd / 50);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 1);
  const auto* halt = find_event(result, "halted");
  ASSERT_NE(halt, nullptr);
  EXPECT_EQ(std::get<std::string>(halt->fields.front().value), "automation");
  ASSERT_TRUE(result.summary.time_to_mitigate_s.has_value());
  EXPECT_LE(*result.summary.time_to_mitigate_s, 120.0);
}

TEST(KnightCounterfactual, FlagOffStopsTheLossInsteadOfGrowingIt) {
  const auto baseline = run_scenario_file("knight_capital_2012.json");
  const auto result = run_scenario_file("knight_capital_2012_flag_off.json");
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 1) << "the failure never spreads";
  EXPECT_LT(result.summary.loss_usd, baseline.summary.loss_usd / 4);
  const auto flag_off = std::find_if(result.story.begin(), result.story.end(), [](const auto& r) {
    return r.event == "flag_set" && std::get<bool>(r.fields.front().value) == false;
  });
  ASSERT_NE(flag_off, result.story.end());
  EXPECT_EQ(misbehaving_after(*flag_off), 0);
  // The flag goes off when the rollback happened in the replay: the same people, the same times.
  EXPECT_EQ(flag_off->time, find_event(baseline, "code_rolled_back")->time);
}

}  // namespace
}  // namespace deploysim::simulation
