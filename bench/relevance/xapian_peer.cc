// The search-engine peer of circmatch's supplier suggestions: a plain BM25 search (Xapian, Dutch Kraaij-Pohlmann
// stemmer) over each supplier's own text and the Dutch and English labels of its CPV codes, with the tender's
// text and CPV labels as the query, and the same hard filters circmatch applies (the engine's FindExclusions:
// kind, required certificates with their ladders, distance limit, the supplier's service radius). It is what a
// portal would build with a search engine and filters, so circmatch's ranking has to beat it to be worth having.
//
// Two workloads:
//   relevance   (default) the judged set's queries of --split, ranked and scored with the same metrics as
//               `circmatch eval` (eval/rank_eval.h); prints the table, or JSON with --format=json
//   speed       with --speed_suppliers=N: N generated suppliers (bench/profile_generator.h, the latency
//               benchmark's corpus) indexed in a Xapian database under a temporary folder, then --queries
//               text-only top-10 queries (the generated tenders' texts, no filters), timed one by one: p50/p90/p99
//
//   circmatch_bench_xapian_peer [--profiles=eval/relevance/profiles.jsonl]
//       [--judgments=eval/relevance/judgments.jsonl] [--split=test] [--format=table|json]
//   circmatch_bench_xapian_peer --speed_suppliers=1000000 [--queries=500] [--seed=N]
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "circmatch/profile.h"
#include "circmatch/scorer.h"
#include "circmatch/vocabulary.h"
#include "eval/rank_eval.h"
#include "percentile.h"
#include "profile_generator.h"
#include "relevance/judged_set.h"

ABSL_FLAG(std::string, profiles, "eval/relevance/profiles.jsonl", "tenders and suppliers, proto3 JSON lines");
ABSL_FLAG(std::string, judgments, "eval/relevance/judgments.jsonl", "judged queries (circmatch.v1.JudgedQuery)");
ABSL_FLAG(std::string, split, "test", "only the judged queries of this part (empty: all)");
ABSL_FLAG(std::string, format, "table", "table or json");
ABSL_FLAG(std::string, vocabulary_dir, CIRCMATCH_BENCH_DATA_DIR, "the engine's reference data");
ABSL_FLAG(int64_t, speed_suppliers, 0, "speed workload: this many generated suppliers (0: relevance workload)");
ABSL_FLAG(int, queries, 500, "speed workload: timed text-only queries");
ABSL_FLAG(uint64_t, seed, 20260101, "speed workload: generator seed (the latency benchmark's default)");

namespace circmatch::bench {
namespace {

constexpr int kTopK = 10;

// What the peer searches: the profile's text side and the Dutch and English labels of its CPV codes.
std::string SearchText(const Vocabulary& vocabulary, const FacetValues& facets) {
  std::string text = facets.text;
  for (const std::string& code : facets.cpv_codes) {
    if (const CpvCode* cpv = vocabulary.FindCpv(code)) absl::StrAppend(&text, "\n", cpv->label_nl, "\n", cpv->label_en);
  }
  return text;
}

class Peer {
 public:
  // An index under `directory`, or in memory when it is empty.
  explicit Peer(const std::string& directory)
      : db_(directory.empty() ? Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY)
                              : Xapian::WritableDatabase(directory, Xapian::DB_CREATE_OR_OVERWRITE)),
        stemmer_("kraaij_pohlmann") {
    indexer_.set_stemmer(stemmer_);
    parser_.set_stemmer(stemmer_);
    parser_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser_.set_default_op(Xapian::Query::OP_OR);
  }

  // Indexes `text` as document `number` (the caller's index into its profiles).
  void Add(const std::string& text, int number) {
    Xapian::Document document;
    indexer_.set_document(document);
    indexer_.index_text(text);
    document.add_value(0, Xapian::sortable_serialise(number));
    db_.add_document(document);
  }
  void Commit() { db_.commit(); }

  // Documents by BM25 of `text`, best first; `keep` says which may be returned; at most `k`.
  std::vector<int> Search(const std::string& text, int k, const std::function<bool(int)>& keep) const {
    Xapian::Enquire enquire(db_);
    enquire.set_query(parser_.parse_query(text, 0));
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    std::vector<int> out;
    for (Xapian::doccount first = 0; static_cast<int>(out.size()) < k; first += 100) {
      const Xapian::MSet matches = enquire.get_mset(first, 100);
      for (auto it = matches.begin(); it != matches.end() && static_cast<int>(out.size()) < k; ++it) {
        const int number = static_cast<int>(Xapian::sortable_unserialise(it.get_document().get_value(0)));
        if (keep(number)) out.push_back(number);
      }
      if (matches.size() < 100) break;
    }
    return out;
  }

