#pragma once
// `deploysim run --export KIND=DEST`: where a run's metrics go (a line-protocol file, an InfluxDB
// 1.x server, an OpenMetrics file). Every destination is checked before the run starts, so that a
// typo costs no simulation; a failure after the run is reported once the result is printed.

#include <memory>
#include <string>
#include <vector>

#include "engine/trace.hpp"
#include "io/output_file.hpp"
#include "simulation/simulation.hpp"
#include "spec/scenario.hpp"

namespace deploysim::cli {

/// Passes every record to two sinks (the --trace file and the per-host export's records).
class TeeSink : public engine::TraceSink {
 public:
  TeeSink(engine::TraceSink* first, engine::TraceSink* second) : first_(first), second_(second) {}
  void write(const engine::TraceRecord& record) override {
    if (first_) first_->write(record);
    if (second_) second_->write(record);
  }
  void flush() override {
    if (first_) first_->flush();
    if (second_) second_->flush();
  }

 private:
  engine::TraceSink* first_;
  engine::TraceSink* second_;
};

/// One --export destination.
struct ExportTarget {
  enum class Kind {
    influx_file,
    influx_http,
    openmetrics_file,
    notifications_text,
    notifications_json
  } kind;
  std::string destination;               ///< the file, or the /write URL (with its query)
  std::shared_ptr<io::OutputFile> file;  ///< complete once committed
  bool failed = false;  ///< streaming to it failed (live mode); nothing more is sent
};

/// Parses and checks "influx=URL|FILE" and "openmetrics=FILE" specs: the kind, the URL's form,
/// that each file opens for writing. Throws std::runtime_error with the spec and what is wrong.
std::vector<ExportTarget> open_export_targets(const std::vector<std::string>& specs);

/// --notifications FILE: the alert notification log, as JSON for a .json file, else as Nagios-style
/// text. Throws std::runtime_error when the file does not open for writing.
ExportTarget open_notification_log(const std::string& file);

/// The InfluxDB 1.x write URL for what the user typed: a bare server ("http://host:8086") gets
/// "/write?db=deploysim". Throws std::runtime_error for a URL that is not http(s)://host[:port].
std::string influx_write_url(const std::string& url);

/// Sends line protocol to an InfluxDB /write URL. Throws std::runtime_error with the server's
/// status and reply when it refuses, or curl's reason when it cannot be reached.
void post_line_protocol(const std::string& url, const std::string& body);

/// Writes the run to every target. Returns the error messages (empty: all written).
std::vector<std::string> export_run(std::vector<ExportTarget>& targets,
                                    const spec::Scenario& scenario,
                                    const simulation::Result& result,
                                    const std::vector<engine::TraceRecord>* host_records);

}  // namespace deploysim::cli
