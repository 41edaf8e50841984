// How load and autoscaling interact with rollouts (docs/capacity.md): the three interactions
// the model is meant to show, run end to end on small scenarios.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "model/monitoring.hpp"
#include "scenario/load.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {
namespace {

Result run_text(const std::string& text) {
  const auto scenario = scenario::parse_scenario(nlohmann::json::parse(text), "<memory>");
  return run(scenario, scenario.seed);
}

// Eight pods serving 700 requests/s at 100 each: 87.5% busy, so losing two is an overload.
std::string peak_rollout(const std::string& surge, const std::string& unavailable) {
  return R"({
    "name": "rolling update at peak",
    "clock": {"end": "20min"},
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"web": {"hosts": 8, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "start": "5min",
      "strategy": {"type": "rolling", "max_surge": )" +
         surge + R"(, "max_unavailable": )" + unavailable + R"(},
      "host_update": {"install": "60s"}},
    "monitoring": {"scrape_interval": "15s",
      "alerts": [{"name": "errors", "metric": "error_rate", "above": 0.01, "for": "30s"}]},
    "load": {"web": {"profile": "constant", "rps": 700}},
    "capacity": {"web": {"rps_per_host": 100, "concurrency": 4, "timeout": "5s"}}
  })";
}

TEST(CapacityInterplay, RollingUpdateAtPeakOverloadsWithMaxUnavailableButNotWithSurgeOnly) {
  const auto unavailable = run_text(peak_rollout("0", "\"25%\""));
  EXPECT_EQ(unavailable.summary.deploy_outcome, "completed");
  ASSERT_TRUE(unavailable.summary.overload_s.has_value());
  EXPECT_GT(*unavailable.summary.overload_s, 60.0);
  EXPECT_GT(*unavailable.summary.peak_utilization, 1.0);  // 700 over 6 pods
  EXPECT_EQ(unavailable.summary.alerts_fired, 1) << "overload errors reach the monitoring";
  EXPECT_GT(unavailable.summary.failed_requests, 1'000.0);

  const auto surge = run_text(peak_rollout("\"25%\"", "0"));
  EXPECT_EQ(surge.summary.deploy_outcome, "completed");
  EXPECT_EQ(*surge.summary.overload_s, 0.0);
  EXPECT_NEAR(*surge.summary.peak_utilization, 0.875, 1e-9);
  EXPECT_EQ(surge.summary.alerts_fired, 0);
  EXPECT_LT(surge.summary.failed_requests, 1.0);
}

TEST(CapacityInterplay, TimeSeriesHasLoadColumnsOnlyWithALoadModel) {
  const auto loaded = run_text(peak_rollout("0", "\"25%\""));
  const auto* replicas = loaded.timeseries.column("replicas");
  ASSERT_NE(replicas, nullptr);
  const auto* p99 = loaded.timeseries.column("latency_p99_ms");
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ(replicas->front(), 8.0);
  EXPECT_EQ(*std::min_element(replicas->begin(), replicas->end()), 6.0);
  // Saturated pods answer at the 5 s timeout, and more than 1% of requests go to them.
  EXPECT_EQ(*std::max_element(p99->begin(), p99->end()), 5'000.0);

  const auto plain = run_text(R"({"name": "no load",
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 2, "service": "web", "version": "v1"}}})");
  EXPECT_EQ(plain.timeseries.column("replicas"), nullptr);
  EXPECT_FALSE(plain.summary.peak_utilization.has_value());
  EXPECT_FALSE(plain.summary.scaling_events.has_value());
}

// Ten pods at 60% of capacity; v2 serves half as much per pod. A basic canary (no traffic
// router) gives its pods their share of traffic by count.
std::string slow_canary(bool autoscaled) {
  std::string text = R"({
    "name": "slow canary",
    "clock": {"end": "40min"},
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"web": {"hosts": 10, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "start": "5min",
      "strategy": {"type": "canary", "traffic_routed": false,
        "steps": [{"set_weight": 20}, {"analysis": "5min"}, {"set_weight": 100}],
        "analysis": {"metric": "error_rate", "max": 0.01, "interval": "1min"}},
      "host_update": {"install": "30s"}},
    "monitoring": {"scrape_interval": "15s"},
    "load": {"web": {"profile": "constant", "rps": 600}},
    "capacity": {"web": {"rps_per_host": 100, "rps_per_host_by_version": {"v2": 50},
                         "concurrency": 4, "timeout": "5s"}})";
  if (autoscaled) {
    text += R"(, "autoscaling": {"web": {"min_replicas": 2, "max_replicas": 40,
                 "target_utilization": 0.5, "provisioning": "20s"}})";
  }
  return text + "}";
}

