// Minimum-cost flow by successive shortest paths with potentials (Johnson reweighting), for pairing problems:
// it sends flow from source to sink one shortest path at a time and stops as soon as the next path would not
// lower the total cost, so the result is the minimum-cost flow over all flow values (costs of augmenting paths
// never decrease). `Send` is the same algorithm for flows with supplies: units sent from chosen nodes one at a
// time, each Dijkstra stopped as soon as the target is settled (what pairing uses: it explores far less).
//
// Costs are lexicographic pairs (primary, secondary) of int64: the secondary part only breaks ties of the
// primary one, which is how a "never lower the total score" secondary objective is kept exact.
//
// Run's Dijkstra is O(V^2 + E) (a linear scan instead of a heap, for dense graphs); Send's uses a binary heap.
// Initial potentials come from Bellman-Ford, so edges may have negative costs as long as there is no negative
// cycle.
//
// Thread-safety: one thread per object.
//
//   MinCostFlow flow(4);
//   flow.AddEdge(0, 1, 1, {0, 0});
//   flow.AddEdge(1, 2, 1, {-5, 0});
//   flow.AddEdge(2, 3, 1, {0, 0});
//   flow.Run(/*source=*/0, /*sink=*/3);  // sends 1 unit, cost -5
#ifndef CIRCMATCH_ENGINE_ASSIGNMENT_MIN_COST_FLOW_H_
#define CIRCMATCH_ENGINE_ASSIGNMENT_MIN_COST_FLOW_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>

namespace circmatch {
namespace internal {

// A cost compared lexicographically: primary first, secondary for ties.
struct LexCost {
  int64_t primary = 0;
  int64_t secondary = 0;

  friend LexCost operator+(LexCost a, LexCost b) { return {a.primary + b.primary, a.secondary + b.secondary}; }
  friend LexCost operator-(LexCost a, LexCost b) { return {a.primary - b.primary, a.secondary - b.secondary}; }
  friend LexCost operator-(LexCost a) { return {-a.primary, -a.secondary}; }
  friend bool operator<(LexCost a, LexCost b) {
    return std::tie(a.primary, a.secondary) < std::tie(b.primary, b.secondary);
  }
  friend bool operator==(LexCost a, LexCost b) { return a.primary == b.primary && a.secondary == b.secondary; }
};

class MinCostFlow {
 public:
  explicit MinCostFlow(int nodes) : adjacency_(nodes) {}

  // Adds a directed edge with `capacity` >= 0 units at `cost` each; returns its id for Flow().
  int AddEdge(int from, int to, int capacity, LexCost cost) {
    const int id = static_cast<int>(edges_.size());
    edges_.push_back(Arc{to, capacity, cost});
    edges_.push_back(Arc{from, 0, -cost});
    adjacency_[from].push_back(id);
    adjacency_[to].push_back(id + 1);
    return id;
  }

  // Sends flow from `source` to `sink` along shortest paths while each next path has negative cost (and at
  // most `max_flow` units). Returns the units sent. Call once.
  int Run(int source, int sink, int max_flow = std::numeric_limits<int>::max()) {
    const int n = static_cast<int>(adjacency_.size());
    std::vector<LexCost> potential = InitialPotentials(source);
    std::vector<LexCost> dist(n);
    std::vector<int> via(n);  // edge id into each node on the shortest-path tree
    std::vector<char> reached(n), done(n);
    int sent = 0;
    while (sent < max_flow) {
      std::fill(reached.begin(), reached.end(), 0);
      std::fill(done.begin(), done.end(), 0);
      dist[source] = LexCost{};
      reached[source] = 1;
      via[source] = -1;
      for (;;) {
        int u = -1;
        for (int v = 0; v < n; ++v) {
          if (reached[v] && !done[v] && (u < 0 || dist[v] < dist[u])) u = v;
        }
        if (u < 0) break;
        done[u] = 1;
        for (int id : adjacency_[u]) {
          const Arc& arc = edges_[id];
          if (arc.residual <= 0 || done[arc.to]) continue;
          const LexCost candidate = dist[u] + arc.cost + potential[u] - potential[arc.to];
          if (!reached[arc.to] || candidate < dist[arc.to]) {
            dist[arc.to] = candidate;
            via[arc.to] = id;
            reached[arc.to] = 1;
          }
        }
      }
      if (!reached[sink]) break;
      // Nodes not reached stay unreachable (augmenting only changes edges among reached nodes), so their
      // potentials never matter again.
      for (int v = 0; v < n; ++v) {
        if (reached[v]) potential[v] = potential[v] + dist[v];
      }
      const LexCost path_cost = potential[sink] - potential[source];
      if (!(path_cost < LexCost{})) break;
      int bottleneck = max_flow - sent;
      for (int v = sink; v != source; v = edges_[via[v] ^ 1].to) {
        bottleneck = std::min(bottleneck, edges_[via[v]].residual);
      }
      for (int v = sink; v != source; v = edges_[via[v] ^ 1].to) {
        edges_[via[v]].residual -= bottleneck;
        edges_[via[v] ^ 1].residual += bottleneck;
      }
      sent += bottleneck;
    }
    return sent;
  }

