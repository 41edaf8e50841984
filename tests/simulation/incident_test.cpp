// Incidents as users see them (docs/incidents.md) and crashed hosts repaired by hand
// (model/remediation.hpp), each against a case computed by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {
namespace {

using testing::scenario_from_json;

// `count` hosts of service web, 10 requests/s each; the run lasts two hours.
std::string web_fleet(int count) {
  return R"("services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": "bsod"}}}},
            "fleet": {"web": {"hosts": )" +
         std::to_string(count) + R"(, "service": "web", "version": "v1"}},
            "business": {"requests_per_host_per_s": 10, "users_per_request": 1},
            "clock": {"end": "12h"})";
}

// An all-at-once push of a version that crashes on start, which only hands can repair: N hosts,
// k technicians, a fixed time per host.
std::string crash_push(int hosts, int technicians, const std::string& team_extra = "") {
  return R"({"name": "crash push",
    "behaviours": {"bsod": {"kind": "crash_on_start", "recovery": "manual", "team": "desk"}},
    "remediation_teams": {"desk": {"technicians": )" +
         std::to_string(technicians) + R"(, "per_host": "1h")" + team_extra + R"(}},
    "deployment": {"service": "web", "to": "v2", "start": "10min",
                   "strategy": {"type": "all_at_once"}, "host_update": {"install": "5min"}},
    "timeline": [{"at": "+45min", "do": "rollback_code"}],
    )" + web_fleet(hosts) +
         "}";
}

constexpr double kHour = 3600.0;
constexpr double kCrash = 15 * 60.0;  // 10 min start + 5 min install

TEST(ManualRemediation, TakesCeilOfHostsOverTechniciansTimesThePerHostTime) {
  // 10 hosts, 3 technicians, 1 h each: repairs end at +1, +2, +3 h (three each) and +4 h (the
  // last one): ceil(10 / 3) = 4 hours after the crash.
  const auto result = run(scenario_from_json(crash_push(10, 3)), 1);
  const auto& s = result.summary;
  ASSERT_EQ(s.remediation.size(), 1U);
  EXPECT_EQ(s.remediation[0].hosts_repaired, 10);
  EXPECT_EQ(s.remediation[0].hosts_awaiting_repair, 0);
  ASSERT_TRUE(s.remediation[0].last_repair_s);
  EXPECT_DOUBLE_EQ(*s.remediation[0].last_repair_s, kCrash + std::ceil(10.0 / 3.0) * kHour);
  // The incident lasts from the crash to the last repair: hosts stay crashed until repaired,
  // though the service itself answers again after the first three.
  ASSERT_TRUE(s.incident_start_s && s.time_to_recover_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.incident_start_s, kCrash);
  EXPECT_DOUBLE_EQ(*s.time_to_recover_s, 4 * kHour);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 4 * kHour);
  EXPECT_DOUBLE_EQ(*s.incident_duration_s, 4 * kHour);
  EXPECT_EQ(s.blast_radius_hosts, 10);
  // Down: 3 hosts for 1 h, 3 for 2 h, 3 for 3 h, 1 for 4 h.
  EXPECT_DOUBLE_EQ(s.host_minutes_unavailable, (3 * 1 + 3 * 2 + 3 * 3 + 1 * 4) * 60.0);
  // Every request fails during the first hour, when no host serves: 10 hosts x 10 req/s.
  EXPECT_DOUBLE_EQ(s.failed_requests, 10 * 10 * kHour);
  EXPECT_EQ(s.hosts_on_target_version, 0) << "a repair puts back the version that started";
}

TEST(ManualRemediation, ARollbackCannotReachHostsThatNeedHands) {
  const auto result = run(scenario_from_json(crash_push(10, 3)), 1);
  // The rollback at +45 min changed nothing: the first repairs come an hour after the crash.
  const auto& repaired = *result.timeseries.column("hosts_repaired");
  const auto& time = *result.timeseries.column("time_s");
  const auto& serving = *result.timeseries.column("serving_hosts");
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (time[i] > kCrash && time[i] < kCrash + kHour) {
      EXPECT_EQ(serving[i], 0.0) << "at " << time[i];
      EXPECT_EQ(repaired[i], 0.0);
    }
  }
}

