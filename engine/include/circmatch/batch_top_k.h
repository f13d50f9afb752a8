// Top-k by inner product for many queries at once: every query row against every candidate row, keeping each
// query's k best candidates. For the nightly run of all open tenders against all suppliers on a dense facet (the
// embedding), where one query at a time would read the candidate matrix once per tender.
//
// The work is GEMM-shaped: queries are cut into blocks of `query_block` rows and candidates into blocks of
// `candidate_block` rows; each (query block, candidate block) tile is one single-threaded GEMM
// (internal/gemm_kernel.h, AVX2+FMA where the CPU has it) into a per-thread score buffer that stays in the shared
// cache (2 MiB by default), and each query's running top k is updated from that buffer before the next tile
// overwrites it, so the Q x N score matrix never exists. Tiles are shared out to `threads` threads; each keeps its own
// top k per query, and these are merged at the end under one total order (score descending, then lower candidate row),
// so the result does not depend on which thread scored which tile. A pair's score is computed by the same code on the
// same tile whatever the thread count, so results are bit-identical for any number of threads; other block sizes
// can move scores in the last bits (the GEMM's summation order depends on a pair's place in its tile).
//
// Memory: the inputs, plus per thread one query_block x candidate_block float buffer and Q x min(k, N) kept
// candidates.
//
// Thread-safety: BatchTopK may be called concurrently; it reads its inputs only.
//
//   Eigen::Map<const RowMajorMatrixXf> tenders(data, q, 256), suppliers(data2, n, 256);
//   BatchTopKOptions options;
//   options.k = 10;
//   absl::StatusOr<BatchTopKResult> top = BatchTopK(tenders, suppliers, options);
//   // top->ids(i, 0) is the best supplier row for tender row i, top->scores(i, 0) its inner product.
#ifndef CIRCMATCH_BATCH_TOP_K_H_
#define CIRCMATCH_BATCH_TOP_K_H_

#include <Eigen/Core>
#include <cstdint>

#include "absl/status/statusor.h"
#include "circmatch/row_major_matrix.h"

namespace circmatch {

struct BatchTopKOptions {
  // Candidates kept per query; at least 1. A query gets min(k, N) of them.
  int k = 10;
  // Worker threads (the calling thread is one of them); 0: std::thread::hardware_concurrency().
  int threads = 0;
  // Candidate rows per GEMM tile. With the query block this sizes the per-thread score buffer
  // (query_block x candidate_block floats); the defaults (2 MiB) did best of the sizes tried at d = 256 on a
  // 2-core AVX2 EPYC.
  int candidate_block = 1024;
  // Query rows per GEMM tile.
  int query_block = 512;
};

struct BatchTopKResult {
  // Row i: query i's min(k, N) best candidates, best first, as row numbers of `candidates` and their inner
  // products with query i. Equal scores rank the lower row first; a score that overflowed to NaN ranks last.
  Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> ids;
  RowMajorMatrixXf scores;
};

// For every row of `queries` (Q x d), the k rows of `candidates` (N x d) with the largest inner product with it.
// Q = 0 or N = 0 give an empty result of the right shape. INVALID_ARGUMENT, naming the field, for k < 1,
// threads < 0, a block size < 1, candidates whose row length differs from the queries', more than 2^31 - 1
// candidates, or an entry that is not finite (e.g. "queries(3, 17)").
absl::StatusOr<BatchTopKResult> BatchTopK(const Eigen::Ref<const RowMajorMatrixXf>& queries,
                                          const Eigen::Ref<const RowMajorMatrixXf>& candidates,
                                          const BatchTopKOptions& options);

}  // namespace circmatch

#endif  // CIRCMATCH_BATCH_TOP_K_H_
