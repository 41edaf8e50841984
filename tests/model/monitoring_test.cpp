#include "model/monitoring.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios.hpp"

namespace deploysim::model {
namespace {

using engine::Duration;
using engine::Time;

// Group a: 3 hosts on v2, which reads flag f as runaway actions losing $60 per host-minute;
// group b: 1 host on v1. With f on, 3 hosts misbehave and $180 is lost per minute.
std::string monitored_scenario(const std::string& monitoring, const std::string& extra = "") {
  return R"({
    "name": "monitoring", "clock": {"end": "1h"},
    "behaviours": {"runaway": {"kind": "erroneous_actions", "loss_per_host_per_min_usd": 60}},
    "services": {"web": {"versions": {"v1": {}, "v2": {"flags": {"f": "runaway"}}}}},
    "fleet": {"a": {"hosts": 3, "service": "web", "version": "v2"},
              "b": {"hosts": 1, "service": "web", "version": "v1"}},
    "flags": {"f": {"initial": false}},
    "deployment": {"service": "web", "to": "v2", "start": "50min",
                   "strategy": {"type": "all_at_once"}},
    "monitoring": )" +
         monitoring + extra + "}";
}

const char* kAlerts = R"({"scrape_interval": "1min", "alerts": [
    {"name": "runaway", "metric": "misbehaving_hosts", "above": 0, "for": "2min"},
    {"name": "dashboard", "metric": "loss_rate_usd_per_min", "above": 100, "ignored": true}]})";

class MonitorTest : public ::testing::Test {
 protected:
  explicit MonitorTest(const std::string& json = monitored_scenario(kAlerts))
      : scenario_(testing::scenario_from_json(json)) {}

  // Flag f on from 30 s to 200 s.
  void schedule_incident() {
    world_.kernel().call_at(Time::zero() + Duration::seconds(30), [this](engine::Kernel&) {
      world_.set_flag("f", "", true, 100.0, "test");
    });
    world_.kernel().call_at(Time::zero() + Duration::seconds(200), [this](engine::Kernel&) {
      world_.set_flag("f", "", false, 100.0, "test");
    });
  }
  void run_to_second(int s) { world_.kernel().run_until(Time::zero() + Duration::seconds(s)); }
  std::vector<double> column(const std::string& name) const {
    const auto* values = monitor_.series().column(name);
    EXPECT_NE(values, nullptr) << name;
    return values ? *values : std::vector<double>{};
  }
  // "<second> <event> <subject>" for the alert records of the story.
  std::vector<std::string> alert_story() const {
    std::vector<std::string> lines;
    for (const auto& r : world_.story()) {
      if (r.event.rfind("alert_", 0) != 0) continue;
      lines.push_back(std::to_string(r.time.ms() / 1000) + " " + r.event + " " + r.subject);
    }
    return lines;
  }

  spec::Scenario scenario_;
  World world_{scenario_, 1};
  std::vector<std::string> alerted_;
  std::vector<std::string> killed_;
  Monitor monitor_{world_, [this](const spec::AlertRule& r) { alerted_.push_back(r.name); },
                   [this](const spec::AlertRule& r) { killed_.push_back(r.name); }};
};

TEST_F(MonitorTest, ColumnsAreTheFixedOnesThenOnePerVersionOfTheDeployedService) {
  EXPECT_EQ(monitor_.series().columns,
            (std::vector<std::string>{"time_s", "error_rate", "latency_ms", "loss_usd",
                                      "loss_rate_usd_per_min", "misbehaving_hosts", "serving_hosts",
                                      "hosts_on_target", "alerts_firing", "hosts_v1", "hosts_v2"}));
  EXPECT_EQ(monitor_.series().rows(), 0u);
  EXPECT_EQ(monitor_.series().column("nothing"), nullptr);
}

TEST_F(MonitorTest, SamplesEveryScrapeIntervalFromTimeZero) {
  monitor_.start();
  run_to_second(180);
  EXPECT_EQ(column("time_s"), (std::vector<double>{0, 60, 120, 180}));
  EXPECT_EQ(column("serving_hosts"), (std::vector<double>{4, 4, 4, 4}));
  EXPECT_EQ(column("hosts_on_target"), (std::vector<double>{3, 3, 3, 3}));
  EXPECT_EQ(column("hosts_v1"), (std::vector<double>{1, 1, 1, 1}));
  EXPECT_EQ(column("hosts_v2"), (std::vector<double>{3, 3, 3, 3}));
  // sample_now adds the end of a run once, never a second row at the same instant.
  monitor_.sample_now();
  EXPECT_EQ(monitor_.series().rows(), 4u);
  run_to_second(190);
  monitor_.sample_now();
  monitor_.sample_now();
  EXPECT_EQ(column("time_s").back(), 190.0);
  EXPECT_EQ(monitor_.series().rows(), 5u);
}

