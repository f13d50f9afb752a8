// Batch scoring against the machine's GEMM peak: all tenders x all suppliers through BatchTopK (batch_top_k.h),
// keeping each tender's top k suppliers by embedding inner product, as the nightly run does. Measured in the same
// run, with the same GEMM kernel (internal/gemm_kernel.h; its name is printed):
//   GEMM peak        one --peak_size^3 single-precision product per thread, all threads at once, GFLOP/s =
//                    2 n^3 / time summed over the threads, the best of --peak_repeats x --repeats runs: what this
//                    machine's cores sustain through this kernel (on every thread, and on one)
//   batch top-k      BatchTopK on --tenders x --suppliers x --dim, GFLOP/s = 2 Q N d / time of the whole call
//                    (input checks, GEMM tiles, top-k selection, merge), the best of --repeats runs, and its share
//                    of the peak on the same number of threads
// Each of the --repeats rounds measures the peak and the batch in turn, on every thread and then on one.
// The 1-thread rows give the speedup of using every thread; the two batch results are also compared (they must be
// bit-identical), and a few tenders are checked against a brute-force scan.
// Vectors: bench/synthetic_embeddings.h (unit rows around shared clusters), tenders and suppliers seeded apart.
// Target: batch top-k on every thread >= 70% of the GEMM peak on every thread. The machine may be shared with
// other work: compare rows of one run, not runs.
//
//   circmatch_bench_batch --tenders=10000 --suppliers=100000 --dim=256 --k=10 [--threads=0] [--repeats=3]
//                         [--peak_size=2048] [--peak_repeats=2] [--query_block=N] [--candidate_block=N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "circmatch/batch_top_k.h"
#include "circmatch/internal/gemm_kernel.h"
#include "elapsed.h"
#include "synthetic_embeddings.h"

ABSL_FLAG(int64_t, tenders, 10000, "query rows (tenders)");
ABSL_FLAG(int64_t, suppliers, 100000, "candidate rows (suppliers)");
ABSL_FLAG(int, dim, 256, "embedding dimension");
ABSL_FLAG(int, k, 10, "suppliers kept per tender");
ABSL_FLAG(int, threads, 0, "threads of the batch and of the peak (0: one per hardware thread)");
ABSL_FLAG(int, repeats, 3, "rounds (peak, then batch, per thread count); the best of each is reported");
ABSL_FLAG(int, peak_size, 2048, "n of the n x n x n GEMM measuring the peak");
ABSL_FLAG(int, peak_repeats, 2, "peak runs per round and thread count");
ABSL_FLAG(int, query_block, circmatch::BatchTopKOptions{}.query_block, "BatchTopKOptions::query_block");
ABSL_FLAG(int, candidate_block, circmatch::BatchTopKOptions{}.candidate_block, "BatchTopKOptions::candidate_block");

namespace circmatch::bench {
namespace {

// GFLOP/s of `threads` simultaneous n^3 products (each thread its own operands), summed; the best of `repeats`.
double GemmPeak(const internal::GemmKernel& kernel, int n, int threads, int repeats) {
  const size_t size = static_cast<size_t>(n) * static_cast<size_t>(n);
  std::vector<std::vector<float>> a(static_cast<size_t>(threads)), b(a.size()), c(a.size());
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int t = 0; t < threads; ++t) {
    a[t].resize(size);
    b[t].resize(size);
    c[t].resize(size);
    for (float& x : a[t]) x = uniform(rng);
    for (float& x : b[t]) x = uniform(rng);
  }
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    std::vector<double> seconds(static_cast<size_t>(threads));
    std::atomic<int> ready{0};
    const auto run = [&](int t) {
      // Start together, so the products overlap as the batch's tiles do.
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      const Clock::time_point start = Clock::now();
      kernel.multiply_by_transpose(a[t].data(), n, b[t].data(), n, c[t].data(), n, n, n, n);
      seconds[t] = SecondsSince(start);
    };
    std::vector<std::thread> helpers;
    for (int t = 1; t < threads; ++t) helpers.emplace_back(run, t);
    run(0);
    for (std::thread& h : helpers) h.join();
    double gflops = 0;
    for (double s : seconds) gflops += 2.0 * n * n * n / s / 1e9;
    best = std::max(best, gflops);
  }
  return best;
}

