// Every bundled scenario runs in the test suite: it loads, runs deterministically, matches its
// golden story (tests/data/golden/, line by line), and tells the lesson its description claims.
//
// After an intended change of behaviour, regenerate the golden stories with
//   DEPLOYSIM_UPDATE_GOLDEN=1 build/release/tests/simulation_tests
//   --gtest_filter='BundledScenario*'
// and review the diff like any other change.

#include "scenarios.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "files.hpp"
#include "scenario/load.hpp"
#include "simulation/narrative.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {
namespace {

namespace fs = std::filesystem;
using testing::bundled_scenario;

std::string story_text(const spec::Scenario& scenario, const Result& result) {
  std::ostringstream out;
  for (const auto& record : result.story) {
    out << clock_text(scenario, record.time, true) << "  " << describe(record) << '\n';
  }
  out << "summary " << result.summary.to_json().dump() << '\n';
  return out.str();
}

TEST(BundledScenario, EachRunsDeterministicallyAndMatchesItsGoldenStory) {
  const auto files = testing::bundled_scenario_files();
  ASSERT_GE(files.size(), 10u);
  const bool update = std::getenv("DEPLOYSIM_UPDATE_GOLDEN") != nullptr;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const auto scenario = scenario::load_scenario(file);
    const auto first = run(scenario, scenario.seed);
    const auto second = run(scenario, scenario.seed);
    const std::string story = story_text(scenario, first);
    EXPECT_EQ(story, story_text(scenario, second));
    EXPECT_GT(first.summary.events_processed, 0u);

    const auto golden =
        fs::path(DEPLOYSIM_TEST_DATA) / "golden" / (file.stem().string() + ".story.txt");
    if (update) {
      fs::create_directories(golden.parent_path());
      std::ofstream(golden) << story;
      continue;
    }
    std::ifstream in(golden);
    ASSERT_TRUE(in.good()) << "no golden story " << golden << "; see the top of this file";
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(story, expected.str()) << "the story of " << file.filename() << " changed";
  }
}

Result run_file(const std::string& name, std::uint64_t seed,
                const std::vector<std::string>& overrides = {}) {
  return run(scenario::load_scenario(bundled_scenario(name), overrides), seed);
}

TEST(LectureScenario, SmallBatchesLimitTheBlastRadiusToOneBatch) {
  const auto small = run_file("instagram_small_batches.json", 1).summary;
  EXPECT_EQ(small.deploy_outcome, "rolled_back");
  EXPECT_LE(small.max_hosts_misbehaving, 10);
  const auto big =
      run_file("instagram_small_batches.json", 1, {"deployment.strategy.batch_size=200"}).summary;
  EXPECT_EQ(big.max_hosts_misbehaving, 200);
  EXPECT_GT(big.failed_requests, 10 * small.failed_requests);
}

TEST(LectureScenario, AutomationNeverSkipsOrMisconfiguresWhereHandsSometimesDo) {
  int manual_problems = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto manual = run_file("nodejs_haproxy_manual.json", seed).summary;
    const auto automated = run_file("nodejs_haproxy_automated.json", seed).summary;
    EXPECT_EQ(automated.deploy_outcome, "completed");
    EXPECT_EQ(automated.hosts_on_target_version, 4);
    if (manual.deploy_outcome != "completed" || manual.hosts_on_target_version != 4) {
      ++manual_problems;
    }
  }
  // 10% skip and 15% misconfiguration per host: most of 20 four-host deploys go wrong somewhere.
  EXPECT_GE(manual_problems, 5);
}

TEST(LectureScenario, TheEmployeesRingCatchesTheBugBeforeProduction) {
  const auto result = run_file("facebook_rapid_release.json", 1);
  EXPECT_EQ(result.summary.deploy_outcome, "rolled_back");
  EXPECT_LE(result.summary.max_hosts_misbehaving, 50) << "only employees' servers ran it";
  const auto straight =
      run_file("facebook_rapid_release.json", 1,
               {R"(deployment.strategy.rings=[{"name": "everyone", "percent": 100}])"});
  EXPECT_GT(straight.summary.max_hosts_misbehaving, 50) << "production servers ran it too";
}

TEST(LectureScenario, CanaryAnalysisOnTheKpiAbortsBeforeMostUsersSeeTheBug) {
  const auto s = run_file("netflix_canary_sps.json", 1).summary;
  EXPECT_EQ(s.deploy_outcome, "rolled_back");
  EXPECT_LE(s.max_hosts_misbehaving, 3) << "only the 5% canary ran the bad version";
  EXPECT_EQ(s.hosts_on_target_version, 0);
  ASSERT_TRUE(s.time_to_detect_s.has_value());
  EXPECT_LT(*s.time_to_detect_s, 600.0);
}