TEST_F(MonitorTest, LossIsIntegratedAndRatedWhileTheFlagIsOn) {
  schedule_incident();
  monitor_.start();
  run_to_second(240);
  EXPECT_EQ(column("misbehaving_hosts"), (std::vector<double>{0, 3, 3, 3, 0}));
  EXPECT_EQ(column("loss_rate_usd_per_min"), (std::vector<double>{0, 180, 180, 180, 0}));
  // $180/min from 30 s: $90 by 60 s, $270 by 120 s, $450 by 180 s; $510 at 200 s, then none.
  const auto loss = column("loss_usd");
  ASSERT_EQ(loss.size(), 5u);
  EXPECT_DOUBLE_EQ(loss[1], 90.0);
  EXPECT_DOUBLE_EQ(loss[3], 450.0);
  EXPECT_DOUBLE_EQ(loss[4], 510.0);
  EXPECT_DOUBLE_EQ(metric_value(world_, spec::Metric::loss_rate_usd_per_min), 0.0);
}

TEST_F(MonitorTest, AnAlertFiresOnlyAfterHoldingForItsDuration) {
  schedule_incident();
  monitor_.start();
  run_to_second(179);
  EXPECT_FALSE(monitor_.is_firing("runaway")) << "breached at 60 s, pending until 180 s";
  EXPECT_TRUE(monitor_.is_firing("dashboard"));
  run_to_second(180);
  EXPECT_TRUE(monitor_.is_firing("runaway"));
  run_to_second(240);
  EXPECT_FALSE(monitor_.is_firing("runaway"));
  EXPECT_EQ(column("alerts_firing"), (std::vector<double>{0, 1, 1, 2, 0}));
  // An ignored rule is reported to the callback too; its resolution is not part of the story.
  EXPECT_EQ(alerted_, (std::vector<std::string>{"dashboard", "runaway"}));
  EXPECT_EQ(alert_story(),
            (std::vector<std::string>{"60 alert_fired dashboard", "180 alert_fired runaway",
                                      "240 alert_resolved runaway"}));
  EXPECT_EQ(world_.counters().alerts_fired, 0) << "counting is the simulation's job";
}

TEST_F(MonitorTest, AFiredRecordCarriesTheValueAndThreshold) {
  schedule_incident();
  monitor_.start();
  run_to_second(180);
  const engine::TraceRecord* fired = nullptr;
  for (const auto& r : world_.story()) {
    if (r.event == "alert_fired" && r.subject == "runaway") fired = &r;
  }
  ASSERT_NE(fired, nullptr);
  ASSERT_EQ(fired->fields.size(), 5u);
  EXPECT_EQ(std::get<std::string>(fired->fields[0].value), "misbehaving_hosts");
  EXPECT_EQ(std::get<double>(fired->fields[1].value), 3.0);
  EXPECT_EQ(std::get<double>(fired->fields[2].value), 0.0);
  EXPECT_EQ(std::get<std::string>(fired->fields[3].value), "critical");
  EXPECT_FALSE(std::get<bool>(fired->fields[4].value));
}

class KillSwitchTest : public MonitorTest {
 protected:
  KillSwitchTest()
      : MonitorTest(monitored_scenario(
            R"({"scrape_interval": "1min", "noise": 0.5})",
            R"(, "automation": {"kill_switch": {"metric": "misbehaving_hosts", "above": 2}})")) {}
};

TEST_F(KillSwitchTest, TheKillSwitchHasItsOwnCallbackAndCountsStayExactUnderNoise) {
  schedule_incident();
  monitor_.start();
  run_to_second(240);
  EXPECT_EQ(killed_.size(), 1u);
  EXPECT_TRUE(alerted_.empty());
  // Host counts are never noisy; money is measured with noise of 50% here.
  EXPECT_EQ(column("misbehaving_hosts"), (std::vector<double>{0, 3, 3, 3, 0}));
  EXPECT_EQ(column("alerts_firing"), (std::vector<double>{0, 0, 0, 0, 0}));
}

TEST(MonitorWithoutDeployment, HasOnlyTheFixedColumns) {
  const auto scenario = testing::scenario_from_json(R"({
    "name": "plain", "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 2, "service": "web", "version": "v1"}}})");
  World world(scenario, 1);
  Monitor monitor(
      world, [](const spec::AlertRule&) {}, [](const spec::AlertRule&) {});
  EXPECT_EQ(monitor.series().columns.size(), 9u);
  EXPECT_EQ(monitor.series().columns.back(), "alerts_firing");
}

}  // namespace
}  // namespace deploysim::model
