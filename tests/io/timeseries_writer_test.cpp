#include "io/timeseries_writer.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <sstream>
#include <string>
#include <vector>

namespace deploysim::io {
namespace {

model::TimeSeries series(std::vector<std::string> columns,
                         std::vector<std::vector<double>> values) {
  model::TimeSeries s;
  s.columns = std::move(columns);
  s.values = std::move(values);
  return s;
}

std::string csv(const model::TimeSeries& s, const std::optional<engine::WallClock>& clock = {}) {
  std::ostringstream out;
  write_timeseries_csv(out, s, clock);
  return out.str();
}

TEST(TimeseriesCsv, OneRowPerSampleOneColumnPerMetric) {
  const auto s =
      series({"time_s", "error_rate", "hosts_up"}, {{0, 60, 120}, {0, 0.25, 1}, {4, 3, 4}});
  EXPECT_EQ(csv(s),
            "time_s,error_rate,hosts_up\n"
            "0,0,4\n"
            "60,0.25,3\n"
            "120,1,4\n");
}

TEST(TimeseriesCsv, AnEmptySeriesIsTheHeaderAlone) {
  EXPECT_EQ(csv(series({"time_s", "x"}, {{}, {}})), "time_s,x\n");
  EXPECT_EQ(csv(series({}, {})), "\n");
}

TEST(TimeseriesCsv, NumbersReadBackBitForBit) {
  // 0.1 + 0.2 needs 17 significant digits; a fixed precision of 6 would print 0.3.
  const double awkward = 0.1 + 0.2;
  const double tiny = 1e-300;
  const double big = 123456789012345678.0;
  const auto text = csv(series({"time_s", "v"}, {{1, 2, 3}, {awkward, tiny, big}}));
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "time_s,v");
  for (const double expected : {awkward, tiny, big}) {
    ASSERT_TRUE(std::getline(in, line));
    const auto cell = line.substr(line.find(',') + 1);
    double back = 0;
    std::from_chars(cell.data(), cell.data() + cell.size(), back);
    EXPECT_EQ(back, expected) << cell;
  }
  EXPECT_NE(text.find("0.30000000000000004"), std::string::npos);
}

TEST(TimeseriesCsv, WallClockAddsAClockColumnAfterTime) {
  const engine::WallClock clock("2012-08-01T09:30:00");
  // 90.5 s rounds to 90.5 s: 09:31:30; 3599.9996 s rounds to the millisecond 3600.000 s.
  const auto s = series({"time_s", "loss"}, {{0, 90.5, 3599.9996}, {1, 2, 3}});
  EXPECT_EQ(csv(s, clock),
            "time_s,clock,loss\n"
            "0,09:30:00,1\n"
            "90.5,09:31:30,2\n"
            "3599.9996,10:30:00,3\n");
}

TEST(TimeseriesCsv, ClockOfARunOverSeveralDaysHasTheDate) {
  const engine::WallClock clock("2012-07-31T23:30:00");
  const auto s = series({"time_s", "loss"}, {{0, 3600}, {1, 2}});
  EXPECT_EQ(csv(s, clock),
            "time_s,clock,loss\n"
            "0,2012-07-31 23:30:00,1\n"
            "3600,2012-08-01 00:30:00,2\n");
}

}  // namespace
}  // namespace deploysim::io
