#include "circmatch/pairing.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "circmatch/index.h"
#include "circmatch/scorer.h"
#include "gtest/gtest.h"
#include "lemon_reference.h"
#include "test_util.h"

namespace circmatch {
namespace {

struct Cohort {
  Eigen::MatrixXf scores;
  std::vector<CohortMember> members;
};

// A random cohort: scores on a coarse grid (so equal scores and equal totals are common), a few organizations
// (some empty, some spelled differently but equal as keys), members with and without asks and offers.
Cohort RandomCohort(std::mt19937* rng, int n) {
  static const char* const kOrganizations[] = {
      "Gemeente Zwolle", "gemeente  zwolle ", "Provincie Overijssel", "Waterschap Drents Overijsselse Delta", "",
      "Gemeente Kampen"};
  std::uniform_int_distribution<int> grid(0, 20);
  std::uniform_real_distribution<double> coin(0, 1);
  Cohort c;
  c.scores = Eigen::MatrixXf::Zero(n, n);
  for (int i = 0; i < n; ++i) {
    CohortMember m;
    m.name = "m" + std::to_string(i);
    m.organization = kOrganizations[(*rng)() % 6];
    m.has_asks = coin(*rng) < 0.8;
    m.has_offers = coin(*rng) < 0.8;
    m.capacity = static_cast<int>((*rng)() % 4);
    c.members.push_back(m);
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i == j || coin(*rng) < 0.15) continue;
      c.scores(i, j) = static_cast<float>(grid(*rng) / 20.0);
    }
  }
  return c;
}

// Random constraints over a cohort of n members.
PairingParams RandomParams(std::mt19937* rng, int n, PairingMode mode) {
  std::uniform_real_distribution<double> coin(0, 1);
  PairingParams p;
  p.mode = mode;
  PairingConstraints& c = p.constraints;
  c.allow_same_organization = coin(*rng) < 0.5;
  c.min_score = coin(*rng) < 0.5 ? 0 : std::uniform_int_distribution<int>(0, 6)(*rng) / 10.0;
  const auto random_pair = [&] {
    const int a = static_cast<int>((*rng)() % n);
    int b = static_cast<int>((*rng)() % (n - 1));
    if (b >= a) ++b;
    return MemberPair{a, b};
  };
  for (int k = static_cast<int>((*rng)() % 4); k > 0; --k) c.forbidden_pairs.push_back(random_pair());
  for (int k = static_cast<int>((*rng)() % 4); k > 0; --k) c.previous_pairs.push_back(random_pair());
  c.previous_pairs_policy = coin(*rng) < 0.5 ? PreviousPairsPolicy::kAvoid : PreviousPairsPolicy::kKeep;
  c.helpers_per_seeker = 1 + static_cast<int>((*rng)() % 3);
  c.balance_helper_load = coin(*rng) < 0.5;
  return p;
}

bool Contains(const std::vector<MemberPair>& pairs, int a, int b) {
  return std::any_of(pairs.begin(), pairs.end(), [&](const MemberPair& p) { return p.a == a && p.b == b; });
}

// The reference rules, written from the API's contract: the integer weight of a pair that passes every
// constraint, else 0.
int64_t ReferenceWeight(const Cohort& c, const PairingParams& p, int a, int b) {
  if (a == b) return 0;
  const PairingConstraints& k = p.constraints;
  const bool peer = p.mode == PairingMode::kPeer;
  double score = c.scores(a, b);
  if (peer) {
    score = (score + static_cast<double>(c.scores(b, a))) / 2;
  } else if (!c.members[a].has_asks || !c.members[b].has_offers || c.members[b].capacity <= 0) {
    return 0;
  }
  if (Contains(k.forbidden_pairs, a, b) || (peer && Contains(k.forbidden_pairs, b, a))) return 0;
  if (k.previous_pairs_policy == PreviousPairsPolicy::kAvoid &&
      (Contains(k.previous_pairs, a, b) || Contains(k.previous_pairs, b, a))) {
    return 0;
  }
  const std::string org_a = OrganizationKey(c.members[a].organization);
  if (!k.allow_same_organization && !org_a.empty() && org_a == OrganizationKey(c.members[b].organization)) return 0;
  if (score < k.min_score) return 0;
  return PairingWeight(score);
}

