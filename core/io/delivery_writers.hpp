#pragma once
// CSV files of the delivery models, for pandas and spreadsheets. Undefined values (NaN) are
// written as empty cells, which pandas reads as missing. Each writer writes a header row and
// then one row per record; checking the stream afterwards is the caller's job.

#include <iosfwd>

#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/report.hpp"
#include "delivery/roi.hpp"

namespace deploysim::io {

/// One row per deployment of a run: finished_s, changes, failed, recovery_s, loss_usd.
void write_deployment_log_csv(std::ostream& out, const delivery::PipelineRun& run);

/// One row per day of a run: deployments, batch size, lead time, incidents, loss, ...
void write_pipeline_days_csv(std::ostream& out, const delivery::PipelineRun& run);

/// One row per incident of a run: start, detection, recovery, changes, cost.
void write_pipeline_incidents_csv(std::ostream& out, const delivery::PipelineRun& run);

/// One row per interval of a train sweep: the replica means and the DORA cluster.
void write_train_sweep_csv(std::ostream& out, const delivery::TrainSweep& sweep);

/// The cost curve: one row per bin of time from introduction to discovery, then one per place
/// a defect can be found (kind "bin" or "place"), as totals over the report's replicas.
void write_cost_curve_csv(std::ostream& out, const delivery::PipelineReport& report);

/// The drifted fraction over time: the mean over replicas and replica 0.
void write_drift_series_csv(std::ostream& out, const delivery::DriftReport& report);

/// Replica 0's deploys that went wrong on drifted hosts.
void write_drift_incidents_csv(std::ostream& out, const delivery::DriftRun& run);

/// Replica 0's time in drift per host, in seconds and as a share of the horizon.
void write_drift_host_times_csv(std::ostream& out, const delivery::DriftReport& report);

/// The cumulative cost of both processes, one row per period of `period_days` days.
void write_roi_series_csv(std::ostream& out, const delivery::RoiResult& result, double period_days);

}  // namespace deploysim::io
