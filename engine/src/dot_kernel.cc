#include "circmatch/internal/dot_kernel.h"

#include <cstdint>

#include "circmatch/internal/cpu_features.h"

namespace circmatch {
namespace internal {
namespace {

// Eight partial sums, so the compiler can keep them in vector registers without reordering float additions.
void FloatDotsBaseline(const float* query, const float* rows, int64_t stride, int64_t count, int64_t d, float* scores) {
  for (int64_t i = 0; i < count; ++i) {
    const float* row = rows + i * stride;
    float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= d; j += 8) {
      for (int lane = 0; lane < 8; ++lane) partial[lane] += query[j + lane] * row[j + lane];
    }
    float sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; j < d; ++j) sum += query[j] * row[j];
    scores[i] = sum;
  }
}

void Int8DotsBaseline(const int8_t* query, const int8_t* rows, int64_t stride, int64_t count, int64_t d,
                      int32_t* dots) {
  for (int64_t i = 0; i < count; ++i) {
    const int8_t* row = rows + i * stride;
    int32_t sum = 0;
    for (int64_t j = 0; j < d; ++j) sum += static_cast<int32_t>(query[j]) * static_cast<int32_t>(row[j]);
    dots[i] = sum;
  }
}

}  // namespace

DotKernel BaselineDotKernel() { return DotKernel{&FloatDotsBaseline, &Int8DotsBaseline, "baseline"}; }

DotKernel Avx2DotKernel() {
  if (!CpuHasAvx2AndFma()) return DotKernel{nullptr, nullptr, "avx2+fma"};
  return Avx2DotKernelUnchecked();
}

const DotKernel& BestDotKernel() {
  static const DotKernel kernel = [] {
    const DotKernel avx2 = Avx2DotKernel();
    return avx2.float_dots != nullptr ? avx2 : BaselineDotKernel();
  }();
  return kernel;
}

}  // namespace internal
}  // namespace circmatch