// The best value found by brute force: total weight, then (for balanced mentoring) the smallest sum of squared
// helper loads.
struct Best {
  int64_t weight = 0;
  int64_t load_squares = 0;
};
bool Better(const Best& x, const Best& y, bool balance) {
  if (x.weight != y.weight) return x.weight > y.weight;
  return balance && x.load_squares < y.load_squares;
}

// PEER: every matching of the open members, recursively; kept pairs fixed.
int64_t BruteForcePeer(const Cohort& c, const PairingParams& p, std::vector<char>* used, int from) {
  const int n = static_cast<int>(c.members.size());
  while (from < n && (*used)[from]) ++from;
  if (from >= n) return 0;
  (*used)[from] = 1;
  int64_t best = BruteForcePeer(c, p, used, from + 1);  // `from` stays unpaired
  for (int b = from + 1; b < n; ++b) {
    const int64_t w = ReferenceWeight(c, p, from, b);
    if ((*used)[b] || w <= 0) continue;
    (*used)[b] = 1;
    best = std::max(best, w + BruteForcePeer(c, p, used, from + 1));
    (*used)[b] = 0;
  }
  (*used)[from] = 0;
  return best;
}

// MENTORING: for each seeker in turn, every subset of helpers within its free slots and their free capacities.
struct MentoringSearch {
  const Cohort& c;
  const PairingParams& p;
  std::vector<int> seekers;
  std::vector<int> slots;  // free helper slots per seeker (kept pairs taken off)
  std::set<std::pair<int, int>> kept;
  std::map<std::pair<int, std::vector<int>>, Best> memo;

  Best Search(int s, std::vector<int>& free) {
    const int n = static_cast<int>(c.members.size());
    if (s == static_cast<int>(seekers.size())) {
      Best leaf;
      for (int h = 0; h < n; ++h) {
        const int load = c.members[h].capacity - free[h];
        leaf.load_squares += static_cast<int64_t>(load) * load;
      }
      return leaf;
    }
    const auto key = std::make_pair(s, free);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    const int a = seekers[s];
    std::vector<int> options;
    for (int b = 0; b < n; ++b) {
      if (free[b] > 0 && ReferenceWeight(c, p, a, b) > 0 && !kept.count({a, b})) options.push_back(b);
    }
    Best best;
    bool any = false;
    for (uint32_t mask = 0; mask < (1u << options.size()); ++mask) {
      if (__builtin_popcount(mask) > slots[s]) continue;
      int64_t gain = 0;
      for (size_t i = 0; i < options.size(); ++i) {
        if (mask & (1u << i)) {
          --free[options[i]];
          gain += ReferenceWeight(c, p, a, options[i]);
        }
      }
      Best rest = Search(s + 1, free);
      rest.weight += gain;
      for (size_t i = 0; i < options.size(); ++i) {
        if (mask & (1u << i)) ++free[options[i]];
      }
      if (!any || Better(rest, best, p.constraints.balance_helper_load)) best = rest;
      any = true;
    }
    memo[key] = best;
    return best;
  }
};

