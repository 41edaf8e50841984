#pragma once
// Every command's --seed follows the rule of a file's "seed" (core/input/seed.hpp): CLI11 would
// otherwise wrap -1 and 99999999999999999999 to 2^64 - 1 and read '' as the default.

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>

#include "input/seed.hpp"

namespace deploysim::cli {

/// A CLI11 check for a --seed option: "--seed: expected a non-negative integer (0 to ...), found
/// -1".
inline CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& text) {
        try {
          input::parse_seed(text);
          return std::string();
        } catch (const std::invalid_argument& error) {
          return std::string(error.what());
        }
      },
      "SEED", "seed");
}

}  // namespace deploysim::cli
