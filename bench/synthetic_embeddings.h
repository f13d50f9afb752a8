// Deterministic synthetic embeddings for benchmarks: n unit vectors of dimension d, drawn around `clusters`
// random centres (as text embeddings of profiles cluster by topic), so nearest-neighbour search has real structure
// (a uniform random cloud would make every neighbour equally far and recall meaningless).
#ifndef CIRCMATCH_BENCH_SYNTHETIC_EMBEDDINGS_H_
#define CIRCMATCH_BENCH_SYNTHETIC_EMBEDDINGS_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace circmatch::bench {

// Row-major n x d floats, each row L2-normalized. Row i depends only on (seed, i, d, clusters), so a prefix of a
// larger set equals the smaller set, and queries drawn with another seed come from the same clusters.
inline std::vector<float> SyntheticEmbeddings(size_t n, int d, uint64_t seed, int clusters = 1024,
                                              float spread = 0.6f) {
  std::vector<float> centres(static_cast<size_t>(clusters) * d);
  std::mt19937_64 centre_rng(0x5eedc0de);  // the same centres for every seed
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& x : centres) x = normal(centre_rng);
  std::vector<float> out(n * static_cast<size_t>(d));
  for (size_t i = 0; i < n; ++i) {
    std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ULL + i);
    // Skewed cluster sizes: popular topics hold more profiles.
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const int c = static_cast<int>(std::pow(u, 2.0) * clusters) % clusters;
    float* row = out.data() + i * static_cast<size_t>(d);
    double norm = 0;
    for (int j = 0; j < d; ++j) {
      row[j] = centres[static_cast<size_t>(c) * d + j] + spread * normal(rng);
      norm += static_cast<double>(row[j]) * row[j];
    }
    const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    for (int j = 0; j < d; ++j) row[j] *= scale;
  }
  return out;
}

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_SYNTHETIC_EMBEDDINGS_H_