// The pairs KEEP fixes: previous pairs in order that pass the constraints and still fit.
std::vector<MemberPair> ReferenceKept(const Cohort& c, const PairingParams& p) {
  std::vector<MemberPair> kept;
  if (p.constraints.previous_pairs_policy != PreviousPairsPolicy::kKeep) return kept;
  const int n = static_cast<int>(c.members.size());
  std::vector<int> helpers_of(n, 0), load(n, 0);
  std::vector<char> used(n, 0);
  for (const MemberPair& pair : p.constraints.previous_pairs) {
    if (ReferenceWeight(c, p, pair.a, pair.b) <= 0) continue;
    if (p.mode == PairingMode::kPeer) {
      if (used[pair.a] || used[pair.b]) continue;
      used[pair.a] = used[pair.b] = 1;
    } else {
      if (Contains(kept, pair.a, pair.b) || helpers_of[pair.a] >= p.constraints.helpers_per_seeker ||
          load[pair.b] >= c.members[pair.b].capacity) {
        continue;
      }
      ++helpers_of[pair.a];
      ++load[pair.b];
    }
    kept.push_back(pair);
  }
  return kept;
}

// Brute-force optimum of a tiny cohort under every constraint.
Best BruteForce(const Cohort& c, const PairingParams& p) {
  const int n = static_cast<int>(c.members.size());
  const std::vector<MemberPair> kept = ReferenceKept(c, p);
  int64_t kept_weight = 0;
  for (const MemberPair& k : kept) kept_weight += ReferenceWeight(c, p, k.a, k.b);
  if (p.mode == PairingMode::kPeer) {
    std::vector<char> used(n, 0);
    for (const MemberPair& k : kept) used[k.a] = used[k.b] = 1;
    return Best{kept_weight + BruteForcePeer(c, p, &used, 0), 0};
  }
  MentoringSearch search{c, p, {}, {}, {}, {}};
  std::vector<int> free(n), helpers_of(n, 0);
  for (int h = 0; h < n; ++h) free[h] = c.members[h].capacity;
  for (const MemberPair& k : kept) {
    --free[k.b];
    ++helpers_of[k.a];
    search.kept.insert({k.a, k.b});
  }
  for (int a = 0; a < n; ++a) {
    if (c.members[a].has_asks && helpers_of[a] < p.constraints.helpers_per_seeker) {
      search.seekers.push_back(a);
      search.slots.push_back(p.constraints.helpers_per_seeker - helpers_of[a]);
    }
  }
  Best best = search.Search(0, free);
  best.weight += kept_weight;
  return best;
}

// Every pair passes the constraints, capacities and slots hold, kept pairs are exactly the reference's; returns
// the sum of squared helper loads.
int64_t ExpectValid(const Cohort& c, const PairingParams& p, const PairingResult& r) {
  const int n = static_cast<int>(c.members.size());
  std::vector<int> helpers_of(n, 0), load(n, 0), partners(n, 0);
  std::set<std::pair<int, int>> seen;
  std::vector<MemberPair> kept;
  int64_t weight = 0;
  for (const Pairing& pair : r.pairs) {
    EXPECT_GT(ReferenceWeight(c, p, pair.a, pair.b), 0) << pair.a << "-" << pair.b << " breaks a constraint";
    EXPECT_TRUE(seen.insert({pair.a, pair.b}).second) << "pair made twice";
    if (pair.kept_from_previous) kept.push_back(MemberPair{pair.a, pair.b});
    weight += PairingWeight(pair.score);
    ++helpers_of[pair.a];
    ++load[pair.b];
    ++partners[pair.a];
    ++partners[pair.b];
  }
  EXPECT_EQ(weight, r.total_weight);
  for (int i = 0; i < n; ++i) {
    if (p.mode == PairingMode::kPeer) {
      EXPECT_LE(partners[i], 1) << "member " << i;
    } else {
      EXPECT_LE(helpers_of[i], p.constraints.helpers_per_seeker) << "member " << i;
      EXPECT_LE(load[i], c.members[i].capacity) << "member " << i;
    }
  }
  const std::vector<MemberPair> expected_kept = ReferenceKept(c, p);
  EXPECT_EQ(kept.size(), expected_kept.size());
  for (const MemberPair& k : expected_kept) {
    const bool found = std::any_of(r.pairs.begin(), r.pairs.end(), [&](const Pairing& x) {
      return x.kept_from_previous &&
             ((x.a == k.a && x.b == k.b) || (p.mode == PairingMode::kPeer && x.a == k.b && x.b == k.a));
    });
    EXPECT_TRUE(found) << "previous pair " << k.a << "-" << k.b << " not kept";
  }
  // Sorted by descending score, ties by (a, b).
  for (size_t i = 1; i < r.pairs.size(); ++i) {
    const Pairing& x = r.pairs[i - 1];
    const Pairing& y = r.pairs[i];
    EXPECT_TRUE(x.score > y.score || (x.score == y.score && std::make_pair(x.a, x.b) < std::make_pair(y.a, y.b)));
  }
  int64_t squares = 0;
  for (int h = 0; h < n; ++h) squares += static_cast<int64_t>(load[h]) * load[h];
  return squares;
}