TEST(LectureScenario, ReadinessProbesStopACrashingRolloutWithinTheUnavailableBudget) {
  const auto s = run_file("kubernetes_rolling_bad_version.json", 1).summary;
  // Surge 3 and unavailable 2: at most 5 new pods are ever started, all of which crash.
  EXPECT_EQ(s.max_hosts_misbehaving, 5);
  EXPECT_EQ(s.deploy_outcome, "rolled_back") << "the SRE ran rollout undo";
  const auto no_unavailable =
      run_file("kubernetes_rolling_bad_version.json", 1, {"deployment.strategy.max_unavailable=0"});
  const auto& serving = *no_unavailable.timeseries.column("serving_hosts");
  EXPECT_EQ(*std::min_element(serving.begin(), serving.end()), 10);
}

// The replays of configuration pushes against their published timelines (the figures and their
// sources are in the scenario files).
const IncidentSummary& service_of(const simulation::Summary& summary, const std::string& name) {
  for (const auto& [service, incident] : summary.services) {
    if (service == name) return incident;
  }
  throw std::runtime_error("no service " + name);
}

TEST(Replay, FastlyDetectsInAMinuteAndRecoversIn49Minutes) {
  const auto s = run_file("fastly_2021_config_push.json", 1).summary;
  EXPECT_EQ(s.max_hosts_misbehaving, 85);  // 85% of the network returned errors
  ASSERT_TRUE(s.time_to_detect_s.has_value());
  EXPECT_LE(*s.time_to_detect_s, 60.0);
  ASSERT_TRUE(s.time_to_recover_s.has_value());
  EXPECT_NEAR(*s.time_to_recover_s, 49 * 60.0, 3 * 60.0);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].outcome, strategy::ChangeOutcome::completed);
}

TEST(Replay, FastlyStagedPushStopsAtItsCanaryRing) {
  const auto s = run_file("fastly_2021_staged_config_push.json", 1).summary;
  EXPECT_EQ(s.max_hosts_misbehaving, 2);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].outcome, strategy::ChangeOutcome::rolled_back);
  EXPECT_EQ(s.changes[0].stages_done, 1u);
  ASSERT_TRUE(s.incident_duration_s.has_value());
  EXPECT_LE(*s.incident_duration_s, 5 * 60.0);
}

TEST(Replay, AzureStorageVmsNeedHandsUntilLateMorning) {
  const auto s = run_file("azure_storage_2014_config_push.json", 1).summary;
  // The VMs fail through their dependency on Blob storage while the front-ends loop.
  EXPECT_GT(service_of(s, "vm").failed_requests, 0.0);
  ASSERT_EQ(s.remediation.size(), 1u);
  EXPECT_EQ(s.remediation[0].hosts_repaired, 30);
  // From 00:51 to about 11:45 UTC (the clock starts at 00:30).
  ASSERT_TRUE(s.incident_duration_s.has_value());
  EXPECT_NEAR(*s.incident_duration_s, (10 * 60 + 54) * 60.0, 30 * 60.0);
}

TEST(Replay, AzureStorageFlightedRegionByRegionKeepsBlobStorageUp) {
  const auto replay = run_file("azure_storage_2014_config_push.json", 1).summary;
  const auto flighted = run_file("azure_storage_2014_incremental_flighting.json", 1).summary;
  ASSERT_EQ(flighted.changes.size(), 1u);
  EXPECT_EQ(flighted.changes[0].outcome, strategy::ChangeOutcome::rolled_back);
  ASSERT_EQ(flighted.remediation.size(), 1u);
  EXPECT_EQ(flighted.remediation[0].hosts_repaired, 10);
  // Blob storage never has no serving host, so the VMs' requests do not fail through it.
  EXPECT_EQ(service_of(flighted, "vm").failed_requests, 0.0);
  EXPECT_LT(flighted.failed_requests, replay.failed_requests / 10.0);
}

TEST(LectureScenario, APaymentsReleaseFailsItsCallersInProportion) {
  const auto s = run_file("checkout_dependency_cascade.json", 1).summary;
  // Storefront: 30% of its requests call checkout, which fails the 80% that call payments.
  const auto& storefront = service_of(s, "storefront");
  const auto& checkout = service_of(s, "checkout");
  ASSERT_TRUE(storefront.incident_start_s.has_value());
  EXPECT_GT(storefront.failed_requests, 0.0);
  EXPECT_NEAR(storefront.failed_requests / checkout.failed_requests, (12 * 0.3 * 0.8) / (6 * 0.8),
              0.02);
}

}  // namespace
}  // namespace deploysim::simulation