TEST(ManualRemediation, CurveCountsHostsFixedOverTime) {
  const auto result = run(scenario_from_json(crash_push(10, 3)), 1);
  const auto& time = *result.timeseries.column("time_s");
  const auto& repaired = *result.timeseries.column("hosts_repaired");
  const auto& awaiting = *result.timeseries.column("hosts_awaiting_repair");
  const auto at = [&](double t) {
    for (std::size_t i = 0; i < time.size(); ++i) {
      if (time[i] == t) return i;
    }
    ADD_FAILURE() << "no sample at " << t;
    return std::size_t{0};
  };
  EXPECT_EQ(awaiting[at(kCrash + 30 * 60)], 10.0);
  EXPECT_EQ(repaired[at(kCrash + 1.5 * kHour)], 3.0);
  EXPECT_EQ(repaired[at(kCrash + 2.5 * kHour)], 6.0);
  EXPECT_EQ(repaired[at(kCrash + 3.5 * kHour)], 9.0);
  EXPECT_EQ(repaired[at(kCrash + 4.5 * kHour)], 10.0);
  EXPECT_EQ(awaiting[at(kCrash + 4.5 * kHour)], 0.0);
}

TEST(ManualRemediation, TechniciansRampUpAndStartAfterMobilising) {
  // 4 hosts, 2 technicians arriving over 1 h after a 30 min call-out: the first at +30 min, the
  // second at +60 min; each takes 1 h a host: repairs at +1.5, +2, +2.5 and +3 h.
  const auto result =
      run(scenario_from_json(crash_push(4, 2, R"(, "start_after": "30min", "ramp_up": "1h")")), 1);
  ASSERT_TRUE(result.summary.remediation[0].last_repair_s);
  EXPECT_DOUBLE_EQ(*result.summary.remediation[0].last_repair_s, kCrash + 3 * kHour);
}

TEST(ManualRemediation, OrderRepairsTheNamedGroupsFirst) {
  const std::string scenario = R"({"name": "two rooms",
    "behaviours": {"bsod": {"kind": "crash_on_start", "recovery": "manual", "team": "desk"}},
    "remediation_teams": {"desk": {"technicians": 1, "per_host": "1h", "order": ["b"]}},
    "services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": "bsod"}}}},
    "fleet": {"a": {"hosts": 2, "service": "web", "version": "v1"},
              "b": {"hosts": 2, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "start": "0s",
                   "strategy": {"type": "all_at_once"}, "host_update": {"install": "1min"}},
    "clock": {"end": "6h"}})";
  const auto parsed = scenario_from_json(scenario);  // the simulation keeps a reference
  Simulation simulation(parsed, 1);
  simulation.run_until(engine::Time::zero() + engine::Duration::minutes(1 + 2 * 60 + 1));
  const auto& fleet = simulation.world().fleet();
  for (const auto& group : fleet.groups()) {
    for (auto h : group.hosts) {
      EXPECT_EQ(fleet.is_serving(h), group.name == "b") << fleet.host_name(h);
    }
  }
}

TEST(CrashRecovery, RestartingHostsServeAgainAfterBackOffAndStart) {
  const std::string scenario = R"({"name": "restart",
    "behaviours": {"flaky": {"kind": "crash_on_start", "recovery": "restart",
                             "restart_after": "2min"}},
    "services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": "flaky"}},
                         "host_start": "1min"}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "start": "0s",
                   "strategy": {"type": "all_at_once"}, "host_update": {"install": "1min"}},
    "clock": {"end": "1h"}})";
  const auto s = run(scenario_from_json(scenario), 1).summary;
  // Crash at 1 min; back-off 2 min and start 1 min: serving again at 4 min.
  ASSERT_TRUE(s.incident_start_s && s.time_to_recover_s);
  EXPECT_DOUBLE_EQ(*s.incident_start_s, 60.0);
  EXPECT_DOUBLE_EQ(*s.time_to_recover_s, 180.0);
  EXPECT_EQ(s.hosts_on_target_version, 4) << "a restart keeps the code";
}

