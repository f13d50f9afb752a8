#include "circmatch/dense_top_k.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "circmatch/internal/dense_query.h"
#include "circmatch/internal/dot_kernel.h"
#include "circmatch/internal/row_selection.h"

namespace circmatch {
namespace internal {

absl::Status CheckScanOptions(int k, int threads, int64_t rows) {
  if (k < 1) return absl::InvalidArgumentError(absl::StrFormat("k: must be >= 1, got %d", k));
  if (threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("threads: must be >= 0 (0: one per hardware thread), got %d", threads));
  }
  if (rows > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("candidates: %d rows, more than the 2^31 - 1 a result row can name", rows));
  }
  return absl::OkStatus();
}

absl::Status CheckDenseQuery(absl::Span<const float> query, int64_t dimension, int64_t rows, int k, int threads) {
  if (absl::Status s = CheckScanOptions(k, threads, rows); !s.ok()) return s;
  if (static_cast<int64_t>(query.size()) != dimension) {
    return absl::InvalidArgumentError(
        absl::StrFormat("query: has %d values, but the candidates' rows have %d", query.size(), dimension));
  }
  for (size_t j = 0; j < query.size(); ++j) {
    if (!std::isfinite(query[j])) {
      return absl::InvalidArgumentError(absl::StrFormat("query[%d]: is %f, not a finite number", j, query[j]));
    }
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::StatusOr<std::vector<DenseMatch>> DenseTopK(absl::Span<const float> query,
                                                  const Eigen::Ref<const RowMajorMatrixXf>& candidates,
                                                  const DenseTopKOptions& options) {
  if (absl::Status s =
          internal::CheckDenseQuery(query, candidates.cols(), candidates.rows(), options.k, options.threads);
      !s.ok()) {
    return s;
  }
  const internal::FloatDotsFunction dots = internal::BestDotKernel().float_dots;
  const int64_t stride = candidates.outerStride(), d = candidates.cols();
  const std::vector<internal::ScoredRow> best =
      internal::ScanTopK(candidates.rows(), options.k, options.threads, [&](int64_t begin, int64_t end, float* scores) {
        dots(query.data(), candidates.data() + begin * stride, stride, end - begin, d, scores);
      });
  std::vector<DenseMatch> result;
  result.reserve(best.size());
  for (const internal::ScoredRow& r : best) result.push_back(DenseMatch{r.row, r.score});
  return result;
}

}  // namespace circmatch
