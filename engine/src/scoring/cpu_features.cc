#include "scoring/cpu_features.h"

namespace circmatch {
namespace internal {

bool CpuHasAvx2() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // libgcc's check includes the OS saving the AVX registers (XGETBV), not only the CPUID bits.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

}  // namespace internal
}  // namespace circmatch
