#include "delivery_commands.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "delivery/config.hpp"
#include "delivery/dora.hpp"
#include "delivery/drift.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/roi.hpp"
#include "delivery/xkcd.hpp"
#include "exit_codes.hpp"
#include "experiment/runner.hpp"
#include "output.hpp"
#include "scenario/load.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::cli {

namespace {

using nlohmann::ordered_json;

int input_error(const std::string& message) {
  std::cerr << "error: " << message << '\n';
  return kExitUsage;
}

int report(const input::InputError& error) {
  for (const auto& problem : error.problems()) std::cerr << "error: " << problem.message() << '\n';
  return kExitUsage;
}

// With --config the model comes from the file; its flags would be a second, silent source.
// `given` lists the model flags on the command line.
std::optional<int> refuse_model_flags(const std::vector<std::string>& given,
                                      const std::string& example_set) {
  if (given.empty()) return std::nullopt;
  std::string list;
  for (const auto& flag : given) list += (list.empty() ? "" : ", ") + flag;
  return input_error(list +
                     ": model flags cannot be combined with --config; change the file's "
                     "values with --set KEY=VALUE, e.g. --set " +
                     example_set);
}

// The model flags of `command` among `names` that the user gave.
std::vector<std::string> flags_given(const CLI::App& command,
                                     const std::vector<std::string>& names) {
  std::vector<std::string> given;
  for (const auto& name : names) {
    if (command.get_option(name)->count() > 0) given.push_back(name);
  }
  return given;
}

std::optional<int> open_csv(std::ofstream& out, const std::string& file) {
  out.open(file);
  if (!out) return input_error(file + ": cannot open for writing");
  out.precision(10);
  return std::nullopt;
}

// A CSV cell: empty for undefined (NaN) values, so pandas reads them as missing.
std::string cell(double value) {
  if (std::isnan(value)) return {};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

// "  label ........ value" with room for this command's longer labels.
std::string line(std::string_view label, std::string_view value) {
  constexpr std::size_t kLabelWidth = 30;
  std::string text = "  ";
  text += label;
  text.append(label.size() < kLabelWidth ? kLabelWidth - label.size() : 1, ' ');
  text += value;
  return text;
}

// Three significant digits, without a trailing ".000": 3, 0.5, 0.000131.
std::string general(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// ---- roi --xkcd -------------------------------------------------------------------------------

int run_xkcd(bool json) {
  const auto& frequencies = delivery::xkcd_frequencies();
  const auto& savings = delivery::xkcd_savings();
  if (json) {
    ordered_json cells = ordered_json::array();
    for (std::size_t r = 0; r < savings.size(); ++r) {
      for (std::size_t c = 0; c < frequencies.size(); ++c) {
        const auto cell = delivery::xkcd_cell(r, c);
        ordered_json j;
        j["saving"] = cell.saving.label;
        j["frequency"] = cell.frequency.label;
        j["break_even_s"] = cell.exact_seconds;
        j["grey"] = cell.grey == delivery::XkcdGrey::no           ? "no"
                    : cell.grey == delivery::XkcdGrey::impossible ? "impossible"
                                                                  : "comic_only";
        j["formula"] = cell.grey == delivery::XkcdGrey::no ? ordered_json(cell.formula.text())
                                                           : ordered_json(nullptr);
        j["comic"] = cell.comic.empty() ? ordered_json(nullptr) : ordered_json(cell.comic);
        j["comic_rounds_lower"] = cell.comic_rounds_lower;
        cells.push_back(std::move(j));
      }
    }
    std::cout << ordered_json{{"caption",
                               "How long can you work on making a routine task more "
                               "efficient before you're spending more time than you "
                               "save? (across five years)"},
                              {"formula", "5 years x runs per year x time saved per run"},
                              {"cells", cells}}
                     .dump(2)
              << '\n';
    return kExitOk;
  }

  std::cout
      << "xkcd 1205, \"Is It Worth the Time?\": how long you can spend making a routine task\n"
         "more efficient before you spend more time than you save (across five years).\n"
         "Computed: 5 years x runs per year x time saved (365 days, 52 weeks, 12 months a "
         "year),\nrounded down in the comic's units.\n\n";
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header = {"time saved \\ how often"};
  for (const auto& f : frequencies) header.emplace_back(f.label);
  table.push_back(header);
  std::vector<delivery::XkcdCell> lower;
  std::vector<delivery::XkcdCell> comic_grey;
  for (std::size_t r = 0; r < savings.size(); ++r) {
    std::vector<std::string> row = {std::string(savings[r].label)};
    for (std::size_t c = 0; c < frequencies.size(); ++c) {
      const auto cell = delivery::xkcd_cell(r, c);
      if (cell.grey != delivery::XkcdGrey::no) {
        row.emplace_back(cell.grey == delivery::XkcdGrey::impossible ? "-" : "- (g)");
        if (cell.grey == delivery::XkcdGrey::comic_only) comic_grey.push_back(cell);
        continue;
      }
      row.push_back(cell.formula.text() + (cell.comic_rounds_lower ? " *" : ""));
      if (cell.comic_rounds_lower) lower.push_back(cell);
    }
    table.push_back(std::move(row));
  }
  print_table(std::cout, table);
  std::cout << "\n-      not applicable: saving that much every day would take a day or more\n"
               "- (g)  not applicable: possible, but greyed out in the comic (" +
                   std::to_string(comic_grey.size()) + " cells):\n";
  for (const auto& cell : comic_grey) {
    std::cout << "         " << cell.saving.label << " x " << cell.frequency.label
              << ": the formula gives " << cell.formula.text() << " ("
              << fixed(cell.exact_seconds / 86'400.0, 0) << " days)\n";
  }
  std::cout << "*      the comic rounds this cell lower than the formula (" << lower.size()
            << " cells):\n";
  for (const auto& cell : lower) {
    std::cout << "         " << cell.saving.label << " x " << cell.frequency.label << ": formula "
              << fixed(cell.exact_in_comic_unit, cell.exact_in_comic_unit < 10 ? 2 : 1) << " "
              << delivery::unit_name(cell.comic_amount.unit, true) << ", comic \"" << cell.comic
              << "\"\n";
  }
  std::cout << "Every other cell equals the comic.\n";
  return kExitOk;
}

// ---- roi (deployment case) --------------------------------------------------------------------

struct RoiOptions {
  bool xkcd = false;
  bool json = false;
  std::optional<double> build_hours;
  double maintenance_hours = 0.0;
  std::optional<double> rate;
  std::string manual_time;
  std::string automated_time;
  std::optional<double> deploys;
  std::string period = "week";
  std::string horizon = "2y";
  double manual_loss = 0.0;
  double automated_loss = 0.0;
  std::string manual_scenario;
  std::string automated_scenario;
  std::vector<std::string> manual_overrides;
  std::vector<std::string> automated_overrides;
  std::int64_t replicas = 100;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::optional<std::uint64_t> seed;
  std::string csv_file;
};

int run_roi(const RoiOptions& options) {
  if (options.xkcd) return run_xkcd(options.json);
  std::vector<std::string> missing;
  if (!options.build_hours) missing.emplace_back("--build-hours");
  if (!options.rate) missing.emplace_back("--rate");
  if (options.manual_time.empty()) missing.emplace_back("--manual-time");
  if (options.automated_time.empty()) missing.emplace_back("--automated-time");
  if (!options.deploys) missing.emplace_back("--deploys");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return input_error("roi needs " + list + " (or --xkcd for the comic's table)");
  }
  if (options.manual_scenario.empty() != options.automated_scenario.empty()) {
    return input_error("--manual-scenario and --automated-scenario go together");
  }
  const bool from_scenarios = !options.manual_scenario.empty();
  if (from_scenarios && (options.manual_loss != 0.0 || options.automated_loss != 0.0)) {
    return input_error(
        "give the loss per deploy either as --manual-loss/--automated-loss or "
        "from --manual-scenario/--automated-scenario, not both");
  }
  if (options.replicas < 1) return input_error("--replicas: expected at least 1");

  delivery::RoiInputs in;
  double period_days = 0.0;
  try {
    period_days = delivery::period_days(options.period);
    in.build_hours = *options.build_hours;
    in.maintenance_hours_per_period = options.maintenance_hours;
    in.hourly_rate_usd = *options.rate;
    in.manual_hours_per_deploy = engine::parse_duration(options.manual_time).to_seconds() / 3600.0;
    in.automated_hours_per_deploy =
        engine::parse_duration(options.automated_time).to_seconds() / 3600.0;
    in.deploys_per_period = *options.deploys;
    in.horizon_periods = delivery::parse_span_days(options.horizon) / period_days;
    in.manual_loss_per_deploy_usd = options.manual_loss;
    in.automated_loss_per_deploy_usd = options.automated_loss;
    delivery::validate(in);
  } catch (const std::invalid_argument& error) {
    return input_error(error.what());
  }

  std::optional<std::pair<delivery::LossEstimate, delivery::LossEstimate>> losses;
  if (from_scenarios) {
    try {
      const auto manual =
          scenario::load_scenario(options.manual_scenario, options.manual_overrides);
      const auto automated =
          scenario::load_scenario(options.automated_scenario, options.automated_overrides);
      losses = delivery::estimate_losses(manual, automated, options.replicas, options.threads,
                                         options.seed.value_or(manual.seed));
    } catch (const input::InputError& error) {
      for (const auto& problem : error.problems())
        std::cerr << "error: " << problem.message() << '\n';
      return kExitUsage;
    }
    in.manual_loss_per_deploy_usd = losses->first.loss_usd.mean();
    in.automated_loss_per_deploy_usd = losses->second.loss_usd.mean();
  }
  const auto result = delivery::compute_roi(in);

  if (!options.csv_file.empty()) {
    std::ofstream csv(options.csv_file);
    if (!csv) return input_error(options.csv_file + ": cannot open for writing");
    csv << "period,days,deploys,manual_cost_usd,automated_cost_usd\n";
    for (const auto& p : result.series) {
      csv << p.period << ',' << p.period * period_days << ',' << p.deploys << ','
          << fixed(p.manual_usd, 2) << ',' << fixed(p.automated_usd, 2) << '\n';
    }
  }

  auto optional_json = [](const std::optional<double>& x) {
    return x ? ordered_json(*x) : ordered_json(nullptr);
  };
  if (options.json) {
    ordered_json out;
    out["period"] = options.period;
    out["horizon_periods"] = in.horizon_periods;
    out["build_cost_usd"] = result.build_cost_usd;
    out["manual_loss_per_deploy_usd"] = in.manual_loss_per_deploy_usd;
    out["automated_loss_per_deploy_usd"] = in.automated_loss_per_deploy_usd;
    if (losses) {
      out["replicas"] = options.replicas;
      out["manual_loss_ci95"] = {losses->first.ci95.low, losses->first.ci95.high};
      out["automated_loss_ci95"] = {losses->second.ci95.low, losses->second.ci95.high};
    }
    out["manual_cost_per_period_usd"] = result.manual_cost_per_period_usd;
    out["automated_cost_per_period_usd"] = result.automated_cost_per_period_usd;
    out["saving_per_period_usd"] = result.saving_per_period_usd;
    out["break_even_periods"] = optional_json(result.break_even_periods);
    out["break_even_deploys"] = optional_json(result.break_even_deploys);
    out["pays_back_within_horizon"] = result.pays_back_within_horizon;
    out["net_saving_at_horizon_usd"] = result.net_saving_at_horizon_usd;
    std::cout << out.dump(2) << '\n';
    return kExitOk;
  }

  using simulation::money;
  const std::string per = "per " + options.period;
  std::cout << "deploysim roi: automating the deploy, " << general(in.deploys_per_period)
            << (in.deploys_per_period == 1.0 ? " deploy " : " deploys ") << per << ", horizon "
            << options.horizon << " (" << fixed(in.horizon_periods, 1) << " " << options.period
            << "s)\n\n";
  std::cout << line("build", fixed(in.build_hours, 1) + " h x " + money(in.hourly_rate_usd) +
                                 "/h = " + money(result.build_cost_usd))
            << '\n'
            << line("maintenance " + per, fixed(in.maintenance_hours_per_period, 1) + " h") << '\n'
            << line("people's time per deploy",
                    fixed(in.manual_hours_per_deploy, 2) + " h by hand, " +
                        fixed(in.automated_hours_per_deploy, 2) + " h automated")
            << '\n';
  if (losses) {
    auto loss_text = [](const delivery::LossEstimate& e) {
      return money(e.loss_usd.mean()) + " [" + money(e.ci95.low) + ", " + money(e.ci95.high) + "]";
    };
    std::cout << line("loss per deploy, by hand", loss_text(losses->first)) << '\n'
              << line("loss per deploy, automated", loss_text(losses->second)) << '\n'
              << "  (mean and 95% CI of loss_usd over " << options.replicas
              << " runs of each scenario on the same seeds)\n";
  } else {
    std::cout << line("loss per deploy", money(in.manual_loss_per_deploy_usd) + " by hand, " +
                                             money(in.automated_loss_per_deploy_usd) + " automated")
              << '\n';
  }
  std::cout << line("cost " + per + " by hand", money(result.manual_cost_per_period_usd)) << '\n'
            << line("cost " + per + " automated", money(result.automated_cost_per_period_usd))
            << '\n';
  if (result.break_even_periods) {
    std::cout << line("break-even",
                      "after " + general(*result.break_even_periods) + " " + options.period +
                          "s (" + general(*result.break_even_deploys) + " deploys)" +
                          (result.pays_back_within_horizon ? "" : ", beyond the horizon"))
              << '\n';
  } else {
    std::cout << line("break-even",
                      "never: the automation costs more per " + options.period + " than it saves")
              << '\n';
  }
  std::cout << line("net saving at the horizon", money(result.net_saving_at_horizon_usd)) << "\n\n";
  // A few rows of the cumulative cost; the CSV has every period.
  std::vector<std::vector<std::string>> table = {
      {options.period, "deploys", "cumulative by hand", "cumulative automated"}};
  const std::size_t rows = result.series.size();
  const std::size_t step = std::max<std::size_t>(1, rows / 8);
  for (std::size_t i = 0; i < rows; i += step) {
    const auto& p = result.series[i];
    table.push_back(
        {fixed(p.period, 0), fixed(p.deploys, 0), money(p.manual_usd), money(p.automated_usd)});
  }
  if ((rows - 1) % step != 0) {
    const auto& p = result.series.back();
    table.push_back(
        {fixed(p.period, 1), fixed(p.deploys, 0), money(p.manual_usd), money(p.automated_usd)});
  }
  print_table(std::cout, table);
  if (options.csv_file.empty()) {
    std::cout << "(--csv FILE writes every " << options.period << ")\n";
  }
  return kExitOk;
}

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

// The model from the command-line flags; throws std::invalid_argument naming a bad value.
delivery::DriftConfig drift_config(const DriftOptions& options) {
  delivery::DriftConfig config;
  config.hosts = options.hosts;
  config.drift_rate_per_day = options.drift_rate;
  config.mode =
      options.mode == "immutable" ? delivery::DriftMode::immutable : delivery::DriftMode::converge;
  config.schedule = options.schedule == "exponential" ? delivery::AgentSchedule::exponential
                                                      : delivery::AgentSchedule::periodic;
  config.interval = engine::parse_duration(options.interval);
  config.splay = engine::parse_duration(options.splay);
  // A replacement starts from the tested image, so it succeeds unless told otherwise.
  config.success_probability =
      options.success.value_or(config.mode == delivery::DriftMode::immutable ? 1.0 : 0.95);
  config.horizon = engine::parse_duration(options.horizon);
  config.warmup = engine::parse_duration(options.warmup);
  config.sample_every = engine::parse_duration(options.sample);
  config.deploy_every = engine::parse_duration(options.deploy_every);
  config.deploy_failure_if_drifted = options.deploy_failure;
  delivery::validate(config);
  return config;
}

int run_drift(const DriftOptions& options) {
  delivery::DriftConfig config;
  if (options.replicas < 1) return input_error("--replicas: expected at least 1");
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
    } catch (const std::invalid_argument& error) {
      return input_error(error.what());
    }
  }
  const auto analysis = delivery::analyze_drift(config);
  delivery::DriftRun first;
  const auto e = delivery::run_drift_experiment(config, options.replicas, options.seed,
                                                options.threads, &first);
  const std::string mode_name =
      config.mode == delivery::DriftMode::immutable ? "immutable" : "converge";
  const std::string schedule_name =
      config.schedule == delivery::AgentSchedule::exponential ? "exponential" : "periodic";
  const bool agrees =
      analysis.ctmc_drifted_fraction >= e.ci95.low && analysis.ctmc_drifted_fraction <= e.ci95.high;

  for (const auto* file : {&options.csv_file, &options.timeseries_file}) {
    if (file->empty()) continue;
    std::ofstream csv;
    if (auto failed = open_csv(csv, *file)) return *failed;
    csv << "time_s,time_h,drifted_fraction,replica0_drifted_fraction\n";
    for (std::size_t i = 0; i < e.mean_series.size(); ++i) {
      const auto& s = e.mean_series[i];
      csv << s.time_s << ',' << fixed(s.time_s / 3600.0, 3) << ',' << fixed(s.drifted_fraction, 6)
          << ',' << (i < first.series.size() ? fixed(first.series[i].drifted_fraction, 6) : "")
          << '\n';
    }
  }
  if (!options.incidents_file.empty()) {
    std::ofstream csv;
    if (auto failed = open_csv(csv, options.incidents_file)) return *failed;
    csv << "time_s,drifted_hosts,bad_hosts\n";
    for (const auto& i : first.incidents) {
      csv << i.time_s << ',' << i.drifted_hosts << ',' << i.bad_hosts << '\n';
    }
  }
  if (!options.host_times_file.empty()) {
    std::ofstream csv;
    if (auto failed = open_csv(csv, options.host_times_file)) return *failed;
    csv << "host,time_in_drift_s,share\n";
    for (std::size_t h = 0; h < first.time_in_drift_s.size(); ++h) {
      csv << h << ',' << cell(first.time_in_drift_s[h]) << ','
          << cell(first.time_in_drift_s[h] / config.horizon.to_seconds()) << '\n';
    }
  }
  if (options.json) {
    ordered_json out;
    out["hosts"] = config.hosts;
    out["mode"] = mode_name;
    out["schedule"] = schedule_name;
    out["replicas"] = options.replicas;
    out["simulated_drifted_fraction"] = e.steady_drifted_fraction.mean();
    out["ci95"] = {e.ci95.low, e.ci95.high};
    out["ctmc_drifted_fraction"] = analysis.ctmc_drifted_fraction;
    out["ctmc_phases"] = analysis.phases;
    out["exact_drifted_fraction"] = analysis.exact_drifted_fraction;
    out["ctmc_within_ci"] = agrees;
    out["mean_time_in_drift_share"] = e.time_in_drift_share.mean();
    out["max_time_in_drift_share"] = e.time_in_drift_share.max();
    out["deploy_incidents_per_run"] = e.deploy_incidents_per_run;
    out["events_processed"] = e.events_processed;
    out["mean_series"] = nlohmann::json(e.mean_series);
    out["config"] = nlohmann::json(config);
    out["first_replica"] = nlohmann::json(first);
    std::cout << out.dump(2) << '\n';
    return kExitOk;
  }
  auto pct = [](double x) { return fixed(100.0 * x, 2) + "%"; };
  std::cout << "deploysim drift: " << config.hosts << " hosts drifting "
            << config.drift_rate_per_day << "/host/day; agent (" << mode_name << ", "
            << schedule_name << ") every " << engine::format_duration(config.interval)
            << (config.splay.ms() > 0 ? " + splay " + engine::format_duration(config.splay) : "")
            << ", success " << config.success_probability << "; "
            << engine::format_duration(config.horizon) << " x " << options.replicas
            << " replicas, seed " << options.seed << "\n\n"
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
                      fixed(e.deploy_incidents_per_run, 2) + " per run")
              << '\n';
  }
  std::cout << line("events processed", thousands(e.events_processed)) << '\n';
  return kExitOk;
}

