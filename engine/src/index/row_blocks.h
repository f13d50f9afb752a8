// Fixed-width rows appended in blocks of kRowsPerBlock, for the Index's largest per-row data (the embeddings,
// a kilobyte a row at 256 dimensions). A growing std::vector would copy all of it at every doubling and, while
// doing so, hold the old and the new buffer (1.5x the memory); blocks are never moved, so appending costs only
// the new rows and a row's address stays valid until the object is destroyed.
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_ENGINE_INDEX_ROW_BLOCKS_H_
#define CIRCMATCH_ENGINE_INDEX_ROW_BLOCKS_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace circmatch {
namespace internal {

template <typename T>
class RowBlocks {
 public:
  static constexpr int64_t kRowsPerBlock = 4096;

  explicit RowBlocks(int width) : width_(width) {}

  int width() const { return width_; }
  int64_t rows() const { return rows_; }

  // Appends a row of width() values.
  void Append(const T* row) { std::copy(row, row + width_, NextRow()); }
  // Appends a row of zeros.
  void AppendZeros() { std::fill_n(NextRow(), width_, T{}); }

  // Bytes allocated for the blocks.
  int64_t bytes() const { return static_cast<int64_t>(blocks_.size()) * kRowsPerBlock * width_ * sizeof(T); }

  // Row `r` (width() values).
  const T* Row(int64_t r) const {
    return blocks_[static_cast<size_t>(r / kRowsPerBlock)].get() + (r % kRowsPerBlock) * width_;
  }

 private:
  T* NextRow() {
    if (rows_ % kRowsPerBlock == 0) {
      // Not value-initialized: each row is written when appended, so the pages are first touched then.
      blocks_.emplace_back(new T[static_cast<size_t>(kRowsPerBlock * width_)]);
    }
    T* row = blocks_.back().get() + (rows_ % kRowsPerBlock) * width_;
    ++rows_;
    return row;
  }

  int width_;
  int64_t rows_ = 0;
  std::vector<std::unique_ptr<T[]>> blocks_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_ROW_BLOCKS_H_
