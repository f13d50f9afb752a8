#include "circmatch/internal/partial_scores.h"

#include <algorithm>
#include <random>
#include <vector>

#include "circmatch/internal/float_scan.h"
#include "gtest/gtest.h"

namespace circmatch::internal {
namespace {

std::vector<float> RandomValues(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(n));
  for (float& v : values) v = value(rng) < 0.7f ? 0.0f : value(rng);
  return values;
}

// Lengths around the sixteen-wide blocks, and a cut that rises with every visit, as a top k's does.
TEST(ForEachAboveTest, VisitsExactlyTheEntriesAboveTheCutAsItRises) {
  for (int n : {0, 1, 15, 16, 17, 31, 32, 33, 1000, 4099}) {
    const std::vector<float> values = RandomValues(n, 11 + static_cast<uint32_t>(n));
    float cut = 0.05f;
    std::vector<size_t> visited;
    ForEachAbove(values.data(), values.size(), [&] { return cut; }, [&](size_t i) {
      visited.push_back(i);
      cut += 0.01f;
    });
    std::vector<size_t> expected;
    float expected_cut = 0.05f;
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] > expected_cut) {
        expected.push_back(i);
        expected_cut += 0.01f;
      }
    }
    EXPECT_EQ(visited, expected) << "n = " << n;
    if (n >= 1000) {
      EXPECT_GT(expected.size(), 10u);
    }
  }
}

TEST(AddUpListByListTest, EqualsTheSumOverEachRowsLists) {
  constexpr int kRows = 777;
  std::mt19937 rng(5);
  std::vector<std::vector<int>> rows(6);
  std::vector<std::vector<float>> values(6);
  std::vector<float> expected(kRows, 0.0f);
  std::vector<ScaledList> lists;
  for (size_t l = 0; l < rows.size(); ++l) {
    for (int r = 0; r < kRows; ++r) {
      if (rng() % (l + 2) != 0) continue;
      rows[l].push_back(r);
      values[l].push_back(static_cast<float>(rng() % 100) / 100.0f);
    }
  }
  for (size_t l = 0; l < rows.size(); ++l) {
    const float scale = 0.1f * static_cast<float>(l + 1);
    lists.push_back({rows[l], values[l], scale});
    for (size_t i = 0; i < rows[l].size(); ++i) expected[static_cast<size_t>(rows[l][i])] += scale * values[l][i];
  }
  std::vector<float> partial(3, 9.0f);  // stale contents of a reused buffer are overwritten
  AddUpListByList(kRows, lists, &partial);
  ASSERT_EQ(partial.size(), static_cast<size_t>(kRows));
  for (int r = 0; r < kRows; ++r) EXPECT_FLOAT_EQ(partial[static_cast<size_t>(r)], expected[static_cast<size_t>(r)]);
}

TEST(RowsWithHighestPartialTest, TakesTheHighestPassingRowsHighestFirst) {
  const std::vector<float> partial = RandomValues(5000, 3);
  const auto passes = [](int r) { return r % 3 != 0; };
  std::vector<int> expected;
  for (int r = 0; r < static_cast<int>(partial.size()); ++r) {
    if (passes(r) && partial[static_cast<size_t>(r)] > 0) expected.push_back(r);
  }
  std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) { return partial[a] > partial[b]; });
  expected.resize(25);
  const std::vector<int> got = RowsWithHighestPartial(partial, 25, passes);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(partial[got[i]], partial[expected[i]]) << i;
  for (int r : got) EXPECT_TRUE(passes(r));
  // Fewer rows with a positive partial score than asked for: all of them.
  const std::vector<float> sparse = {0, 0.5f, 0, 0.25f};
  EXPECT_EQ(RowsWithHighestPartial(sparse, 3, [](int) { return true; }), (std::vector<int>{1, 3}));
}

}  // namespace
}  // namespace circmatch::internal