// Four hosts; a flag turns on code that fails half the requests; a kill switch fires when the
// error rate stays above 10% for a minute.
std::string kill_switch(const std::string& extra) {
  return R"({"name": "kill switch",
    "behaviours": {"broken": {"kind": "error_rate_increase", "error_rate": 0.5}},
    "services": {"web": {"versions": {"v1": {"flags": {"feature": "broken"}}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "flags": {"feature": {"initial": false}},
    "monitoring": {"scrape_interval": "30s"},
    "automation": {"kill_switch": {"metric": "error_rate", "above": 0.1, "for": "1min")" +
         extra + R"(}},
    "timeline": [{"at": "+10min", "do": "set_flag", "flag": "feature", "value": true}],
    "business": {"requests_per_host_per_s": 10, "users_per_request": 1},
    "clock": {"end": "2h"}})";
}

TEST(KillSwitch, TurningTheFlagOffEndsTheIncident) {
  // The flag goes on at 600 s; the rule holds from the 600 s sample and fires at 660 s.
  const auto s = run(scenario_from_json(kill_switch(R"(, "turn_off_flag": "feature")")), 1).summary;
  ASSERT_TRUE(s.incident_start_s && s.time_to_recover_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.incident_start_s, 600.0);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 60.0);
  EXPECT_DOUBLE_EQ(*s.time_to_recover_s, 60.0);
  EXPECT_DOUBLE_EQ(*s.incident_duration_s, 60.0);
  EXPECT_DOUBLE_EQ(s.failed_requests, 4 * 10 * 0.5 * 60.0);
  EXPECT_DOUBLE_EQ(s.host_minutes_unavailable, 0.0);
}

TEST(KillSwitch, HaltingTheServiceIsAnOutageNotARecovery) {
  const auto s = run(scenario_from_json(kill_switch("")), 1).summary;
  ASSERT_TRUE(s.incident_start_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 60.0) << "the broken code stopped at the halt";
  EXPECT_FALSE(s.time_to_recover_s.has_value()) << "users never got the service back";
  EXPECT_DOUBLE_EQ(*s.incident_duration_s, 7200.0 - 600.0);
  // Half the requests for a minute, then every request to the end.
  EXPECT_DOUBLE_EQ(s.failed_requests, 4 * 10 * 0.5 * 60.0 + 4 * 10 * (7200.0 - 660.0));
  EXPECT_DOUBLE_EQ(s.host_minutes_unavailable, 4 * (7200.0 - 660.0) / 60.0);
  ASSERT_EQ(s.services.size(), 1U);
  const auto& web = s.services[0].second;
  EXPECT_EQ(web.incident_duration_s, s.incident_duration_s);
  EXPECT_DOUBLE_EQ(web.failed_requests, s.failed_requests);
  EXPECT_EQ(web.blast_radius_hosts, 4);
  ASSERT_TRUE(web.error_budget_consumed);
  EXPECT_GT(*web.error_budget_consumed, 1.0);
}

// A flag turns on code that fails half the requests at 10 min; an error alert fires a minute
// later. Who it tells decides whether the incident was detected.
std::string watched_by(const std::string& alert_extra) {
  return R"({"name": "detection",
    "behaviours": {"broken": {"kind": "error_rate_increase", "error_rate": 0.5}},
    "services": {"web": {"versions": {"v1": {"flags": {"feature": "broken"}}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "flags": {"feature": {"initial": false}},
    "monitoring": {"scrape_interval": "30s",
                   "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.1,
                               "for": "1min")" +
         alert_extra + R"(}]},
    "people": {"sre": {}},
    "timeline": [{"at": "+10min", "do": "set_flag", "flag": "feature", "value": true}],
    "clock": {"end": "1h"}})";
}

TEST(Detection, IsAnAlertSomebodyActsOn) {
  const auto paged = run(scenario_from_json(watched_by(R"(, "notify": "sre")")), 1).summary;
  ASSERT_TRUE(paged.time_to_detect_s.has_value());
  EXPECT_DOUBLE_EQ(*paged.time_to_detect_s, 60.0);
  const auto unwatched = run(scenario_from_json(watched_by("")), 1).summary;
  EXPECT_EQ(unwatched.alerts_fired, 1);
  EXPECT_FALSE(unwatched.time_to_detect_s.has_value())
      << "an alert that pages nobody and stops nothing is a dashboard nobody watches";
}

// Four web hosts call reco (two hosts) on half their requests; a flag turns on code in reco that
// fails every request. `control` is what stops it: an automation block or a timeline entry.
std::string component(const std::string& automation, const std::string& timeline_extra) {
  return R"({"name": "component kill switch",
    "behaviours": {"broken": {"kind": "error_rate_increase", "error_rate": 1.0}},
    "services": {"web": {"versions": {"v1": {}},
                         "depends_on": {"reco": {"call_fraction": 0.5, "timeout": "1s"}}},
                 "reco": {"versions": {"r1": {"flags": {"feature": "broken"}}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"},
              "reco": {"hosts": 2, "service": "reco", "version": "r1"}},
    "flags": {"feature": {"initial": false}},
    "monitoring": {"scrape_interval": "30s"},)" +
         automation + R"(
    "timeline": [{"at": "+10min", "do": "set_flag", "flag": "feature", "value": true})" +
         timeline_extra + R"(],
    "business": {"requests_per_host_per_s": 10, "users_per_request": 1},
    "clock": {"end": "2h"}})";
}

TEST(KillSwitch, SwitchingAComponentOffLetsItsCallersServeWithoutIt) {
  // Fleet error rate from 600 s: (2 x 10 x 1.0 + 4 x 10 x 0.5) / 60 = 2/3; fires at 660 s.
  const auto s = run(scenario_from_json(component(R"(
    "automation": {"kill_switch": {"metric": "error_rate", "above": 0.1, "for": "1min",
                                   "turn_off_service": "reco"}},)",
                                                  "")),
                     1)
                     .summary;
  ASSERT_TRUE(s.incident_start_s && s.time_to_recover_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.incident_start_s, 600.0);
  EXPECT_DOUBLE_EQ(*s.time_to_recover_s, 60.0) << "web serves without reco's calls";
  EXPECT_DOUBLE_EQ(*s.incident_duration_s, 60.0);
  // One minute of reco failing all 20 requests/s and web half of its 40.
  EXPECT_DOUBLE_EQ(s.failed_requests, 2 * 10 * 60.0 + 4 * 10 * 0.5 * 60.0);
  EXPECT_DOUBLE_EQ(s.host_minutes_unavailable, 2 * (7200.0 - 660.0) / 60.0)
      << "reco's hosts are off to the end";
}