TEST(CapacityInterplay, AnHpaMasksTheOverloadOfASlowCanary) {
  // Without an autoscaler each canary pod gets 60 requests/s for a capacity of 50: one in six
  // fails, the analysis sees it and Argo aborts.
  const auto fixed = run_text(slow_canary(false));
  EXPECT_EQ(fixed.summary.deploy_outcome, "rolled_back");
  EXPECT_GT(*fixed.summary.overload_s, 0.0);

  // With the HPA the average utilisation rises a little, it adds pods, every pod's share falls
  // under the canary's capacity and the analysis passes: the release that halves capacity is
  // promoted, and only the replica count shows it.
  const auto scaled = run_text(slow_canary(true));
  EXPECT_EQ(scaled.summary.deploy_outcome, "completed");
  ASSERT_TRUE(scaled.summary.scaling_events.has_value());
  EXPECT_GT(*scaled.summary.scaling_events, 1);
  const auto* replicas = scaled.timeseries.column("replicas");
  ASSERT_NE(replicas, nullptr);
  // 600 requests/s at half of 50 per pod needs 24 pods, where v1 needed 12.
  EXPECT_GE(replicas->back(), 24.0);
  EXPECT_EQ(scaled.summary.hosts_on_target_version, scaled.summary.hosts_total);
}

// v2 serves twice as much per pod, so after its rollout the HPA halves the pods. Undoing it
// then brings back v1 pods at the scale the Deployment has now: half the capacity v1 needs.
std::string undo_after_scale_down(const std::string& undo_at) {
  return R"({
    "name": "rollback without warm capacity",
    "clock": {"end": "50min"},
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"web": {"hosts": 10, "service": "web", "version": "v1"}},
    "deployment": {"service": "web", "to": "v2", "start": "2min",
      "strategy": {"type": "rolling", "max_surge": "25%", "max_unavailable": 0},
      "host_update": {"install": "30s"}},
    "monitoring": {"scrape_interval": "15s"},
    "load": {"web": {"profile": "constant", "rps": 600}},
    "capacity": {"web": {"rps_per_host": 100, "rps_per_host_by_version": {"v2": 200},
                         "concurrency": 4, "timeout": "5s"}},
    "autoscaling": {"web": {"min_replicas": 2, "max_replicas": 40, "target_utilization": 0.6,
                            "provisioning": "60s"}},
    "timeline": [{"at": ")" +
         undo_at + R"(", "do": "rollback_code"}]
  })";
}

TEST(CapacityInterplay, ARollbackAfterTheScaleDownLacksWarmCapacity) {
  // Within the 300 s scale-down stabilisation the ten pods are still there: the undo, with
  // maxUnavailable 0, never overloads.
  const auto warm = run_text(undo_after_scale_down("5min"));
  EXPECT_EQ(warm.summary.deploy_outcome, "rolled_back");
  EXPECT_EQ(*warm.summary.overload_s, 0.0);
  // Later the HPA has scaled v2 down to five pods; five v1 pods cannot carry 600 requests/s,
  // and requests fail until the HPA's new pods have started.
  const auto cold = run_text(undo_after_scale_down("30min"));
  EXPECT_EQ(cold.summary.deploy_outcome, "rolled_back");
  EXPECT_GT(*cold.summary.overload_s, 30.0);
  EXPECT_GT(cold.summary.failed_requests, 1'000.0);
  EXPECT_GT(*cold.summary.peak_utilization, 1.0);
  // It recovers: at the end v1 runs with enough pods again.
  EXPECT_LT(cold.timeseries.column("overload_error_rate")->back(), 1e-6);
}

TEST(LoadProfile, ACsvIsReplayedAsStepsRelativeToTheScenarioFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "deploysim-capacity-csv-test";
  fs::create_directories(dir);
  std::ofstream(dir / "load.csv") << "time_s,rps\n0,50\n600,400\n1200,0\n";
  std::ofstream(dir / "scenario.json") << R"({
    "name": "replayed load", "clock": {"end": "30min"},
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"}},
    "load": {"web": {"profile": "csv", "csv": "load.csv"}},
    "capacity": {"web": {"rps_per_host": 100}}
  })";
  const auto scenario = scenario::load_scenario(dir / "scenario.json");
  const auto result = run(scenario, 1);
  fs::remove_all(dir);
  const auto& times = *result.timeseries.column("time_s");
  const auto& load = *result.timeseries.column("load_rps");
  for (std::size_t row = 0; row < times.size(); ++row) {
    const double expected = times[row] < 600.0 ? 50.0 : times[row] < 1'200.0 ? 400.0 : 0.0;
    EXPECT_EQ(load[row], expected) << "at " << times[row] << " s";
  }
  // 400 requests/s on four hosts of 100: saturated for ten minutes.
  EXPECT_NEAR(*result.summary.overload_s, 600.0, 15.0);
}

