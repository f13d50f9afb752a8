// The AVX2+FMA build of the dot kernel (see internal/dot_kernel.h). CMake compiles this file alone with
// -mavx2 -mfma on x86-64. Only intrinsics and this file's own functions are used here, so no inline code of
// another library is emitted in an AVX2 copy that baseline code could end up calling.
#include <cstdint>

#include "circmatch/internal/dot_kernel.h"

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

namespace circmatch {
namespace internal {
namespace {

inline float HorizontalSum(__m256 v) {
  const __m128 halves = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_add_ps(halves, _mm_movehl_ps(halves, halves));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_movehdup_ps(pairs)));
}

inline int32_t HorizontalSum(__m256i v) {
  const __m128i halves = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i pairs = _mm_add_epi32(halves, _mm_shuffle_epi32(halves, _MM_SHUFFLE(1, 0, 3, 2)));
  return _mm_cvtsi128_si32(_mm_add_epi32(pairs, _mm_shuffle_epi32(pairs, _MM_SHUFFLE(2, 3, 0, 1))));
}

// One row, two accumulators (16 floats a step) summed in one fixed order. Rows are read one after the other, a
// single stream: four rows at once, sharing each load of the query, read four streams a row apart (a kilobyte at
// d = 256), and ran at less than half the speed of one (bench/README.md, "Dense embeddings").
float FloatDot(const float* query, const float* row, int64_t d) {
  __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 16 <= d; j += 16) {
    even = _mm256_fmadd_ps(_mm256_loadu_ps(query + j), _mm256_loadu_ps(row + j), even);
    odd = _mm256_fmadd_ps(_mm256_loadu_ps(query + j + 8), _mm256_loadu_ps(row + j + 8), odd);
  }
  if (j + 8 <= d) {
    even = _mm256_fmadd_ps(_mm256_loadu_ps(query + j), _mm256_loadu_ps(row + j), even);
    j += 8;
  }
  float sum = HorizontalSum(_mm256_add_ps(even, odd));
  for (; j < d; ++j) sum += query[j] * row[j];
  return sum;
}

void FloatDotsAvx2(const float* query, const float* rows, int64_t stride, int64_t count, int64_t d, float* scores) {
  for (int64_t i = 0; i < count; ++i) scores[i] = FloatDot(query, rows + i * stride, d);
}

// 32 int8 products a step, one row at a time (as FloatDot): maddubs multiplies unsigned by signed bytes, so the
// query's absolute value meets the row with the query's sign moved onto it; |q| and |r| <= 127 keep each pair
// sum within int16.
int32_t Int8Dot(const int8_t* query, const int8_t* row, int64_t d) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i sums = _mm256_setzero_si256();
  int64_t j = 0;
  for (; j + 32 <= d; j += 32) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query + j));
    const __m256i r = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + j));
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(q), _mm256_sign_epi8(r, q));
    sums = _mm256_add_epi32(sums, _mm256_madd_epi16(pairs, ones));
  }
  int32_t sum = HorizontalSum(sums);
  for (; j < d; ++j) sum += static_cast<int32_t>(query[j]) * static_cast<int32_t>(row[j]);
  return sum;
}

void Int8DotsAvx2(const int8_t* query, const int8_t* rows, int64_t stride, int64_t count, int64_t d, int32_t* dots) {
  for (int64_t i = 0; i < count; ++i) dots[i] = Int8Dot(query, rows + i * stride, d);
}

}  // namespace

DotKernel Avx2DotKernelUnchecked() { return DotKernel{&FloatDotsAvx2, &Int8DotsAvx2, "avx2+fma"}; }

}  // namespace internal
}  // namespace circmatch

#else  // not compiled for AVX2+FMA (not x86-64)

namespace circmatch {
namespace internal {

DotKernel Avx2DotKernelUnchecked() { return DotKernel{nullptr, nullptr, "avx2+fma"}; }

}  // namespace internal
}  // namespace circmatch

#endif
