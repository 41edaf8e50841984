#include "experiment_commands.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "exit_codes.hpp"
#include "experiment/sweep.hpp"
#include "input/json_reader.hpp"
#include "input/utf8.hpp"
#include "io/output_file.hpp"
#include "io/trace_writers.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "scenario/load.hpp"
#include "seed_option.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::cli {

namespace {

using experiment::MetricsAccumulator;
using nlohmann::ordered_json;

// Options both commands share.
struct ExperimentOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;
  std::int64_t replicas = 100;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::optional<std::uint64_t> seed;
  std::vector<std::string> events;
  std::string csv_file;
  std::string jsonl_file;
  bool json = false;
  bool quiet = false;
};

struct SweepOptions : ExperimentOptions {
  std::vector<std::string> parameters;
  bool per_point = false;
  std::string until_ci;
  std::string metric = "loss_usd";
  std::int64_t max_replicas = 100'000;
};

struct CompareOptions : ExperimentOptions {
  std::vector<std::string> variants;
};

void add_shared_options(CLI::App* command, ExperimentOptions& options) {
  command->add_option("scenario", options.scenario_file, "Scenario file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--replicas", options.replicas, "Runs per grid point or variant")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  command->add_option("--threads", options.threads, "Worker threads (results do not depend on it)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command
      ->add_option("--seed", options.seed,
                   "Base seed; replica i runs with a seed derived from (base, i). "
                   "Default: the scenario's seed")
      ->check(seed_check());
  command->add_option("--set", options.overrides, "Override a scenario value: PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command
      ->add_option("--event", options.events,
                   "Report the probability of an event with a Wilson interval, e.g. "
                   "'loss_usd>1e6'")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_option("--csv", options.csv_file, "Write one row per run (or point) as CSV");
  command->add_option("--jsonl", options.jsonl_file, "Write the same rows as JSON Lines");
  command->add_flag("--json", options.json, "Print the aggregated result as JSON");
  command->add_flag("--quiet", options.quiet, "No progress bar or timing on standard error");
}

std::string number(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "-" : (value > 0 ? "inf" : "-inf");
  char buffer[32];
  const double magnitude = std::fabs(value);
  if (magnitude != 0.0 && (magnitude >= 1e7 || magnitude < 1e-3)) {
    std::snprintf(buffer, sizeof buffer, "%.3g", value);
  } else if (magnitude >= 100.0 || std::floor(value) == value) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g", value);
  }
  return buffer;
}

// A metric value as a person reads it: money for losses, minutes for times.
std::string metric_text(const std::string& metric, double value) {
  if (std::isnan(value)) return "-";
  if (metric == "loss_usd") return simulation::money(value);
  if (metric.size() > 2 && metric.compare(metric.size() - 2, 2, "_s") == 0) {
    return simulation::minutes_text(value);
  }
  return number(value);
}

std::string percent(double fraction) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * fraction);
  return buffer;
}

// One aggregated metric as JSON (NaN as null).
ordered_json metric_json(const MetricsAccumulator::MetricStats& m) {
  auto value = [](double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); };
  const auto ci = experiment::t_interval(m.stats);
  ordered_json j;
  j["n"] = m.stats.count();
  j["missing"] = m.missing;
  j["mean"] = value(m.stats.mean());
  j["sd"] = value(m.stats.stddev());
  j["se"] = value(m.stats.standard_error());
  j["ci95_low"] = value(m.stats.count() ? ci.low : std::nan(""));
  j["ci95_high"] = value(m.stats.count() ? ci.high : std::nan(""));
  for (double p : m.quantiles.probabilities()) {
    j["p" + std::to_string(static_cast<int>(p * 100))] = value(m.quantiles.quantile(p));
  }
  // A zero-width interval from runs that all gave the same value is exact, not precise.
  j["deterministic"] = experiment::without_spread(m.stats);
  return j;
}

