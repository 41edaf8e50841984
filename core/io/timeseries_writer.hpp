#pragma once
// Writes a run's time series as CSV: one row per monitoring sample, one column per metric.

#include <iosfwd>
#include <optional>

#include "engine/time.hpp"
#include "model/monitoring.hpp"

namespace deploysim::io {

/// Columns as in the series; a "clock" column follows time_s when a wall clock is given.
/// Numbers are written in their shortest exact form, so the file reads back bit for bit.
void write_timeseries_csv(std::ostream& out, const model::TimeSeries& series,
                          const std::optional<engine::WallClock>& clock = {});

}  // namespace deploysim::io
