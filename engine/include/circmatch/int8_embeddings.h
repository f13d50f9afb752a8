// An int8 copy of a dense matrix for a fast approximate first pass, followed by an exact re-rank: top-k by inner
// product at a quarter of the memory traffic of the exact scan (dense_top_k.h), which at 1M rows is bound by
// memory bandwidth.
//
// Each row is quantized symmetrically with its own scale (its largest absolute value maps to 127), and so is the
// query, so the first pass is an exact int8 dot product (internal/dot_kernel.h) times two scales. It keeps the
// `rerank` best rows by that estimate; these are scored again exactly, in float, against the original rows and
// the best k returned. The result is exact whenever the true top k are among the `rerank` kept (always when
// rerank >= N), and each returned score is the exact float DenseTopK gives that row: quantization can only
// change which rows are found, never their scores or order. Recall against the exact scan is measured in
// bench/dense_benchmark.cc and tested in tests/engine/int8_embeddings_test.cc.
//
// Memory: N x d bytes plus N floats, beside the float rows the re-rank reads.
//
// Thread-safety: const methods may be called concurrently.
//
//   absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(suppliers);
//   absl::StatusOr<std::vector<DenseMatch>> best = int8->TopK(query, suppliers, Int8TopKOptions{});
#ifndef CIRCMATCH_INT8_EMBEDDINGS_H_
#define CIRCMATCH_INT8_EMBEDDINGS_H_

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/dense_top_k.h"
#include "circmatch/row_major_matrix.h"

namespace circmatch {

struct Int8TopKOptions {
  // Rows returned; at least 1.
  int k = 10;
  // Rows kept by the int8 pass and re-ranked exactly; at least k. 0: kDefaultRerankPerResult x k. More raises
  // recall at a small cost (each is one random read of a float row).
  int rerank = 0;
  // As DenseTopKOptions::threads.
  int threads = 0;

  // The default re-rank depth per returned row: at 1M x 256 it gave recall@10 >= 0.99 on clustered embeddings
  // (bench/dense_benchmark.cc prints the recall of the depth it runs).
  static constexpr int kDefaultRerankPerResult = 10;
};

class Int8Embeddings {
 public:
  // Quantizes `rows` (N x d). INVALID_ARGUMENT naming the entry for a value that is not finite, or for more than
  // 2^31 - 1 rows or 2^17 - 1 columns.
  static absl::StatusOr<Int8Embeddings> Quantize(const Eigen::Ref<const RowMajorMatrixXf>& rows);

  int64_t rows() const { return rows_; }
  int64_t dimension() const { return dimension_; }
  // Bytes held: the int8 values and the row scales.
  size_t bytes() const { return values_.size() + scales_.size() * sizeof(float); }

  // The min(k, N) best rows for `query` by inner product, best first, the scores computed exactly on `exact`,
  // which must be the matrix this was quantized from (same shape; checked). INVALID_ARGUMENT, naming the field,
  // for k < 1, rerank in [1, k), threads < 0, a query of the wrong length or with a value that is not finite, or
  // `exact` of another shape.
  absl::StatusOr<std::vector<DenseMatch>> TopK(absl::Span<const float> query,
                                               const Eigen::Ref<const RowMajorMatrixXf>& exact,
                                               const Int8TopKOptions& options) const;

 private:
  Int8Embeddings(int64_t rows, int64_t dimension);

  int64_t rows_;
  int64_t dimension_;
  std::vector<int8_t> values_;  // rows_ x dimension_, row-major
  std::vector<float> scales_;   // row i is values_ row i times scales_[i]
};

}  // namespace circmatch

#endif  // CIRCMATCH_INT8_EMBEDDINGS_H_
