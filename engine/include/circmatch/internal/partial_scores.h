// Partial scores added up list by list: the query's posting lists with their values, each scaled by what the
// query gives it, summed into one float per row, and the rows with the highest sums.
//
// Thread-safety: stateless functions.
#ifndef CIRCMATCH_INTERNAL_PARTIAL_SCORES_H_
#define CIRCMATCH_INTERNAL_PARTIAL_SCORES_H_

#include <algorithm>
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
#include "circmatch/internal/float_scan.h"
#include "circmatch/internal/posting_lists.h"
#include "circmatch/top_k.h"

namespace circmatch {
namespace internal {

// One posting list and what each of its values is multiplied by.
struct ScaledList {
  PostingList list;
  float scale = 0;
};

// out[e.row_low] += step * e.value for each entry. The loop is bound by the instructions per entry, not by
// memory: eight entries' products are computed in two vector instructions, and each entry then costs a load, an
// add and a store (about a third faster than one entry at a time, same floats).
inline void AddScaledEntries(float* out, absl::Span<const PostingList::Entry> entries, float step) {
  size_t i = 0;
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  static_assert(sizeof(PostingList::Entry) == 4 && offsetof(PostingList::Entry, value) == 2,
                "an entry read as a 32-bit word holds its value in the high half");
  const __m128 steps = _mm_set1_ps(step);
  alignas(16) float products[8];
  const PostingList::Entry* e = entries.data();
  for (; i + 8 <= entries.size(); i += 8) {
    const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e + i));
    const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e + i + 4));
    _mm_store_ps(products, _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(low, 16)), steps));
    _mm_store_ps(products + 4, _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(high, 16)), steps));
    for (size_t j = 0; j < 8; ++j) out[e[i + j].row_low] += products[j];
  }
#endif
  for (; i < entries.size(); ++i) out[entries[i].row_low] += step * static_cast<float>(entries[i].value);
}

// Sets (*partial)[r] to the sum of scale * value over the lists holding row r (zero for the others), for r in
// [0, rows). One sequential pass over each list.
inline void AddUpListByList(int rows, absl::Span<const ScaledList> lists, std::vector<float>* partial) {
  partial->resize(static_cast<size_t>(rows));
  std::memset(partial->data(), 0, partial->size() * sizeof(float));  // std::fill's loop took a fifth of the adding
  for (const ScaledList& scaled : lists) {
    const float step = scaled.scale * PostingList::kValueStep;
    scaled.list.ForEachBlock([&](int first_row, absl::Span<const PostingList::Entry> entries) {
      AddScaledEntries(partial->data() + first_row, entries, step);
    });
  }
}

// Up to `count` rows passing `passes(r)` with the highest positive partial scores, highest first.
// The largest partial score of each block of kMaximaBlock rows goes to `block_maxima`, for ForEachAboveInBlocks.
template <typename Passes>
std::vector<int> RowsWithHighestPartial(const std::vector<float>& partial, int count, const Passes& passes,
                                        std::vector<float>* block_maxima) {
  TopK<std::pair<float, int>, std::greater<>> top(std::max(count, 0), std::greater<>());
  // What a row must exceed to be kept.
  const auto floor = [&] {
    return count <= 0 ? std::numeric_limits<float>::infinity() : top.full() ? top.worst().first : 0.0f;
  };
  ForEachAboveNotingMaxima(partial.data(), partial.size(), floor, [&](size_t i) {
    if (passes(static_cast<int>(i))) top.Push({partial[i], static_cast<int>(i)});
  }, block_maxima);
  std::vector<int> rows;
  for (const auto& [score, r] : std::move(top).Take()) rows.push_back(r);
  return rows;
}

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_PARTIAL_SCORES_H_
