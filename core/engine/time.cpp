#include "engine/time.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/excerpt.hpp"

namespace deploysim::engine {

namespace {

constexpr std::int64_t ms_per_day = 86'400'000;

constexpr std::string_view duration_forms =
    "expected a number followed by ms, s, min, h or d (e.g. \"250ms\", \"30s\", \"5min\", "
    "\"2h\", \"1d\", \"1h30min\")";

[[noreturn]] void duration_error(std::string_view text, std::string_view reason = {}) {
  std::string message = "\"" + excerpt(text) + "\" is not a duration: ";
  if (!reason.empty()) message += std::string(reason) + "; ";
  message += duration_forms;
  throw TimeFormatError(message);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Milliseconds per unit, or 0 when `unit` is not one. Ordered largest first, which is the order
/// the parts of a compound duration ("1h30min") must follow.
struct UnitInfo {
  std::string_view name;
  std::int64_t ms;
};
constexpr UnitInfo units[] = {
    {"d", ms_per_day}, {"h", 3'600'000}, {"min", 60'000}, {"s", 1'000}, {"ms", 1}};

/// round(0.<digits> * unit_ms), ties up, computed exactly in decimal so that "0.0005s" is 1ms
/// whatever binary floating point would make of it.
std::int64_t round_fraction(std::string_view digits, std::int64_t unit_ms) {
  std::vector<std::int64_t> product(digits.begin(), digits.end());
  std::int64_t carry = 0;
  for (auto it = product.rbegin(); it != product.rend(); ++it) {
    const std::int64_t v = (*it - '0') * unit_ms + carry;
    *it = v % 10;
    carry = v / 10;
  }
  // `carry` is the whole part (below unit_ms); the first digit after the point decides rounding.
  return carry + (!product.empty() && product.front() >= 5 ? 1 : 0);
}

/// Floor division and modulo, so that times before the epoch still print as a time of day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

constexpr std::string_view timestamp_forms =
    "expected \"YYYY-MM-DDTHH:MM\" or \"YYYY-MM-DDTHH:MM:SS\" (e.g. \"2012-08-01T09:30:00\")";

[[noreturn]] void timestamp_error(std::string_view text, std::string_view reason = {}) {
  std::string message = "\"" + excerpt(text) + "\" is not a timestamp: ";
  if (!reason.empty()) message += std::string(reason) + "; ";
  message += timestamp_forms;
  throw TimeFormatError(message);
}

/// The digits at [pos, pos + count) as a number, or -1 if any is not a digit.
int read_digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

struct CalendarTime {
  std::chrono::year_month_day date;
  std::int64_t ms_of_day;
};

CalendarTime to_calendar(std::int64_t epoch_ms) {
  const std::int64_t day = floor_div(epoch_ms, ms_per_day);
  return {std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}},
          epoch_ms - day * ms_per_day};
}

std::string format_time_of_day(std::int64_t ms_of_day) {
  const std::int64_t s = ms_of_day / 1'000;
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", static_cast<int>(s / 3'600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return buffer;
}

/// origin + t without overflow: a trace may ask for Time::max(), which must not be UB.
std::int64_t add_saturating(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

}  // namespace

Duration Duration::from_seconds(double s) {
  return Duration(static_cast<std::int64_t>(std::llround(s * 1'000.0)));
}

Duration parse_duration(std::string_view text) {
  if (text.empty()) duration_error(text, "it is empty");
  if (text.front() == '-') duration_error(text, "a duration cannot be negative");
  if (text.front() == '+') duration_error(text, "write the number without a sign");

  std::int64_t total = 0;
  std::size_t pos = 0;
  std::size_t previous_unit = std::size(units);  // index into `units`; none yet
  while (pos < text.size()) {
    // Number: digits, optionally '.' and more digits.
    const std::size_t number_start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    const std::string_view whole = text.substr(number_start, pos - number_start);
    std::string_view fraction;
    if (pos < text.size() && text[pos] == '.') {
      const std::size_t fraction_start = ++pos;
      while (pos < text.size() && is_digit(text[pos])) ++pos;
      fraction = text.substr(fraction_start, pos - fraction_start);
      if (whole.empty() || fraction.empty()) {
        duration_error(text, "a number needs digits on both sides of its decimal point");
      }
    }
    if (whole.empty()) {
      if (number_start < text.size() && is_space(text[number_start])) {
        duration_error(text, "spaces are not allowed");
      }
      if (number_start < text.size() && is_letter(text[number_start])) {
        duration_error(text, "a number must come before the unit");
      }
      duration_error(text);
    }

    // Unit: the letters that follow.
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E') && pos + 1 < text.size() &&
        (is_digit(text[pos + 1]) || text[pos + 1] == '+' || text[pos + 1] == '-')) {
      duration_error(text, "exponents are not allowed");
    }
    bool spaced = false;
    while (pos < text.size() && is_space(text[pos])) {
      spaced = true;
      ++pos;
    }
    const std::size_t unit_start = pos;
    while (pos < text.size() && is_letter(text[pos])) ++pos;
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      if (spaced) duration_error(text, "spaces are not allowed");
      duration_error(text, pos == text.size() ? "the unit is missing"
                                              : "unexpected \"" + std::string(1, text[pos]) + "\"");
    }
    std::size_t index = 0;
    while (index < std::size(units) && units[index].name != unit) ++index;
    if (index == std::size(units)) {
      if (unit == "m") {
        duration_error(text,
                       "the unit \"m\" is ambiguous: write \"min\" for minutes or \"ms\" for "
                       "milliseconds");
      }
      duration_error(text, "unknown unit \"" + std::string(unit) + "\"");
    }
    if (spaced) duration_error(text, "spaces are not allowed");
    if (index <= previous_unit && previous_unit != std::size(units)) {
      duration_error(text, "the parts must go from the largest unit to the smallest, each once");
    }
    previous_unit = index;

    const std::int64_t unit_ms = units[index].ms;
    std::int64_t value = 0;
    bool overflow = false;
    for (char c : whole) {
      overflow = overflow || __builtin_mul_overflow(value, std::int64_t{10}, &value) ||
                 __builtin_add_overflow(value, std::int64_t{c - '0'}, &value);
    }
    overflow = overflow || __builtin_mul_overflow(value, unit_ms, &value) ||
               __builtin_add_overflow(value, round_fraction(fraction, unit_ms), &value) ||
               __builtin_add_overflow(total, value, &total);
    if (overflow) duration_error(text, "too large (the limit is about 290 million years)");
  }
  return Duration::milliseconds(total);
}

std::string format_duration(Duration d) {
  const std::int64_t signed_ms = d.ms();
  if (signed_ms == 0) return "0s";
  // Unsigned so that the most negative value still has a magnitude.
  std::uint64_t ms = signed_ms < 0 ? 0 - static_cast<std::uint64_t>(signed_ms)
                                   : static_cast<std::uint64_t>(signed_ms);
  std::string out = signed_ms < 0 ? "-" : "";
  for (const UnitInfo& unit : units) {
    const auto unit_ms = static_cast<std::uint64_t>(unit.ms);
    if (unit.name == "s") break;
    if (ms >= unit_ms) {
      out += std::to_string(ms / unit_ms) + std::string(unit.name);
      ms %= unit_ms;
    }
  }
  if (ms >= 1'000) {
    out += std::to_string(ms / 1'000);
    if (ms % 1'000 != 0) {
      char fraction[8];
      std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(ms % 1'000));
      std::string_view f = fraction;
      while (f.back() == '0') f.remove_suffix(1);
      out += f;
    }
    out += "s";
  } else if (ms > 0) {
    out += std::to_string(ms) + "ms";
  }
  return out;
}

std::optional<std::int64_t> parse_time_of_day_ms(std::string_view text) {
  std::int64_t fields[3] = {0, 0, 0};
  int count = 0;
  std::size_t digits = 0;
  for (const char c : text) {
    if (c == ':') {
      if (digits == 0 || ++count > 2) return std::nullopt;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 2) {
      fields[count] = fields[count] * 10 + (c - '0');
      ++digits;
    } else {
      return std::nullopt;
    }
  }
  if (count == 0 || digits == 0 || fields[0] > 23 || fields[1] > 59 || fields[2] > 59) {
    return std::nullopt;
  }
  return ((fields[0] * 60 + fields[1]) * 60 + fields[2]) * std::int64_t{1'000};
}

std::int64_t parse_timestamp_ms(std::string_view text) {
  // Fixed positions: YYYY-MM-DDTHH:MM[:SS]
  const bool with_seconds = text.size() == 19;
  if ((text.size() != 16 && !with_seconds) || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || (with_seconds && text[16] != ':')) {
    timestamp_error(text);
  }
  const int year = read_digits(text, 0, 4);
  const int month = read_digits(text, 5, 2);
  const int day = read_digits(text, 8, 2);
  const int hour = read_digits(text, 11, 2);
  const int minute = read_digits(text, 14, 2);
  const int second = with_seconds ? read_digits(text, 17, 2) : 0;
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    timestamp_error(text);
  }
  if (month < 1 || month > 12) {
    timestamp_error(text, "month " + std::to_string(month) + " does not exist");
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) {
    timestamp_error(text, "day " + std::to_string(day) + " does not exist in " +
                              std::string(text.substr(0, 7)));
  }
  if (hour > 23) timestamp_error(text, "hour " + std::to_string(hour) + " does not exist");
  if (minute > 59) timestamp_error(text, "minute " + std::to_string(minute) + " does not exist");
  if (second > 59) timestamp_error(text, "second " + std::to_string(second) + " does not exist");

  const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  return days * ms_per_day + ((hour * 60 + minute) * 60 + second) * std::int64_t{1'000};
}

WallClock::WallClock(std::string_view origin, std::string zone)
    : origin_epoch_ms_(parse_timestamp_ms(origin)), zone_(std::move(zone)) {}

Time WallClock::at(std::string_view timestamp) const {
  return Time::from_ms(parse_timestamp_ms(timestamp) - origin_epoch_ms_);
}

std::string WallClock::time_of_day(Time t) const {
  return format_time_of_day(to_calendar(add_saturating(origin_epoch_ms_, t.ms())).ms_of_day);
}

std::string WallClock::date_time(Time t) const {
  const CalendarTime c = to_calendar(add_saturating(origin_epoch_ms_, t.ms()));
  char date[32];
  std::snprintf(date, sizeof date, "%04d-%02u-%02u ", static_cast<int>(c.date.year()),
                static_cast<unsigned>(c.date.month()), static_cast<unsigned>(c.date.day()));
  return date + format_time_of_day(c.ms_of_day);
}

}  // namespace deploysim::engine