ordered_json accumulator_json(const MetricsAccumulator& accumulator) {
  ordered_json j;
  j["runs"] = accumulator.runs();
  auto& metrics = j["metrics"] = ordered_json::object();
  const auto& all = experiment::summary_metrics();
  for (std::size_t m = 0; m < all.size(); ++m)
    metrics[all[m].name] = metric_json(accumulator.metric(m));
  auto& events = j["events"] = ordered_json::object();
  for (std::size_t e = 0; e < accumulator.events().size(); ++e) {
    const auto interval =
        experiment::wilson_interval(accumulator.event_count(e), accumulator.runs());
    events[accumulator.events()[e].text] = {
        {"probability", accumulator.runs() ? static_cast<double>(accumulator.event_count(e)) /
                                                 static_cast<double>(accumulator.runs())
                                           : 0.0},
        {"wilson95_low", interval.low},
        {"wilson95_high", interval.high}};
  }
  auto& outcomes = j["deploy_outcomes"] = ordered_json::object();
  for (const auto& [name, count] : accumulator.outcomes()) outcomes[name] = count;
  return j;
}

// Rows of per-run or per-point output, written as CSV and/or JSON Lines with the columns that
// make each row reproducible: deploysim version, scenario hash, base seed.
class RowWriter {
 public:
  RowWriter(const std::string& csv_file, const std::string& jsonl_file) {
    if (!csv_file.empty()) csv_ = std::make_unique<io::OutputFile>(csv_file);
    if (!jsonl_file.empty()) jsonl_ = std::make_unique<io::OutputFile>(jsonl_file);
  }
  void write(const ordered_json& row) {
    if (csv_) {
      auto& csv = csv_->stream();
      if (!header_written_) {
        bool first = true;
        for (const auto& [key, ignored] : row.items()) {
          csv << (first ? "" : ",") << io::csv_cell(key);
          first = false;
        }
        csv << '\n';
        header_written_ = true;
      }
      bool first = true;
      for (const auto& [key, value] : row.items()) {
        csv << (first ? "" : ",")
            << (value.is_string() ? io::csv_cell(value.get<std::string>())
                : value.is_null() ? std::string()
                                  : input::dump_json(value));
        first = false;
      }
      csv << '\n';
    }
    if (jsonl_) jsonl_->stream() << input::dump_json(row) << '\n';
  }
  // Completes the files; throws io::OutputError when one could not be written.
  void finish() {
    if (csv_) csv_->commit();
    if (jsonl_) jsonl_->commit();
  }

 private:
  std::unique_ptr<io::OutputFile> csv_;
  std::unique_ptr<io::OutputFile> jsonl_;
  bool header_written_ = false;
};

ordered_json run_row(const ordered_json& provenance, const ordered_json& values,
                     std::int64_t replica, std::uint64_t seed, const simulation::Summary& summary) {
  ordered_json row = provenance;
  for (const auto& [key, value] : values.items()) row[key] = value;
  row["replica"] = replica;
  row["seed"] = seed;
  for (const auto& metric : experiment::summary_metrics()) {
    const auto value = metric.read(summary);
    row[metric.name] = value ? ordered_json(*value) : ordered_json(nullptr);
  }
  row["deploy_outcome"] = summary.deploy_outcome;
  return row;
}

struct Loaded {
  nlohmann::json document;
  std::uint64_t base_seed = 1;
};

// Loads the scenario document (variants resolved, --set applied) and validates it once.
Loaded load_document(const ExperimentOptions& options) {
  Loaded loaded;
  const auto scenario = scenario::load_scenario(options.scenario_file, options.overrides);
  loaded.document = scenario.source;
  loaded.base_seed = options.seed.value_or(scenario.seed);
  return loaded;
}

// What every row and result carries so that it can be reproduced from the file alone.
ordered_json provenance_of(const Loaded& loaded) {
  ordered_json provenance;
  provenance["deploysim_version"] = DEPLOYSIM_VERSION;
  provenance["scenario_hash"] = experiment::scenario_hash(loaded.document);
  provenance["base_seed"] = loaded.base_seed;
  return provenance;
}

