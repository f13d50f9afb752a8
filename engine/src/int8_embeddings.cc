#include "circmatch/int8_embeddings.h"

#include <algorithm>
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
namespace {

// The int8 dot kernel's bound on d: 127 * 127 * d stays within int32.
constexpr int64_t kMaxDimension = (int64_t{1} << 17) - 1;

// Writes round(x / scale) for the d values of `in`, scale = max |x| / 127, and returns the scale (0 for a zero
// row, whose values all become 0). The values must be finite.
float QuantizeRow(const float* in, int64_t d, int8_t* out) {
  float largest = 0;
  for (int64_t j = 0; j < d; ++j) largest = std::max(largest, std::abs(in[j]));
  if (largest == 0) {
    std::fill(out, out + d, int8_t{0});
    return 0;
  }
  const float scale = largest / 127.0f;
  const float inverse = 127.0f / largest;
  for (int64_t j = 0; j < d; ++j) {
    out[j] = static_cast<int8_t>(std::clamp(std::lround(in[j] * inverse), -127L, 127L));
  }
  return scale;
}

}  // namespace

Int8Embeddings::Int8Embeddings(int64_t rows, int64_t dimension)
    : rows_(rows),
      dimension_(dimension),
      values_(static_cast<size_t>(rows * dimension)),
      scales_(static_cast<size_t>(rows)) {}

absl::StatusOr<Int8Embeddings> Int8Embeddings::Quantize(const Eigen::Ref<const RowMajorMatrixXf>& rows) {
  if (rows.rows() > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("rows: %d, more than the 2^31 - 1 a result row can name", rows.rows()));
  }
  if (rows.cols() > kMaxDimension) {
    return absl::InvalidArgumentError(
        absl::StrFormat("rows: %d columns, more than the %d int8 sums allow", rows.cols(), kMaxDimension));
  }
  Int8Embeddings out(rows.rows(), rows.cols());
  const int64_t d = rows.cols();
  for (int64_t i = 0; i < rows.rows(); ++i) {
    const float* row = rows.data() + i * rows.outerStride();
    for (int64_t j = 0; j < d; ++j) {
      if (!std::isfinite(row[j])) {
        return absl::InvalidArgumentError(absl::StrFormat("rows(%d, %d): is %f, not a finite number", i, j, row[j]));
      }
    }
    out.scales_[static_cast<size_t>(i)] = QuantizeRow(row, d, out.values_.data() + i * d);
  }
  return out;
}

absl::StatusOr<std::vector<DenseMatch>> Int8Embeddings::TopK(absl::Span<const float> query,
                                                             const Eigen::Ref<const RowMajorMatrixXf>& exact,
                                                             const Int8TopKOptions& options) const {
  if (absl::Status s = internal::CheckDenseQuery(query, dimension_, rows_, options.k, options.threads); !s.ok()) {
    return s;
  }
  if (options.rerank != 0 && options.rerank < options.k) {
    return absl::InvalidArgumentError(
        absl::StrFormat("rerank: must be 0 (the default) or at least k = %d, got %d", options.k, options.rerank));
  }
  if (exact.rows() != rows_ || exact.cols() != dimension_) {
    return absl::InvalidArgumentError(absl::StrFormat("exact: is %d x %d, but the quantized rows are %d x %d",
                                                      exact.rows(), exact.cols(), rows_, dimension_));
  }
  const int64_t d = dimension_;
  std::vector<int8_t> quantized_query(static_cast<size_t>(d));
  const float query_scale = QuantizeRow(query.data(), d, quantized_query.data());
  const int rerank = options.rerank != 0 ? options.rerank : options.k * Int8TopKOptions::kDefaultRerankPerResult;

  const internal::DotKernel& kernel = internal::BestDotKernel();
  const std::vector<internal::ScoredRow> estimated =
      internal::ScanTopK(rows_, rerank, options.threads, [&](int64_t begin, int64_t end, float* scores) {
        int32_t dots[internal::kScanBlockRows];
        kernel.int8_dots(quantized_query.data(), values_.data() + begin * d, d, end - begin, d, dots);
        for (int64_t i = 0; i < end - begin; ++i) {
          scores[i] = static_cast<float>(dots[i]) * (query_scale * scales_[static_cast<size_t>(begin + i)]);
        }
      });

  std::vector<internal::ScoredRow> rescored;
  rescored.reserve(estimated.size());
  for (const internal::ScoredRow& candidate : estimated) {
    float score;
    kernel.float_dots(query.data(), exact.data() + candidate.row * exact.outerStride(), exact.outerStride(), 1, d,
                      &score);
    rescored.push_back(internal::ScoredRow{score, candidate.row});
  }
  const size_t kept = std::min(rescored.size(), static_cast<size_t>(options.k));
  std::partial_sort(rescored.begin(), rescored.begin() + static_cast<std::ptrdiff_t>(kept), rescored.end(),
                    internal::RanksBefore{});
  std::vector<DenseMatch> result;
  result.reserve(kept);
  for (size_t i = 0; i < kept; ++i) result.push_back(DenseMatch{rescored[i].row, rescored[i].score});
  return result;
}

}  // namespace circmatch
