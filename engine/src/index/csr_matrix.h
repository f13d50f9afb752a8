// An append-only sparse matrix in CSR form (row pointers, column indices, values in three flat vectors), viewed
// by Eigen as a row-major sparse matrix without copying. One row per stored profile; an update appends a new row
// (the segment tombstones the old one), and only values are ever changed in place (the text's, on a new IDF).
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_ENGINE_INDEX_CSR_MATRIX_H_
#define CIRCMATCH_ENGINE_INDEX_CSR_MATRIX_H_

#include <Eigen/SparseCore>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "circmatch/vectorizer.h"

namespace circmatch {
namespace internal {

class CsrMatrix {
 public:
  using EigenMatrix = Eigen::SparseMatrix<float, Eigen::RowMajor, int>;
  using EigenView = Eigen::Map<const EigenMatrix>;
  static_assert(EigenMatrix::IsRowMajor, "CSR layout: outer index = rows");
  static_assert(std::is_same<EigenMatrix::StorageIndex, int>::value, "indices are int");

  explicit CsrMatrix(int cols = 0) : cols_(cols) {}

  int rows() const { return static_cast<int>(row_start_.size()) - 1; }
  int cols() const { return cols_; }
  int64_t nonzeros() const { return static_cast<int64_t>(values_.size()); }

  // Appends a row; `row` must have strictly increasing indices in [0, cols()).
  void AppendRow(const SparseVector& row) {
    indices_.insert(indices_.end(), Indices(row).begin(), Indices(row).end());
    values_.insert(values_.end(), Values(row).begin(), Values(row).end());
    row_start_.push_back(static_cast<int>(values_.size()));
  }

  // Appends row `r` of `other` (same number of columns).
  void AppendRowFrom(const CsrMatrix& other, int r) {
    indices_.insert(indices_.end(), other.indices_.begin() + other.row_start_[r],
                    other.indices_.begin() + other.row_start_[r + 1]);
    values_.insert(values_.end(), other.values_.begin() + other.row_start_[r],
                   other.values_.begin() + other.row_start_[r + 1]);
    row_start_.push_back(static_cast<int>(values_.size()));
  }

  // The column indices and values of row `r`, without copying; valid until the next append.
  absl::Span<const int> RowIndices(int r) const {
    return absl::Span<const int>(indices_.data() + row_start_[r],
                                 static_cast<size_t>(row_start_[r + 1] - row_start_[r]));
  }
  absl::Span<const float> RowValues(int r) const {
    return absl::Span<const float>(values_.data() + row_start_[r],
                                   static_cast<size_t>(row_start_[r + 1] - row_start_[r]));
  }

  // Where row `r`'s nonzeros begin among all of them, for arrays kept beside the matrix's values.
  int64_t RowOffset(int r) const { return row_start_[r]; }

  // Replaces the values of row `r` (same pattern), e.g. after re-weighting text with a new IDF.
  template <typename F>
  void TransformRow(int r, F&& transform) {
    transform(indices_.data() + row_start_[r], values_.data() + row_start_[r], row_start_[r + 1] - row_start_[r]);
  }

  // Bytes allocated for the matrix.
  int64_t bytes() const {
    return static_cast<int64_t>(row_start_.capacity() * sizeof(int) + indices_.capacity() * sizeof(int) +
                                values_.capacity() * sizeof(float));
  }

  // A zero-copy Eigen view; valid until the next append.
  EigenView View() const {
    return EigenView(rows(), cols_, static_cast<Eigen::Index>(values_.size()), row_start_.data(), indices_.data(),
                     values_.data());
  }

 private:
  int cols_;
  std::vector<int> row_start_{0};  // rows() + 1 entries
  std::vector<int> indices_;
  std::vector<float> values_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_CSR_MATRIX_H_
