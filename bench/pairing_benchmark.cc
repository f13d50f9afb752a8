// End-to-end comparison of cohort pairing with LEMON's maximum-weight matching (lemon::MaxWeightedMatching).
// Workloads, each a synthetic cohort of N buddies (default N = 500, 2,000, 10,000), scored by the real Index
// (Index::ScoreAll, MatchType::kBuddiesForBuddy, default buddy weights), then:
//   PEER       our PairCohort (weighted blossom up to 2,000 members, greedy + 2-opt above) against LEMON on the
//              same graph: mutual integer weights round(1e6 * (s(a,b) + s(b,a)) / 2), no pair within one
//              organization. Same graph, so equal totals mean equal optima.
//   MENTORING  (N <= 2,000) our min-cost flow, one helper per seeker, against LEMON on the bipartite graph with
//              each helper replicated `capacity` times.
// Synthetic buddies: 1-3 CPV codes, R-strategies, materials, 1-3 procurement phases and topics, a short text and
// a point in the Netherlands on both offers and asks, capacity 0-3, 300 organizations. Seeded, so runs compare.
// Times: "ours" is PairCohort on the score matrix (building the weights included); "LEMON" is building its
// graph and running it. Scoring is timed separately.
//
//   circmatch_bench_pairing [N ...] [--lemon_max=N]   (LEMON is skipped above --lemon_max, default 10000)
#include <lemon/list_graph.h>
#include <lemon/matching.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "circmatch/index.h"
#include "circmatch/pairing.h"
#include "circmatch/scorer.h"
#include "circmatch/vocabulary.h"
#include "elapsed.h"

