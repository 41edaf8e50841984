#include "delivery/report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "io/delivery_writers.hpp"

namespace deploysim::delivery {
namespace {

using engine::Duration;

PipelineReplica replica(double deploys_per_day, double recovery_s, std::int64_t incidents) {
  PipelineReplica r;
  r.dora.deploys_per_day = deploys_per_day;
  r.dora.lead_time_median_s = 7'200.0;
  r.dora.change_fail_rate = incidents > 0 ? 0.1 : 0.0;
  r.dora.recovery_median_s = recovery_s;
  r.incidents = incidents;
  r.canary_rollbacks = 1;
  r.loss_usd = 100.0 * static_cast<double>(incidents);
  r.mean_changes_per_deployment = 2.0;
  r.events_processed = 10;
  return r;
}

TEST(PipelineReport, UndefinedFiguresStayOutOfTheirMeans) {
  const auto s = summarise({replica(4.0, 600.0, 2), replica(2.0, std::nan(""), 0)});
  EXPECT_EQ(s.deploys_per_day.count(), 2);
  EXPECT_DOUBLE_EQ(s.deploys_per_day.mean(), 3.0);
  ASSERT_EQ(s.recovery_median_min.count(), 1);
  EXPECT_DOUBLE_EQ(s.recovery_median_min.mean(), 10.0);
  EXPECT_DOUBLE_EQ(s.lead_time_median_h.mean(), 2.0);
  EXPECT_DOUBLE_EQ(s.canary_rollbacks.mean(), 1.0);
  EXPECT_EQ(s.events_processed, 20u);
  const auto j = to_json(s, {});
  EXPECT_DOUBLE_EQ(j["loss_usd"]["mean"].get<double>(), 100.0);
  EXPECT_EQ(j["dora_2024"]["recovery_time"], "elite");
}

TEST(PipelineReport, AStatisticWithoutValuesIsNull) {
  const auto j = to_json(summarise({replica(1.0, std::nan(""), 0)}), {});
  EXPECT_TRUE(j["recovery_median_min"].is_null());
  EXPECT_TRUE(j["canary_rollbacks"].is_object());
}

TEST(PipelineReport, HasTheCommandsKeysAndDoesNotDependOnThreads) {
  auto c = default_pipeline();
  c.horizon = Duration::days(10);
  const auto one = to_json(run_pipeline_report(c, 4, 1, 7));
  const auto two = to_json(run_pipeline_report(c, 4, 2, 7));
  EXPECT_EQ(one, two);
  for (const char* key : {"deploys_per_day", "canary_rollbacks", "dora_2024", "replicas", "seed",
                          "events_processed", "config", "first_replica"}) {
    EXPECT_TRUE(one.contains(key)) << key;
  }
  EXPECT_EQ(one["replicas"], 4);
}

TEST(TrainSweep, LongerTrainsBatchMoreAndRejectAZeroInterval) {
  auto c = default_pipeline();
  c.horizon = Duration::days(20);
  const auto sweep = sweep_train_intervals(c, {Duration::hours(4), Duration::days(4)}, 3, 1, 2);
  ASSERT_EQ(sweep.points.size(), 2u);
  EXPECT_GT(sweep.points[1].summary.changes_per_deploy.mean(),
            sweep.points[0].summary.changes_per_deploy.mean());
  EXPECT_EQ(to_json(sweep)["points"][1]["release_every_s"], 4 * 86'400.0);
  std::ostringstream csv;
  io::write_train_sweep_csv(csv, sweep);
  EXPECT_EQ(csv.str().substr(0, csv.str().find('\n')),
            "release_every_s,deploys_per_day,changes_per_deploy,lead_time_median_h,"
            "change_fail_rate,recovery_median_min,incidents,loss_usd,dora_overall");
  EXPECT_THROW(sweep_train_intervals(c, {Duration::milliseconds(0)}, 1, 1, 1),
               std::invalid_argument);
  EXPECT_THROW(sweep_train_intervals(c, {}, 1, 1, 1), std::invalid_argument);
}

TEST(DriftReport, TheChainLiesWithinTheCiOfAnExponentialSchedule) {
  DriftConfig c;
  c.hosts = 50;
  c.schedule = AgentSchedule::exponential;
  c.drift_rate_per_day = 2.0;
  c.interval = Duration::hours(6);
  c.horizon = Duration::days(10);
  const auto r = run_drift_report(c, 6, 2, 3);
  EXPECT_TRUE(r.ctmc_within_ci);
  const auto j = to_json(r);
  EXPECT_EQ(j["ctmc_within_ci"], true);
  EXPECT_EQ(j["schedule"], "exponential");
  std::ostringstream hosts;
  io::write_drift_host_times_csv(hosts, r);
  std::size_t rows = 0;
  for (char ch : hosts.str()) rows += ch == '\n';
  EXPECT_EQ(rows, 51u);  // header + one per host
}

TEST(DeliveryWriters, EmptyCellsForUndefinedDays) {
  PipelineRun run;
  PipelineDay day;
  day.mean_batch_size = std::nan("");
  day.lead_time_median_s = std::nan("");
  run.days.push_back(day);
  std::ostringstream out;
  io::write_pipeline_days_csv(out, run);
  EXPECT_NE(out.str().find("\n0,0,0,,,0,0,0,0\n"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace deploysim::delivery

namespace deploysim::delivery {
namespace {

TEST(RoiReport, EstimatedLossesReplaceTheGivenOnesAndAddTheirIntervals) {
  RoiInputs in;
  in.build_hours = 80.0;
  in.hourly_rate_usd = 100.0;
  in.manual_hours_per_deploy = 2.0;
  in.automated_hours_per_deploy = 0.25;
  in.deploys_per_period = 3.0;
  in.horizon_periods = 52.0;
  const auto plain = to_json(roi_report("week", in));
  EXPECT_EQ(plain["period"], "week");
  EXPECT_FALSE(plain.contains("replicas"));
  EXPECT_EQ(plain["build_cost_usd"], 8'000.0);
  EXPECT_FALSE(plain.contains("series"));
  LossEstimate manual;
  manual.loss_usd.add(400.0);
  manual.loss_usd.add(600.0);
  manual.ci95 = experiment::t_interval(manual.loss_usd);
  LossEstimate automated;
  automated.loss_usd.add(100.0);
  automated.loss_usd.add(100.0);
  const auto r = roi_report("", in, std::pair{manual, automated}, 2);
  EXPECT_DOUBLE_EQ(r.inputs.manual_loss_per_deploy_usd, 500.0);
  const auto j = to_json(r);
  EXPECT_FALSE(j.contains("period"));
  EXPECT_EQ(j["replicas"], 2);
  EXPECT_EQ(j["manual_loss_ci95"][0], manual.ci95.low);
  EXPECT_DOUBLE_EQ(j["manual_cost_per_period_usd"].get<double>(), 3 * (200.0 + 500.0));
}

}  // namespace
}  // namespace deploysim::delivery
