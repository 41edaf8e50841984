// The `deploysim` command: subcommands register themselves here; every path returns one of the
// exit codes in exit_codes.hpp and never lets an exception escape.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <iostream>

#include "check_command.hpp"
#include "delivery_commands.hpp"
#include "demo_command.hpp"
#include "exit_codes.hpp"
#include "experiment_commands.hpp"
#include "grafana_command.hpp"
#include "input/file.hpp"
#include "input/input_error.hpp"
#include "scenario_commands.hpp"

int main(int argc, char** argv) {
  using namespace deploysim::cli;
  CLI::App app{
      "deploysim: simulate deployments, measure what goes wrong, and check manifests before it "
      "does.",
      "deploysim"};
  app.set_version_flag("--version", std::string("deploysim ") + DEPLOYSIM_VERSION);
  app.footer(
      "\nStart here:\n"
      "  deploysim run scenarios/knight_capital_2012.json      replay the Knight Capital incident\n"
      "  deploysim run scenarios/knight_capital_2012_preflight_gate.json   ... and what a gate "
      "changes\n"
      "\nExit codes: 0 success, 1 findings, 2 usage or input error.\n"
      "Run 'deploysim COMMAND --help' for the options of a command.\n");
  app.require_subcommand(1);
  // Before the command: its callback reads the files, after this option's callback has run.
  app.add_option_function<std::uint64_t>(
         "--max-input-size",
         [](std::uint64_t bytes) { deploysim::input::set_max_input_bytes(bytes); },
         "Largest input file or standard input read, e.g. 1GiB (default 256MiB); give it "
         "before the command")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Validator(
          [](const std::string& bytes) {
            return bytes == "0" ? std::string("expected a size above 0, e.g. 512MiB")
                                : std::string();
          },
          "SIZE"));

  int exit_code = kExitOk;
  add_run_command(app, exit_code);
  add_validate_command(app, exit_code);
  add_sweep_command(app, exit_code);
  add_compare_command(app, exit_code);
  add_demo_command(app, exit_code);
  add_check_command(app, exit_code);
  add_roi_command(app, exit_code);
  add_drift_command(app, exit_code);
  add_pipeline_command(app, exit_code);
  add_grafana_command(app, exit_code);

  // CLI11 reports an unknown command as a missing one; name it and suggest the closest instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
    const std::string word = argv[1];
    if (std::find(commands.begin(), commands.end(), word) == commands.end()) {
      const std::string suggestion = deploysim::input::did_you_mean(word, commands);
      std::cerr << "deploysim: unknown command \"" << word << "\""
                << (suggestion.empty() ? "" : "; did you mean \"" + suggestion + "\"?")
                << "\nRun 'deploysim --help' for the list of commands.\n";
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // The failing subcommand, if any, gives the most useful --help pointer.
    std::string command = "deploysim";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    std::cerr << command << ": " << e.what() << "\nRun '" << command << " --help' for usage.\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "deploysim: internal error: " << e.what() << '\n';
    return kExitUsage;
  }
  return exit_code;
}
