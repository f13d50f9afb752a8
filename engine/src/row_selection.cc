#include "circmatch/internal/row_selection.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace circmatch {
namespace internal {
namespace {

// Offers scores[begin, end) one by one; NaN passes the compare and is ranked (last) by RanksBefore.
void OfferEach(const float* scores, int64_t begin, int64_t end, int32_t first_row, RowSelection* selection) {
  for (int64_t j = begin; j < end; ++j) {
    if (scores[j] < selection->threshold) continue;
    selection->top.Push(ScoredRow{scores[j], first_row + static_cast<int32_t>(j)});
    if (selection->top.full()) selection->threshold = selection->top.worst().score;
  }
}

}  // namespace

RowSelection::RowSelection(int k) : top(k, RanksBefore{}), threshold(-std::numeric_limits<float>::infinity()) {}

// 16 scores at a time with SSE (x86-64 always has it): only a group holding a score at or above the threshold
// (or a NaN) is offered one by one.
void OfferScores(const float* scores, int64_t count, int32_t first_row, RowSelection* selection) {
  int64_t j = 0;
#if defined(__SSE2__)
  for (; j + 16 <= count; j += 16) {
    const __m128 t = _mm_set1_ps(selection->threshold);
    const __m128 hits = _mm_or_ps(
        _mm_or_ps(_mm_cmpnlt_ps(_mm_loadu_ps(scores + j), t), _mm_cmpnlt_ps(_mm_loadu_ps(scores + j + 4), t)),
        _mm_or_ps(_mm_cmpnlt_ps(_mm_loadu_ps(scores + j + 8), t), _mm_cmpnlt_ps(_mm_loadu_ps(scores + j + 12), t)));
    if (_mm_movemask_ps(hits) != 0) OfferEach(scores, j, j + 16, first_row, selection);
  }
#endif
  OfferEach(scores, j, count, first_row, selection);
}

std::vector<ScoredRow> MergeRowTopK(std::vector<RowTopK> parts, int k) {
  std::vector<ScoredRow> merged;
  for (RowTopK& part : parts) {
    std::vector<ScoredRow> rows = std::move(part).Take();
    merged.insert(merged.end(), rows.begin(), rows.end());
  }
  const size_t kept = std::min(merged.size(), static_cast<size_t>(std::max(k, 0)));
  std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(kept), merged.end(), RanksBefore{});
  merged.resize(kept);
  return merged;
}

std::vector<ScoredRow> ScanTopK(int64_t rows, int k, int threads, ScoreBlock score_block) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // About eight chunks per thread for balance, each 1 to 16 blocks: big enough that taking one costs nothing.
  const int64_t wanted = (rows + 8 * threads - 1) / (8 * threads);
  const int64_t blocks_per_chunk = std::clamp<int64_t>((wanted + kScanBlockRows - 1) / kScanBlockRows, 1, 16);
  const int64_t chunk_rows = blocks_per_chunk * kScanBlockRows;
  const int64_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  // A thread starts only for at least 16 blocks of rows: fewer are scanned faster than a thread starts.
  const int64_t enough_rows = 16 * kScanBlockRows;
  const int64_t workers =
      std::max<int64_t>(1, std::min<int64_t>({threads, chunks, (rows + enough_rows - 1) / enough_rows}));

  std::vector<RowSelection> selections(static_cast<size_t>(workers), RowSelection(k));
  std::atomic<int64_t> next_chunk{0};
  const auto work = [&](RowSelection* selection) {
    std::vector<float> scores(static_cast<size_t>(kScanBlockRows));
    for (int64_t c = next_chunk.fetch_add(1); c < chunks; c = next_chunk.fetch_add(1)) {
      const int64_t chunk_end = std::min(rows, (c + 1) * chunk_rows);
      for (int64_t begin = c * chunk_rows; begin < chunk_end; begin += kScanBlockRows) {
        const int64_t end = std::min(chunk_end, begin + kScanBlockRows);
        score_block(begin, end, scores.data());
        OfferScores(scores.data(), end - begin, static_cast<int32_t>(begin), selection);
      }
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<size_t>(workers - 1));
  for (int64_t w = 1; w < workers; ++w) helpers.emplace_back(work, &selections[static_cast<size_t>(w)]);
  work(&selections[0]);
  for (std::thread& helper : helpers) helper.join();

  std::vector<RowTopK> parts;
  parts.reserve(selections.size());
  for (RowSelection& selection : selections) parts.push_back(std::move(selection.top));
  return MergeRowTopK(std::move(parts), k);
}

}  // namespace internal
}  // namespace circmatch