TEST(KillSwitch, HaltingAComponentInsteadFailsItsCallersToTheEnd) {
  const auto s =
      run(scenario_from_json(component("", R"(, {"at": "+11min", "do": "halt", "group": "reco"})")),
          1)
          .summary;
  ASSERT_TRUE(s.incident_start_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 60.0) << "the broken code stopped at the halt";
  EXPECT_FALSE(s.time_to_recover_s.has_value()) << "web still calls the halted reco";
  // web fails half its requests to the end; reco fails all of its own.
  EXPECT_DOUBLE_EQ(s.failed_requests, 4 * 10 * 0.5 * (7200.0 - 600.0) + 2 * 10 * (7200.0 - 600.0));
}

TEST(Outage, HaltedServiceIsAnIncidentUntilItHasStartedAgain) {
  const std::string scenario = R"({"name": "halt and resume",
    "services": {"web": {"versions": {"v1": {}}, "host_start": "5min"}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "timeline": [{"at": "+10min", "do": "halt", "group": "web"},
                 {"at": "+40min", "do": "resume", "group": "web"}],
    "business": {"requests_per_host_per_s": 10, "users_per_request": 0.5},
    "clock": {"end": "2h"}})";
  const auto s = run(scenario_from_json(scenario), 1).summary;
  ASSERT_TRUE(s.incident_start_s && s.time_to_recover_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.incident_start_s, 600.0);
  // Down from 10 min until 5 min after the resume at 40 min.
  EXPECT_DOUBLE_EQ(*s.time_to_recover_s, 35 * 60.0);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 35 * 60.0) << "no host misbehaved: no other cause";
  EXPECT_DOUBLE_EQ(s.host_minutes_unavailable, 4 * 35.0);
  EXPECT_DOUBLE_EQ(s.failed_requests, 4 * 10 * 35 * 60.0);
  EXPECT_DOUBLE_EQ(s.users_affected, s.failed_requests * 0.5);
  EXPECT_EQ(s.max_hosts_misbehaving, 0);
  EXPECT_EQ(s.blast_radius_hosts, 4);
}

