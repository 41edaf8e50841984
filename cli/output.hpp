#pragma once
// Small helpers for human-readable command output.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/time.hpp"

namespace deploysim::cli {

/// "HH:MM:SS" for a duration, with days as "Nd HH:MM:SS" when it is a day or longer.
std::string clock_duration(engine::Duration d);
/// A wall-clock figure measured by the CLI itself: "0.42 ms", "1.3 s".
std::string wall_time(double seconds);
/// "1,234,567".
std::string thousands(std::uint64_t value);
/// A line of a two-column summary table: "  label ......... value".
std::string summary_line(std::string_view label, std::string_view value);

/// Prints rows as columns separated by two spaces; the first row is the header, underlined.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace deploysim::cli
