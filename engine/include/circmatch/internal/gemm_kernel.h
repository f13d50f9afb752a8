// The single-threaded float GEMM behind batch scoring: C = A * B^T on row-major matrices, Eigen's blocked
// product compiled twice, for the build's baseline instruction set and, on x86-64, for AVX2+FMA. The faster
// one this CPU can run is picked once, at first use: AVX2+FMA more than doubles GEMM throughput over the SSE2
// baseline, and the build must stay portable (no -march=native), so only gemm_kernel_avx2.cc is compiled with
// -mavx2 -mfma and it is called only after the CPU has said it has both.
//
// No Eigen types here: the AVX2 translation unit renames Eigen's namespace (so its inline template code never
// merges with the baseline copies at link time) and must not see the baseline's types.
//
// Thread-safety: every function may be called concurrently; each call runs on the calling thread only.
#ifndef CIRCMATCH_INTERNAL_GEMM_KERNEL_H_
#define CIRCMATCH_INTERNAL_GEMM_KERNEL_H_

#include <cstdint>

namespace circmatch {
namespace internal {

// C = A * B^T, all row-major float: A is m x d with rows lda floats apart, B is n x d (ldb), C is m x n (ldc).
// C is overwritten and must not overlap A or B.
using GemmNtFunction = void (*)(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                                int64_t m, int64_t n, int64_t d);

struct GemmKernel {
  GemmNtFunction multiply_by_transpose = nullptr;
  const char* name = "";  // e.g. "avx2+fma", or "baseline (SSE, SSE2)"
};

// The kernel batch scoring uses on this CPU.
const GemmKernel& BestGemmKernel();

// The kernel compiled with the build's own flags; runs on every CPU the build runs on.
GemmKernel BaselineGemmKernel();

// The AVX2+FMA kernel, or a null function when this build has none (not x86-64) or the CPU lacks AVX2 or FMA.
GemmKernel Avx2GemmKernel();

// Defined in gemm_kernel_avx2.cc, which is compiled with AVX2+FMA code generation: null when that unit was
// built without it. Call only on a CPU with AVX2 and FMA (Avx2GemmKernel checks).
GemmNtFunction Avx2GemmNtFunction();

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_GEMM_KERNEL_H_
