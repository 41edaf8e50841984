#pragma once
// Small helpers for human-readable command output.

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "delivery/limits.hpp"
#include "engine/time.hpp"
#include "input/input_error.hpp"

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

/// Prints "error: MESSAGE" to stderr and returns kExitUsage.
int input_error(const std::string& message);
/// Prints each problem of an input error to stderr and returns kExitUsage.
int report(const input::InputError& error);
/// A line of a wider two-column summary (30 columns of label), for the delivery commands.
std::string line(std::string_view label, std::string_view value);
/// Three significant digits, without a trailing ".000": 3, 0.5, 0.000131.
std::string general(double value);
/// A fixed number of decimals.
std::string fixed(double value, int decimals);
/// Writes `file` with `write` through io::write_output_file (checked, renamed into place); on
/// failure reports it and returns kExitUsage.
std::optional<int> write_file(const std::string& file,
                              const std::function<void(std::ostream&)>& write);

/// Core messages name a quantity ("defect probability: expected ..."), never a flag: the
/// command says which of its flags set it. `flags` maps the quantity each message starts with
/// to the flag; a message about no listed quantity is returned as it is.
std::string name_the_flag(const std::string& message,
                          const std::vector<std::pair<std::string, std::string>>& flags);

/// `parse()` of a flag's value, with a bad value's std::invalid_argument prefixed by the flag:
/// "--interval: \"5 mins\" is not a duration: ...".
template <class Parse>
auto parse_flag(const std::string& flag, Parse&& parse) {
  try {
    return std::forward<Parse>(parse)();
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(flag + ": " + error.what());
  }
}

/// A work limit's message with each config key of its estimate replaced by the flag that set
/// it (`keys` maps key to flag): "--changes-per-day × --horizon in days = ...".
std::string name_the_flags(const delivery::WorkLimitError& error,
                           const std::vector<std::pair<std::string, std::string>>& keys);

/// Refuses a --replicas below 1 or above the work limit (delivery::check_replicas), naming it.
std::optional<int> refuse_replicas(std::int64_t replicas);

/// With --config a model comes from the file, and its flags would be a second, silent source:
/// refuses `given` (the model flags on the command line), suggesting --set `example_set`.
std::optional<int> refuse_model_flags(const std::vector<std::string>& given,
                                      const std::string& example_set);
/// The options among `names` that the user gave to `command`.
std::vector<std::string> flags_given(const CLI::App& command,
                                     const std::vector<std::string>& names);

}  // namespace deploysim::cli
