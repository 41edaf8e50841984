#pragma once
// Trace sinks that write records to a stream: JSON Lines (one object per line, for pandas and
// jq) and CSV (for spreadsheets).

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>

#include "engine/time.hpp"
#include "engine/trace.hpp"

namespace deploysim::io {

/// Writes each record as one JSON object per line:
///   {"time_s":1800.0,"clock":"09:30:00","event":"flag_set","subject":"power_peg","value":true}
/// "clock" is present only when a wall clock is given. Field order is the record's order.
class JsonLinesTraceWriter : public engine::TraceSink {
 public:
  explicit JsonLinesTraceWriter(std::ostream& out, std::optional<engine::WallClock> clock = {});
  void write(const engine::TraceRecord& record) override;
  void flush() override;

 private:
  std::ostream& out_;
  std::optional<engine::WallClock> clock_;
};

/// Writes records as CSV with the columns time_s, clock, event, subject, details; details holds
/// the fields as "key=value" pairs separated by "; ". Cells are quoted per RFC 4180 when needed.
class CsvTraceWriter : public engine::TraceSink {
 public:
  explicit CsvTraceWriter(std::ostream& out, std::optional<engine::WallClock> clock = {});
  void write(const engine::TraceRecord& record) override;
  void flush() override;

 private:
  std::ostream& out_;
  std::optional<engine::WallClock> clock_;
};

/// A trace sink writing to a file. The file is complete only after finish(), which throws
/// OutputError when it could not be written; a trace never finished leaves no file behind.
class TraceFile : public engine::TraceSink {
 public:
  virtual void finish() = 0;
};

/// A trace file, its format chosen by extension: ".jsonl" or ".csv". Throws std::runtime_error
/// naming the file if the extension is unknown, OutputError if it cannot be opened.
std::unique_ptr<TraceFile> open_trace_file(const std::filesystem::path& path,
                                           std::optional<engine::WallClock> clock = {});

/// Quotes a CSV cell when it contains a comma, quote or line break (RFC 4180).
std::string csv_cell(std::string_view text);

}  // namespace deploysim::io
