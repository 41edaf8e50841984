#include "delivery/cancel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "delivery/drift.hpp"
#include "delivery/parallel.hpp"
#include "delivery/pipeline.hpp"

namespace deploysim::delivery {
namespace {

using engine::Duration;

DriftConfig small_drift() {
  DriftConfig c;
  c.hosts = 20;
  c.horizon = Duration::days(20);
  return c;
}

PipelineConfig short_pipeline() {
  auto c = default_pipeline();
  c.horizon = Duration::days(20);
  return c;
}

TEST(Cancel, ARaisedFlagStartsNoReplica) {
  const std::atomic<bool> stop{true};
  std::atomic<int> calls{0};
  EXPECT_THROW(for_each_replica(10, 2, &stop, [&](std::int64_t) { ++calls; }), Cancelled);
  EXPECT_EQ(calls, 0);
}

TEST(Cancel, NoReplicaStartsAfterTheFlagIsRaised) {
  std::atomic<bool> stop{false};
  std::vector<std::int64_t> done;
  auto raise_at_three = [&](std::int64_t i) {
    done.push_back(i);
    if (i == 3) stop = true;
  };
  EXPECT_THROW(for_each_replica(10, 1, &stop, raise_at_three), Cancelled);
  EXPECT_EQ(done, (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(Cancel, AFlagRaisedDuringTheLastReplicaCancelsNothing) {
  std::atomic<bool> stop{false};
  int calls = 0;
  EXPECT_NO_THROW(for_each_replica(4, 1, &stop, [&](std::int64_t i) {
    ++calls;
    if (i == 3) stop = true;
  }));
  EXPECT_EQ(calls, 4);
}

TEST(Cancel, ARaisedFlagStopsARunBetweenEvents) {
  const std::atomic<bool> stop{true};
  EXPECT_THROW(simulate_drift(small_drift(), 1, &stop), Cancelled);
  EXPECT_THROW(simulate_pipeline(short_pipeline(), 1, &stop), Cancelled);
  EXPECT_THROW(run_drift_experiment(small_drift(), 3, 1, 2, nullptr, &stop), Cancelled);
  EXPECT_THROW(run_pipeline_replicas(short_pipeline(), 3, 2, 1, nullptr, &stop), Cancelled);
}

TEST(Cancel, AFlagNeverRaisedChangesNoResult) {
  const std::atomic<bool> stop{false};
  const auto drift = simulate_drift(small_drift(), 5);
  const auto watched_drift = simulate_drift(small_drift(), 5, &stop);
  EXPECT_EQ(watched_drift.steady_drifted_fraction, drift.steady_drifted_fraction);
  EXPECT_EQ(watched_drift.events_processed, drift.events_processed);
  const auto pipeline = simulate_pipeline(short_pipeline(), 5);
  const auto watched_pipeline = simulate_pipeline(short_pipeline(), 5, &stop);
  EXPECT_EQ(watched_pipeline.loss_usd, pipeline.loss_usd);
  EXPECT_EQ(watched_pipeline.events_processed, pipeline.events_processed);
  EXPECT_GT(pipeline.events_processed, 0U);
}

}  // namespace
}  // namespace deploysim::delivery