 private:
  Xapian::WritableDatabase db_;
  Xapian::Stem stemmer_;
  Xapian::TermGenerator indexer_;
  mutable Xapian::QueryParser parser_;
};

int RunRelevance(const Vocabulary& vocabulary) {
  absl::StatusOr<JudgedSet> set = LoadJudgedSet(vocabulary, absl::GetFlag(FLAGS_profiles),
                                                absl::GetFlag(FLAGS_judgments), absl::GetFlag(FLAGS_split));
  if (!set.ok()) {
    std::cerr << set.status() << "\n";
    return 1;
  }
  const std::vector<Profile>& profiles = set->profiles;
  Peer peer("");
  for (int i = 0; i < static_cast<int>(profiles.size()); ++i) {
    if (profiles[i].kind == ProfileKind::kSupplier) peer.Add(SearchText(vocabulary, profiles[i].capabilities), i);
  }
  peer.Commit();

  std::vector<eval::QueryMetrics> metrics;
  for (const JudgedQuery& query : set->queries) {
    const Profile& tender = query.tender;
    absl::StatusOr<ResolvedParams> resolved = ResolveParams(vocabulary, tender, query.params, 0);
    if (!resolved.ok()) {
      std::cerr << query.judged.query() << ": " << resolved.status() << "\n";
      return 1;
    }
    const auto passes = [&](int i) {
      const Profile& supplier = profiles[i];
      std::optional<double> distance;
      if (tender.location.point && supplier.location.point) {
        distance = DistanceKm(*supplier.location.point, *tender.location.point);
      }
      return FindExclusions(vocabulary, tender, supplier, query.params, *resolved, distance).empty();
    };
    std::vector<eval::Ranked> ranked;
    for (int i : peer.Search(SearchText(vocabulary, tender.needs), kTopK, passes)) {
      ranked.push_back({profiles[i].key.owner, profiles[i].key.id, ""});
    }
    metrics.push_back(eval::ScoreRanking(query.judged, ranked, eval::MetricOptions{}));
  }
  if (absl::GetFlag(FLAGS_format) == "json") {
    eval::PrintJsonReport(metrics, eval::MetricOptions{}, std::cout);
  } else {
    eval::PrintReport(metrics, eval::MetricOptions{}, std::cout);
  }
  return 0;
}

int RunSpeed(const Vocabulary& vocabulary) {
  const int64_t n = absl::GetFlag(FLAGS_speed_suppliers);
  ProfileGeneratorOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  ProfileGenerator generator(&vocabulary, options);
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / absl::StrCat("circmatch-xapian-peer-", getpid());
  Peer peer(directory.string());
  const auto build_start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    const Profile supplier = generator.Supplier(i);
    peer.Add(SearchText(vocabulary, supplier.capabilities), static_cast<int>(i));
  }
  peer.Commit();
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
  // The latency benchmark's tenders (same seed, same numbers), their texts alone; one untimed pass first.
  const std::vector<Profile> tenders = generator.Tenders(0, absl::GetFlag(FLAGS_queries));
  std::vector<double> ms;
  for (int pass = 0; pass < 2; ++pass) {
    for (const Profile& tender : tenders) {
      const auto start = std::chrono::steady_clock::now();
      const std::vector<int> top = peer.Search(tender.needs.text, kTopK, [](int) { return true; });
      const auto end = std::chrono::steady_clock::now();
      if (pass == 1) ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
  }
  std::filesystem::remove_all(directory);
  std::printf("Xapian BM25 (Kraaij-Pohlmann), %lld generated suppliers (text + CPV labels), built in %.1f s\n",
              static_cast<long long>(n), build_s);
  std::printf("text-only top-%d over %zu queries: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms\n", kTopK, ms.size(),
              Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99));
  return 0;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<std::unique_ptr<circmatch::Vocabulary>> vocabulary =
      circmatch::Vocabulary::Load(absl::GetFlag(FLAGS_vocabulary_dir));
  if (!vocabulary.ok()) {
    std::cerr << vocabulary.status() << "\n";
    return 1;
  }
  return absl::GetFlag(FLAGS_speed_suppliers) > 0 ? circmatch::bench::RunSpeed(**vocabulary)
                                                  : circmatch::bench::RunRelevance(**vocabulary);
}
