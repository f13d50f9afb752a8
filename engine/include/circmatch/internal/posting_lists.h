// The transpose of a CSR facet matrix, kept beside it: for every column the rows that hold it (increasing) and
// the largest value any row holds there, and optionally each row's value. A query then visits only rows that
// share one of its terms, rarest term first, bounds what a row it has not visited could still score, and adds
// up the kept values list by list into a score per row (see query_scorer.h).
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
  // `keep_values`: keep each row's value too (Values), 4 more bytes per entry.
  explicit PostingLists(bool keep_values = false) : keep_values_(keep_values) {}

  // Records row `row` (larger than every row recorded before) with its nonzeros.
  void AppendRow(int row, absl::Span<const int> indices, absl::Span<const float> values) {
    if (!indices.empty() && indices.back() >= static_cast<int>(rows_.size())) {
      rows_.resize(static_cast<size_t>(indices.back()) + 1);
      max_value_.resize(static_cast<size_t>(indices.back()) + 1, 0.0f);
      if (keep_values_) values_.resize(rows_.size());
    }
    for (size_t i = 0; i < indices.size(); ++i) {
      rows_[indices[i]].push_back(row);
      if (keep_values_) values_[indices[i]].push_back(values[i]);
      max_value_[indices[i]] = std::max(max_value_[indices[i]], values[i]);
    }
  }

  // Recomputes the column maxima after the matrix's values changed (same pattern), e.g. a new text IDF. Only for
  // lists without kept values.
  void RecomputeMaxValues(const CsrMatrix& matrix) {
    std::fill(max_value_.begin(), max_value_.end(), 0.0f);
    for (int r = 0; r < matrix.rows(); ++r) {
      const absl::Span<const int> indices = matrix.RowIndices(r);
      const absl::Span<const float> values = matrix.RowValues(r);
      for (size_t i = 0; i < indices.size(); ++i) {
        max_value_[indices[i]] = std::max(max_value_[indices[i]], values[i]);
      }
    }
  }

  // The rows holding column `col`, tombstoned ones included (the caller checks liveness).
  absl::Span<const int> Rows(int col) const {
    return col < static_cast<int>(rows_.size()) ? absl::Span<const int>(rows_[col]) : absl::Span<const int>();
  }

  bool keeps_values() const { return keep_values_; }

  // The values of Rows(col), in the same order; empty unless the lists keep values.
  absl::Span<const float> Values(int col) const {
    return col < static_cast<int>(values_.size()) ? absl::Span<const float>(values_[col]) : absl::Span<const float>();
  }

  // An upper bound of the values in column `col` (values of tombstoned rows may keep it high until compaction).
  float MaxValue(int col) const { return col < static_cast<int>(max_value_.size()) ? max_value_[col] : 0.0f; }

 private:
  bool keep_values_ = false;
  std::vector<std::vector<int>> rows_;
  std::vector<std::vector<float>> values_;
  std::vector<float> max_value_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_POSTING_LISTS_H_
