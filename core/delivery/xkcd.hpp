#pragma once
// xkcd 1205, "Is It Worth the Time?": how long you can spend automating a routine task before
// you spend more time than you save across five years. The table is computed from the comic's
// formula (5 years x runs per year x time saved per run) and rendered in the comic's units; the
// comic's own cells are kept beside it so that the four cells it rounds lower than the formula,
// and its grey cells, can be shown and tested.

#include <array>
#include <string>
#include <string_view>

namespace deploysim::delivery {

/// One column of the comic: how often the task is done.
struct XkcdFrequency {
  std::string_view label;  ///< as drawn: "50/day", "weekly", ...
  double per_year;         ///< runs per year (365 days, 52 weeks, 12 months a year)
};

/// One row of the comic: how much time each run saves.
struct XkcdSaving {
  std::string_view label;  ///< as drawn: "1 second", "30 minutes", ...
  double seconds;          ///< time saved per run, in seconds
};

/// The units the comic writes its cells in.
enum class XkcdUnit { seconds, minutes, hours, days, weeks, months };

/// A duration in one unit, rounded down: "4 weeks", "21 minutes", "1 day".
struct XkcdAmount {
  long long count = 0;
  XkcdUnit unit = XkcdUnit::seconds;
  /// The amount as the comic writes it ("1 day", "12 hours").
  std::string text() const;
};

/// Seconds in one `unit` (a month is 365/12 days).
double seconds_per(XkcdUnit unit);
/// "minute" / "minutes" and so on.
std::string_view unit_name(XkcdUnit unit, bool plural);

/// The break-even time of the comic's caption, in seconds: 5 years x runs per year x saving.
double xkcd_break_even_seconds(double runs_per_year, double seconds_saved_per_run);

/// The unit the comic would use for `seconds`: seconds below a minute, minutes below an hour,
/// hours below a day, days below two weeks, weeks below 64 days, months beyond. The 64-day
/// boundary is read off the comic (63.4 days is drawn in weeks, 65 days in months).
XkcdUnit xkcd_unit_for(double seconds);

/// `seconds` rounded down in `unit`.
XkcdAmount xkcd_amount(double seconds, XkcdUnit unit);
/// `seconds` rounded down in xkcd_unit_for(seconds).
XkcdAmount xkcd_amount(double seconds);

/// Why a cell is grey in the comic, if it is.
enum class XkcdGrey {
  no,          ///< a number is drawn
  impossible,  ///< the saving per day reaches a whole day: cannot be saved
  comic_only,  ///< possible, but the comic greys it anyway ("almost worth it no matter what")
};

/// One cell of the table: the formula's value and the comic's.
struct XkcdCell {
  XkcdFrequency frequency;
  XkcdSaving saving;
  double exact_seconds = 0.0;  ///< the formula's break-even time
  XkcdGrey grey = XkcdGrey::no;
  XkcdAmount formula;      ///< exact_seconds rounded down in the comic's unit for it
  std::string_view comic;  ///< the cell as drawn ("" for grey cells)
  /// The comic's value in its own unit, and whether it is lower than the formula rounded down
  /// in that unit (the four cells the comic rounds differently).
  XkcdAmount comic_amount;
  bool comic_rounds_lower = false;
  /// The formula in the comic's unit without rounding, e.g. 9.05 for "9.05 weeks".
  double exact_in_comic_unit = 0.0;
};

/// The comic's columns, left to right.
const std::array<XkcdFrequency, 6>& xkcd_frequencies();
/// The comic's rows, top to bottom.
const std::array<XkcdSaving, 9>& xkcd_savings();
/// The cell in row `row` (saving) and column `column` (frequency).
XkcdCell xkcd_cell(std::size_t row, std::size_t column);

}  // namespace deploysim::delivery
