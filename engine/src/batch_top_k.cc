#include "circmatch/batch_top_k.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "circmatch/internal/dense_query.h"
#include "circmatch/internal/gemm_kernel.h"
#include "circmatch/internal/row_selection.h"

namespace circmatch {
namespace {

// One thread's running top k of every query, over the tiles it has scored.
struct WorkerState {
  std::vector<internal::RowSelection> queries;
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
  if (absl::Status s = internal::CheckScanOptions(options.k, options.threads, candidates.rows()); !s.ok()) {
    return s;
  }
  if (options.candidate_block < 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("candidate_block: must be >= 1, got %d", options.candidate_block));
  }
  if (options.query_block < 1) {
    return absl::InvalidArgumentError(absl::StrFormat("query_block: must be >= 1, got %d", options.query_block));
  }
  if (candidates.cols() != queries.cols()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("candidates: rows of %d values, but the queries' have %d", candidates.cols(), queries.cols()));
  }
  if (absl::Status s = CheckFinite(queries, "queries"); !s.ok()) return s;
  return CheckFinite(candidates, "candidates");
}

// Offers every score of one tile to its query's running top k.
void SelectFromTile(const float* tile, int64_t tile_cols, int64_t rows, int64_t cols, int64_t first_query,
                    int32_t first_candidate, WorkerState* state) {
  for (int64_t r = 0; r < rows; ++r) {
    internal::OfferScores(tile + r * tile_cols, cols, first_candidate,
                          &state->queries[static_cast<size_t>(first_query + r)]);
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
    state->queries.assign(static_cast<size_t>(q), internal::RowSelection(static_cast<int>(kept)));
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

  std::vector<internal::RowTopK> parts;
  for (int64_t i = 0; i < q; ++i) {
    parts.clear();
    for (WorkerState& state : states) parts.push_back(std::move(state.queries[static_cast<size_t>(i)].top));
    const std::vector<internal::ScoredRow> best = internal::MergeRowTopK(std::move(parts), static_cast<int>(kept));
    for (int64_t j = 0; j < kept; ++j) {
      result.ids(i, j) = best[static_cast<size_t>(j)].row;
      result.scores(i, j) = best[static_cast<size_t>(j)].score;
    }
  }
  return result;
}

}  // namespace circmatch
