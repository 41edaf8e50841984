#pragma once

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim verify`: every schedule of at most k faults against a plan's properties.
void add_verify_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
