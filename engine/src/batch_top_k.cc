#include "circmatch/batch_top_k.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "circmatch/internal/gemm_kernel.h"
#include "circmatch/top_k.h"

namespace circmatch {
namespace {

struct Scored {
  float score;
  int32_t id;
};

// Score descending, then lower id; NaN (an overflowed product) after every number. A total order, so merging
// per-thread results gives the same list whatever thread found which candidate.
struct Better {
  bool operator()(const Scored& a, const Scored& b) const {
    const bool a_nan = std::isnan(a.score), b_nan = std::isnan(b.score);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  }
};

using QueryTopK = TopK<Scored, Better>;

// One thread's running top k of every query, over the tiles it has scored.
struct WorkerState {
  std::vector<QueryTopK> top;
  // Per query: a score below this cannot enter its top k (the worst kept score once k are kept).
  std::vector<float> threshold;
  std::vector<float> tile;  // query_block x candidate_block scores, row-major
};

absl::Status CheckFinite(const Eigen::Ref<const RowMajorMatrixXf>& m, const char* name) {
  if (m.allFinite()) return absl::OkStatus();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (!std::isfinite(m(i, j))) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s(%d, %d): is %f, not a finite number", name, i, j, m(i, j)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const Eigen::Ref<const RowMajorMatrixXf>& queries,
                      const Eigen::Ref<const RowMajorMatrixXf>& candidates, const BatchTopKOptions& options) {
  if (options.k < 1) return absl::InvalidArgumentError(absl::StrFormat("k: must be >= 1, got %d", options.k));
  if (options.threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("threads: must be >= 0 (0: one per hardware thread), got %d", options.threads));
  }
  if (options.candidate_block < 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("candidate_block: must be >= 1, got %d", options.candidate_block));
  }
  if (options.query_block < 1) {
    return absl::InvalidArgumentError(absl::StrFormat("query_block: must be >= 1, got %d", options.query_block));
  }
  if (candidates.cols() != queries.cols()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "candidates: rows of %d values, but the queries' have %d", candidates.cols(), queries.cols()));
  }
  if (candidates.rows() > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("candidates: %d rows, more than the 2^31 - 1 a result id can name", candidates.rows()));
  }
  if (absl::Status s = CheckFinite(queries, "queries"); !s.ok()) return s;
  return CheckFinite(candidates, "candidates");
}

// Offers scores[begin, end) of one query to its running top k; returns the new threshold. NaN passes the compare
// and is ranked (last) by Better.
float Offer(const float* scores, int64_t begin, int64_t end, int32_t first_candidate, float threshold,
            QueryTopK* top) {
  for (int64_t j = begin; j < end; ++j) {
    if (scores[j] < threshold) continue;
    top->Push(Scored{scores[j], first_candidate + static_cast<int32_t>(j)});
    if (top->full()) threshold = top->worst().score;
  }
  return threshold;
}

// Offers every score of one tile to its query's running top k. Once a query holds k candidates nearly every
// score falls below its threshold, so the scan mostly compares: 16 scores at a time with SSE (x86-64 always
// has it), and only a group with a score at or above the threshold (or a NaN) is offered one by one.
void SelectFromTile(const float* tile, int64_t tile_cols, int64_t rows, int64_t cols, int64_t first_query,
                    int32_t first_candidate, WorkerState* state) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* scores = tile + r * tile_cols;
    QueryTopK& top = state->top[static_cast<size_t>(first_query + r)];
    float threshold = state->threshold[static_cast<size_t>(first_query + r)];
    int64_t j = 0;
#if defined(__SSE2__)
    for (; j + 16 <= cols; j += 16) {
      const __m128 t = _mm_set1_ps(threshold);
      const __m128 hits = _mm_or_ps(
          _mm_or_ps(_mm_cmpnlt_ps(_mm_loadu_ps(scores + j), t), _mm_cmpnlt_ps(_mm_loadu_ps(scores + j + 4), t)),
          _mm_or_ps(_mm_cmpnlt_ps(_mm_loadu_ps(scores + j + 8), t), _mm_cmpnlt_ps(_mm_loadu_ps(scores + j + 12), t)));
      if (_mm_movemask_ps(hits) != 0) threshold = Offer(scores, j, j + 16, first_candidate, threshold, &top);
    }
