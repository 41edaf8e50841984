#include "scenario_commands.hpp"

#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "exit_codes.hpp"
#include "export_targets.hpp"
#include "input/utf8.hpp"
#include "io/metrics_export.hpp"
#include "io/output_file.hpp"
#include "io/timeseries_writer.hpp"
#include "io/trace_writers.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "realtime.hpp"
#include "scenario/load.hpp"
#include "seed_option.hpp"
#include "simulation/narrative.hpp"
#include "simulation/simulation.hpp"
#include "verify/schedule.hpp"

namespace deploysim::cli {

namespace {

struct RunOptions {
  std::string scenario_file;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> overrides;
  bool json = false;
  std::string trace_file;
  std::string timeseries_file;
  std::vector<std::string> exports;
  bool export_per_host = false;
  std::string notifications_file;
  std::optional<double> realtime;
  std::string faults_file;
};

void print_story(const spec::Scenario& scenario, const simulation::Result& result) {
  std::cout << "What happened\n";
  std::string last_date;
  for (const auto& record : result.story) {
    std::string when = simulation::clock_text(scenario, record.time, true);
    // The date is printed when it changes, so a day's events read as a column of times.
    const auto space = when.find(' ');
    if (space != std::string::npos) {
      const std::string date = when.substr(0, space);
      if (date != last_date) {
        last_date = date;
      } else {
        when = std::string(space + 1, ' ') + when.substr(space + 1);
      }
    }
    std::cout << "  " << when << "  " << simulation::describe(record) << '\n';
  }
  if (result.story.empty()) std::cout << "  (nothing notable)\n";
}

std::string optional_minutes(const std::optional<double>& seconds, const char* absent) {
  return seconds ? simulation::minutes_text(*seconds) : absent;
}

void print_summary(const simulation::Summary& s, const std::string& target, double wall_seconds) {
  std::cout << "\nSummary\n"
            << summary_line("loss", simulation::money(s.loss_usd)) << '\n'
            << summary_line("time to detect",
                            optional_minutes(s.time_to_detect_s,
                                             s.incident_start_s ? "never" : "no incident"))
            << '\n'
            << summary_line("time to mitigate",
                            optional_minutes(s.time_to_mitigate_s,
                                             s.incident_start_s ? "not mitigated" : "no incident"))
            << '\n'
            << summary_line("time to recover",
                            optional_minutes(s.time_to_recover_s,
                                             s.incident_start_s ? "not recovered" : "no incident"))
            << '\n'
            << summary_line("incident duration",
                            optional_minutes(s.incident_duration_s, "no incident"))
            << '\n'
            << summary_line("deploy outcome", s.deploy_outcome) << '\n'
            << summary_line("hosts on " + target,
                            std::to_string(s.hosts_on_target_version) + " of " +
                                std::to_string(s.deployment_hosts) + " deployed to (" +
                                std::to_string(s.hosts_total) + " in the fleet)")
            << '\n'
            << summary_line("most hosts misbehaving", std::to_string(s.max_hosts_misbehaving))
            << '\n'
            << summary_line("alerts fired", std::to_string(s.alerts_fired) + " (" +
                                                std::to_string(s.alerts_ignored) + " ignored)")
            << '\n';
  if (s.signals_emitted > 0) {
    std::cout << summary_line("warning messages", std::to_string(s.signals_emitted)) << '\n';
  }
  if (s.commands_refused && *s.commands_refused > 0) {
    std::cout << summary_line("commands refused", std::to_string(*s.commands_refused)) << '\n';
  }
  if (s.flag_changes_blocked > 0) {
    std::cout << summary_line("flag changes blocked", std::to_string(s.flag_changes_blocked))
              << '\n';
  }
  for (const auto& change : s.changes) {
    std::cout << summary_line("change " + change.name,
                              std::string(strategy::change_outcome_name(change.outcome)) +
                                  " after " + std::to_string(change.stages_done) + " of " +
                                  std::to_string(change.stages_total) + " stage(s)" +
                                  (change.reason.empty() ? "" : " (" + change.reason + ")"))
              << '\n';
  }
  if (s.peak_utilization) {
    std::cout << summary_line("peak utilisation",
                              std::to_string(std::lround(*s.peak_utilization * 100.0)) + "%")
              << '\n'
              << summary_line("time overloaded",
                              simulation::minutes_text(s.overload_s.value_or(0.0)))
              << '\n'
              << summary_line("scaling events", std::to_string(s.scaling_events.value_or(0)))
              << '\n';
  }
  std::cout << summary_line("events processed", thousands(s.events_processed)) << '\n'
            << summary_line("seed", std::to_string(s.seed)) << '\n'
            << summary_line("wall time", wall_time(wall_seconds)) << '\n';
}

int print_result(const RunOptions& options, const spec::Scenario& scenario, std::uint64_t seed,
                 const simulation::Result& result, double wall_seconds);

// --realtime: paced, streaming to the influx exports; Ctrl-C ends it with the result so far.
int run_realtime(const RunOptions& options, const spec::Scenario& scenario, std::uint64_t seed,
                 engine::TraceSink* trace, std::vector<ExportTarget>& exports,
                 const io::HostRecords& host_records) {
  InterruptGuard interrupt;
  const auto started = std::chrono::steady_clock::now();
  LiveRun live = run_live(scenario, seed, trace, *options.realtime, exports, *interrupt.flag());
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  if (trace) trace->flush();
  const int printed = print_result(options, scenario, seed, live.result, wall.count());
  auto errors = std::move(live.errors);
  for (auto& error : finish_live(exports, scenario, live,
                                 options.export_per_host ? &host_records.records() : nullptr)) {
    errors.push_back(std::move(error));
  }
  for (const auto& error : errors) std::cerr << "error: export: " << error << '\n';
  if (live.interrupted) {
    std::cerr << "interrupted at "
              << simulation::clock_text(
                     scenario,
                     engine::Time::from_ms(std::llround(live.result.summary.end_s * 1000.0)), true)
              << ": the result covers the run so far\n";
    return kExitUsage;
  }
  return errors.empty() ? printed : kExitUsage;
}

// Per-host export writes a series per host: refused past the documented cap, before the run.
void check_host_cap(const spec::Scenario& scenario, bool exporting) {
  if (!exporting) throw std::runtime_error("--export-per-host: give an --export destination too");
  const std::int64_t hosts = io::fleet_hosts(scenario);
  if (hosts > io::kMaxExportedHosts) {
    throw std::runtime_error("--export-per-host: the fleet has " + std::to_string(hosts) +
                             " hosts; per-host export is capped at " +
                             std::to_string(io::kMaxExportedHosts) +
                             " series (leave it out for the service-level series)");
  }
}

simulation::Result run_once(const spec::Scenario& scenario, std::uint64_t seed,
                            engine::TraceSink* trace, std::optional<verify::Schedule>& faults) {
  if (!faults) return simulation::run(scenario, seed, trace);
  faults->seed = seed;
  return verify::replay(scenario, *faults, trace);
}

int run_scenario(const RunOptions& options) {
  std::optional<spec::Scenario> loaded;
  try {
    loaded = scenario::load_scenario(options.scenario_file, options.overrides);
  } catch (const input::InputError& error) {
    return report(error);
  }
  const spec::Scenario& scenario = *loaded;
  // A fault schedule (from verify) replays its run exactly: its seed, unless --seed overrides it.
  std::optional<verify::Schedule> faults;
  if (!options.faults_file.empty()) {
    try {
      faults = verify::read_schedule(options.faults_file, scenario);
    } catch (const input::InputError& error) {
      return report(error);
    }
    if (options.realtime) return input_error("--faults: not with --realtime");
  }
  const std::uint64_t seed = options.seed.value_or(faults ? faults->seed : scenario.seed);

  std::unique_ptr<io::TraceFile> trace;
  std::unique_ptr<io::OutputFile> timeseries_out;
  std::vector<ExportTarget> exports;
  io::HostRecords host_records;
  try {
    if (options.realtime && !(*options.realtime > 0.0 && std::isfinite(*options.realtime))) {
      std::ostringstream factor;
      factor << *options.realtime;
      throw std::runtime_error("--realtime " + factor.str() +
                               ": expected a speed-up above 0 (60 = a simulated minute a second)");
    }
    if (options.export_per_host) check_host_cap(scenario, !options.exports.empty());
    exports = open_export_targets(options.exports);
    if (!options.notifications_file.empty()) {
      exports.push_back(open_notification_log(options.notifications_file));
    }
    if (!options.trace_file.empty()) {
      trace = io::open_trace_file(options.trace_file, scenario.clock.wall);
    }
    if (!options.timeseries_file.empty()) {
      timeseries_out = std::make_unique<io::OutputFile>(options.timeseries_file);
    }
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
    return kExitUsage;
  }

  const auto started = std::chrono::steady_clock::now();
  TeeSink tee(trace.get(), options.export_per_host ? &host_records : nullptr);
  const bool teeing = trace || options.export_per_host;
  int code = kExitOk;
  if (options.realtime) {
    code = run_realtime(options, scenario, seed, teeing ? &tee : nullptr, exports, host_records);
  } else {
    const simulation::Result result = run_once(scenario, seed, teeing ? &tee : nullptr, faults);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    if (timeseries_out) {
      io::write_timeseries_csv(timeseries_out->stream(), result.timeseries, scenario.clock.wall);
    }
    // The result is printed first, so that an export that fails never costs the run's result.
    code = print_result(options, scenario, seed, result, wall.count());
    const auto errors = export_run(exports, scenario, result,
                                   options.export_per_host ? &host_records.records() : nullptr);
    for (const auto& error : errors) std::cerr << "error: export: " << error << '\n';
    if (!errors.empty()) code = kExitUsage;
  }
  // Each file is completed on its own: one that fails does not cost the other.
  const auto complete = [&code](const std::function<void()>& finish) {
    try {
      finish();
    } catch (const io::OutputError& error) {
      code = input_error(error.what());
    }
  };
  if (trace) complete([&] { trace->finish(); });
  if (timeseries_out) complete([&] { timeseries_out->commit(); });
  return code;
}

int print_result(const RunOptions& options, const spec::Scenario& scenario, std::uint64_t seed,
                 const simulation::Result& result, double wall_seconds) {
  if (options.json) {
    nlohmann::ordered_json out;
    out["scenario"] = scenario.name;
    out["file"] = scenario.file;
    out["deploysim_version"] = DEPLOYSIM_VERSION;
    out["summary"] = result.summary.to_json();
    auto& story = out["story"] = nlohmann::ordered_json::array();
    for (const auto& record : result.story) {
      story.push_back({{"time_s", record.time.to_seconds()},
                       {"clock", simulation::clock_text(scenario, record.time, true)},
                       {"event", record.event},
                       {"subject", record.subject},
                       {"text", simulation::describe(record)}});
    }
    std::cout << input::dump_json(out, 2) << '\n';
    return kExitOk;
  }
  std::cout << scenario.name << "  (" << scenario.file << ", seed " << seed << ")\n\n";
  print_story(scenario, result);
  print_summary(result.summary, scenario.deployment ? scenario.deployment->to : "target",
                wall_seconds);
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Run a scenario and tell what happened");
  run->footer(
      "\nExamples:\n"
      "  deploysim run scenarios/knight_capital_2012.json\n"
      "  deploysim run scenarios/knight_capital_2012.json --set deployment.preflight_gate=true\n"
      "  deploysim run SCENARIO --seed 7 --json --timeseries run.csv --trace run.jsonl\n"
      "  deploysim run SCENARIO --export influx=http://127.0.0.1:8086 --export openmetrics=run.om\n"
      "\n--set PATH=VALUE changes one value of the scenario before it runs: PATH is the keys\n"
      "joined by dots (array elements by index, e.g. timeline.0.at), VALUE is JSON or a plain\n"
      "string (30s, rolling). See docs/scenario-format.md for every key.\n");
  run->add_option("scenario", options->scenario_file, "Scenario file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--seed", options->seed,
                  "Random seed (default: the scenario's); the same seed gives the same run")
      ->check(seed_check());
  run->add_option("--set", options->overrides, "Override a scenario value: PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run->add_flag("--json", options->json, "Print the result as JSON (the result contract)");
  run->add_option("--trace", options->trace_file,
                  "Write every event, per host too, to FILE (.jsonl or .csv)");
  run->add_option("--timeseries", options->timeseries_file,
                  "Write the monitoring time series to FILE (CSV)");
  run->add_option("--export", options->exports,
                  "Export the time series and events: influx=URL (an InfluxDB 1.x server, "
                  "e.g. http://127.0.0.1:8086/write?db=deploysim), influx=FILE (line protocol) "
                  "or openmetrics=FILE (for promtool); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run->add_option("--notifications", options->notifications_file,
                  "Write each alert's OK/WARNING/CRITICAL transitions and who was notified to "
                  "FILE: Nagios-style log, or JSON for a .json name");
  run->add_option("--realtime", options->realtime,
                  "Run FACTOR times faster than the wall clock (60: a simulated minute a second), "
                  "streaming to the --export influx destinations as it goes; Ctrl-C stops");
  run->add_option("--faults", options->faults_file,
                  "Run under a fault schedule: a counterexample written by 'verify "
                  "--counterexample FILE'");
  run->add_flag("--export-per-host", options->export_per_host,
                "Add a series per host to the exports (fleets of at most 1,000 hosts)");
  run->callback([options, &exit_code] { exit_code = run_scenario(*options); });
}

void add_validate_command(CLI::App& app, int& exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* validate = app.add_subcommand("validate", "Check scenario files without running them");
  validate->footer(
      "\nPrints one line per file: OK, or each problem with its file, JSON pointer, what was\n"
      "expected and what was found. Exit code 0 when every file is valid, 2 otherwise.\n"
      "\nExample:\n  deploysim validate scenarios/knight_capital_2012*.json\n");
  validate->add_option("scenarios", *files, "Scenario files (JSON)")->required();
  validate->callback([files, &exit_code] {
    int code = kExitOk;
    for (const auto& file : *files) {
      try {
        const auto scenario = scenario::load_scenario(file);
        std::cout << file << ": OK (" << scenario.name << ")\n";
      } catch (const input::InputError& error) {
        code = report(error);
      }
    }
    exit_code = code;
  });
}

}  // namespace deploysim::cli
