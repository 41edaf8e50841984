#include "io/timeseries_writer.hpp"

#include <charconv>
#include <ostream>

namespace deploysim::io {

void write_timeseries_csv(std::ostream& out, const model::TimeSeries& series,
                          const std::optional<engine::WallClock>& clock) {
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
        out << ','
            << clock->time_of_day(
                   engine::Time::from_ms(static_cast<std::int64_t>(value * 1000.0 + 0.5)));
      }
    }
    out << '\n';
  }
}

}  // namespace deploysim::io
