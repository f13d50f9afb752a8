// Maximum-weight matching in a general graph (Edmonds' blossom algorithm with dual variables, O(n^3)): each
// vertex in at most one pair, maximizing the total of positive integer edge weights (not necessarily a perfect
// or maximum-cardinality matching). Memory is O(n^2): meant for up to a few thousand vertices.
//
// Thread-safety: an instance is used by one thread.
#ifndef CIRCMATCH_ENGINE_ASSIGNMENT_WEIGHTED_MATCHING_H_
#define CIRCMATCH_ENGINE_ASSIGNMENT_WEIGHTED_MATCHING_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <queue>
#include <vector>

namespace circmatch::internal {

class WeightedMatching {
 public:
  // Vertices 0..n-1, no edges yet.
  explicit WeightedMatching(int n)
      : n_(n),
        size_(2 * n + 1),
        g_(static_cast<size_t>(size_) * static_cast<size_t>(size_)),
        lab_(static_cast<size_t>(size_), 0),
        match_(static_cast<size_t>(size_), 0),
        slack_(static_cast<size_t>(size_), 0),
        st_(static_cast<size_t>(size_), 0),
        pa_(static_cast<size_t>(size_), 0),
        s_(static_cast<size_t>(size_), -1),
        vis_(static_cast<size_t>(size_), 0),
        slack_edge_(static_cast<size_t>(size_)),
        original_(static_cast<size_t>(n) * static_cast<size_t>(n), 0),
        flo_(static_cast<size_t>(size_)),
        flo_from_(static_cast<size_t>(size_) * static_cast<size_t>(n + 1), 0) {
    for (int u = 1; u <= n_; ++u) {
      for (int v = 1; v <= n_; ++v) At(u, v) = Edge{u, v, 0};
    }
  }

  // Adds an undirected edge of weight w > 0 between vertices a != b (0-based); the larger weight wins if set twice.
  // Weights above 2^31 - 1 are not supported (they are clamped).
  void AddEdge(int a, int b, int64_t w) {
    w = std::min<int64_t>(w, std::numeric_limits<int32_t>::max());
    Edge& e = At(a + 1, b + 1);
    if (w <= e.w) return;
    e.w = w;
    At(b + 1, a + 1).w = w;
    original_[static_cast<size_t>(a) * n_ + b] = original_[static_cast<size_t>(b) * n_ + a] = static_cast<int32_t>(w);
  }

  // Solves; returns each vertex's partner (0-based) or -1.
  std::vector<int> Solve() {
    n_x_ = n_;
    int64_t w_max = 0;
    for (int u = 0; u <= n_; ++u) {
      st_[u] = u;
      flo_[u].clear();
    }
    for (int u = 1; u <= n_; ++u) {
      for (int v = 1; v <= n_; ++v) {
        FloFrom(u, v) = (u == v ? u : 0);
        w_max = std::max(w_max, At(u, v).w);
      }
    }
    for (int u = 1; u <= n_; ++u) lab_[u] = w_max;
    while (Augmenting()) {
    }
    std::vector<int> mate(static_cast<size_t>(n_), -1);
    for (int u = 1; u <= n_; ++u) {
      if (match_[u] != 0) mate[u - 1] = match_[u] - 1;
    }
    return mate;
  }

 private:
  struct Edge {
    int u = 0, v = 0;
    int64_t w = 0;
  };

  Edge& At(int u, int v) { return g_[static_cast<size_t>(u) * size_ + v]; }
  int& FloFrom(int b, int x) { return flo_from_[static_cast<size_t>(b) * (n_ + 1) + x]; }
  // Twice the reduced cost of an edge: 0 on tight edges. Every stored edge, blossom rows included, is a copy of an
  // original edge (u, v, w), so its own weight is the original one (no second lookup in the hot loop).
  int64_t Delta(const Edge& e) const { return lab_[e.u] + lab_[e.v] - e.w * 2; }

