#pragma once
// Structured trace records: what happened, when, to whom. Models emit them; sinks in core/io
// write them as JSON Lines or CSV. A model with no sink attached pays one null check per record.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/time.hpp"

namespace deploysim::engine {

/// A field value in a trace record.
using TraceValue = std::variant<std::int64_t, double, bool, std::string>;

/// One named value attached to a record.
struct TraceField {
  std::string key;
  TraceValue value;
};

/// One thing that happened in a run: e.g. {09:30:00, "flag_set", "power_peg", {value: true}}.
struct TraceRecord {
  Time time;
  std::string event;    ///< what happened, snake_case ("host_installed", "alert_fired")
  std::string subject;  ///< what it happened to ("smars-8", "power_peg"); may be empty
  std::vector<TraceField> fields;
};

/// Receives trace records in the order they happen.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void write(const TraceRecord& record) = 0;
  virtual void flush() {}
};

/// Keeps records in memory (tests, the GUI's event log, Python).
class MemoryTraceSink : public TraceSink {
 public:
  void write(const TraceRecord& record) override { records.push_back(record); }
  std::vector<TraceRecord> records;
};

}  // namespace deploysim::engine
