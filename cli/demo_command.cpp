#include "demo_command.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "exit_codes.hpp"
#include "input/utf8.hpp"
#include "io/trace_writers.hpp"
#include "model/restart_demo.hpp"
#include "output.hpp"
#include "seed_option.hpp"

namespace deploysim::cli {

namespace {

struct DemoOptions {
  int servers = 8;
  std::string horizon = "24h";
  std::string time_to_failure = "exponential(6h)";
  std::string restart_time = "lognormal(5min, 0.5)";
  std::uint64_t seed = 1;
  std::string trace_file;
  bool json = false;
};

void print_text(const DemoOptions& options, const model::RestartDemoResult& result,
                double wall_seconds) {
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.3f%%", result.availability * 100.0);
  std::cout << "deploysim demo: " << options.servers << " servers failing at "
            << options.time_to_failure << " and restarting in " << options.restart_time << ",\n"
            << options.horizon << " of simulated time, seed " << options.seed << "\n\n"
            << summary_line("failures", std::to_string(result.failures)) << '\n'
            << summary_line("restarts completed", std::to_string(result.restarts_completed)) << '\n'
            << summary_line("fleet availability", percent) << '\n'
            << summary_line("total downtime", clock_duration(result.total_downtime)) << '\n';
  if (result.longest_outage_server >= 0) {
    std::cout << summary_line("longest outage",
                              clock_duration(result.longest_outage) + " on " +
                                  model::demo_server_name(result.longest_outage_server))
              << '\n';
  }
  std::cout << summary_line("events processed", thousands(result.events_processed)) << '\n'
            << summary_line("wall time", wall_time(wall_seconds)) << '\n';
}

void print_json(const DemoOptions& options, const model::RestartDemoResult& result) {
  nlohmann::ordered_json out;
  out["servers"] = options.servers;
  out["horizon_s"] = engine::parse_duration(options.horizon).to_seconds();
  out["seed"] = options.seed;
  out["failures"] = result.failures;
  out["restarts_completed"] = result.restarts_completed;
  out["availability"] = result.availability;
  out["total_downtime_s"] = result.total_downtime.to_seconds();
  out["longest_outage_s"] = result.longest_outage.to_seconds();
  out["events_processed"] = result.events_processed;
  std::cout << input::dump_json(out, 2) << '\n';
}

int run_demo(const DemoOptions& options) {
  model::RestartDemoConfig config;
  config.servers = options.servers;
  config.seed = options.seed;
  try {
    config.horizon = engine::parse_duration(options.horizon);
    if (config.horizon <= engine::Duration{}) {
      throw engine::TimeFormatError("--horizon must be positive, found \"" + options.horizon +
                                    "\"");
    }
    using Unit = engine::Distribution::Unit;
    config.time_to_failure = engine::Distribution::parse(options.time_to_failure, Unit::duration);
    config.restart_time = engine::Distribution::parse(options.restart_time, Unit::duration);
  } catch (const engine::TimeFormatError& error) {
    std::cerr << "deploysim demo: " << error.what() << '\n';
    return kExitUsage;
  }

  std::unique_ptr<io::TraceFile> trace;
  if (!options.trace_file.empty()) {
    try {
      trace = io::open_trace_file(options.trace_file);
    } catch (const std::exception& error) {
      std::cerr << "deploysim demo: " << error.what() << '\n';
      return kExitUsage;
    }
  }

  const auto started = std::chrono::steady_clock::now();
  const auto result = model::run_restart_demo(config, trace.get());
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  if (options.json) {
    print_json(options, result);
  } else {
    print_text(options, result, wall.count());
  }
  if (trace) trace->finish();
  return kExitOk;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand(
      "demo", "Run the kernel demo: servers that fail at random and are restarted");
  demo->footer(
      "\nExamples:\n"
      "  deploysim demo\n"
      "  deploysim demo --servers 1000 --horizon 30d --seed 7\n"
      "  deploysim demo --restart-time 'exponential(20min)' --trace demo.jsonl\n"
      "\nDistributions: a duration (\"30s\") or exponential(mean), lognormal(median, sigma),\n"
      "uniform(low, high), normal(mean, sd), weibull(shape, scale), empirical(v1, v2, ...).\n");
  demo->add_option("--servers", options->servers, "Number of servers")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  demo->add_option("--horizon", options->horizon, "Simulated time to run (e.g. 24h, 30d)")
      ->capture_default_str();
  demo->add_option("--time-to-failure", options->time_to_failure,
                   "Distribution of the time a server runs before it fails")
      ->capture_default_str();
  demo->add_option("--restart-time", options->restart_time,
                   "Distribution of the time a restart takes")
      ->capture_default_str();
  demo->add_option("--seed", options->seed, "Random seed; the same seed gives the same run")
      ->check(seed_check())
      ->capture_default_str();
  demo->add_option("--trace", options->trace_file,
                   "Write every failure and restart to FILE (.jsonl or .csv)");
  demo->add_flag("--json", options->json, "Print the summary as JSON");
  demo->callback([options, &exit_code] { exit_code = run_demo(*options); });
}

}  // namespace deploysim::cli