TEST(PairingTest, EqualsBruteForceOnTinyCohortsWithEveryConstraint) {
  std::mt19937 rng(2026);
  for (int trial = 0; trial < 600; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 7);  // 2..8
    const Cohort c = RandomCohort(&rng, n);
    const PairingMode mode = trial % 2 == 0 ? PairingMode::kPeer : PairingMode::kMentoring;
    const PairingParams p = RandomParams(&rng, n, mode);
    absl::StatusOr<PairingResult> r = PairCohort(c.scores, c.members, p);
    ASSERT_TRUE(r.ok()) << r.status();
    const int64_t squares = ExpectValid(c, p, *r);
    const Best best = BruteForce(c, p);
    ASSERT_EQ(r->total_weight, best.weight) << "trial " << trial << " n " << n;
    if (mode == PairingMode::kMentoring && p.constraints.balance_helper_load) {
      EXPECT_EQ(squares, best.load_squares) << "trial " << trial;
    }
    EXPECT_TRUE(r->optimal);
    EXPECT_EQ(r->upper_bound, r->total_score);
    if (HasFailure()) break;
  }
}

// The admissible graph of a PEER cohort as LEMON takes it.
std::vector<int64_t> PeerGraph(const Cohort& c, const PairingParams& p) {
  const int n = static_cast<int>(c.members.size());
  std::vector<int64_t> w(static_cast<size_t>(n) * n, 0);
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) w[static_cast<size_t>(a) * n + b] = ReferenceWeight(c, p, a, b);
  }
  return w;
}

// A MENTORING cohort with one helper per seeker as a bipartite graph for LEMON: seeker roles 0..n-1, and each
// helper's role replicated `capacity` times after them.
int64_t LemonMentoring(const Cohort& c, const PairingParams& p) {
  const int n = static_cast<int>(c.members.size());
  std::vector<std::pair<int, int>> helper_slots;  // (node, member)
  int nodes = n;
  for (int b = 0; b < n; ++b) {
    for (int k = 0; k < c.members[b].capacity; ++k) helper_slots.emplace_back(nodes++, b);
  }
  std::vector<int64_t> w(static_cast<size_t>(nodes) * nodes, 0);
  for (int a = 0; a < n; ++a) {
    for (const auto& [node, b] : helper_slots) {
      w[static_cast<size_t>(a) * nodes + node] = w[static_cast<size_t>(node) * nodes + a] = ReferenceWeight(c, p, a, b);
    }
  }
  return testing_util::LemonMaxWeightMatching(nodes, w);
}

TEST(PairingTest, PeerEqualsLemonOnRandomCohorts) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 120);
    const Cohort c = RandomCohort(&rng, n);
    PairingParams p = RandomParams(&rng, n, PairingMode::kPeer);
    p.constraints.previous_pairs_policy = PreviousPairsPolicy::kAvoid;
    absl::StatusOr<PairingResult> r = PairCohort(c.scores, c.members, p);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectValid(c, p, *r);
    ASSERT_EQ(r->total_weight, testing_util::LemonMaxWeightMatching(n, PeerGraph(c, p))) << "trial " << trial;
  }
}

