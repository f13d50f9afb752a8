#include "scoring/partial_scores.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "index/posting_lists.h"
#include "scoring/float_scan.h"

namespace circmatch::internal {
namespace {

std::vector<float> RandomValues(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(n));
  for (float& v : values) v = value(rng) < 0.7f ? 0.0f : value(rng);
  return values;
}

std::vector<float> MaximaOf(const std::vector<float>& values) {
  std::vector<float> maxima(MaximaCount(values.size()));
  BlockMaxima(values.data(), values.size(), maxima.data());
  return maxima;
}

// The entries `scan(cut, visit)` visits when its cut starts at `cut` and rises by `rise` with every visit, as
// a top k's does.
template <typename Scan>
std::vector<size_t> VisitedAsTheCutRises(float cut, float rise, const Scan& scan) {
  std::vector<size_t> visited;
  scan([&] { return cut; },
       [&](size_t i) {
         visited.push_back(i);
         cut += rise;
       });
  return visited;
}

// Lengths around the sixteen-wide blocks, and a cut that rises with every visit.
TEST(ForEachAboveTest, VisitsExactlyTheEntriesAboveTheCutAsItRises) {
  for (int n : {0, 1, 15, 16, 17, 31, 32, 33, 1000, 4099}) {
    const std::vector<float> values = RandomValues(n, 11 + static_cast<uint32_t>(n));
    const std::vector<size_t> visited = VisitedAsTheCutRises(0.05f, 0.01f, [&](const auto& cut, const auto& visit) {
      ForEachAbove(values.data(), values.size(), cut, visit);
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

// The block maxima, then a scan from a cut that rises as it visits: the same
// entries as a full scan, for lengths around the blocks.
TEST(ForEachAboveInBlocksTest, VisitsWhatAFullScanVisits) {
  for (int n : {0, 1, 15, 63, 64, 65, 127, 128, 129, 1000, 4099}) {
    const std::vector<float> values = RandomValues(n, 21 + static_cast<uint32_t>(n));
    const std::vector<float> maxima = MaximaOf(values);
    for (size_t b = 0; b < maxima.size(); ++b) {
      const auto first = values.begin() + static_cast<std::ptrdiff_t>(b * kMaximaBlock);
      const auto last = values.begin() + static_cast<std::ptrdiff_t>(std::min(values.size(), (b + 1) * kMaximaBlock));
      EXPECT_EQ(maxima[b], *std::max_element(first, last)) << "n = " << n << ", block " << b;
    }
    const std::vector<size_t> in_blocks = VisitedAsTheCutRises(0.8f, 0.001f, [&](const auto& cut, const auto& visit) {
      ForEachAboveInBlocks(values.data(), values.size(), maxima, cut, visit);
    });
    const std::vector<size_t> full = VisitedAsTheCutRises(0.8f, 0.001f, [&](const auto& cut, const auto& visit) {
      ForEachAbove(values.data(), values.size(), cut, visit);
    });
    EXPECT_EQ(in_blocks, full) << "n = " << n;
    if (n >= 1000) {
      EXPECT_GT(full.size(), 10u);
    }
  }
}

// Rows over three blocks of 65,536, values rounded up to 1/65535: each sum lies above the exact one by at most
// the rounding of its entries (to 1/255 for the lists added from their dense values, those held by an eighth of
// the rows or more; to 1/65535 for the others, added entry by entry).
TEST(AddUpListByListTest, BoundsTheSumOverEachRowsListsTightlyFromAbove) {
  constexpr int kRows = 150000;
  const std::vector<double> shares = {0.5, 0.1, 0.67, 0.02, 0.75, 0.9};
  const int kColumns = static_cast<int>(shares.size());
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  PostingLists postings;
  std::vector<std::vector<float>> values(kColumns, std::vector<float>(kRows, 0.0f));
  for (int r = 0; r < kRows; ++r) {
    std::vector<int> indices;
    std::vector<float> row_values;
    for (int c = 0; c < kColumns; ++c) {
      if (unit(rng) >= shares[c]) continue;
      indices.push_back(c);
      row_values.push_back(static_cast<float>(rng() % 1000) / 1000.0f);
      values[c][r] = row_values.back();
    }
    postings.AppendRow(r, indices, row_values);
  }
  EXPECT_FALSE(postings.List(0).dense_values().empty());
  EXPECT_TRUE(postings.List(1).dense_values().empty());  // a tenth
  EXPECT_TRUE(postings.List(3).dense_values().empty());
  std::vector<ScaledList> lists;
  std::vector<double> expected(kRows, 0.0);
  double most_rounding = 0;
  for (int c = 0; c < kColumns; ++c) {
    const float scale = 0.1f * static_cast<float>(c + 1);
    lists.push_back({postings.List(c), scale});
    for (int r = 0; r < kRows; ++r) expected[r] += static_cast<double>(scale) * values[c][r];
    most_rounding += scale / (postings.List(c).dense_values().empty() ? 65535.0 : 255.0);
  }
  std::vector<float> partial(3, 9.0f), block_maxima(2, 9.0f);  // stale contents of reused buffers are overwritten
  AddUpListByList(kRows, lists, &partial, &block_maxima);
  ASSERT_EQ(partial.size(), static_cast<size_t>(kRows));
  // The maxima, taken a block of the lists' rows at a time, are those of the whole array (150,000 rows: the last
  // of the 65,536-row blocks, and its last block of 64, are shorter).
  EXPECT_EQ(block_maxima, MaximaOf(partial));
  int rounded_up = 0;
  for (int r = 0; r < kRows; ++r) {
    ASSERT_GE(partial[r], expected[r] - 1e-6) << "row " << r;
    ASSERT_LE(partial[r], expected[r] + most_rounding + 1e-6) << "row " << r;
    rounded_up += partial[r] > expected[r] + 1e-6;
  }
  EXPECT_GT(rounded_up, kRows / 2);  // the values are stored rounded, not exact
}

TEST(AddUpListByListTest, NoRowsIntoABufferThatNeverHeldAnyGivesNoScores) {
  // A segment without rows yet, on a thread whose buffer has no memory: its data() is null, which memset must
  // never get, even for 0 bytes (the asan preset stops at that undefined behaviour).
  PostingLists postings;
  std::vector<float> partial, block_maxima;
  AddUpListByList(0, {{postings.List(0), 1.0f}}, &partial, &block_maxima);
  EXPECT_TRUE(partial.empty());
  EXPECT_TRUE(block_maxima.empty());
}

const auto kNoPrefetch = [](int) {};

TEST(RowsWithHighestPartialTest, TakesTheHighestPassingRowsHighestFirst) {
  const std::vector<float> partial = RandomValues(5000, 3);
  const auto passes = [](int r) { return r % 3 != 0; };
  std::vector<int> expected;
  for (int r = 0; r < static_cast<int>(partial.size()); ++r) {
    if (passes(r) && partial[static_cast<size_t>(r)] > 0) expected.push_back(r);
  }
  std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) { return partial[a] > partial[b]; });
  expected.resize(25);
  const std::vector<int> got = RowsWithHighestPartial(partial, MaximaOf(partial), 25, passes, kNoPrefetch);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(partial[got[i]], partial[expected[i]]) << i;
  for (int r : got) EXPECT_TRUE(passes(r));
  // Fewer rows with a positive partial score than asked for: all of them.
  const std::vector<float> sparse = {0, 0.5f, 0, 0.25f};
  EXPECT_EQ(RowsWithHighestPartial(
                sparse, MaximaOf(sparse), 3, [](int) { return true; }, kNoPrefetch),
            (std::vector<int>{1, 3}));
}

// Scores rising along the rows and a filter that most rows fail: tested in row order with a floor rising from
// 0, nearly every row would be tested (each new row beats the floor); in bands from the highest score down, only
// rows of the last kept row's band or above are.
TEST(RowsWithHighestPartialTest, TestsNoRowBelowTheBandOfTheLastKept) {
  constexpr int kRows = 20000;
  std::vector<float> partial(kRows);
  for (int r = 0; r < kRows; ++r) partial[static_cast<size_t>(r)] = static_cast<float>(r + 1) / kRows;
  std::vector<int> tested;
  const auto passes = [&](int r) {
    tested.push_back(r);
    return r % 10 == 0;
  };
  const std::vector<int> got = RowsWithHighestPartial(partial, MaximaOf(partial), 20, passes, kNoPrefetch);
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(got.front(), kRows - 10);
  EXPECT_EQ(got.back(), kRows - 200);
  const float last_kept = partial[static_cast<size_t>(got.back())];
  for (int r : tested) ASSERT_GT(partial[static_cast<size_t>(r)], kPartialBandRatio * last_kept) << "row " << r;
}

// The rows are tested a batch at a time, each batch's reads asked for first, and every row tested was asked for
// before; the batching tests exactly the rows a test one at a time would (none the floor has risen above).
TEST(RowsWithHighestPartialTest, AsksForEachRowsReadsBeforeTestingIt) {
  const std::vector<float> partial = RandomValues(5000, 7);
  std::vector<int> asked, tested;
  const auto passes = [&](int r) {
    EXPECT_NE(std::find(asked.begin(), asked.end(), r), asked.end()) << "row " << r << " tested before asked for";
    tested.push_back(r);
    return r % 4 == 0;
  };
  const std::vector<int> got =
      RowsWithHighestPartial(partial, MaximaOf(partial), 30, passes, [&](int r) { asked.push_back(r); });
  ASSERT_EQ(got.size(), 30u);
  // A row is tested only while above the floor: the 30th kept row's partial score once 30 have passed.
  const float last_kept = partial[static_cast<size_t>(got.back())];
  for (int r : tested) EXPECT_GE(partial[static_cast<size_t>(r)], kPartialBandRatio * last_kept) << "row " << r;
}

}  // namespace
}  // namespace circmatch::internal
