// Exact top-k by inner product of one query against every row of a dense matrix (the embedding facet of all
// suppliers): the plain scan a nearest-neighbour library calls "flat", on every core, reading each row once.
//
// At 1M x 256 floats the matrix is 1 GiB and one query does 2 flops per 4 bytes read, so the scan is bound by
// memory bandwidth, not arithmetic: the threads take chunks of consecutive rows (the hardware prefetchers see one
// stream each), score 1024 rows at a time into a buffer that stays in L1 (internal/dot_kernel.h, AVX2+FMA where
// the CPU has it), and compare the buffer against their running k-th score, so almost no row reaches a heap.
// Int8Embeddings (int8_embeddings.h) reads a quarter of the bytes for an approximate first pass.
//
// Results: score descending, equal scores by lower row; a row's score is the same float whatever the thread
// count, so the result is too. A NaN in `candidates` (not checked: that would read the matrix twice) gives that
// row a NaN score, ranked after every number.
//
// Thread-safety: may be called concurrently; reads its inputs only.
//
//   DenseTopKOptions options;
//   options.k = 10;
//   absl::StatusOr<std::vector<DenseMatch>> best = DenseTopK(query, suppliers, options);
//   // (*best)[0].row is the supplier row with the largest inner product with `query`.
#ifndef CIRCMATCH_DENSE_TOP_K_H_
#define CIRCMATCH_DENSE_TOP_K_H_

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/row_major_matrix.h"

namespace circmatch {

struct DenseTopKOptions {
  // Rows returned; at least 1. A scan of N rows returns min(k, N).
  int k = 10;
  // Threads scanning (the calling thread is one of them); 0: std::thread::hardware_concurrency(). Fewer run
  // when there are too few rows to share out.
  int threads = 0;
};

struct DenseMatch {
  int32_t row;  // row number in the scanned matrix
  float score;  // inner product with the query
};

// The min(k, N) rows of `candidates` (N x d) with the largest inner product with `query` (d values), best first.
// INVALID_ARGUMENT, naming the field, for k < 1, threads < 0, a query whose length differs from the rows' or
// holding a value that is not finite, or more than 2^31 - 1 rows.
absl::StatusOr<std::vector<DenseMatch>> DenseTopK(absl::Span<const float> query,
                                                  const Eigen::Ref<const RowMajorMatrixXf>& candidates,
                                                  const DenseTopKOptions& options);

}  // namespace circmatch

#endif  // CIRCMATCH_DENSE_TOP_K_H_
