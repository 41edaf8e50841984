#include "strategy/ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy {
namespace {

using deploysim::testing::scenario_from_json;

// Replaces each "@name" in `text` with its value.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
      text.replace(at, name.size(), value);
      at += value.size();
    }
  }
  return text;
}

// One service "web" whose v2 behaves as @v2; deployed at 10 min with installs of @install.
constexpr const char* kScenario = R"json({
    "name": "ring test",
    "clock": {"end": "4h"},
    "behaviours": {
      "crashes": {"kind": "crash_on_start"},
      "errors": {"kind": "error_rate_increase", "error_rate": 1.0}
    },
    "services": {
      "web": {"versions": {"v1": {}, "v2": {"behaviour": "@v2"}}},
      "db": {"versions": {"d1": {}}}
    },
    "fleet": @fleet,
    "deployment": {
      "service": "web", "to": "v2", "start": "10min",
      "host_update": {"install": "@install"},
      "strategy": @strategy
    },
    "monitoring": {"scrape_interval": "1min"}@extra
  })json";

// `fleet` and `strategy` are JSON text; `extra` adds top-level members.
std::string scenario_json(const std::string& fleet, const std::string& strategy,
                          const std::string& v2_behaviour = "healthy",
                          const std::string& extra = "", const std::string& install = "30s") {
  return fill(kScenario, {{"@fleet", fleet},
                          {"@strategy", strategy},
                          {"@v2", v2_behaviour},
                          {"@install", install},
                          {"@extra", extra.empty() ? "" : "," + extra}});
}

std::string web_fleet(int hosts) {
  return fill(R"json({"web": {"hosts": @hosts, "service": "web", "version": "v1"}})json",
              {{"@hosts", std::to_string(hosts)}});
}

// "2", "0.1": as a person writes a percentage.
std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string percent_rings(const std::vector<double>& percents, const std::string& bake = "0s",
                          int parallelism = 0) {
  std::string rings;
  for (double p : percents) {
    if (!rings.empty()) rings += ", ";
    rings += fill(R"json({"name": "@p%", "percent": @p, "bake": "@bake"})json",
                  {{"@p", number_text(p)}, {"@bake", bake}});
  }
  return fill(R"json({"type": "ring", "parallelism": @parallelism, "rings": [@rings]})json",
              {{"@parallelism", std::to_string(parallelism)}, {"@rings", rings}});
}

std::vector<std::int64_t> ring_sizes(const spec::Scenario& scenario) {
  model::World world(scenario, 1);
  const auto plan = plan_rings(world, std::get<spec::RingParams>(scenario.deployment->strategy));
  std::vector<std::int64_t> sizes;
  for (std::size_t r = 0; r < plan.ends.size(); ++r) sizes.push_back(plan.size(r));
  return sizes;
}

// Story details of rollout notes whose event starts with `prefix`.
std::vector<std::string> notes(const simulation::Result& result, const std::string& prefix) {
  std::vector<std::string> details;
  for (const auto& record : result.story) {
    if (record.event.rfind(prefix, 0) != 0) continue;
    for (const auto& field : record.fields) {
      if (field.key == "detail") details.push_back(std::get<std::string>(field.value));
    }
  }
  return details;
}

bool mentions(const std::vector<std::string>& details, const std::string& text) {
  return std::any_of(details.begin(), details.end(),
                     [&](const std::string& d) { return d.find(text) != std::string::npos; });
}

// hosts_on_target sampled at `time_s`.
double on_target_at(const simulation::Result& result, double time_s) {
  const auto& times = *result.timeseries.column("time_s");
  const auto& on_target = *result.timeseries.column("hosts_on_target");
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (times[i] == time_s) return on_target[i];
  }
  ADD_FAILURE() << "no sample at " << time_s << " s";
  return -1;
}

double max_on_target(const simulation::Result& result) {
  const auto& on_target = *result.timeseries.column("hosts_on_target");
  return *std::max_element(on_target.begin(), on_target.end());
}

struct SizeCase {
  int hosts;
  std::vector<double> percents;
  std::vector<std::int64_t> sizes;
};

class RingSizes : public ::testing::TestWithParam<SizeCase> {};

// Percentages are cumulative and round up: ceil(p × N / 100) hosts are in the rings so far.
TEST_P(RingSizes, PercentRingsAreCumulativeAndRoundUp) {
  const auto& c = GetParam();
  const auto scenario =
      scenario_from_json(scenario_json(web_fleet(c.hosts), percent_rings(c.percents)));
  EXPECT_EQ(ring_sizes(scenario), c.sizes);
}

INSTANTIATE_TEST_SUITE_P(
    Ring, RingSizes,
    ::testing::Values(SizeCase{1000, {2, 100}, {20, 980}},  // Facebook's 2%: exact
                      SizeCase{1010, {2, 100}, {21, 989}},  // 20.2 rounds up to 21
                      SizeCase{50, {1, 100}, {1, 49}},      // 0.5: a ring never starts empty
                      SizeCase{1000, {0.1, 1, 10, 100}, {1, 9, 90, 900}},  // exponential expansion
                      SizeCase{1000, {50, 50, 100}, {500, 0, 500}},        // 50% is already covered
                      SizeCase{7, {10, 50, 100}, {1, 3, 3}},
                      SizeCase{1000, {2, 50}, {20, 480}}),  // hosts past 50%: no ring
    [](const ::testing::TestParamInfo<SizeCase>& param) {
      return "case" + std::to_string(param.index);
    });

