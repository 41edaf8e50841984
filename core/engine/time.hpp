#pragma once
// Simulated time: integer milliseconds, so that a run never depends on floating-point rounding.

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deploysim::engine {

/// A span of simulated time in whole milliseconds. May be negative as the result of arithmetic;
/// parsed durations are never negative.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration milliseconds(std::int64_t ms) { return Duration(ms); }
  static constexpr Duration seconds(std::int64_t s) { return Duration(s * 1'000); }
  static constexpr Duration minutes(std::int64_t m) { return Duration(m * 60'000); }
  static constexpr Duration hours(std::int64_t h) { return Duration(h * 3'600'000); }
  static constexpr Duration days(std::int64_t d) { return Duration(d * 86'400'000); }
  /// Rounds to the nearest millisecond; the caller keeps `s` within range.
  static Duration from_seconds(double s);

  constexpr std::int64_t ms() const { return ms_; }
  constexpr double to_seconds() const { return static_cast<double>(ms_) / 1'000.0; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ms_ + o.ms_); }
  constexpr Duration operator-(Duration o) const { return Duration(ms_ - o.ms_); }
  constexpr Duration operator*(std::int64_t k) const { return Duration(ms_ * k); }
  constexpr Duration& operator+=(Duration o) {
    ms_ += o.ms_;
    return *this;
  }

 private:
  constexpr explicit Duration(std::int64_t ms) : ms_(ms) {}
  std::int64_t ms_ = 0;
};

/// A point of simulated time: milliseconds since the start of the run (time 0).
class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ms(std::int64_t ms) { return Time(ms); }
  static constexpr Time zero() { return Time(0); }
  /// Later than any event a run can schedule; used as "no limit".
  static constexpr Time max() { return Time(INT64_MAX); }

  constexpr std::int64_t ms() const { return ms_; }
  constexpr double to_seconds() const { return static_cast<double>(ms_) / 1'000.0; }
  constexpr Duration since_start() const { return Duration::milliseconds(ms_); }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return Time(ms_ + d.ms()); }
  constexpr Time operator-(Duration d) const { return Time(ms_ - d.ms()); }
  constexpr Duration operator-(Time o) const { return Duration::milliseconds(ms_ - o.ms_); }

 private:
  constexpr explicit Time(std::int64_t ms) : ms_(ms) {}
  std::int64_t ms_ = 0;
};

/// Thrown for text that is not a valid duration or timestamp; the message names the text and
/// the accepted forms, ready to show to a person.
class TimeFormatError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Parses "250ms", "30s", "5min", "2h", "1d" (a non-negative decimal number and a unit, no
/// spaces). Throws TimeFormatError otherwise, and for values beyond about 290 million years.
Duration parse_duration(std::string_view text);

/// Reads a time of day, "14:00" or "9:30:15" (hours, minutes and optional seconds of one or two
/// digits each), as milliseconds since midnight; nullopt for anything else.
std::optional<std::int64_t> parse_time_of_day_ms(std::string_view text);

/// Formats a duration in the largest units that keep it exact: "45min", "1h30min", "2.5s", "0s".
std::string format_duration(Duration d);

/// Maps simulated time to calendar time, so traces read "09:30:00" as incident reports do.
/// The zone is a label only (e.g. "America/New_York"): no daylight-saving arithmetic is done,
/// the origin is taken to be local time in that zone.
class WallClock {
 public:
  /// `origin` is "YYYY-MM-DDTHH:MM:SS" (seconds optional); it is simulated time 0.
  explicit WallClock(std::string_view origin, std::string zone = {});

  /// Simulated time of a timestamp in the same form as the origin; may be before time 0.
  Time at(std::string_view timestamp) const;
  /// "HH:MM:SS" of a simulated time.
  std::string time_of_day(Time t) const;
  /// "YYYY-MM-DD HH:MM:SS" of a simulated time.
  std::string date_time(Time t) const;
  const std::string& zone() const { return zone_; }
  /// Milliseconds of the origin since 1970-01-01T00:00:00 in the clock's zone.
  std::int64_t origin_epoch_ms() const { return origin_epoch_ms_; }

 private:
  std::int64_t origin_epoch_ms_ = 0;
  std::string zone_;
};

/// Milliseconds since 1970-01-01T00:00:00 of a "YYYY-MM-DDTHH:MM[:SS]" timestamp.
std::int64_t parse_timestamp_ms(std::string_view text);

}  // namespace deploysim::engine