struct BatchRun {
  double seconds = 0;
  BatchTopKResult result;
};

BatchRun TimeBatch(const Eigen::Map<const RowMajorMatrixXf>& tenders,
                   const Eigen::Map<const RowMajorMatrixXf>& suppliers, const BatchTopKOptions& options) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<BatchTopKResult> result = BatchTopK(tenders, suppliers, options);
  const double seconds = SecondsSince(start);
  if (!result.ok()) {
    std::fprintf(stderr, "BatchTopK: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  return BatchRun{seconds, *std::move(result)};
}

// Keeps the faster run in `best`.
void Keep(BatchRun run, BatchRun* best) {
  if (best->seconds == 0 || run.seconds < best->seconds) *best = std::move(run);
}

// Largest difference between the batch's scores of `tender` and a brute-force scan's top k; -1 when an id the
// batch returned does not score what the batch says or the lists differ in length.
double SpotCheck(const Eigen::Map<const RowMajorMatrixXf>& tenders, const Eigen::Map<const RowMajorMatrixXf>& suppliers,
                 const BatchTopKResult& result, int64_t tender) {
  std::vector<float> all(static_cast<size_t>(suppliers.rows()));
  for (int64_t j = 0; j < suppliers.rows(); ++j) all[j] = tenders.row(tender).dot(suppliers.row(j));
  std::vector<float> sorted = all;
  const int64_t kept = result.scores.cols();
  std::partial_sort(sorted.begin(), sorted.begin() + kept, sorted.end(), std::greater<float>());
  double worst = 0;
  for (int64_t j = 0; j < kept; ++j) {
    const double got = result.scores(tender, j);
    if (std::abs(got - all[result.ids(tender, j)]) > 1e-4) return -1;
    worst = std::max(worst, std::abs(got - sorted[j]));
  }
  return worst;
}

int Main() {
  const int64_t q = absl::GetFlag(FLAGS_tenders), n = absl::GetFlag(FLAGS_suppliers);
  const int d = absl::GetFlag(FLAGS_dim);
  const int repeats = absl::GetFlag(FLAGS_repeats), peak_repeats = absl::GetFlag(FLAGS_peak_repeats);
  const int peak_size = absl::GetFlag(FLAGS_peak_size);
  int threads = absl::GetFlag(FLAGS_threads);
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (q < 1 || n < 1 || d < 1 || threads < 1 || repeats < 1 || peak_repeats < 1 || peak_size < 1) {
    std::fprintf(stderr,
                 "--tenders, --suppliers, --dim, --threads, --repeats, --peak_size and --peak_repeats "
                 "must be >= 1\n");
    return 2;
  }
  BatchTopKOptions options;
  options.k = absl::GetFlag(FLAGS_k);
  options.query_block = absl::GetFlag(FLAGS_query_block);
  options.candidate_block = absl::GetFlag(FLAGS_candidate_block);
  const internal::GemmKernel& kernel = internal::BestGemmKernel();

  std::fprintf(stderr, "generating %lld tenders and %lld suppliers of dimension %d\n", static_cast<long long>(q),
               static_cast<long long>(n), d);
  const std::vector<float> tender_data = SyntheticEmbeddings(static_cast<size_t>(q), d, 1);
  const std::vector<float> supplier_data = SyntheticEmbeddings(static_cast<size_t>(n), d, 2);
  const Eigen::Map<const RowMajorMatrixXf> tenders(tender_data.data(), q, d);
  const Eigen::Map<const RowMajorMatrixXf> suppliers(supplier_data.data(), n, d);

  // Rounds alternate peak and batch, so that both see the same share of a machine other work may be using.
  double peak_all = 0, peak_one = 0;
  BatchRun all, one;
  for (int r = 0; r < repeats; ++r) {
    std::fprintf(stderr, "round %d: GEMM peak (%d^3), %d threads\n", r + 1, peak_size, threads);
    peak_all = std::max(peak_all, GemmPeak(kernel, peak_size, threads, peak_repeats));
    std::fprintf(stderr, "round %d: batch, %d threads\n", r + 1, threads);
    options.threads = threads;
    Keep(TimeBatch(tenders, suppliers, options), &all);
    if (threads > 1) {
      std::fprintf(stderr, "round %d: GEMM peak (%d^3), 1 thread\n", r + 1, peak_size);
      peak_one = std::max(peak_one, GemmPeak(kernel, peak_size, 1, peak_repeats));
      std::fprintf(stderr, "round %d: batch, 1 thread\n", r + 1);
      options.threads = 1;
      Keep(TimeBatch(tenders, suppliers, options), &one);
    }
  }
  if (threads == 1) {
    peak_one = peak_all;
    one = all;
  }

  const double flops = 2.0 * static_cast<double>(q) * static_cast<double>(n) * d;
  const double batch_all = flops / all.seconds / 1e9, batch_one = flops / one.seconds / 1e9;
  std::printf("# Batch top-k: %lld tenders x %lld suppliers x d=%d, k=%d\n\n", static_cast<long long>(q),
              static_cast<long long>(n), d, absl::GetFlag(FLAGS_k));
  std::printf("GEMM kernel: %s; tiles of %d tenders x %d suppliers; %d hardware threads\n\n", kernel.name,
              options.query_block, options.candidate_block, std::thread::hardware_concurrency());
  std::printf("| row | threads | time (s) | GFLOP/s | share of GEMM peak (same threads) |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: |\n");
  const double peak_flops = 2.0 * peak_size * static_cast<double>(peak_size) * peak_size;
  std::printf("| GEMM peak (%d^3, one product per thread) | %d | %.3f | %.1f | 100%% |\n", peak_size, threads,
              peak_flops * threads / peak_all / 1e9, peak_all);
  if (threads > 1) {
    std::printf("| GEMM peak (%d^3, one product per thread) | 1 | %.3f | %.1f | 100%% |\n", peak_size,
                peak_flops / peak_one / 1e9, peak_one);
  }
  std::printf("| batch top-k | %d | %.3f | %.1f | %.1f%% |\n", threads, all.seconds, batch_all,
              100.0 * batch_all / peak_all);
  if (threads > 1) {
    std::printf("| batch top-k | 1 | %.3f | %.1f | %.1f%% |\n", one.seconds, batch_one, 100.0 * batch_one / peak_one);
  }
  std::printf("\n");
  if (threads > 1) {
    std::printf("- speedup of %d threads over 1: batch %.2fx, GEMM peak %.2fx\n", threads, one.seconds / all.seconds,
                peak_all / peak_one);
    const bool identical = all.result.ids == one.result.ids && all.result.scores == one.result.scores;
    std::printf("- %d-thread and 1-thread results bit-identical: %s\n", threads, identical ? "yes" : "NO");
    if (!identical) return 1;
  }
  const int64_t checks = std::min<int64_t>(q, 8);
  double worst = 0;
  for (int64_t c = 0; c < checks; ++c) {
    const double diff = SpotCheck(tenders, suppliers, all.result, c * (q / checks));
    if (diff < 0 || diff > 1e-4) {
      std::printf("- spot check FAILED on tender %lld\n", static_cast<long long>(c * (q / checks)));
      return 1;
    }
    worst = std::max(worst, diff);
  }
  std::printf("- spot check: %lld tenders' top-k scores equal a brute-force scan's (max difference %.2g)\n",
              static_cast<long long>(checks), worst);
  const double share = batch_all / peak_all;
  std::printf("- target: batch on %d threads >= 70%% of the GEMM peak on %d threads: %.1f%%, %s\n", threads, threads,
              100.0 * share, share >= 0.70 ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return circmatch::bench::Main();
}
