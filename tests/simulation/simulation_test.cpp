#include "simulation/simulation.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "io/trace_writers.hpp"
#include "scenarios.hpp"

namespace deploysim::simulation {
namespace {

using testing::scenario_from_json;

// Four web hosts; v2 fails 20% of requests; an alert pages on-call, who rolls back.
const char* kBadRelease = R"({
  "name": "bad release",
  "clock": {"end": "2h"},
  "behaviours": {"errors": {"kind": "error_rate_increase", "error_rate": 0.2}},
  "services": {"web": {"versions": {"v1": {}, "v2": {"behaviour": "errors"}}}},
  "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
  "deployment": {"service": "web", "to": "v2", "start": "10min",
                 "strategy": {"type": "all_at_once"},
                 "host_update": {"install": "1min"}},
  "monitoring": {"scrape_interval": "30s",
                 "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.05,
                             "for": "1min", "notify": "oncall"}]},
  "people": {"oncall": {"acknowledge": "5min", "diagnose": "10min", "act": "1min",
                        "playbook": [{"do": "rollback_code"}]}},
  "business": {"requests_per_host_per_s": 10, "users_per_request": 0.5, "error_budget": 0.01}
})";

TEST(Simulation, SummaryHasEveryKeyOfTheResultContract) {
  const auto json = run(scenario_from_json(kBadRelease), 3).summary.to_json();
  for (const char* key :
       {"loss_usd", "time_to_detect_s", "time_to_mitigate_s", "incident_duration_s",
        "deploy_outcome", "hosts_total", "hosts_on_target_version", "max_hosts_misbehaving",
        "alerts_fired", "events_processed", "seed"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["seed"], 3);
}

TEST(Simulation, BadReleaseIsDetectedAndRolledBackByAPerson) {
  const auto result = run(scenario_from_json(kBadRelease), 1);
  const auto& s = result.summary;
  EXPECT_EQ(s.deploy_outcome, "rolled_back");
  EXPECT_EQ(s.hosts_on_target_version, 0);
  EXPECT_EQ(s.max_hosts_misbehaving, 4);
  EXPECT_EQ(s.alerts_fired, 1);
  // Hosts go bad at 11:00 (10 min start + 1 min install); the alert needs 1 min above the
  // threshold on a 30 s scrape; then 5 + 10 + 1 minutes of people.
  ASSERT_TRUE(s.time_to_detect_s && s.time_to_mitigate_s);
  EXPECT_DOUBLE_EQ(*s.time_to_detect_s, 60.0);
  EXPECT_DOUBLE_EQ(*s.time_to_mitigate_s, 60.0 + 16 * 60.0);
  // 4 hosts x 10 req/s x 20% failing for 17 minutes.
  EXPECT_NEAR(s.failed_requests, 4 * 10 * 0.2 * 17 * 60, 1e-6);
  EXPECT_NEAR(s.users_affected, s.failed_requests * 0.5, 1e-6);
  EXPECT_GT(s.error_budget_consumed, 0.0);
}

TEST(Simulation, QuantitiesThatDidNotHappenAreNull) {
  std::string healthy = kBadRelease;
  healthy.replace(healthy.find("\"behaviour\": \"errors\""), 21, "\"behaviour\": \"healthy\"");
  const auto json = run(scenario_from_json(healthy), 1).summary.to_json();
  EXPECT_TRUE(json["time_to_detect_s"].is_null());
  EXPECT_TRUE(json["time_to_mitigate_s"].is_null());
  EXPECT_TRUE(json["incident_duration_s"].is_null());
  EXPECT_EQ(json["deploy_outcome"], "completed");
  EXPECT_EQ(json["hosts_on_target_version"], 4);
}

TEST(Simulation, UndetectedIncidentHasNullDetectionAndRunsToTheEnd) {
  std::string silent = kBadRelease;
  silent.replace(silent.find("\"above\": 0.05"), 13, "\"above\": 0.50");
  const auto s = run(scenario_from_json(silent), 1).summary;
  EXPECT_FALSE(s.time_to_detect_s.has_value());
  EXPECT_FALSE(s.time_to_mitigate_s.has_value());
  ASSERT_TRUE(s.incident_duration_s.has_value());
  EXPECT_DOUBLE_EQ(*s.incident_duration_s, 2 * 3600.0 - 11 * 60.0);
}

TEST(Simulation, StepByStepEqualsOneRun) {
  const auto scenario = scenario_from_json(kBadRelease);
  Simulation stepped(scenario, 9);
  std::uint64_t steps = 0;
  while (stepped.step()) ++steps;
  EXPECT_TRUE(stepped.finished());
  const auto whole = run(scenario, 9);
  EXPECT_EQ(stepped.result().summary.to_json().dump(), whole.summary.to_json().dump());
  EXPECT_EQ(steps, whole.summary.events_processed);
}

// A finished simulation hands its time series and story to the Result instead of copying them:
// a copy per run was what made a Python loop of runs fault the heap in again every time
// (docs/performance.md, "Python").
TEST(Simulation, FinishedSimulationMovesItsSeriesIntoTheResult) {
  const auto scenario = scenario_from_json(kBadRelease);
  Simulation copied(scenario, 1);
  copied.run();
  const Result first = copied.result();
  EXPECT_NE(first.timeseries.values[0].data(), copied.timeseries().values[0].data());

  Simulation moved(scenario, 1);
  moved.run();
  const double* buffer = moved.timeseries().values[0].data();
  const Result taken = std::move(moved).result();
  EXPECT_EQ(taken.timeseries.values[0].data(), buffer);
  EXPECT_EQ(taken.timeseries.values, first.timeseries.values);
  EXPECT_EQ(taken.timeseries.columns, first.timeseries.columns);
  EXPECT_EQ(taken.story.size(), first.story.size());
  EXPECT_EQ(taken.summary.to_json(), first.summary.to_json());
}

TEST(Simulation, RunUntilStopsAtTheGivenTimeAndContinues) {
  const auto scenario = scenario_from_json(kBadRelease);
  Simulation simulation(scenario, 1);
  simulation.run_until(engine::Time::zero() + engine::Duration::minutes(12));
  EXPECT_EQ(simulation.now(), engine::Time::zero() + engine::Duration::minutes(12));
  EXPECT_EQ(simulation.world().fleet().totals().misbehaving_hosts, 4);
  simulation.run();
  EXPECT_TRUE(simulation.finished());
  EXPECT_EQ(simulation.world().fleet().totals().misbehaving_hosts, 0);
}

TEST(Simulation, TraceIsByteIdenticalForTheSameSeed) {
  const auto scenario = scenario_from_json(kBadRelease);
  auto trace_of = [&](std::uint64_t seed) {
    std::ostringstream out;
    io::JsonLinesTraceWriter writer(out);
    run(scenario, seed, &writer);
    return out.str();
  };
  const auto first = trace_of(4);
  EXPECT_NE(first.find("host_updated"), std::string::npos);
  EXPECT_EQ(first, trace_of(4));
}

TEST(Simulation, TimeSeriesHasOneColumnPerVersion) {
  const auto result = run(scenario_from_json(kBadRelease), 1);
  const auto* v1 = result.timeseries.column("hosts_v1");
  const auto* v2 = result.timeseries.column("hosts_v2");
  ASSERT_TRUE(v1 && v2);
  EXPECT_EQ(v1->front(), 4);
  EXPECT_EQ(v2->front(), 0);
  EXPECT_EQ(*std::max_element(v2->begin(), v2->end()), 4);
  // A sample every 30 s for 2 h, plus the final one.
  EXPECT_EQ(result.timeseries.rows(), 241u);
}

}  // namespace
}  // namespace deploysim::simulation