// ---- pipeline ---------------------------------------------------------------------------------

struct PipelineOptions {
  double changes_per_day = 20.0;
  std::string change_size = "lognormal(50, 1)";
  double defect_probability = 0.05;
  std::string loss_per_minute = "lognormal(500, 1)";
  std::vector<std::string> stages;
  std::string fix_time = "lognormal(4h, 0.5)";
  std::string cadence = "continuous";
  std::string train_every = "1d";
  std::string gate_delay = "lognormal(1d, 0.5)";
  std::string deploy_time = "lognormal(30min, 0.3)";
  double canary_catch = 0.0;
  std::string detect_time = "lognormal(15min, 0.7)";
  std::string diagnose_time = "lognormal(20min, 0.5)";
  double diagnosis_growth = 0.1;
  std::string repair_time = "lognormal(10min, 0.5)";
  std::string horizon = "90d";
  std::vector<std::string> sweep_train_every;
  std::int64_t replicas = 20;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::uint64_t seed = 1;
  std::string csv_file;
  bool json = false;
  std::string config_file;
  std::vector<std::string> overrides;
  std::string timeseries_file;
  std::string incidents_file;
  std::vector<std::string> model_flags_given;
};

const std::vector<std::string> kPipelineModelFlags = {"--changes-per-day",
                                                      "--change-size",
                                                      "--defect-probability",
                                                      "--loss-per-minute",
                                                      "--stage",
                                                      "--fix-time",
                                                      "--cadence",
                                                      "--train-every",
                                                      "--gate-delay",
                                                      "--deploy-time",
                                                      "--canary-catch",
                                                      "--detect-time",
                                                      "--diagnose-time",
                                                      "--diagnosis-growth",
                                                      "--repair-time",
                                                      "--horizon"};

