#include "assignment/weighted_matching.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "lemon_reference.h"

namespace circmatch {
namespace {

// A random graph: each edge present with probability `density`, weights 1..max_weight.
std::vector<int32_t> RandomGraph(std::mt19937* rng, int n, double density, int32_t max_weight) {
  std::vector<int32_t> w(static_cast<size_t>(n) * n, 0);
  std::uniform_real_distribution<double> coin(0, 1);
  std::uniform_int_distribution<int32_t> weight(1, max_weight);
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      if (coin(*rng) < density) w[static_cast<size_t>(i) * n + j] = w[static_cast<size_t>(j) * n + i] = weight(*rng);
    }
  }
  return w;
}

// Checks `mate` is a matching on edges of the graph and returns its weight.
int64_t MatchingWeight(int n, const std::vector<int32_t>& w, const std::vector<int>& mate) {
  int64_t total = 0;
  for (int i = 0; i < n; ++i) {
    if (mate[i] < 0) continue;
    EXPECT_EQ(mate[mate[i]], i) << "vertex " << i;
    EXPECT_GT(w[static_cast<size_t>(i) * n + mate[i]], 0) << "matched on a missing edge " << i << "-" << mate[i];
    if (mate[i] > i) total += w[static_cast<size_t>(i) * n + mate[i]];
  }
  return total;
}

TEST(WeightedMatchingTest, EqualsLemonOnRandomGraphs) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 400; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 40);
    const double density = (rng() % 100) / 100.0;
    // Small weights make many ties and many blossoms; large ones look like scaled scores.
    const int32_t max_weight = trial % 2 == 0 ? 5 : 1000000;
    const std::vector<int32_t> w = RandomGraph(&rng, n, density, max_weight);
    const std::vector<int> mate = internal::MaxWeightMatching(n, w);
    std::vector<int64_t> w64(w.begin(), w.end());
    ASSERT_EQ(MatchingWeight(n, w, mate), testing_util::LemonMaxWeightMatching(n, w64))
        << "trial " << trial << ", n " << n;
  }
}

TEST(WeightedMatchingTest, EqualsLemonOnADenseCohortOfThreeHundred) {
  std::mt19937 rng(11);
  const int n = 300;
  const std::vector<int32_t> w = RandomGraph(&rng, n, 0.9, 1000000);
  std::vector<int64_t> w64(w.begin(), w.end());
  EXPECT_EQ(MatchingWeight(n, w, internal::MaxWeightMatching(n, w)), testing_util::LemonMaxWeightMatching(n, w64));
}

TEST(WeightedMatchingTest, PrefersWeightOverCardinality) {
  // Path 0-1-2-3 with weights 1, 5, 1: one heavy edge beats two light ones.
  const int n = 4;
  std::vector<int32_t> w(16, 0);
  const auto set = [&](int a, int b, int32_t x) { w[a * n + b] = w[b * n + a] = x; };
  set(0, 1, 1);
  set(1, 2, 5);
  set(2, 3, 1);
  const std::vector<int> mate = internal::MaxWeightMatching(n, w);
  EXPECT_EQ(mate, (std::vector<int>{-1, 2, 1, -1}));
}

TEST(WeightedMatchingTest, OddCycleNeedsABlossom) {
  // Triangle 0-1-2 plus a pendant 2-3: the best is {0-1, 2-3}, found only through the blossom {0, 1, 2}.
  const int n = 4;
  std::vector<int32_t> w(16, 0);
  const auto set = [&](int a, int b, int32_t x) { w[a * n + b] = w[b * n + a] = x; };
  set(0, 1, 6);
  set(1, 2, 6);
  set(0, 2, 6);
  set(2, 3, 4);
  const std::vector<int> mate = internal::MaxWeightMatching(n, w);
  EXPECT_EQ(MatchingWeight(n, w, mate), 10);
}

TEST(WeightedMatchingTest, LastPhaseWithNoFiniteDualStepEnds) {
  // Star 1-0-2 of equal weights: after 0-1 is matched, 2's tree takes 0 (odd) and 1 (even) on tight edges and
  // nothing bounds the dual step; the solve must end there rather than move 0's dual by an infinite step (a
  // signed overflow that the asan preset's -fno-sanitize-recover=undefined stops at).
  const int n = 3;
  std::vector<int32_t> w(9, 0);
  const auto set = [&](int a, int b, int32_t x) { w[a * n + b] = w[b * n + a] = x; };
  set(0, 1, 7);
  set(0, 2, 7);
  const std::vector<int> mate = internal::MaxWeightMatching(n, w);
  EXPECT_EQ(mate, (std::vector<int>{1, 0, -1}));
}

TEST(WeightedMatchingTest, EmptyAndSingleVertex) {
  EXPECT_TRUE(internal::MaxWeightMatching(0, {}).empty());
  EXPECT_EQ(internal::MaxWeightMatching(1, {0}), std::vector<int>{-1});
  EXPECT_EQ(internal::MaxWeightMatching(2, {0, 0, 0, 0}), (std::vector<int>{-1, -1}));
}

}  // namespace
}  // namespace circmatch
