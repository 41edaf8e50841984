#pragma once

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim sweep`: Monte Carlo and parameter grids.
void add_sweep_command(CLI::App& app, int& exit_code);
/// Registers `deploysim compare`: variants on common random numbers with paired CIs.
void add_compare_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
