#include "index/row_blocks.h"

#include <vector>

#include "gtest/gtest.h"

namespace circmatch::internal {
namespace {

TEST(RowBlocksTest, RowsAcrossBlocksKeepTheirValuesAndAddresses) {
  constexpr int kWidth = 3;
  RowBlocks<float> rows(kWidth);
  const int64_t n = 2 * RowBlocks<float>::kRowsPerBlock + 5;
  const float* first = nullptr;
  for (int64_t r = 0; r < n; ++r) {
    if (r % 7 == 0) {
      rows.AppendZeros();
    } else {
      const std::vector<float> row = {static_cast<float>(r), -static_cast<float>(r), 0.5f};
      rows.Append(row.data());
    }
    if (r == 0) first = rows.Row(0);
  }
  ASSERT_EQ(rows.rows(), n);
  EXPECT_EQ(rows.Row(0), first);  // never moved by later appends
  for (int64_t r = 0; r < n; ++r) {
    const float* row = rows.Row(r);
    if (r % 7 == 0) {
      EXPECT_EQ(row[0], 0.0f);
      EXPECT_EQ(row[2], 0.0f);
    } else {
      EXPECT_EQ(row[0], static_cast<float>(r)) << r;
      EXPECT_EQ(row[1], -static_cast<float>(r)) << r;
      EXPECT_EQ(row[2], 0.5f) << r;
    }
  }
}

TEST(RowBlocksTest, ZeroWidthCountsRows) {
  RowBlocks<float> rows(0);
  for (int i = 0; i < 5000; ++i) rows.AppendZeros();
  EXPECT_EQ(rows.rows(), 5000);
  EXPECT_EQ(rows.width(), 0);
}

}  // namespace
}  // namespace circmatch::internal
