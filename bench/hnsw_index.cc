#include "hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace circmatch::bench {

struct HnswIndex::Graph {
  Graph(int d, int64_t n, int m, int ef_construction)
      : space(static_cast<size_t>(d)),
        index(&space, static_cast<size_t>(n), static_cast<size_t>(m), static_cast<size_t>(ef_construction)) {}
  hnswlib::InnerProductSpace space;
  hnswlib::HierarchicalNSW<float> index;
};

HnswIndex::HnswIndex(const float* data, int64_t n, int d, int m, int ef_construction, int threads)
    : graph_(std::make_unique<Graph>(d, n, m, ef_construction)) {
  // hnswlib's addPoint may be called from several threads at once.
  std::atomic<int64_t> next{0};
  const auto insert = [&] {
    for (int64_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      graph_->index.addPoint(data + i * d, static_cast<hnswlib::labeltype>(i));
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(insert);
  insert();
  for (std::thread& helper : helpers) helper.join();
}

HnswIndex::~HnswIndex() = default;

std::vector<int32_t> HnswIndex::Search(const float* query, int k, int ef) const {
  graph_->index.setEf(static_cast<size_t>(ef));
  auto found = graph_->index.searchKnn(query, static_cast<size_t>(k));  // worst on top
  std::vector<int32_t> best(found.size());
  for (size_t i = best.size(); i-- > 0; found.pop()) best[i] = static_cast<int32_t>(found.top().second);
  return best;
}

}  // namespace circmatch::bench
