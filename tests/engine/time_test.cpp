#include "engine/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

namespace deploysim::engine {
namespace {

constexpr const char* accepted_durations =
    "expected a number followed by ms, s, min, h or d (e.g. \"250ms\", \"30s\", \"5min\", \"2h\", "
    "\"1d\"";

/// The TimeFormatError message for `text`, or "" if it parsed.
std::string duration_error(const std::string& text) {
  try {
    parse_duration(text);
  } catch (const TimeFormatError& e) {
    return e.what();
  }
  return "";
}

std::string timestamp_error(const std::string& text) {
  try {
    parse_timestamp_ms(text);
  } catch (const TimeFormatError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseDuration, ReadsEachUnit) {
  EXPECT_EQ(parse_duration("250ms"), Duration::milliseconds(250));
  EXPECT_EQ(parse_duration("30s"), Duration::seconds(30));
  EXPECT_EQ(parse_duration("5min"), Duration::minutes(5));
  EXPECT_EQ(parse_duration("2h"), Duration::hours(2));
  EXPECT_EQ(parse_duration("1d"), Duration::days(1));
  EXPECT_EQ(parse_duration("0s"), Duration{});
  EXPECT_EQ(parse_duration("007s"), Duration::seconds(7));
}

TEST(ParseDuration, ReadsFractionsExactly) {
  EXPECT_EQ(parse_duration("1.5h"), Duration::minutes(90));
  EXPECT_EQ(parse_duration("2.5s"), Duration::milliseconds(2'500));
  EXPECT_EQ(parse_duration("0.001s"), Duration::milliseconds(1));
  EXPECT_EQ(parse_duration("0.1d"), Duration::minutes(144));
  // 0.1 has no exact binary form; decimal arithmetic still gives exactly 100ms.
  EXPECT_EQ(parse_duration("0.1s"), Duration::milliseconds(100));
  EXPECT_EQ(parse_duration("1.000000000000000000000001s"), Duration::seconds(1));
}

TEST(ParseDuration, RoundsFractionalMillisecondsToNearest) {
  EXPECT_EQ(parse_duration("0.4ms"), Duration{});
  EXPECT_EQ(parse_duration("0.5ms"), Duration::milliseconds(1));
  EXPECT_EQ(parse_duration("1.49ms"), Duration::milliseconds(1));
  EXPECT_EQ(parse_duration("0.0004s"), Duration{});
  EXPECT_EQ(parse_duration("0.0005s"), Duration::milliseconds(1));
  EXPECT_EQ(parse_duration("0.00149999s"), Duration::milliseconds(1));
  EXPECT_EQ(parse_duration("0.0015s"), Duration::milliseconds(2));
  // 1/3 of a minute in ms is 19999.98.
  EXPECT_EQ(parse_duration("0.3333333min"), Duration::milliseconds(20'000));
}

TEST(ParseDuration, ReadsCompoundFormsSoThatFormattedDurationsReadBack) {
  EXPECT_EQ(parse_duration("1h30min"), Duration::minutes(90));
  EXPECT_EQ(parse_duration("1d2h"), Duration::hours(26));
  EXPECT_EQ(parse_duration("1min2.5s"), Duration::milliseconds(62'500));
  EXPECT_EQ(parse_duration("1s250ms"), Duration::milliseconds(1'250));
}

TEST(ParseDuration, AcceptsTheLargestValueAndRejectsOneMore) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(parse_duration(std::to_string(max) + "ms"), Duration::milliseconds(max));
  EXPECT_NE(duration_error("9223372036854775808ms").find("too large"), std::string::npos);
  EXPECT_NE(duration_error("106751991168d").find("too large"), std::string::npos);
  EXPECT_NE(duration_error("106751991167d8h").find("too large"), std::string::npos);
  EXPECT_EQ(parse_duration("106751991167d7h"),
            Duration::days(106'751'991'167) + Duration::hours(7));
}

struct BadDuration {
  const char* text;
  const char* reason;  // expected in the message; "" for none in particular
};

// Test names show the text rather than the struct's bytes (which are pointers, and would change
// from build to build).
void PrintTo(const BadDuration& bad, std::ostream* out) {
  *out << '"' << bad.text << '"';
}

class BadDurations : public testing::TestWithParam<BadDuration> {};

TEST_P(BadDurations, NameTheTextTheReasonAndTheAcceptedForms) {
  const BadDuration& bad = GetParam();
  const std::string message = duration_error(bad.text);
  ASSERT_FALSE(message.empty()) << bad.text << " parsed";
  EXPECT_EQ(message.find("\"" + std::string(bad.text) + "\" is not a duration"), 0u) << message;
  EXPECT_NE(message.find(accepted_durations), std::string::npos) << message;
  EXPECT_NE(message.find(bad.reason), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    ParseDuration, BadDurations,
    testing::Values(
        BadDuration{"", "empty"}, BadDuration{"5 minutes", "unknown unit \"minutes\""},
        BadDuration{"5 min", "spaces"}, BadDuration{" 5s", "spaces"}, BadDuration{"5s ", "spaces"},
        BadDuration{"-3s", "negative"}, BadDuration{"+3s", "sign"},
        BadDuration{"1e999s", "exponent"}, BadDuration{"1E3ms", "exponent"},
        BadDuration{"5", "unit is missing"}, BadDuration{"5m", "\"m\" is ambiguous: write \"min\""},
        BadDuration{"s", "number must come before"},
        BadDuration{"5minutes", "unknown unit \"minutes\""},
        BadDuration{"5sec", "unknown unit \"sec\""}, BadDuration{".5s", "decimal point"},
        BadDuration{"5.s", "decimal point"}, BadDuration{"1,5s", "unexpected \",\""},
        BadDuration{"30min1h", "largest unit to the smallest"},
        BadDuration{"1h1h", "largest unit to the smallest"}, BadDuration{"1h30", "unit is missing"},
        BadDuration{"99999999999999999999ms", "too large"}));

TEST(ParseDuration, NamesTheTextInTheExampleMessage) {
  EXPECT_EQ(duration_error("5 minutes"),
            "\"5 minutes\" is not a duration: unknown unit \"minutes\"; expected a number "
            "followed by ms, s, min, h or d (e.g. \"250ms\", \"30s\", \"5min\", \"2h\", \"1d\", "
            "\"1h30min\")");
}

TEST(FormatDuration, IsExactAndShort) {
  EXPECT_EQ(format_duration(Duration{}), "0s");
  EXPECT_EQ(format_duration(Duration::milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(Duration::seconds(30)), "30s");
  EXPECT_EQ(format_duration(Duration::milliseconds(2'500)), "2.5s");
  EXPECT_EQ(format_duration(Duration::milliseconds(1'005)), "1.005s");
  EXPECT_EQ(format_duration(Duration::minutes(5)), "5min");
  EXPECT_EQ(format_duration(Duration::minutes(45)), "45min");
  EXPECT_EQ(format_duration(Duration::minutes(90)), "1h30min");
  EXPECT_EQ(format_duration(Duration::hours(26)), "1d2h");
  EXPECT_EQ(format_duration(Duration::days(3)), "3d");
  EXPECT_EQ(format_duration(Duration::milliseconds(60'250)), "1min250ms");
  EXPECT_EQ(format_duration(Duration::hours(1) + Duration::milliseconds(1)), "1h1ms");
  EXPECT_EQ(format_duration(Duration::milliseconds(-90'000)), "-1min30s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  const std::int64_t cases[] = {0,
                                1,
                                999,
                                1'000,
                                1'001,
                                59'999,
                                60'000,
                                3'599'999,
                                3'600'000,
                                86'399'999,
                                86'400'000,
                                90'061'001,
                                123'456'789,
                                987'654'321'012,
                                std::numeric_limits<std::int64_t>::max()};
  for (std::int64_t ms : cases) {
    const Duration d = Duration::milliseconds(ms);
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
  for (const char* text : {"250ms", "30s", "2.5s", "5min", "1h30min", "1d2h", "1d1h1min1.001s"}) {
    EXPECT_EQ(format_duration(parse_duration(text)), text);
  }
  // Non-canonical input comes back in its shortest form.
  EXPECT_EQ(format_duration(parse_duration("1.5h")), "1h30min");
  EXPECT_EQ(format_duration(parse_duration("120min")), "2h");
  EXPECT_EQ(format_duration(parse_duration("1000ms")), "1s");
}

TEST(Duration, FromSecondsRoundsToTheNearestMillisecond) {
  EXPECT_EQ(Duration::from_seconds(1.5), Duration::milliseconds(1'500));
  EXPECT_EQ(Duration::from_seconds(0.0004), Duration{});
  EXPECT_EQ(Duration::from_seconds(0.0006), Duration::milliseconds(1));
  EXPECT_EQ(Duration::from_seconds(-2.0006), Duration::milliseconds(-2'001));
  EXPECT_EQ(Duration::from_seconds(86'400.0 * 365), Duration::days(365));
}

TEST(ParseTimestamp, ReadsMinutesAndSeconds) {
  EXPECT_EQ(parse_timestamp_ms("1970-01-01T00:00"), 0);
  EXPECT_EQ(parse_timestamp_ms("1970-01-01T00:00:01"), 1'000);
  EXPECT_EQ(parse_timestamp_ms("1969-12-31T23:59:59"), -1'000);
  // 2012-08-01 is day 15553 of the Unix epoch.
  EXPECT_EQ(parse_timestamp_ms("2012-08-01T09:30"),
            15'553 * 86'400'000LL + (9 * 60 + 30) * 60'000LL);
  EXPECT_EQ(parse_timestamp_ms("2012-08-01T09:30"), parse_timestamp_ms("2012-08-01T09:30:00"));
  EXPECT_EQ(parse_timestamp_ms("2012-02-29T00:00"),
            parse_timestamp_ms("2012-02-28T00:00") + 86'400'000LL);
}

class BadTimestamps : public testing::TestWithParam<BadDuration> {};

TEST_P(BadTimestamps, NameTheTextTheReasonAndTheAcceptedForms) {
  const BadDuration& bad = GetParam();
  const std::string message = timestamp_error(bad.text);
  ASSERT_FALSE(message.empty()) << bad.text << " parsed";
  EXPECT_EQ(message.find("\"" + std::string(bad.text) + "\" is not a timestamp"), 0u) << message;
  EXPECT_NE(message.find("expected \"YYYY-MM-DDTHH:MM\" or \"YYYY-MM-DDTHH:MM:SS\""),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(bad.reason), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    ParseTimestamp, BadTimestamps,
    testing::Values(BadDuration{"", ""}, BadDuration{"2012-08-01", ""},
                    BadDuration{"2012-08-01 09:30:00", ""}, BadDuration{"2012-8-01T09:30", ""},
                    BadDuration{"2012-08-01T09:30:00Z", ""}, BadDuration{"2012-08-01T9:30:00", ""},
                    BadDuration{"2012-08-01T09:30:0x", ""}, BadDuration{"20120801T093000", ""},
                    BadDuration{"2012-13-01T09:30", "month 13 does not exist"},
                    BadDuration{"2012-00-01T09:30", "month 0 does not exist"},
                    BadDuration{"2012-02-30T09:30", "day 30 does not exist in 2012-02"},
                    BadDuration{"2011-02-29T09:30", "day 29 does not exist in 2011-02"},
                    BadDuration{"2012-04-31T09:30", "day 31 does not exist in 2012-04"},
                    BadDuration{"2012-04-00T09:30", "day 0 does not exist"},
                    BadDuration{"2012-08-01T24:00", "hour 24 does not exist"},
                    BadDuration{"2012-08-01T09:60", "minute 60 does not exist"},
                    BadDuration{"2012-08-01T09:30:60", "second 60 does not exist"}));

TEST(WallClock, MapsTheKnightTimelineAcrossTheMonthEnd) {
  const WallClock clock("2012-07-27T08:00:00", "America/New_York");
  EXPECT_EQ(clock.zone(), "America/New_York");
  // 27 Jul 08:00 → 1 Aug 09:30 is 5 days 1.5 hours, across the end of July.
  const Time market_open = clock.at("2012-08-01T09:30:00");
  EXPECT_EQ(market_open, Time::zero() + Duration::days(5) + Duration::minutes(90));
  EXPECT_EQ(clock.at("2012-08-01T09:30"), market_open);
  EXPECT_EQ(clock.time_of_day(market_open), "09:30:00");
  EXPECT_EQ(clock.date_time(market_open), "2012-08-01 09:30:00");
  EXPECT_EQ(clock.date_time(Time::zero()), "2012-07-27 08:00:00");
  EXPECT_EQ(clock.time_of_day(market_open + Duration::milliseconds(45'999)), "09:30:45");
  EXPECT_EQ(clock.origin_epoch_ms(), parse_timestamp_ms("2012-07-27T08:00:00"));
}

TEST(WallClock, CrossesMonthAndYearEndsAndLeapDays) {
  const WallClock clock("2011-12-31T23:59:30");
  EXPECT_EQ(clock.date_time(Time::from_ms(30'000)), "2012-01-01 00:00:00");
  EXPECT_EQ(clock.date_time(Time::zero() + Duration::days(60)), "2012-02-29 23:59:30");
  EXPECT_EQ(clock.date_time(Time::zero() + Duration::days(61)), "2012-03-01 23:59:30");
  EXPECT_EQ(clock.at("2012-03-01T00:00"),
            Time::zero() + Duration::days(60) + Duration::seconds(30));
}

TEST(WallClock, PrintsTimesBeforeTheOrigin) {
  const WallClock clock("2012-08-01T00:00:00");
  const Time before = clock.at("2012-07-31T23:59:59");
  EXPECT_EQ(before, Time::from_ms(-1'000));
  EXPECT_EQ(clock.time_of_day(before), "23:59:59");
  EXPECT_EQ(clock.date_time(before), "2012-07-31 23:59:59");
  // Part of a second before midnight is still in the previous second.
  EXPECT_EQ(clock.time_of_day(Time::from_ms(-1)), "23:59:59");
  EXPECT_EQ(clock.date_time(Time::zero() - Duration::days(366)), "2011-08-01 00:00:00");
}

TEST(WallClock, RejectsABadOrigin) {
  EXPECT_THROW(WallClock("2012-02-30T08:00:00"), TimeFormatError);
  EXPECT_THROW(WallClock("yesterday"), TimeFormatError);
}

TEST(TimeOfDay, ReadsHoursMinutesAndOptionalSeconds) {
  EXPECT_EQ(parse_time_of_day_ms("14:00"), 14 * 3'600'000);
  EXPECT_EQ(parse_time_of_day_ms("9:30:15"), (9 * 3600 + 30 * 60 + 15) * 1'000);
  EXPECT_EQ(parse_time_of_day_ms("00:00"), 0);
  for (const char* bad : {"", "14", "24:00", "10:60", "10:00:60", "10:", ":30", "1:2:3:4", "100:00",
                          "10h30", " 10:00"}) {
    EXPECT_FALSE(parse_time_of_day_ms(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace deploysim::engine
