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

// The values of the eight rows at `bytes`, as floats times `step`.
inline __m256 Scaled(const uint8_t* bytes, __m256 step) {
  const __m128i eight = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes));
  return _mm256_mul_ps(step, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(eight)));
}

// Thirty-two rows at a time, all lists into four registers of eight sums (four chains of additions, so each
// waits less on the one before), stored once: no sum is read back from memory. Each eight bytes go straight
// from memory into their widening, and up to the shortest list no list's length is tested. Where a list's values
// end among the 32 rows, the rest count as 0; the rows at the end go one at a time with the same operations.
void AddDenseListsAvx2(const DenseList* lists, int count, int64_t rows, float* partial) {
  int64_t all_hold = rows;
  for (int j = 0; j < count; ++j) all_hold = lists[j].size < all_hold ? lists[j].size : all_hold;
  int64_t r = 0;
  for (; r + 32 <= rows; r += 32) {
    if ((r & 32) == 0) {  // once per 64-byte line
      for (int j = 0; j < count; ++j) {
        if (r + kListPrefetchBytes < lists[j].size) {
          _mm_prefetch(reinterpret_cast<const char*>(lists[j].values + r + kListPrefetchBytes), _MM_HINT_T0);
        }
      }
    }
    __m256 sums[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    alignas(16) uint8_t padded[32];
    for (int j = 0; j < count; ++j) {
      const DenseList& list = lists[j];
      const uint8_t* values = list.values + r;
      if (r + 32 > all_hold) {
        if (r >= list.size) continue;
        if (r + 32 > list.size) {
          for (int64_t i = 0; i < 32; ++i) padded[i] = r + i < list.size ? values[i] : 0;
          values = padded;
        }
      }
      const __m256 step = _mm256_set1_ps(list.step);
      for (int i = 0; i < 4; ++i) sums[i] = _mm256_add_ps(sums[i], Scaled(values + 8 * i, step));
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
