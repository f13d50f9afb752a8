// The transpose of a CSR facet matrix, kept beside it: for every column the rows that hold it (increasing),
// their values, and the largest value any row holds there. A query adds its lists up list by list into a
// partial score per row, or visits the rows sharing its rarest terms, and bounds what the lists it left out
// could still add to a row (see query_scorer.h).
//
// An entry takes 4 bytes: its row's low 16 bits (the high bits are shared by the entries of one block of 65,536
// rows, kept once per block) and its value rounded UP to a multiple of 1/65535. Rows are unit vectors, so values
// lie in [0, 1] and an entry is at most 1.5e-5 above the row's value: a sum of entries bounds the exact sum from
// above (up to float rounding, far inside QueryScorer::kBoundMargin), which is all the search uses them for; the
// score itself is computed from the matrix. Half the 8 bytes of a row number and a float.
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_INTERNAL_POSTING_LISTS_H_
#define CIRCMATCH_INTERNAL_POSTING_LISTS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "circmatch/internal/csr_matrix.h"

namespace circmatch {
namespace internal {

// One column's list, borrowed from PostingLists.
class PostingList {
 public:
  struct Entry {
    uint16_t row_low;  // the row's low 16 bits
    uint16_t value;    // in steps of kValueStep, rounded up
  };
  // The entries of the rows in [high << 16, (high + 1) << 16) begin at `begin`, and end where the next block's begin.
  struct Block {
    int32_t high;
    uint32_t begin;
  };
  static constexpr float kValueStep = 1.0f / 65535;

  PostingList() = default;
  PostingList(absl::Span<const Entry> entries, absl::Span<const Block> blocks) : entries_(entries), blocks_(blocks) {}

  size_t size() const { return entries_.size(); }

  // Calls `visit(block_first_row, entries)` for each block in row order; an entry's row is block_first_row +
  // row_low.
  template <typename Visit>
  void ForEachBlock(const Visit& visit) const {
    for (size_t b = 0; b < blocks_.size(); ++b) {
      const size_t end = b + 1 < blocks_.size() ? blocks_[b + 1].begin : entries_.size();
      visit(static_cast<int>(blocks_[b].high) << 16, entries_.subspan(blocks_[b].begin, end - blocks_[b].begin));
    }
  }

  // Calls `visit(row)` for each row, increasing.
  template <typename Visit>
  void ForEachRow(const Visit& visit) const {
    ForEachBlock([&](int first_row, absl::Span<const Entry> entries) {
      for (const Entry& e : entries) visit(first_row + e.row_low);
    });
  }

 private:
  absl::Span<const Entry> entries_;
  absl::Span<const Block> blocks_;
};

class PostingLists {
 public:
  // Columns are allocated as rows first use them, so a wide hashed facet costs nothing until it has rows.
  PostingLists() = default;

  // Records row `row` (larger than every row recorded before) with its nonzeros.
  void AppendRow(int row, absl::Span<const int> indices, absl::Span<const float> values) {
    if (!indices.empty() && indices.back() >= static_cast<int>(columns_.size())) {
      columns_.resize(static_cast<size_t>(indices.back()) + 1);
    }
    const int32_t high = row >> 16;
    for (size_t i = 0; i < indices.size(); ++i) {
      Column& column = columns_[indices[i]];
      if (column.blocks.empty() || column.blocks.back().high != high) {
        column.blocks.push_back({high, static_cast<uint32_t>(column.entries.size())});
      }
      column.entries.push_back({static_cast<uint16_t>(row & 0xFFFF), Step(values[i])});
      column.max_value = std::max(column.max_value, values[i]);
    }
  }

  // Takes the values and column maxima again from `matrix` after its values changed (same pattern as the rows
  // recorded), e.g. a new text IDF.
  void RefreshValues(const CsrMatrix& matrix) {
    for (Column& column : columns_) column.max_value = 0;
    std::vector<uint32_t> next(columns_.size(), 0);  // per column, the entry of the next row holding it
    for (int r = 0; r < matrix.rows(); ++r) {
      const absl::Span<const int> indices = matrix.RowIndices(r);
      const absl::Span<const float> values = matrix.RowValues(r);
      for (size_t i = 0; i < indices.size(); ++i) {
        Column& column = columns_[indices[i]];
        column.entries[next[indices[i]]++].value = Step(values[i]);
        column.max_value = std::max(column.max_value, values[i]);
      }
    }
  }

  // The rows holding column `col`, tombstoned ones included (the caller checks liveness), with their values.
  PostingList List(int col) const {
    if (col >= static_cast<int>(columns_.size())) return PostingList();
    return PostingList(columns_[col].entries, columns_[col].blocks);
  }

  // The largest value in column `col`, exact (values of tombstoned rows may keep it high until compaction).
  float MaxValue(int col) const { return col < static_cast<int>(columns_.size()) ? columns_[col].max_value : 0.0f; }

  // `value` in steps of PostingList::kValueStep, rounded up (clamped to [0, 1]).
  static uint16_t Step(float value) {
    return static_cast<uint16_t>(std::clamp(std::ceil(static_cast<double>(value) * 65535.0), 0.0, 65535.0));
  }

 private:
  struct Column {
    std::vector<PostingList::Entry> entries;
    std::vector<PostingList::Block> blocks;
    float max_value = 0;
  };
  std::vector<Column> columns_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_POSTING_LISTS_H_
