#include "scenario/load_capacity.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "scenarios.hpp"

namespace deploysim::scenario {
namespace {

using engine::Duration;
using engine::Time;
using spec::LoadProfile;
using spec::ScalingPolicy;
using spec::ScalingRules;

// Services web (v1, v2) and db; groups web (4 hosts) and db (2). `sections` and `clock` are
// spliced in at the top level.
spec::Scenario with_sections(const std::string& sections,
                             const std::string& clock = R"({"end": "2h"})") {
  return testing::scenario_from_json(R"({
    "name": "capacity", "clock": )" + clock +
                                     R"(,
    "services": {"web": {"versions": {"v1": {}, "v2": {}}}, "db": {"versions": {"d1": {}}}},
    "fleet": {"web": {"hosts": 4, "service": "web", "version": "v1"},
              "db": {"hosts": 2, "service": "db", "version": "d1"}},)" +
                                     sections + "}");
}

TEST(LoadCapacity, WithoutTheSectionsThereIsNoLoadModel) {
  const auto s = with_sections(R"("flags": {})");
  EXPECT_FALSE(s.has_load_model());
  EXPECT_TRUE(s.capacities.empty());
  EXPECT_TRUE(s.autoscalers.empty());
}

TEST(LoadCapacity, CapacityKeysAndDefaults) {
  const auto s = with_sections(R"(
    "load": {"web": {"profile": "constant", "rps": 250}},
    "capacity": {"web": {"rps_per_host": 100, "rps_per_host_by_version": {"v2": 80},
                         "concurrency": 8, "timeout": "10s", "note": "measured"},
                 "db": {"rps_per_host": 40}})");
  ASSERT_EQ(s.capacities.size(), 2u);
  const auto& db = s.capacities[0];  // in the order of the names
  const auto& web = s.capacities[1];
  EXPECT_EQ(db.service, "db");
  EXPECT_EQ(web.service, "web");
  EXPECT_EQ(web.rps_per_host, 100.0);
  EXPECT_EQ(web.rps_per_host_by_version, (std::map<std::string, double>{{"v2", 80.0}}));
  EXPECT_EQ(web.concurrency, 8);
  EXPECT_EQ(web.timeout, Duration::seconds(10));
  EXPECT_EQ(db.concurrency, 1);
  EXPECT_EQ(db.timeout, Duration::seconds(30));
  ASSERT_EQ(s.loads.size(), 1u);
  EXPECT_EQ(s.loads[0].kind, LoadProfile::Kind::constant);
  EXPECT_EQ(s.loads[0].rps, 250.0);
  EXPECT_TRUE(s.has_load_model());
}

TEST(LoadCapacity, DiurnalPeakAndTheWallClocksTimeOfDay) {
  const auto s = with_sections(R"(
    "load": {"web": {"profile": "diurnal", "mean_rps": 1200, "amplitude": 0.6, "peak": "14:00",
                     "spikes": [{"at": "2024-03-01T12:30:00", "for": "10min", "extra_rps": 500}]}},
    "capacity": {"web": {"rps_per_host": 100}})",
                               R"({"start": "2024-03-01T09:30:00", "end": "2024-03-01T18:00:00"})");
  ASSERT_EQ(s.loads.size(), 1u);
  const auto& load = s.loads[0];
  EXPECT_EQ(load.kind, LoadProfile::Kind::diurnal);
  EXPECT_EQ(load.mean_rps, 1200.0);
  EXPECT_EQ(load.amplitude, 0.6);
  EXPECT_EQ(load.peak, Duration::minutes(14 * 60));
  // Simulated time 0 is 09:30 on the clock.
  EXPECT_EQ(load.day_offset, Duration::minutes(9 * 60 + 30));
  ASSERT_EQ(load.spikes.size(), 1u);
  EXPECT_EQ(load.spikes[0].at, Time::zero() + Duration::minutes(3 * 60));  // 12:30 - 09:30
  EXPECT_EQ(load.spikes[0].duration, Duration::minutes(10));
  EXPECT_EQ(load.spikes[0].extra_rps, 500.0);
}

TEST(LoadCapacity, WithoutAWallClockTheDayStartsAtMidnight) {
  const auto s = with_sections(R"(
    "load": {"web": {"profile": "diurnal", "mean_rps": 10, "amplitude": 0, "peak": "09:30:15"}},
    "capacity": {"web": {"rps_per_host": 100}})");
  EXPECT_EQ(s.loads[0].day_offset, Duration{});
  EXPECT_EQ(s.loads[0].peak, Duration::seconds(9 * 3600 + 30 * 60 + 15));
}

TEST(LoadCapacity, StepsHoldEachRateUntilTheNext) {
  const auto s = with_sections(R"(
    "load": {"web": {"profile": "step", "rps": 50,
                     "steps": [{"at": "+10min", "rps": 200}, {"at": "+1h", "rps": 0}]}},
    "capacity": {"web": {"rps_per_host": 100}})");
  const auto& load = s.loads[0];
  EXPECT_EQ(load.kind, LoadProfile::Kind::step);
  EXPECT_EQ(load.rps, 50.0);
  EXPECT_EQ(load.points,
            (std::vector<std::pair<Time, double>>{{Time::zero() + Duration::minutes(10), 200.0},
                                                  {Time::zero() + Duration::minutes(60), 0.0}}));
}

