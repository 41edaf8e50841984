// The notification log: an alert's transitions as Nagios and Icinga log them, with the people
// the scenario pages.

#include "io/notification_log.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "io/metrics_export.hpp"
#include "scenario/load.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::io {
namespace {

// 2012-08-01T09:30:00 and 10:15:00 on the scenario's calendar.
constexpr std::int64_t kOpenEpoch = 1343813400;
constexpr std::int64_t kHaltEpoch = 1343816100;

TEST(NotificationLog, KnightGoesCriticalAfterTheOpenAndRecoversAfterTheHalt) {
  const auto scenario =
      scenario::load_scenario(testing::bundled_scenario("knight_capital_2012.json"));
  const auto result = simulation::run(scenario, 1);
  const auto list = notifications(scenario, result.story);
  ASSERT_EQ(list.size(), 2u);
  const auto& problem = list[0];
  EXPECT_EQ(problem.alert, "unusual_trading");
  EXPECT_EQ(problem.service, "smars");
  EXPECT_EQ(problem.previous, "OK");
  EXPECT_EQ(problem.state, "CRITICAL");
  EXPECT_EQ(problem.contacts, std::vector<std::string>{"tech_team"});
  // The rule holds for a minute after the 09:30 open before it fires.
  const auto fired_at = calendar_ms(scenario, problem.time) / 1000;
  EXPECT_GE(fired_at, kOpenEpoch + 60);
  EXPECT_LT(fired_at, kOpenEpoch + 5 * 60);
  EXPECT_EQ(list[1].state, "OK");
  EXPECT_EQ(list[1].previous, "CRITICAL");
  EXPECT_GE(calendar_ms(scenario, list[1].time) / 1000, kHaltEpoch);

  std::ostringstream log;
  write_notification_log(log, scenario, list);
  const std::string when = '[' + std::to_string(fired_at) + "] ";
  EXPECT_EQ(log.str().rfind(when + "SERVICE ALERT: smars;unusual_trading;CRITICAL;HARD;1;alert "
                                   "unusual_trading fired (",
                            0),
            0u)
      << log.str();
  EXPECT_NE(log.str().find(when + "SERVICE NOTIFICATION: tech_team;smars;unusual_trading;"
                                  "CRITICAL;notify;"),
            std::string::npos);
  EXPECT_NE(log.str().find("SERVICE NOTIFICATION: tech_team;smars;unusual_trading;RECOVERY;"),
            std::string::npos);

  const auto json = notifications_to_json(scenario, list);
  EXPECT_EQ(json["notifications"][0]["timestamp"], fired_at);
  EXPECT_EQ(json["notifications"][0]["clock"].get<std::string>().substr(0, 10), "2012-08-01");
  EXPECT_EQ(json["notifications"][1]["state"], "OK");
  EXPECT_NE(notification_line(scenario, list[0]).find("CRITICAL unusual_trading (was OK): "),
            std::string::npos);
  EXPECT_NE(notification_line(scenario, list[0]).find("; notified tech_team"), std::string::npos);
}

TEST(NotificationLog, WarningLevelsIgnoredAlertsAndRepeatsOfTheSameState) {
  const auto scenario = testing::scenario_from_json(R"({
    "name": "levels", "clock": {"end": "10min"},
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 2, "service": "web", "version": "v1"}},
    "monitoring": {"alerts": [
      {"name": "slow", "metric": "latency_ms", "above": 100, "level": "warning", "notify": "ops"},
      {"name": "mail", "metric": "error_rate", "above": 0.5, "ignored": true, "notify": "ops"}]},
    "people": {"ops": {}}})");
  const auto at = [](int minute) { return engine::Time::from_ms(minute * 60'000); };
  const std::vector<engine::TraceRecord> story = {
      {at(1), "alert_fired", "slow", {{"level", std::string("warning")}}},
      {at(2), "alert_fired", "slow", {{"level", std::string("warning")}}},
      {at(3), "alert_fired", "mail", {{"level", std::string("critical")}}},
      {at(4), "alert_resolved", "slow", {}},
      {at(5), "flag_set", "x", {{"value", true}}}};
  const auto list = notifications(scenario, story);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].state, "WARNING");
  EXPECT_EQ(list[0].contacts, std::vector<std::string>{"ops"});
  EXPECT_EQ(list[1].alert, "mail");
  EXPECT_TRUE(list[1].contacts.empty()) << "an ignored alert pages nobody";
  EXPECT_EQ(list[2].state, "OK");
  EXPECT_EQ(list[2].previous, "WARNING");
  EXPECT_NE(notification_line(scenario, list[1]).find("nobody notified"), std::string::npos);
  // Without a calendar the log counts from 1970-01-01.
  std::ostringstream log;
  write_notification_log(log, scenario, list);
  EXPECT_EQ(log.str().rfind("[60] SERVICE ALERT: fleet;slow;WARNING;HARD;1;", 0), 0u) << log.str();
}

}  // namespace
}  // namespace deploysim::io