  // Sends `units` from `from` to `to`, one unit at a time along a cheapest path (Dijkstra with a heap on reduced
  // costs, stopped as soon as `to` is settled, potentials updated by min(distance, distance of `to`)). This is
  // successive shortest paths for flows with supplies: any node with supply may be served next, in any order, and
  // the flow stays of minimum cost for the supplies served so far. Returns the units sent (fewer when `to` is
  // unreachable). May be called repeatedly, for different `from` nodes; must not be mixed with Run.
  int Send(int from, int to, int units) {
    const int n = static_cast<int>(adjacency_.size());
    if (potential_.empty()) potential_ = InitialPotentials(-1);
    std::vector<LexCost>& dist = scratch_dist_;
    std::vector<int>& via = scratch_via_;
    std::vector<char>& state = scratch_state_;  // 0 unseen, 1 in heap, 2 settled
    dist.assign(n, LexCost{});
    via.assign(n, -1);
    state.assign(n, 0);
    std::vector<int> touched;
    int sent = 0;
    using Entry = std::pair<LexCost, int>;
    const auto later = [](const Entry& x, const Entry& y) {
      return y.first < x.first || (x.first == y.first && x.second > y.second);
    };
    while (sent < units) {
      for (int v : touched) state[v] = 0;
      touched.clear();
      std::vector<Entry> heap;
      dist[from] = LexCost{};
      state[from] = 1;
      touched.push_back(from);
      heap.emplace_back(LexCost{}, from);
      bool reached = false;
      while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const auto [d, u] = heap.back();
        heap.pop_back();
        if (state[u] == 2 || dist[u] < d) continue;
        state[u] = 2;
        if (u == to) {
          reached = true;
          break;
        }
        for (int id : adjacency_[u]) {
          const Arc& arc = edges_[id];
          if (arc.residual <= 0 || state[arc.to] == 2) continue;
          const LexCost candidate = d + arc.cost + potential_[u] - potential_[arc.to];
          if (state[arc.to] == 0 || candidate < dist[arc.to]) {
            if (state[arc.to] == 0) touched.push_back(arc.to);
            state[arc.to] = 1;
            dist[arc.to] = candidate;
            via[arc.to] = id;
            heap.emplace_back(candidate, arc.to);
            std::push_heap(heap.begin(), heap.end(), later);
          }
        }
      }
      if (!reached) break;
      // Nodes beyond `to` move by its distance, so every residual arc keeps a non-negative reduced cost.
      const LexCost limit = dist[to];
      for (int v = 0; v < n; ++v) {
        const bool near = state[v] != 0 && dist[v] < limit;
        potential_[v] = potential_[v] + (near ? dist[v] : limit);
      }
      int bottleneck = units - sent;
      for (int v = to; v != from; v = edges_[via[v] ^ 1].to) bottleneck = std::min(bottleneck, edges_[via[v]].residual);
      for (int v = to; v != from; v = edges_[via[v] ^ 1].to) {
        edges_[via[v]].residual -= bottleneck;
        edges_[via[v] ^ 1].residual += bottleneck;
      }
      sent += bottleneck;
    }
    return sent;
  }

  // Units on edge `id` (as returned by AddEdge).
  int Flow(int id) const { return edges_[id ^ 1].residual; }

 private:
  struct Arc {
    int to;
    int residual;
    LexCost cost;
  };

  // Shortest distances from `source` over edges with capacity (Bellman-Ford, stopping when nothing changes);
  // nodes it cannot reach get 0. With source -1, from a virtual node with a 0-cost edge to every node.
  std::vector<LexCost> InitialPotentials(int source) const {
    const int n = static_cast<int>(adjacency_.size());
    std::vector<LexCost> dist(n);
    std::vector<char> reached(n, source < 0 ? 1 : 0);
    if (source >= 0) reached[source] = 1;
    for (int round = 0; round < n; ++round) {
      bool changed = false;
      for (int u = 0; u < n; ++u) {
        if (!reached[u]) continue;
        for (int id : adjacency_[u]) {
          const Arc& arc = edges_[id];
          if (arc.residual <= 0) continue;
          const LexCost candidate = dist[u] + arc.cost;
          if (!reached[arc.to] || candidate < dist[arc.to]) {
            dist[arc.to] = candidate;
            reached[arc.to] = 1;
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    return dist;
  }

  std::vector<Arc> edges_;
  std::vector<std::vector<int>> adjacency_;
  // Send's state between calls: potentials, and buffers reused across calls.
  std::vector<LexCost> potential_;
  std::vector<LexCost> scratch_dist_;
  std::vector<int> scratch_via_;
  std::vector<char> scratch_state_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_ASSIGNMENT_MIN_COST_FLOW_H_
