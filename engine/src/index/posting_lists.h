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
// A column held by an eighth or more of the rows (once there are kMinRowsForDense) also keeps its values densely,
// a byte per row rounded up to a multiple of 1/255 (0 where it is absent), at most twice the bytes of its
// entries: the search adds such lists from those bytes, many rows at a time (dense_list_kernel.h).
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_ENGINE_INDEX_POSTING_LISTS_H_
#define CIRCMATCH_ENGINE_INDEX_POSTING_LISTS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "index/csr_matrix.h"

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
  static constexpr float kDenseValueStep = 1.0f / 255;

  PostingList() = default;
  PostingList(absl::Span<const Entry> entries, absl::Span<const Block> blocks, absl::Span<const uint8_t> dense_values)
      : entries_(entries), blocks_(blocks), dense_values_(dense_values) {}

  size_t size() const { return entries_.size(); }

  // Its values by row in steps of kDenseValueStep, rounded up (0 where the list does not hold the row; no row
  // past them is held). Empty when the column keeps none.
  absl::Span<const uint8_t> dense_values() const { return dense_values_; }

  // Calls `visit(block_first_row, entries)` for each block in row order; an entry's row is block_first_row +
  // row_low.
  template <typename Visit>
  void ForEachBlock(const Visit& visit) const {
    for (size_t b = 0; b < blocks_.size(); ++b) {
      const size_t end = b + 1 < blocks_.size() ? blocks_[b + 1].begin : entries_.size();
      visit(static_cast<int>(blocks_[b].high) << 16, entries_.subspan(blocks_[b].begin, end - blocks_[b].begin));
    }
  }

  // The entries of the rows in [high << 16, (high + 1) << 16), for blocks asked in increasing order: `cursor`
  // (0 at first) keeps where the previous call stopped.
  absl::Span<const Entry> EntriesOfBlock(int32_t high, size_t* cursor) const {
    while (*cursor < blocks_.size() && blocks_[*cursor].high < high) ++*cursor;
    if (*cursor == blocks_.size() || blocks_[*cursor].high != high) return {};
    const size_t b = *cursor;
    const size_t end = b + 1 < blocks_.size() ? blocks_[b + 1].begin : entries_.size();
    return entries_.subspan(blocks_[b].begin, end - blocks_[b].begin);
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
  absl::Span<const uint8_t> dense_values_;
};

class PostingLists {
 public:
  // Rows before which no column keeps dense values: on few rows, reading the entries costs little anyway.
  static constexpr int kMinRowsForDense = 1 << 16;

  // A column's list is allocated when a row first holds it: a wide hashed facet (the text's 262,144 buckets)
  // costs 4 bytes a column until then, not a list's 80.
  // `min_rows_for_dense` is kMinRowsForDense but in tests.
  explicit PostingLists(int min_rows_for_dense = kMinRowsForDense) : min_rows_for_dense_(min_rows_for_dense) {}

  // Records row `row` (larger than every row recorded before) with its nonzeros.
  void AppendRow(int row, absl::Span<const int> indices, absl::Span<const float> values) {
    if (!indices.empty() && indices.back() >= static_cast<int>(slots_.size())) {
      slots_.resize(static_cast<size_t>(indices.back()) + 1, kNoSlot);
    }
    const int32_t high = row >> 16;
    for (size_t i = 0; i < indices.size(); ++i) {
      uint32_t& slot = slots_[indices[i]];
      if (slot == kNoSlot) {
        slot = static_cast<uint32_t>(columns_.size());
        columns_.emplace_back();
      }
      Column& column = columns_[slot];
      if (column.blocks.empty() || column.blocks.back().high != high) {
        column.blocks.push_back({high, static_cast<uint32_t>(column.entries.size())});
      }
      column.entries.push_back({static_cast<uint16_t>(row & 0xFFFF), Step(values[i])});
      column.max_value = std::max(column.max_value, values[i]);
      if (!column.dense_values.empty() || (row >= min_rows_for_dense_ && 8 * column.entries.size() >= row + 1u)) {
        ExtendDenseValues(column, row);
      }
    }
  }

