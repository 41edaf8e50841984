#include "experiment/runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace deploysim::experiment {
namespace {

simulation::Summary summary_with_loss(double loss) {
  simulation::Summary s;
  s.loss_usd = loss;
  return s;
}

// The message of the std::invalid_argument that `call` throws, or "" if it throws none.
template <class Call>
std::string invalid(Call call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(ReplicaSeed, IsStableDistinctPerReplicaAndPerBase) {
  EXPECT_EQ(replica_seed(7, 3), replica_seed(7, 3));
  std::set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 1000; ++i) seen.insert(replica_seed(7, i));
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_NE(replica_seed(7, 0), replica_seed(8, 0));
  EXPECT_NE(replica_seed(7, 0), 7u) << "replica 0 is not the base seed itself";
}

TEST(RunOrdered, DeliversInOrderWhateverOrderRunsFinishIn) {
  // Later runs finish first: run k sleeps (20 - k) ms.
  std::vector<std::int64_t> delivered;
  std::vector<double> losses;
  std::vector<std::int64_t> progress;
  const auto count = run_ordered(
      5, 12, 4,
      [](std::int64_t k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 - k));
        return summary_with_loss(static_cast<double>(k) * 10.0);
      },
      [&](std::int64_t k, simulation::Summary&& s) {
        delivered.push_back(k);
        losses.push_back(s.loss_usd);
      },
      nullptr, [&](std::int64_t n) { progress.push_back(n); });
  EXPECT_EQ(count, 12);
  std::vector<std::int64_t> expected;
  std::vector<double> expected_losses;
  std::vector<std::int64_t> expected_progress;
  for (std::int64_t k = 5; k < 17; ++k) {
    expected.push_back(k);
    expected_losses.push_back(static_cast<double>(k) * 10.0);
    expected_progress.push_back(k - 4);
  }
  EXPECT_EQ(delivered, expected);
  EXPECT_EQ(losses, expected_losses);
  EXPECT_EQ(progress, expected_progress);
}

TEST(RunOrdered, AnyThreadCountIncludingNonsenseGivesTheSameResult) {
  for (const int threads : {-3, 0, 1, 2, 64}) {
    std::vector<std::int64_t> delivered;
    const auto count = run_ordered(
        0, 5, threads, [](std::int64_t k) { return summary_with_loss(static_cast<double>(k)); },
        [&](std::int64_t k, simulation::Summary&&) { delivered.push_back(k); });
    EXPECT_EQ(count, 5) << threads;
    EXPECT_EQ(delivered, (std::vector<std::int64_t>{0, 1, 2, 3, 4})) << threads;
  }
  EXPECT_EQ(run_ordered(
                0, 0, 4, [](std::int64_t) { return simulation::Summary{}; },
                [](std::int64_t, simulation::Summary&&) { FAIL() << "nothing to deliver"; }),
            0);
}

