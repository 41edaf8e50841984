// Runs a scenario through the installed deploysim::core and prints the result contract's summary.

#include <iostream>

#include "input/input_error.hpp"
#include "scenario/load.hpp"
#include "simulation/simulation.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer SCENARIO\n";
    return 2;
  }
  try {
    const auto scenario = deploysim::scenario::load_scenario(argv[1]);
    const auto result = deploysim::simulation::run(scenario, scenario.seed);
    std::cout << result.summary.to_json().dump() << '\n';
  } catch (const deploysim::input::InputError& error) {
    std::cerr << error.what() << '\n';
    return 2;
  }
  return 0;
}
