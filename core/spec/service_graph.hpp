#pragma once
// Service dependency graph (Boost.Graph): cycles are an input error, and the graph gives a safe
// deployment order, dependencies first. Works on names alone, so that the scenario parser and the
// manifest checker share it without building each other's types.

#include <stdexcept>
#include <string>
#include <vector>

#include "spec/scenario.hpp"

namespace deploysim::spec {

/// A service and the services it calls, by name.
struct ServiceDependencies {
  std::string name;
  std::vector<std::string> depends_on;
};

/// Thrown when services depend on each other in a cycle. `path()` lists the cycle in "depends
/// on" direction, first service repeated at the end ("a", "b", "a"); the message reads "a -> b
/// -> a".
class DependencyCycle : public std::invalid_argument {
 public:
  explicit DependencyCycle(std::vector<std::string> path);
  const std::vector<std::string>& path() const { return path_; }

 private:
  std::vector<std::string> path_;
};

/// Service names ordered so that every service comes after the services it depends on (so they
/// can be deployed in that order). Ties keep the order of `services`; dependencies on services not
/// listed are left out. Throws DependencyCycle.
std::vector<std::string> safe_deployment_order(const std::vector<ServiceDependencies>& services);
std::vector<std::string> safe_deployment_order(const std::vector<Service>& services);

}  // namespace deploysim::spec