  // Takes the values and column maxima again from `matrix` after its values changed (same pattern as the rows
  // recorded), e.g. a new text IDF.
  void RefreshValues(const CsrMatrix& matrix) {
    for (Column& column : columns_) column.max_value = 0;
    std::vector<uint32_t> next(columns_.size(), 0);  // per list, the entry of the next row holding it
    for (int r = 0; r < matrix.rows(); ++r) {
      const absl::Span<const int> indices = matrix.RowIndices(r);
      const absl::Span<const float> values = matrix.RowValues(r);
      for (size_t i = 0; i < indices.size(); ++i) {
        const uint32_t slot = slots_[indices[i]];
        Column& column = columns_[slot];
        PostingList::Entry& entry = column.entries[next[slot]++];
        entry.value = Step(values[i]);
        column.max_value = std::max(column.max_value, values[i]);
        if (!column.dense_values.empty()) column.dense_values[r] = DenseStep(entry.value);
      }
    }
  }

  // The rows holding column `col`, tombstoned ones included (the caller checks liveness), with their values.
  PostingList List(int col) const {
    const Column* column = Find(col);
    if (column == nullptr) return PostingList();
    return PostingList(column->entries, column->blocks, column->dense_values);
  }

  // The largest value in column `col`, exact (values of tombstoned rows may keep it high until compaction).
  float MaxValue(int col) const {
    const Column* column = Find(col);
    return column != nullptr ? column->max_value : 0.0f;
  }

  // Bytes allocated for the lists, and of them for dense values.
  int64_t bytes() const {
    int64_t total = static_cast<int64_t>(slots_.capacity() * sizeof(uint32_t) + columns_.capacity() * sizeof(Column));
    for (const Column& c : columns_) {
      total += static_cast<int64_t>(c.entries.capacity() * sizeof(PostingList::Entry) +
                                    c.blocks.capacity() * sizeof(PostingList::Block));
    }
    return total + dense_bytes();
  }
  int64_t dense_bytes() const {
    int64_t total = 0;
    for (const Column& c : columns_) total += static_cast<int64_t>(c.dense_values.capacity());
    return total;
  }

  // `value` in steps of PostingList::kValueStep, rounded up (clamped to [0, 1]).
  static uint16_t Step(float value) {
    return static_cast<uint16_t>(std::clamp(std::ceil(static_cast<double>(value) * 65535.0), 0.0, 65535.0));
  }

 private:
  struct Column {
    std::vector<PostingList::Entry> entries;
    std::vector<PostingList::Block> blocks;
    float max_value = 0;
    std::vector<uint8_t> dense_values;  // empty until the column is held by an eighth of the rows
  };

  // A value in steps of PostingList::kValueStep as one in steps of kDenseValueStep, rounded up.
  static uint8_t DenseStep(uint16_t value) { return static_cast<uint8_t>((value * 255u + 65534u) / 65535u); }

  // Extends the column's dense values to its last entry, row `row`; the first time, fills them from all its
  // entries.
  static void ExtendDenseValues(Column& column, int row) {
    const auto set = [&column](int r, uint16_t value) {
      column.dense_values.resize(static_cast<size_t>(r) + 1, 0);
      column.dense_values[r] = DenseStep(value);
    };
    if (!column.dense_values.empty()) return set(row, column.entries.back().value);
    const PostingList list(column.entries, column.blocks, {});
    list.ForEachBlock([&](int first_row, absl::Span<const PostingList::Entry> entries) {
      for (const PostingList::Entry& e : entries) set(first_row + e.row_low, e.value);
    });
  }

  static constexpr uint32_t kNoSlot = ~uint32_t{0};

  // Column `col`'s list, or null while no row holds it.
  const Column* Find(int col) const {
    if (col >= static_cast<int>(slots_.size()) || slots_[col] == kNoSlot) return nullptr;
    return &columns_[slots_[col]];
  }

  int min_rows_for_dense_;
  std::vector<uint32_t> slots_;  // per column, where its list is in columns_ (kNoSlot: none yet)
  std::vector<Column> columns_;  // the lists, in the order rows first held their columns
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_POSTING_LISTS_H_
