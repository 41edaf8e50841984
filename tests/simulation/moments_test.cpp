#include "simulation/moments.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "scenario/load.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {
namespace {

namespace fs = std::filesystem;

using engine::Time;
using testing::scenario_from_json;

// Four web hosts; v2 fails 20% of requests; an alert pages on-call, who rolls back after
// 5 + 10 + 1 minutes. A flag is turned on at 40 min, after the story is over.
const char* kBadReleaseForMoments = R"({
  "name": "bad release",
  "clock": {"end": "1h"},
  "behaviours": {"errors": {"kind": "error_rate_increase", "error_rate": 0.2}},
  "services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": "errors"}}}},
  "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
  "flags": {"dark_mode": {"initial": false, "scope": "web"}},
  "deployment": {"service": "web", "to": "v2", "start": "10min",
                 "strategy": {"type": "all_at_once"},
                 "host_update": {"install": "1min"}},
  "timeline": [{"at": "40min", "do": "set_flag", "flag": "dark_mode", "value": true}],
  "monitoring": {"scrape_interval": "30s",
                 "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.05,
                             "for": "1min", "notify": "oncall"}]},
  "people": {"oncall": {"acknowledge": "5min", "diagnose": "10min", "act": "1min",
                        "playbook": [{"do": "rollback_code"}]}},
  "business": {"requests_per_host_per_s": 10, "users_per_request": 0.5, "error_budget": 0.01}
})";

Time minutes(std::int64_t m) {
  return Time::zero() + engine::Duration::minutes(m);
}

const Moment& only(const Moments& found, MomentKind kind) {
  const Moment* first = next_moment(found, kind, 0);
  EXPECT_NE(first, nullptr) << moment_kind_name(kind);
  return *first;
}

TEST(Moments, TheBadReleaseTurnsWhereTheStorySaysItDoes) {
  const auto scenario = scenario_from_json(kBadReleaseForMoments);
  const Moments found = find_moments(scenario, 1);
  EXPECT_EQ(only(found, MomentKind::deploy_start).time, minutes(10));
  EXPECT_EQ(only(found, MomentKind::first_misbehaving).time, minutes(11));
  EXPECT_NE(only(found, MomentKind::first_misbehaving).text.find("web-"), std::string::npos);
  EXPECT_EQ(only(found, MomentKind::alert).time, minutes(12));
  EXPECT_EQ(only(found, MomentKind::rollback).time, minutes(28));
  EXPECT_EQ(only(found, MomentKind::incident_end).time, minutes(28));
  EXPECT_EQ(only(found, MomentKind::flag_change).time, minutes(40));
  EXPECT_EQ(next_moment(found, MomentKind::scaling, 0), nullptr);
  EXPECT_EQ(found.events, run(scenario, 1).summary.events_processed);
  // In the order they happened.
  for (std::size_t i = 1; i < found.moments.size(); ++i) {
    EXPECT_LE(found.moments[i - 1].event, found.moments[i].event);
    EXPECT_LE(found.moments[i - 1].time, found.moments[i].time);
  }
}

TEST(Moments, PhasesSpanDeployIncidentAndRollback) {
  const Moments found = find_moments(scenario_from_json(kBadReleaseForMoments), 1);
  ASSERT_EQ(found.phases.size(), 3u);
  EXPECT_EQ(found.phases[0].kind, PhaseKind::deploy);
  EXPECT_EQ(found.phases[0].from, minutes(10));
  EXPECT_EQ(found.phases[1].kind, PhaseKind::incident);
  EXPECT_EQ(found.phases[1].from, minutes(11));
  EXPECT_EQ(found.phases[1].to, minutes(28));
  EXPECT_EQ(found.phases[2].kind, PhaseKind::rollback);
  EXPECT_EQ(found.phases[2].from, minutes(28));
}

TEST(Moments, ReRunningToAMomentsEventShowsIt) {
  const auto scenario = scenario_from_json(kBadReleaseForMoments);
  const Moments found = find_moments(scenario, 1);
  const Moment& bad = only(found, MomentKind::first_misbehaving);
  Simulation before(scenario, 1);
  run_to_event(before, bad.event - 1);
  EXPECT_EQ(before.world().fleet().totals().misbehaving_hosts, 0);
  Simulation at(scenario, 1);
  run_to_event(at, bad.event);
  EXPECT_EQ(at.world().kernel().events_processed(), bad.event);
  EXPECT_GT(at.world().fleet().totals().misbehaving_hosts, 0);
  EXPECT_EQ(at.now(), bad.time);
  // Past the end it stops at the end.
  Simulation past(scenario, 1);
  run_to_event(past, found.events + 100);
  EXPECT_TRUE(past.finished());
}

