// The AVX2+FMA build of the GEMM kernel (see internal/gemm_kernel.h). CMake compiles this file alone with
// -mavx2 -mfma on x86-64; everything else stays at the portable baseline.
//
// Eigen's namespace is renamed here: its templates are inline, and without the rename the linker would keep one
// copy of each instantiation for the whole program, possibly this unit's AVX2 copy where baseline code calls it
// on a CPU without AVX2 (or the baseline copy here, losing the speed). Nothing else may be emitted out of line
// here: optimized builds emit only the renamed Eigen code and this file's functions (at -O0 also std::min/max of
// long and exception constructors, integer code without vector instructions); no static initializers.
#include <cstdint>

#include "circmatch/internal/gemm_kernel.h"

#if defined(__AVX2__) && defined(__FMA__)

#define Eigen circmatch_eigen_avx2
#include <Eigen/Core>

namespace circmatch {
namespace internal {
namespace {

void MultiplyByTransposeAvx2(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, int64_t m,
                             int64_t n, int64_t d) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  const ConstMap lhs(a, m, d, Eigen::OuterStride<>(lda));
  const ConstMap rhs(b, n, d, Eigen::OuterStride<>(ldb));
  Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>> out(c, m, n, Eigen::OuterStride<>(ldc));
  out.noalias() = lhs * rhs.transpose();
}

}  // namespace

GemmNtFunction Avx2GemmNtFunction() { return &MultiplyByTransposeAvx2; }

}  // namespace internal
}  // namespace circmatch

#else  // not compiled for AVX2+FMA (not x86-64)

namespace circmatch {
namespace internal {

GemmNtFunction Avx2GemmNtFunction() { return nullptr; }

}  // namespace internal
}  // namespace circmatch

#endif
