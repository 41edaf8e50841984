#pragma once

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim check`: checks a deployment manifest, and optionally the observed
/// inventory, for fleet-level inconsistencies (rules DS001...; see docs/rules/).
void add_check_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
