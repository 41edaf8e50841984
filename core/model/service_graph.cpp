#include "model/service_graph.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace deploysim::model {

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

}  // namespace

std::vector<std::string> safe_deployment_order(const std::vector<scenario::Service>& services) {
  Graph graph(services.size());
  auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < services.size(); ++i) {
      if (services[i].name == name) return i;
    }
    throw std::invalid_argument("unknown service \"" + name + "\"");
  };
  // An edge from a service to each service that depends on it: dependencies come first.
  for (std::size_t i = 0; i < services.size(); ++i) {
    for (const auto& dependency : services[i].depends_on) {
      boost::add_edge(index_of(dependency.service), i, graph);
    }
  }

  std::vector<Vertex> parent(services.size());
  std::vector<Vertex> cycle;
  boost::depth_first_search(graph, boost::visitor(CycleFinder{{}, &parent, &cycle}));
  if (!cycle.empty()) {
    // Name the cycle in "depends on" direction: a -> b means a depends on b.
    std::string text = "services depend on each other in a cycle: ";
    for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) {
      if (it != cycle.rbegin()) text += " -> ";
      text += services[*it].name;
    }
    throw DependencyCycle(text);
  }

  std::vector<Vertex> reversed;
  boost::topological_sort(graph, std::back_inserter(reversed));
  std::vector<std::string> order;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    order.push_back(services[*it].name);
  return order;
}

}  // namespace deploysim::model