TEST(PairingTest, MentoringEqualsLemonWithHelpersReplicatedByCapacity) {
  std::mt19937 rng(43);
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 80);
    Cohort c = RandomCohort(&rng, n);
    if (trial % 2 == 0) {
      for (CohortMember& m : c.members) m.capacity = std::min(m.capacity, 1);  // a plain bipartite matching
    }
    PairingParams p = RandomParams(&rng, n, PairingMode::kMentoring);
    p.constraints.previous_pairs_policy = PreviousPairsPolicy::kAvoid;
    p.constraints.helpers_per_seeker = 1;
    absl::StatusOr<PairingResult> r = PairCohort(c.scores, c.members, p);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectValid(c, p, *r);
    ASSERT_EQ(r->total_weight, LemonMentoring(c, p)) << "trial " << trial;
  }
}

// A realistic cohort: 300 seeded buddy profiles with every facet, scored by the Index.
class IndexCohortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto index = Index::Create(IndexOptions{}, &testing_util::SharedVocabulary());
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
    cohort_ = testing_util::RandomProfiles(/*seed=*/300, 0, 0, /*buddies=*/300, 0);
    ASSERT_TRUE(index_->Upsert(cohort_).ok());
    std::sort(cohort_.begin(), cohort_.end(), [](const Profile& a, const Profile& b) { return a.key < b.key; });
    std::vector<ProfileKey> keys;
    for (const Profile& p : cohort_) keys.push_back(p.key);
    MatchParams mp;
    mp.type = MatchType::kBuddiesForBuddy;
    auto matrix = index_->ScoreAll(cohort_, keys, mp);
    ASSERT_TRUE(matrix.ok()) << matrix.status();
    cohort_as_matrix_.scores = matrix->scores;
    for (const Profile& p : cohort_) {
      cohort_as_matrix_.members.push_back(
          CohortMember{p.key.id, p.organization, !p.asks.empty(), !p.offers.empty(), p.capacity});
    }
  }

  std::unique_ptr<Index> index_;
  std::vector<Profile> cohort_;
  Cohort cohort_as_matrix_;
};

TEST_F(IndexCohortTest, PeerEqualsLemon) {
  PairingParams p;
  p.mode = PairingMode::kPeer;
  p.constraints.min_score = 0.1;
  auto r = PairCohortFromIndex(*index_, cohort_, MatchParams{}, p);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectValid(cohort_as_matrix_, p, r->pairing);
  EXPECT_EQ(r->pairing.total_weight,
            testing_util::LemonMaxWeightMatching(static_cast<int>(cohort_.size()), PeerGraph(cohort_as_matrix_, p)));
  EXPECT_GT(r->pairing.pairs.size(), 100u);
  EXPECT_EQ(r->pairing.method, "weighted blossom (exact)");
  EXPECT_EQ(r->index_version, index_->version());
}

TEST_F(IndexCohortTest, MentoringEqualsLemon) {
  PairingParams p;
  p.mode = PairingMode::kMentoring;
  auto r = PairCohortFromIndex(*index_, cohort_, MatchParams{}, p);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectValid(cohort_as_matrix_, p, r->pairing);
  EXPECT_EQ(r->pairing.total_weight, LemonMentoring(cohort_as_matrix_, p));
  EXPECT_EQ(r->pairing.method, "min-cost flow (exact)");
}