TEST(Outage, ResumeNeverMakesAHostServeMidInstall) {
  const std::string scenario = R"({"name": "resume during an install",
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "start": "10min",
                   "strategy": {"type": "all_at_once"}, "host_update": {"install": "10min"}},
    "timeline": [{"at": "+15min", "do": "resume", "group": "web"}],
    "clock": {"end": "1h"}})";
  const auto parsed = scenario_from_json(scenario);  // the simulation keeps a reference
  Simulation simulation(parsed, 1);
  simulation.run_until(engine::Time::zero() + engine::Duration::minutes(16));
  EXPECT_EQ(simulation.world().fleet().totals().serving_hosts, 0);
  simulation.run();
  EXPECT_EQ(simulation.world().fleet().totals().serving_hosts, 4);
  EXPECT_FALSE(simulation.result().summary.incident_start_s.has_value())
      << "a deployment's own planned downtime is not counted as an outage";
}

TEST(Outage, ExhaustedCapacityFailingMostRequestsIsAnIncident) {
  // Four hosts of 100 requests/s take a step from 200 to 1000 requests/s between 10 and 40 min:
  // 600 of every 1000 are refused for lack of capacity.
  const std::string scenario = R"({"name": "cpu exhausted",
    "services": {"web": {"versions": {"v1": {}}, "slo": {"availability": 99}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "load": {"web": {"profile": "step", "rps": 200,
                     "steps": [{"at": "+10min", "rps": 1000}, {"at": "+40min", "rps": 200}]}},
    "capacity": {"web": {"rps_per_host": 100, "concurrency": 8, "timeout": "30s"}},
    "clock": {"end": "1h"}})";
  const auto s = run(scenario_from_json(scenario), 1).summary;
  ASSERT_TRUE(s.incident_start_s && s.time_to_recover_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.incident_start_s, 600.0);
  EXPECT_DOUBLE_EQ(*s.time_to_recover_s, 30 * 60.0);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 30 * 60.0);
  EXPECT_NEAR(s.failed_requests, 600.0 * 30 * 60, 600.0 * 30 * 60 * 0.01);
  EXPECT_DOUBLE_EQ(s.host_minutes_unavailable, 4 * 30.0) << "overloaded hosts are unavailable";
  ASSERT_EQ(s.services.size(), 1U);
  EXPECT_DOUBLE_EQ(s.services[0].second.availability_objective_percent, 99.0);
}

}  // namespace
}  // namespace deploysim::simulation