TEST(Ring, GroupRingsTakeTheirGroupsDeploymentHostsOnce) {
  const std::string fleet = R"({
    "employees": {"hosts": 10, "service": "web", "version": "v1"},
    "prod": {"hosts": 990, "service": "web", "version": "v1"},
    "db": {"hosts": 5, "service": "db", "version": "d1"}})";
  const std::string strategy = R"({"type": "ring", "rings": [
    {"name": "employees", "groups": ["employees", "db"]},
    {"name": "2%", "percent": 2},
    {"name": "rest", "groups": ["employees", "prod"]}]})";
  const auto scenario = scenario_from_json(scenario_json(fleet, strategy));
  // The db hosts are not part of a deployment of web; employees are not taken twice; the 2% ring
  // tops the rings so far up to 20 hosts.
  EXPECT_EQ(ring_sizes(scenario), (std::vector<std::int64_t>{10, 10, 980}));

  model::World world(scenario, 1);
  const auto plan = plan_rings(world, std::get<spec::RingParams>(scenario.deployment->strategy));
  const auto employees = *world.fleet().find_group("employees");
  for (std::size_t i = 0; i < plan.ends[0]; ++i) {
    EXPECT_EQ(world.fleet().group_of(plan.hosts[i]), employees);
  }

  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 1000);
}

TEST(Ring, RingOfAGroupOutsideTheDeploymentIsSkipped) {
  const std::string fleet = R"({
    "canary": {"hosts": 5, "service": "web", "version": "v1"},
    "prod": {"hosts": 95, "service": "web", "version": "v1"}})";
  auto json = nlohmann::json::parse(scenario_json(fleet, R"({"type": "ring", "rings": [
    {"name": "canary", "groups": ["canary"], "bake": "1h"},
    {"name": "all", "percent": 100}]})"));
  json["deployment"]["groups"] = {"prod"};
  const auto scenario = scenario_from_json(json.dump());
  EXPECT_EQ(ring_sizes(scenario), (std::vector<std::int64_t>{0, 95}));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_TRUE(mentions(notes(result, "ring_skipped"), "canary (no hosts left"));
  EXPECT_EQ(result.summary.hosts_on_target_version, 95);
}

TEST(Ring, HostsOnTargetStayFlatDuringTheBake) {
  // 100 hosts, installs of exactly 30 s, deploy at 10 min: ring 1 (10 hosts) is done at 600 +
  // 30 s, bakes 1 h to 4230 s; ring 2 is updated at 4260 s and bakes 1 h too.
  const auto scenario =
      scenario_from_json(scenario_json(web_fleet(100), percent_rings({10, 100}, "1h")));
  simulation::Simulation simulation(scenario, 1);
  simulation.run();
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(on_target_at(result, 600), 0);
  for (double t = 660; t <= 4200; t += 60) EXPECT_EQ(on_target_at(result, t), 10) << t << " s";
  EXPECT_EQ(on_target_at(result, 4320), 100);
  EXPECT_EQ(simulation.world().counters().deploy_finished_at->to_seconds(), 4260 + 3600);
}

TEST(Ring, TheLastRingBakesBeforeTheDeployCompletes) {
  const auto scenario =
      scenario_from_json(scenario_json(web_fleet(10), percent_rings({100}, "30min")));
  simulation::Simulation simulation(scenario, 1);
  simulation.run();
  EXPECT_EQ(simulation.world().counters().deploy_finished_at->to_seconds(), 600 + 30 + 1800);
}

TEST(Ring, ParallelismLimitsHostsInFlight) {
  // 100 hosts, 10 at a time, 30 s each: ten waves, 300 s.
  const auto scenario =
      scenario_from_json(scenario_json(web_fleet(100), percent_rings({100}, "0s", 10)));
  simulation::Simulation simulation(scenario, 1);
  simulation.run();
  EXPECT_EQ(simulation.world().counters().deploy_finished_at->to_seconds(), 600 + 300);
  EXPECT_EQ(simulation.result().summary.hosts_on_target_version, 100);
}

TEST(Ring, TellsTheStoryPerRingNotPerHost) {
  const auto scenario =
      scenario_from_json(scenario_json(web_fleet(1000), percent_rings({2, 100}, "1h")));
  const auto result = simulation::run(scenario, 1);
  const auto started = notes(result, "ring_started");
  ASSERT_EQ(started.size(), 2u);
  EXPECT_EQ(started[0], "2% (20 hosts)");
  EXPECT_EQ(started[1], "100% (980 hosts)");
  EXPECT_TRUE(mentions(notes(result, "ring_baking"), "2% for 1h (20 hosts updated)"));
  // The ring and its size are fields of the record too.
  const auto first = std::find_if(result.story.begin(), result.story.end(),
                                  [](const auto& r) { return r.event == "ring_started"; });
  ASSERT_NE(first, result.story.end());
  EXPECT_EQ(first->fields[1].key, "ring");
  EXPECT_EQ(std::get<std::string>(first->fields[1].value), "2%");
  EXPECT_EQ(std::get<std::int64_t>(first->fields[2].value), 20);
  EXPECT_LT(result.story.size(), 10u);
}

