// `deploysim verify`: every schedule of at most k faults against a rollout plan's properties.

#include "verify_command.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "exit_codes.hpp"
#include "input/input_error.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "scenario/load.hpp"
#include "seed_option.hpp"
#include "verify/report.hpp"
#include "verify/search.hpp"

namespace deploysim::cli {

namespace {

struct VerifyOptions {
  std::string scenario_file;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> overrides;
  std::vector<std::string> properties;
  int max_faults = 2;
  std::vector<std::string> kinds;
  double slow_quantile = 0.95;
  std::string late_by = "10min";
  std::vector<std::string> probabilities;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool no_symmetry = false;
  bool no_prune = false;
  bool keep_scripted_faults = false;
  std::string format = "text";
  std::string output;
  std::string counterexample;
  bool quiet = false;
};

[[noreturn]] void bad_value(const std::string& option, const std::string& expected,
                            const std::string& found, const std::string& hint = {}) {
  throw input::InputError(
      input::InputProblem{.file = option, .expected = expected, .found = found, .hint = hint});
}

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (auto kind : model::all_fault_kinds()) names.emplace_back(model::fault_kind_name(kind));
  return names;
}

model::FaultKind parse_kind(const std::string& option, const std::string& name) {
  if (const auto kind = model::find_fault_kind(name)) return *kind;
  std::string all;
  for (const auto& n : kind_names()) all += (all.empty() ? "" : ", ") + n;
  const auto hint = input::did_you_mean(name, kind_names());
  bad_value(option, "a fault kind (" + all + ")", "\"" + name + "\"",
            hint.empty() ? "" : "did you mean \"" + hint + "\"?");
}

// KIND=P pairs of --probability.
std::vector<std::pair<model::FaultKind, double>> parse_probabilities(
    const std::vector<std::string>& items) {
  std::vector<std::pair<model::FaultKind, double>> result;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      bad_value("--probability", "KIND=P, e.g. skip_host=0.01", "\"" + item + "\"");
    }
    const auto kind = parse_kind("--probability", item.substr(0, eq));
    double p = -1.0;
    std::istringstream in(item.substr(eq + 1));
    if (!(in >> p) || !in.eof() || !(p >= 0.0 && p < 1.0)) {
      bad_value("--probability", "a probability from 0 up to (not including) 1",
                "\"" + item.substr(eq + 1) + "\"");
    }
    result.emplace_back(kind, p);
  }
  return result;
}

verify::SearchOptions search_options(const VerifyOptions& options, const spec::Scenario& scenario) {
  verify::SearchOptions search;
  if (options.max_faults < 0 || options.max_faults > verify::kMaxFaults) {
    bad_value("--max-faults", "a number of faults from 0 to " + std::to_string(verify::kMaxFaults),
              std::to_string(options.max_faults));
  }
  search.max_faults = options.max_faults;
  for (const auto& kind : options.kinds) search.kinds.push_back(parse_kind("--fault-kind", kind));
  if (!(options.slow_quantile > 0.0 && options.slow_quantile < 1.0)) {
    std::ostringstream found;
    found << options.slow_quantile;
    bad_value("--slow-quantile", "a quantile strictly between 0 and 1", found.str());
  }
  search.bounds.slow_quantile = options.slow_quantile;
  try {
    search.bounds.late_by = engine::parse_duration(options.late_by);
  } catch (const std::invalid_argument&) {
    bad_value("--late-by", "a duration such as 10min", "\"" + options.late_by + "\"");
  }
  search.probabilities = parse_probabilities(options.probabilities);
  search.seed = options.seed.value_or(scenario.seed);
  search.keep_scripted_faults = options.keep_scripted_faults;
  search.symmetry = !options.no_symmetry;
  search.prune = !options.no_prune;
  search.threads = std::max(1, options.threads);
  return search;
}

std::vector<verify::Property> properties_of(const VerifyOptions& options,
                                            const spec::Scenario& scenario) {
  std::vector<std::string> names = options.properties;
  // Knight's invariant where there are flags to keep consistent; the error budget otherwise.
  if (names.empty()) names = {scenario.flags.empty() ? "error_budget" : "flag_consistency"};
  std::vector<verify::Property> properties;
  input::ProblemCollector problems;
  for (std::size_t i = 0; i < names.size(); ++i) {
    problems.check([&] {
      properties.push_back(verify::Property::named(
          names[i], scenario, options.properties.empty() ? "default property" : "--property"));
    });
  }
  problems.throw_if_any();
  return properties;
}

