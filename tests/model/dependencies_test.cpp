// Run-time dependencies (docs/dependencies.md) against hand-computed cases: the cascade on its
// own, then through the fleet's one measurement and a whole run's failed requests.

#include "model/dependencies.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "model/capacity.hpp"
#include "model/monitoring.hpp"
#include "model/world.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::model {
namespace {

using engine::Duration;
using engine::Time;

spec::Service service(const std::string& name, std::vector<spec::Dependency> calls = {}) {
  spec::Service s;
  s.name = name;
  s.versions = {spec::Version{.name = "v1", .behaviour = "healthy", .flag_behaviours = {}}};
  s.depends_on = std::move(calls);
  return s;
}

spec::Dependency call(const std::string& callee, double fraction, Duration timeout) {
  return spec::Dependency{
      .service = callee, .compatible_versions = {}, .call_fraction = fraction, .timeout = timeout};
}

// A calls B for half its requests, B calls C for 40% of its.
std::vector<spec::Service> two_levels() {
  return {service("a", {call("b", 0.5, Duration::seconds(1))}),
          service("b", {call("c", 0.4, Duration::seconds(2))}), service("c")};
}

TEST(DependencyGraph, ADownLeafFailsItsCallersByTheirCallFractionsTwoLevelsUp) {
  const DependencyGraph graph(two_levels());
  ASSERT_TRUE(graph.has_calls());
  std::vector<double> total;
  std::vector<DependencyEffect> effects;
  graph.cascade(std::vector<double>{0.0, 0.0, 1.0}, total, effects);
  EXPECT_DOUBLE_EQ(total[2], 1.0);
  EXPECT_DOUBLE_EQ(total[1], 0.4);  // 0.4 x 1
  EXPECT_DOUBLE_EQ(total[0], 0.2);  // 0.5 x 0.4
  EXPECT_DOUBLE_EQ(effects[1].failed, 0.4);
  EXPECT_DOUBLE_EQ(effects[1].wait_ms, 800.0);  // 0.4 of its requests wait 2 s
  EXPECT_DOUBLE_EQ(effects[0].wait_ms, 200.0);  // 0.5 x 0.4 of its requests wait 1 s
  EXPECT_DOUBLE_EQ(effects[2].failed, 0.0);
}

TEST(DependencyGraph, OwnFailuresAndCallFailuresCombineAsIndependentEvents) {
  const DependencyGraph graph(two_levels());
  std::vector<double> total;
  std::vector<DependencyEffect> effects;
  // C fails half its requests, B a tenth of its own: B's fail 1 - 0.9 x (1 - 0.4 x 0.5).
  graph.cascade(std::vector<double>{0.0, 0.1, 0.5}, total, effects);
  EXPECT_DOUBLE_EQ(total[1], 1.0 - 0.9 * 0.8);
  EXPECT_DOUBLE_EQ(total[0], 0.5 * total[1]);
}

TEST(DependencyGraph, ACycleOfCallsIsSolvedToItsFixedPoint) {
  // Not expressible in a scenario file (cycles are refused there), but the graph must not loop
  // forever or stop early when built in code: F_a = 0.2 + 0.8 x 0.5 F_b, F_b = 0.5 F_a, so
  // F_a = 0.25 and F_b = 0.125.
  const DependencyGraph graph({service("a", {call("b", 0.5, Duration::seconds(1))}),
                               service("b", {call("a", 0.5, Duration::seconds(1))})});
  std::vector<double> total;
  std::vector<DependencyEffect> effects;
  graph.cascade(std::vector<double>{0.2, 0.0}, total, effects);
  EXPECT_NEAR(total[0], 0.25, 1e-11);
  EXPECT_NEAR(total[1], 0.125, 1e-11);
}

TEST(DependencyGraph, NoCallsMeansNothingToCascade) {
  EXPECT_FALSE(DependencyGraph({service("a"), service("b")}).has_calls());
  EXPECT_FALSE(DependencyGraph({service("a", {call("b", 0.0, Duration::seconds(1))}), service("b")})
                   .has_calls());
}

// The same two levels as a scenario: two hosts per service, ten requests per host per second.
std::string cascade_scenario(const std::string& timeline, const std::string& c_extra = "") {
  return R"({
    "name": "cascade",
    "clock": {"end": "70min"},
    "services": {
      "a": {"versions": {"v1": {}}, "depends_on": {"b": {"call_fraction": 0.5, "timeout": "1s"}}},
      "b": {"versions": {"v1": {}}, "depends_on": {"c": {"call_fraction": 0.4, "timeout": "2s"}}},
      "c": {"versions": {"v1": {}})" +
         c_extra + R"(}
    },
    "fleet": {"a": {"hosts": 2, "service": "a", "version": "v1"},
              "b": {"hosts": 2, "service": "b", "version": "v1"},
              "c": {"hosts": 2, "service": "c", "version": "v1"}},
    "business": {"requests_per_host_per_s": 10, "base_latency_ms": 50},
    "timeline": )" +
         timeline + "}";
}

