#include "index/posting_lists.h"

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

// Asked block by block in order, a list gives each block's entries, and none for the blocks it skips.
TEST(PostingListsTest, EntriesOfBlockGivesEachBlocksEntriesAndNoneForSkippedBlocks) {
  PostingLists postings;
  for (int r = 0; r < 200000; ++r) {
    const bool held = r == 5 || r == 9 || r == 180000;  // blocks 0 and 2 of 0 to 3
    postings.AppendRow(r, held ? std::vector<int>{0} : std::vector<int>{}, std::vector<float>(held ? 1 : 0, 0.5f));
  }
  const PostingList list = postings.List(0);
  size_t cursor = 0;
  std::vector<std::vector<int>> rows_by_block(4);
  for (int high = 0; high < 4; ++high) {
    for (const PostingList::Entry& e : list.EntriesOfBlock(high, &cursor)) {
      rows_by_block[high].push_back((high << 16) + e.row_low);
    }
  }
  EXPECT_EQ(rows_by_block, (std::vector<std::vector<int>>{{5, 9}, {}, {180000}, {}}));
  size_t fresh = 0;
  EXPECT_TRUE(PostingList().EntriesOfBlock(0, &fresh).empty());  // a column no row holds
}

// Past min_rows_for_dense, a column held by an eighth of the rows keeps a byte per row: its value rounded up to
// a multiple of 1/255 for exactly the rows of its list (those before it started included), 0 for the others; a
// rarer column keeps none. A refresh updates them with the entries.
TEST(PostingListsTest, ColumnsHeldByAnEighthOfTheRowsKeepDenseValues) {
  constexpr int kRows = 5000;
  CsrMatrix matrix(2);
  PostingLists postings(/*min_rows_for_dense=*/1000);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> values0(kRows, 0.0f);
  for (int r = 0; r < kRows; ++r) {
    SparseVector row(2);
    if (unit(rng) < 0.3f) row.insertBack(0) = values0[r] = unit(rng);
    if (unit(rng) < 0.01f) row.insertBack(1) = 0.5f;
    matrix.AppendRow(row);
    postings.AppendRow(r, Indices(row), Values(row));
  }
  const auto expect_dense_values = [&](const PostingList& list) {
    ASSERT_FALSE(list.dense_values().empty());
    ASSERT_LE(list.dense_values().size(), static_cast<size_t>(kRows));
    for (int r = 0; r < kRows; ++r) {
      const double stored = r < static_cast<int>(list.dense_values().size()) ? list.dense_values()[r] / 255.0 : 0;
      ASSERT_GE(stored, values0[r]) << "row " << r;
      ASSERT_LT(stored, values0[r] + 1.0 / 255 + 1.0 / 65535) << "row " << r;
      ASSERT_EQ(stored == 0, values0[r] == 0) << "row " << r;
    }
  };
  expect_dense_values(postings.List(0));
  EXPECT_TRUE(postings.List(1).dense_values().empty());

  for (int r = 0; r < kRows; ++r) {
    matrix.TransformRow(r, [&](const int* indices, float* values, int n) {
      for (int i = 0; i < n; ++i) {
        if (indices[i] == 0) values[i] = values0[r] = values0[r] / 2;
      }
    });
  }
  postings.RefreshValues(matrix);
  expect_dense_values(postings.List(0));
}

TEST(PostingListsTest, NoDenseValuesBeforeMinRows) {
  PostingLists postings(/*min_rows_for_dense=*/1000);
  for (int r = 0; r < 999; ++r) postings.AppendRow(r, std::vector<int>{0}, std::vector<float>{0.5f});
  EXPECT_TRUE(postings.List(0).dense_values().empty());
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
    SparseVector row(3);
    for (const int column : indices[r]) row.insertBack(column) = 0.25f;
    matrix.AppendRow(row);
    postings.AppendRow(r, Indices(row), Values(row));
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
  EXPECT_EQ(column2,
            (std::vector<uint16_t>{PostingLists::Step(0.25f), PostingLists::Step(0.75f), PostingLists::Step(0.25f)}));
}

}  // namespace
}  // namespace circmatch::internal
