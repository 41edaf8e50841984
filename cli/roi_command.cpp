#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "delivery/config.hpp"
#include "delivery/report.hpp"
#include "delivery/roi.hpp"
#include "delivery/xkcd.hpp"
#include "delivery_commands.hpp"
#include "exit_codes.hpp"
#include "input/utf8.hpp"
#include "io/delivery_writers.hpp"
#include "output.hpp"
#include "scenario/load.hpp"
#include "seed_option.hpp"
#include "simulation/narrative.hpp"

namespace deploysim::cli {

namespace {

using nlohmann::ordered_json;

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

// The quantities the core's validate() names, and the flags that set them.
const std::vector<std::pair<std::string, std::string>> kRoiQuantityFlags = {
    {"build hours", "--build-hours"},
    {"maintenance hours", "--maintenance-hours"},
    {"hourly rate", "--rate"},
    {"manual time", "--manual-time"},
    {"automated time", "--automated-time"},
    {"deploys per period", "--deploys"},
    {"horizon", "--horizon"},
    {"period", "--period"},
    {"manual loss", "--manual-loss"},
    {"automated loss", "--automated-loss"}};

// The comic's table is fixed: a scenario or an override beside --xkcd would be silently
// ignored, so it is refused instead.
std::optional<int> refuse_with_xkcd(const RoiOptions& options) {
  std::vector<std::string> given;
  if (!options.manual_scenario.empty()) given.emplace_back("--manual-scenario");
  if (!options.automated_scenario.empty()) given.emplace_back("--automated-scenario");
  if (!options.manual_overrides.empty()) given.emplace_back("--manual-set");
  if (!options.automated_overrides.empty()) given.emplace_back("--automated-set");
  if (!options.csv_file.empty()) given.emplace_back("--csv");
  if (given.empty()) return std::nullopt;
  std::string list;
  for (const auto& flag : given) list += (list.empty() ? "" : ", ") + flag;
  return input_error("--xkcd prints the comic's fixed table and takes no " + list);
}

int run_roi(const RoiOptions& options) {
  if (options.xkcd) {
    if (auto refused = refuse_with_xkcd(options)) return *refused;
    return run_xkcd(options.json);
  }
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
  if (!from_scenarios && !options.manual_overrides.empty()) {
    return input_error("--manual-set changes the --manual-scenario; give the scenarios too");
  }
  if (!from_scenarios && !options.automated_overrides.empty()) {
    return input_error("--automated-set changes the --automated-scenario; give the scenarios too");
  }
  if (from_scenarios && (options.manual_loss != 0.0 || options.automated_loss != 0.0)) {
    return input_error(
        "give the loss per deploy either as --manual-loss/--automated-loss or "
        "from --manual-scenario/--automated-scenario, not both");
  }
  if (auto refused = refuse_replicas(options.replicas)) return *refused;

  delivery::RoiInputs in;
  double period_days = 0.0;
  try {
    period_days = parse_flag("--period", [&] { return delivery::period_days(options.period); });
    in.build_hours = *options.build_hours;
    in.maintenance_hours_per_period = options.maintenance_hours;
    in.hourly_rate_usd = *options.rate;
    in.manual_hours_per_deploy =
        parse_flag("--manual-time", [&] { return engine::parse_duration(options.manual_time); })
            .to_seconds() /
        3600.0;
    in.automated_hours_per_deploy =
        parse_flag("--automated-time",
                   [&] { return engine::parse_duration(options.automated_time); })
            .to_seconds() /
        3600.0;
    in.deploys_per_period = *options.deploys;
    in.horizon_periods =
        parse_flag("--horizon", [&] { return delivery::parse_span_days(options.horizon); }) /
        period_days;
    in.manual_loss_per_deploy_usd = options.manual_loss;
    in.automated_loss_per_deploy_usd = options.automated_loss;
    delivery::validate(in);
  } catch (const delivery::WorkLimitError& error) {
    return input_error(name_the_flags(error, {{"horizon_periods", "--horizon"}}));
  } catch (const std::invalid_argument& error) {
    return input_error(name_the_flag(error.what(), kRoiQuantityFlags));
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
      return report(error);
    }
    in.manual_loss_per_deploy_usd = losses->first.loss_usd.mean();
    in.automated_loss_per_deploy_usd = losses->second.loss_usd.mean();
  }
  const auto report = delivery::roi_report(options.period, in, losses, options.replicas);
  const auto& result = report.result;

  if (!options.csv_file.empty()) {
    auto failed = write_file(options.csv_file, [&](std::ostream& out) {
      io::write_roi_series_csv(out, result, period_days);
    });
    if (failed) return *failed;
  }

  if (options.json) {
    std::cout << input::dump_json(delivery::to_json(report), 2) << '\n';
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
  roi->add_option("--seed", o->seed, "Base seed (default: the manual scenario's)")
      ->check(seed_check());
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

}  // namespace deploysim::cli
