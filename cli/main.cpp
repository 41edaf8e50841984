// The `deploysim` command: subcommands register themselves here; every path returns one of the
// exit codes in exit_codes.hpp and never lets an exception escape.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <exception>
#include <iostream>
#include <new>
#include <nlohmann/json.hpp>

#include "check_command.hpp"
#include "delivery_commands.hpp"
#include "demo_command.hpp"
#include "exit_codes.hpp"
#include "experiment_commands.hpp"
#include "grafana_command.hpp"
#include "input/file.hpp"
#include "input/input_error.hpp"
#include "input/utf8.hpp"
#include "io/output_file.hpp"
#include "message_filter.hpp"
#include "output.hpp"
#include "scenario_commands.hpp"
#include "size_option.hpp"
#include "verify_command.hpp"

namespace {

// "deploysim run": the command, for messages that have no file or option of their own to name.
std::string command_words(int argc, char** argv) {
  std::string words = "deploysim";
  if (argc > 1 && argv[1][0] != '-') words += " " + deploysim::input::to_valid_utf8(argv[1]);
  return words;
}

// CLI11 reports an unknown command as a missing one; this names it and suggests the closest.
bool refuse_unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  std::vector<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  const std::string word = argv[1];
  if (std::find(commands.begin(), commands.end(), word) != commands.end()) return false;
  const std::string suggestion = deploysim::input::did_you_mean(word, commands);
  std::cerr << "deploysim: unknown command \"" << word << "\""
            << (suggestion.empty() ? "" : "; did you mean \"" + suggestion + "\"?")
            << "\nRun 'deploysim --help' for the list of commands.\n";
  return true;
}

// For an option CLI11 did not expect ("--cost-curv"), the closest long option of the command
// that was being parsed, as "; did you mean \"--cost-curve\"?"; "" when none is close.
std::string suggest_option(const CLI::App& app, const CLI::App& command, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CLI::App* scope : {&app, &command}) {
    for (const CLI::Option* option : scope->get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    }
  }
  for (int i = 1; i < argc; ++i) {
    const std::string word = std::string(argv[i]).substr(0, std::string(argv[i]).find('='));
    if (word.rfind("--", 0) != 0 || word.size() < 3) continue;
    if (std::find(names.begin(), names.end(), word) != names.end()) continue;
    const std::string suggestion = deploysim::input::did_you_mean(word, names);
    if (!suggestion.empty()) return "; did you mean \"" + suggestion + "\"?";
  }
  return "";
}

// Parses and runs one command. Each known failure is handled where it arises; an exception that
// still reaches here becomes a message naming the command, never an "internal error".
int run_command(CLI::App& app, int argc, char** argv, const int& exit_code) {
  using namespace deploysim::cli;
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
    const CLI::App* parsed = &app;
    for (const CLI::App* sub : app.get_subcommands()) {
      command += " " + sub->get_name();
      parsed = sub;
    }
    const std::string hint =
        dynamic_cast<const CLI::ExtrasError*>(&e) ? suggest_option(app, *parsed, argc, argv) : "";
    std::cerr << command << ": " << e.what() << hint << "\nRun '" << command
              << " --help' for usage.\n";
    return kExitUsage;
  } catch (const deploysim::input::InputError& error) {
    return report(error);
  } catch (const deploysim::io::OutputError& error) {
    return input_error(error.what());
  } catch (const std::bad_alloc&) {
    std::cerr << command_words(argc, argv)
              << ": error: out of memory: the input asks for more than this machine holds\n";
    return kExitUsage;
  } catch (const nlohmann::json::exception& error) {
    std::cerr << command_words(argc, argv)
              << ": error: while reading or writing JSON: " << error.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& error) {
    std::cerr << command_words(argc, argv) << ": error: " << error.what() << '\n';
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deploysim::cli;
  // A closed pipe is a write failure like a full disk (exit 2 and a message), never a signal.
  std::signal(SIGPIPE, SIG_IGN);
  // Past `ulimit -f` a write fails with EFBIG and is reported like a full disk (exit 2, the old
  // file kept), instead of SIGXFSZ killing the process and leaving its temporary file behind.
  std::signal(SIGXFSZ, SIG_IGN);
  deploysim::io::StandardStreams streams;
  // Every message on standard error quotes at most an excerpt of a long value or file name.
  MessageFilter messages(std::cerr);
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
      "\nExit codes: 0 success, 1 findings, 2 usage or input error, or output that could not be\n"
      "written (a full disk, a closed pipe); see docs/cli.md.\n"
      "Run 'deploysim COMMAND --help' for the options of a command.\n");
  app.require_subcommand(1);
  // Before the command: its callback reads the files, after this option's callback has run.
  app.add_option_function<std::string>(
         "--max-input-size",
         [](const std::string& size) {
           deploysim::input::set_max_input_bytes(parse_input_size(size));
         },
         "Largest input file or standard input read, e.g. 1GiB (default 256MiB, at most 1EiB); "
         "give it before the command")
      ->check(input_size_check());
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
  add_verify_command(app, exit_code);

  int code = refuse_unknown_command(app, argc, argv) ? kExitUsage
                                                     : run_command(app, argc, argv, exit_code);
  try {
    streams.check_output();
  } catch (const deploysim::io::OutputError& error) {
    code = input_error(error.what());
  }
  if (deploysim::input::utf8_repairs() > 0) {
    std::cerr << "note: some text (a file name or a value) was not valid UTF-8; each invalid byte "
                 "was written as U+FFFD\n";
  }
  return code;
}
