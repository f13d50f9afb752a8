// The transpose of a CSR facet matrix, kept beside it: for every column the rows that hold it (increasing),
// their values, and the largest value any row holds there. A query adds its lists up list by list into a
// partial score per row, or visits the rows sharing its rarest terms, and bounds what the lists it left out
// could still add to a row (see query_scorer.h).
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_INTERNAL_POSTING_LISTS_H_
#define CIRCMATCH_INTERNAL_POSTING_LISTS_H_

#include <algorithm>
#include <vector>

#include "absl/types/span.h"
#include "circmatch/internal/csr_matrix.h"

namespace circmatch {
namespace internal {

class PostingLists {
 public:
  // Columns are allocated as rows first use them, so a wide hashed facet costs nothing until it has rows.
  PostingLists() = default;

  // Records row `row` (larger than every row recorded before) with its nonzeros.
  void AppendRow(int row, absl::Span<const int> indices, absl::Span<const float> values) {
    if (!indices.empty() && indices.back() >= static_cast<int>(rows_.size())) {
      rows_.resize(static_cast<size_t>(indices.back()) + 1);
      max_value_.resize(static_cast<size_t>(indices.back()) + 1, 0.0f);
      values_.resize(rows_.size());
    }
    for (size_t i = 0; i < indices.size(); ++i) {
      rows_[indices[i]].push_back(row);
      values_[indices[i]].push_back(values[i]);
      max_value_[indices[i]] = std::max(max_value_[indices[i]], values[i]);
    }
  }

  // Takes the values and column maxima again from `matrix` after its values changed (same pattern as the rows
  // recorded), e.g. a new text IDF.
  void RefreshValues(const CsrMatrix& matrix) {
    std::fill(max_value_.begin(), max_value_.end(), 0.0f);
    std::vector<size_t> next(values_.size(), 0);  // per column, the entry of the next row holding it
    for (int r = 0; r < matrix.rows(); ++r) {
      const absl::Span<const int> indices = matrix.RowIndices(r);
      const absl::Span<const float> values = matrix.RowValues(r);
      for (size_t i = 0; i < indices.size(); ++i) {
        values_[indices[i]][next[indices[i]]++] = values[i];
        max_value_[indices[i]] = std::max(max_value_[indices[i]], values[i]);
      }
    }
  }

  // The rows holding column `col`, tombstoned ones included (the caller checks liveness).
  absl::Span<const int> Rows(int col) const {
    return col < static_cast<int>(rows_.size()) ? absl::Span<const int>(rows_[col]) : absl::Span<const int>();
  }

  // The values of Rows(col), in the same order.
  absl::Span<const float> Values(int col) const {
    return col < static_cast<int>(values_.size()) ? absl::Span<const float>(values_[col]) : absl::Span<const float>();
  }

  // An upper bound of the values in column `col` (values of tombstoned rows may keep it high until compaction).
  float MaxValue(int col) const { return col < static_cast<int>(max_value_.size()) ? max_value_[col] : 0.0f; }

 private:
  std::vector<std::vector<int>> rows_;
  std::vector<std::vector<float>> values_;
  std::vector<float> max_value_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_POSTING_LISTS_H_
