#include "scoring/dense_list_kernel.h"

#include <cstdint>
#include <cstring>

#include "scoring/cpu_features.h"

namespace circmatch {
namespace internal {
namespace {

void AddDenseListsBaseline(const DenseList* lists, int count, int64_t rows, float* partial) {
  std::memset(partial, 0, static_cast<size_t>(rows) * sizeof(float));
  for (int j = 0; j < count; ++j) {
    const int64_t end = lists[j].size < rows ? lists[j].size : rows;
    for (int64_t r = 0; r < end; ++r) partial[r] += lists[j].step * static_cast<float>(lists[j].values[r]);
  }
}

}  // namespace

DenseListKernel BaselineDenseListKernel() { return DenseListKernel{&AddDenseListsBaseline, "baseline"}; }

DenseListKernel Avx2DenseListKernel() {
  if (!CpuHasAvx2()) return DenseListKernel{nullptr, "avx2"};
  return Avx2DenseListKernelUnchecked();
}

const DenseListKernel& BestDenseListKernel() {
  static const DenseListKernel kernel = [] {
    const DenseListKernel avx2 = Avx2DenseListKernel();
    return avx2.add_up != nullptr ? avx2 : BaselineDenseListKernel();
  }();
  return kernel;
}

}  // namespace internal
}  // namespace circmatch
