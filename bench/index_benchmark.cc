// Micro-benchmarks of the engine's Index. Workloads, each over N synthetic suppliers (N = 1k, 10k, 100k):
//   BM_FindMatches/N            one tender against all suppliers, k = 10, default weights, no filters
//   BM_FindMatchesLongQueryText/N  a tender with a text of kMaxQueryTextWords distinct words, over N suppliers
//                               whose texts are 10 of them each
//   BM_FindMatchesFiltered/N    the same with a viewer, a required certification and a 100 km distance limit
//   BM_ReferenceScan/N          the exact reference (one pair at a time, full sort) for the same query,
//                               the baseline the fast path is checked against; only up to 10k (it is slow)
//   BM_Upsert/N                 upserting one supplier into an index of N (append + tombstone, amortized
//                               compaction and IDF refresh)
//   BM_AddUpListByList/N        the search's adding up of 20 posting lists (1-40% of N rows each) into a partial
//                               score per row, over N = 1k and 1M rows, entries/s as items_per_second; it
//                               rotates over 16 sets of lists (about 250 MB of entries at 1M and as much of
//                               dense values), so they come from memory as in a search. The lists of an eighth
//                               of the rows or more keep dense values (from 65,536 rows on), as in the index
//   BM_AddUpListByListEntriesOnly/N  the same lists without dense values: every list entry by entry
// Synthetic suppliers: 1-3 CPV codes from a few related divisions, strategies, materials, certifications, a point
// in the Netherlands, a 10-word text. Seeded, so runs are comparable.
//
// Smoke run: circmatch_bench_index --benchmark_filter=.*/1000 --benchmark_min_time=0.01
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "benchmark/benchmark.h"
#include "circmatch/index.h"
#include "circmatch/vocabulary.h"
#include "index/posting_lists.h"
#include "profile_generator.h"
#include "scoring/partial_scores.h"
#include "testing/reference.h"