std::string cadence_name(delivery::ReleaseCadence cadence) {
  switch (cadence) {
    case delivery::ReleaseCadence::train:
      return "train";
    case delivery::ReleaseCadence::gated:
      return "gated";
    case delivery::ReleaseCadence::continuous:
      break;
  }
  return "continuous";
}

// "tests=lognormal(30min, 0.3):0.5" -> a stage.
delivery::PipelineStage parse_stage(const std::string& text) {
  const auto equals = text.find('=');
  const auto colon = text.rfind(':');
  if (equals == std::string::npos || equals == 0 || colon == std::string::npos || colon < equals) {
    throw std::invalid_argument("--stage \"" + text +
                                "\": expected NAME=DURATION:CATCH, e.g. tests=30min:0.5");
  }
  delivery::PipelineStage stage;
  stage.name = text.substr(0, equals);
  stage.duration = engine::Distribution::parse(text.substr(equals + 1, colon - equals - 1),
                                               engine::Distribution::Unit::duration);
  std::size_t used = 0;
  const std::string catch_text = text.substr(colon + 1);
  try {
    stage.catch_probability = std::stod(catch_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != catch_text.size()) {
    throw std::invalid_argument("--stage \"" + text + "\": catch \"" + catch_text +
                                "\" is not a number; expected a probability in [0, 1]");
  }
  return stage;
}

delivery::PipelineConfig pipeline_config(const PipelineOptions& o) {
  using engine::Distribution;
  const auto duration = [](const std::string& text) {
    return Distribution::parse(text, Distribution::Unit::duration);
  };
  delivery::PipelineConfig c = delivery::default_pipeline();
  c.changes_per_day = o.changes_per_day;
  c.change_size = Distribution::parse(o.change_size, Distribution::Unit::number);
  c.defect_probability = o.defect_probability;
  c.loss_per_minute_usd = Distribution::parse(o.loss_per_minute, Distribution::Unit::number);
  if (!o.stages.empty()) {
    c.stages.clear();
    for (const auto& text : o.stages) c.stages.push_back(parse_stage(text));
  }
  c.fix_time = duration(o.fix_time);
  c.cadence = o.cadence == "train"   ? delivery::ReleaseCadence::train
              : o.cadence == "gated" ? delivery::ReleaseCadence::gated
                                     : delivery::ReleaseCadence::continuous;
  c.train_interval = engine::parse_duration(o.train_every);
  c.gate_delay = duration(o.gate_delay);
  c.deploy_time = duration(o.deploy_time);
  c.canary_catch_probability = o.canary_catch;
  c.detect_time = duration(o.detect_time);
  c.diagnose_time = duration(o.diagnose_time);
  c.diagnosis_growth_per_change = o.diagnosis_growth;
  c.repair_time = duration(o.repair_time);
  c.horizon = engine::parse_duration(o.horizon);
  delivery::validate(c);
  return c;
}

// Means over replicas of what the pipeline table shows.
struct PipelineSummary {
  experiment::RunningStats deploys_per_day, changes_per_deploy, lead_time_h, change_fail_rate,
      recovery_min, incidents, canary_rollbacks, loss_usd;
  std::uint64_t events = 0;
  delivery::PipelineRun first;  // replica 0, for the deployment log
};

PipelineSummary summarise_pipeline(const delivery::PipelineConfig& c, std::int64_t replicas,
                                   int threads, std::uint64_t seed) {
  PipelineSummary s;
  const auto runs = delivery::run_pipeline_replicas(c, replicas, threads, seed, &s.first);
  for (const auto& run : runs) {
    s.deploys_per_day.add(run.dora.deploys_per_day);
    s.changes_per_deploy.add(run.mean_changes_per_deployment);
    if (!std::isnan(run.dora.lead_time_median_s))
      s.lead_time_h.add(run.dora.lead_time_median_s / 3600.0);
    if (!std::isnan(run.dora.change_fail_rate)) s.change_fail_rate.add(run.dora.change_fail_rate);
    if (!std::isnan(run.dora.recovery_median_s))
      s.recovery_min.add(run.dora.recovery_median_s / 60.0);
    s.incidents.add(static_cast<double>(run.incidents));
    s.canary_rollbacks.add(static_cast<double>(run.canary_rollbacks));
    s.loss_usd.add(run.loss_usd);
    s.events += run.events_processed;
  }
  return s;
}

// The cluster of the replica means.
delivery::DoraClassification classify_means(const PipelineSummary& s) {
  delivery::DoraMetrics m;
  m.deploys_per_day = s.deploys_per_day.mean();
  m.lead_time_median_s = s.lead_time_h.count() ? s.lead_time_h.mean() * 3600.0 : std::nan("");
  m.change_fail_rate = s.change_fail_rate.count() ? s.change_fail_rate.mean() : std::nan("");
  m.recovery_median_s = s.recovery_min.count() ? s.recovery_min.mean() * 60.0 : std::nan("");
  return delivery::classify_dora(m);
}

std::string mean_ci(const experiment::RunningStats& stats, int decimals, double scale = 1.0) {
  if (stats.count() == 0) return "-";
  const auto ci = experiment::t_interval(stats);
  return fixed(stats.mean() * scale, decimals) + " [" + fixed(ci.low * scale, decimals) + ", " +
         fixed(ci.high * scale, decimals) + "]";
}

ordered_json summary_json(const PipelineSummary& s) {
  auto stat = [](const experiment::RunningStats& x) {
    if (x.count() == 0) return ordered_json(nullptr);
    const auto ci = experiment::t_interval(x);
    return ordered_json{{"mean", x.mean()}, {"ci95_low", ci.low}, {"ci95_high", ci.high}};
  };
  const auto c = classify_means(s);
  ordered_json j;
  j["deploys_per_day"] = stat(s.deploys_per_day);
  j["changes_per_deploy"] = stat(s.changes_per_deploy);
  j["lead_time_median_h"] = stat(s.lead_time_h);
  j["change_fail_rate"] = stat(s.change_fail_rate);
  j["recovery_median_min"] = stat(s.recovery_min);
  j["incidents"] = stat(s.incidents);
  j["canary_rollbacks"] = stat(s.canary_rollbacks);
  j["loss_usd"] = stat(s.loss_usd);
  j["dora_2024"] = {{"deployment_frequency", delivery::level_name(c.deployment_frequency)},
                    {"lead_time", delivery::level_name(c.lead_time)},
                    {"change_fail_rate", delivery::level_name(c.change_fail_rate)},
                    {"recovery_time", delivery::level_name(c.recovery_time)},
                    {"overall", delivery::level_name(c.overall)}};
  return j;
}

int run_pipeline(const PipelineOptions& o) {
  delivery::PipelineConfig config;
  std::vector<engine::Duration> sweep;
  if (!o.config_file.empty()) {
    if (auto refused = refuse_model_flags(o.model_flags_given, "changes_per_day=50")) {
      return *refused;
    }
    try {
      config = delivery::load_pipeline_config(o.config_file, o.overrides);
    } catch (const input::InputError& error) {
      return report(error);
    }
  } else if (!o.overrides.empty()) {
    return input_error("--set changes a --config file's values; without --config use the flags");
  }
  try {
    if (o.config_file.empty()) config = pipeline_config(o);
    for (const auto& text : o.sweep_train_every) {
      const auto interval = engine::parse_duration(text);
      if (interval.ms() <= 0)
        return input_error("--sweep-train-every: expected durations > 0, found " + text);
      sweep.push_back(interval);
    }
    if (o.replicas < 1) return input_error("--replicas: expected at least 1");
  } catch (const std::invalid_argument& error) {
    return input_error(error.what());
  }

  if (!sweep.empty()) {
    // Faster is safer: the same change stream released in trains of different intervals.
    config.cadence = delivery::ReleaseCadence::train;
    std::vector<std::vector<std::string>> table = {
        {"release every", "deploys/day", "changes/deploy", "lead time h", "change fail rate",
         "recovery min", "incidents", "loss", "DORA 2024"}};
    ordered_json points = ordered_json::array();
    std::ofstream csv;
    if (!o.csv_file.empty()) {
      csv.open(o.csv_file);
      if (!csv) return input_error(o.csv_file + ": cannot open for writing");
      csv << "release_every_s,deploys_per_day,changes_per_deploy,lead_time_median_h,"
             "change_fail_rate,recovery_median_min,incidents,loss_usd,dora_overall\n";
    }
    for (std::size_t i = 0; i < sweep.size(); ++i) {
      config.train_interval = sweep[i];
      const auto s = summarise_pipeline(config, o.replicas, o.threads, o.seed);
      const auto c = classify_means(s);
      table.push_back({o.sweep_train_every[i], fixed(s.deploys_per_day.mean(), 2),
                       fixed(s.changes_per_deploy.mean(), 1), mean_ci(s.lead_time_h, 1),
                       mean_ci(s.change_fail_rate, 1, 100.0) + "%", mean_ci(s.recovery_min, 0),
                       fixed(s.incidents.mean(), 1), simulation::money(s.loss_usd.mean()),
                       std::string(delivery::level_name(c.overall))});
      auto point = summary_json(s);
      point["release_every_s"] = sweep[i].to_seconds();
      points.push_back(point);
      if (csv.is_open()) {
        auto m = [](const experiment::RunningStats& x) {
          return x.count() ? std::to_string(x.mean()) : std::string();
        };
        csv << sweep[i].to_seconds() << ',' << m(s.deploys_per_day) << ','
            << m(s.changes_per_deploy) << ',' << m(s.lead_time_h) << ',' << m(s.change_fail_rate)
            << ',' << m(s.recovery_min) << ',' << m(s.incidents) << ',' << m(s.loss_usd) << ','
            << delivery::level_name(c.overall) << '\n';
      }
    }
    if (o.json) {
      std::cout
          << ordered_json{{"replicas", o.replicas}, {"seed", o.seed}, {"points", points}}.dump(2)
          << '\n';
    } else {
      std::cout << "deploysim pipeline: faster is safer? " << config.changes_per_day
                << " changes/day released in trains, " << engine::format_duration(config.horizon)
                << " x " << o.replicas << " replicas, seed " << o.seed
                << "\n(means and 95% CIs over replicas; "
                << "each replica uses the same seed at every interval)\n\n";
      print_table(std::cout, table);
    }
    return kExitOk;
  }

  const auto s = summarise_pipeline(config, o.replicas, o.threads, o.seed);
  if (!o.csv_file.empty()) {
    std::ofstream csv;
    if (auto failed = open_csv(csv, o.csv_file)) return *failed;
    csv << "finished_s,changes,failed,recovery_s,loss_usd\n";
    for (const auto& d : s.first.deployments) {
      csv << d.finished_s << ',' << d.changes << ',' << (d.failed ? 1 : 0) << ','
          << (d.recovered_s ? cell(*d.recovered_s - d.finished_s) : std::string()) << ','
          << d.loss_usd << '\n';
    }
  }
  if (!o.timeseries_file.empty()) {
    std::ofstream csv;
    if (auto failed = open_csv(csv, o.timeseries_file)) return *failed;
    csv << "day,deployments,changes_deployed,mean_batch_size,lead_time_median_h,incidents,"
           "loss_usd,failed_deployments,canary_rollbacks\n";
    for (const auto& d : s.first.days) {
      csv << d.day << ',' << d.deployments << ',' << d.changes_deployed << ','
          << cell(d.mean_batch_size) << ',' << cell(d.lead_time_median_s / 3600.0) << ','
          << d.incidents << ',' << cell(d.loss_usd) << ',' << d.failed_deployments << ','
          << d.canary_rollbacks << '\n';
    }
  }
  if (!o.incidents_file.empty()) {
    std::ofstream csv;
    if (auto failed = open_csv(csv, o.incidents_file)) return *failed;
    csv << "start_s,detected_s,recovered_s,changes,defective_changes,loss_usd,stopped_by_canary\n";
    for (const auto& i : s.first.incident_log) {
      csv << cell(i.start_s) << ',' << cell(i.detected_s) << ',' << cell(i.recovered_s) << ','
          << i.changes << ',' << i.defective_changes << ',' << cell(i.loss_usd) << ','
          << (i.stopped_by_canary ? 1 : 0) << '\n';
    }
  }
  const auto c = classify_means(s);
  if (o.json) {
    auto j = summary_json(s);
    j["replicas"] = o.replicas;
    j["seed"] = o.seed;
    j["events_processed"] = s.events;
    j["config"] = nlohmann::json(config);
    j["first_replica"] = nlohmann::json(s.first);
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }
  auto level = [](delivery::DoraLevel l) {
    return "  (" + std::string(delivery::level_name(l)) + ")";
  };
  std::cout << "deploysim pipeline: " << config.changes_per_day << " changes/day, "
            << cadence_name(config.cadence)
            << (config.cadence == delivery::ReleaseCadence::train
                    ? " every " + engine::format_duration(config.train_interval)
                    : "")
            << ", " << engine::format_duration(config.horizon) << " x " << o.replicas
            << " replicas, seed " << o.seed << "\n";
  if (config.production) {
    const auto& p = *config.production;
    std::cout << "production stage: \"" << p.scenario_name << "\" on " << p.fleet_hosts
              << " hosts, calibrated on " << p.calibration_runs << " runs: deploy "
              << fixed(p.mean_clean_deploy_s / 60.0, 1) << " min, stops "
              << fixed(100.0 * p.stop_probability, 0) << "% of defects\n";
  }
  std::cout << "(means and 95% CIs over replicas; DORA 2024 level of the mean in brackets)\n\n"
            << line("deployment frequency",
                    mean_ci(s.deploys_per_day, 2) + " per day" + level(c.deployment_frequency))
            << '\n'
            << line("change lead time (median)",
                    mean_ci(s.lead_time_h, 1) + " h" + level(c.lead_time))
            << '\n'
            << line("change fail rate",
                    mean_ci(s.change_fail_rate, 1, 100.0) + " %" + level(c.change_fail_rate))
            << '\n'
            << line("recovery time (median)",
                    s.recovery_min.count() == 0
                        ? std::string("- (no failed deployment)")
                        : mean_ci(s.recovery_min, 0) + " min" + level(c.recovery_time))
            << '\n'
            << line("DORA 2024 cluster", std::string(delivery::level_name(c.overall))) << '\n'
            << line("changes per deploy", mean_ci(s.changes_per_deploy, 1)) << '\n'
            << line("incidents per run", mean_ci(s.incidents, 1)) << '\n'
            << line("stopped in production per run", mean_ci(s.canary_rollbacks, 1)) << '\n'
            << line("incident loss per run", simulation::money(s.loss_usd.mean())) << '\n'
            << line("events processed", thousands(s.events)) << '\n';
  return kExitOk;
}

}  // namespace

