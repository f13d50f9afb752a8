// The AVX2 build of the dense list kernel (see scoring/dense_list_kernel.h). CMake compiles this file alone with
// -mavx2 on x86-64. Only intrinsics and this file's own functions are used here, so no inline code of another
// library is emitted in an AVX2 copy that baseline code could end up calling.
#include <cstdint>

#include "scoring/dense_list_kernel.h"

#if defined(__AVX2__)

#include <immintrin.h>

namespace circmatch {
namespace internal {
namespace {

// The values of eight rows from `bytes` (the low eight bytes), as floats times `step`.
inline __m256 Scaled(__m128i bytes, __m256 step) {
  return _mm256_mul_ps(step, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)));
}

// Thirty-two rows at a time, all lists into four registers of eight sums (four chains of additions, so each
// waits less on the one before), stored once: no sum is read back from memory. The rows at the end, and those
// past a list's values, go one at a time with the same operations.
void AddDenseListsAvx2(const DenseList* lists, int count, int64_t rows, float* partial) {
  int64_t r = 0;
  for (; r + 32 <= rows; r += 32) {
    __m256 sums[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int j = 0; j < count; ++j) {
      const DenseList& list = lists[j];
      if (r >= list.size) continue;
      __m128i first, second;
      if (r + 32 <= list.size) {
        if ((r & 32) == 0 && r + kListPrefetchBytes < list.size) {  // once per 64-byte line
          _mm_prefetch(reinterpret_cast<const char*>(list.values + r + kListPrefetchBytes), _MM_HINT_T0);
        }
        first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(list.values + r));
        second = _mm_loadu_si128(reinterpret_cast<const __m128i*>(list.values + r + 16));
      } else {  // the list's values end among these rows: the rest count as 0
        alignas(16) uint8_t bytes[32] = {};
        for (int64_t i = r; i < list.size; ++i) bytes[i - r] = list.values[i];
        first = _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
        second = _mm_load_si128(reinterpret_cast<const __m128i*>(bytes + 16));
      }
      const __m256 step = _mm256_set1_ps(list.step);
      sums[0] = _mm256_add_ps(sums[0], Scaled(first, step));
      sums[1] = _mm256_add_ps(sums[1], Scaled(_mm_srli_si128(first, 8), step));
      sums[2] = _mm256_add_ps(sums[2], Scaled(second, step));
      sums[3] = _mm256_add_ps(sums[3], Scaled(_mm_srli_si128(second, 8), step));
    }
    for (int i = 0; i < 4; ++i) _mm256_storeu_ps(partial + r + 8 * i, sums[i]);
  }
  for (; r < rows; ++r) {
    float sum = 0;
    for (int j = 0; j < count; ++j) {
      if (r < lists[j].size) sum += lists[j].step * static_cast<float>(lists[j].values[r]);
    }
    partial[r] = sum;
  }
}

}  // namespace

DenseListKernel Avx2DenseListKernelUnchecked() { return DenseListKernel{&AddDenseListsAvx2, "avx2"}; }

}  // namespace internal
}  // namespace circmatch

#else  // not compiled for AVX2 (not x86-64)

namespace circmatch {
namespace internal {

DenseListKernel Avx2DenseListKernelUnchecked() { return DenseListKernel{nullptr, "avx2"}; }

}  // namespace internal
}  // namespace circmatch

#endif