namespace circmatch {
namespace {

const Vocabulary& SharedVocabulary() {
  static const Vocabulary* const vocabulary = [] {
    auto loaded = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *vocabulary;
}

std::vector<Profile> SyntheticSuppliers(int n, uint32_t seed) {
  static const char* const kWords[] = {"hergebruik", "meubilair",  "kantoor",   "stoelen", "circulair",   "beton",
                                       "recycling",  "reuse",      "furniture", "laptops", "refurbished", "werkkleding",
                                       "duurzaam",   "inzameling", "afval",     "sloop",   "bouw",        "advies",
                                       "gemeente",   "repair",     "textiel",   "hout",    "modulair",    "lease"};
  const Vocabulary& v = SharedVocabulary();
  // CPV codes of a few divisions circular tenders often use.
  std::vector<std::string> codes;
  for (const CpvCode& c : v.cpv_codes()) {
    const std::string division = c.code8.substr(0, 2);
    if (division == "39" || division == "45" || division == "30" || division == "18" || division == "90") {
      codes.push_back(c.code8);
    }
  }
  std::mt19937 rng(seed);
  const auto pick = [&](int m) { return std::uniform_int_distribution<int>(0, m - 1)(rng); };
  std::vector<Profile> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Profile p;
    p.kind = ProfileKind::kSupplier;
    p.key = ProfileKey{"owner" + std::to_string(pick(20)), "s" + std::to_string(i)};
    p.visibility = pick(4) == 0 ? Visibility::kPrivate : Visibility::kShared;
    for (int c = 1 + pick(3); c > 0; --c)
      p.capabilities.cpv_codes.push_back(codes[pick(static_cast<int>(codes.size()))]);
    for (int c = pick(3); c > 0; --c) p.capabilities.strategies.push_back(pick(10));
    p.capabilities.materials.push_back(v.materials()[pick(static_cast<int>(v.materials().size()))].id);
    if (pick(2)) {
      p.capabilities.certifications.push_back(v.certifications()[pick(static_cast<int>(v.certifications().size()))].id);
    }
    p.location.point = GeoPoint{50.8 + 2.6 * pick(1000) / 1000.0, 3.5 + 3.6 * pick(1000) / 1000.0};
    p.service_radius_km = pick(60);
    for (int w = 0; w < 10; ++w) p.capabilities.text += std::string(kWords[pick(24)]) + " ";
    out.push_back(std::move(p));
  }
  return out;
}

Profile QueryTender() {
  Profile t;
  t.kind = ProfileKind::kTender;
  t.key = ProfileKey{"owner0", "tender"};
  t.needs.cpv_codes = {"39130000", "39150000"};
  t.needs.strategies = {3, 5};
  t.needs.materials = {"furniture", "wood"};
  t.needs.text = "hergebruik van kantoormeubilair en stoelen, circulair en modulair";
  t.location.municipality = "Zwolle";
  if (!NormalizeProfile(SharedVocabulary(), 0, &t).ok()) std::abort();
  return t;
}

struct Fixture {
  std::vector<Profile> suppliers;
  std::unique_ptr<Index> index;
};

// One index per N, built once and shared by the benchmarks of that size.
Fixture& FixtureOf(int n) {
  static std::map<int, Fixture>* const fixtures = new std::map<int, Fixture>();
  auto it = fixtures->find(n);
  if (it != fixtures->end()) return it->second;
  Fixture f;
  f.suppliers = SyntheticSuppliers(n, 12345);
  f.index = std::move(*Index::Create(IndexOptions{}, &SharedVocabulary()));
  if (!f.index->Upsert(f.suppliers).ok()) std::abort();
  return fixtures->emplace(n, std::move(f)).first->second;
}

void BM_FindMatches(benchmark::State& state) {
  Fixture& f = FixtureOf(static_cast<int>(state.range(0)));
  const Profile query = QueryTender();
  MatchParams params;
  for (auto _ : state) {
    auto result = f.index->FindMatches(query, params);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FindMatches)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// A tender whose text holds as many distinct words as a query may (kMaxQueryTextWords), over N suppliers whose
// texts are 10 of those words each: what a query of many terms costs, as the search bounds what its terms can
// add while it visits their lists.
void BM_FindMatchesLongQueryText(benchmark::State& state) {
  std::vector<std::string> words;
  for (int i = 0; i < kMaxQueryTextWords; ++i) {
    std::string word = "x";
    for (int n = i; n > 0; n /= 26) word.push_back(static_cast<char>('a' + n % 26));
    words.push_back(word);
  }
  std::vector<Profile> suppliers = SyntheticSuppliers(static_cast<int>(state.range(0)), 54321);
  std::mt19937 rng(54321);
  for (Profile& p : suppliers) {
    p.capabilities.text.clear();
    for (int w = 0; w < 10; ++w) p.capabilities.text += words[rng() % words.size()] + " ";
  }
  std::unique_ptr<Index> index = std::move(*Index::Create(IndexOptions{}, &SharedVocabulary()));
  if (!index->Upsert(suppliers).ok()) std::abort();
  Profile query = QueryTender();
  query.needs.text = absl::StrJoin(words, " ");
  if (!NormalizeProfile(SharedVocabulary(), 0, &query).ok()) std::abort();
  MatchParams params;
  for (auto _ : state) {
    auto result = index->FindMatches(query, params);
    if (!result.ok()) std::abort();
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_FindMatchesLongQueryText)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_FindMatchesFiltered(benchmark::State& state) {
  Fixture& f = FixtureOf(static_cast<int>(state.range(0)));
  const Profile query = QueryTender();
  MatchParams params;
  params.viewer = "owner0";
  params.filter.required_certifications = {"co2-prestatieladder-1"};
  params.filter.max_distance_km = 100;
  for (auto _ : state) {
    auto result = f.index->FindMatches(query, params);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FindMatchesFiltered)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_ReferenceScan(benchmark::State& state) {
  Fixture& f = FixtureOf(static_cast<int>(state.range(0)));
  const Vectorizer vectorizer(&SharedVocabulary(), VectorizerOptions{});
  const TextIdf idf = internal::CorpusIdf(vectorizer, f.suppliers);
  const Profile query = QueryTender();
  MatchParams params;
  for (auto _ : state) {
    auto result = internal::ReferenceFindMatches(vectorizer, idf, f.suppliers, query, params, 50);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReferenceScan)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Upsert(benchmark::State& state) {
  Fixture& f = FixtureOf(static_cast<int>(state.range(0)));
  std::vector<Profile> updates = SyntheticSuppliers(256, 777);
  size_t i = 0;
  for (auto _ : state) {
    Profile p = updates[i % updates.size()];
    p.key = f.suppliers[i % f.suppliers.size()].key;  // replaces an existing supplier
    ++i;
    if (!f.index->Upsert({p}).ok()) state.SkipWithError("upsert failed");
  }
}
BENCHMARK(BM_Upsert)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// A write's batch of 1,000 generated suppliers, already normalized as the server's conversion leaves them,
// prepared for the index: normalized again (Prepare, what the server's write path did) or not
// (PrepareNormalized, what it does): the difference is the normalization a write no longer repeats.
void BM_PrepareBatch(benchmark::State& state) {
  static const std::vector<Profile>* const batch = [] {
    bench::ProfileGenerator generator(&SharedVocabulary(), bench::ProfileGeneratorOptions{});
    return new std::vector<Profile>(generator.Suppliers(0, 1000));
  }();
  const std::unique_ptr<Index> index = std::move(*Index::Create(IndexOptions{}, &SharedVocabulary()));
  const bool normalize_again = state.range(0) != 0;
  for (auto _ : state) {
    if (normalize_again) {
      absl::StatusOr<PreparedProfiles> prepared = index->Prepare(*batch);
      if (!prepared.ok()) state.SkipWithError("prepare failed");
      benchmark::DoNotOptimize(prepared);
    } else {
      PreparedProfiles prepared = index->PrepareNormalized(*batch);
      benchmark::DoNotOptimize(prepared);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch->size()));
}
BENCHMARK(BM_PrepareBatch)->ArgName("normalize_again")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// 16 sets of 20 lists over `rows` rows, each list holding a random 1-40% of them; with dense values as the index
// keeps them, or none.
struct ListSets {
  std::vector<internal::PostingLists> postings;
  std::vector<std::vector<internal::ScaledList>> sets;
  int64_t entries_per_set = 0;
};

const ListSets& ListSetsOf(int rows, bool dense) {
  static auto* const by_rows = new std::map<std::pair<int, bool>, ListSets>();
  auto it = by_rows->find({rows, dense});
  if (it != by_rows->end()) return it->second;
  constexpr int kSets = 16, kLists = 20;
  ListSets out;
  out.postings.assign(kSets, internal::PostingLists(dense ? internal::PostingLists::kMinRowsForDense
                                                          : std::numeric_limits<int>::max()));
  std::mt19937 rng(31);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> density(kLists);
  for (int s = 0; s < kSets; ++s) {
    for (double& d : density) d = 0.01 + 0.39 * unit(rng);
    std::vector<int> indices;
    std::vector<float> values;
    for (int r = 0; r < rows; ++r) {
      indices.clear();
      values.clear();
      for (int c = 0; c < kLists; ++c) {
        if (unit(rng) >= density[c]) continue;
        indices.push_back(c);
        values.push_back(static_cast<float>(unit(rng)));
      }
      out.postings[s].AppendRow(r, indices, values);
    }
    std::vector<internal::ScaledList> set;
    for (int c = 0; c < kLists; ++c) {
      set.push_back({out.postings[s].List(c), 0.05f});
      if (s == 0) out.entries_per_set += static_cast<int64_t>(set.back().list.size());
    }
    out.sets.push_back(std::move(set));
  }
  return by_rows->emplace(std::make_pair(rows, dense), std::move(out)).first->second;
}

void AddUp(benchmark::State& state, bool dense) {
  const int rows = static_cast<int>(state.range(0));
  const ListSets& lists = ListSetsOf(rows, dense);
  std::vector<float> partial, block_maxima;
  size_t i = 0;
  for (auto _ : state) {
    internal::AddUpListByList(rows, lists.sets[i++ % lists.sets.size()], &partial, &block_maxima);
    benchmark::DoNotOptimize(partial.data());
  }
  state.SetItemsProcessed(state.iterations() * lists.entries_per_set);
}

void BM_AddUpListByList(benchmark::State& state) { AddUp(state, /*dense=*/true); }
void BM_AddUpListByListEntriesOnly(benchmark::State& state) { AddUp(state, /*dense=*/false); }
BENCHMARK(BM_AddUpListByList)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddUpListByListEntriesOnly)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace circmatch

BENCHMARK_MAIN();
