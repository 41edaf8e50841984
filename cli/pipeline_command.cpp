#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>
#include <variant>

#include "delivery/config.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/report.hpp"
#include "delivery_commands.hpp"
#include "exit_codes.hpp"
#include "input/utf8.hpp"
#include "io/delivery_writers.hpp"
#include "output.hpp"
#include "seed_option.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::cli {

namespace {

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
  bool cost_curve = false;
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

delivery::PipelineStage parse_stage(const std::string& text) {
  const auto equals = text.find('=');
  const auto colon = text.rfind(':');
  if (equals == std::string::npos || equals == 0 || colon == std::string::npos || colon < equals) {
    throw std::invalid_argument("--stage " + input::quote(text) +
                                ": expected NAME=DURATION:CATCH, e.g. tests=30min:0.5");
  }
  delivery::PipelineStage stage;
  stage.name = text.substr(0, equals);
  stage.duration = parse_flag("--stage " + input::quote(text), [&] {
    return engine::Distribution::parse(text.substr(equals + 1, colon - equals - 1),
                                       engine::Distribution::Unit::duration);
  });
  std::size_t used = 0;
  const std::string catch_text = text.substr(colon + 1);
  try {
    stage.catch_probability = std::stod(catch_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != catch_text.size()) {
    throw std::invalid_argument("--stage " + input::quote(text) + ": catch " +
                                input::quote(catch_text) +
                                " is not a number; expected a probability in [0, 1]");
  }
  return stage;
}

delivery::PipelineConfig pipeline_config(const PipelineOptions& o) {
  using engine::Distribution;
  const auto duration = [](const char* flag, const std::string& text) {
    return parse_flag(flag,
                      [&] { return Distribution::parse(text, Distribution::Unit::duration); });
  };
  const auto number = [](const char* flag, const std::string& text) {
    return parse_flag(flag, [&] { return Distribution::parse(text, Distribution::Unit::number); });
  };
  const auto interval = [](const char* flag, const std::string& text) {
    return parse_flag(flag, [&] { return engine::parse_duration(text); });
  };
  delivery::PipelineConfig c = delivery::default_pipeline();
  c.changes_per_day = o.changes_per_day;
  c.change_size = number("--change-size", o.change_size);
  c.defect_probability = o.defect_probability;
  c.loss_per_minute_usd = number("--loss-per-minute", o.loss_per_minute);
  if (!o.stages.empty()) {
    c.stages.clear();
    for (const auto& text : o.stages) c.stages.push_back(parse_stage(text));
  }
  c.fix_time = duration("--fix-time", o.fix_time);
  c.cadence = o.cadence == "train"   ? delivery::ReleaseCadence::train
              : o.cadence == "gated" ? delivery::ReleaseCadence::gated
                                     : delivery::ReleaseCadence::continuous;
  c.train_interval = interval("--train-every", o.train_every);
  c.gate_delay = duration("--gate-delay", o.gate_delay);
  c.deploy_time = duration("--deploy-time", o.deploy_time);
  c.canary_catch_probability = o.canary_catch;
  c.detect_time = duration("--detect-time", o.detect_time);
  c.diagnose_time = duration("--diagnose-time", o.diagnose_time);
  c.diagnosis_growth_per_change = o.diagnosis_growth;
  c.repair_time = duration("--repair-time", o.repair_time);
  c.horizon = interval("--horizon", o.horizon);
  delivery::validate(c);
  return c;
}

// The quantities the core's validate() names, and the flags that set them.
const std::vector<std::pair<std::string, std::string>> kPipelineQuantityFlags = {
    {"change rate", "--changes-per-day"},
    {"change size", "--change-size"},
    {"defect probability", "--defect-probability"},
    {"stage \"", "--stage"},
    {"canary catch", "--canary-catch"},
    {"train interval", "--train-every"},
    {"diagnosis growth", "--diagnosis-growth"},
    {"horizon", "--horizon"}};

// The config keys in work-limit messages, and the flags that set them.
const std::vector<std::pair<std::string, std::string>> kPipelineKeyFlags = {
    {"changes_per_day", "--changes-per-day"},
    {"horizon", "--horizon"},
    {"train_interval", "--train-every"}};

std::string mean_ci(const experiment::RunningStats& stats, int decimals, double scale = 1.0) {
  if (stats.count() == 0) return "-";
  const auto ci = experiment::t_interval(stats);
  return fixed(stats.mean() * scale, decimals) + " [" + fixed(ci.low * scale, decimals) + ", " +
         fixed(ci.high * scale, decimals) + "]";
}

// The model from --config (and --set) or from the flags; nullopt after reporting a bad input.
std::variant<delivery::PipelineConfig, int> read_config(const PipelineOptions& o) {
  if (!o.config_file.empty()) {
    if (auto refused = refuse_model_flags(o.model_flags_given, "changes_per_day=50")) {
      return *refused;
    }
    try {
      return delivery::load_pipeline_config(o.config_file, o.overrides);
    } catch (const input::InputError& error) {
      return report(error);
    }
  }
  if (!o.overrides.empty()) {
    return input_error("--set changes a --config file's values; without --config use the flags");
  }
  try {
    return pipeline_config(o);
  } catch (const delivery::WorkLimitError& error) {
    return input_error(name_the_flags(error, kPipelineKeyFlags));
  } catch (const std::invalid_argument& error) {
    return input_error(name_the_flag(error.what(), kPipelineQuantityFlags));
  }
}

// "1h,4h" given once or over several --sweep-train-every: the items, in order. The option
// takes one argument each time and is split here, so that an empty list (",") is an error
// instead of a reason for the parser to take the next option as its value.
std::vector<std::string> split_intervals(const std::vector<std::string>& given) {
  std::vector<std::string> items;
  for (const auto& text : given) {
    std::size_t start = 0;
    while (true) {
      const auto comma = text.find(',', start);
      items.push_back(text.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return items;
}

int run_sweep(const delivery::PipelineConfig& config, const PipelineOptions& o) {
  const auto texts = split_intervals(o.sweep_train_every);
  std::vector<engine::Duration> intervals;
  for (const auto& text : texts) {
    try {
      const auto interval = engine::parse_duration(text);
      if (interval.ms() > 0) {
        intervals.push_back(interval);
        continue;
      }
    } catch (const std::invalid_argument&) {
    }
    return input_error("--sweep-train-every: expected durations > 0 separated by commas, found " +
                       (text.empty() ? std::string("an empty item") : input::quote(text)));
  }
  delivery::TrainSweep sweep;
  try {
    sweep = delivery::sweep_train_intervals(config, intervals, o.replicas, o.threads, o.seed);
  } catch (const delivery::WorkLimitError& error) {
    auto keys = kPipelineKeyFlags;
    keys.back().second = "--sweep-train-every";
    return input_error(name_the_flags(error, keys));
  } catch (const std::invalid_argument& error) {
    return input_error(std::string("--sweep-train-every: ") + error.what());
  }
  if (!o.csv_file.empty()) {
    auto failed =
        write_file(o.csv_file, [&](std::ostream& out) { io::write_train_sweep_csv(out, sweep); });
    if (failed) return *failed;
  }
  if (o.json) {
    std::cout << input::dump_json(delivery::to_json(sweep), 2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table = {{"release every", "deploys/day", "changes/deploy",
                                                  "lead time h", "change fail rate", "recovery min",
                                                  "incidents", "loss", "DORA 2024"}};
  for (std::size_t i = 0; i < sweep.points.size(); ++i) {
    const auto& s = sweep.points[i].summary;
    table.push_back({texts[i], fixed(s.deploys_per_day.mean(), 2),
                     fixed(s.changes_per_deploy.mean(), 1), mean_ci(s.lead_time_median_h, 1),
                     mean_ci(s.change_fail_rate, 1, 100.0) + "%", mean_ci(s.recovery_median_min, 0),
                     fixed(s.incidents.mean(), 1), simulation::money(s.loss_usd.mean()),
                     std::string(delivery::level_name(delivery::classify_means(s).overall))});
  }
  std::cout << "deploysim pipeline: faster is safer? " << config.changes_per_day
            << " changes/day released in trains, " << engine::format_duration(config.horizon)
            << " x " << o.replicas << " replicas, seed " << o.seed
            << "\n(means and 95% CIs over replicas; "
            << "each replica uses the same seed at every interval)\n\n";
  print_table(std::cout, table);
  return kExitOk;
}

std::optional<int> write_pipeline_files(const PipelineOptions& o,
                                        const delivery::PipelineRun& first) {
  const std::pair<const std::string*, void (*)(std::ostream&, const delivery::PipelineRun&)>
      files[] = {{&o.csv_file, io::write_deployment_log_csv},
                 {&o.timeseries_file, io::write_pipeline_days_csv},
                 {&o.incidents_file, io::write_pipeline_incidents_csv}};
  for (const auto& [file, writer] : files) {
    if (file->empty()) continue;
    auto failed = write_file(*file, [&, write = writer](std::ostream& out) { write(out, first); });
    if (failed) return failed;
  }
  return std::nullopt;
}

// "$1.2k" or "-" when no defect was found there.
std::string per_defect(const delivery::DefectTally& t) {
  return t.defects ? simulation::money(t.cost_usd / static_cast<double>(t.defects)) : "-";
}

// "[$1.1k, $1.3k]": the interval over replicas of entry i's cost per defect; "-" until two
// replicas found a defect there.
std::string price_interval(const std::vector<experiment::RunningStats>& prices, std::size_t i) {
  if (i >= prices.size() || prices[i].count() < 2) return "-";
  const auto ci = experiment::t_interval(prices[i]);
  return "[" + simulation::money(ci.low) + ", " + simulation::money(ci.high) + "]";
}

std::string days_text(double days) {
  return days < 1.0 ? fixed(days * 24.0, 1) + " h" : fixed(days, 1) + " d";
}

void print_cost_by_place(const delivery::PipelineReport& r) {
  const auto& s = r.summary;
  const auto places = delivery::defect_places(r.config);
  const double runs = static_cast<double>(r.replicas);
  std::vector<std::vector<std::string>> table = {{"found in", "defects/run", "mean time to find",
                                                  "cost/defect", "95% CI (replicas)",
                                                  "x first stage"}};
  const double first = s.found.front().defects
                           ? s.found.front().cost_usd / static_cast<double>(s.found.front().defects)
                           : 0.0;
  for (std::size_t i = 0; i < s.found.size(); ++i) {
    const auto& t = s.found[i];
    const double n = static_cast<double>(t.defects);
    table.push_back({places[i], fixed(n / runs, 1), t.defects ? days_text(t.days_sum / n) : "-",
                     per_defect(t), price_interval(s.cost_per_defect, i),
                     t.defects && first > 0.0 ? fixed(t.cost_usd / n / first, 1) + "x" : "-"});
  }
  std::cout << "\nWhat a defect costs by where it is found (fix, rework since introduction, "
               "pipeline delay; incident cost in production):\n";
  print_table(std::cout, table);
}

void print_cost_curve(const delivery::PipelineReport& r) {
  const auto& s = r.summary;
  const auto& edges = delivery::cost_curve_edges_days();
  std::vector<std::vector<std::string>> table = {
      {"found after", "defects/run", "cost/defect", "95% CI (replicas)", "of which incident"}};
  for (std::size_t i = 0; i < s.cost_curve.size(); ++i) {
    const auto& t = s.cost_curve[i];
    const std::string span = i + 1 < edges.size()
                                 ? days_text(edges[i]) + " - " + days_text(edges[i + 1])
                                 : days_text(edges[i]) + " or more";
    table.push_back(
        {span, fixed(static_cast<double>(t.defects) / static_cast<double>(r.replicas), 1),
         per_defect(t), price_interval(s.curve_cost_per_defect, i),
         t.defects ? simulation::money(t.incident_usd / static_cast<double>(t.defects)) : "-"});
  }
  std::cout << "\nCost to fix against the time from a defect's introduction to its discovery "
               "(the model's own runs):\n";
  print_table(std::cout, table);
  std::cout << "\nShift left: a share of the defects found later found in the first stage "
               "instead:\n";
  std::vector<std::vector<std::string>> shift = {{"share moved", "cost/defect"}};
  for (double x : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double c = delivery::shifted_cost_per_defect(s, x);
    shift.push_back({fixed(100.0 * x, 0) + "%", std::isnan(c) ? "-" : simulation::money(c)});
  }
  print_table(std::cout, shift);
}

void print_pipeline(const delivery::PipelineReport& r) {
  const auto& config = r.config;
  const auto& s = r.summary;
  const auto c = delivery::classify_means(s);
  auto level = [](delivery::DoraLevel l) {
    return "  (" + std::string(delivery::level_name(l)) + ")";
  };
  std::cout << "deploysim pipeline: " << config.changes_per_day << " changes/day, "
            << delivery::cadence_name(config.cadence)
            << (config.cadence == delivery::ReleaseCadence::train
                    ? " every " + engine::format_duration(config.train_interval)
                    : "")
            << ", " << engine::format_duration(config.horizon) << " x " << r.replicas
            << " replicas, seed " << r.seed << "\n";
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
                    mean_ci(s.lead_time_median_h, 1) + " h" + level(c.lead_time))
            << '\n'
            << line("change fail rate",
                    mean_ci(s.change_fail_rate, 1, 100.0) + " %" + level(c.change_fail_rate))
            << '\n'
            << line("recovery time (median)",
                    s.recovery_median_min.count() == 0
                        ? std::string("- (no failed deployment)")
                        : mean_ci(s.recovery_median_min, 0) + " min" + level(c.recovery_time))
            << '\n'
            << line("DORA 2024 cluster", std::string(delivery::level_name(c.overall))) << '\n'
            << line("changes per deploy", mean_ci(s.changes_per_deploy, 1)) << '\n'
            << line("incidents per run", mean_ci(s.incidents, 1)) << '\n'
            << line("stopped in production per run", mean_ci(s.canary_rollbacks, 1)) << '\n'
            << line("incident loss per run", simulation::money(s.loss_usd.mean())) << '\n'
            << line("deployment rework rate", mean_ci(s.rework_rate, 1, 100.0) + " %") << '\n'
            << line("defect cost per run", simulation::money(s.defect_cost_usd.mean()) +
                                               " (fix, rework, delay, incidents)")
            << '\n';
  if (config.latent.ship_probability > 0.0) {
    std::cout << line("latent-defect incidents", mean_ci(s.latent_incidents, 1) + " per run, " +
                                                     simulation::money(s.latent_loss_usd.mean()))
              << '\n';
  }
  std::cout << line("events processed", thousands(s.events_processed)) << '\n';
  print_cost_by_place(r);
}

int run_pipeline(const PipelineOptions& o) {
  if (auto refused = refuse_replicas(o.replicas)) return *refused;
  auto read = read_config(o);
  if (const int* failed = std::get_if<int>(&read)) return *failed;
  const auto& config = std::get<delivery::PipelineConfig>(read);
  if (!o.sweep_train_every.empty()) return run_sweep(config, o);
  const auto r = delivery::run_pipeline_report(config, o.replicas, o.threads, o.seed);
  if (o.cost_curve) {
    if (!o.csv_file.empty()) {
      auto failed =
          write_file(o.csv_file, [&](std::ostream& out) { io::write_cost_curve_csv(out, r); });
      if (failed) return *failed;
    }
    if (o.json) {
      std::cout << input::dump_json(delivery::to_json(r)["defect_cost"], 2) << '\n';
    } else {
      print_cost_by_place(r);
      print_cost_curve(r);
    }
    return kExitOk;
  }
  if (auto failed = write_pipeline_files(o, r.first)) return *failed;
  if (o.json) {
    std::cout << input::dump_json(delivery::to_json(r), 2) << '\n';
    return kExitOk;
  }
  print_pipeline(r);
  return kExitOk;
}

}  // namespace

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
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  p->add_option("--replicas", o->replicas, "Replicas")->capture_default_str();
  p->add_option("--seed", o->seed, "Base seed")->capture_default_str()->check(seed_check());
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
  p->add_flag("--cost-curve", o->cost_curve,
              "Print what a defect costs by where and how long after its introduction it is "
              "found, and the saving of moving catches earlier (--csv writes the curve)");
  p->add_flag("--json", o->json,
              "Print the result as JSON (with the config and replica 0's days and incidents)");
  p->footer(
      "\nExamples:\n"
      "  deploysim pipeline --changes-per-day 50 --cadence continuous\n"
      "  deploysim pipeline --changes-per-day 50 --sweep-train-every 1h,4h,1d,7d,28d --replicas "
      "20\n"
      "  deploysim pipeline --cost-curve --replicas 10\n"
      "  deploysim pipeline --config examples/delivery/pipeline_cost_of_defects.json "
      "--cost-curve\n"
      "  deploysim pipeline --config examples/delivery/pipeline_daily_train.json \\\n"
      "      --set changes_per_day=100 --timeseries days.csv --incidents incidents.csv\n");
  p->callback([o, p, &exit_code] {
    o->model_flags_given = flags_given(*p, kPipelineModelFlags);
    exit_code = run_pipeline(*o);
  });
}

}  // namespace deploysim::cli
