// The AVX2+FMA build of the dot kernel (see internal/dot_kernel.h). CMake compiles this file alone with
// -mavx2 -mfma on x86-64. Only intrinsics and this file's own functions are used here, so no inline code of
// another library is emitted in an AVX2 copy that baseline code could end up calling.
#include "circmatch/internal/dot_kernel.h"

#include <cstdint>

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

namespace circmatch {
namespace internal {
namespace {

// Rows ahead of the ones being scored whose lines are requested early, so that a single thread's loads overlap
// more of the memory latency; the distance is a guess that was not worse than 8 in bench/dense_benchmark.cc.
constexpr int64_t kPrefetchRows = 24;

inline void Prefetch(const void* address) { _mm_prefetch(static_cast<const char*>(address), _MM_HINT_T0); }

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
// single stream: four rows at once, sharing each load of the query, read four streams a row apart (4 KiB at
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

void FloatDotsAvx2(const float* query, const float* rows, int64_t stride, int64_t count, int64_t d,
                   float* scores) {
  for (int64_t i = 0; i < count; ++i) scores[i] = FloatDot(query, rows + i * stride, d);
}

// 32 int8 products a step: maddubs multiplies unsigned by signed bytes, so the query's absolute value meets the
// row with the query's sign moved onto it; |q| and |r| <= 127 keep each pair sum within int16.
template <int kRows>
void Int8DotsOfRows(const int8_t* query, const int8_t* rows, int64_t stride, int64_t d, int32_t* dots) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i sums[kRows];
  #pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) sums[r] = _mm256_setzero_si256();
  int64_t j = 0;
  for (; j + 32 <= d; j += 32) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query + j));
    const __m256i q_abs = _mm256_abs_epi8(q);
    #pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) {
      Prefetch(rows + (r + kPrefetchRows) * stride + j);
      const __m256i row = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + r * stride + j));
      const __m256i pairs = _mm256_maddubs_epi16(q_abs, _mm256_sign_epi8(row, q));
      sums[r] = _mm256_add_epi32(sums[r], _mm256_madd_epi16(pairs, ones));
    }
  }
  #pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) {
    int32_t sum = HorizontalSum(sums[r]);
    for (int64_t t = j; t < d; ++t) sum += static_cast<int32_t>(query[t]) * static_cast<int32_t>(rows[r * stride + t]);
    dots[r] = sum;
  }
}

void Int8DotsAvx2(const int8_t* query, const int8_t* rows, int64_t stride, int64_t count, int64_t d,
                  int32_t* dots) {
  int64_t i = 0;
  for (; i + 4 <= count; i += 4) Int8DotsOfRows<4>(query, rows + i * stride, stride, d, dots + i);
  for (; i < count; ++i) Int8DotsOfRows<1>(query, rows + i * stride, stride, d, dots + i);
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
