// Finding the few entries of a long float array above a cut that rises as they are found (the rows of a partial
// score that may still enter a top k): sixteen entries are compared at once, so the many below cost a fraction
// of a branch each; and with the maximum of every block of 64 taken first, a scan reads only the blocks above
// its cut.
//
// Thread-safety: stateless.
#ifndef CIRCMATCH_ENGINE_SCORING_FLOAT_SCAN_H_
#define CIRCMATCH_ENGINE_SCORING_FLOAT_SCAN_H_

#include <algorithm>
#include <cstddef>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace circmatch {
namespace internal {

// Calls `visit(i)` for every i in [0, n), in increasing order, with values[i] > cut(); cut() is re-read after
// each visit.
template <typename Cut, typename Visit>
void ForEachAbove(const float* values, size_t n, const Cut& cut, const Visit& visit) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const __m128 c = _mm_set1_ps(cut());
    unsigned mask = 0;
    for (size_t j = 0; j < 4; ++j) {
      const __m128 above = _mm_cmpgt_ps(_mm_loadu_ps(values + i + 4 * j), c);
      mask |= static_cast<unsigned>(_mm_movemask_ps(above)) << (4 * j);
    }
    for (; mask != 0; mask &= mask - 1) {
      const size_t k = i + static_cast<size_t>(__builtin_ctz(mask));
      if (values[k] > cut()) visit(k);
    }
  }
#endif
  for (; i < n; ++i) {
    if (values[i] > cut()) visit(i);
  }
}

// The largest value of each block of kMaximaBlock consecutive values (the last block may be shorter) into
// maxima[0, MaximaCount(n)), so a scan can skip the blocks whose maximum is not above its
// cut (ForEachAboveInBlocks). A loop of loads and maxima of its own: taking them during a scan that also compares
// and visits made that scan slower.
constexpr size_t kMaximaBlock = 64;

// The number of blocks of kMaximaBlock that n values make.
constexpr size_t MaximaCount(size_t n) { return (n + kMaximaBlock - 1) / kMaximaBlock; }

inline void BlockMaxima(const float* values, size_t n, float* maxima) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + kMaximaBlock <= n; i += kMaximaBlock) {
    __m128 m[4];
    for (size_t j = 0; j < 4; ++j) m[j] = _mm_loadu_ps(values + i + 4 * j);
    for (size_t at = i + 16; at < i + kMaximaBlock; at += 16) {
      for (size_t j = 0; j < 4; ++j) m[j] = _mm_max_ps(m[j], _mm_loadu_ps(values + at + 4 * j));
    }
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, _mm_max_ps(_mm_max_ps(m[0], m[1]), _mm_max_ps(m[2], m[3])));
    maxima[i / kMaximaBlock] = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  }
#endif
  for (; i < n; i += kMaximaBlock) {
    maxima[i / kMaximaBlock] = *std::max_element(values + i, values + std::min(n, i + kMaximaBlock));
  }
}

// ForEachAbove over `values`, skipping the blocks whose maximum (from BlockMaxima) is not above the cut.
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

#endif  // CIRCMATCH_ENGINE_SCORING_FLOAT_SCAN_H_