TEST(Ring, HostsInNoRingAreLeftAndSaidSo) {
  const auto scenario = scenario_from_json(scenario_json(web_fleet(1000), percent_rings({2})));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 20);
  EXPECT_TRUE(mentions(notes(result, "deploy_completed"), "980 hosts in no ring"));
}

TEST(Ring, CrashOnStartStopsAtTheFirstRing) {
  for (int parallelism : {0, 5}) {
    SCOPED_TRACE("parallelism " + std::to_string(parallelism));
    const auto scenario = scenario_from_json(
        scenario_json(web_fleet(1000), percent_rings({2, 100}, "30min", parallelism), "crashes"));
    const auto result = simulation::run(scenario, 1);
    EXPECT_EQ(result.summary.deploy_outcome, "failed");
    // The blast radius is the first ring, or the hosts in flight when the first one crashed.
    EXPECT_LE(result.summary.max_hosts_misbehaving, parallelism == 0 ? 20 : parallelism);
    EXPECT_GE(result.summary.max_hosts_misbehaving, 1);
    EXPECT_LE(result.summary.hosts_on_target_version, 20);
    EXPECT_EQ(notes(result, "ring_started").size(), 1u);
    EXPECT_TRUE(mentions(notes(result, "deploy_failed"), "1 later ring(s) not started"));
  }
}

TEST(Ring, AlertDuringTheBakeRollsBackAutomatically) {
  // Ring 1 (10 of 100 hosts) fails every request: a fleet error rate of 10%.
  const std::string extra = R"(
    "automation": {"rollback_on": ["errors_high"]})";
  auto json = nlohmann::json::parse(
      scenario_json(web_fleet(100), percent_rings({10, 100}, "1h"), "errors", extra));
  json["monitoring"]["alerts"] = nlohmann::json::parse(
      R"([{"name": "errors_high", "metric": "error_rate", "above": 0.05, "for": "2min"}])");
  const auto scenario = scenario_from_json(json.dump());
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.alerts_fired, 1);
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(max_on_target(result), 10);
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 10);
  EXPECT_EQ(notes(result, "ring_started").size(), 1u);
  EXPECT_TRUE(mentions(notes(result, "rings_stopped"), "while ring 10% was baking"));
  // The bake's timer fires after the rollback and must not start ring 2.
  EXPECT_EQ(on_target_at(result, 4 * 3600), 0);
}

TEST(Ring, HaltDuringTheBakeStopsFurtherRings) {
  const std::string extra = R"(
    "timeline": [{"at": "30min", "do": "halt", "group": "web"}])";
  const auto scenario = scenario_from_json(
      scenario_json(web_fleet(100), percent_rings({10, 100}, "1h"), "healthy", extra));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "halted");
  EXPECT_EQ(result.summary.hosts_on_target_version, 10);
  EXPECT_EQ(notes(result, "ring_started").size(), 1u);
}

TEST(Ring, RollbackWhileARingInstallsLeavesNoHostOnTarget) {
  const std::string extra = R"(
    "timeline": [{"at": "15min", "do": "rollback_code"}])";
  const auto scenario = scenario_from_json(
      scenario_json(web_fleet(100), percent_rings({50, 100}, "1h"), "healthy", extra, "10min"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(result.summary.hosts_on_target_version, 0);
  EXPECT_EQ(max_on_target(result), 0);
  EXPECT_TRUE(mentions(notes(result, "rings_stopped"), "during ring 50%"));
}

TEST(Ring, SameSeedSameRun) {
  auto json = nlohmann::json::parse(scenario_json(
      web_fleet(500), percent_rings({1, 10, 100}, "20min", 25), "healthy", "", "exponential(30s)"));
  json["deployment"]["host_update"]["install_failure_probability"] = 0.05;
  json["deployment"]["host_update"]["drain"] = "5s";
  json["monitoring"]["noise"] = 0.1;
  const auto scenario = scenario_from_json(json.dump());
  const auto first = simulation::run(scenario, 7);
  const auto second = simulation::run(scenario, 7);
  EXPECT_EQ(first.summary.to_json(), second.summary.to_json());
  EXPECT_EQ(first.timeseries.values, second.timeseries.values);
  ASSERT_EQ(first.story.size(), second.story.size());
  for (std::size_t i = 0; i < first.story.size(); ++i) {
    EXPECT_EQ(first.story[i].time, second.story[i].time);
    EXPECT_EQ(first.story[i].event, second.story[i].event);
  }
  EXPECT_EQ(first.summary.deploy_outcome, "completed");
  // Another seed draws other installs, so the deploy ends at another time.
  const auto other = simulation::run(scenario, 8);
  EXPECT_NE(other.timeseries.values, first.timeseries.values);
}

}  // namespace
}  // namespace deploysim::strategy
