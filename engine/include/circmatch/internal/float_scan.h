// Finding the few entries of a long float array above a cut that rises as they are found (the rows of a partial
// score that may still enter a top k): sixteen entries are compared at once, so the many below cost a fraction
// of a branch each; and a second scan with a higher cut reads only the blocks noted above it in the first.
//
// Thread-safety: stateless.
#ifndef CIRCMATCH_INTERNAL_FLOAT_SCAN_H_
#define CIRCMATCH_INTERNAL_FLOAT_SCAN_H_

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace circmatch {
namespace internal {

#if defined(__SSE2__)
// The sixteen entries from `at` of ForEachAbove's scan; their maximum goes into `*sixteen_max` when one is given.
template <typename Cut, typename Visit>
inline void VisitSixteenAbove(const float* values, size_t at, const Cut& cut, const Visit& visit,
                              __m128* sixteen_max) {
  const __m128 c = _mm_set1_ps(cut());
  unsigned mask = 0;
  for (size_t j = 0; j < 4; ++j) {
    const __m128 v = _mm_loadu_ps(values + at + 4 * j);
    if (sixteen_max != nullptr) *sixteen_max = _mm_max_ps(*sixteen_max, v);
    mask |= static_cast<unsigned>(_mm_movemask_ps(_mm_cmpgt_ps(v, c))) << (4 * j);
  }
  for (; mask != 0; mask &= mask - 1) {
    const size_t k = at + static_cast<size_t>(__builtin_ctz(mask));
    if (values[k] > cut()) visit(k);
  }
}
#endif

// Calls `visit(i)` for every i in [0, n), in increasing order, with values[i] > cut(); cut() is re-read after
// each visit.
template <typename Cut, typename Visit>
void ForEachAbove(const float* values, size_t n, const Cut& cut, const Visit& visit) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) VisitSixteenAbove(values, i, cut, visit, nullptr);
#endif
  for (; i < n; ++i) {
    if (values[i] > cut()) visit(i);
  }
}

// ForEachAbove that also records the largest value of each block of kMaximaBlock consecutive values (the last
// block may be shorter) in `maxima`, so a later scan with a higher cut can skip the blocks below it
// (ForEachAboveInBlocks). Both cost one read of `values`; the second scan then reads only the few blocks above.
constexpr size_t kMaximaBlock = 64;

template <typename Cut, typename Visit>
void ForEachAboveNotingMaxima(const float* values, size_t n, const Cut& cut, const Visit& visit,
                              std::vector<float>* maxima) {
  maxima->assign((n + kMaximaBlock - 1) / kMaximaBlock, -std::numeric_limits<float>::infinity());
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + kMaximaBlock <= n; i += kMaximaBlock) {
    __m128 block_max = _mm_set1_ps(-std::numeric_limits<float>::infinity());
    for (size_t at = i; at < i + kMaximaBlock; at += 16) VisitSixteenAbove(values, at, cut, visit, &block_max);
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, block_max);
    (*maxima)[i / kMaximaBlock] = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  }
#endif
  for (; i < n; ++i) {
    float& block_max = (*maxima)[i / kMaximaBlock];
    block_max = std::max(block_max, values[i]);
    if (values[i] > cut()) visit(i);
  }
}

// ForEachAbove over `values`, skipping the blocks whose maximum (from ForEachAboveNotingMaxima) is not above
// the cut.
template <typename Cut, typename Visit>
void ForEachAboveInBlocks(const float* values, size_t n, const std::vector<float>& maxima, const Cut& cut,
                          const Visit& visit) {
  ForEachAbove(maxima.data(), maxima.size(), cut, [&](size_t b) {
    const size_t first = b * kMaximaBlock;
    ForEachAbove(values + first, std::min(kMaximaBlock, n - first), cut, [&](size_t i) { visit(first + i); });
  });
}

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_FLOAT_SCAN_H_
