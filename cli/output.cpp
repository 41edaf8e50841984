#include "output.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>

#include "exit_codes.hpp"
#include "io/output_file.hpp"

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

int input_error(const std::string& message) {
  std::cerr << "error: " << message << '\n';
  return kExitUsage;
}

int report(const input::InputError& error) {
  for (const auto& problem : error.problems()) std::cerr << "error: " << problem.message() << '\n';
  return kExitUsage;
}

std::string line(std::string_view label, std::string_view value) {
  constexpr std::size_t kLabelWidth = 30;
  std::string text = "  ";
  text += label;
  text.append(label.size() < kLabelWidth ? kLabelWidth - label.size() : 1, ' ');
  text += value;
  return text;
}

std::string general(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::optional<int> write_file(const std::string& file,
                              const std::function<void(std::ostream&)>& write) {
  try {
    io::write_output_file(file, write);
  } catch (const io::OutputError& error) {
    return input_error(error.what());
  }
  return std::nullopt;
}

std::string name_the_flag(const std::string& message,
                          const std::vector<std::pair<std::string, std::string>>& flags) {
  for (const auto& [quantity, flag] : flags) {
    if (message.rfind(quantity, 0) != 0) continue;
    // "hourly rate (USD): expected ..." becomes "--rate: expected ..."; a message that names
    // more than the quantity (a stage's name) keeps it after the flag.
    const auto colon = message.find(": ", quantity.size());
    const bool only_quantity = colon != std::string::npos &&
                               message.find('"', quantity.size()) > colon &&
                               quantity.find('"') == std::string::npos;
    return flag + ": " + (only_quantity ? message.substr(colon + 2) : message);
  }
  return message;
}

std::string name_the_flags(const delivery::WorkLimitError& error,
                           const std::vector<std::pair<std::string, std::string>>& keys) {
  return error.describe([&](const std::string& key) {
    for (const auto& [name, flag] : keys) {
      if (name == key) return flag;
    }
    return key;
  });
}

std::optional<int> refuse_model_flags(const std::vector<std::string>& given,
                                      const std::string& example_set) {
  if (given.empty()) return std::nullopt;
  std::string list;
  for (const auto& flag : given) list += (list.empty() ? "" : ", ") + flag;
  return input_error(list +
                     ": model flags cannot be combined with --config; change the file's "
                     "values with --set KEY=VALUE, e.g. --set " +
                     example_set);
}

std::vector<std::string> flags_given(const CLI::App& command,
                                     const std::vector<std::string>& names) {
  std::vector<std::string> given;
  for (const auto& name : names) {
    if (command.get_option(name)->count() > 0) given.push_back(name);
  }
  return given;
}

std::optional<int> refuse_replicas(std::int64_t replicas) {
  if (replicas < 1) return input_error("--replicas: expected at least 1");
  try {
    delivery::check_replicas(replicas);
  } catch (const delivery::WorkLimitError& error) {
    return input_error(name_the_flags(error, {{"replicas", "--replicas"}}));
  }
  return std::nullopt;
}

}  // namespace deploysim::cli
