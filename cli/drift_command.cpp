#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "delivery/config.hpp"
#include "delivery/drift.hpp"
#include "delivery/report.hpp"
#include "delivery_commands.hpp"
#include "exit_codes.hpp"
#include "input/utf8.hpp"
#include "io/delivery_writers.hpp"
#include "output.hpp"
#include "seed_option.hpp"

namespace deploysim::cli {

namespace {

// ---- drift ------------------------------------------------------------------------------------

struct DriftOptions {
  std::int64_t hosts = 100;
  double drift_rate = 0.1;
  std::string mode = "converge";
  std::string schedule = "periodic";
  std::string interval = "30min";
  std::string splay = "0s";
  std::optional<double> success;
  std::string horizon = "30d";
  std::string warmup = "1d";
  std::string sample = "1h";
  std::string deploy_every = "0s";
  double deploy_failure = 0.0;
  std::int64_t replicas = 20;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::uint64_t seed = 1;
  std::string csv_file;
  bool json = false;
  std::string config_file;
  std::vector<std::string> overrides;
  std::string timeseries_file;
  std::string incidents_file;
  std::string host_times_file;
  std::vector<std::string> model_flags_given;
};

const std::vector<std::string> kDriftModelFlags = {
    "--hosts",   "--drift-rate", "--mode",   "--schedule", "--interval",     "--splay",
    "--success", "--horizon",    "--warmup", "--sample",   "--deploy-every", "--deploy-failure"};

engine::Duration duration_flag(const std::string& flag, const std::string& text) {
  return parse_flag(flag, [&] { return engine::parse_duration(text); });
}

// The model from the command-line flags; throws std::invalid_argument naming a bad value.
delivery::DriftConfig drift_config(const DriftOptions& options) {
  delivery::DriftConfig config;
  config.hosts = options.hosts;
  config.drift_rate_per_day = options.drift_rate;
  config.mode =
      options.mode == "immutable" ? delivery::DriftMode::immutable : delivery::DriftMode::converge;
  config.schedule = options.schedule == "exponential" ? delivery::AgentSchedule::exponential
                                                      : delivery::AgentSchedule::periodic;
  config.interval = duration_flag("--interval", options.interval);
  config.splay = duration_flag("--splay", options.splay);
  // A replacement starts from the tested image, so it succeeds unless told otherwise.
  config.success_probability =
      options.success.value_or(config.mode == delivery::DriftMode::immutable ? 1.0 : 0.95);
  config.horizon = duration_flag("--horizon", options.horizon);
  config.warmup = duration_flag("--warmup", options.warmup);
  config.sample_every = duration_flag("--sample", options.sample);
  config.deploy_every = duration_flag("--deploy-every", options.deploy_every);
  config.deploy_failure_if_drifted = options.deploy_failure;
  delivery::validate(config);
  return config;
}

// The quantities the core's validate() names, and the flags that set them.
const std::vector<std::pair<std::string, std::string>> kDriftQuantityFlags = {
    {"hosts", "--hosts"},
    {"drift rate", "--drift-rate"},
    {"agent interval", "--interval"},
    {"splay", "--splay"},
    {"success probability", "--success"},
    {"deploy failure if drifted", "--deploy-failure"},
    {"horizon", "--horizon"},
    {"warmup", "--warmup"},
    {"sample interval", "--sample"},
    {"deploy interval", "--deploy-every"}};

// The config keys in work-limit messages, and the flags that set them.
const std::vector<std::pair<std::string, std::string>> kDriftKeyFlags = {
    {"hosts", "--hosts"},
    {"horizon", "--horizon"},
    {"interval", "--interval"},
    {"sample_every", "--sample"},
    {"deploy_every", "--deploy-every"}};

void print_drift(const delivery::DriftReport& r);

int run_drift(const DriftOptions& options) {
  delivery::DriftConfig config;
  if (auto refused = refuse_replicas(options.replicas)) return *refused;
  if (!options.config_file.empty()) {
    if (auto refused = refuse_model_flags(options.model_flags_given, "interval=1h"))
      return *refused;
    try {
      config = delivery::load_drift_config(options.config_file, options.overrides);
    } catch (const input::InputError& error) {
      return report(error);
    }
  } else if (!options.overrides.empty()) {
    return input_error("--set changes a --config file's values; without --config use the flags");
  } else {
    try {
      config = drift_config(options);
    } catch (const delivery::WorkLimitError& error) {
      return input_error(name_the_flags(error, kDriftKeyFlags));
    } catch (const std::invalid_argument& error) {
      return input_error(name_the_flag(error.what(), kDriftQuantityFlags));
    }
  }
  const auto r =
      delivery::run_drift_report(config, options.replicas, options.threads, options.seed);
  for (const auto* file : {&options.csv_file, &options.timeseries_file}) {
    if (file->empty()) continue;
    auto failed = write_file(*file, [&](std::ostream& out) { io::write_drift_series_csv(out, r); });
    if (failed) return *failed;
  }
  if (!options.incidents_file.empty()) {
    auto failed = write_file(options.incidents_file, [&](std::ostream& out) {
      io::write_drift_incidents_csv(out, r.first);
    });
    if (failed) return *failed;
  }
  if (!options.host_times_file.empty()) {
    auto failed = write_file(options.host_times_file,
                             [&](std::ostream& out) { io::write_drift_host_times_csv(out, r); });
    if (failed) return *failed;
  }
  if (options.json) {
    std::cout << input::dump_json(delivery::to_json(r), 2) << '\n';
    return kExitOk;
  }
  print_drift(r);
  return kExitOk;
}

void print_drift(const delivery::DriftReport& r) {
  const auto& config = r.config;
  const auto& e = r.experiment;
  const auto& analysis = r.analysis;
  const std::string mode_name =
      config.mode == delivery::DriftMode::immutable ? "immutable" : "converge";
  const std::string schedule_name =
      config.schedule == delivery::AgentSchedule::exponential ? "exponential" : "periodic";
  const bool agrees = r.ctmc_within_ci;
  auto pct = [](double x) { return fixed(100.0 * x, 2) + "%"; };
  std::cout << "deploysim drift: " << config.hosts << " hosts drifting "
            << config.drift_rate_per_day << "/host/day; agent (" << mode_name << ", "
            << schedule_name << ") every " << engine::format_duration(config.interval)
            << (config.splay.ms() > 0 ? " + splay " + engine::format_duration(config.splay) : "")
            << ", success " << config.success_probability << "; "
            << engine::format_duration(config.horizon) << " x " << r.replicas << " replicas, seed "
            << r.seed << "\n\n"
            << line("drifted fraction, simulated", pct(e.steady_drifted_fraction.mean()) + " [" +
                                                       pct(e.ci95.low) + ", " + pct(e.ci95.high) +
                                                       "] (95% CI, after " +
                                                       engine::format_duration(config.warmup) + ")")
            << '\n'
            << line("drifted fraction, CTMC", pct(analysis.ctmc_drifted_fraction) + " (" +
                                                  std::to_string(analysis.phases) + " phase(s); " +
                                                  (agrees ? "within" : "outside") + " the CI)")
            << '\n'
            << line("drifted fraction, exact",
                    pct(analysis.exact_drifted_fraction) + " (renewal-reward)")
            << '\n'
            << line("time in drift per host", "mean " + pct(e.time_in_drift_share.mean()) +
                                                  ", worst " + pct(e.time_in_drift_share.max()))
            << '\n';
  if (config.deploy_every.ms() > 0) {
    std::cout << line("deploys gone wrong on drift",
                      fixed(e.deploy_incidents_per_run, 2) + " [" +
                          fixed(e.deploy_incidents_ci95.low, 2) + ", " +
                          fixed(e.deploy_incidents_ci95.high, 2) + "] per run (95% CI)")
              << '\n';
  }
  std::cout << line("events processed", thousands(e.events_processed)) << '\n';
}

}  // namespace

void add_drift_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DriftOptions>();
  CLI::App* drift = app.add_subcommand(
      "drift", "Configuration drift and convergence: simulated, and checked against a CTMC");
  drift->add_option("--hosts", o->hosts, "Hosts in the fleet")->capture_default_str();
  drift->add_option("--drift-rate", o->drift_rate, "Drift events per clean host per day")
      ->capture_default_str();
  drift->add_option("--mode", o->mode, "converge (Puppet/Chef/Ansible-pull) or immutable (replace)")
      ->check(CLI::IsMember({"converge", "immutable"}))
      ->capture_default_str();
  drift
      ->add_option("--schedule", o->schedule,
                   "periodic (interval + uniform splay) or exponential (memoryless)")
      ->check(CLI::IsMember({"periodic", "exponential"}))
      ->capture_default_str();
  drift->add_option("--interval", o->interval, "Agent run (or replacement) interval")
      ->capture_default_str();
  drift->add_option("--splay", o->splay, "Random extra delay per run, uniform up to this")
      ->capture_default_str();
  drift->add_option("--success", o->success,
                    "Chance a run repairs a drifted host (default 0.95; 1 when immutable)");
  drift->add_option("--horizon", o->horizon, "Simulated time per replica")->capture_default_str();
  drift->add_option("--warmup", o->warmup, "Left out of the steady-state average")
      ->capture_default_str();
  drift->add_option("--sample", o->sample, "Time-series spacing")->capture_default_str();
  drift->add_option("--deploy-every", o->deploy_every, "Fleet-wide deploys (0s: none)")
      ->capture_default_str();
  drift
      ->add_option("--deploy-failure", o->deploy_failure,
                   "Chance a deploy goes wrong on a drifted host")
      ->capture_default_str();
  drift->add_option("--replicas", o->replicas, "Replicas for the confidence interval")
      ->capture_default_str();
  drift->add_option("--seed", o->seed, "Base seed")->capture_default_str()->check(seed_check());
  drift->add_option("--threads", o->threads, "Worker threads (results do not depend on it)")
      ->check(CLI::Range(1, 1024));
  drift
      ->add_option("--config", o->config_file,
                   "Read the model from a drift file (docs/delivery.md); the model flags above "
                   "then give way to --set")
      ->check(CLI::ExistingFile);
  drift->add_option("--set", o->overrides, "Override a value of the --config file: KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  drift->add_option("--timeseries", o->timeseries_file,
                    "Write the drifted fraction over time (mean and replica 0) as CSV");
  drift->add_option("--csv", o->csv_file, "Same as --timeseries (kept for older scripts)");
  drift->add_option("--incidents", o->incidents_file,
                    "Write replica 0's drift incidents (deploys gone wrong) as CSV");
  drift->add_option("--host-times", o->host_times_file,
                    "Write replica 0's time in drift per host as CSV");
  drift->add_flag("--json", o->json,
                  "Print the result as JSON (with the config and replica 0's series, per-host "
                  "times and incidents)");
  drift->footer(
      "\nExamples:\n"
      "  deploysim drift --hosts 200 --drift-rate 0.5 --interval 30min --splay 10min\n"
      "  deploysim drift --mode immutable --interval 1d --drift-rate 0.5 --timeseries drift.csv\n"
      "  deploysim drift --config examples/delivery/drift_puppet.json --set interval=1h\n");
  drift->callback([o, drift, &exit_code] {
    o->model_flags_given = flags_given(*drift, kDriftModelFlags);
    exit_code = run_drift(*o);
  });
}

}  // namespace deploysim::cli
