#include "experiment/sweep.hpp"

#include <gtest/gtest.h>

#include <set>

#include "input/json_reader.hpp"
#include "scenarios.hpp"

namespace deploysim::experiment {
namespace {

// A manual deploy of 20 hosts where each host is skipped with probability 0.1: the number of
// hosts on the new version is 20 - binomial(20, 0.1), so its mean is exactly 18.
const char* kSkippy = R"json({
  "name": "skippy",
  "clock": {"end": "1d"},
  "services": {"app": {"versions": {"v1": {}, "v2": {}}}},
  "fleet": {"app": {"hosts": 20, "service": "app", "version": "v1"}},
  "deployment": {"service": "app", "to": "v2",
                 "strategy": {"type": "manual", "per_host": "exponential(5min)", "skip_probability": 0.1}},
  "monitoring": {"scrape_interval": "1h"}
})json";

const Metric& metric(std::string_view name) {
  return *find_metric(name);
}
std::size_t metric_index(std::string_view name) {
  return static_cast<std::size_t>(find_metric(name) - summary_metrics().data());
}

TEST(RunOrdered, DeliversInOrderAndTheSameForAnyThreadCount) {
  const auto scenario = testing::scenario_from_json(kSkippy);
  auto summaries = [&](int threads) {
    std::vector<std::string> delivered;
    std::int64_t expected = 0;
    run_ordered(
        0, 200, threads,
        [&](std::int64_t k) {
          return simulation::run(scenario, replica_seed(7, static_cast<std::uint64_t>(k))).summary;
        },
        [&](std::int64_t k, simulation::Summary&& s) {
          EXPECT_EQ(k, expected++);
          delivered.push_back(s.to_json().dump());
        });
    return delivered;
  };
  const auto one = summaries(1);
  EXPECT_EQ(one.size(), 200u);
  EXPECT_EQ(one, summaries(2));
  EXPECT_EQ(one, summaries(5));
}

TEST(RunOrdered, StopDeliversOnlyAnUnbrokenPrefix) {
  std::atomic<bool> stop{false};
  std::int64_t delivered = 0;
  const auto count = run_ordered(
      0, 1000, 2,
      [&](std::int64_t k) {
        if (k == 100) stop = true;
        return simulation::Summary{};
      },
      [&](std::int64_t k, simulation::Summary&&) { EXPECT_EQ(k, delivered++); }, &stop);
  EXPECT_EQ(count, delivered);
  EXPECT_LT(count, 1000);
  EXPECT_GE(count, 100);
}

TEST(RunOrdered, AnExceptionInARunIsRethrown) {
  EXPECT_THROW(run_ordered(
                   0, 10, 2,
                   [](std::int64_t k) -> simulation::Summary {
                     if (k == 3) throw std::runtime_error("boom");
                     return {};
                   },
                   [](std::int64_t, simulation::Summary&&) {}),
               std::runtime_error);
}

TEST(Sweep, TheSameReplicaSeesTheSameRandomDrawsAtEveryGridPoint) {
  // The monitoring interval does not touch the operator's draws: with common random numbers the
  // same hosts are skipped at every point, replica by replica.
  const auto document = input::parse_json_text(kSkippy, "skippy.json");
  Grid grid{{parse_parameter("monitoring.scrape_interval=1h,10min,1min")}};
  std::vector<spec::Scenario> points;
  for (std::int64_t p = 0; p < grid.points(); ++p)
    points.push_back(scenario_at(document, "skippy.json", grid, p));
  std::vector<std::vector<double>> on_target(3);
  SweepOptions options;
  options.replicas = 50;
  options.threads = 2;
  options.on_run = [&](std::int64_t point, std::int64_t, std::uint64_t,
                       const simulation::Summary& s) {
    on_target[static_cast<std::size_t>(point)].push_back(
        static_cast<double>(s.hosts_on_target_version));
  };
  const auto result = run_sweep(points, options);
  EXPECT_EQ(result.runs_completed, 150);
  EXPECT_EQ(on_target[0], on_target[1]);
  EXPECT_EQ(on_target[0], on_target[2]);
  EXPECT_NE(std::set<double>(on_target[0].begin(), on_target[0].end()).size(), 1u)
      << "replicas differ from each other";
}

TEST(Sweep, ConfidenceIntervalCoversTheKnownMeanAboutNinetyFivePercentOfTheTime) {
  const auto scenario = testing::scenario_from_json(kSkippy);
  const auto index = metric_index("hosts_on_target_version");
  int covered = 0;
  constexpr int kRepetitions = 400;
  for (int repetition = 0; repetition < kRepetitions; ++repetition) {
    SweepOptions options;
    options.replicas = 20;
    options.threads = 2;
    options.base_seed = 1000 + static_cast<std::uint64_t>(repetition);
    const auto result = run_sweep({scenario}, options);
    const auto ci = t_interval(result.points.front().metric(index).stats);
    if (ci.low <= 18.0 && 18.0 <= ci.high) ++covered;
  }
  // Binomial(400, 0.95) lies in [367, 392] with probability above 99.9%.
  EXPECT_GE(covered, 367);
  EXPECT_LE(covered, 392);
}

