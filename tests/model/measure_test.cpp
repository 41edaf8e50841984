// One measurement: the whole fleet added up from its running totals (Fleet::sums) and the same
// hosts added up one by one (Fleet::sums_of, what canary analysis reads) give the same metrics,
// with and without a load model, at every stage of every bundled scenario.

#include "model/measure.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "scenario/load.hpp"
#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::model {
namespace {

namespace fs = std::filesystem;

constexpr spec::Metric kMetrics[] = {spec::Metric::error_rate,
                                     spec::Metric::latency_ms,
                                     spec::Metric::loss_rate_usd_per_min,
                                     spec::Metric::misbehaving_hosts,
                                     spec::Metric::hosts_on_target,
                                     spec::Metric::kpi};

void expect_same_metrics(const World& world, const std::string& what) {
  const Fleet& fleet = world.fleet();
  std::vector<HostIndex> every_host(fleet.size());
  std::iota(every_host.begin(), every_host.end(), HostIndex{0});
  const HostSums whole = fleet.sums(world.target_version());
  const HostSums listed = fleet.sums_of(every_host, world.target_version());
  const double base = world.scenario().business.base_latency_ms;
  EXPECT_EQ(whole.live, listed.live) << what;
  EXPECT_EQ(whole.serving, listed.serving) << what;
  // Requests of a service none of whose hosts serves reach no host: the whole fleet counts them
  // as refused (docs/scenario-format.md, "Metrics"), a list of hosts cannot see them.
  const bool requests_without_a_host =
      whole.has_load && listed.requests_per_s < whole.requests_per_s * (1.0 - 1e-12);
  if (requests_without_a_host) {
    EXPECT_GE(error_rate_of(whole), error_rate_of(listed)) << what;
  }
  for (const auto metric : kMetrics) {
    const bool request_metric = metric == spec::Metric::error_rate ||
                                metric == spec::Metric::latency_ms || metric == spec::Metric::kpi;
    if (requests_without_a_host && request_metric) continue;
    const double a = metric_of(whole, metric, base);
    const double b = metric_of(listed, metric, base);
    EXPECT_NEAR(a, b, 1e-9 * std::max(1.0, std::abs(a)))
        << what << ", " << spec::metric_name(metric);
  }
}

TEST(Measure, WholeFleetAndHostByHostAgreeThroughEveryBundledScenario) {
  int with_load = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(DEPLOYSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
    const spec::Scenario scenario = scenario::load_scenario(entry.path());
    simulation::Simulation run(scenario, 1);
    const auto end = scenario.clock.end.ms();
    for (int tenth = 1; tenth <= 10; ++tenth) {
      run.run_until(engine::Time::from_ms(end * tenth / 10));
      expect_same_metrics(
          run.world(), entry.path().filename().string() + " at " + std::to_string(tenth) + "/10");
    }
    with_load += run.world().fleet().has_load() ? 1 : 0;
  }
  EXPECT_GE(with_load, 2) << "the bundled scenarios with a load model are part of the check";
}

HostSums sums(double serving_weight, double failing_weight, std::int64_t serving,
              std::int64_t live) {
  HostSums s;
  s.serving_weight = serving_weight;
  s.live_weight = static_cast<double>(live);
  s.failing_weight = failing_weight;
  s.serving = serving;
  s.live = live;
  return s;
}

TEST(Measure, ErrorRateIsTrafficWeightedThenOverloadFirst) {
  // Two hosts of weight 1 and 3, failing 10% and 50%: (0.1 + 1.5) / 4.
  HostSums s = sums(4.0, 0.1 + 3 * 0.5, 2, 2);
  EXPECT_DOUBLE_EQ(error_rate_of(s), 0.4);
  // With a load model refusing a quarter of the requests: 0.25 + 0.75 x 0.4.
  s.has_load = true;
  s.requests_per_s = 100.0;
  s.overload_failed_per_s = 25.0;
  EXPECT_DOUBLE_EQ(error_rate_of(s), 0.25 + 0.75 * 0.4);
}

TEST(Measure, HostsWithoutTrafficAreReadPerHostAsAProbeWould) {
  HostSums s = sums(0.0, 0.0, 2, 2);
  s.failing_plain = 0.2 + 0.4;
  s.latency_plain = 10.0 + 30.0;
  EXPECT_DOUBLE_EQ(error_rate_of(s), 0.3);
  EXPECT_DOUBLE_EQ(metric_of(s, spec::Metric::latency_ms, 50.0), 50.0 + 20.0);
  EXPECT_DOUBLE_EQ(metric_of(s, spec::Metric::kpi, 50.0), 2.0 * 0.7 / 2.0);
}

TEST(Measure, KpiIsTheShareOfIntendedTrafficServedSuccessfully) {
  // Four live hosts of weight 1, three serving, 10% failing: 3 x 0.9 / 4.
  const HostSums s = sums(3.0, 0.3, 3, 4);
  EXPECT_DOUBLE_EQ(metric_of(s, spec::Metric::kpi, 0.0), 3.0 * 0.9 / 4.0);
  // Nothing serves: no latency to report, no success.
  const HostSums none = sums(0.0, 0.0, 0, 4);
  EXPECT_EQ(metric_of(none, spec::Metric::latency_ms, 50.0), 0.0);
  EXPECT_EQ(metric_of(none, spec::Metric::kpi, 50.0), 0.0);
  EXPECT_EQ(metric_of(none, spec::Metric::error_rate, 50.0), 0.0);
}

}  // namespace
}  // namespace deploysim::model
