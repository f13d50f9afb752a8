// Bounded top-k selection over a stream: keeps the best k items in a heap whose root is the worst kept item,
// so N items cost O(N log k) and the N items are never sorted.
//
// Thread-safety: a TopK is a plain value; use one per thread.
//
//   TopK<Candidate, ByScoreThenKey> top(10, ByScoreThenKey{...});
//   for (...) top.Push(candidate);
//   std::vector<Candidate> best = std::move(top).Take();  // best first
#ifndef CIRCMATCH_TOP_K_H_
#define CIRCMATCH_TOP_K_H_

#include <algorithm>
#include <utility>
#include <vector>

namespace circmatch {

// `Better(a, b)` is true when a ranks strictly before b; it must be a strict weak order. For deterministic
// results make it total (e.g. score descending, then key ascending).
template <typename T, typename Better>
class TopK {
 public:
  // `k` >= 0 items are kept.
  TopK(int k, Better better) : k_(k), better_(std::move(better)) { heap_.reserve(static_cast<size_t>(k)); }

  // Offers an item; kept when fewer than k are held or it beats the worst held one.
  void Push(T item) {
    if (k_ <= 0) return;
    if (static_cast<int>(heap_.size()) < k_) {
      heap_.push_back(std::move(item));
      std::push_heap(heap_.begin(), heap_.end(), better_);
    } else if (better_(item, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better_);
      heap_.back() = std::move(item);
      std::push_heap(heap_.begin(), heap_.end(), better_);
    }
  }

  int size() const { return static_cast<int>(heap_.size()); }
  bool full() const { return static_cast<int>(heap_.size()) >= k_; }

  // The worst kept item; only when size() > 0.
  const T& worst() const { return heap_.front(); }

  // The kept items, best first (sorts only the k kept items).
  std::vector<T> Take() && {
    std::sort_heap(heap_.begin(), heap_.end(), better_);
    return std::move(heap_);
  }

 private:
  int k_;
  Better better_;
  std::vector<T> heap_;  // a heap under `better_`: front() is the worst kept item
};

}  // namespace circmatch

#endif  // CIRCMATCH_TOP_K_H_