TEST(UntilPrecise, StopsOnceTheIntervalIsNarrowEnough) {
  const auto scenario = testing::scenario_from_json(kSkippy);
  PrecisionTarget target{&metric("hosts_on_target_version"), 0.01, 100'000};
  const auto result = run_until_precise(scenario, target, SweepOptions{});
  EXPECT_TRUE(result.reached);
  const auto& stats =
      result.sweep.points.front().metric(metric_index("hosts_on_target_version")).stats;
  EXPECT_LE(t_half_width(stats), 0.01 * stats.mean());
  // Rounds of 100, 200, 400...: the first round is not enough for 1% with sd about 1.3.
  EXPECT_GT(result.sweep.runs_completed, 100);
  SweepOptions two_threads;
  two_threads.threads = 2;
  const auto again = run_until_precise(scenario, target, two_threads);
  EXPECT_EQ(again.sweep.runs_completed, result.sweep.runs_completed) << "threads change nothing";
}

TEST(UntilPrecise, ReportsATargetItCannotMeet) {
  const auto scenario = testing::scenario_from_json(kSkippy);
  PrecisionTarget target{&metric("hosts_on_target_version"), 1e-6, 300};
  const auto result = run_until_precise(scenario, target, SweepOptions{});
  EXPECT_FALSE(result.reached);
  EXPECT_EQ(result.sweep.runs_completed, 300);
}

TEST(Compare, PairsVariantsReplicaByReplica) {
  const auto base = testing::scenario_from_json(kSkippy);
  std::string careful_text = kSkippy;
  careful_text.replace(careful_text.find("\"skip_probability\": 0.1"), 23,
                       "\"skip_probability\": 0.0");
  const auto careful = testing::scenario_from_json(careful_text);
  SweepOptions options;
  options.replicas = 60;
  options.threads = 2;
  const auto result = run_comparison({{"base", base}, {"careful", careful}}, options);
  const auto& c = result.comparisons[1][metric_index("hosts_on_target_version")];
  EXPECT_EQ(c.difference.count(), 60);
  EXPECT_NEAR(c.difference.mean(), 2.0, 0.8);
  EXPECT_TRUE(c.significant);
  EXPECT_GT(c.difference_ci.low, 0.0);
}

TEST(Parameters, ListsRangesAndJsonValues) {
  const auto list = parse_parameter("deployment.strategy.batch_size=1,5,10");
  EXPECT_EQ(list.path, "deployment.strategy.batch_size");
  EXPECT_EQ(list.values, (std::vector<nlohmann::json>{1, 5, 10}));
  const auto range = parse_parameter("business.base_error_rate=0.0:0.1:0.5");
  ASSERT_EQ(range.values.size(), 6u);
  EXPECT_DOUBLE_EQ(range.values.back().get<double>(), 0.5);
  EXPECT_EQ(range.labels[3], "0.3");
  const auto strings = parse_parameter("monitoring.scrape_interval=10s,60s");
  EXPECT_EQ(strings.values.front(), "10s");
  const auto integers = parse_parameter("fleet.web.hosts=10:10:50");
  EXPECT_EQ(integers.values, (std::vector<nlohmann::json>{10, 20, 30, 40, 50}));
}

TEST(Parameters, BadTextIsRefusedWithTheReason) {
  for (const char* text :
       {"batch_size", "=1,2", "a.b=", "a.b=1,,2", "a.b=5:1:1", "a.b=0:0:1", "a.b=x:1:3"}) {
    EXPECT_THROW(parse_parameter(text), std::invalid_argument) << text;
  }
  try {
    parse_parameter("a.b=5:1:1");
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("empty or endless"), std::string::npos);
  }
}

TEST(Parameters, UnknownPathIsAnInputErrorWithDidYouMean) {
  const auto document = input::parse_json_text(kSkippy, "skippy.json");
  Grid grid{{parse_parameter("deployment.stratgy.per_host=1min,2min")}};
  try {
    scenario_at(document, "skippy.json", grid, 0);
    FAIL() << "expected an InputError";
  } catch (const input::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("did you mean \"strategy\"?"), std::string::npos)
        << error.what();
  }
  Grid wrong_type{{parse_parameter("deployment.strategy.skip_probability=high")}};
  EXPECT_THROW(scenario_at(document, "skippy.json", wrong_type, 0), input::InputError);
}

TEST(Events, ParseAndCount) {
  const auto rule = parse_event_rule("loss_usd>1e6");
  EXPECT_TRUE(rule.above);
  EXPECT_EQ(rule.threshold, 1e6);
  EXPECT_THROW(parse_event_rule("loss>1"), std::invalid_argument);
  EXPECT_THROW(parse_event_rule("loss_usd>lots"), std::invalid_argument);
  try {
    parse_event_rule("los_usd>1");
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("did you mean \"loss_usd\"?"), std::string::npos);
  }
}

}  // namespace
}  // namespace deploysim::experiment
