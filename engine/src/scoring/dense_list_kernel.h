// Adding up the posting lists held by many rows from their values stored densely, a byte per row. Entry by
// entry, every entry of a list is a read-modify-write of a scattered float, which costs about a nanosecond on
// the benchmark machine whatever the cache (BM_AddUpListByListEntriesOnly in bench/index_benchmark.cc); a list
// held by an eighth of the rows or more costs less read as a byte per row, 32 rows at a time, with every
// partial score written once for all such lists. Compiled twice: for the build's portable baseline and, on
// x86-64, in dense_list_kernel_avx2.cc with AVX2, used only after the CPU has said it has it (cpu_features.h).
//
// Both builds add each row's values in list order onto zero, one rounding per product and per sum, so they give
// the same floats.
//
// Thread-safety: every function may be called concurrently; each call runs on the calling thread only.
#ifndef CIRCMATCH_ENGINE_SCORING_DENSE_LIST_KERNEL_H_
#define CIRCMATCH_ENGINE_SCORING_DENSE_LIST_KERNEL_H_

#include <cstdint>

namespace circmatch {
namespace internal {

// How far ahead of its reads a list asks for its next bytes (dense values here, entries in partial_scores.h): the
// query's lists are more streams at once than the hardware prefetcher follows (bench/README.md, "Dense lists
// prefetched": 1 KiB gained more than 512 bytes, 2 or 4 KiB).
inline constexpr int64_t kListPrefetchBytes = 1024;

// One list's values by row and what a value step of it adds.
struct DenseList {
  const uint8_t* values = nullptr;  // values[r] for rows r < size (0 where the list does not hold r)
  int64_t size = 0;                 // rows at or past it are not held
  float step = 0;                   // what one value step adds
};

// Sets partial[r], for r in [0, rows), to the sum over lists[0, count) of step * values[r] (0 for none).
using AddDenseListsFunction = void (*)(const DenseList* lists, int count, int64_t rows, float* partial);

struct DenseListKernel {
  AddDenseListsFunction add_up = nullptr;
  const char* name = "";  // "avx2" or "baseline"
};

// The kernel the search uses on this CPU.
const DenseListKernel& BestDenseListKernel();

// The kernel compiled with the build's own flags; runs on every CPU the build runs on.
DenseListKernel BaselineDenseListKernel();

// The AVX2 kernel, or a null function when this build has none (not x86-64) or the CPU lacks AVX2 (or FMA,
// checked with it).
DenseListKernel Avx2DenseListKernel();

// Defined in dense_list_kernel_avx2.cc, compiled with AVX2 code generation: a null function when that unit was
// built without it. Call only on a CPU with AVX2 (Avx2DenseListKernel checks).
DenseListKernel Avx2DenseListKernelUnchecked();

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_SCORING_DENSE_LIST_KERNEL_H_
