#pragma once
// Run-time dependencies (docs/dependencies.md): a service's requests call the services it
// depends on, each with a call fraction and a timeout. When a callee fails a share of its
// requests, its callers fail call_fraction times that share of theirs, after waiting the
// timeout; this cascades through the graph, dependencies first. Calls in a cycle (possible only
// in a graph built in code: the scenario format refuses cycles) are solved as one strongly
// connected component by iterating to a fixed point.
//
// Works per service, never per host, so that its cost does not grow with the fleet.

#include <cstdint>
#include <span>
#include <vector>

#include "spec/scenario.hpp"

namespace deploysim::model {

/// What a service's calls do to its requests.
struct DependencyEffect {
  double failed = 0.0;   ///< fraction of its requests failing because a call failed
  double wait_ms = 0.0;  ///< mean time its requests spend waiting on calls that time out
};

class DependencyGraph {
 public:
  /// The call graph of `services` (indices as in the vector).
  explicit DependencyGraph(const std::vector<spec::Service>& services);
  /// Whether any service calls another.
  bool has_calls() const { return has_calls_; }
  std::size_t services() const { return calls_.size(); }
  /// From each service's own failed fraction (its code, lack of capacity, or 1 when it is
  /// unavailable), the failed fraction of every service's requests, calls included, in
  /// `total_failed`, and the part its calls add in `effects`.
  /// Services marked in `not_called` (by index; empty: none) are switched off: their callers
  /// skip those calls, which neither fail nor wait.
  void cascade(std::span<const double> own_failed, std::vector<double>& total_failed,
               std::vector<DependencyEffect>& effects,
               std::span<const std::uint8_t> not_called = {}) const;

 private:
  struct Call {
    std::uint32_t callee = 0;
    double fraction = 1.0;
    double timeout_ms = 0.0;
  };
  DependencyEffect effect_of(std::uint32_t service, const std::vector<double>& total,
                             std::span<const std::uint8_t> not_called) const;

  std::vector<std::vector<Call>> calls_;  // by caller
  // Strongly connected components, every component after the components it calls.
  std::vector<std::vector<std::uint32_t>> components_;
  bool has_calls_ = false;
};

}  // namespace deploysim::model
