// Good paths of the scenario format: bundled scenarios and fixtures load, defaults are applied,
// --set and variant files change exactly what they name, times read as timestamps and offsets,
// and scenarios/schema.json agrees with the parser.

#include "scenario/load.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "input/json_reader.hpp"
#include "scenarios.hpp"
#include "spec/service_graph.hpp"

namespace deploysim::scenario {
namespace {

namespace fs = std::filesystem;
using engine::Distribution;
using engine::Duration;
using engine::Time;
using nlohmann::json;
using testing::scenario_from_json;

const fs::path kGoodDir = fs::path(DEPLOYSIM_TEST_DATA) / "good";
const fs::path kScenariosDir = fs::path(DEPLOYSIM_SOURCE_DIR) / "scenarios";

// The scenario files of a directory; schema.json describes scenarios and is not one.
std::vector<fs::path> scenario_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        entry.path().filename() != "schema.json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Loads a file that must be valid; a failure shows the message a user would see.
spec::Scenario load_ok(const fs::path& path, const std::vector<std::string>& overrides = {}) {
  try {
    return load_scenario(path, overrides);
  } catch (const input::InputError& error) {
    ADD_FAILURE() << error.what();
  }
  return spec::Scenario{};
}

engine::Time at(engine::Duration d) {
  return engine::Time::zero() + d;
}

// ---- Every bundled scenario and fixture loads ----

TEST(BundledScenarios, EveryFileLoadsAndCitesItsSources) {
  const auto files = scenario_files(kScenariosDir);
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const spec::Scenario scenario = load_ok(file);
    EXPECT_FALSE(scenario.name.empty());
    EXPECT_FALSE(scenario.sources.empty()) << "bundled scenarios cite their sources";
    EXPECT_EQ(scenario.file, file.string());
  }
}

TEST(GoodFixtures, EveryFileLoads) {
  const auto files = scenario_files(kGoodDir);
  ASSERT_GE(files.size(), 5u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    EXPECT_FALSE(load_ok(file).name.empty());
  }
}

// ---- Defaults (docs/scenario-format.md lists the same values) ----

TEST(Defaults, RequiredKeysOnly) {
  const spec::Scenario s = load_ok(kGoodDir / "minimal.json");
  EXPECT_EQ(s.description, "");
  EXPECT_TRUE(s.sources.empty());
  EXPECT_EQ(s.seed, 1u);
  EXPECT_FALSE(s.clock.wall.has_value());
  EXPECT_EQ(s.clock.end, at(engine::Duration::days(1)));
  ASSERT_EQ(s.behaviours.size(), 1u);
  EXPECT_EQ(s.behaviours[0].name, "healthy");
  EXPECT_EQ(s.behaviours[0].kind, spec::Behaviour::Kind::healthy);
  ASSERT_EQ(s.services.size(), 1u);
  ASSERT_EQ(s.services[0].versions.size(), 1u);
  EXPECT_EQ(s.services[0].versions[0].behaviour, "healthy");
  EXPECT_TRUE(s.services[0].versions[0].flag_behaviours.empty());
  EXPECT_TRUE(s.services[0].depends_on.empty());
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.groups[0].name_pattern, "{group}-{i}");
  EXPECT_EQ(s.groups[0].traffic_weight, 1.0);
  EXPECT_TRUE(s.groups[0].config.empty());
  EXPECT_TRUE(s.flags.empty());
  EXPECT_FALSE(s.deployment.has_value());
  EXPECT_EQ(s.monitoring.scrape_interval, engine::Duration::seconds(15));
  EXPECT_EQ(s.monitoring.noise, 0.0);
  EXPECT_TRUE(s.monitoring.alerts.empty());
  EXPECT_TRUE(s.monitoring.signals.empty());
  EXPECT_TRUE(s.people.empty());
  EXPECT_TRUE(s.automation.rollback_on.empty());
  EXPECT_FALSE(s.automation.kill_switch.has_value());
  EXPECT_FALSE(s.automation.halt_on_inconsistency);
  EXPECT_EQ(s.business.requests_per_host_per_s, 10.0);
  EXPECT_EQ(s.business.users_per_request, 0.1);
  EXPECT_EQ(s.business.error_budget, 0.001);
  EXPECT_EQ(s.business.base_latency_ms, 50.0);
  EXPECT_EQ(s.business.base_error_rate, 0.0);
  EXPECT_TRUE(s.timeline.empty());
}