TEST(LoadCapacity, CsvRowsAreReadAsStepsSkippingTheHeaderAndBlankLines) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("deploysim-load-" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "time_s,rps\r\n0,100\r\n\r\n90.5,250\n600,0\n";
    ASSERT_TRUE(out);
  }
  const auto s = with_sections(R"("load": {"web": {"profile": "csv", "csv": ")" + path.string() +
                               R"("}}, "capacity": {"web": {"rps_per_host": 100}})");
  std::filesystem::remove(path);
  const auto& load = s.loads[0];
  EXPECT_EQ(load.kind, LoadProfile::Kind::csv);
  EXPECT_EQ(load.csv_file, path.string());
  EXPECT_EQ(load.rps, 0.0);
  EXPECT_EQ(load.points, (std::vector<std::pair<Time, double>>{
                             {Time::zero(), 100.0},
                             {Time::zero() + Duration::milliseconds(90'500), 250.0},
                             {Time::zero() + Duration::minutes(10), 0.0}}));
}

TEST(LoadCapacity, AutoscalerDefaultsAreKubernetes) {
  const auto s = with_sections(R"(
    "load": {"web": {"profile": "constant", "rps": 100}},
    "capacity": {"web": {"rps_per_host": 100}},
    "autoscaling": {"web": {"max_replicas": 20, "target_utilization": 0.6}})");
  ASSERT_EQ(s.autoscalers.size(), 1u);
  const auto& a = s.autoscalers[0];
  EXPECT_EQ(a.group, "web");
  EXPECT_EQ(a.mode, spec::Autoscaler::Mode::hpa);
  EXPECT_EQ(a.min_replicas, 1);
  EXPECT_EQ(a.max_replicas, 20);
  EXPECT_EQ(a.target_utilization, 0.6);
  EXPECT_EQ(a.tolerance, 0.1);
  EXPECT_EQ(a.sync_period, Duration::seconds(15));
  EXPECT_EQ(a.metric_lag, Duration{});
  EXPECT_EQ(a.provisioning, Duration::seconds(30));
  EXPECT_EQ(a.idle_timeout, Duration::minutes(30));
  // Up: the larger of 100% or 4 pods per 15 s, no window; down: 100% per 15 s after 300 s.
  EXPECT_EQ(a.scale_up.stabilization_window, Duration{});
  EXPECT_EQ(a.scale_up.select, ScalingRules::Select::max);
  ASSERT_EQ(a.scale_up.policies.size(), 2u);
  EXPECT_EQ(a.scale_up.policies[0].kind, ScalingPolicy::Kind::percent);
  EXPECT_EQ(a.scale_up.policies[0].value, 100.0);
  EXPECT_EQ(a.scale_up.policies[1].kind, ScalingPolicy::Kind::pods);
  EXPECT_EQ(a.scale_up.policies[1].value, 4.0);
  EXPECT_EQ(a.scale_up.policies[1].period, Duration::seconds(15));
  EXPECT_EQ(a.scale_down.stabilization_window, Duration::seconds(300));
  ASSERT_EQ(a.scale_down.policies.size(), 1u);
  EXPECT_EQ(a.scale_down.policies[0].kind, ScalingPolicy::Kind::percent);
}

TEST(LoadCapacity, BehaviorReplacesOnlyWhatItNames) {
  const auto s = with_sections(R"(
    "load": {"web": {"profile": "constant", "rps": 100}},
    "capacity": {"web": {"rps_per_host": 100}},
    "autoscaling": {"web": {"mode": "scale_to_zero", "max_replicas": 5, "target_utilization": 0.5,
                            "idle_timeout": "5min", "metric_lag": "30s",
                            "behavior": {"scale_down": {"stabilization_window": "60s",
                                                        "select_policy": "min",
                                                        "policies": [{"type": "pods", "value": 1,
                                                                      "period": "1min"}]}}}})");
  const auto& a = s.autoscalers[0];
  EXPECT_EQ(a.mode, spec::Autoscaler::Mode::scale_to_zero);
  EXPECT_EQ(a.min_replicas, 0) << "scale to zero defaults to a minimum of 0";
  EXPECT_EQ(a.idle_timeout, Duration::minutes(5));
  EXPECT_EQ(a.metric_lag, Duration::seconds(30));
  EXPECT_EQ(a.scale_up.policies.size(), 2u) << "scale_up keeps Kubernetes' defaults";
  EXPECT_EQ(a.scale_down.stabilization_window, Duration::seconds(60));
  EXPECT_EQ(a.scale_down.select, ScalingRules::Select::min);
  ASSERT_EQ(a.scale_down.policies.size(), 1u);
  EXPECT_EQ(a.scale_down.policies[0].kind, ScalingPolicy::Kind::pods);
  EXPECT_EQ(a.scale_down.policies[0].value, 1.0);
  EXPECT_EQ(a.scale_down.policies[0].period, Duration::minutes(1));
}

}  // namespace
}  // namespace deploysim::scenario