void add_roi_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RoiOptions>();
  CLI::App* roi = app.add_subcommand(
      "roi", "Is automation worth it? The xkcd 1205 table, or the deploy automation case");
  roi->add_flag("--xkcd", o->xkcd, "Print the xkcd 1205 \"Is It Worth the Time?\" table");
  roi->add_flag("--json", o->json, "Print the result as JSON");
  roi->add_option("--build-hours", o->build_hours, "Person-hours to build the automation");
  roi->add_option("--maintenance-hours", o->maintenance_hours,
                  "Person-hours per period to maintain it")
      ->capture_default_str();
  roi->add_option("--rate", o->rate, "Cost of a person-hour, USD");
  roi->add_option("--manual-time", o->manual_time, "People's time per deploy by hand, e.g. 2h");
  roi->add_option("--automated-time", o->automated_time,
                  "People's time per automated deploy, e.g. 10min");
  roi->add_option("--deploys", o->deploys, "Deploys per period");
  roi->add_option("--period", o->period, "day, week, month, quarter or year")
      ->capture_default_str();
  roi->add_option("--horizon", o->horizon, "How far ahead: 90d, 26w, 18mo, 2y")
      ->capture_default_str();
  roi->add_option("--manual-loss", o->manual_loss, "Expected incident loss per manual deploy, USD");
  roi->add_option("--automated-loss", o->automated_loss,
                  "Expected incident loss per automated deploy, USD");
  roi->add_option("--manual-scenario", o->manual_scenario,
                  "Scenario of one deploy by hand: its mean loss_usd is the manual risk term")
      ->check(CLI::ExistingFile);
  roi->add_option("--automated-scenario", o->automated_scenario,
                  "Scenario of one automated deploy: the automated risk term")
      ->check(CLI::ExistingFile);
  roi->add_option("--manual-set", o->manual_overrides,
                  "Override a value of the manual scenario: PATH=VALUE (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  roi->add_option("--automated-set", o->automated_overrides,
                  "Override a value of the automated scenario: PATH=VALUE (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  roi->add_option("--replicas", o->replicas, "Monte Carlo runs of each scenario")
      ->capture_default_str();
  roi->add_option("--threads", o->threads, "Worker threads (results do not depend on it)")
      ->check(CLI::Range(1, 1024));
  roi->add_option("--seed", o->seed, "Base seed (default: the manual scenario's)");
  roi->add_option("--csv", o->csv_file, "Write the cumulative cost of both, one row per period");
  roi->footer(
      "\nExamples:\n"
      "  deploysim roi --xkcd\n"
      "  deploysim roi --build-hours 80 --rate 100 --manual-time 2h --automated-time 10min \\\n"
      "      --deploys 3 --period week --horizon 2y --csv roi.csv\n"
      "  deploysim roi --build-hours 400 --rate 150 --manual-time 8h --automated-time 15min \\\n"
      "      --deploys 1 --period week --manual-scenario scenarios/knight_capital_2012.json \\\n"
      "      --automated-scenario scenarios/knight_capital_2012_automated_deploy.json --replicas "
      "20\n");
  roi->callback([o, &exit_code] { exit_code = run_roi(*o); });
}

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
  drift->add_option("--seed", o->seed, "Base seed")->capture_default_str();
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