  // slack_edge_[x] caches At(slack_[x], x): reading that row at random was most of the running time. The cache
  // stays valid because column x of an original vertex's row changes only when blossom x is (re)built, and
  // SetSlack(x) follows.
  void UpdateSlack(int u, int x) {
    const Edge& e = At(u, x);
    if (slack_[x] == 0 || Delta(e) < Delta(slack_edge_[x])) {
      slack_[x] = u;
      slack_edge_[x] = e;
    }
  }
  void SetSlack(int x) {
    slack_[x] = 0;
    for (int u = 1; u <= n_; ++u) {
      if (At(u, x).w > 0 && st_[u] != x && s_[st_[u]] == 0) UpdateSlack(u, x);
    }
  }
  void Push(int x) {
    if (x <= n_) {
      queue_.push(x);
    } else {
      for (int i : flo_[x]) Push(i);
    }
  }
  void SetTop(int x, int b) {
    st_[x] = b;
    if (x > n_) {
      for (int i : flo_[x]) SetTop(i, b);
    }
  }
  int EvenPosition(int b, int xr) {
    const int pr = static_cast<int>(std::find(flo_[b].begin(), flo_[b].end(), xr) - flo_[b].begin());
    if (pr % 2 == 1) {
      std::reverse(flo_[b].begin() + 1, flo_[b].end());
      return static_cast<int>(flo_[b].size()) - pr;
    }
    return pr;
  }
  void SetMatch(int u, int v) {
    match_[u] = At(u, v).v;
    if (u <= n_) return;
    const Edge e = At(u, v);
    const int xr = FloFrom(u, e.u);
    const int pr = EvenPosition(u, xr);
    for (int i = 0; i < pr; ++i) SetMatch(flo_[u][i], flo_[u][i ^ 1]);
    SetMatch(xr, v);
    std::rotate(flo_[u].begin(), flo_[u].begin() + pr, flo_[u].end());
  }
  void Augment(int u, int v) {
    while (true) {
      const int xnv = st_[match_[u]];
      SetMatch(u, v);
      if (xnv == 0) return;
      SetMatch(xnv, st_[pa_[xnv]]);
      u = st_[pa_[xnv]];
      v = xnv;
    }
  }
  int LowestCommonAncestor(int u, int v) {
    for (++stamp_; u != 0 || v != 0; std::swap(u, v)) {
      if (u == 0) continue;
      if (vis_[u] == stamp_) return u;
      vis_[u] = stamp_;
      u = st_[match_[u]];
      if (u != 0) u = st_[pa_[u]];
    }
    return 0;
  }
  void AddBlossom(int u, int lca, int v) {
    int b = n_ + 1;
    while (b <= n_x_ && st_[b] != 0) ++b;
    if (b > n_x_) ++n_x_;
    lab_[b] = 0;
    s_[b] = 0;
    match_[b] = match_[lca];
    flo_[b].clear();
    flo_[b].push_back(lca);
    for (int x = u, y; x != lca; x = st_[pa_[y]]) {
      flo_[b].push_back(x);
      flo_[b].push_back(y = st_[match_[x]]);
      Push(y);
    }
    std::reverse(flo_[b].begin() + 1, flo_[b].end());
    for (int x = v, y; x != lca; x = st_[pa_[y]]) {
      flo_[b].push_back(x);
      flo_[b].push_back(y = st_[match_[x]]);
      Push(y);
    }
    SetTop(b, b);
    for (int x = 1; x <= n_x_; ++x) At(b, x).w = At(x, b).w = 0;
    for (int x = 1; x <= n_; ++x) FloFrom(b, x) = 0;
    for (int xs : flo_[b]) {
      for (int x = 1; x <= n_x_; ++x) {
        if (At(b, x).w == 0 || Delta(At(xs, x)) < Delta(At(b, x))) {
          At(b, x) = At(xs, x);
          At(x, b) = At(x, xs);
        }
      }
      for (int x = 1; x <= n_; ++x) {
        if (FloFrom(xs, x) != 0) FloFrom(b, x) = xs;
      }
    }
    SetSlack(b);
  }
  void ExpandBlossom(int b) {
    for (int i : flo_[b]) SetTop(i, i);
    const int xr = FloFrom(b, At(b, pa_[b]).u);
    const int pr = EvenPosition(b, xr);
    for (int i = 0; i < pr; i += 2) {
      const int xs = flo_[b][i], xns = flo_[b][i + 1];
      pa_[xs] = At(xns, xs).u;
      s_[xs] = 1;
      s_[xns] = 0;
      slack_[xs] = 0;
      SetSlack(xns);
      Push(xns);
    }
    s_[xr] = 1;
    pa_[xr] = pa_[b];
    for (size_t i = static_cast<size_t>(pr) + 1; i < flo_[b].size(); ++i) {
      const int xs = flo_[b][i];
      s_[xs] = -1;
      SetSlack(xs);
    }
    st_[b] = 0;
  }
  // Handles a tight edge; true when it completed an augmenting path.
  bool OnTightEdge(const Edge& e) {
    const int u = st_[e.u], v = st_[e.v];
    if (s_[v] == -1) {
      pa_[v] = e.u;
      s_[v] = 1;
      const int nu = st_[match_[v]];
      slack_[v] = slack_[nu] = 0;
      s_[nu] = 0;
      Push(nu);
    } else if (s_[v] == 0) {
      const int lca = LowestCommonAncestor(u, v);
      if (lca == 0) {
        Augment(u, v);
        Augment(v, u);
        return true;
      }
      AddBlossom(u, lca, v);
    }
    return false;
  }
  // One phase: grows alternating trees and adjusts duals until an augmenting path is found (true) or no
  // augmentation can add weight (false).
  bool Augmenting() {
    std::fill(s_.begin(), s_.begin() + n_x_ + 1, -1);
    std::fill(slack_.begin(), slack_.begin() + n_x_ + 1, 0);
    queue_ = std::queue<int>();
    for (int x = 1; x <= n_x_; ++x) {
      if (st_[x] == x && match_[x] == 0) {
        pa_[x] = 0;
        s_[x] = 0;
        Push(x);
      }
    }
    if (queue_.empty()) return false;
    while (true) {
      while (!queue_.empty()) {
        const int u = queue_.front();
        queue_.pop();
        if (s_[st_[u]] == 1) continue;
        // The scan of a vertex's row dominates the running time: it reads the compact original weights, and
        // the full edge table only for tight edges and blossoms.
        const int32_t* row = &original_[static_cast<size_t>(u - 1) * n_] - 1;
        // lab_[u] stays fixed during the scan; st_[u] does not (a tight edge can put u into a new blossom).
        const int64_t lab_u = lab_[u];
        for (int v = 1; v <= n_; ++v) {
          const int64_t w = row[v];
          if (w <= 0 || st_[u] == st_[v]) continue;
          const int64_t delta = lab_u + lab_[v] - 2 * w;
          if (delta == 0) {
            if (OnTightEdge(At(u, v))) return true;
          } else if (st_[v] == v) {
            if (slack_[v] == 0 || delta < Delta(slack_edge_[v])) {
              slack_[v] = u;
              slack_edge_[v] = Edge{u, v, w};
            }
          } else {
            UpdateSlack(u, st_[v]);
          }
        }
      }
      int64_t d = std::numeric_limits<int64_t>::max();
      for (int b = n_ + 1; b <= n_x_; ++b) {
        if (st_[b] == b && s_[b] == 1) d = std::min(d, lab_[b] / 2);
      }
      for (int x = 1; x <= n_x_; ++x) {
        if (st_[x] == x && slack_[x] != 0) {
          if (s_[x] == -1) {
            d = std::min(d, Delta(At(slack_[x], x)));
          } else if (s_[x] == 0) {
            d = std::min(d, Delta(At(slack_[x], x)) / 2);
          }
        }
      }
      // The even vertices' duals, which d lowers, bound it too: once d would take one to 0 (a free vertex's, the
      // smallest), no augmenting path can add weight and the solve ends. Checked before any dual moves, since in
      // the last phase nothing else may bound d and it is still infinite.
      for (int u = 1; u <= n_; ++u) {
        if (s_[st_[u]] == 0 && lab_[u] <= d) return false;
      }
      for (int u = 1; u <= n_; ++u) {
        if (s_[st_[u]] == 0) {
          lab_[u] -= d;
        } else if (s_[st_[u]] == 1) {
          lab_[u] += d;
        }
      }
      for (int b = n_ + 1; b <= n_x_; ++b) {
        if (st_[b] == b) {
          if (s_[st_[b]] == 0) {
            lab_[b] += d * 2;
          } else if (s_[st_[b]] == 1) {
            lab_[b] -= d * 2;
          }
        }
      }
      queue_ = std::queue<int>();
      for (int x = 1; x <= n_x_; ++x) {
        if (st_[x] == x && slack_[x] != 0 && st_[slack_[x]] != x && Delta(At(slack_[x], x)) == 0) {
          if (OnTightEdge(At(slack_[x], x))) return true;
        }
      }
      for (int b = n_ + 1; b <= n_x_; ++b) {
        if (st_[b] == b && s_[b] == 1 && lab_[b] == 0) ExpandBlossom(b);
      }
    }
  }

  const int n_;
  const int size_;
  int n_x_ = 0;
  int stamp_ = 0;
  std::vector<Edge> g_;  // size_ x size_, 1-based; rows/columns above n_ are blossoms
  std::vector<int64_t> lab_;
  std::vector<int> match_, slack_, st_, pa_, s_, vis_;
  std::vector<Edge> slack_edge_;
  std::vector<int32_t> original_;  // n x n, 0-based: the weights of the original edges, compact for the scans
  std::vector<std::vector<int>> flo_;
  std::vector<int> flo_from_;
  std::queue<int> queue_;
};

// The maximum-weight matching of n vertices given a symmetric n x n row-major weight matrix (0 = no edge):
// each vertex's partner, or -1.
inline std::vector<int> MaxWeightMatching(int n, const std::vector<int32_t>& weights) {
  WeightedMatching matching(n);
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      const int32_t w = weights[static_cast<size_t>(a) * n + b];
      if (w > 0) matching.AddEdge(a, b, w);
    }
  }
  return matching.Solve();
}

}  // namespace circmatch::internal

#endif  // CIRCMATCH_ENGINE_ASSIGNMENT_WEIGHTED_MATCHING_H_
