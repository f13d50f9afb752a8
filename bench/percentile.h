// The q-quantile of measured latencies, as every latency table in bench/ reports it: the value at rank
// floor(q * n) of the sorted values (the largest for q near 1), 0 for none.
#ifndef CIRCMATCH_BENCH_PERCENTILE_H_
#define CIRCMATCH_BENCH_PERCENTILE_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace circmatch::bench {

inline double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(q * static_cast<double>(values.size())));
  return values[at];
}

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_PERCENTILE_H_
