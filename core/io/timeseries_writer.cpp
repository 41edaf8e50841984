#include "io/timeseries_writer.hpp"

#include <charconv>
#include <ostream>

namespace deploysim::io {

namespace {

engine::Time time_of_row(const model::TimeSeries& series, std::size_t row) {
  return engine::Time::from_ms(static_cast<std::int64_t>(series.values[0][row] * 1000.0 + 0.5));
}

// A run within one calendar day prints the time of day; one that crosses midnight prints the
// date too, or the rows of different days would read the same.
bool spans_days(const model::TimeSeries& series, const engine::WallClock& clock) {
  if (series.rows() == 0) return false;
  const auto day = [&](std::size_t row) {
    return clock.date_time(time_of_row(series, row)).substr(0, 10);
  };
  return day(0) != day(series.rows() - 1);
}

}  // namespace

void write_timeseries_csv(std::ostream& out, const model::TimeSeries& series,
                          const std::optional<engine::WallClock>& clock) {
  const bool dated = clock && spans_days(series, *clock);
  for (std::size_t c = 0; c < series.columns.size(); ++c) {
    out << (c ? "," : "") << series.columns[c];
    if (c == 0 && clock) out << ",clock";
  }
  out << '\n';
  char buffer[32];
  for (std::size_t row = 0; row < series.rows(); ++row) {
    for (std::size_t c = 0; c < series.columns.size(); ++c) {
      const double value = series.values[c][row];
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
      out << (c ? "," : "") << std::string_view(buffer, static_cast<std::size_t>(end - buffer));
      if (c == 0 && clock) {
        const engine::Time t = time_of_row(series, row);
        out << ',' << (dated ? clock->date_time(t) : clock->time_of_day(t));
      }
    }
    out << '\n';
  }
}

}  // namespace deploysim::io
