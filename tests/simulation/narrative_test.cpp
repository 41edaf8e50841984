#include "simulation/narrative.hpp"

#include <gtest/gtest.h>

#include "scenarios.hpp"

namespace deploysim::simulation {
namespace {

using engine::Duration;
using engine::Time;
using engine::TraceRecord;

TraceRecord record(std::string event, std::string subject, std::vector<engine::TraceField> fields) {
  return TraceRecord{Time::zero(), std::move(event), std::move(subject), std::move(fields)};
}

TEST(Narrative, FlagChangesNameTheFlagWhoAndTheDamage) {
  EXPECT_EQ(describe(record("flag_set", "power_peg",
                            {{"value", true},
                             {"by", std::string("timeline")},
                             {"misbehaving_hosts", std::int64_t{1}}})),
            "flag power_peg on by timeline: 1 host misbehaving");
  EXPECT_EQ(describe(record(
                "flag_set", "dark",
                {{"value", false}, {"percent", 12.5}, {"misbehaving_hosts", std::int64_t{3}}})),
            "flag dark off for 12.5% of hosts: 3 hosts misbehaving");
  EXPECT_EQ(describe(record("flag_blocked", "f", {{"reason", std::string("no owner")}})),
            "flag f NOT turned on: no owner");
}

TEST(Narrative, HaltsAndRollbacks) {
  EXPECT_EQ(describe(record("halted", "deployment",
                            {{"by", std::string("alice")}, {"reason", std::string("alert")}})),
            "halted deployment by alice (alert)");
  EXPECT_EQ(describe(record("halted", "", {{"reason", std::string("kill switch")}})),
            "halted (kill switch)");
  EXPECT_EQ(describe(record("code_rolled_back", "", {{"misbehaving_hosts", std::int64_t{0}}})),
            "code rolled back: 0 hosts misbehaving");
  EXPECT_EQ(describe(record("resumed", "", {{"by", std::string("bob")}})), "resumed by bob");
}

TEST(Narrative, AlertValuesAreWrittenInTheirUnits) {
  auto alert = [](const std::string& metric, double value) {
    return describe(
        record("alert_fired", "high", {{"metric", metric}, {"value", value}, {"ignored", false}}));
  };
  EXPECT_EQ(alert("error_rate", 0.0534), "alert high fired (error_rate = 5.34%)");
  EXPECT_EQ(alert("latency_ms", 250.4), "alert high fired (latency_ms = 250 ms)");
  EXPECT_EQ(alert("loss_rate_usd_per_min", 2.5e6),
            "alert high fired (loss_rate_usd_per_min = $2.5M/min)");
  EXPECT_EQ(alert("kpi", 0.75), "alert high fired (kpi = 0.75)");
  EXPECT_EQ(describe(record("alert_fired", "a",
                            {{"metric", std::string("kpi")}, {"value", 1.0}, {"ignored", true}})),
            "alert a fired (kpi = 1), ignored");
}

TEST(Narrative, HostsPeopleAndScaling) {
  EXPECT_EQ(describe(record("host_updated", "web-3",
                            {{"version", std::string("v2")}, {"by", std::string("rolling")}})),
            "web-3 updated to v2 by rolling");
  EXPECT_EQ(describe(record("host_skipped", "smars-8", {{"version", std::string("v1")}})),
            "smars-8 skipped: still on v1");
  EXPECT_EQ(describe(record("host_misconfigured", "db-1", {})),
            "db-1 misconfigured: fails to start");
  EXPECT_EQ(describe(record("signal", "email", {{"treated_as_alert", false}})),
            "first email message (not treated as an alert)");
  EXPECT_EQ(describe(record("acknowledged", "oncall", {{"alert", std::string("errors")}})),
            "oncall acknowledged errors");
  EXPECT_EQ(describe(record("scaled", "web",
                            {{"from", std::int64_t{2}},
                             {"to", std::int64_t{4}},
                             {"reason", std::string("utilisation 0.9")}})),
            "web scaled from 2 to 4 replica(s): utilisation 0.9");
}

TEST(Narrative, StrategyNotesUseTheirDetailAndOthersListTheirFields) {
  EXPECT_EQ(
      describe(record("rollout_stalled", "", {{"detail", std::string("web-2 crashed on start")}})),
      "rollout stalled: web-2 crashed on start");
  EXPECT_EQ(describe(record("batch_started", "", {{"detail", std::string()}})), "batch started");
  EXPECT_EQ(describe(record("custom", "x", {{"n", std::int64_t{3}}, {"ok", true}})),
            "custom x n=3 ok=true");
}

TEST(Narrative, MoneyPicksAUnitByMagnitude) {
  EXPECT_EQ(money(0), "$0");
  EXPECT_EQ(money(999.4), "$999");
  EXPECT_EQ(money(12'500), "$12.5k");
  EXPECT_EQ(money(460'800'000), "$460.8M");
  EXPECT_EQ(money(1.5e9), "$1.50B");
  EXPECT_EQ(money(-2'000), "-$2.0k");
}

TEST(Narrative, MinutesTextRoundsToTheSecond) {
  EXPECT_EQ(minutes_text(30), "30 s");
  EXPECT_EQ(minutes_text(59.4), "59 s");
  EXPECT_EQ(minutes_text(59.6), "1 min");
  EXPECT_EQ(minutes_text(45 * 60), "45 min");
  EXPECT_EQ(minutes_text(90), "1 min 30 s");
  EXPECT_EQ(minutes_text(3900), "1 h 5 min");
  EXPECT_EQ(minutes_text(3600 + 59), "1 h");  // seconds are dropped past the hour
  EXPECT_EQ(minutes_text(-90), "-1 min 30 s");
}

TEST(Narrative, ClockTextWithAndWithoutAWallClock) {
  const auto plain = testing::scenario_from_json(R"({
    "name": "plain", "clock": {"end": "2h"},
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 1, "service": "web", "version": "v1"}}})");
  const Time t = Time::zero() + Duration::minutes(90) + Duration::seconds(5);
  EXPECT_EQ(clock_text(plain, t, false), "+01:30:05");
  EXPECT_EQ(clock_text(plain, t, true), "+01:30:05");
  auto walled = plain;
  walled.clock.wall = engine::WallClock("2012-08-01T09:30:00");
  EXPECT_EQ(clock_text(walled, t, false), "11:00:05");
  EXPECT_EQ(clock_text(walled, t, true), "2012-08-01 11:00:05");
}

}  // namespace
}  // namespace deploysim::simulation
