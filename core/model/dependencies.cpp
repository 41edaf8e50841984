#include "model/dependencies.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <cmath>
#include <iterator>

namespace deploysim::model {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// A cycle's fixed point is approached from below (failures only grow with each pass), so the
// passes stop once nothing moves by more than this, or after a bound no real graph reaches.
constexpr double kFixedPointTolerance = 1e-12;
constexpr int kMaxFixedPointPasses = 10'000;

}  // namespace

DependencyGraph::DependencyGraph(const std::vector<spec::Service>& services) {
  calls_.resize(services.size());
  Graph graph(services.size());
  for (std::size_t s = 0; s < services.size(); ++s) {
    for (const auto& dependency : services[s].depends_on) {
      const auto callee = std::find_if(services.begin(), services.end(), [&](const auto& other) {
        return other.name == dependency.service;
      });
      if (callee == services.end()) continue;
      const auto c = static_cast<std::uint32_t>(callee - services.begin());
      calls_[s].push_back(
          Call{c, dependency.call_fraction, static_cast<double>(dependency.timeout.ms())});
      boost::add_edge(s, c, graph);
      has_calls_ = has_calls_ || dependency.call_fraction > 0.0;
    }
  }
  std::vector<std::size_t> component(services.size());
  const std::size_t count = boost::strong_components(
      graph,
      boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, graph)));
  // The condensation, ordered so that callees come first: a topological sort lists a vertex
  // after everything it reaches, in reverse, so its output read forwards is callees first.
  Graph condensation(count);
  for (std::size_t s = 0; s < services.size(); ++s) {
    for (const auto& call : calls_[s]) {
      if (component[s] != component[call.callee]) {
        boost::add_edge(component[s], component[call.callee], condensation);
      }
    }
  }
  std::vector<std::size_t> order;
  boost::topological_sort(condensation, std::back_inserter(order));
  std::vector<std::size_t> position(count);
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  components_.resize(count);
  for (std::size_t s = 0; s < services.size(); ++s) {
    components_[position[component[s]]].push_back(static_cast<std::uint32_t>(s));
  }
}

DependencyEffect DependencyGraph::effect_of(std::uint32_t service, const std::vector<double>& total,
                                            std::span<const std::uint8_t> not_called) const {
  // A request succeeds only if every call it makes succeeds; calls are independent.
  double succeeds = 1.0;
  double wait_ms = 0.0;
  for (const auto& call : calls_[service]) {
    if (!not_called.empty() && not_called[call.callee] != 0) continue;
    const double failing = call.fraction * total[call.callee];
    succeeds *= 1.0 - failing;
    wait_ms += failing * call.timeout_ms;
  }
  return {1.0 - succeeds, wait_ms};
}

void DependencyGraph::cascade(std::span<const double> own_failed, std::vector<double>& total_failed,
                              std::vector<DependencyEffect>& effects,
                              std::span<const std::uint8_t> not_called) const {
  total_failed.assign(own_failed.begin(), own_failed.end());
  effects.assign(calls_.size(), DependencyEffect{});
  const auto settle = [&](std::uint32_t s) {
    effects[s] = effect_of(s, total_failed, not_called);
    const double next = own_failed[s] + (1.0 - own_failed[s]) * effects[s].failed;
    const double moved = std::abs(next - total_failed[s]);
    total_failed[s] = next;
    return moved;
  };
  for (const auto& members : components_) {
    if (members.size() == 1) {
      settle(members.front());
      // A service calling itself is a cycle of one: it needs the passes below.
      const auto& own_calls = calls_[members.front()];
      const bool self_call = std::any_of(own_calls.begin(), own_calls.end(), [&](const Call& c) {
        return c.callee == members.front();
      });
      if (!self_call) continue;
    }
    for (int pass = 0; pass < kMaxFixedPointPasses; ++pass) {
      double moved = 0.0;
      for (auto s : members) moved = std::max(moved, settle(s));
      if (moved <= kFixedPointTolerance) break;
    }
  }
}

}  // namespace deploysim::model
