#pragma once

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim run`: runs a scenario and tells what happened.
void add_run_command(CLI::App& app, int& exit_code);
/// Registers `deploysim validate`: checks scenario files without running them.
void add_validate_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