int run_verify(const VerifyOptions& options) {
  const auto format = verify::parse_format(options.format);
  if (!format) {
    return report(input::InputError(input::InputProblem{.file = "--format",
                                                        .expected = "text, json, sarif or junit",
                                                        .found = "\"" + options.format + "\""}));
  }
  std::optional<spec::Scenario> scenario;
  std::vector<verify::Property> properties;
  verify::SearchOptions search;
  try {
    scenario = scenario::load_scenario(options.scenario_file, options.overrides);
    properties = properties_of(options, *scenario);
    search = search_options(options, *scenario);
  } catch (const input::InputError& error) {
    return report(error);
  }
  InterruptGuard interrupt;
  ProgressBar progress("verify", options.quiet);
  search.stop = interrupt.flag();
  search.progress = [&](std::int64_t done, std::int64_t total, int /*level*/) {
    progress.update(done, total);
  };
  const auto result = verify::verify(*scenario, properties, search);
  progress.finish();
  if (interrupt.interrupted()) {
    std::cerr << "verify: interrupted; the report covers the schedules explored so far\n";
  }
  if (!options.counterexample.empty() && result.counterexample) {
    if (auto failed = write_file(options.counterexample, [&](std::ostream& out) {
          out << result.counterexample->schedule.to_json().dump(2) << '\n';
        })) {
      return *failed;
    }
  }
  const auto write = [&](std::ostream& out) {
    verify::write_report(out, *format, result, options.scenario_file);
  };
  if (options.output.empty()) {
    write(std::cout);
  } else if (auto failed = write_file(options.output, write)) {
    return *failed;
  }
  return result.exit_code();
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = app.add_subcommand(
      "verify", "Prove a rollout plan keeps its properties under every schedule of k faults");
  command->footer(
      "\nRuns the scenario once without faults to find its decision points (each manual step,\n"
      "install, health check, alert, page, flag change), then every schedule of at most k\n"
      "faults at them. Prints 'verified' with the counts, or 'violated' with the smallest\n"
      "counterexample (fewest faults, then earliest) and what happens under it.\n"
      "\nExamples:\n"
      "  deploysim verify scenarios/knight_capital_2012.json -k 1 --counterexample cx.json\n"
      "  deploysim run scenarios/knight_capital_2012.json --faults cx.json\n"
      "  deploysim verify scenarios/knight_capital_2012_preflight_gate.json -k 2\n"
      "  deploysim verify PLAN.json -p blast_radius:first_ring -p 'always(serving_fraction() >= "
      "0.9)'\n"
      "\nProperties (-p, repeatable; default flag_consistency with flags, else error_budget):\n"
      "flag_consistency, blast_radius:N, blast_radius:first_ring, loss:USD, error_budget,\n"
      "settles:DURATION, capacity:HOSTS, capacity:PERCENT%, no_serving_mid_install,\n"
      "or an expression (docs/verification.md).\n"
      "Exit codes: 0 verified, 1 violated (or interrupted), 2 bad input.\n");
  command->add_option("scenario", options->scenario_file, "Scenario file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("-p,--property", options->properties,
                   "A property the plan must keep: a built-in name or an expression")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_option("-k,--max-faults", options->max_faults,
                      "At most this many faults per schedule, 0 to 5 (default 2)");
  command
      ->add_option("--fault-kind", options->kinds,
                   "Explore only this kind of fault (repeatable; default every kind)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_option("--slow-quantile", options->slow_quantile,
                      "A slow person takes this quantile of each response step (default 0.95)");
  command->add_option("--late-by", options->late_by,
                      "A late alert fires this much later (default 10min)");
  command
      ->add_option("--probability", options->probabilities,
                   "KIND=P: each such fault happens with probability P (repeatable); adds "
                   "the probability of a violation and the mass left unexplored")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_option("--seed", options->seed, "Random seed (default: the scenario's)")
      ->check(seed_check());
  command->add_option("--set", options->overrides, "Override a scenario value: PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_option("--threads", options->threads,
                      "Worker threads (the report does not depend on it; default all cores)");
  command->add_flag("--no-symmetry", options->no_symmetry,
                    "Explore every decision point, not one per class of interchangeable hosts");
  command->add_flag("--no-prune", options->no_prune,
                    "Run every schedule, even those known to run as a smaller one");
  command->add_flag(
      "--keep-scripted-faults", options->keep_scripted_faults,
      "Keep the scenario's own scripted faults (a replay's skipped host) in the plan");
  command->add_option("--format", options->format, "text, json, sarif or junit (default text)");
  command->add_option("-o,--output", options->output, "Write the report to FILE");
  command->add_option("--counterexample", options->counterexample,
                      "Write the counterexample's fault schedule to FILE, for 'run --faults'");
  command->add_flag("--quiet", options->quiet, "No progress bar on standard error");
  command->callback([options, &exit_code] { exit_code = run_verify(*options); });
}

}  // namespace deploysim::cli