namespace circmatch {
namespace {

using bench::Clock;
using bench::MillisecondsSince;

const Vocabulary& SharedVocabulary() {
  static const Vocabulary* const vocabulary = [] {
    auto loaded = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *vocabulary;
}

std::vector<Profile> SyntheticBuddies(int n, uint32_t seed) {
  static const char* const kCpv[] = {"39130000", "39131000", "39100000", "45000000", "45200000", "45210000",
                                     "30200000", "30213000", "18100000", "90500000", "90510000", "79400000",
                                     "77310000", "39531400", "34100000", "09310000"};
  static const char* const kWords[] = {"hergebruik", "meubilair", "kantoor",         "circulair",  "beton",
                                       "recycling",  "laptops",   "werkkleding",     "inzameling", "sloop",
                                       "bouw",       "advies",    "groen",           "textiel",    "hout",
                                       "modulair",   "lease",     "marktconsultatie"};
  const Vocabulary& v = SharedVocabulary();
  std::mt19937 rng(seed);
  const auto pick = [&](int m) { return std::uniform_int_distribution<int>(0, m - 1)(rng); };
  const auto facets = [&](FacetValues* f) {
    for (int i = 1 + pick(3); i > 0; --i) f->cpv_codes.push_back(kCpv[pick(16)]);
    for (int i = pick(3); i > 0; --i) f->strategies.push_back(pick(10));
    for (int i = pick(2); i > 0; --i)
      f->materials.push_back(v.materials()[pick(static_cast<int>(v.materials().size()))].id);
    for (int i = 1 + pick(2); i > 0; --i) f->phases.push_back(v.phases()[pick(static_cast<int>(v.phases().size()))].id);
    for (int i = 1 + pick(3); i > 0; --i) f->topics.push_back(v.topics()[pick(static_cast<int>(v.topics().size()))].id);
    for (int i = 3 + pick(6); i > 0; --i) f->text += std::string(kWords[pick(18)]) + " ";
  };
  std::vector<Profile> out;
  for (int i = 0; i < n; ++i) {
    Profile p;
    p.kind = ProfileKind::kBuddy;
    char id[32];
    std::snprintf(id, sizeof id, "buddy-%06d", i);
    p.key = ProfileKey{"bench", id};
    p.visibility = Visibility::kShared;
    p.organization = "Organisatie " + std::to_string(pick(300));
    p.location.point = GeoPoint{50.8 + 2.6 * pick(1000) / 1000.0, 3.5 + 3.6 * pick(1000) / 1000.0};
    facets(&p.offers);
    facets(&p.asks);
    p.capacity = pick(4);
    if (!NormalizeProfile(v, 0, &p).ok()) std::abort();
    out.push_back(std::move(p));
  }
  return out;
}

// LEMON's optimum on a graph given as a weight function over n nodes (0 = no edge), and its time.
template <typename Weight>
std::pair<int64_t, double> Lemon(int n, const Weight& weight) {
  const Clock::time_point start = Clock::now();
  lemon::ListGraph graph;
  std::vector<lemon::ListGraph::Node> nodes;
  for (int i = 0; i < n; ++i) nodes.push_back(graph.addNode());
  lemon::ListGraph::EdgeMap<int64_t> edge_weight(graph);
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      const int64_t w = weight(a, b);
      if (w > 0) edge_weight[graph.addEdge(nodes[a], nodes[b])] = w;
    }
  }
  lemon::MaxWeightedMatching<lemon::ListGraph, lemon::ListGraph::EdgeMap<int64_t>> matching(graph, edge_weight);
  matching.run();
  return {matching.matchingWeight(), MillisecondsSince(start)};
}

void PrintRow(const char* mode, int n, const PairingResult& ours, double our_ms, int64_t lemon_total, double lemon_ms,
              bool lemon_ran) {
  const double our_total = static_cast<double>(ours.total_weight) / kPairingScoreScale;
  if (lemon_ran) {
    const double lemon = static_cast<double>(lemon_total) / kPairingScoreScale;
    std::printf("| %-9s | %6d | %-36s | %10.1f | %10.1f | %12.6f | %12.6f | %8.6f |\n", mode, n, ours.method.c_str(),
                our_ms, lemon_ms, our_total, lemon, lemon_total == 0 ? 1.0 : our_total / lemon);
  } else {
    std::printf("| %-9s | %6d | %-36s | %10.1f | %10s | %12.6f | %12s | %8s |\n", mode, n, ours.method.c_str(), our_ms,
                "skipped", our_total, "-", "-");
  }
  if (!ours.optimal) {
    std::printf("|           |        | upper bound %.6f, total/bound %.6f%*s|\n", ours.upper_bound,
                ours.total_score / ours.upper_bound, 60, "");
  }
  std::fflush(stdout);
}

int Run(const std::vector<int>& sizes, int lemon_max) {
  std::printf(
      "| mode      |      n | our method                           |    our ms  |  LEMON ms  |    our total | LEMON "
      "total  |  ratio   |\n");
  std::printf(
      "|-----------|--------|--------------------------------------|------------|------------|--------------|----------"
      "----|----------|\n");
  for (int n : sizes) {
    std::vector<Profile> cohort = SyntheticBuddies(n, /*seed=*/2026 + n);
    auto index = Index::Create(IndexOptions{}, &SharedVocabulary());
    if (!index.ok() || !(*index)->Upsert(cohort).ok()) return 1;
    std::vector<ProfileKey> keys;
    for (const Profile& p : cohort) keys.push_back(p.key);
    MatchParams params;
    params.type = MatchType::kBuddiesForBuddy;
    params.k = 1;
    const Clock::time_point score_start = Clock::now();
    absl::StatusOr<ScoreMatrix> matrix = (*index)->ScoreAll(cohort, keys, params);
    if (!matrix.ok()) {
      std::fprintf(stderr, "%s\n", matrix.status().ToString().c_str());
      return 1;
    }
    const double score_ms = MillisecondsSince(score_start);
    std::vector<CohortMember> members;
    std::vector<std::string> organizations;
    for (const Profile& p : cohort) {
      members.push_back(CohortMember{p.key.id, p.organization, !p.asks.empty(), !p.offers.empty(), p.capacity});
      organizations.push_back(OrganizationKey(p.organization));
    }
    const Eigen::MatrixXf& s = matrix->scores;

    PairingParams peer;
    peer.mode = PairingMode::kPeer;
    Clock::time_point start = Clock::now();
    absl::StatusOr<PairingResult> ours = PairCohort(s, members, peer);
    const double our_ms = MillisecondsSince(start);
    if (!ours.ok()) {
      std::fprintf(stderr, "%s\n", ours.status().ToString().c_str());
      return 1;
    }
    const auto mutual = [&](int a, int b) -> int64_t {
      if (organizations[a] == organizations[b]) return 0;
      return PairingWeight((static_cast<double>(s(a, b)) + static_cast<double>(s(b, a))) / 2);
    };
    std::pair<int64_t, double> lemon{0, 0};
    if (n <= lemon_max) lemon = Lemon(n, mutual);
    PrintRow("PEER", n, *ours, our_ms, lemon.first, lemon.second, n <= lemon_max);

    if (n <= 2000) {
      PairingParams mentoring;
      mentoring.mode = PairingMode::kMentoring;
      start = Clock::now();
      absl::StatusOr<PairingResult> flow = PairCohort(s, members, mentoring);
      const double flow_ms = MillisecondsSince(start);
      if (!flow.ok()) return 1;
      // Seekers are nodes 0..n-1, then one node per helper place.
      std::vector<int> place_owner;
      for (int b = 0; b < n; ++b) {
        for (int k = 0; k < members[b].capacity; ++k) place_owner.push_back(b);
      }
      const auto bipartite = [&](int x, int y) -> int64_t {
        if (x >= n || y < n) return 0;
        const int a = x;
        const int b = place_owner[y - n];
        if (a == b || !members[a].has_asks || !members[b].has_offers || organizations[a] == organizations[b]) {
          return 0;
        }
        return PairingWeight(s(a, b));
      };
      std::pair<int64_t, double> lemon_flow{0, 0};
      const int nodes = n + static_cast<int>(place_owner.size());
      if (n <= lemon_max) lemon_flow = Lemon(nodes, bipartite);
      PrintRow("MENTORING", n, *flow, flow_ms, lemon_flow.first, lemon_flow.second, n <= lemon_max);
    }
    std::printf("|           | %6d | (scoring the cohort: %.1f ms)%*s|\n", n, score_ms, 71, "");
  }
  return 0;
}

}  // namespace
}  // namespace circmatch

int main(int argc, char** argv) {
  std::vector<int> sizes;
  int lemon_max = 10000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--lemon_max=", 0) == 0) {
      lemon_max = std::atoi(arg.c_str() + 12);
    } else {
      sizes.push_back(std::atoi(arg.c_str()));
      if (sizes.back() < 2) {
        std::fprintf(stderr, "usage: %s [N ...] [--lemon_max=N]\n", argv[0]);
        return 2;
      }
    }
  }
  if (sizes.empty()) sizes = {500, 2000, 10000};
  return circmatch::Run(sizes, lemon_max);
}
