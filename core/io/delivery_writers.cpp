#include "io/delivery_writers.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "io/trace_writers.hpp"

namespace deploysim::io {

namespace {

// Ten significant digits: seconds over a year keep their milliseconds.
constexpr int kPrecision = 10;

std::string cell(double value) {
  if (std::isnan(value)) return {};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// A replica mean, empty when no replica defined the figure.
std::string mean_cell(const experiment::RunningStats& x) {
  return x.count() ? std::to_string(x.mean()) : std::string();
}

}  // namespace

void write_deployment_log_csv(std::ostream& out, const delivery::PipelineRun& run) {
  out.precision(kPrecision);
  out << "finished_s,changes,failed,recovery_s,loss_usd\n";
  for (const auto& d : run.deployments) {
    out << d.finished_s << ',' << d.changes << ',' << (d.failed ? 1 : 0) << ','
        << (d.recovered_s ? cell(*d.recovered_s - d.finished_s) : std::string()) << ','
        << d.loss_usd << '\n';
  }
}

void write_pipeline_days_csv(std::ostream& out, const delivery::PipelineRun& run) {
  out << "day,deployments,changes_deployed,mean_batch_size,lead_time_median_h,incidents,"
         "loss_usd,failed_deployments,canary_rollbacks\n";
  for (const auto& d : run.days) {
    out << d.day << ',' << d.deployments << ',' << d.changes_deployed << ','
        << cell(d.mean_batch_size) << ',' << cell(d.lead_time_median_s / 3600.0) << ','
        << d.incidents << ',' << cell(d.loss_usd) << ',' << d.failed_deployments << ','
        << d.canary_rollbacks << '\n';
  }
}

void write_pipeline_incidents_csv(std::ostream& out, const delivery::PipelineRun& run) {
  out << "start_s,detected_s,recovered_s,changes,defective_changes,loss_usd,stopped_by_canary\n";
  for (const auto& i : run.incident_log) {
    out << cell(i.start_s) << ',' << cell(i.detected_s) << ',' << cell(i.recovered_s) << ','
        << i.changes << ',' << i.defective_changes << ',' << cell(i.loss_usd) << ','
        << (i.stopped_by_canary ? 1 : 0) << '\n';
  }
}

void write_train_sweep_csv(std::ostream& out, const delivery::TrainSweep& sweep) {
  out << "release_every_s,deploys_per_day,changes_per_deploy,lead_time_median_h,"
         "change_fail_rate,recovery_median_min,incidents,loss_usd,dora_overall\n";
  for (const auto& p : sweep.points) {
    const auto& s = p.summary;
    out << cell(p.release_every.to_seconds()) << ',' << mean_cell(s.deploys_per_day) << ','
        << mean_cell(s.changes_per_deploy) << ',' << mean_cell(s.lead_time_median_h) << ','
        << mean_cell(s.change_fail_rate) << ',' << mean_cell(s.recovery_median_min) << ','
        << mean_cell(s.incidents) << ',' << mean_cell(s.loss_usd) << ','
        << delivery::level_name(delivery::classify_means(s).overall) << '\n';
  }
}

void write_cost_curve_csv(std::ostream& out, const delivery::PipelineReport& report) {
  const auto& s = report.summary;
  const auto& edges = delivery::cost_curve_edges_days();
  const auto places = delivery::defect_places(report.config);
  const double runs = static_cast<double>(report.replicas);
  auto row = [&](const delivery::DefectTally& t) {
    const double n = static_cast<double>(t.defects);
    out << ',' << cell(n / runs) << ',' << (t.defects ? cell(t.cost_usd / n) : "") << ','
        << (t.defects ? cell(t.days_sum / n) : "") << ','
        << (t.defects ? cell(t.incident_usd / n) : "") << '\n';
  };
  out << "kind,name,from_days,to_days,defects_per_run,cost_per_defect_usd,mean_days_to_find,"
         "incident_per_defect_usd\n";
  for (std::size_t i = 0; i < s.cost_curve.size(); ++i) {
    out << "bin," << i << ',' << cell(edges[i]) << ','
        << (i + 1 < edges.size() ? cell(edges[i + 1]) : "");
    row(s.cost_curve[i]);
  }
  for (std::size_t i = 0; i < s.found.size() && i < places.size(); ++i) {
    out << "place," << csv_cell(places[i]) << ",,";
    row(s.found[i]);
  }
}

void write_drift_series_csv(std::ostream& out, const delivery::DriftReport& report) {
  const auto& mean = report.experiment.mean_series;
  const auto& first = report.first.series;
  out << "time_s,time_h,drifted_fraction,replica0_drifted_fraction\n";
  for (std::size_t i = 0; i < mean.size(); ++i) {
    out << cell(mean[i].time_s) << ',' << fixed(mean[i].time_s / 3600.0, 3) << ','
        << fixed(mean[i].drifted_fraction, 6) << ','
        << (i < first.size() ? fixed(first[i].drifted_fraction, 6) : "") << '\n';
  }
}

void write_drift_incidents_csv(std::ostream& out, const delivery::DriftRun& run) {
  out << "time_s,drifted_hosts,bad_hosts\n";
  for (const auto& i : run.incidents) {
    out << cell(i.time_s) << ',' << i.drifted_hosts << ',' << i.bad_hosts << '\n';
  }
}

void write_drift_host_times_csv(std::ostream& out, const delivery::DriftReport& report) {
  const auto& times = report.first.time_in_drift_s;
  const double horizon_s = report.config.horizon.to_seconds();
  out << "host,time_in_drift_s,share\n";
  for (std::size_t h = 0; h < times.size(); ++h) {
    out << h << ',' << cell(times[h]) << ',' << cell(times[h] / horizon_s) << '\n';
  }
}

void write_roi_series_csv(std::ostream& out, const delivery::RoiResult& result,
                          double period_days) {
  out << "period,days,deploys,manual_cost_usd,automated_cost_usd\n";
  for (const auto& p : result.series) {
    out << cell(p.period) << ',' << cell(p.period * period_days) << ',' << cell(p.deploys) << ','
        << fixed(p.manual_usd, 2) << ',' << fixed(p.automated_usd, 2) << '\n';
  }
}

}  // namespace deploysim::io
