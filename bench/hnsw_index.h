// hnswlib's graph index (Debian libhnswlib-dev) by inner product, behind a plain interface: the approximate
// method a user would pick instead of a scan, built and searched in bench/dense_benchmark.cc.
//
// hnswlib.h defines functions outside any class, so it may be included by one translation unit only
// (hnsw_index.cc), which CMake compiles with -march=native: hnswlib picks its AVX distance only when compiled
// for it, as its users build it, and this comparison must not handicap it. Only the benchmark uses it.
#ifndef CIRCMATCH_BENCH_HNSW_INDEX_H_
#define CIRCMATCH_BENCH_HNSW_INDEX_H_

#include <cstdint>
#include <memory>
#include <vector>

namespace circmatch::bench {

class HnswIndex {
 public:
  // Inserts the n rows of `data` (n x d floats, row-major; row i gets label i) on `threads` threads.
  HnswIndex(const float* data, int64_t n, int d, int m, int ef_construction, int threads);
  ~HnswIndex();

  // The labels of the k best rows found for `query` (d floats), best first, searching with beam width `ef`.
  // One thread: hnswlib searches a query on the calling thread.
  std::vector<int32_t> Search(const float* query, int k, int ef) const;

 private:
  struct Graph;
  std::unique_ptr<Graph> graph_;
};

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_HNSW_INDEX_H_
