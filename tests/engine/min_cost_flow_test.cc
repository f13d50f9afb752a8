#include "assignment/min_cost_flow.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace circmatch {
namespace {

using internal::LexCost;
using internal::MinCostFlow;

// Assignment of k workers to k jobs by maximum gain, brute force over permutations (unmatched allowed through
// zero-gain dummy jobs).
int64_t BruteForceAssignment(const std::vector<std::vector<int64_t>>& gain) {
  const int k = static_cast<int>(gain.size());
  std::vector<int> perm(k);
  std::iota(perm.begin(), perm.end(), 0);
  int64_t best = 0;
  do {
    int64_t total = 0;
    for (int i = 0; i < k; ++i) total += std::max<int64_t>(0, gain[i][perm[i]]);
    best = std::max(best, total);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

TEST(MinCostFlowTest, MaximumGainAssignmentEqualsBruteForce) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const int k = 1 + static_cast<int>(rng() % 6);
    std::vector<std::vector<int64_t>> gain(k, std::vector<int64_t>(k));
    for (auto& row : gain) {
      for (int64_t& g : row) g = static_cast<int64_t>(rng() % 3 == 0 ? 0 : rng() % 100);
    }
    MinCostFlow flow(2 + 2 * k);
    std::vector<std::vector<int>> ids(k, std::vector<int>(k, -1));
    for (int i = 0; i < k; ++i) {
      flow.AddEdge(0, 2 + i, 1, {0, 0});
      flow.AddEdge(2 + k + i, 1, 1, {0, 0});
      for (int j = 0; j < k; ++j) {
        if (gain[i][j] > 0) ids[i][j] = flow.AddEdge(2 + i, 2 + k + j, 1, {-gain[i][j], 0});
      }
    }
    flow.Run(0, 1);
    int64_t total = 0;
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        if (ids[i][j] >= 0) total += flow.Flow(ids[i][j]) * gain[i][j];
      }
    }
    ASSERT_EQ(total, BruteForceAssignment(gain)) << "trial " << trial;
  }
}

TEST(MinCostFlowTest, SendFromEachSupplyNodeEqualsBruteForce) {
  // The same assignments as flows with supplies: each worker supplies one unit that reaches the sink through a
  // job (gain) or through its own zero-cost "idle" edge. Workers are served in a random order.
  std::mt19937 rng(4);
  for (int trial = 0; trial < 200; ++trial) {
    const int k = 1 + static_cast<int>(rng() % 6);
    std::vector<std::vector<int64_t>> gain(k, std::vector<int64_t>(k));
    for (auto& row : gain) {
      for (int64_t& g : row) g = static_cast<int64_t>(rng() % 3 == 0 ? 0 : rng() % 100);
    }
    const int sink = 0;
    MinCostFlow flow(1 + 2 * k);
    std::vector<std::vector<int>> ids(k, std::vector<int>(k, -1));
    for (int i = 0; i < k; ++i) {
      flow.AddEdge(1 + i, sink, 1, {0, 0});
      flow.AddEdge(1 + k + i, sink, 1, {0, 0});
      for (int j = 0; j < k; ++j) {
        if (gain[i][j] > 0) ids[i][j] = flow.AddEdge(1 + i, 1 + k + j, 1, {-gain[i][j], 0});
      }
    }
    std::vector<int> order(k);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (int i : order) ASSERT_EQ(flow.Send(1 + i, sink, 1), 1);
    int64_t total = 0;
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        if (ids[i][j] >= 0) total += flow.Flow(ids[i][j]) * gain[i][j];
      }
    }
    ASSERT_EQ(total, BruteForceAssignment(gain)) << "trial " << trial;
  }
}

TEST(MinCostFlowTest, StopsWhenTheNextPathDoesNotLowerTheCost) {
  // Source -> a -> sink costs -3, source -> b -> sink costs +2: only the first is worth sending.
  MinCostFlow flow(4);
  flow.AddEdge(0, 2, 1, {0, 0});
  flow.AddEdge(0, 3, 1, {0, 0});
  const int good = flow.AddEdge(2, 1, 1, {-3, 0});
  const int bad = flow.AddEdge(3, 1, 1, {2, 0});
  EXPECT_EQ(flow.Run(0, 1), 1);
  EXPECT_EQ(flow.Flow(good), 1);
  EXPECT_EQ(flow.Flow(bad), 0);
}

TEST(MinCostFlowTest, SecondaryCostOnlyBreaksTies) {
  // Two units to place on two parallel routes of equal primary cost: the secondary cost picks the cheaper
  // route first, but never at the expense of the primary cost.
  MinCostFlow flow(3);
  flow.AddEdge(0, 2, 2, {0, 0});
  const int cheap = flow.AddEdge(2, 1, 1, {-5, 1});
  const int dear = flow.AddEdge(2, 1, 1, {-5, 3});
  const int worse = flow.AddEdge(2, 1, 1, {-4, 0});
  EXPECT_EQ(flow.Run(0, 1), 2);
  EXPECT_EQ(flow.Flow(cheap), 1);
  EXPECT_EQ(flow.Flow(dear), 1);
  EXPECT_EQ(flow.Flow(worse), 0);
}

TEST(MinCostFlowTest, LexCostOrder) {
  EXPECT_TRUE((LexCost{-1, 100} < LexCost{0, -100}));
  EXPECT_TRUE((LexCost{0, 1} < LexCost{0, 2}));
  EXPECT_FALSE((LexCost{0, 0} < LexCost{0, 0}));
}

}  // namespace
}  // namespace circmatch
