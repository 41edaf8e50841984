#include <gtest/gtest.h>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy {
namespace {

std::string all_at_once_scenario(const std::string& v2) {
  return R"({
    "name": "all at once",
    "clock": {"end": "3h"},
    "behaviours": {"broken": {"kind": "crash_on_start"}},
    "services": {"app": {"versions": {"v1": {}, "v2": )" +
         v2 + R"(}}},
    "fleet": {"app": {"hosts": 6, "service": "app", "version": "v1"}},
    "deployment": {"service": "app", "to": "v2", "start": "1h", "strategy": {"type": "all_at_once"}}
  })";
}

TEST(AllAtOnceStrategy, UpdatesEveryHostAtTheSameTime) {
  const auto scenario = testing::scenario_from_json(all_at_once_scenario("{}"));
  simulation::Simulation simulation(scenario, 1);
  // The default install takes 30 s: just before it ends no host serves; after it, all do on v2.
  simulation.run_until(engine::Time::zero() + engine::Duration::minutes(60) +
                       engine::Duration::seconds(29));
  EXPECT_EQ(simulation.world().fleet().totals().serving_hosts, 0);
  simulation.run();
  const auto result = simulation.result();
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 6);
}

TEST(AllAtOnceStrategy, CrashingVersionTakesDownTheWholeFleet) {
  const auto scenario =
      testing::scenario_from_json(all_at_once_scenario(R"({"behaviour": "broken"})"));
  const auto result = simulation::run(scenario, 1);
  EXPECT_EQ(result.summary.deploy_outcome, "failed");
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 6);
}

}  // namespace
}  // namespace deploysim::strategy
