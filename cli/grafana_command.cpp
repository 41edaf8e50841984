#include "grafana_command.hpp"

#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "exit_codes.hpp"
#include "input/utf8.hpp"
#include "io/grafana_dashboard.hpp"
#include "output.hpp"
#include "scenario/load.hpp"
#include "seed_option.hpp"

namespace deploysim::cli {

namespace {

struct GrafanaOptions {
  std::string scenario_file;
  io::DataSource source = io::DataSource::influxdb;
  std::optional<std::uint64_t> seed;
  std::string output;
};

int write_dashboard(const GrafanaOptions& options) {
  std::optional<spec::Scenario> loaded;
  try {
    loaded = scenario::load_scenario(options.scenario_file);
  } catch (const input::InputError& error) {
    for (const auto& problem : error.problems()) {
      std::cerr << "error: " << problem.message() << '\n';
    }
    return kExitUsage;
  }
  const auto dashboard =
      io::grafana_dashboard(*loaded, options.seed.value_or(loaded->seed), options.source);
  if (options.output.empty() || options.output == "-") {
    std::cout << input::dump_json(dashboard, 2) << '\n';
    return kExitOk;
  }
  return write_file(options.output,
                    [&](std::ostream& out) { out << input::dump_json(dashboard, 2) << '\n'; })
      .value_or(kExitOk);
}

}  // namespace

void add_grafana_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<GrafanaOptions>();
  CLI::App* grafana =
      app.add_subcommand("grafana", "Write a Grafana dashboard for a scenario's exported runs");
  grafana->footer(
      "\nThe dashboard shows loss, error rate, hosts per version, alerts (and load and replicas\n"
      "with a load model) of runs exported with 'deploysim run --export', with the run's events\n"
      "as annotations. Put it in a directory that Grafana's dashboard provisioning reads; the\n"
      "data source must have the uid deploysim-influxdb or deploysim-prometheus\n"
      "(docs/observability.md has a complete provisioning example).\n"
      "\nExamples:\n"
      "  deploysim grafana scenarios/knight_capital_2012.json -o knight-influx.json\n"
      "  deploysim grafana scenarios/knight_capital_2012.json --datasource prometheus\n");
  grafana->add_option("scenario", options->scenario_file, "Scenario file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  const std::map<std::string, io::DataSource> sources = {
      {"influxdb", io::DataSource::influxdb}, {"prometheus", io::DataSource::prometheus}};
  grafana
      ->add_option("--datasource", options->source,
                   "Where the runs were exported to: influxdb (default) or prometheus")
      ->transform(CLI::CheckedTransformer(sources));
  grafana
      ->add_option("--seed", options->seed,
                   "The seed the dashboard shows first (default: the scenario's)")
      ->check(seed_check());
  grafana->add_option("-o,--output", options->output,
                      "Write the dashboard to FILE (default: standard output)");
  grafana->callback([options, &exit_code] { exit_code = write_dashboard(*options); });
}

}  // namespace deploysim::cli
