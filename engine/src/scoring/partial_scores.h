// Partial scores added up list by list: the query's posting lists with their values, each scaled by what the
// query gives it, summed into one float per row, and the rows with the highest sums.
//
// Thread-safety: stateless functions.
#ifndef CIRCMATCH_ENGINE_SCORING_PARTIAL_SCORES_H_
#define CIRCMATCH_ENGINE_SCORING_PARTIAL_SCORES_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/types/span.h"
#include "circmatch/top_k.h"
#include "index/posting_lists.h"
#include "scoring/dense_list_kernel.h"
#include "scoring/float_scan.h"

namespace circmatch {
namespace internal {

// One posting list and what each of its values is multiplied by.
struct ScaledList {
  PostingList list;
  float scale = 0;
};

// Adds step * value to out[row_low] for each of `entries`, in their order. A line of 16 entries at a time: their
// products first, four to a register, then the scattered adds, so an entry costs its add and little else; one
// at a time, the conversion, the multiply and the prefetch test took most of the 15 instructions an entry ran
// (bench/README.md, "Entry lists a line at a time").
inline void AddEntries(absl::Span<const PostingList::Entry> entries, float step, float* out) {
  static_assert(sizeof(PostingList::Entry) == 4 && offsetof(PostingList::Entry, value) == 2);
  constexpr size_t kLine = 64 / sizeof(PostingList::Entry), kAhead = kListPrefetchBytes / sizeof(PostingList::Entry);
  const PostingList::Entry* e = entries.data();
  const size_t n = entries.size();
  size_t i = 0;
  for (; i + kLine <= n; i += kLine) {
    // Entries asked for ahead, once per 64-byte line, as the dense kernel does ("Entry lists prefetched").
    if (i + kAhead < n) __builtin_prefetch(e + i + kAhead);
    alignas(16) float products[kLine];
#if defined(__SSE2__)
    // Four entries a register: the value is an entry's high half (PostingList::Entry).
    for (size_t j = 0; j < kLine; j += 4) {
      const __m128i four = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e + i + j));
      _mm_store_ps(products + j, _mm_mul_ps(_mm_set1_ps(step), _mm_cvtepi32_ps(_mm_srli_epi32(four, 16))));
    }
#else
    for (size_t j = 0; j < kLine; ++j) products[j] = step * static_cast<float>(e[i + j].value);
#endif
    for (size_t j = 0; j < kLine; ++j) out[e[i + j].row_low] += products[j];
  }
  for (; i < n; ++i) out[e[i].row_low] += step * static_cast<float>(e[i].value);
}

// Sets (*partial)[r] to the sum of scale * value over the lists holding row r (zero for the others), for r in
// [0, rows), and `block_maxima` to their BlockMaxima. The lists keeping dense values (those held by an eighth of
// the rows or more) are added from them first, many rows at a time (dense_list_kernel.h); the others after, entry
// by entry. Both go a block of the posting lists' 65,536 rows at a time, so the block's partial scores (256 KiB)
// stay in the cache while every list adds to them and its maxima are taken, instead of the whole array (4 MiB at
// 1M rows) going through it once per list.
inline void AddUpListByList(int rows, absl::Span<const ScaledList> lists, std::vector<float>* partial,
                            std::vector<float>* block_maxima) {
  partial->resize(static_cast<size_t>(rows));
  block_maxima->resize(MaximaCount(static_cast<size_t>(rows)));
  std::vector<DenseList> dense_lists;
  std::vector<const ScaledList*> entry_lists;
  for (const ScaledList& scaled : lists) {
    const absl::Span<const uint8_t> values = scaled.list.dense_values();
    if (values.empty()) {
      entry_lists.push_back(&scaled);
    } else {
      dense_lists.push_back(
          {values.data(), static_cast<int64_t>(values.size()), scaled.scale * PostingList::kDenseValueStep});
    }
  }
  constexpr int kBlockRows = 1 << 16;
  std::vector<size_t> cursors(entry_lists.size(), 0);
  std::vector<DenseList> dense_block(dense_lists.size());
  for (int first_row = 0; first_row < rows; first_row += kBlockRows) {
    const int block_rows = std::min(kBlockRows, rows - first_row);
    float* out = partial->data() + first_row;
    if (dense_lists.empty()) {
      // memset, not assign(rows, 0.0f): GCC at -O2 fills a float vector one float at a time, several times slower.
      std::memset(out, 0, static_cast<size_t>(block_rows) * sizeof(float));
    } else {
      for (size_t l = 0; l < dense_lists.size(); ++l) {
        const int64_t held = std::clamp<int64_t>(dense_lists[l].size - first_row, 0, block_rows);
        dense_block[l] = {dense_lists[l].values + (held > 0 ? first_row : 0), held, dense_lists[l].step};
      }
      BestDenseListKernel().add_up(dense_block.data(), static_cast<int>(dense_block.size()), block_rows, out);
    }
    for (size_t l = 0; l < entry_lists.size(); ++l) {
      AddEntries(entry_lists[l]->list.EntriesOfBlock(first_row >> 16, &cursors[l]),
                 entry_lists[l]->scale * PostingList::kValueStep, out);
    }
    static_assert(kBlockRows % kMaximaBlock == 0);
    BlockMaxima(out, static_cast<size_t>(block_rows), block_maxima->data() + first_row / kMaximaBlock);
  }
}