TEST(RunOrdered, StopStartsNoNewRunAndKeepsTheDeliveredPrefix) {
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::int64_t> delivered;
  const auto count = run_ordered(
      0, 100, 1,
      [&](std::int64_t) {
        ++started;
        return simulation::Summary{};
      },
      [&](std::int64_t k, simulation::Summary&&) {
        delivered.push_back(k);
        if (k == 2) stop = true;
      },
      &stop);
  EXPECT_EQ(count, 3);
  EXPECT_EQ(delivered, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(started.load(), 3);
}

TEST(RunOrdered, AFailingRunIsRethrownAfterTheRunsBeforeIt) {
  std::vector<std::int64_t> delivered;
  EXPECT_THROW(run_ordered(
                   0, 10, 1,
                   [](std::int64_t k) {
                     if (k == 3) throw std::runtime_error("run 3 failed");
                     return simulation::Summary{};
                   },
                   [&](std::int64_t k, simulation::Summary&&) { delivered.push_back(k); }),
               std::runtime_error);
  EXPECT_EQ(delivered, (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(SummaryMetrics, HaveAFixedOrderAndAreFoundByName) {
  std::vector<std::string> names;
  for (const auto& metric : summary_metrics()) names.push_back(metric.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "loss_usd", "time_to_detect_s", "time_to_mitigate_s", "incident_duration_s",
                "hosts_on_target_version", "max_hosts_misbehaving", "alerts_fired",
                "failed_requests", "users_affected", "error_budget_consumed", "events_processed"}));
  simulation::Summary s;
  s.max_hosts_misbehaving = 4;
  ASSERT_NE(find_metric("max_hosts_misbehaving"), nullptr);
  EXPECT_EQ(find_metric("max_hosts_misbehaving")->read(s), 4.0);
  EXPECT_FALSE(find_metric("time_to_detect_s")->read(s)) << "never detected is null, not 0";
  EXPECT_EQ(find_metric("loss"), nullptr);
  EXPECT_EQ(&require_metric("alerts_fired"), find_metric("alerts_fired"));
}

TEST(SummaryMetrics, AnUnknownNameSuggestsTheClosestOrListsThemAll) {
  EXPECT_EQ(invalid([] { require_metric("loss_us"); }),
            "unknown metric \"loss_us\"; did you mean \"loss_usd\"?");
  const auto all = invalid([] { require_metric("zzzzzzzzzzzz"); });
  EXPECT_EQ(all.rfind("unknown metric \"zzzzzzzzzzzz\"; metrics: ", 0), 0u) << all;
  EXPECT_NE(all.find("events_processed"), std::string::npos) << all;
}

TEST(EventRule, ParsesTheMetricTheDirectionAndTheThreshold) {
  const auto above = parse_event_rule("loss_usd>1e6");
  EXPECT_EQ(above.text, "loss_usd>1e6");
  EXPECT_EQ(above.metric, find_metric("loss_usd"));
  EXPECT_TRUE(above.above);
  EXPECT_EQ(above.threshold, 1e6);
  const auto below = parse_event_rule("hosts_on_target_version<-2.5");
  EXPECT_FALSE(below.above);
  EXPECT_EQ(below.threshold, -2.5);
}

TEST(EventRule, RejectsWhatIsNotMetricOperatorNumber) {
  const std::string form =
      "is not an event: expected METRIC>VALUE or METRIC<VALUE, e.g. loss_usd>1e6";
  EXPECT_EQ(invalid([] { parse_event_rule("loss_usd"); }), "\"loss_usd\" " + form);
  EXPECT_EQ(invalid([] { parse_event_rule(">5"); }), "\">5\" " + form);
  EXPECT_EQ(invalid([] { parse_event_rule("loss_usd>"); }), "\"loss_usd>\" " + form);
  EXPECT_EQ(invalid([] { parse_event_rule("loss_usd>1e6x"); }),
            "\"loss_usd>1e6x\": expected a number after '>', found \"1e6x\"");
  EXPECT_EQ(invalid([] { parse_event_rule("loss_usd<inf"); }),
            "\"loss_usd<inf\": expected a number after '<', found \"inf\"");
  EXPECT_EQ(invalid([] { parse_event_rule("los_usd>1"); }),
            "\"los_usd>1\": unknown metric \"los_usd\"; did you mean \"loss_usd\"?");
}

TEST(MetricsAccumulator, CountsValuesMissingRunsEventsAndOutcomes) {
  MetricsAccumulator acc(
      {parse_event_rule("loss_usd>1.5"), parse_event_rule("time_to_detect_s<15")});
  const double losses[] = {1, 2, 6};
  const std::optional<double> detect[] = {std::nullopt, 10.0, 20.0};
  const char* outcomes[] = {"completed", "rolled_back", "completed"};
  for (int i = 0; i < 3; ++i) {
    auto s = summary_with_loss(losses[i]);
    s.time_to_detect_s = detect[i];
    s.deploy_outcome = outcomes[i];
    acc.add(s);
  }
  EXPECT_EQ(acc.runs(), 3);
  const auto& loss = acc.metric(0);
  EXPECT_EQ(loss.stats.count(), 3);
  EXPECT_DOUBLE_EQ(loss.stats.mean(), 3.0);
  EXPECT_EQ(loss.missing, 0);
  const auto& detected = acc.metric(1);
  EXPECT_EQ(detected.stats.count(), 2);
  EXPECT_DOUBLE_EQ(detected.stats.mean(), 15.0);
  EXPECT_EQ(detected.missing, 1);
  EXPECT_EQ(acc.event_count(0), 2);  // 2 and 6
  EXPECT_EQ(acc.event_count(1), 1);  // 10; a run never detected is not "detected fast"
  EXPECT_EQ(acc.outcomes(), (std::vector<std::pair<std::string, std::int64_t>>{
                                {"completed", 2}, {"rolled_back", 1}}));
}

}  // namespace
}  // namespace deploysim::experiment
