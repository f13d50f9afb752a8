// Finding the few entries of a long float array above a cut that rises as they are found (the rows of a partial
// score that may still enter a top k): sixteen entries are compared at once, so the many below cost a fraction
// of a branch each.
//
// Thread-safety: stateless.
#ifndef CIRCMATCH_INTERNAL_FLOAT_SCAN_H_
#define CIRCMATCH_INTERNAL_FLOAT_SCAN_H_

#include <cstddef>

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

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_FLOAT_SCAN_H_
