#include "io/trace_writers.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace deploysim::io {
namespace {

using engine::Duration;
using engine::Time;
using engine::TraceRecord;

TraceRecord flag_flip() {
  return {
      Time::zero() + Duration::minutes(90),
      "flag_set",
      "power_peg",
      {{"value", true}, {"hosts", std::int64_t{8}}, {"note", std::string("at the open, \"RLP\"")}}};
}

TEST(JsonLinesTraceWriter, WritesOneObjectPerLineWithClockTime) {
  std::ostringstream out;
  JsonLinesTraceWriter writer(out, engine::WallClock("2012-08-01T08:00:00"));
  writer.write(flag_flip());
  writer.write({Time::from_ms(5'400'500), "alert_fired", "", {{"level", std::string("critical")}}});
  EXPECT_EQ(out.str(),
            "{\"time_s\":5400.0,\"clock\":\"09:30:00\",\"event\":\"flag_set\",\"subject\":"
            "\"power_peg\",\"value\":true,\"hosts\":8,\"note\":\"at the open, \\\"RLP\\\"\"}\n"
            "{\"time_s\":5400.5,\"clock\":\"09:30:00\",\"event\":\"alert_fired\",\"level\":"
            "\"critical\"}\n");
}

TEST(JsonLinesTraceWriter, OmitsClockWithoutWallClock) {
  std::ostringstream out;
  JsonLinesTraceWriter writer(out);
  writer.write(flag_flip());
  EXPECT_FALSE(nlohmann::json::parse(out.str()).contains("clock"));
}

TEST(CsvTraceWriter, WritesHeaderAndQuotesCellsPerRfc4180) {
  std::ostringstream out;
  CsvTraceWriter writer(out, engine::WallClock("2012-08-01T08:00:00"));
  writer.write(flag_flip());
  EXPECT_EQ(out.str(),
            "time_s,clock,event,subject,details\n"
            "5400.0,09:30:00,flag_set,power_peg,\"value=true; hosts=8; note=at the open, "
            "\"\"RLP\"\"\"\n");
}

TEST(CsvCell, LeavesPlainTextAlone) {
  EXPECT_EQ(csv_cell("smars-8"), "smars-8");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("line\nbreak"), "\"line\nbreak\"");
}

TEST(OpenTraceFile, ChoosesFormatByExtension) {
  const auto dir = std::filesystem::temp_directory_path();
  for (const char* name : {"deploysim-trace-test.jsonl", "deploysim-trace-test.csv"}) {
    const auto path = dir / name;
    {
      auto sink = open_trace_file(path);
      sink->write(flag_flip());
      sink->finish();
    }
    EXPECT_GT(std::filesystem::file_size(path), 20u) << name;
    std::filesystem::remove(path);
  }
}

TEST(OpenTraceFile, RejectsUnknownExtensionAndUnwritablePath) {
  EXPECT_THROW(open_trace_file("trace.txt"), std::runtime_error);
  EXPECT_THROW(open_trace_file("/nonexistent-deploysim-dir/trace.jsonl"), std::runtime_error);
}

}  // namespace
}  // namespace deploysim::io
