#include "circmatch/internal/gemm_kernel.h"

#include <Eigen/Core>
#include <cstdint>
#include <string>

#include "circmatch/internal/cpu_features.h"

namespace circmatch {
namespace internal {
namespace {

void MultiplyByTransposeBaseline(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                                 int64_t m, int64_t n, int64_t d) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  const ConstMap lhs(a, m, d, Eigen::OuterStride<>(lda));
  const ConstMap rhs(b, n, d, Eigen::OuterStride<>(ldb));
  Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>> out(c, m, n, Eigen::OuterStride<>(ldc));
  out.noalias() = lhs * rhs.transpose();
}

}  // namespace

GemmKernel BaselineGemmKernel() {
  static const std::string* const name =
      new std::string(std::string("baseline (") + Eigen::SimdInstructionSetsInUse() + ")");
  return GemmKernel{&MultiplyByTransposeBaseline, name->c_str()};
}

GemmKernel Avx2GemmKernel() {
  if (!CpuHasAvx2AndFma()) return GemmKernel{nullptr, "avx2+fma"};
  return GemmKernel{Avx2GemmNtFunction(), "avx2+fma"};
}

const GemmKernel& BestGemmKernel() {
  static const GemmKernel kernel = [] {
#if defined(__AVX2__) && defined(__FMA__)
    // The whole build already targets AVX2+FMA or better (CIRCMATCH_NATIVE): its own kernel is the best.
    return BaselineGemmKernel();
#else
    const GemmKernel avx2 = Avx2GemmKernel();
    return avx2.multiply_by_transpose != nullptr ? avx2 : BaselineGemmKernel();
#endif
  }();
  return kernel;
}

}  // namespace internal
}  // namespace circmatch
