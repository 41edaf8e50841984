// Looking at a run never changes it: every bundled scenario, stepped event by event with a snapshot
// after each, for seeds 1-5, ends with the same result as a run nobody looked at.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "files.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

namespace deploysim::simulation {
namespace {

namespace fs = std::filesystem;

void expect_same_result(const Result& unobserved, const Result& observed, const std::string& what) {
  EXPECT_EQ(unobserved.summary.to_json().dump(), observed.summary.to_json().dump()) << what;
  EXPECT_EQ(unobserved.timeseries.columns, observed.timeseries.columns) << what;
  EXPECT_EQ(unobserved.timeseries.values, observed.timeseries.values) << what;
  ASSERT_EQ(unobserved.story.size(), observed.story.size()) << what;
  for (std::size_t i = 0; i < unobserved.story.size(); ++i) {
    EXPECT_EQ(unobserved.story[i].time, observed.story[i].time) << what << ", story " << i;
    EXPECT_EQ(unobserved.story[i].event, observed.story[i].event) << what << ", story " << i;
    EXPECT_EQ(unobserved.story[i].subject, observed.story[i].subject) << what << ", story " << i;
  }
}

TEST(Snapshot, PeekingAfterEveryEventChangesNothing) {
  const auto files = testing::bundled_scenario_files();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    const spec::Scenario scenario = scenario::load_scenario(file);
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      const std::string what = file.filename().string() + " seed " + std::to_string(seed);
      Simulation unobserved(scenario, seed);
      unobserved.run();

      Simulation observed(scenario, seed);
      double last_loss = 0.0;
      std::uint64_t peeks = 0;
      while (observed.step()) {
        const Summary peek = observed.snapshot();
        ++peeks;
        // A snapshot is the run as of now: loss never goes back, and time is the simulation's.
        ASSERT_GE(peek.loss_usd, last_loss) << what;
        ASSERT_EQ(peek.end_s, observed.now().to_seconds()) << what;
        last_loss = peek.loss_usd;
      }
      EXPECT_GT(peeks, 0u) << what;
      expect_same_result(unobserved.result(), observed.result(), what);
    }
  }
}

TEST(Snapshot, ResultBeforeTheEndIsTheSnapshotAndDoesNotSample) {
  const spec::Scenario scenario = scenario::load_scenario(fs::path(DEPLOYSIM_SOURCE_DIR) /
                                                          "scenarios/knight_capital_2012.json");
  Simulation simulation(scenario, 1);
  simulation.run_until(engine::Time::from_ms(3 * 24 * 3'600'000LL));
  const std::size_t rows = simulation.timeseries().rows();
  const Result early = simulation.result();
  EXPECT_EQ(simulation.timeseries().rows(), rows) << "result() before the end samples nothing";
  EXPECT_EQ(early.summary.to_json().dump(), simulation.snapshot().to_json().dump());
  EXPECT_EQ(early.summary.loss_usd, 0.0) << "27 July to 30 July: nothing has gone wrong yet";
  simulation.run();
  const Result final_result = simulation.result();
  EXPECT_GT(final_result.summary.loss_usd, 4.0e8) << "the Knight replay's loss";
  EXPECT_EQ(final_result.summary.to_json().dump(), run(scenario, 1).summary.to_json().dump());
}

}  // namespace
}  // namespace deploysim::simulation