// --- the bundled load scenarios tell the lessons their descriptions claim ---

Result run_bundled(const std::string& name, const std::vector<std::string>& overrides = {}) {
  const auto scenario = scenario::load_scenario(testing::bundled_scenario(name), overrides);
  return run(scenario, scenario.seed);
}

// The value of `column` at the first row at or after `time_s`.
double at_time(const Result& result, const std::string& column, double time_s) {
  const auto& times = *result.timeseries.column("time_s");
  const auto& values = *result.timeseries.column(column);
  const auto row = std::lower_bound(times.begin(), times.end(), time_s) - times.begin();
  return values[static_cast<std::size_t>(row)];
}

TEST(LoadScenario, TheHerokuAppSleepsWakesOnTheFirstRequestAndSleepsAgain) {
  const auto result = run_bundled("heroku_scale_to_zero.json");
  // Clock from 06:00: asleep at 07:00, serving at noon, asleep again at 21:00.
  EXPECT_EQ(at_time(result, "replicas", 3'600.0), 0.0);
  EXPECT_GE(at_time(result, "replicas", 6 * 3'600.0), 2.0);
  EXPECT_EQ(at_time(result, "replicas", 15 * 3'600.0), 0.0);
  // The first requests of the morning wait for the 10 s boot, and are served.
  EXPECT_GE(at_time(result, "latency_p50_ms", 2 * 3'600.0), 9'000.0);
  EXPECT_EQ(at_time(result, "overload_error_rate", 2 * 3'600.0), 0.0);
  // Only the jump to 12 requests/s at 11:00 overloads the one dyno until two more have booted.
  EXPECT_GT(result.summary.failed_requests, 0.0);
  EXPECT_LE(result.summary.failed_requests, 4.0 * 10.0 + 1e-6);
  // A boot longer than the 30 s router timeout fails those first requests instead.
  const auto slow = run_bundled("heroku_scale_to_zero.json", {"autoscaling.web.provisioning=45s"});
  EXPECT_EQ(at_time(slow, "overload_error_rate", 2 * 3'600.0), 1.0);
}

TEST(LoadScenario, TheHpaHeadroomAbsorbsAPeakRolloutUnlessItRunsHot) {
  const auto result = run_bundled("kubernetes_hpa_diurnal_rolling.json");
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(*result.summary.overload_s, 0.0);
  EXPECT_EQ(result.summary.alerts_fired, 0);
  EXPECT_GT(*result.summary.scaling_events, 10);
  const auto hot = run_bundled("kubernetes_hpa_diurnal_rolling.json",
                               {"autoscaling.web.target_utilization=0.9"});
  EXPECT_GT(*hot.summary.overload_s, 0.0);
  EXPECT_GT(hot.summary.failed_requests, 10 * result.summary.failed_requests + 1.0);
}

TEST(LoadScenario, KnightWithTheMarketOpenAsALoadLosesWhatTheReplayLoses) {
  const auto replay = run_bundled("knight_capital_2012.json");
  const auto loaded = run_bundled("knight_capital_2012_market_open_load.json");
  EXPECT_NEAR(loaded.summary.loss_usd, replay.summary.loss_usd, 1e-9 * replay.summary.loss_usd);
  EXPECT_LT(*loaded.summary.peak_utilization, 0.01);
  // Halted at the end, SMARS rejects every order that arrives.
  EXPECT_EQ(loaded.timeseries.column("overload_error_rate")->back(), 1.0);
  EXPECT_FALSE(replay.summary.peak_utilization.has_value());
}

}  // namespace
}  // namespace deploysim::simulation
