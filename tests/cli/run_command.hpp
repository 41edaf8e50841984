#pragma once
// Runs the deploysim binary as a user would and captures what it prints.

#include <string>

namespace deploysim::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  ///< standard output
  std::string err;  ///< standard error
};

/// Runs `deploysim ARGS` through the shell (ARGS is shell syntax) and waits for it.
CommandResult run_deploysim(const std::string& args);

/// The same, with `directory` as the working directory (for files found relative to it).
CommandResult run_deploysim_in(const std::string& directory, const std::string& args);

}  // namespace deploysim::testing