namespace deploysim::cli {

void add_pipeline_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PipelineOptions>();
  CLI::App* p = app.add_subcommand(
      "pipeline",
      "A release pipeline over months: DORA metrics, incidents, faster-is-safer sweeps");
  p->add_option("--changes-per-day", o->changes_per_day, "Change arrival rate")
      ->capture_default_str();
  p->add_option("--change-size", o->change_size, "Lines per change (distribution)")
      ->capture_default_str();
  p->add_option("--defect-probability", o->defect_probability,
                "Chance a change of mean size carries a defect")
      ->capture_default_str();
  p->add_option("--loss-per-minute", o->loss_per_minute,
                "Incident cost of a defect in production, USD/min (distribution)")
      ->capture_default_str();
  p->add_option(
       "--stage", o->stages,
       "NAME=DURATION:CATCH, repeatable, in order; replaces the default build/tests/staging")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  p->add_option("--fix-time", o->fix_time, "Time to fix a caught or reverted defect")
      ->capture_default_str();
  p->add_option("--cadence", o->cadence, "continuous, train or gated")
      ->check(CLI::IsMember({"continuous", "train", "gated"}))
      ->capture_default_str();
  p->add_option("--train-every", o->train_every, "Release train interval")->capture_default_str();
  p->add_option("--gate-delay", o->gate_delay, "Release engineer's approval time")
      ->capture_default_str();
  p->add_option("--deploy-time", o->deploy_time, "Production rollout of a release")
      ->capture_default_str();
  p->add_option("--canary-catch", o->canary_catch, "Chance the canary stops a defect")
      ->capture_default_str();
  p->add_option("--detect-time", o->detect_time, "Incident detection time")->capture_default_str();
  p->add_option("--diagnose-time", o->diagnose_time, "Diagnosis of a one-change release")
      ->capture_default_str();
  p->add_option("--diagnosis-growth", o->diagnosis_growth,
                "Diagnosis x (1 + growth x (changes - 1))")
      ->capture_default_str();
  p->add_option("--repair-time", o->repair_time, "Rollback or hotfix time")->capture_default_str();
  p->add_option("--horizon", o->horizon, "Simulated time per replica")->capture_default_str();
  p->add_option("--sweep-train-every", o->sweep_train_every,
                "Release in trains at each of these intervals and compare (comma-separated)")
      ->delimiter(',');
  p->add_option("--replicas", o->replicas, "Replicas")->capture_default_str();
  p->add_option("--seed", o->seed, "Base seed")->capture_default_str();
  p->add_option("--threads", o->threads, "Worker threads (results do not depend on it)")
      ->check(CLI::Range(1, 1024));
  p->add_option("--config", o->config_file,
                "Read the model from a pipeline file (docs/delivery.md); the model flags above "
                "then give way to --set")
      ->check(CLI::ExistingFile);
  p->add_option("--set", o->overrides, "Override a value of the --config file: KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  p->add_option("--csv", o->csv_file,
                "Deployment log of replica 0 (or one row per interval with --sweep-train-every)");
  p->add_option("--timeseries", o->timeseries_file,
                "Write replica 0's per-day series (deployments, batch size, lead time, "
                "incidents, loss) as CSV");
  p->add_option("--incidents", o->incidents_file,
                "Write replica 0's incidents (start, detection, recovery, changes, cost) as CSV");
  p->add_flag("--json", o->json,
              "Print the result as JSON (with the config and replica 0's days and incidents)");
  p->footer(
      "\nExamples:\n"
      "  deploysim pipeline --changes-per-day 50 --cadence continuous\n"
      "  deploysim pipeline --changes-per-day 50 --sweep-train-every 1h,4h,1d,7d,28d --replicas "
      "20\n"
      "  deploysim pipeline --config examples/delivery/pipeline_daily_train.json \\\n"
      "      --set changes_per_day=100 --timeseries days.csv --incidents incidents.csv\n");
  p->callback([o, p, &exit_code] {
    o->model_flags_given = flags_given(*p, kPipelineModelFlags);
    exit_code = run_pipeline(*o);
  });
}

}  // namespace deploysim::cli
