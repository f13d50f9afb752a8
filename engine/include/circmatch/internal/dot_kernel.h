// The inner products of one query with a block of rows, the inner loop of the dense scans (dense_top_k.h,
// int8_embeddings.h). Compiled twice, like the GEMM kernel (gemm_kernel.h): for the build's portable baseline
// and, on x86-64, in dot_kernel_avx2.cc with AVX2+FMA, which is used only after the CPU has said it has both.
//
// A row's float score is summed in the same order whatever rows are scored with it in one call, so a row scored
// again alone (the exact re-rank of the quantized scan) gets the very same float. Int8 products are exact.
//
// Thread-safety: every function may be called concurrently; each call runs on the calling thread only.
#ifndef CIRCMATCH_INTERNAL_DOT_KERNEL_H_
#define CIRCMATCH_INTERNAL_DOT_KERNEL_H_

#include <cstdint>

namespace circmatch {
namespace internal {

// scores[i] = sum over j < d of query[j] * rows[i * stride + j], for i < count.
using FloatDotsFunction = void (*)(const float* query, const float* rows, int64_t stride, int64_t count, int64_t d,
                                   float* scores);

// dots[i] = sum over j < d of query[j] * rows[i * stride + j], for i < count, exactly: every value must lie in
// [-127, 127] (-128 is excluded) and d < 2^17, so no sum overflows.
using Int8DotsFunction = void (*)(const int8_t* query, const int8_t* rows, int64_t stride, int64_t count, int64_t d,
                                  int32_t* dots);

struct DotKernel {
  FloatDotsFunction float_dots = nullptr;
  Int8DotsFunction int8_dots = nullptr;
  const char* name = "";  // "avx2+fma" or "baseline"
};

// The kernel the dense scans use on this CPU.
const DotKernel& BestDotKernel();

// The kernel compiled with the build's own flags; runs on every CPU the build runs on.
DotKernel BaselineDotKernel();

// The AVX2+FMA kernel, or null functions when this build has none (not x86-64) or the CPU lacks AVX2 or FMA.
DotKernel Avx2DotKernel();

// Defined in dot_kernel_avx2.cc, compiled with AVX2+FMA code generation: null functions when that unit was built
// without it. Call only on a CPU with AVX2 and FMA (Avx2DotKernel checks).
DotKernel Avx2DotKernelUnchecked();

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_DOT_KERNEL_H_