#endif
    threshold = Offer(scores, j, cols, first_candidate, threshold, &top);
    state->threshold[static_cast<size_t>(first_query + r)] = threshold;
  }
}

}  // namespace

absl::StatusOr<BatchTopKResult> BatchTopK(const Eigen::Ref<const RowMajorMatrixXf>& queries,
                                          const Eigen::Ref<const RowMajorMatrixXf>& candidates,
                                          const BatchTopKOptions& options) {
  if (absl::Status s = Validate(queries, candidates, options); !s.ok()) return s;
  const int64_t q = queries.rows(), n = candidates.rows(), d = queries.cols();
  const int64_t kept = std::min<int64_t>(options.k, n);
  BatchTopKResult result;
  result.ids.resize(q, kept);
  result.scores.resize(q, kept);
  if (q == 0 || kept == 0) return result;

  const int64_t query_block = std::min<int64_t>(options.query_block, q);
  const int64_t candidate_block = std::min<int64_t>(options.candidate_block, n);
  const int64_t query_blocks = (q + query_block - 1) / query_block;
  const int64_t candidate_blocks = (n + candidate_block - 1) / candidate_block;
  const int64_t tiles = query_blocks * candidate_blocks;
  int64_t threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, tiles);

  const internal::GemmNtFunction multiply = internal::BestGemmKernel().multiply_by_transpose;
  std::vector<WorkerState> states(static_cast<size_t>(threads));
  std::atomic<int64_t> next_tile{0};
  // Consecutive tiles share a candidate block, so threads working side by side read the same candidates
  // from the shared cache.
  const auto work = [&](WorkerState* state) {
    state->top.assign(static_cast<size_t>(q), QueryTopK(static_cast<int>(kept), Better{}));
    state->threshold.assign(static_cast<size_t>(q), -std::numeric_limits<float>::infinity());
    state->tile.resize(static_cast<size_t>(query_block * candidate_block));
    for (int64_t t = next_tile.fetch_add(1); t < tiles; t = next_tile.fetch_add(1)) {
      const int64_t first_query = (t % query_blocks) * query_block;
      const int64_t first_candidate = (t / query_blocks) * candidate_block;
      const int64_t rows = std::min(query_block, q - first_query);
      const int64_t cols = std::min(candidate_block, n - first_candidate);
      multiply(queries.data() + first_query * queries.outerStride(), queries.outerStride(),
               candidates.data() + first_candidate * candidates.outerStride(), candidates.outerStride(),
               state->tile.data(), candidate_block, rows, cols, d);
      SelectFromTile(state->tile.data(), candidate_block, rows, cols, first_query,
                     static_cast<int32_t>(first_candidate), state);
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<size_t>(threads - 1));
  for (int64_t w = 1; w < threads; ++w) helpers.emplace_back(work, &states[static_cast<size_t>(w)]);
  work(&states[0]);
  for (std::thread& helper : helpers) helper.join();

  std::vector<Scored> merged;
  for (int64_t i = 0; i < q; ++i) {
    merged.clear();
    for (WorkerState& state : states) {
      std::vector<Scored> part = std::move(state.top[static_cast<size_t>(i)]).Take();
      merged.insert(merged.end(), part.begin(), part.end());
    }
    std::partial_sort(merged.begin(), merged.begin() + kept, merged.end(), Better{});
    for (int64_t j = 0; j < kept; ++j) {
      result.ids(i, j) = merged[static_cast<size_t>(j)].id;
      result.scores(i, j) = merged[static_cast<size_t>(j)].score;
    }
  }
  return result;
}

}  // namespace circmatch