TEST_F(IndexCohortTest, RejectsACohortOutOfOrder) {
  std::vector<Profile> reversed(cohort_.rbegin(), cohort_.rend());
  auto r = PairCohortFromIndex(*index_, reversed, MatchParams{}, PairingParams{});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PairingTest, SameInputGivesTheSameOutput) {
  std::mt19937 rng(5);
  for (PairingMode mode : {PairingMode::kPeer, PairingMode::kMentoring}) {
    const Cohort c = RandomCohort(&rng, 60);
    const PairingParams p = RandomParams(&rng, 60, mode);
    for (int max_exact : {2000, 0}) {
      PairingOptions options;
      options.max_exact_size = max_exact;
      auto first = PairCohort(c.scores, c.members, p, options);
      auto second = PairCohort(c.scores, c.members, p, options);
      ASSERT_TRUE(first.ok() && second.ok());
      ASSERT_EQ(first->pairs.size(), second->pairs.size());
      for (size_t i = 0; i < first->pairs.size(); ++i) {
        EXPECT_EQ(first->pairs[i].a, second->pairs[i].a);
        EXPECT_EQ(first->pairs[i].b, second->pairs[i].b);
        EXPECT_EQ(first->pairs[i].kept_from_previous, second->pairs[i].kept_from_previous);
      }
      ASSERT_EQ(first->unpaired.size(), second->unpaired.size());
      for (size_t i = 0; i < first->unpaired.size(); ++i) {
        EXPECT_EQ(first->unpaired[i].member, second->unpaired[i].member);
        EXPECT_EQ(first->unpaired[i].detail, second->unpaired[i].detail);
      }
    }
  }
}

// Greedy matching is a 1/2-approximation; the approximation must keep at least that and stay under its bound.
TEST(PairingTest, ApproximationStaysBetweenHalfTheOptimumAndItsUpperBound) {
  std::mt19937 rng(8);
  for (int trial = 0; trial < 20; ++trial) {
    const PairingMode mode = trial % 2 == 0 ? PairingMode::kPeer : PairingMode::kMentoring;
    const int n = 20 + static_cast<int>(rng() % 200);
    const Cohort c = RandomCohort(&rng, n);
    const PairingParams p = RandomParams(&rng, n, mode);
    auto exact = PairCohort(c.scores, c.members, p);
    PairingOptions approximate_options;
    approximate_options.max_exact_size = 10;
    auto approximate = PairCohort(c.scores, c.members, p, approximate_options);
    ASSERT_TRUE(exact.ok() && approximate.ok());
    ExpectValid(c, p, *approximate);
    EXPECT_FALSE(approximate->optimal);
    EXPECT_LE(approximate->total_weight, exact->total_weight);
    EXPECT_GE(2 * approximate->total_weight, exact->total_weight) << "trial " << trial;
    EXPECT_GE(approximate->upper_bound + 1e-9, exact->total_score) << "trial " << trial;
    EXPECT_GE(approximate->upper_bound, approximate->total_score);
  }
}

// Two members of one organization who fit each other best, and a third elsewhere.
Cohort ThreeMembers() {
  Cohort c;
  c.scores = Eigen::MatrixXf::Zero(3, 3);
  c.scores << 0, 0.9f, 0.3f,  //
      0.9f, 0, 0.2f,          //
      0.4f, 0.1f, 0;
  c.members = {CohortMember{"ann", "Gemeente Zwolle", true, true, 1},
               CohortMember{"bob", "gemeente zwolle", true, true, 1},
               CohortMember{"cas", "Gemeente Kampen", true, true, 1}};
  return c;
}

TEST(PairingTest, SameOrganizationIsRefusedUnlessAllowed) {
  const Cohort c = ThreeMembers();
  PairingParams p;
  p.mode = PairingMode::kPeer;
  auto r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_EQ(r->pairs[0].a, 0);  // ann-cas, mutual 0.35, beats bob-cas 0.15
  EXPECT_EQ(r->pairs[0].b, 2);
  EXPECT_FLOAT_EQ(r->pairs[0].score, 0.35f);
  ASSERT_EQ(r->unpaired.size(), 1u);
  EXPECT_EQ(r->unpaired[0].member, 1);
  EXPECT_EQ(r->unpaired[0].reason, UnpairedReason::kPartnersTaken);
  EXPECT_NE(r->unpaired[0].detail.find("cas"), std::string::npos) << r->unpaired[0].detail;

  p.constraints.allow_same_organization = true;
  r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_EQ(r->pairs[0].a, 0);
  EXPECT_EQ(r->pairs[0].b, 1);
}