class CascadeThroughTheFleet : public ::testing::Test {
 protected:
  spec::Scenario scenario_ = testing::scenario_from_json(cascade_scenario("[]"));
  World world_{scenario_, 1};
  std::vector<HostIndex> hosts_of(const std::string& group) const {
    return world_.fleet().groups()[*world_.fleet().find_group(group)].hosts;
  }
  double metric(const std::string& group, spec::Metric m) const {
    const auto hosts = hosts_of(group);
    return metric_of(world_.fleet().sums_of(hosts, std::nullopt), m, 50.0);
  }
};

TEST_F(CascadeThroughTheFleet, CallersSeeTheirShareOfADownServiceInEveryMetric) {
  EXPECT_EQ(metric("a", spec::Metric::error_rate), 0.0);
  world_.halt("c", "test", "take c down");
  EXPECT_DOUBLE_EQ(metric("b", spec::Metric::error_rate), 0.4);
  EXPECT_DOUBLE_EQ(metric("a", spec::Metric::error_rate), 0.2);
  EXPECT_DOUBLE_EQ(metric("b", spec::Metric::latency_ms), 50.0 + 800.0);
  EXPECT_DOUBLE_EQ(metric("a", spec::Metric::latency_ms), 50.0 + 200.0);
  // What monitoring reads: the four serving hosts of a and b, equally weighted.
  EXPECT_DOUBLE_EQ(metric_value(world_, spec::Metric::error_rate), (0.2 + 0.4) / 2.0);
  EXPECT_DOUBLE_EQ(world_.fleet().dependency_effect(0).failed, 0.2);
  world_.resume("c", "test");
  EXPECT_EQ(metric("a", spec::Metric::error_rate), 0.0);
}

TEST_F(CascadeThroughTheFleet, ADependencyHalfDownFailsCallsInProportion) {
  // One of c's two hosts out: c still answers, so its callers keep serving.
  world_.fleet().set_health(hosts_of("c").front(), Health::out_of_rotation);
  EXPECT_EQ(metric("a", spec::Metric::error_rate), 0.0);
}

TEST(DependencyRun, FailedRequestsIntegrateTheCascade) {
  // c down from +10min to the end at +70min: a and b serve 4 x 10 requests/s for an hour, of
  // which 0.3 fail; before, six hosts serve without failing. c's own 2 x 10 requests/s fail
  // too, an outage of c (docs/incidents.md).
  const auto scenario = testing::scenario_from_json(
      cascade_scenario(R"([{"at": "+10min", "do": "halt", "group": "c"}])"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_NEAR(result.summary.failed_requests, 0.3 * 4 * 10 * 3600.0 + 2 * 10 * 3600.0, 1e-6);
}

TEST(DependencyRun, ACallerOfADownServiceHasAnIncidentOfItsOwn) {
  // c halted from +10 to +40min, then 5 min of cold restart: a, which only calls b, is out of its
  // SLO from the halt until c serves again at +45min, the end of the restart (an event of its
  // own: no host changes then).
  const auto scenario =
      testing::scenario_from_json(cascade_scenario(R"([{"at": "+10min", "do": "halt", "group": "c"},
                          {"at": "+40min", "do": "resume", "group": "c"}])",
                                                   R"(, "cold_restart": "5min")"));
  const auto result = simulation::run(scenario, 1);
  const auto& [name, a] = result.summary.services.front();
  ASSERT_EQ(name, "a");
  ASSERT_TRUE(a.incident_start_s.has_value());
  EXPECT_EQ(*a.incident_start_s, 600.0);
  ASSERT_TRUE(a.incident_duration_s.has_value());
  EXPECT_EQ(*a.incident_duration_s, 35 * 60.0);
  ASSERT_TRUE(result.summary.time_to_recover_s.has_value());
  EXPECT_EQ(*result.summary.time_to_recover_s, 35 * 60.0);
}