std::vector<experiment::EventRule> parse_events(const std::vector<std::string>& texts) {
  std::vector<experiment::EventRule> events;
  for (const auto& text : texts) events.push_back(experiment::parse_event_rule(text));
  return events;
}

void print_timing(const ExperimentOptions& options, std::int64_t runs, double seconds) {
  std::cout.flush();
  if (options.quiet) return;
  std::cerr << thousands(static_cast<std::uint64_t>(runs)) << " runs in " << wall_time(seconds)
            << " on " << options.threads << " thread(s)";
  if (seconds > 0) {
    std::cerr << " (" << thousands(static_cast<std::uint64_t>(static_cast<double>(runs) / seconds))
              << " runs/s)";
  }
  std::cerr << '\n';
}

int run_sweep_command(const SweepOptions& options) {
  Loaded loaded;
  experiment::Grid grid;
  std::vector<spec::Scenario> points;
  std::vector<experiment::EventRule> events;
  std::optional<experiment::PrecisionTarget> target;
  try {
    loaded = load_document(options);
    experiment::require_metric(options.metric);
    for (const auto& text : options.parameters)
      grid.parameters.push_back(experiment::parse_parameter(text));
    if (grid.points() > 100'000)
      return input_error("the grid has " + std::to_string(grid.points()) +
                         " points; at most 100,000");
    for (std::int64_t p = 0; p < grid.points(); ++p) {
      points.push_back(experiment::scenario_at(loaded.document, options.scenario_file, grid, p));
    }
    events = parse_events(options.events);
    if (!options.until_ci.empty()) {
      if (grid.points() != 1)
        return input_error("--until-ci runs one scenario; it cannot be combined with --param");
      experiment::PrecisionTarget t;
      t.metric = &experiment::require_metric(options.metric);
      std::string text = options.until_ci;
      const bool is_percent = !text.empty() && text.back() == '%';
      if (is_percent) text.pop_back();
      std::size_t used = 0;
      double value = 0.0;
      try {
        value = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size() || !(value > 0.0) || (is_percent && value >= 100.0)) {
        return input_error("--until-ci \"" + options.until_ci +
                           "\": expected a relative half-width such as 2% or 0.02");
      }
      t.relative_half_width = is_percent ? value / 100.0 : value;
      t.max_replicas = options.max_replicas;
      target = t;
    }
  } catch (const input::InputError& error) {
    return report(error);
  } catch (const std::invalid_argument& error) {
    return input_error(error.what());
  }

  std::unique_ptr<RowWriter> writer;
  try {
    writer = std::make_unique<RowWriter>(options.csv_file, options.jsonl_file);
  } catch (const std::exception& error) {
    return input_error(error.what());
  }
  const ordered_json provenance = provenance_of(loaded);

  std::vector<ordered_json> point_values;
  for (std::int64_t p = 0; p < grid.points(); ++p) {
    ordered_json values;
    values["point"] = p;
    const auto coordinates = grid.coordinates(p);
    for (std::size_t i = 0; i < grid.parameters.size(); ++i) {
      values[grid.parameters[i].path] = grid.parameters[i].values[coordinates[i]];
    }
    point_values.push_back(std::move(values));
  }

  InterruptGuard interrupt;
  ProgressBar progress("sweep", options.quiet);
  experiment::SweepOptions run_options;
  run_options.replicas = options.replicas;
  run_options.threads = options.threads;
  run_options.base_seed = loaded.base_seed;
  run_options.events = events;
  run_options.stop = interrupt.flag();
  run_options.progress = [&](std::int64_t done, std::int64_t total) {
    progress.update(done, total);
  };
  if (!options.per_point) {
    run_options.on_run = [&](std::int64_t point, std::int64_t replica, std::uint64_t seed,
                             const simulation::Summary& summary) {
      writer->write(run_row(provenance, point_values[static_cast<std::size_t>(point)], replica,
                            seed, summary));
    };
  }

  const auto started = std::chrono::steady_clock::now();
  experiment::SweepResult result;
  bool reached = true;
  if (target) {
    auto precise = experiment::run_until_precise(points.front(), *target, run_options);
    result = std::move(precise.sweep);
    reached = precise.reached;
  } else {
    result = experiment::run_sweep(points, run_options);
  }
  progress.finish();
  writer->finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (options.per_point) {
    for (std::size_t p = 0; p < result.points.size(); ++p) {
      ordered_json row = provenance;
      for (const auto& [key, value] : point_values[p].items()) row[key] = value;
      const auto aggregated = accumulator_json(result.points[p]);
      row["runs"] = aggregated["runs"];
      for (const auto& [metric, stats] : aggregated["metrics"].items()) {
        for (const auto& [stat, value] : stats.items()) row[metric + "_" + stat] = value;
      }
      for (const auto& [event, stats] : aggregated["events"].items()) {
        for (const auto& [stat, value] : stats.items()) row[event + " " + stat] = value;
      }
      writer->write(row);
    }
  }

  if (options.json) {
    ordered_json out = provenance;
    out["scenario"] = options.scenario_file;
    out["replicas"] = options.replicas;
    auto& parameters = out["parameters"] = ordered_json::array();
    for (const auto& p : grid.parameters)
      parameters.push_back({{"path", p.path}, {"values", p.values}});
    auto& point_results = out["points"] = ordered_json::array();
    for (std::size_t p = 0; p < result.points.size(); ++p) {
      ordered_json entry = point_values[p];
      const ordered_json aggregated = accumulator_json(result.points[p]);
      for (const auto& [key, value] : aggregated.items()) entry[key] = value;
      point_results.push_back(std::move(entry));
    }
    if (target) out["until_ci_reached"] = reached;
    std::cout << input::dump_json(out, 2) << '\n';
  } else {
    std::cout << "deploysim sweep: " << options.scenario_file << ", " << grid.points()
              << " point(s) x "
              << (target ? "up to " + thousands(static_cast<std::uint64_t>(target->max_replicas))
                         : thousands(static_cast<std::uint64_t>(options.replicas)))
              << " replica(s), base seed " << loaded.base_seed << "\n\n";
    const std::size_t metric_index = static_cast<std::size_t>(
        &experiment::require_metric(options.metric) - experiment::summary_metrics().data());
    const std::string metric_name = experiment::summary_metrics()[metric_index].name;
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header;
    for (const auto& p : grid.parameters) header.push_back(p.path.substr(p.path.rfind('.') + 1));
    header.insert(header.end(), {"runs", metric_name + " mean [95% CI]", "p95"});
    for (const auto& e : events) header.push_back("P(" + e.text + ") [95%]");
    header.push_back("deploy outcomes");
    table.push_back(header);
    for (std::size_t p = 0; p < result.points.size(); ++p) {
      const auto& acc = result.points[p];
      std::vector<std::string> row;
      const auto coordinates = grid.coordinates(static_cast<std::int64_t>(p));
      for (std::size_t i = 0; i < grid.parameters.size(); ++i)
        row.push_back(grid.parameters[i].labels[coordinates[i]]);
      const auto& m = acc.metric(metric_index);
      const auto ci = experiment::t_interval(m.stats);
      row.push_back(thousands(static_cast<std::uint64_t>(acc.runs())));
      row.push_back(m.stats.count() == 0 ? "-"
                                         : metric_text(metric_name, m.stats.mean()) + " [" +
                                               metric_text(metric_name, ci.low) + ", " +
                                               metric_text(metric_name, ci.high) + "]");
      row.push_back(m.stats.count() == 0 ? "-"
                                         : metric_text(metric_name, m.quantiles.quantile(0.95)));
      for (std::size_t e = 0; e < events.size(); ++e) {
        const auto w = experiment::wilson_interval(acc.event_count(e), acc.runs());
        row.push_back(percent(acc.runs() ? static_cast<double>(acc.event_count(e)) /
                                               static_cast<double>(acc.runs())
                                         : 0.0) +
                      " [" + percent(w.low) + ", " + percent(w.high) + "]");
      }
      std::string outcomes;
      for (const auto& [name, count] : acc.outcomes()) {
        outcomes += (outcomes.empty() ? "" : ", ") + name + " " +
                    percent(static_cast<double>(count) / static_cast<double>(acc.runs()));
      }
      row.push_back(outcomes);
      table.push_back(std::move(row));
    }
    print_table(std::cout, table);
    if (target) {
      std::cout << '\n'
                << (reached ? "stopped: " : "not reached: ") << metric_name << " 95% CI half-width "
                << (reached ? "within " : "still above ") << options.until_ci
                << " of the mean after "
                << thousands(static_cast<std::uint64_t>(result.runs_completed)) << " replicas"
                << (reached ? ""
                            : " (--max-replicas " +
                                  thousands(static_cast<std::uint64_t>(options.max_replicas)) + ")")
                << '\n';
    }
  }
  print_timing(options, result.runs_completed, seconds);
  if (interrupt.interrupted()) {
    std::cerr << "interrupted: " << result.runs_completed << " of " << result.runs_requested
              << " runs finished; the output covers those\n";
    return kExitUsage;
  }
  return kExitOk;
}

// Splits "a=1,b=[1,2],c=lognormal(5min, 0.5)" at the commas outside brackets, braces,
// parentheses and quotes.
std::vector<std::string> split_assignments(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '[' || c == '{' || c == '(')) ++depth;
    if (!quoted && (c == ']' || c == '}' || c == ')')) --depth;
    if (c == ',' && depth == 0 && !quoted) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(current);
  return parts;
}

