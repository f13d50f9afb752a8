// LEMON's maximum-weight matching (lemon::MaxWeightedMatching) as the independent reference of the pairing
// tests and benchmark: a general graph given as a dense symmetric integer weight matrix, 0 = no edge.
#ifndef CIRCMATCH_TESTS_ENGINE_LEMON_REFERENCE_H_
#define CIRCMATCH_TESTS_ENGINE_LEMON_REFERENCE_H_

#include <lemon/list_graph.h>
#include <lemon/matching.h>

#include <cstdint>
#include <vector>

namespace circmatch {
namespace testing_util {

// The weight of a maximum-weight matching of the graph `weights` (row-major n x n, symmetric, 0 = no edge).
inline int64_t LemonMaxWeightMatching(int n, const std::vector<int64_t>& weights) {
  lemon::ListGraph graph;
  std::vector<lemon::ListGraph::Node> nodes;
  nodes.reserve(n);
  for (int i = 0; i < n; ++i) nodes.push_back(graph.addNode());
  lemon::ListGraph::EdgeMap<int64_t> edge_weight(graph);
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const int64_t w = weights[static_cast<size_t>(i) * n + j];
      if (w > 0) edge_weight[graph.addEdge(nodes[i], nodes[j])] = w;
    }
  }
  lemon::MaxWeightedMatching<lemon::ListGraph, lemon::ListGraph::EdgeMap<int64_t>> matching(graph, edge_weight);
  matching.run();
  return matching.matchingWeight();
}

}  // namespace testing_util
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_ENGINE_LEMON_REFERENCE_H_
