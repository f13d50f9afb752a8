// Keeping the k best rows of a score stream, shared by the dense scans (dense_top_k.h, int8_embeddings.h) and
// batch scoring (batch_top_k.h): scores arrive a block at a time in a buffer, and nearly all fall below the
// worst kept score once k are kept, so the buffer is mostly compared, not pushed.
//
// ScanTopK runs such a scan over all rows on several threads.
//
// Thread-safety: plain values and functions; use one RowSelection per thread and merge them with MergeRowTopK.
#ifndef CIRCMATCH_INTERNAL_ROW_SELECTION_H_
#define CIRCMATCH_INTERNAL_ROW_SELECTION_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "circmatch/top_k.h"

namespace circmatch {
namespace internal {

struct ScoredRow {
  float score;
  int32_t row;
};

// Score descending, then lower row; NaN (an overflowed product, or a NaN in the data) after every number. A
// total order, so merging per-thread results gives the same list whatever thread scored which row.
struct RanksBefore {
  bool operator()(const ScoredRow& a, const ScoredRow& b) const {
    const bool a_nan = std::isnan(a.score), b_nan = std::isnan(b.score);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a.score != b.score) return a.score > b.score;
    return a.row < b.row;
  }
};

using RowTopK = TopK<ScoredRow, RanksBefore>;

// The running top k of one query with its admission threshold: a score below `threshold` cannot enter (the
// worst kept score once k are kept, -infinity before).
struct RowSelection {
  explicit RowSelection(int k);
  RowTopK top;
  float threshold;
};

// Offers scores[0, count), the scores of rows first_row, first_row + 1, ..., to `selection`.
void OfferScores(const float* scores, int64_t count, int32_t first_row, RowSelection* selection);

// The best `k` of all rows kept by `parts` (consumed), best first.
std::vector<ScoredRow> MergeRowTopK(std::vector<RowTopK> parts, int k);

// Rows scored per call of a ScoreBlock function.
inline constexpr int64_t kScanBlockRows = 1024;

// Writes the scores of rows [begin, end) to scores[0, end - begin); end - begin <= kScanBlockRows. Called from
// several threads at once, each with its own `scores`.
using ScoreBlock = absl::FunctionRef<void(int64_t begin, int64_t end, float* scores)>;

// The best min(k, rows) of rows [0, rows), best first, scored block by block by up to `threads` threads (0: one
// per hardware thread; one per 16 blocks at most) that take chunks of consecutive rows in turn, so a slow thread
// does not hold the others up.
// The result does not depend on the thread count when a row's score does not.
std::vector<ScoredRow> ScanTopK(int64_t rows, int k, int threads, ScoreBlock score_block);

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_ROW_SELECTION_H_