TEST(PairingTest, UnpairedReasonsInMentoring) {
  Cohort c = ThreeMembers();
  c.members[2].has_asks = false;  // cas only helps
  c.members[0].capacity = 0;      // ann cannot help
  PairingParams p;
  p.mode = PairingMode::kMentoring;
  p.constraints.allow_same_organization = true;
  // ann asks: bob 0.9 (capacity 1), cas 0.3. bob asks: ann (capacity 0), cas 0.2. Best: ann-bob 0.9, bob-cas 0.2.
  auto r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 2u);
  EXPECT_TRUE(r->unpaired.empty());

  // With min_score 0.25 bob has no candidate (ann has no capacity, cas scores 0.2), and cas helps nobody.
  p.constraints.min_score = 0.25;
  r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  ASSERT_EQ(r->unpaired.size(), 2u);
  EXPECT_EQ(r->unpaired[0].member, 1);
  EXPECT_EQ(r->unpaired[0].reason, UnpairedReason::kNoCandidate);
  EXPECT_EQ(r->unpaired[0].detail, "best candidate ann has capacity 0");
  EXPECT_EQ(r->unpaired[1].member, 2);
  EXPECT_EQ(r->unpaired[1].reason, UnpairedReason::kNothingAsked);

  // cas asks too and only bob can help: bob's one place goes to ann (0.9 beats cas' 0.1).
  c.members[2].has_asks = true;
  c.members[1].capacity = 1;
  c.members[2].capacity = 0;
  p.constraints.min_score = 0;
  r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  const auto cas =
      std::find_if(r->unpaired.begin(), r->unpaired.end(), [](const UnpairedMember& u) { return u.member == 2; });
  ASSERT_NE(cas, r->unpaired.end());
  EXPECT_EQ(cas->reason, UnpairedReason::kCapacityExhausted);
  EXPECT_NE(cas->detail.find("bob"), std::string::npos) << cas->detail;
}

TEST(PairingTest, NoCandidateBelowMinScoreNamesTheBestCandidate) {
  const Cohort c = ThreeMembers();
  PairingParams p;
  p.mode = PairingMode::kPeer;
  p.constraints.allow_same_organization = true;
  p.constraints.min_score = 0.95;
  auto r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pairs.empty());
  ASSERT_EQ(r->unpaired.size(), 3u);
  EXPECT_EQ(r->unpaired[0].reason, UnpairedReason::kNoCandidate);
  EXPECT_EQ(r->unpaired[0].detail, "best candidate bob scores 0.900, below min_score 0.950");
}

TEST(PairingTest, ForbiddenAndPreviousPairs) {
  const Cohort c = ThreeMembers();
  PairingParams p;
  p.mode = PairingMode::kPeer;
  p.constraints.allow_same_organization = true;
  p.constraints.forbidden_pairs = {MemberPair{1, 0}};  // either order in PEER
  auto r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_EQ(r->pairs[0].b, 2);

  p.constraints.forbidden_pairs.clear();
  p.constraints.previous_pairs = {MemberPair{0, 2}};
  p.constraints.previous_pairs_policy = PreviousPairsPolicy::kKeep;
  r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_EQ(r->pairs[0].a, 0);
  EXPECT_EQ(r->pairs[0].b, 2);
  EXPECT_TRUE(r->pairs[0].kept_from_previous);

  p.constraints.previous_pairs = {MemberPair{0, 1}};
  p.constraints.previous_pairs_policy = PreviousPairsPolicy::kAvoid;
  r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_EQ(r->pairs[0].b, 2);
  EXPECT_FALSE(r->pairs[0].kept_from_previous);
}

