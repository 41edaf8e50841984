#include "io/trace_writers.hpp"

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "input/utf8.hpp"
#include "io/output_file.hpp"

namespace deploysim::io {

namespace {

nlohmann::ordered_json to_json(const engine::TraceValue& value) {
  return std::visit([](const auto& v) { return nlohmann::ordered_json(v); }, value);
}

// The same text for a value as JSON gives it, so CSV and JSON Lines agree on numbers.
std::string to_text(const engine::TraceValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return input::dump_json(to_json(value));
}

// A writer that owns the file stream its sink writes to.
template <typename Writer>
class FileTraceSink : public TraceFile {
 public:
  FileTraceSink(const std::filesystem::path& path, std::optional<engine::WallClock> clock)
      : file_(path.string()), writer_(file_.stream(), std::move(clock)) {}
  void write(const engine::TraceRecord& record) override { writer_.write(record); }
  void flush() override { writer_.flush(); }
  void finish() override { file_.commit(); }

 private:
  OutputFile file_;
  Writer writer_;
};

template <typename Writer>
std::unique_ptr<TraceFile> open_file(const std::filesystem::path& path,
                                     std::optional<engine::WallClock> clock) {
  return std::make_unique<FileTraceSink<Writer>>(path, std::move(clock));
}

}  // namespace

JsonLinesTraceWriter::JsonLinesTraceWriter(std::ostream& out,
                                           std::optional<engine::WallClock> clock)
    : out_(out), clock_(std::move(clock)) {}

void JsonLinesTraceWriter::write(const engine::TraceRecord& record) {
  nlohmann::ordered_json line;
  line["time_s"] = record.time.to_seconds();
  if (clock_) line["clock"] = clock_->time_of_day(record.time);
  line["event"] = record.event;
  if (!record.subject.empty()) line["subject"] = record.subject;
  for (const auto& field : record.fields) line[field.key] = to_json(field.value);
  out_ << input::dump_json(line) << '\n';
}

void JsonLinesTraceWriter::flush() {
  out_.flush();
}

CsvTraceWriter::CsvTraceWriter(std::ostream& out, std::optional<engine::WallClock> clock)
    : out_(out), clock_(std::move(clock)) {
  out_ << "time_s,clock,event,subject,details\n";
}

void CsvTraceWriter::write(const engine::TraceRecord& record) {
  std::string details;
  for (const auto& field : record.fields) {
    if (!details.empty()) details += "; ";
    details += field.key + "=" + to_text(field.value);
  }
  out_ << nlohmann::json(record.time.to_seconds()).dump() << ','
       << (clock_ ? clock_->time_of_day(record.time) : std::string()) << ','
       << csv_cell(record.event) << ',' << csv_cell(record.subject) << ',' << csv_cell(details)
       << '\n';
}

void CsvTraceWriter::flush() {
  out_.flush();
}

std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::unique_ptr<TraceFile> open_trace_file(const std::filesystem::path& path,
                                           std::optional<engine::WallClock> clock) {
  const auto extension = path.extension().string();
  if (extension == ".jsonl") return open_file<JsonLinesTraceWriter>(path, std::move(clock));
  if (extension == ".csv") return open_file<CsvTraceWriter>(path, std::move(clock));
  throw std::runtime_error(path.string() +
                           ": unknown trace format; expected a file name ending in .jsonl or .csv");
}

}  // namespace deploysim::io