// A scenario with one service "web" (v1 -> v2) on 10 hosts and `rest` spliced in at the end.
spec::Scenario with(const std::string& rest) {
  return scenario_from_json(
      R"({"name": "t", "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
          "fleet": {"web": {"hosts": 10, "service": "web", "version": "v1"}}, )" +
      rest + "}");
}

spec::Scenario with_strategy(const std::string& strategy) {
  return with(R"("deployment": {"service": "web", "to": "v2", "strategy": )" + strategy + "}");
}

TEST(Defaults, Deployment) {
  const spec::Scenario s = with_strategy(R"({"type": "all_at_once"})");
  ASSERT_TRUE(s.deployment.has_value());
  const spec::Deployment& d = *s.deployment;
  EXPECT_TRUE(d.groups.empty());
  EXPECT_EQ(d.start, engine::Time::zero());
  EXPECT_FALSE(d.preflight_gate);
  EXPECT_FALSE(d.post_deploy_verification);
  EXPECT_EQ(d.host_update.drain, engine::Duration::seconds(0));
  EXPECT_EQ(d.host_update.install.kind(), engine::Distribution::Kind::deterministic);
  EXPECT_EQ(d.host_update.install.mean(), 30'000.0);
  EXPECT_EQ(d.host_update.health_check, engine::Duration::seconds(0));
  EXPECT_EQ(d.host_update.install_failure_probability, 0.0);
  EXPECT_EQ(d.host_update.retry_delay, engine::Duration::seconds(10));
  EXPECT_EQ(d.host_update.max_retries, 3);
  EXPECT_TRUE(std::holds_alternative<spec::AllAtOnceParams>(d.strategy));
}

TEST(Defaults, Strategies) {
  {
    const auto m =
        std::get<spec::ManualParams>(with_strategy(R"({"type": "manual"})").deployment->strategy);
    EXPECT_EQ(m.per_host.mean(), 600'000.0);
    EXPECT_EQ(m.skip_probability, 0.0);
    EXPECT_EQ(m.misconfigure_probability, 0.0);
    EXPECT_EQ(m.hosts_per_day, 0);
    EXPECT_TRUE(m.faults.empty());
  }
  {
    const auto r =
        std::get<spec::RollingParams>(with_strategy(R"({"type": "rolling"})").deployment->strategy);
    EXPECT_EQ(r.batch_size, 0);
    EXPECT_EQ(r.max_surge.value, 25.0);
    EXPECT_TRUE(r.max_surge.percent);
    EXPECT_EQ(r.max_unavailable.value, 25.0);
    EXPECT_TRUE(r.max_unavailable.percent);
    EXPECT_EQ(r.min_ready, engine::Duration::seconds(0));
    EXPECT_EQ(r.progress_deadline, engine::Duration::seconds(600));
  }
  {
    const auto b = std::get<spec::BlueGreenParams>(
        with_strategy(R"({"type": "blue_green"})").deployment->strategy);
    EXPECT_EQ(b.pre_promotion_analysis, engine::Duration::seconds(0));
    EXPECT_EQ(b.scale_down_delay, engine::Duration::seconds(30));
    EXPECT_TRUE(b.auto_promote);
  }
  {
    const auto c = std::get<spec::CanaryParams>(
        with_strategy(R"({"type": "canary", "steps": []})").deployment->strategy);
    EXPECT_TRUE(c.steps.empty());
    EXPECT_EQ(c.analysis.metric, "error_rate");
    EXPECT_EQ(c.analysis.max_value, 0.01);
    EXPECT_EQ(c.analysis.interval, engine::Duration::seconds(60));
    EXPECT_EQ(c.analysis.failure_limit, 0);
    EXPECT_EQ(c.analysis.consecutive_error_limit, 4);
    EXPECT_FALSE(c.analysis.compare_to_baseline);
    EXPECT_EQ(c.analysis.max_ratio_to_baseline, 1.5);
    EXPECT_TRUE(c.traffic_routed);
    EXPECT_TRUE(c.automated_rollback);
  }
  {
    const auto g = std::get<spec::RingParams>(
        with_strategy(R"({"type": "ring", "rings": [{"name": "all", "percent": 100}]})")
            .deployment->strategy);
    EXPECT_EQ(g.parallelism, 0);
    ASSERT_EQ(g.rings.size(), 1u);
    EXPECT_EQ(g.rings[0].bake, engine::Duration::seconds(0));
    EXPECT_TRUE(g.rings[0].groups.empty());
  }
}

TEST(Defaults, MonitoringPeopleFlagsAndTimeline) {
  const spec::Scenario s = with(R"(
    "flags": {"f": {}},
    "monitoring": {"alerts": [{"name": "e", "metric": "error_rate", "above": 0.1}],
                   "signals": [{"name": "s", "from": "flag_without_code", "flag": "f"}]},
    "people": {"p": {}},
    "automation": {"kill_switch": {"metric": "kpi", "below": 0.5}},
    "timeline": [{"at": "+1h", "do": "set_flag", "flag": "f", "value": true}])");
  ASSERT_EQ(s.flags.size(), 1u);
  EXPECT_FALSE(s.flags[0].initial);
  EXPECT_TRUE(s.flags[0].groups.empty());
  EXPECT_EQ(s.flags[0].percent, 100.0);
  ASSERT_EQ(s.monitoring.alerts.size(), 1u);
  const spec::AlertRule& alert = s.monitoring.alerts[0];
  EXPECT_FALSE(alert.below);
  EXPECT_EQ(alert.threshold, 0.1);
  EXPECT_EQ(alert.for_duration, engine::Duration::seconds(0));
  EXPECT_EQ(alert.level, spec::AlertRule::Level::critical);
  EXPECT_EQ(alert.notify, "");
  EXPECT_FALSE(alert.ignored);
  ASSERT_EQ(s.monitoring.signals.size(), 1u);
  EXPECT_EQ(s.monitoring.signals[0].start, engine::Time::zero());
  EXPECT_EQ(s.monitoring.signals[0].every, engine::Duration::minutes(1));
  EXPECT_FALSE(s.monitoring.signals[0].treated_as_alert);
  ASSERT_EQ(s.people.size(), 1u);
  EXPECT_EQ(s.people[0].acknowledge.mean(), 60'000.0);
  EXPECT_EQ(s.people[0].diagnose.mean(), 600'000.0);
  EXPECT_EQ(s.people[0].act.mean(), 60'000.0);
  EXPECT_TRUE(s.people[0].playbook.empty());
  ASSERT_TRUE(s.automation.kill_switch.has_value());
  EXPECT_EQ(s.automation.kill_switch->name, "kill_switch");
  EXPECT_TRUE(s.automation.kill_switch->below);
  ASSERT_EQ(s.timeline.size(), 1u);
  EXPECT_EQ(s.timeline[0].percent, 100.0);
  EXPECT_EQ(s.timeline[0].group, "");
  EXPECT_EQ(s.timeline[0].person, "");
}

// ---- Every key of a section is read into the typed scenario ----

TEST(EveryKey, ManualFixture) {
  const spec::Scenario s = load_ok(kGoodDir / "manual_every_key.json");
  EXPECT_EQ(s.seed, 42u);
  ASSERT_TRUE(s.clock.wall.has_value());
  EXPECT_EQ(s.clock.wall->zone(), "UTC");
  EXPECT_EQ(s.clock.end, at(engine::Duration::days(1) + engine::Duration::hours(10)));
  ASSERT_EQ(s.behaviours.size(), 5u);  // "healthy" is redefined, not added twice
  const auto behaviour = [&](const std::string& name) {
    return *std::find_if(s.behaviours.begin(), s.behaviours.end(),
                         [&](const spec::Behaviour& b) { return b.name == name; });
  };
  EXPECT_EQ(behaviour("errors").error_rate, 0.2);
  EXPECT_EQ(behaviour("slow").added_latency_ms, 400.0);
  EXPECT_EQ(behaviour("bad_orders").loss_per_host_per_min_usd, 1500.0);
  EXPECT_EQ(behaviour("boot_loop").kind, spec::Behaviour::Kind::crash_on_start);
  const spec::Service& router = s.services.at(0);
  ASSERT_EQ(router.versions.size(), 3u);
  EXPECT_EQ(router.versions[0].flag_behaviours.at("fast_path"), "bad_orders");
  EXPECT_EQ(router.versions[2].behaviour, "errors");
  const spec::HostGroup& rack_a = s.groups.at(0);
  EXPECT_EQ(rack_a.name_pattern, "a{i}.example");
  EXPECT_EQ(rack_a.traffic_weight, 2.0);
  EXPECT_EQ(rack_a.config.at("threads"), "8");  // non-strings keep their JSON text
  EXPECT_EQ(rack_a.config.at("mode"), "fast");
  ASSERT_EQ(s.flags.size(), 2u);
  EXPECT_EQ(s.flags[1].name, "fast_path");  // objects are read in key order
  EXPECT_EQ(s.flags[1].groups, std::vector<std::string>{"rack_a"});

  const spec::Deployment& d = *s.deployment;
  EXPECT_EQ(d.groups, (std::vector<std::string>{"rack_a", "rack_b"}));
  EXPECT_EQ(d.start, at(engine::Duration::hours(1)));
  EXPECT_TRUE(d.preflight_gate);
  EXPECT_TRUE(d.post_deploy_verification);
  EXPECT_EQ(d.host_update.drain, engine::Duration::seconds(30));
  EXPECT_EQ(d.host_update.install.mean(), 120'000.0);
  EXPECT_EQ(d.host_update.health_check, engine::Duration::seconds(10));
  EXPECT_EQ(d.host_update.install_failure_probability, 0.05);
  EXPECT_EQ(d.host_update.retry_delay, engine::Duration::seconds(20));
  EXPECT_EQ(d.host_update.max_retries, 2);
  const auto& manual = std::get<spec::ManualParams>(d.strategy);
  EXPECT_EQ(manual.per_host.kind(), engine::Distribution::Kind::uniform);
  EXPECT_EQ(manual.skip_probability, 0.01);
  EXPECT_EQ(manual.misconfigure_probability, 0.02);
  EXPECT_EQ(manual.hosts_per_day, 4);
  ASSERT_EQ(manual.faults.size(), 2u);
  EXPECT_EQ(manual.faults[0].kind, spec::ScriptedFault::Kind::skip);
  EXPECT_EQ(manual.faults[0].host, "a3.example");
  EXPECT_EQ(manual.faults[1].kind, spec::ScriptedFault::Kind::misconfigure);
  EXPECT_EQ(manual.faults[1].host, "rack_b-2");

  EXPECT_EQ(s.monitoring.scrape_interval, engine::Duration::minutes(1));
  EXPECT_EQ(s.monitoring.noise, 0.05);
  ASSERT_EQ(s.monitoring.alerts.size(), 2u);
  EXPECT_EQ(s.monitoring.alerts[0].metric, spec::Metric::loss_rate_usd_per_min);
  EXPECT_EQ(s.monitoring.alerts[0].notify, "desk");
  EXPECT_EQ(s.monitoring.alerts[1].metric, spec::Metric::hosts_on_target);
  EXPECT_TRUE(s.monitoring.alerts[1].below);
  EXPECT_EQ(s.monitoring.alerts[1].level, spec::AlertRule::Level::warning);
  EXPECT_TRUE(s.monitoring.alerts[1].ignored);
  EXPECT_EQ(s.monitoring.alerts[1].for_duration, engine::Duration::days(1));
  const spec::Signal& signal = s.monitoring.signals.at(0);
  EXPECT_EQ(signal.flag, "fast_path");
  EXPECT_EQ(signal.start, at(engine::Duration::days(1)));
  EXPECT_EQ(signal.notify, "desk");

  const spec::Person& desk = s.people.at(0);
  EXPECT_EQ(desk.name, "desk");
  EXPECT_EQ(desk.diagnose.kind(), engine::Distribution::Kind::weibull);
  EXPECT_EQ(desk.act.kind(), engine::Distribution::Kind::empirical);
  ASSERT_EQ(desk.playbook.size(), 2u);
  EXPECT_EQ(desk.playbook[0].action, spec::ActionKind::page);
  EXPECT_EQ(desk.playbook[0].person, "lead");
  EXPECT_EQ(desk.playbook[1].action, spec::ActionKind::halt);
  EXPECT_EQ(desk.playbook[1].group, "rack_a");

  EXPECT_EQ(s.automation.rollback_on, std::vector<std::string>{"losing_money"});
  EXPECT_EQ(s.automation.kill_switch->metric, spec::Metric::kpi);
  EXPECT_TRUE(s.automation.halt_on_inconsistency);
  EXPECT_EQ(s.business.requests_per_host_per_s, 50.0);
  EXPECT_EQ(s.business.base_error_rate, 0.0001);

  ASSERT_EQ(s.timeline.size(), 3u);
  EXPECT_EQ(s.timeline[0].group, "rack_a");
  EXPECT_EQ(s.timeline[0].person, "desk");
  EXPECT_EQ(s.timeline[1].action, spec::ActionKind::page);
  EXPECT_EQ(s.timeline[1].person, "lead");
  EXPECT_EQ(s.timeline[2].action, spec::ActionKind::deploy);
}

TEST(EveryKey, RingAndBlueGreenFixtures) {
  const auto ring =
      std::get<spec::RingParams>(load_ok(kGoodDir / "ring.json").deployment->strategy);
  ASSERT_EQ(ring.rings.size(), 3u);
  EXPECT_EQ(ring.rings[0].groups, std::vector<std::string>{"canary"});
  EXPECT_EQ(ring.rings[0].bake, engine::Duration::hours(1));
  EXPECT_EQ(ring.rings[1].percent, 50.0);
  EXPECT_EQ(ring.parallelism, 5);
  const spec::Scenario bg = load_ok(kGoodDir / "blue_green.json");
  const auto blue_green = std::get<spec::BlueGreenParams>(bg.deployment->strategy);
  EXPECT_EQ(blue_green.pre_promotion_analysis, engine::Duration::minutes(5));
  EXPECT_EQ(blue_green.scale_down_delay, engine::Duration::minutes(10));
  EXPECT_FALSE(blue_green.auto_promote);
  EXPECT_EQ(bg.automation.rollback_on, std::vector<std::string>{"errors"});
}

// ---- --set changes exactly the value it names ----

struct OverrideCase {
  std::string assignment;
  std::string pointer;  // where the value lands in the document
  json value;           // what it becomes
};

std::ostream& operator<<(std::ostream& out, const OverrideCase& c) {
  return out << c.assignment;
}

class Override : public ::testing::TestWithParam<OverrideCase> {};

TEST_P(Override, ChangesOnlyTheTargetedValue) {
  const fs::path file = kGoodDir / "web_rollout.json";
  const spec::Scenario original = load_ok(file);
  const spec::Scenario changed = load_ok(file, {GetParam().assignment});
  json expected = original.source;
  expected[json::json_pointer(GetParam().pointer)] = GetParam().value;
  EXPECT_EQ(changed.source, expected) << "diff: " << json::diff(expected, changed.source).dump();
}

INSTANTIATE_TEST_SUITE_P(
    WebRollout, Override,
    ::testing::Values(
        OverrideCase{"seed=99", "/seed", 99},
        OverrideCase{"deployment.strategy.max_unavailable=2",
                     "/deployment/strategy/max_unavailable", 2},
        OverrideCase{"monitoring.alerts.0.above=0.5", "/monitoring/alerts/0/above", 0.5},
        OverrideCase{"deployment.preflight_gate=true", "/deployment/preflight_gate", true},
        // Not JSON, so a string: no quotes needed for durations, percentages or names.
        OverrideCase{"deployment.strategy.max_surge=50%", "/deployment/strategy/max_surge", "50%"},
        OverrideCase{"monitoring.scrape_interval=1min", "/monitoring/scrape_interval", "1min"},
        OverrideCase{"name=Web rollout, again", "/name", "Web rollout, again"},
        OverrideCase{"description=a=b", "/description", "a=b"},  // the first '=' splits
        OverrideCase{"name=\"quoted\"", "/name", "quoted"},      // a JSON string
        OverrideCase{"deployment.strategy={\"type\": \"all_at_once\"}", "/deployment/strategy",
                     json{{"type", "all_at_once"}}},
        OverrideCase{"deployment.groups=[\"web-eu\"]", "/deployment/groups",
                     json::array({"web-eu"})},
        OverrideCase{"timeline.1.at=+2h", "/timeline/1/at", "+2h"},
        OverrideCase{"timeline.0.percent=50", "/timeline/0/percent", 50},
        OverrideCase{"fleet.web-us.hosts=12", "/fleet/web-us/hosts", 12},
        OverrideCase{"people.oncall.playbook.0={\"do\": \"halt\"}", "/people/oncall/playbook/0",
                     json{{"do", "halt"}}},
        // The last key may be new; validation decides whether it is allowed.
        OverrideCase{"deployment.post_deploy_verification=true",
                     "/deployment/post_deploy_verification", true}));

TEST(Overrides, ReachTheTypedScenario) {
  const fs::path file = kGoodDir / "web_rollout.json";
  const spec::Scenario s =
      load_ok(file, {"deployment.strategy.max_surge=50%", "deployment.strategy.max_unavailable=2",
                     "timeline.1.at=+2h", "fleet.web-us.hosts=12", "seed=5", "seed=6"});
  const auto& rolling = std::get<spec::RollingParams>(s.deployment->strategy);
  EXPECT_EQ(rolling.max_surge.value, 50.0);
  EXPECT_TRUE(rolling.max_surge.percent);
  EXPECT_EQ(rolling.max_unavailable.value, 2.0);
  EXPECT_FALSE(rolling.max_unavailable.percent);
  EXPECT_EQ(s.timeline.at(1).at, at(engine::Duration::hours(2)));
  EXPECT_EQ(s.groups.at(2).name, "web-us");
  EXPECT_EQ(s.groups.at(2).hosts, 12);
  EXPECT_EQ(s.seed, 6u);  // applied in order: the last one wins
  EXPECT_EQ(s.file, file.string());
}

TEST(Overrides, ReplaceAWholeStrategy) {
  const spec::Scenario s =
      load_ok(kGoodDir / "web_rollout.json",
              {R"(deployment.strategy={"type": "canary", "steps": [{"set_weight": 5}]})"});
  const auto& canary = std::get<spec::CanaryParams>(s.deployment->strategy);
  ASSERT_EQ(canary.steps.size(), 1u);
  EXPECT_EQ(canary.steps[0].weight, 5.0);
}

// ---- Variant files: "extends" + "set" ----

TEST(Variants, ChangeOnlyWhatTheySetAndAddTheirSources) {
  const spec::Scenario base = load_ok(kGoodDir / "web_rollout.json");
  const fs::path file = kGoodDir / "web_rollout_canary.json";
  const spec::Scenario variant = load_ok(file);
  EXPECT_EQ(variant.file, file.string());
  EXPECT_EQ(variant.name, "Web rollout as a canary");
  EXPECT_EQ(variant.description,
            "The same rollout as web_rollout.json, as a canary with analysis.");
  EXPECT_EQ(variant.sources, (std::vector<std::string>{"Test fixture", "Variant fixture"}));

  const auto& canary = std::get<spec::CanaryParams>(variant.deployment->strategy);
  ASSERT_EQ(canary.steps.size(), 4u);
  EXPECT_EQ(canary.steps[0].kind, spec::CanaryStep::Kind::set_weight);
  EXPECT_EQ(canary.steps[0].weight, 10.0);
  EXPECT_EQ(canary.steps[1].kind, spec::CanaryStep::Kind::pause);
  EXPECT_EQ(canary.steps[1].duration, engine::Duration::minutes(10));
  EXPECT_EQ(canary.steps[3].kind, spec::CanaryStep::Kind::analysis);
  EXPECT_EQ(canary.analysis.metric, "latency_ms");
  EXPECT_EQ(canary.analysis.max_value, 200.0);
  EXPECT_EQ(canary.analysis.failure_limit, 1);
  EXPECT_EQ(canary.analysis.consecutive_error_limit, 4);  // not set: the default
  EXPECT_EQ(variant.monitoring.scrape_interval, engine::Duration::seconds(15));
  EXPECT_EQ(variant.timeline.at(1).at, at(engine::Duration::hours(2)));

  // Everything else is the base's.
  json expected = base.source;
  expected["name"] = variant.name;
  expected["description"] = variant.description;
  expected["sources"].push_back("Variant fixture");
  const json variant_file = input::load_json_file(file);
  for (const auto& [path, value] : variant_file["set"].items()) {
    set_value(expected, path, value, "test", "test");
  }
  EXPECT_EQ(variant.source, expected) << json::diff(expected, variant.source).dump();
}

TEST(Variants, ChainAndKeepWhatTheyDoNotOverride) {
  const spec::Scenario gated = load_ok(kGoodDir / "web_rollout_canary_gated.json");
  EXPECT_EQ(gated.name, "Web canary with a pre-flight gate");
  // No description of its own: the one of the variant it extends.
  EXPECT_EQ(gated.description, "The same rollout as web_rollout.json, as a canary with analysis.");
  EXPECT_TRUE(gated.deployment->preflight_gate);
  EXPECT_TRUE(std::holds_alternative<spec::CanaryParams>(gated.deployment->strategy));
}

TEST(Variants, OverridesApplyAfterTheVariant) {
  const spec::Scenario s =
      load_ok(kGoodDir / "web_rollout_canary_gated.json",
              {"deployment.preflight_gate=false", "deployment.strategy.steps.0.set_weight=5"});
  EXPECT_FALSE(s.deployment->preflight_gate);
  EXPECT_EQ(std::get<spec::CanaryParams>(s.deployment->strategy).steps.at(0).weight, 5.0);
}

TEST(Variants, BundledKnightCounterfactualsDifferFromTheReplayOnlyWhereTheySaySo) {
  const spec::Scenario replay = load_ok(kScenariosDir / "knight_capital_2012.json");
  const spec::Scenario gate = load_ok(kScenariosDir / "knight_capital_2012_preflight_gate.json");
  EXPECT_FALSE(replay.deployment->preflight_gate);
  EXPECT_TRUE(gate.deployment->preflight_gate);
  json expected = replay.source;
  expected["name"] = gate.name;
  expected["description"] = gate.description;
  expected["deployment"]["preflight_gate"] = true;
  EXPECT_EQ(gate.source, expected) << json::diff(expected, gate.source).dump();
}

// ---- Times: timestamps with a wall clock, offsets with or without ----

TEST(Times, TimestampsCountFromTheWallClockStart) {
  const spec::Scenario s = load_ok(kGoodDir / "web_rollout.json");
  ASSERT_TRUE(s.clock.wall.has_value());
  EXPECT_EQ(s.clock.wall->zone(), "Europe/Berlin");
  EXPECT_EQ(s.clock.end, at(engine::Duration::hours(4)));
  EXPECT_EQ(s.deployment->start, at(engine::Duration::minutes(15)));
  EXPECT_EQ(s.timeline.at(0).at, at(engine::Duration::hours(1)));
  EXPECT_EQ(s.timeline.at(0).percent, 10.0);
  EXPECT_EQ(s.timeline.at(1).at, at(engine::Duration::minutes(90)));  // "+90min" beside timestamps
}

TEST(Times, OffsetsWithOrWithoutPlus) {
  const spec::Scenario s = load_ok(kGoodDir / "offsets.json");
  EXPECT_FALSE(s.clock.wall.has_value());
  EXPECT_EQ(s.clock.end, at(engine::Duration::hours(6)));
  EXPECT_EQ(s.deployment->start, at(engine::Duration::minutes(30)));
  ASSERT_EQ(s.timeline.size(), 3u);
  EXPECT_EQ(s.timeline[0].at, at(engine::Duration::minutes(90)));
  EXPECT_EQ(s.timeline[1].at, at(engine::Duration::hours(2)));
  EXPECT_EQ(s.timeline[2].at, at(engine::Duration::hours(5) + engine::Duration::minutes(30)));
}

TEST(Times, TheClocksBoundsAreInsideTheRun) {
  const spec::Scenario s = with(R"(
    "clock": {"start": "2024-03-01T09:00", "end": "2024-03-01T10:00:00"},
    "timeline": [{"at": "2024-03-01T09:00:00", "do": "halt"}, {"at": "+1h", "do": "resume"}])");
  EXPECT_EQ(s.timeline.at(0).at, engine::Time::zero());
  EXPECT_EQ(s.timeline.at(1).at, s.clock.end);
}

// ---- Services: dependencies give the deployment order ----

TEST(Services, DependenciesComeFirstInTheSafeDeploymentOrder) {
  const spec::Scenario s = load_ok(kGoodDir / "service_order.json");
  const auto api = std::find_if(s.services.begin(), s.services.end(),
                                [](const spec::Service& service) { return service.name == "api"; });
  ASSERT_NE(api, s.services.end());
  ASSERT_EQ(api->depends_on.size(), 2u);
  EXPECT_EQ(api->depends_on[0].service, "cache");  // objects are read in key order
  EXPECT_TRUE(api->depends_on[0].compatible_versions.empty());
  EXPECT_EQ(api->depends_on[1].service, "db");
  EXPECT_EQ(api->depends_on[1].compatible_versions, std::vector<std::string>{"v3"});

  const auto order = spec::safe_deployment_order(s.services);
  ASSERT_EQ(order.size(), 4u);
  auto position = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  EXPECT_LT(position("db"), position("api"));
  EXPECT_LT(position("cache"), position("api"));
  EXPECT_LT(position("api"), position("web"));
}

// ---- scenarios/schema.json agrees with the parser ----

const char* const kPython = "/usr/bin/python3";

bool python_has_jsonschema() {
  const std::string command = std::string(kPython) + " -c 'import jsonschema' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Validates each file against the schema; prints one line per file that does not get `want`.
const char* const kValidateScript = R"(
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
want_valid = sys.argv[2] == "valid"
failed = 0
for path in sys.argv[3:]:
    errors = list(validator.iter_errors(json.load(open(path))))
    if want_valid and errors:
        failed += 1
        best = jsonschema.exceptions.best_match(errors)
        print(f"{path}: /{'/'.join(map(str, best.absolute_path))}: {best.message}")
    elif not want_valid and not errors:
        failed += 1
        print(f"{path}: the schema accepts it")
sys.exit(1 if failed else 0)
)";

class Schema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!python_has_jsonschema()) {
      GTEST_SKIP() << kPython << " has no jsonschema module (Debian/Ubuntu: python3-jsonschema); "
                   << "scenarios/schema.json is not checked";
    }
    dir_ = fs::temp_directory_path() /
           ("deploysim-schema-test-" + std::to_string(std::random_device()()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "validate.py") << kValidateScript;
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  // Output of the script for `files`, empty when each got `want`.
  std::string check(const std::string& want, const std::vector<fs::path>& files) const {
    std::string command = std::string(kPython) + " '" + (dir_ / "validate.py").string() + "' '" +
                          (kScenariosDir / "schema.json").string() + "' " + want;
    for (const auto& file : files) command += " '" + file.string() + "'";
    command += " > '" + (dir_ / "out.txt").string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(dir_ / "out.txt");
    std::ostringstream out;
    out << in.rdbuf();
    return status == 0 ? std::string() : "exit status " + std::to_string(status) + "\n" + out.str();
  }

  fs::path dir_;
};

TEST_F(Schema, AcceptsEveryBundledScenarioAndGoodFixture) {
  auto files = scenario_files(kScenariosDir);
  const auto good = scenario_files(kGoodDir);
  files.insert(files.end(), good.begin(), good.end());
  EXPECT_EQ(check("valid", files), "");
}

TEST_F(Schema, RejectsMistakesItCanExpress) {
  // Problems of shape (keys, types, ranges); cross-references and times need the parser.
  std::vector<fs::path> files;
  for (const char* name : {"type_hosts_string",
                           "type_hosts_quoted_number",
                           "type_name_number",
                           "type_strategy_type_object",
                           "type_flag_initial_string",
                           "missing_name",
                           "missing_services",
                           "missing_fleet",
                           "missing_deployment_to",
                           "missing_strategy_type",
                           "unknown_key_stratgy",
                           "unknown_key_batchsize",
                           "unknown_key_hots",
                           "unknown_key_top_level",
                           "unknown_key_no_suggestion",
                           "duration_scrape_interval_zero",
                           "duration_pause_negative",
                           "duration_pause_in_words",
                           "duration_without_unit",
                           "batch_size_zero",
                           "percent_set_weight_150",
                           "percent_max_surge_120",
                           "dependency_call_fraction_over_one",
                           "dependency_call_fraction_negative",
                           "command_percent_over_100",
                           "command_gate_percent_over_100",
                           "change_percent_over_100",
                           "cpu_cost_zero",
                           "percent_flag_negative",
                           "probability_over_one",
                           "fleet_empty",
                           "services_empty",
                           "versions_empty",
                           "fleet_array",
                           "hosts_over_limit",
                           "hosts_2_pow_70",
                           "alert_above_and_below",
                           "strategy_type_canry",
                           "canary_step_two_kinds",
                           "ring_groups_and_percent",
                           "json_not_an_object",
                           "extends_unknown_key"}) {
    files.push_back(fs::path(DEPLOYSIM_TEST_DATA) / "bad" / (std::string(name) + ".json"));
  }
  EXPECT_EQ(check("invalid", files), "");
}

}  // namespace
}  // namespace deploysim::scenario