TEST(Moments, NextMomentIsStrictlyAfterTheGivenEvent) {
  const Moments found = find_moments(scenario_from_json(kBadReleaseForMoments), 1);
  const Moment& alert = only(found, MomentKind::alert);
  EXPECT_EQ(next_moment(found, MomentKind::alert, alert.event), nullptr);
  EXPECT_EQ(next_moment(found, MomentKind::alert, alert.event - 1), &alert);
}

TEST(Moments, KindNamesRoundTrip) {
  for (const char* name : {"alert", "first_misbehaving", "flag_change", "rollback", "scaling",
                           "incident_end", "deploy_start", "deploy_end", "incident_start"}) {
    const auto kind = moment_kind_from_name(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(moment_kind_name(*kind), name);
  }
  EXPECT_FALSE(moment_kind_from_name("lunch").has_value());
}

TEST(Moments, EventsDueAtTheEndTimeAreSteppedToo) {
  // The flag change and a monitoring sample both fall on the end time: a run walked one event
  // at a time must process them as the run straight through does.
  auto json = nlohmann::json::parse(kBadReleaseForMoments);
  json["timeline"][0]["at"] = "1h";
  const auto scenario = scenario_from_json(json.dump());
  const auto whole = run(scenario, 1);
  Simulation stepped(scenario, 1);
  std::uint64_t steps = 0;
  while (stepped.step()) ++steps;
  EXPECT_EQ(steps, whole.summary.events_processed);
  EXPECT_EQ(stepped.result().summary.to_json().dump(), whole.summary.to_json().dump());
  const Moments found = find_moments(scenario, 1);
  EXPECT_EQ(found.events, whole.summary.events_processed);
  EXPECT_EQ(only(found, MomentKind::flag_change).time, minutes(60));
}

TEST(Moments, SameScenarioAndSeedSameMoments) {
  const auto scenario = scenario_from_json(kBadReleaseForMoments);
  const Moments a = find_moments(scenario, 5);
  const Moments b = find_moments(scenario, 5);
  ASSERT_EQ(a.moments.size(), b.moments.size());
  for (std::size_t i = 0; i < a.moments.size(); ++i) {
    EXPECT_EQ(a.moments[i].event, b.moments[i].event);
    EXPECT_EQ(a.moments[i].text, b.moments[i].text);
  }
}

TEST(Moments, TheIncidentEndsWhenUsersAreBackNotWhenTheHostsAre) {
  // Payments is rolled back, then restarts cold for 3 minutes: no host misbehaves any more, but
  // users are back only when the restart is over. The moment and the phase say so, as the
  // summary's time to recover does.
  const auto scenario = scenario::load_scenario(fs::path(DEPLOYSIM_SOURCE_DIR) /
                                                "scenarios/checkout_dependency_cascade.json");
  const Moments found = find_moments(scenario, 1);
  const auto summary = run(scenario, 1).summary;
  ASSERT_TRUE(summary.incident_start_s && summary.time_to_recover_s);
  const Moment& start = only(found, MomentKind::incident_start);
  const Moment& end = only(found, MomentKind::incident_end);
  EXPECT_DOUBLE_EQ(start.time.to_seconds(), *summary.incident_start_s);
  EXPECT_NEAR(end.time.to_seconds(), *summary.incident_start_s + *summary.time_to_recover_s, 1e-3);
  EXPECT_GE((end.time - only(found, MomentKind::rollback).time).to_seconds(), 180.0);
  const auto incident = std::find_if(found.phases.begin(), found.phases.end(),
                                     [](const Phase& p) { return p.kind == PhaseKind::incident; });
  ASSERT_NE(incident, found.phases.end());
  EXPECT_EQ(incident->from, start.time);
  EXPECT_EQ(incident->to, end.time);
}

TEST(Moments, AStagedConfigurationChangeIsAFlagChangeAndItsAbortARollback) {
  // Fastly's configuration in rings: the first ring's push is a flag change, and the alert that
  // aborts it rolls it back.
  const auto scenario = scenario::load_scenario(fs::path(DEPLOYSIM_SOURCE_DIR) /
                                                "scenarios/fastly_2021_staged_config_push.json");
  const Moments found = find_moments(scenario, 1);
  const Moment& push = only(found, MomentKind::flag_change);
  const Moment& abort = only(found, MomentKind::rollback);
  EXPECT_NE(push.text.find("stage 1"), std::string::npos) << push.text;
  EXPECT_LT(push.event, abort.event);
  EXPECT_LE(abort.event, only(found, MomentKind::incident_end).event);
}

}  // namespace
}  // namespace deploysim::simulation
