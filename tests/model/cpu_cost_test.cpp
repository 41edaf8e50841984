// CPU cost per request per version, behaviour and flag (docs/capacity.md, "CPU cost"): a rule
// that exhausts CPU as a mechanism, against the hand-computed overload.

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::model {
namespace {

// Ten hosts of 100 requests/s take 600: 60% busy. The flag "rule" doubles the CPU a request
// costs; the flag "regex" turns on a behaviour that triples it.
const char* kCpu = R"({
  "name": "cpu cost",
  "clock": {"end": "40min"},
  "behaviours": {"backtracking": {"kind": "latency_increase", "added_latency_ms": 1}},
  "services": {"web": {"versions": {"v1": {"flags": {"regex": "backtracking"}}}}},
  "fleet": {"web": {"hosts": 10, "service": "web", "version": "v1"}},
  "flags": {"rule": {}, "regex": {}},
  "load": {"web": {"profile": "constant", "rps": 600}},
  "capacity": {"web": {"rps_per_host": 100, "concurrency": 4, "timeout": "5s",
                       "cpu_cost": {"flags": {"rule": 2}, "behaviours": {"backtracking": 3}}}},
  "timeline": [{"at": "+10min", "do": "set_flag", "flag": "rule", "value": true},
               {"at": "+20min", "do": "set_flag", "flag": "rule", "value": false},
               {"at": "+30min", "do": "set_flag", "flag": "regex", "value": true}]
})";

void each_row_between(const simulation::Result& result, double from_s, double to_s,
                      const std::function<void(std::size_t)>& check) {
  const auto& time = *result.timeseries.column("time_s");
  int rows = 0;
  for (std::size_t row = 0; row < time.size(); ++row) {
    if (time[row] > from_s && time[row] < to_s) {
      check(row);
      ++rows;
    }
  }
  EXPECT_GT(rows, 10);
}

TEST(CpuCost, AFlagThatDoublesTheCostPushesUtilisationOverOneAndFailsTheExcess) {
  const auto result = simulation::run(testing::scenario_from_json(kCpu), 1);
  const auto& utilization = *result.timeseries.column("utilization");
  const auto& errors = *result.timeseries.column("error_rate");
  each_row_between(result, 0.0, 600.0, [&](std::size_t row) {
    EXPECT_DOUBLE_EQ(utilization[row], 0.6);
    EXPECT_LT(errors[row], 1e-9);
  });
  // 60 requests/s per host against 50 it can serve: a sixth of them fail.
  each_row_between(result, 600.0, 1200.0, [&](std::size_t row) {
    EXPECT_DOUBLE_EQ(utilization[row], 1.2);
    EXPECT_NEAR(errors[row], 1.0 / 6.0, 1e-12);
  });
  each_row_between(result, 1200.0, 1800.0,
                   [&](std::size_t row) { EXPECT_DOUBLE_EQ(utilization[row], 0.6); });
  // A behaviour at three times the cost: 100/3 requests/s per host, 4/9 of 60 fail.
  each_row_between(result, 1800.0, 2400.0, [&](std::size_t row) {
    EXPECT_NEAR(utilization[row], 1.8, 1e-12);
    EXPECT_NEAR(errors[row], 1.0 - (100.0 / 3.0) / 60.0, 1e-12);
  });
  EXPECT_NEAR(*result.summary.peak_utilization, 1.8, 1e-12);
}

TEST(CpuCost, AVersionThatCostsMoreServesLessPerHost) {
  // A release at 1.5 times the cost: 100/1.5 per host, so ten hosts take 600 at 90%.
  const auto result = simulation::run(testing::scenario_from_json(R"({
    "name": "a costlier release",
    "clock": {"end": "10min"},
    "services": {"web": {"versions": {"v1": {}}}},
    "fleet": {"web": {"hosts": 10, "service": "web", "version": "v1"}},
    "load": {"web": {"profile": "constant", "rps": 600}},
    "capacity": {"web": {"rps_per_host": 100, "cpu_cost": {"versions": {"v1": 1.5}}}}
  })"),
                                      1);
  EXPECT_NEAR(*result.summary.peak_utilization, 0.9, 1e-12);
}

}  // namespace
}  // namespace deploysim::model
