#include "spec/service_graph.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <unordered_map>

namespace deploysim::spec {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

// Stops the search at the first back edge, remembering the DFS tree so the cycle can be named.
struct CycleFinder : boost::default_dfs_visitor {
  std::vector<Vertex>* parent;
  std::vector<Vertex>* cycle;
  void tree_edge(Edge e, const Graph& g) const {
    (*parent)[boost::target(e, g)] = boost::source(e, g);
  }
  void back_edge(Edge e, const Graph& g) const {
    if (!cycle->empty()) return;
    const Vertex from = boost::source(e, g);
    const Vertex to = boost::target(e, g);
    cycle->push_back(to);
    for (Vertex v = from; v != to; v = (*parent)[v]) cycle->push_back(v);
    std::reverse(cycle->begin() + 1, cycle->end());
    cycle->push_back(to);
  }
};

std::string cycle_message(const std::vector<std::string>& path) {
  std::string text = "services depend on each other in a cycle: ";
  for (std::size_t i = 0; i < path.size(); ++i) text += (i == 0 ? "" : " -> ") + path[i];
  return text;
}

}  // namespace

DependencyCycle::DependencyCycle(std::vector<std::string> path)
    : std::invalid_argument(cycle_message(path)), path_(std::move(path)) {}

std::vector<std::string> safe_deployment_order(const std::vector<ServiceDependencies>& services) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < services.size(); ++i) index.emplace(services[i].name, i);
  Graph graph(services.size());
  // An edge from a service to each service that depends on it: dependencies come first.
  for (std::size_t i = 0; i < services.size(); ++i) {
    for (const auto& dependency : services[i].depends_on) {
      // A dependency on a service not listed has no place in the order; whether it may be named
      // at all is the caller's rule (the scenario parser refuses it, the checker reports it).
      const auto found = index.find(dependency);
      if (found != index.end()) boost::add_edge(found->second, i, graph);
    }
  }

  std::vector<Vertex> parent(services.size());
  std::vector<Vertex> cycle;
  boost::depth_first_search(graph, boost::visitor(CycleFinder{{}, &parent, &cycle}));
  if (!cycle.empty()) {
    // Edges point from dependency to dependant; the path reads in "depends on" direction.
    std::vector<std::string> path;
    for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) path.push_back(services[*it].name);
    throw DependencyCycle(std::move(path));
  }

  std::vector<Vertex> reversed;
  boost::topological_sort(graph, std::back_inserter(reversed));
  std::vector<std::string> order;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    order.push_back(services[*it].name);
  return order;
}

std::vector<std::string> safe_deployment_order(const std::vector<Service>& services) {
  std::vector<ServiceDependencies> names;
  names.reserve(services.size());
  for (const auto& service : services) {
    ServiceDependencies entry{service.name, {}};
    for (const auto& dependency : service.depends_on)
      entry.depends_on.push_back(dependency.service);
    names.push_back(std::move(entry));
  }
  return safe_deployment_order(names);
}

}  // namespace deploysim::spec
