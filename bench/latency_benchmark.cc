// Single-query latency of SuggestSuppliers in-process: Index::FindMatches with MatchType::kSuppliersForTender,
// k = 10, default weights, one thread, over N generated suppliers (profile_generator.h; default N = 10k, 100k,
// 1M). For each N: the index build (Upsert in batches of 5,000, as the server's start-up rebuild does) with its
// time and memory (growth of this process's RSS while building), then p50/p90/p99 over Q generated tenders
// (default 500, after a warm-up of 20) in three variants, timed in turn query by query (each on another tender
// at the time, so none finds the one before's lists in cache), so a burst of load on a shared machine falls on
// all three alike:
//   categorical   the tender's categorical facets and location only (its text removed)
//   text          categorical + text (the full tender)
//   filtered      the full tender with a viewer (one partner: its own and shared suppliers), a required
//                 certification (iso-14001) and a 100 km distance limit
//   text only     the full tender with every weight but the text's at 0: the workload of a text search engine,
//                 timed beside the Xapian peer on the same corpus (bench/relevance/xapian_peer.cc --speed_suppliers)
// Target printed next to the table: categorical + text facet scoring at 1M suppliers: p50 <= 2 ms on one core.
//
//   circmatch_bench_latency [--sizes=10000,100000,1000000] [--queries=500] [--seed=N] [--embedding_dimension=0]
//                           [--out_of_order_fraction=F]
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "circmatch/index.h"
#include "circmatch/vocabulary.h"
#include "elapsed.h"
#include "percentile.h"
#include "profile_generator.h"

ABSL_FLAG(std::vector<std::string>, sizes, std::vector<std::string>({"10000", "100000", "1000000"}),
          "numbers of suppliers, comma-separated");
ABSL_FLAG(int, queries, 500, "generated tenders timed per variant");
ABSL_FLAG(uint64_t, seed, 20260101, "generator seed");
ABSL_FLAG(int, embedding_dimension, 0, "embedding length of every profile (0 = none; the issue's is 256)");
ABSL_FLAG(double, out_of_order_fraction, circmatch::IndexOptions{}.out_of_order_fraction,
          "IndexOptions::out_of_order_fraction of the index");

