#pragma once
// Long-horizon delivery commands: automation ROI (`roi`, including the xkcd 1205 table) and
// configuration drift (`drift`), and the release pipeline with DORA metrics (`pipeline`).

#include <CLI/CLI.hpp>

namespace deploysim::cli {

/// Registers `deploysim roi`: the xkcd table (--xkcd) or the deployment automation case.
void add_roi_command(CLI::App& app, int& exit_code);
/// Registers `deploysim drift`: configuration drift and convergence, simulated and analytic.
void add_drift_command(CLI::App& app, int& exit_code);
/// Registers `deploysim pipeline`: a release pipeline, its DORA metrics and interval sweeps.
void add_pipeline_command(CLI::App& app, int& exit_code);

}  // namespace deploysim::cli