int run_compare_command(const CompareOptions& options) {
  std::vector<experiment::Variant> variants;
  std::vector<experiment::EventRule> events;
  Loaded loaded;
  try {
    loaded = load_document(options);
    variants.push_back({"base", scenario::parse_scenario(loaded.document, options.scenario_file)});
    for (const auto& spec : options.variants) {
      const auto colon = spec.find(':');
      const bool is_file = spec.size() > 5 && spec.compare(spec.size() - 5, 5, ".json") == 0 &&
                           (colon == std::string::npos || spec.find('=') == std::string::npos);
      if (is_file) {
        auto variant = scenario::load_scenario(spec, options.overrides);
        std::string name = std::filesystem::path(spec).stem().string();
        variants.push_back({name, std::move(variant)});
        continue;
      }
      if (colon == std::string::npos || colon == 0) {
        return input_error("--variant \"" + spec +
                           "\": expected NAME:PATH=VALUE[,PATH=VALUE...] or a variant FILE.json");
      }
      nlohmann::json document = loaded.document;
      for (const auto& assignment : split_assignments(spec.substr(colon + 1))) {
        scenario::apply_override(document, assignment, options.scenario_file);
      }
      variants.push_back(
          {spec.substr(0, colon), scenario::parse_scenario(document, options.scenario_file)});
    }
    if (variants.size() < 2)
      return input_error("compare needs at least one --variant to compare with the scenario");
    events = parse_events(options.events);
  } catch (const input::InputError& error) {
    return report(error);
  } catch (const std::invalid_argument& error) {
    return input_error(error.what());
  }
  std::unique_ptr<RowWriter> writer;
  try {
    writer = std::make_unique<RowWriter>(options.csv_file, options.jsonl_file);
  } catch (const std::exception& error) {
    return input_error(error.what());
  }
  const ordered_json provenance = provenance_of(loaded);

  InterruptGuard interrupt;
  ProgressBar progress("compare", options.quiet);
  experiment::SweepOptions run_options;
  run_options.replicas = options.replicas;
  run_options.threads = options.threads;
  run_options.base_seed = loaded.base_seed;
  run_options.events = events;
  run_options.stop = interrupt.flag();
  run_options.progress = [&](std::int64_t done, std::int64_t total) {
    progress.update(done, total);
  };
  run_options.on_run = [&](std::int64_t variant, std::int64_t replica, std::uint64_t seed,
                           const simulation::Summary& summary) {
    ordered_json values;
    values["variant"] = variants[static_cast<std::size_t>(variant)].name;
    writer->write(run_row(provenance, values, replica, seed, summary));
  };
  const auto started = std::chrono::steady_clock::now();
  const auto result = experiment::run_comparison(variants, run_options);
  progress.finish();
  writer->finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& metrics = experiment::summary_metrics();

  if (options.json) {
    ordered_json out = provenance;
    out["scenario"] = options.scenario_file;
    out["replicas"] = result.runs_completed;
    auto& list = out["variants"] = ordered_json::array();
    for (std::size_t v = 0; v < variants.size(); ++v) {
      ordered_json entry;
      entry["name"] = variants[v].name;
      const ordered_json aggregated = accumulator_json(result.variants[v]);
      for (const auto& [key, value] : aggregated.items()) entry[key] = value;
      if (v > 0) {
        auto& differences = entry["difference_from_" + variants[0].name] = ordered_json::object();
        for (std::size_t m = 0; m < metrics.size(); ++m) {
          const auto& c = result.comparisons[v][m];
          auto value = [](double x) {
            return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr);
          };
          differences[metrics[m].name] = {{"pairs", c.difference.count()},
                                          {"mean", value(c.difference.mean())},
                                          {"ci95_low", value(c.difference_ci.low)},
                                          {"ci95_high", value(c.difference_ci.high)},
                                          {"significant", c.significant},
                                          {"deterministic", c.deterministic},
                                          {"variance_reduction", value(c.variance_reduction)}};
        }
      }
      list.push_back(std::move(entry));
    }
    std::cout << input::dump_json(out, 2) << '\n';
  } else {
    std::cout << "deploysim compare: " << options.scenario_file << ", " << variants.size()
              << " variants x " << result.runs_completed
              << " replica(s) on the same seeds (common random numbers), base seed "
              << loaded.base_seed << "\n\nMeans\n";
    const std::vector<std::string> shown = {"loss_usd", "time_to_detect_s", "incident_duration_s",
                                            "max_hosts_misbehaving", "hosts_on_target_version"};
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header = {"variant"};
    header.insert(header.end(), shown.begin(), shown.end());
    for (const auto& e : events) header.push_back("P(" + e.text + ")");
    header.push_back("deploy outcomes");
    table.push_back(header);
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const auto& acc = result.variants[v];
      std::vector<std::string> row = {variants[v].name};
      for (const auto& name : shown) {
        const auto index = static_cast<std::size_t>(experiment::find_metric(name) - metrics.data());
        const auto& m = acc.metric(index);
        row.push_back(m.stats.count() == 0 ? "-" : metric_text(name, m.stats.mean()));
      }
      for (std::size_t e = 0; e < events.size(); ++e) {
        row.push_back(percent(acc.runs() ? static_cast<double>(acc.event_count(e)) /
                                               static_cast<double>(acc.runs())
                                         : 0.0));
      }
      std::string outcomes;
      for (const auto& [name, count] : acc.outcomes()) {
        outcomes += (outcomes.empty() ? "" : ", ") + name + " " +
                    percent(static_cast<double>(count) / static_cast<double>(acc.runs()));
      }
      row.push_back(outcomes);
      table.push_back(std::move(row));
    }
    print_table(std::cout, table);
    std::cout << "  (- : did not occur in any run)\n";
    std::cout << "\nPaired differences from " << variants[0].name << " (variant - "
              << variants[0].name
              << ", mean and 95% CI; * = significant; exact = the same in every replica)\n";
    std::vector<std::vector<std::string>> differences = {
        {"variant", "metric", "difference", "95% CI", ""}};
    for (std::size_t v = 1; v < variants.size(); ++v) {
      for (const auto& name : {"loss_usd", "incident_duration_s", "max_hosts_misbehaving"}) {
        const auto index = static_cast<std::size_t>(experiment::find_metric(name) - metrics.data());
        const auto& c = result.comparisons[v][index];
        if (c.difference.count() == 0) {
          differences.push_back({variants[v].name, name, "-", "no pairs (did not occur)", ""});
          continue;
        }
        differences.push_back({variants[v].name, name, metric_text(name, c.difference.mean()),
                               "[" + metric_text(name, c.difference_ci.low) + ", " +
                                   metric_text(name, c.difference_ci.high) + "]",
                               c.deterministic ? "exact"
                               : c.significant ? "*"
                                               : ""});
      }
    }
    print_table(std::cout, differences);
  }
  print_timing(options, result.runs_completed * static_cast<std::int64_t>(variants.size()),
               seconds);
  if (interrupt.interrupted()) {
    std::cerr << "interrupted: " << result.runs_completed << " of " << options.replicas
              << " replicas finished for every variant; the output covers those\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a scenario many times, over a grid of parameter values (Monte Carlo)");
  add_shared_options(sweep, *options);
  sweep
      ->add_option("--param", options->parameters,
                   "A swept value: PATH=V1,V2,... or PATH=START:STEP:END")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sweep->add_flag("--per-point", options->per_point,
                  "Write one CSV/JSONL row per grid point (aggregates) instead of per run");
  sweep->add_option("--until-ci", options->until_ci,
                    "Add replicas until the 95% CI half-width of --metric is within this share "
                    "of its mean, e.g. 2%");
  sweep->add_option("--metric", options->metric, "Metric shown in the table and used by --until-ci")
      ->capture_default_str();
  sweep->add_option("--max-replicas", options->max_replicas, "Cap for --until-ci")
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{100'000'000}))
      ->capture_default_str();
  sweep->footer(
      "\nExamples:\n"
      "  deploysim sweep scenarios/knight_capital_2012.json --replicas 1000 --csv runs.csv\n"
      "  deploysim sweep scenarios/instagram_small_batches.json \\\n"
      "      --param deployment.strategy.batch_size=1,5,10,50 --param "
      "monitoring.scrape_interval=10s,60s \\\n"
      "      --replicas 200 --event 'failed_requests>1000'\n"
      "  deploysim sweep scenarios/nodejs_haproxy_manual.json --until-ci 5% --metric "
      "max_hosts_misbehaving\n"
      "\nReplica i of every grid point runs on the same seed (common random numbers). Rows are\n"
      "written in (point, replica) order whatever --threads is, so the same inputs give a\n"
      "byte-identical file; timing goes to standard error. Ctrl-C stops and writes what "
      "finished.\n");
  sweep->callback([options, &exit_code] { exit_code = run_sweep_command(*options); });
}

void add_compare_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* compare = app.add_subcommand(
      "compare",
      "Compare variants of a scenario on the same seeds, with paired confidence intervals");
  add_shared_options(compare, *options);
  compare
      ->add_option("--variant", options->variants,
                   "NAME:PATH=VALUE[,PATH=VALUE...], or a variant file (\"extends\" the scenario)")
      ->required()
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  compare->footer(
      "\nExamples:\n"
      "  deploysim compare scenarios/knight_capital_2012.json \\\n"
      "      --variant scenarios/knight_capital_2012_preflight_gate.json \\\n"
      "      --variant scenarios/knight_capital_2012_kill_switch.json --replicas 50\n"
      "  deploysim compare scenarios/instagram_small_batches.json \\\n"
      "      --variant big_batch:deployment.strategy.batch_size=200 --replicas 200\n"
      "\nEvery variant runs replica i on the same seed, so differences come from the variant, not\n"
      "from luck; the paired 95% CI of each difference says whether it is significant.\n");
  compare->callback([options, &exit_code] { exit_code = run_compare_command(*options); });
}

}  // namespace deploysim::cli