TEST(PairingTest, BalancedHelperLoadSpreadsSeekersWithoutLoweringTheTotal) {
  // Four seekers score 0.5 against each of two helpers with capacity 4: any split has the same total.
  Cohort c;
  const int n = 6;
  c.scores = Eigen::MatrixXf::Zero(n, n);
  for (int a = 0; a < 4; ++a) {
    c.members.push_back(CohortMember{"s" + std::to_string(a), "Org " + std::to_string(a), true, false, 0});
    c.scores(a, 4) = c.scores(a, 5) = 0.5f;
  }
  c.members.push_back(CohortMember{"h4", "Org 4", false, true, 4});
  c.members.push_back(CohortMember{"h5", "Org 5", false, true, 4});
  PairingParams p;
  p.mode = PairingMode::kMentoring;
  p.constraints.balance_helper_load = true;
  auto r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pairs.size(), 4u);
  int on_h4 = 0;
  for (const Pairing& x : r->pairs) on_h4 += x.b == 4;
  EXPECT_EQ(on_h4, 2);
  EXPECT_EQ(r->total_weight, 4 * PairingWeight(0.5));
  EXPECT_NE(r->method.find("balanced"), std::string::npos);
}

TEST(PairingTest, HelpersPerSeekerGivesSeveralHelpers) {
  const Cohort c = ThreeMembers();
  PairingParams p;
  p.mode = PairingMode::kMentoring;
  p.constraints.allow_same_organization = true;
  p.constraints.helpers_per_seeker = 2;
  auto r = PairCohort(c.scores, c.members, p);
  ASSERT_TRUE(r.ok());
  int of_ann = 0;
  for (const Pairing& x : r->pairs) of_ann += x.a == 0;
  // Every helper has one place: ann helps bob (0.9), bob helps ann (0.9), cas helps ann (0.3) rather than bob (0.2).
  EXPECT_EQ(of_ann, 2);
  EXPECT_EQ(r->total_weight, PairingWeight(0.9f) + PairingWeight(0.3f) + PairingWeight(0.9f));
}

TEST(PairingTest, RejectsBadInputNamingTheField) {
  const Cohort c = ThreeMembers();
  const auto error = [&](PairingParams p, std::vector<CohortMember> members = {}) {
    if (members.empty()) members = c.members;
    auto r = PairCohort(c.scores, members, p);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(r.status().message());
  };
  PairingParams p;
  p.constraints.min_score = 2;
  EXPECT_EQ(error(p), "constraints.min_score: must be in [0, 1], got 2");
  p = PairingParams();
  p.constraints.helpers_per_seeker = 11;
  EXPECT_NE(error(p).find("constraints.helpers_per_seeker"), std::string::npos);
  p = PairingParams();
  p.constraints.forbidden_pairs = {MemberPair{1, 1}};
  EXPECT_NE(error(p).find("constraints.forbidden_pairs[0]"), std::string::npos);
  p = PairingParams();
  p.constraints.previous_pairs = {MemberPair{0, 3}};
  EXPECT_NE(error(p).find("constraints.previous_pairs[0]"), std::string::npos);
  std::vector<CohortMember> negative = c.members;
  negative[1].capacity = -1;
  EXPECT_EQ(error(PairingParams(), negative), "members[1].capacity: must be >= 0, got -1");
  std::vector<CohortMember> two(c.members.begin(), c.members.begin() + 2);
  EXPECT_NE(error(PairingParams(), two).find("scores: must be 2 x 2"), std::string::npos);
}

TEST(PairingTest, EmptyAndSingleMemberCohorts) {
  auto empty = PairCohort(Eigen::MatrixXf(0, 0), {}, PairingParams());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->pairs.empty());
  std::vector<CohortMember> one = {CohortMember{"solo", "", true, true, 1}};
  PairingParams p;
  p.mode = PairingMode::kPeer;
  auto single = PairCohort(Eigen::MatrixXf::Zero(1, 1), one, p);
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(single->unpaired.size(), 1u);
  EXPECT_EQ(single->unpaired[0].reason, UnpairedReason::kNoCandidate);
}

}  // namespace
}  // namespace circmatch
