#include "output.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace deploysim::cli {

std::string clock_duration(engine::Duration d) {
  std::int64_t total_s = d.ms() / 1000;
  const std::int64_t days = total_s / 86'400;
  total_s %= 86'400;
  char text[48];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(total_s / 3600),
                static_cast<long long>(total_s / 60 % 60), static_cast<long long>(total_s % 60));
  return days > 0 ? std::to_string(days) + "d " + text : std::string(text);
}

std::string wall_time(double seconds) {
  char text[32];
  if (seconds < 1.0) {
    std::snprintf(text, sizeof text, "%.2f ms", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.2f s", seconds);
  }
  return text;
}

std::string thousands(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::string summary_line(std::string_view label, std::string_view value) {
  constexpr std::size_t kLabelWidth = 24;
  std::string line = "  ";
  line += label;
  line.append(label.size() < kLabelWidth ? kLabelWidth - label.size() : 1, ' ');
  line += value;
  return line;
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line = " ";
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      line += " " + rows[r][c];
      if (c + 1 < rows[r].size()) line.append(widths[c] - rows[r][c].size() + 1, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
    if (r == 0) {
      std::size_t total = 1;
      for (std::size_t c = 0; c < widths.size(); ++c) total += widths[c] + 2;
      out << "  " << std::string(total - 3, '-') << '\n';
    }
  }
}

}  // namespace deploysim::cli