namespace circmatch::bench {
namespace {

constexpr double kTargetP50Ms = 2.0;
constexpr int64_t kTargetSize = 1000000;
constexpr int kWarmupQueries = 20;
constexpr int kUpsertBatch = 5000;

// This process's resident set in bytes (VmRSS).
int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return 0;
}

struct VariantResult {
  std::string name;
  double p50 = 0, p90 = 0, p99 = 0, mean = 0;
  int errors = 0;
};

struct SizeResult {
  int64_t suppliers = 0;
  double generate_s = 0;
  double build_s = 0;
  int64_t index_bytes = 0;
  IndexMemory memory;  // what the index counts it holds, by part
  std::vector<VariantResult> variants;
};

// One variant: its tenders and their parameters.
struct Variant {
  std::string name;
  const std::vector<Profile>* tenders;
  const std::vector<MatchParams>* params;
};

// Times the variants in turn, one query each per round; variant v queries tender (i + v * n / variants) % n in
// round i, so consecutive queries are of different tenders.
std::vector<VariantResult> TimeVariants(const Index& index, const std::vector<Variant>& variants) {
  const size_t n = variants.front().tenders->size();
  std::vector<VariantResult> results(variants.size());
  std::vector<std::vector<double>> ms(variants.size());
  for (size_t i = 0; i < n + kWarmupQueries; ++i) {
    for (size_t v = 0; v < variants.size(); ++v) {
      const size_t q = (i + v * n / variants.size()) % n;
      const Clock::time_point start = Clock::now();
      absl::StatusOr<MatchResult> matches = index.FindMatches((*variants[v].tenders)[q], (*variants[v].params)[q]);
      const double elapsed = MillisecondsSince(start);
      if (!matches.ok()) {
        if (results[v].errors++ == 0) {
          std::fprintf(stderr, "%s: %s\n", variants[v].name.c_str(), matches.status().ToString().c_str());
        }
        continue;
      }
      if (i >= kWarmupQueries) ms[v].push_back(elapsed);
    }
  }
  for (size_t v = 0; v < variants.size(); ++v) {
    VariantResult& result = results[v];
    result.name = variants[v].name;
    double total = 0;
    for (double m : ms[v]) total += m;
    result.mean = ms[v].empty() ? 0 : total / static_cast<double>(ms[v].size());
    result.p50 = Percentile(ms[v], 0.50);
    result.p90 = Percentile(ms[v], 0.90);
    result.p99 = Percentile(ms[v], 0.99);
  }
  return results;
}

SizeResult RunSize(const Vocabulary& vocabulary, int64_t n, int queries, uint64_t seed, int dimension) {
  SizeResult result;
  result.suppliers = n;
  ProfileGeneratorOptions generator_options;
  generator_options.seed = seed;
  generator_options.embedding_dimension = dimension;
  ProfileGenerator generator(&vocabulary, generator_options);

  Clock::time_point start = Clock::now();
  std::vector<Profile> suppliers = generator.Suppliers(0, n);
  std::vector<Profile> tenders = generator.Tenders(0, queries);
  result.generate_s = MillisecondsSince(start) / 1000;

  IndexOptions index_options;
  index_options.embedding_dimension = dimension;
  index_options.out_of_order_fraction = absl::GetFlag(FLAGS_out_of_order_fraction);
  std::unique_ptr<Index> index = *Index::Create(index_options, &vocabulary);
  const int64_t rss_before = ResidentBytes();
  start = Clock::now();
  for (int64_t begin = 0; begin < n; begin += kUpsertBatch) {
    const int64_t end = std::min<int64_t>(n, begin + kUpsertBatch);
    absl::Status status = index->Upsert(absl::MakeConstSpan(suppliers).subspan(begin, end - begin));
    if (!status.ok()) {
      std::fprintf(stderr, "upsert failed: %s\n", status.ToString().c_str());
      std::exit(1);
    }
  }
  result.build_s = MillisecondsSince(start) / 1000;
  result.index_bytes = ResidentBytes() - rss_before;
  result.memory = index->Memory();
  suppliers.clear();
  suppliers.shrink_to_fit();

  // Variant queries: the text removed; the full tender; the full tender with filters and a viewer.
  std::vector<Profile> categorical = tenders;
  for (Profile& t : categorical) t.needs.text.clear();
  std::vector<MatchParams> plain(tenders.size()), filtered(tenders.size()), text_only(tenders.size());
  for (size_t i = 0; i < tenders.size(); ++i) {
    plain[i].type = MatchType::kSuppliersForTender;
    plain[i].k = 10;
    filtered[i] = plain[i];
    filtered[i].viewer = generator.OwnerOf(static_cast<int64_t>(i));
    filtered[i].filter.required_certifications = {"iso-14001"};
    filtered[i].filter.max_distance_km = 100;
    text_only[i] = plain[i];
    for (int f = 0; f < kFacetCount; ++f) text_only[i].weights[f] = f == static_cast<int>(Facet::kText) ? 1.0 : 0.0;
  }
  result.variants = TimeVariants(*index, {{"categorical", &categorical, &plain},
                                          {"text", &tenders, &plain},
                                          {"filtered", &tenders, &filtered},
                                          {"text only", &tenders, &text_only}});
  index.reset();
  malloc_trim(0);  // so the next size's RSS growth is its own
  return result;
}

std::string Count(int64_t n) {
  if (n >= 1000000 && n % 1000000 == 0) return absl::StrCat(n / 1000000, "M");
  if (n >= 1000 && n % 1000 == 0) return absl::StrCat(n / 1000, "k");
  return absl::StrCat(n);
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  using namespace circmatch;
  using namespace circmatch::bench;
  absl::ParseCommandLine(argc, argv);
  std::vector<int64_t> sizes;
  for (const std::string& s : absl::GetFlag(FLAGS_sizes)) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(s, &n) || n < 1) {
      std::fprintf(stderr, "--sizes: not a positive number: \"%s\"\n", s.c_str());
      return 2;
    }
    sizes.push_back(n);
  }
  const int queries = absl::GetFlag(FLAGS_queries);
  const int dimension = absl::GetFlag(FLAGS_embedding_dimension);
  if (queries < 1 || dimension < 0) {
    std::fprintf(stderr, "--queries must be >= 1 and --embedding_dimension >= 0\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
  if (!vocabulary.ok()) {
    std::fprintf(stderr, "vocabulary: %s\n", vocabulary.status().ToString().c_str());
    return 1;
  }

  std::printf("# SuggestSuppliers in-process (Index::FindMatches, k=10, one thread)\n\n");
  std::printf("%d tenders per variant after %d warm-up queries; embedding dimension %d; seed %llu\n\n", queries,
              kWarmupQueries, dimension, static_cast<unsigned long long>(absl::GetFlag(FLAGS_seed)));
  std::vector<SizeResult> results;
  for (int64_t n : sizes) {
    results.push_back(RunSize(**vocabulary, n, queries, absl::GetFlag(FLAGS_seed), dimension));
    const SizeResult& r = results.back();
    std::fprintf(stderr, "N=%lld done: build %.1f s\n", static_cast<long long>(n), r.build_s);
  }

  std::printf("## Index build\n\n");
  std::printf("| suppliers | generate (s) | build (s) | suppliers/s | index memory (MiB) | bytes/supplier |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const SizeResult& r : results) {
    std::printf("| %s | %.1f | %.2f | %.0f | %.0f | %.0f |\n", Count(r.suppliers).c_str(), r.generate_s, r.build_s,
                static_cast<double>(r.suppliers) / std::max(r.build_s, 1e-9),
                static_cast<double>(r.index_bytes) / (1 << 20),
                static_cast<double>(r.index_bytes) / static_cast<double>(r.suppliers));
  }
  std::printf(
      "\nindex memory: growth of this process's RSS during the build (the generated profiles were "
      "allocated before).\n\n");

  std::printf(
      "## Index memory by part (bytes per supplier, as the index counts what it allocated; dense_values are "
      "part of posting_lists)\n\n");
  std::printf("| suppliers |");
  for (const auto& [part, bytes] : IndexMemory().Parts()) std::printf(" %s |", part);
  std::printf(" total |\n| ---: |");
  for (size_t i = 0; i <= IndexMemory().Parts().size(); ++i) std::printf(" ---: |");
  std::printf("\n");
  for (const SizeResult& r : results) {
    const auto per = [&r](int64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(r.suppliers); };
    std::printf("| %s |", Count(r.suppliers).c_str());
    for (const auto& [part, bytes] : r.memory.Parts()) std::printf(" %.0f |", per(bytes));
    std::printf(" %.0f |\n", per(r.memory.total()));
  }
  std::printf("\n");

  std::printf("## Latency (ms)\n\n");
  std::printf("| suppliers | variant | p50 | p90 | p99 | mean | errors |\n");
  std::printf("| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (const SizeResult& r : results) {
    for (const VariantResult& v : r.variants) {
      std::printf("| %s | %s | %.3f | %.3f | %.3f | %.3f | %d |\n", Count(r.suppliers).c_str(), v.name.c_str(), v.p50,
                  v.p90, v.p99, v.mean, v.errors);
    }
  }

  std::printf("\n## Target: categorical + text facet scoring at 1M suppliers: p50 <= %.0f ms on one core\n\n",
              kTargetP50Ms);
  bool measured = false;
  for (const SizeResult& r : results) {
    for (const VariantResult& v : r.variants) {
      if (v.name != "text") continue;
      const double ratio = v.p50 / kTargetP50Ms;
      std::printf("- %s suppliers: p50 %.3f ms = %.2fx the target%s\n", Count(r.suppliers).c_str(), v.p50, ratio,
                  r.suppliers == kTargetSize ? (ratio <= 1.0 ? "  -> MET" : "  -> NOT MET") : "");
      if (r.suppliers == kTargetSize) measured = true;
    }
  }
  if (!measured) std::printf("- (1M not in --sizes: target not evaluated)\n");
  int errors = 0;
  for (const SizeResult& r : results) {
    for (const VariantResult& v : r.variants) errors += v.errors;
  }
  return errors == 0 ? 0 : 1;
}
