#include "circmatch/internal/posting_lists.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace circmatch::internal {
namespace {

std::vector<int> RowsOf(const PostingList& list) {
  std::vector<int> rows;
  list.ForEachRow([&](int r) { rows.push_back(r); });
  return rows;
}

TEST(PostingListsTest, ListsEveryRowInOrderAcrossBlocks) {
  PostingLists postings;
  // Column 0 in every 7th row up to 200,000 (four blocks of 65,536 rows), column 2 in two rows far apart.
  std::vector<int> expected0, expected2 = {5, 180000};
  for (int r = 0; r < 200000; ++r) {
    std::vector<int> indices;
    if (r % 7 == 0) indices.push_back(0), expected0.push_back(r);
    if (r == 5 || r == 180000) indices.push_back(2);
    postings.AppendRow(r, indices, std::vector<float>(indices.size(), 0.5f));
  }
  EXPECT_EQ(RowsOf(postings.List(0)), expected0);
  EXPECT_EQ(postings.List(0).size(), expected0.size());
  EXPECT_EQ(RowsOf(postings.List(2)), expected2);
  EXPECT_TRUE(RowsOf(postings.List(1)).empty());
  EXPECT_TRUE(RowsOf(postings.List(99)).empty());  // never used
}

TEST(PostingListsTest, ValuesRoundUpByLessThanAStep) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  for (int i = 0; i < 100000; ++i) {
    const float v = value(rng);
    const double stored = PostingLists::Step(v) / 65535.0;
    ASSERT_GE(stored, v) << v;
    ASSERT_LT(stored, static_cast<double>(v) + 1.0 / 65535) << v;
  }
  EXPECT_EQ(PostingLists::Step(0.0f), 0);
  EXPECT_EQ(PostingLists::Step(1.0f), 65535);
  EXPECT_EQ(PostingLists::Step(1.0000001f), 65535);  // clamped: a unit row's value never exceeds 1 by more
  EXPECT_EQ(PostingLists::Step(-0.5f), 0);
}

TEST(PostingListsTest, RefreshTakesNewValuesAndMaxima) {
  CsrMatrix matrix(3);
  PostingLists postings;
  const std::vector<std::vector<int>> indices = {{0, 2}, {2}, {0, 1, 2}};
  for (int r = 0; r < 3; ++r) {
    const SparseVector row{indices[r], std::vector<float>(indices[r].size(), 0.25f)};
    matrix.AppendRow(row);
    postings.AppendRow(r, row.indices, row.values);
  }
  EXPECT_FLOAT_EQ(postings.MaxValue(2), 0.25f);
  matrix.TransformRow(1, [](const int*, float* values, int) { values[0] = 0.75f; });
  postings.RefreshValues(matrix);
  EXPECT_FLOAT_EQ(postings.MaxValue(2), 0.75f);
  EXPECT_FLOAT_EQ(postings.MaxValue(0), 0.25f);
  std::vector<uint16_t> column2;
  postings.List(2).ForEachBlock([&](int, absl::Span<const PostingList::Entry> entries) {
    for (const PostingList::Entry& e : entries) column2.push_back(e.value);
  });
  EXPECT_EQ(column2, (std::vector<uint16_t>{PostingLists::Step(0.25f), PostingLists::Step(0.75f),
                                            PostingLists::Step(0.25f)}));
}

}  // namespace
}  // namespace circmatch::internal
