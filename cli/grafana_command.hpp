#pragma once

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim grafana`: a scenario's Grafana dashboard for exported runs.
void add_grafana_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
