#include "delivery/xkcd.hpp"

#include <cmath>
#include <stdexcept>

#include "delivery/quantities.hpp"

namespace deploysim::delivery {

namespace {

// The cells as drawn, transcribed in shared/data/incidents.md section 4; "" is a grey cell.
// Kept only to compare with the formula: the table printed is computed.
constexpr std::string_view kComic[9][6] = {
    {"1 day", "2 hours", "30 minutes", "4 minutes", "1 minute", "5 seconds"},
    {"5 days", "12 hours", "2 hours", "21 minutes", "5 minutes", "25 seconds"},
    {"4 weeks", "3 days", "12 hours", "2 hours", "30 minutes", "2 minutes"},
    {"8 weeks", "6 days", "1 day", "4 hours", "1 hour", "5 minutes"},
    {"9 months", "4 weeks", "6 days", "21 hours", "5 hours", "25 minutes"},
    {"", "6 months", "5 weeks", "5 days", "1 day", "2 hours"},
    {"", "10 months", "2 months", "10 days", "2 days", "5 hours"},
    {"", "", "", "2 months", "2 weeks", "1 day"},
    {"", "", "", "", "8 weeks", "5 days"},
};

// Reads "12 hours" back into an amount.
XkcdAmount parse_amount(std::string_view text) {
  const auto space = text.find(' ');
  XkcdAmount amount;
  amount.count = std::stoll(std::string(text.substr(0, space)));
  const std::string_view word = text.substr(space + 1);
  for (XkcdUnit unit : {XkcdUnit::seconds, XkcdUnit::minutes, XkcdUnit::hours, XkcdUnit::days,
                        XkcdUnit::weeks, XkcdUnit::months}) {
    if (word == unit_name(unit, true) || word == unit_name(unit, false)) {
      amount.unit = unit;
      return amount;
    }
  }
  throw std::logic_error("xkcd table: unknown unit in \"" + std::string(text) + "\"");
}

}  // namespace

double seconds_per(XkcdUnit unit) {
  switch (unit) {
    case XkcdUnit::seconds:
      return 1.0;
    case XkcdUnit::minutes:
      return kMinute;
    case XkcdUnit::hours:
      return kHour;
    case XkcdUnit::days:
      return kDay;
    case XkcdUnit::weeks:
      return 7.0 * kDay;
    case XkcdUnit::months:
      return 365.0 / 12.0 * kDay;
  }
  return 1.0;
}

std::string_view unit_name(XkcdUnit unit, bool plural) {
  switch (unit) {
    case XkcdUnit::seconds:
      return plural ? "seconds" : "second";
    case XkcdUnit::minutes:
      return plural ? "minutes" : "minute";
    case XkcdUnit::hours:
      return plural ? "hours" : "hour";
    case XkcdUnit::days:
      return plural ? "days" : "day";
    case XkcdUnit::weeks:
      return plural ? "weeks" : "week";
    case XkcdUnit::months:
      return plural ? "months" : "month";
  }
  return "";
}

std::string XkcdAmount::text() const {
  return std::to_string(count) + " " + std::string(unit_name(unit, count != 1));
}

double xkcd_break_even_seconds(double runs_per_year, double seconds_saved_per_run) {
  return 5.0 * runs_per_year * seconds_saved_per_run;
}

XkcdUnit xkcd_unit_for(double seconds) {
  if (seconds < kMinute) return XkcdUnit::seconds;
  if (seconds < kHour) return XkcdUnit::minutes;
  if (seconds < kDay) return XkcdUnit::hours;
  if (seconds < 14.0 * kDay) return XkcdUnit::days;
  if (seconds < 64.0 * kDay) return XkcdUnit::weeks;
  return XkcdUnit::months;
}

XkcdAmount xkcd_amount(double seconds, XkcdUnit unit) {
  // A hair of tolerance so that 60 s is exactly "1 minute" despite binary fractions.
  return {static_cast<long long>(std::floor(seconds / seconds_per(unit) + 1e-9)), unit};
}

XkcdAmount xkcd_amount(double seconds) {
  return xkcd_amount(seconds, xkcd_unit_for(seconds));
}

const std::array<XkcdFrequency, 6>& xkcd_frequencies() {
  static const std::array<XkcdFrequency, 6> frequencies = {{{"50/day", 50.0 * 365.0},
                                                            {"5/day", 5.0 * 365.0},
                                                            {"daily", 365.0},
                                                            {"weekly", 52.0},
                                                            {"monthly", 12.0},
                                                            {"yearly", 1.0}}};
  return frequencies;
}

const std::array<XkcdSaving, 9>& xkcd_savings() {
  static const std::array<XkcdSaving, 9> savings = {{{"1 second", 1.0},
                                                     {"5 seconds", 5.0},
                                                     {"30 seconds", 30.0},
                                                     {"1 minute", kMinute},
                                                     {"5 minutes", 5.0 * kMinute},
                                                     {"30 minutes", 30.0 * kMinute},
                                                     {"1 hour", kHour},
                                                     {"6 hours", 6.0 * kHour},
                                                     {"1 day", kDay}}};
  return savings;
}

XkcdCell xkcd_cell(std::size_t row, std::size_t column) {
  XkcdCell cell;
  cell.frequency = xkcd_frequencies().at(column);
  cell.saving = xkcd_savings().at(row);
  cell.exact_seconds = xkcd_break_even_seconds(cell.frequency.per_year, cell.saving.seconds);
  cell.formula = xkcd_amount(cell.exact_seconds);
  cell.comic = kComic[row][column];
  // Saving a day or more per day is impossible; the runs per day of "weekly" and slower
  // columns are below one, so only the first three columns can reach it.
  const double runs_per_day = cell.frequency.per_year / 365.0;
  const bool impossible = runs_per_day * cell.saving.seconds >= kDay;
  if (impossible) {
    cell.grey = XkcdGrey::impossible;
  } else if (cell.comic.empty()) {
    cell.grey = XkcdGrey::comic_only;
  }
  if (!cell.comic.empty()) {
    cell.comic_amount = parse_amount(cell.comic);
    cell.exact_in_comic_unit = cell.exact_seconds / seconds_per(cell.comic_amount.unit);
    cell.comic_rounds_lower =
        cell.comic_amount.count < xkcd_amount(cell.exact_seconds, cell.comic_amount.unit).count;
  }
  return cell;
}

}  // namespace deploysim::delivery
