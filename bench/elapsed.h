// Wall time since a point, as every benchmark here measures it (a monotonic clock).
#ifndef CIRCMATCH_BENCH_ELAPSED_H_
#define CIRCMATCH_BENCH_ELAPSED_H_

#include <chrono>

namespace circmatch::bench {

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_ELAPSED_H_
