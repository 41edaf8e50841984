#pragma once
// Exports a run's time series and its events in the formats operators' tools read: InfluxDB line
// protocol and OpenMetrics text (which `promtool tsdb create-blocks-from openmetrics` backfills
// into Prometheus). Formatting only: sending to a server is the front end's job.
//
// Timestamps are the scenario's calendar: simulated time 0 is the clock's start, written as if the
// scenario's local time were UTC (the clock's zone is a label; see engine::WallClock), so a
// dashboard in UTC reads 09:30 where the incident report says 09:30. A scenario without a clock
// starts at 1970-01-01T00:00:00.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "engine/trace.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"

namespace deploysim::io {

/// Per-host export writes one series per host; more hosts than this is refused, because a
/// time-series database slows down (and Prometheus warns) past some thousands of series per run.
inline constexpr std::int64_t kMaxExportedHosts = 1000;

/// The tags (InfluxDB) or labels (Prometheus) on every exported series, so that two runs or two
/// variants of a scenario can be overlaid on one dashboard.
struct SeriesLabels {
  std::string scenario;  ///< the file's stem ("knight_capital_2012"), else the scenario's name
  std::string seed;
  std::string service;  ///< the deployed service, else "all"
  std::string group;    ///< the deployment's groups joined by "+", else "all"
  std::string version;  ///< the deployment's target version, else "none"
};

/// The labels of a run of `scenario` with `seed`.
SeriesLabels labels_of(const spec::Scenario& scenario, std::uint64_t seed);

/// Milliseconds since 1970-01-01T00:00:00 of simulated time `t` on the scenario's calendar.
std::int64_t calendar_ms(const spec::Scenario& scenario, engine::Time t);

/// Hosts in the scenario's fleet at the start (what a per-host export would write series for).
std::int64_t fleet_hosts(const spec::Scenario& scenario);

/// Keeps the per-host records of a run (a host updated, skipped, failed to start) for a per-host
/// export; pass it to the simulation as its trace sink (or behind a tee).
class HostRecords : public engine::TraceSink {
 public:
  void write(const engine::TraceRecord& record) override;
  const std::vector<engine::TraceRecord>& records() const { return records_; }

 private:
  std::vector<engine::TraceRecord> records_;
};

/// What to export besides the service-level series and the events.
struct ExportContent {
  /// Per-host records (from HostRecords), or nullptr for service level only.
  const std::vector<engine::TraceRecord>* host_records = nullptr;
};

/// Writes InfluxDB line protocol with nanosecond timestamps:
///   deploysim,<labels> error_rate=0.01,latency_ms=20,loss_usd=0,... <ns>   one per sample
///   deploysim_hosts,<labels but version>,version=<v> hosts=7 <ns>          one per sample, version
///   deploysim_event,<labels>,event=alert_fired,subject=<s> text="..." <ns> one per story event
///   deploysim_host,<labels but version>,host=<h>,version=<v> event="host_updated",ok=1 <ns>
/// The last only with host records. Events at the same millisecond are one nanosecond apart, so
/// no point overwrites another.
void write_line_protocol(std::ostream& out, const spec::Scenario& scenario,
                         const simulation::Result& result, const ExportContent& content = {});

/// Writes the service-level samples of rows [first, last) of the series, as write_line_protocol
/// does, for streaming a run while it happens.
void write_line_protocol_rows(std::ostream& out, const SeriesLabels& labels,
                              const spec::Scenario& scenario, const model::TimeSeries& series,
                              std::size_t first, std::size_t last);

/// Streaming: story records as deploysim_event points, as write_line_protocol writes them.
void write_event_points(std::ostream& out, const SeriesLabels& labels,
                        const spec::Scenario& scenario,
                        const std::vector<engine::TraceRecord>& records);

/// Streaming: what only the end of a run knows, the incident's start and end as events and the
/// per-host points (with host records), as write_line_protocol writes them.
void write_line_protocol_end(std::ostream& out, const spec::Scenario& scenario,
                             const simulation::Result& result, const ExportContent& content);

/// Writes OpenMetrics text, one gauge family per column (deploysim_error_rate, ...,
/// deploysim_hosts{version=...}), deploysim_events_total{event,subject} counting the story's
/// events, deploysim_host_up{host,version} with host records, and the closing "# EOF".
/// Timestamps are seconds with millisecond decimals.
void write_openmetrics(std::ostream& out, const spec::Scenario& scenario,
                       const simulation::Result& result, const ExportContent& content = {});

}  // namespace deploysim::io
