#pragma once

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim demo`: the kernel demo of servers failing and restarting.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
