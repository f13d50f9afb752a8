// The checks every dense scan (dense_top_k.h, int8_embeddings.h, batch_top_k.h) makes of its query and options,
// with the same INVALID_ARGUMENT messages naming the field.
#ifndef CIRCMATCH_INTERNAL_DENSE_QUERY_H_
#define CIRCMATCH_INTERNAL_DENSE_QUERY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace circmatch {
namespace internal {

// OK when k >= 1, threads >= 0 and rows <= 2^31 - 1 (a result row is an int32).
absl::Status CheckScanOptions(int k, int threads, int64_t rows);

// CheckScanOptions, and `query` holds `dimension` finite values.
absl::Status CheckDenseQuery(absl::Span<const float> query, int64_t dimension, int64_t rows, int k, int threads);

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_DENSE_QUERY_H_