TEST(DependencyRun, AlertsFireOnTheCallersFailuresAlone) {
  // Only c is down, and c's halted hosts serve nothing: the 30% the fleet fails are a's and b's.
  auto text = cascade_scenario(R"([{"at": "+10min", "do": "halt", "group": "c"}])");
  text.insert(text.rfind('}'), R"(, "monitoring": {"alerts": [
      {"name": "errors", "metric": "error_rate", "above": 0.25, "for": "1min"}]})");
  const auto result = simulation::run(testing::scenario_from_json(text), 1);
  EXPECT_EQ(result.summary.alerts_fired, 1);
  const auto fired = std::find_if(result.story.begin(), result.story.end(),
                                  [](const auto& record) { return record.event == "alert_fired"; });
  ASSERT_NE(fired, result.story.end());
  // Held for a minute from the first scrape after the halt (15 s apart).
  EXPECT_GE(fired->time, Time::zero() + Duration::minutes(11));
  EXPECT_LE(fired->time, Time::zero() + Duration::minutes(11) + Duration::seconds(15));
}

TEST(DependencyRun, AColdRestartFailsEveryRequestOfTheServiceUntilItIsOver) {
  // c down from +10 to +40min, then 5 min of cold restart in which c fails all it serves:
  // 0.3 of 4 x 10 x 1800 requests and all of c's 2 x 10 x 1800 (its outage), then
  // (2 + 2 x 0.4 + 2 x 0.2) / 6 of 6 x 10 x 300.
  const auto scenario =
      testing::scenario_from_json(cascade_scenario(R"([{"at": "+10min", "do": "halt", "group": "c"},
                          {"at": "+40min", "do": "resume", "group": "c"}])",
                                                   R"(, "cold_restart": "5min")"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_NEAR(result.summary.failed_requests, 0.3 * 72'000.0 + 36'000.0 + 3.2 / 6.0 * 18'000.0,
              1e-6);
  const auto* errors = result.timeseries.column("error_rate");
  const auto* time = result.timeseries.column("time_s");
  ASSERT_NE(errors, nullptr);
  for (std::size_t row = 0; row < time->size(); ++row) {
    if ((*time)[row] >= 45 * 60.0) {
      EXPECT_EQ((*errors)[row], 0.0) << "at " << (*time)[row];
    }
  }
}

TEST(DependencyRun, TheRetrySurgeAfterAColdRestartOverloadsTheService) {
  // c takes 100 requests/s on two hosts of 60: 83% busy. Back from zero, its load is 1.5 times
  // that for 10 min: 150 over 120, so a fifth of its requests fail for lack of capacity.
  const auto scenario = testing::scenario_from_json(R"({
    "name": "surge",
    "clock": {"end": "1h"},
    "services": {"c": {"versions": {"v1": {}}, "retry_surge": 1.5, "retry_surge_for": "10min"}},
    "fleet": {"c": {"hosts": 2, "service": "c", "version": "v1"}},
    "load": {"c": {"profile": "constant", "rps": 100}},
    "capacity": {"c": {"rps_per_host": 60, "concurrency": 4, "timeout": "5s"}},
    "timeline": [{"at": "+10min", "do": "halt", "group": "c"},
                 {"at": "+20min", "do": "resume", "group": "c"}]
  })");
  const auto result = simulation::run(scenario, 1);
  const auto* load = result.timeseries.column("load_rps");
  const auto* overload = result.timeseries.column("overload_error_rate");
  const auto* time = result.timeseries.column("time_s");
  ASSERT_NE(load, nullptr);
  ASSERT_NE(overload, nullptr);
  for (std::size_t row = 0; row < time->size(); ++row) {
    const double t = (*time)[row];
    if (t > 20 * 60.0 && t < 30 * 60.0) {
      EXPECT_DOUBLE_EQ((*load)[row], 150.0) << "at " << t;
      EXPECT_NEAR((*overload)[row], 0.2, 1e-12) << "at " << t;
    } else if (t > 30 * 60.0) {
      EXPECT_DOUBLE_EQ((*load)[row], 100.0) << "at " << t;
    }
  }
}

}  // namespace
}  // namespace deploysim::model
