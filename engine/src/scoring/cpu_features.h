// What the CPU running this process can execute, for the kernel compiled twice (baseline and AVX2,
// dense_list_kernel.h) that picks its faster build at first use while the build itself stays portable (no
// -march=native).
#ifndef CIRCMATCH_ENGINE_SCORING_CPU_FEATURES_H_
#define CIRCMATCH_ENGINE_SCORING_CPU_FEATURES_H_

namespace circmatch {
namespace internal {

// True when this CPU, and the OS (it saves the AVX registers), support AVX2.
bool CpuHasAvx2();

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_SCORING_CPU_FEATURES_H_
