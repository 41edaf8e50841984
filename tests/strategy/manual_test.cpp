#include <gtest/gtest.h>

#include "scenarios.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::strategy {
namespace {

using simulation::run;
using testing::scenario_from_json;

std::string manual_scenario(const std::string& strategy_extra, int hosts = 6) {
  return R"({
    "name": "manual",
    "clock": {"end": "5d"},
    "behaviours": {"broken": {"kind": "crash_on_start"}},
    "services": {"app": {"versions": {"v1": {}, "v2": {}}}},
    "fleet": {"app": {"hosts": )" +
         std::to_string(hosts) + R"(, "service": "app", "version": "v1"}},
    "deployment": {"service": "app", "to": "v2", "start": "1h",
                   "strategy": {"type": "manual", "per_host": "20min")" +
         strategy_extra + R"(}}
  })";
}

std::vector<const engine::TraceRecord*> events(const simulation::Result& result,
                                               std::string_view name) {
  std::vector<const engine::TraceRecord*> found;
  for (const auto& r : result.story) {
    if (r.event == name) found.push_back(&r);
  }
  return found;
}

TEST(ManualStrategy, OperatorWorksHostAfterHost) {
  const auto result = run(scenario_from_json(manual_scenario("")), 1);
  const auto updated = events(result, "host_updated");
  ASSERT_EQ(updated.size(), 6u);
  for (std::size_t i = 0; i < updated.size(); ++i) {
    EXPECT_EQ(updated[i]->subject, "app-" + std::to_string(i + 1));
    EXPECT_EQ(updated[i]->time.ms(), (60 + 20 * static_cast<std::int64_t>(i + 1)) * 60'000);
  }
  EXPECT_EQ(result.summary.deploy_outcome, "completed");
  EXPECT_EQ(result.summary.hosts_on_target_version, 6);
}

TEST(ManualStrategy, ScriptedSkipLeavesTheHostOnTheOldVersionUnnoticed) {
  const auto result =
      run(scenario_from_json(manual_scenario(R"(, "faults": [{"skip": "app-4"}])")), 1);
  EXPECT_EQ(result.summary.deploy_outcome, "completed") << "the operator believes it done";
  EXPECT_EQ(result.summary.hosts_on_target_version, 5);
  const auto skipped = events(result, "host_skipped");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0]->subject, "app-4");
}

TEST(ManualStrategy, ScriptedMisconfigurationCrashesTheHostAndFailsTheDeploy) {
  const auto result =
      run(scenario_from_json(manual_scenario(R"(, "faults": [{"misconfigure": "app-2"}])")), 1);
  EXPECT_EQ(result.summary.deploy_outcome, "failed");
  EXPECT_EQ(result.summary.max_hosts_misbehaving, 1);
  EXPECT_EQ(events(result, "host_misconfigured").size(), 1u);
}

TEST(ManualStrategy, HostsPerDayResumesAtTheSameHourNextDay) {
  const auto result = run(scenario_from_json(manual_scenario(R"(, "hosts_per_day": 2)")), 1);
  const auto updated = events(result, "host_updated");
  ASSERT_EQ(updated.size(), 6u);
  const std::int64_t day = 86'400'000;
  EXPECT_EQ(updated[1]->time.ms(), 100 * 60'000);
  EXPECT_EQ(updated[2]->time.ms(), day + 80 * 60'000);
  EXPECT_EQ(updated[5]->time.ms(), 2 * day + 100 * 60'000);
}

TEST(ManualStrategy, SkipProbabilityMissesAboutThatShareOfHosts) {
  // 200 hosts at 10% skip chance: the count of skipped hosts is binomial(200, 0.1).
  const auto text = manual_scenario(R"(, "skip_probability": 0.1)", 200);
  int total = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto s = run(scenario_from_json(text), seed).summary;
    total += static_cast<int>(200 - s.hosts_on_target_version);
  }
  // Mean 20 per run; over 20 runs 400 with standard deviation about 19.
  EXPECT_GT(total, 320);
  EXPECT_LT(total, 480);
}

}  // namespace
}  // namespace deploysim::strategy
