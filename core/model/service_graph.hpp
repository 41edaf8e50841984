#pragma once
// Service dependency graph (Boost.Graph): cycles are an input error, and the graph gives a safe
// deployment order, dependencies first.

#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace deploysim::model {

/// Thrown when services depend on each other in a cycle; the message names the cycle
/// ("a -> b -> a").
class DependencyCycle : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Service names ordered so that every service comes after the services it depends on (so they
/// can be deployed in that order). Ties keep the order of `services`. Throws DependencyCycle.
std::vector<std::string> safe_deployment_order(const std::vector<scenario::Service>& services);

}  // namespace deploysim::model