// Rows taken eight at a time: `prefetch(r)` for every row of a batch first, then `visit(r)` for each, so the
// first reads of rows far apart in memory overlap instead of following one another. Flush() visits what is left.
template <typename Prefetch, typename Visit>
class PrefetchedBatches {
 public:
  PrefetchedBatches(const Prefetch& prefetch, const Visit& visit) : prefetch_(prefetch), visit_(visit) {}
  void Add(int r) {
    rows_[size_++] = r;
    if (size_ == kSize) Flush();
  }
  void Flush() {
    for (int i = 0; i < size_; ++i) prefetch_(rows_[i]);
    for (int i = 0; i < size_; ++i) visit_(rows_[i]);
    size_ = 0;
  }

 private:
  static constexpr int kSize = 8;
  const Prefetch& prefetch_;
  const Visit& visit_;
  std::array<int, kSize> rows_;
  int size_ = 0;
};

// RowsWithHighestPartial tests rows in bands of partial score, each this share of the one above.
inline constexpr float kPartialBandRatio = 0.8f;

// Up to `count` rows passing `passes(r)` with the highest positive partial scores, highest first; `block_maxima`
// are the partial scores' BlockMaxima. `prefetch(r)` asks for what `passes(r)` will read.
//
// The calls of `passes` are the costly part (each a few cache misses), so the rows are tested in bands of partial
// score from the highest down, each band in row order above a floor that rises as rows pass, until `count` have
// passed: a row is tested only if it lies above the count-th passing row's band. In one pass in row order, with
// the floor rising from 0, the best rows of the early part were tested one after the other when most rows fail
// the filter (reach, a distance limit, a certificate): 1,457 rows a query in the latency benchmark at 1M, 352
// in bands (bench/README.md, "Rows tested in bands"). The rows of a band are tested eight at a time, their reads
// asked for together first, so their cache misses overlap instead of following one another ("Filter reads
// asked for together"); each is still tested only if it is above the floor when its turn comes.
template <typename Passes, typename Prefetch>
std::vector<int> RowsWithHighestPartial(const std::vector<float>& partial, const std::vector<float>& block_maxima,
                                        int count, const Passes& passes, const Prefetch& prefetch) {
  if (count <= 0) return {};
  // Below this share of the highest score, the last band goes down to 0.
  constexpr float kLowestBand = 1.0f / 64;
  TopK<std::pair<float, int>, std::greater<>> top(count, std::greater<>());
  const float highest = block_maxima.empty() ? 0.0f : *std::max_element(block_maxima.begin(), block_maxima.end());
  float upper = std::numeric_limits<float>::infinity();
  for (float lower = highest * kPartialBandRatio;; lower *= kPartialBandRatio) {
    if (lower < highest * kLowestBand) lower = 0;
    // What a row must exceed to be tested in this band.
    const auto floor = [&] { return top.full() ? std::max(lower, top.worst().first) : lower; };
    const auto test = [&](int r) {
      const float p = partial[static_cast<size_t>(r)];
      if (p > floor() && passes(r)) top.Push({p, r});
    };
    PrefetchedBatches batches(prefetch, test);
    ForEachAboveInBlocks(partial.data(), partial.size(), block_maxima, floor, [&](size_t i) {
      if (partial[i] <= upper) batches.Add(static_cast<int>(i));
    });
    batches.Flush();
    if (top.full() || lower == 0) break;
    upper = lower;
  }
  std::vector<int> rows;
  for (const auto& [score, r] : std::move(top).Take()) rows.push_back(r);
  return rows;
}

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_SCORING_PARTIAL_SCORES_H_
