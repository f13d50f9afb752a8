#include "circmatch/pairing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "assignment/min_cost_flow.h"
#include "assignment/weighted_matching.h"
#include "circmatch/scorer.h"

namespace circmatch {
namespace {

// Candidates per member the approximations consider (the best by weight).
constexpr int kApproximateCandidates = 64;

std::string FormatScore(double score) { return absl::StrFormat("%.3f", score); }

int64_t PairKey(int a, int b, int n) { return static_cast<int64_t>(a) * n + b; }

// The cohort with its constraints resolved: who may be paired with whom, and at what weight.
class Problem {
 public:
  Problem(const Eigen::Ref<const Eigen::MatrixXf>& scores, absl::Span<const CohortMember> members,
          const PairingParams& params)
      : scores_(scores), members_(members), params_(params), n_(static_cast<int>(members.size())) {
    organizations_.reserve(n_);
    for (const CohortMember& m : members_) organizations_.push_back(OrganizationKey(m.organization));
    const PairingConstraints& c = params_.constraints;
    for (const MemberPair& p : c.forbidden_pairs) {
      forbidden_.insert(PairKey(p.a, p.b, n_));
      if (peer()) forbidden_.insert(PairKey(p.b, p.a, n_));
    }
    if (c.previous_pairs_policy == PreviousPairsPolicy::kAvoid) {
      for (const MemberPair& p : c.previous_pairs) {
        avoided_.insert(PairKey(p.a, p.b, n_));
        avoided_.insert(PairKey(p.b, p.a, n_));
      }
    }
  }

  int size() const { return n_; }
  bool peer() const { return params_.mode == PairingMode::kPeer; }
  const CohortMember& member(int i) const { return members_[i]; }
  bool IsSeeker(int i) const { return members_[i].has_asks; }
  bool IsHelper(int i) const { return members_[i].has_offers && members_[i].capacity > 0; }

  // The pair's score: directional in MENTORING (a asks, b offers), the mean of both directions in PEER.
  double Score(int a, int b) const {
    const double forward = scores_(a, b);
    if (!peer()) return forward;
    return (forward + static_cast<double>(scores_(b, a))) / 2;
  }

  // The weight of a pair that passes every constraint, else 0. Capacities are not checked here.
  int32_t Weight(int a, int b) const { return WhyNot(a, b, nullptr) ? 0 : static_cast<int32_t>(RawWeight(a, b)); }

  int64_t RawWeight(int a, int b) const { return PairingWeight(Score(a, b)); }

  // True when the pair may not be made; then `reason` (when non-null) says why.
  bool WhyNot(int a, int b, std::string* reason) const {
    const auto fail = [&](std::string text) {
      if (reason != nullptr) *reason = std::move(text);
      return true;
    };
    const std::string& name = members_[b].name;
    if (a == b) return fail("the member themselves");
    if (!peer() && !IsSeeker(a)) return fail("nothing is asked");
    if (!peer() && !members_[b].has_offers) return fail(absl::StrCat("best candidate ", name, " offers nothing"));
    if (!peer() && members_[b].capacity <= 0) {
      return fail(absl::StrCat("best candidate ", name, " has capacity 0"));
    }
    if (forbidden_.contains(PairKey(a, b, n_)))
      return fail(absl::StrCat("best candidate ", name, " is a forbidden pair"));
    if (avoided_.contains(PairKey(a, b, n_))) {
      return fail(absl::StrCat("best candidate ", name, " is a previous pair (policy AVOID)"));
    }
    if (!params_.constraints.allow_same_organization && !organizations_[a].empty() &&
        organizations_[a] == organizations_[b]) {
      return fail(absl::StrCat("best candidate ", name, " is in the same organization"));
    }
    const double score = Score(a, b);
    if (score < params_.constraints.min_score) {
      return fail(absl::StrCat("best candidate ", name, " scores ", FormatScore(score), ", below min_score ",
                               FormatScore(params_.constraints.min_score)));
    }
    if (PairingWeight(score) <= 0) return fail(absl::StrCat("best candidate ", name, " scores 0"));
    return false;
  }

  // Why member `a` has no candidate at all: the best-scoring other member and what excludes it.
  std::string NoCandidateDetail(int a) const {
    int best = -1;
    double best_score = -1;
    for (int b = 0; b < n_; ++b) {
      if (b == a) continue;
      const double score = Score(a, b);
      if (score > best_score) {
        best = b;
        best_score = score;
      }
    }
    if (best < 0) return "the cohort has no other member";
    if (best_score <= 0) {
      return peer() ? "no other member's asks or offers match theirs" : "no other member's offers match these asks";
    }
    std::string reason;
    if (WhyNot(a, best, &reason)) return reason;
    return "no candidate passes the constraints";
  }

  // Candidates of `a` that pass the constraints, best first (ties by index); at most `limit`.
  std::vector<int> BestCandidates(int a, int limit, const std::vector<char>& excluded) const {
    std::vector<std::pair<int32_t, int>> found;
    for (int b = 0; b < n_; ++b) {
      if (excluded[b]) continue;
      const int32_t w = Weight(a, b);
      if (w > 0) found.emplace_back(-w, b);
    }
    const size_t keep = std::min(found.size(), static_cast<size_t>(limit));
    std::partial_sort(found.begin(), found.begin() + keep, found.end());
    std::vector<int> out;
    for (size_t i = 0; i < keep; ++i) out.push_back(found[i].second);
    return out;
  }

 private:
  const Eigen::Ref<const Eigen::MatrixXf>& scores_;
  absl::Span<const CohortMember> members_;
  const PairingParams& params_;
  const int n_;
  std::vector<std::string> organizations_;
  absl::flat_hash_set<int64_t> forbidden_;
  absl::flat_hash_set<int64_t> avoided_;
};

absl::Status CheckPairs(const std::vector<MemberPair>& pairs, const char* field, int n) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    const MemberPair& p = pairs[i];
    if (p.a < 0 || p.a >= n || p.b < 0 || p.b >= n) {
      return absl::InvalidArgumentError(
          absl::StrFormat("constraints.%s[%d]: member index out of range 0..%d", field, i, n - 1));
    }
    if (p.a == p.b) {
      return absl::InvalidArgumentError(absl::StrFormat("constraints.%s[%d]: a member paired with itself", field, i));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const Eigen::Ref<const Eigen::MatrixXf>& scores, absl::Span<const CohortMember> members,
                      const PairingParams& params) {
  const int n = static_cast<int>(members.size());
  if (scores.rows() != n || scores.cols() != n) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "scores: must be %d x %d (one row and column per member), got %d x %d", n, n, scores.rows(), scores.cols()));
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const float s = scores(i, j);
      // Sums of float products may overshoot 1 by a rounding step.
      if (!(s >= 0 && s <= 1.0f + 1e-5f)) {
        return absl::InvalidArgumentError(absl::StrFormat("scores(%d, %d): must be in [0, 1], got %g", i, j, s));
      }
    }
  }
  for (int i = 0; i < n; ++i) {
    if (members[i].capacity < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("members[%d].capacity: must be >= 0, got %d", i, members[i].capacity));
    }
  }
  const PairingConstraints& c = params.constraints;
  if (!(c.min_score >= 0 && c.min_score <= 1)) {
    return absl::InvalidArgumentError(absl::StrFormat("constraints.min_score: must be in [0, 1], got %g", c.min_score));
  }
  if (c.helpers_per_seeker < 1 || c.helpers_per_seeker > 10) {
    return absl::InvalidArgumentError(
        absl::StrFormat("constraints.helpers_per_seeker: must be in 1..10, got %d", c.helpers_per_seeker));
  }
  if (absl::Status s = CheckPairs(c.forbidden_pairs, "forbidden_pairs", n); !s.ok()) return s;
  return CheckPairs(c.previous_pairs, "previous_pairs", n);
}

// ---- MENTORING ----------------------------------------------------------------------------------------------

struct MentoringState {
  std::vector<Pairing> pairs;
  std::vector<int> helpers_of;  // pairs per seeker
  std::vector<int> load;        // pairs per helper
  absl::flat_hash_set<int64_t> made;
};

void AddMentoringPair(const Problem& problem, int a, int b, bool kept, MentoringState* state) {
  state->pairs.push_back(Pairing{a, b, problem.Score(a, b), kept});
  ++state->helpers_of[a];
  ++state->load[b];
  state->made.insert(PairKey(a, b, problem.size()));
}

// Previous pairs that still fit, in the order given.
void KeepPreviousMentoring(const Problem& problem, const PairingConstraints& c, MentoringState* state) {
  if (c.previous_pairs_policy != PreviousPairsPolicy::kKeep) return;
  for (const MemberPair& p : c.previous_pairs) {
    if (state->made.contains(PairKey(p.a, p.b, problem.size()))) continue;
    if (problem.Weight(p.a, p.b) <= 0) continue;
    if (state->helpers_of[p.a] >= c.helpers_per_seeker) continue;
    if (state->load[p.b] >= problem.member(p.b).capacity) continue;
    AddMentoringPair(problem, p.a, p.b, /*kept=*/true, state);
  }
}

// Min-cost flow with supplies: each seeker supplies its free helper slots, each slot flows to the sink either
// through a helper (cost -weight) or through the seeker's own "unpaired" edge (cost 0), so a pair is made only
// when it adds to the total. Seekers are served in member order; the result does not depend on the order.
void ExactMentoring(const Problem& problem, const PairingConstraints& c, MentoringState* state) {
  const int n = problem.size();
  std::vector<int> seekers, helpers;
  for (int i = 0; i < n; ++i) {
    if (problem.IsSeeker(i) && state->helpers_of[i] < c.helpers_per_seeker) seekers.push_back(i);
    if (problem.IsHelper(i) && state->load[i] < problem.member(i).capacity) helpers.push_back(i);
  }
  const int sink = 0;
  const int first_seeker = 1;
  const int first_helper = first_seeker + static_cast<int>(seekers.size());
  internal::MinCostFlow flow(first_helper + static_cast<int>(helpers.size()));
  struct PairEdge {
    int id, a, b;
  };
  std::vector<PairEdge> pair_edges;
  for (size_t s = 0; s < seekers.size(); ++s) {
    const int a = seekers[s];
    const int node = first_seeker + static_cast<int>(s);
    for (size_t h = 0; h < helpers.size(); ++h) {
      const int b = helpers[h];
      const int32_t w = problem.Weight(a, b);
      if (w <= 0 || state->made.contains(PairKey(a, b, n))) continue;
      pair_edges.push_back({flow.AddEdge(node, first_helper + static_cast<int>(h), 1, {-w, 0}), a, b});
    }
    flow.AddEdge(node, sink, c.helpers_per_seeker - state->helpers_of[a], {0, 0});
  }
  for (size_t h = 0; h < helpers.size(); ++h) {
    const int b = helpers[h];
    const int free = problem.member(b).capacity - state->load[b];
    const int node = first_helper + static_cast<int>(h);
    if (c.balance_helper_load) {
      // The k-th seeker of a helper costs 2k - 1 (so a load of L costs L^2 in all), as a secondary cost only.
      const int units = std::min(free, static_cast<int>(seekers.size()));
      for (int k = state->load[b] + 1; k <= state->load[b] + units; ++k) flow.AddEdge(node, sink, 1, {0, 2 * k - 1});
    } else {
      flow.AddEdge(node, sink, free, {0, 0});
    }
  }
  for (size_t s = 0; s < seekers.size(); ++s) {
    flow.Send(first_seeker + static_cast<int>(s), sink, c.helpers_per_seeker - state->helpers_of[seekers[s]]);
  }
  for (const PairEdge& e : pair_edges) {
    if (flow.Flow(e.id) > 0) AddMentoringPair(problem, e.a, e.b, /*kept=*/false, state);
  }
}

// Greedy by weight over each seeker's best candidates; returns the upper bound (in weight units) of the pairs
// it could add: the smaller of "every seeker gets its best helpers" and "every helper gets its best seekers".
int64_t GreedyMentoring(const Problem& problem, const PairingConstraints& c, MentoringState* state) {
  const int n = problem.size();
  std::vector<std::tuple<int32_t, int, int>> edges;  // (-weight, seeker, helper)
  std::vector<std::vector<int32_t>> incoming(n);
  int64_t seeker_bound = 0;
  for (int a = 0; a < n; ++a) {
    const int free = c.helpers_per_seeker - state->helpers_of[a];
    if (!problem.IsSeeker(a) || free <= 0) continue;
    std::vector<int32_t> weights;
    for (int b = 0; b < n; ++b) {
      if (!problem.IsHelper(b) || state->load[b] >= problem.member(b).capacity) continue;
      if (state->made.contains(PairKey(a, b, n))) continue;
      const int32_t w = problem.Weight(a, b);
      if (w <= 0) continue;
      weights.push_back(w);
      incoming[b].push_back(w);
    }
    std::sort(weights.rbegin(), weights.rend());
    for (int k = 0; k < free && k < static_cast<int>(weights.size()); ++k) seeker_bound += weights[k];
    std::vector<char> none(n, 0);
    for (int b : problem.BestCandidates(a, kApproximateCandidates, none)) {
      if (problem.IsHelper(b)) edges.emplace_back(-problem.Weight(a, b), a, b);
    }
  }
  int64_t helper_bound = 0;
  for (int b = 0; b < n; ++b) {
    std::vector<int32_t>& w = incoming[b];
    std::sort(w.rbegin(), w.rend());
    const int free = problem.member(b).capacity - state->load[b];
    for (int k = 0; k < free && k < static_cast<int>(w.size()); ++k) helper_bound += w[k];
  }
  std::sort(edges.begin(), edges.end());
  for (const auto& [negative_weight, a, b] : edges) {
    if (state->helpers_of[a] >= c.helpers_per_seeker || state->load[b] >= problem.member(b).capacity) continue;
    if (state->made.contains(PairKey(a, b, n))) continue;
    AddMentoringPair(problem, a, b, /*kept=*/false, state);
  }
  return std::min(seeker_bound, helper_bound);
}

// ---- PEER ---------------------------------------------------------------------------------------------------

struct PeerState {
  std::vector<int> mate;   // -1 = unpaired
  std::vector<char> kept;  // the member's pair was kept from the previous round
};

void KeepPreviousPeer(const Problem& problem, const PairingConstraints& c, PeerState* state) {
  if (c.previous_pairs_policy != PreviousPairsPolicy::kKeep) return;
  for (const MemberPair& p : c.previous_pairs) {
    if (state->mate[p.a] >= 0 || state->mate[p.b] >= 0 || problem.Weight(p.a, p.b) <= 0) continue;
    state->mate[p.a] = p.b;
    state->mate[p.b] = p.a;
    state->kept[p.a] = state->kept[p.b] = 1;
  }
}

void ExactPeer(const Problem& problem, PeerState* state) {
  std::vector<int> open;  // members not in a kept pair
  for (int i = 0; i < problem.size(); ++i) {
    if (state->mate[i] < 0) open.push_back(i);
  }
  const int m = static_cast<int>(open.size());
  std::vector<int32_t> weights(static_cast<size_t>(m) * m, 0);
  for (int i = 0; i < m; ++i) {
    for (int j = i + 1; j < m; ++j) {
      const int32_t w = problem.Weight(open[i], open[j]);
      weights[static_cast<size_t>(i) * m + j] = weights[static_cast<size_t>(j) * m + i] = w;
    }
  }
  const std::vector<int> mate = internal::MaxWeightMatching(m, weights);
  for (int i = 0; i < m; ++i) {
    if (mate[i] >= 0) state->mate[open[i]] = open[mate[i]];
  }
}

// Greedy by weight over each member's best candidates, then 2-opt rounds: two pairs (an unpaired member counts
// as a pair with nobody) are re-paired crosswise when that raises their total. Only pairs of units where a member
// of one is among the best candidates of a member of the other are tried, so a round is O(n * candidates).
void ApproximatePeer(const Problem& problem, const PairingOptions& options, PeerState* state) {
  const int n = problem.size();
  std::vector<char> excluded(state->kept.begin(), state->kept.end());
  std::vector<std::vector<int>> candidates(n);
  std::vector<std::tuple<int32_t, int, int>> edges;
  for (int a = 0; a < n; ++a) {
    if (excluded[a]) continue;
    candidates[a] = problem.BestCandidates(a, kApproximateCandidates, excluded);
    for (int b : candidates[a]) edges.emplace_back(-problem.Weight(a, b), std::min(a, b), std::max(a, b));
  }
  std::sort(edges.begin(), edges.end());
  for (const auto& [negative_weight, a, b] : edges) {
    if (state->mate[a] < 0 && state->mate[b] < 0) {
      state->mate[a] = b;
      state->mate[b] = a;
    }
  }
  // Units: two slots each (-1 = nobody); unit_of[member] is the unit holding it.
  std::vector<std::array<int, 2>> units;
  std::vector<int> unit_of(n, -1);
  for (int i = 0; i < n; ++i) {
    if (excluded[i] || (state->mate[i] >= 0 && state->mate[i] < i)) continue;
    unit_of[i] = static_cast<int>(units.size());
    if (state->mate[i] >= 0) unit_of[state->mate[i]] = unit_of[i];
    units.push_back({i, state->mate[i]});
  }
  const auto w = [&](int a, int b) -> int64_t { return a < 0 || b < 0 ? 0 : problem.Weight(a, b); };
  const auto place = [&](int unit, int a, int b) {
    units[unit] = {a, b};
    if (a >= 0) unit_of[a] = unit;
    if (b >= 0) unit_of[b] = unit;
  };
  for (int round = 0; round < options.max_improvement_rounds; ++round) {
    bool improved = false;
    for (int x = 0; x < n; ++x) {
      if (excluded[x]) continue;
      for (int y : candidates[x]) {
        const int p = unit_of[x];
        const int q = unit_of[y];
        if (p == q) continue;
        // Orient both units so x and y come first: the move tried pairs x with y.
        const int a = x;
        const int b = units[p][0] == x ? units[p][1] : units[p][0];
        const int c = y;
        const int d = units[q][0] == y ? units[q][1] : units[q][0];
        if (w(a, c) + w(b, d) > w(a, b) + w(c, d)) {
          place(p, a, c);
          place(q, b, d);
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  for (int i = 0; i < n; ++i) {
    if (!state->kept[i]) state->mate[i] = -1;
  }
  for (const auto& [a, b] : units) {
    if (a >= 0 && b >= 0 && w(a, b) > 0) {
      state->mate[a] = b;
      state->mate[b] = a;
    }
  }
}

int64_t PeerUpperBound(const Problem& problem, const PeerState& state) {
  // Each pair's weight is at most the mean of its members' best weights, so half the sum of every open
  // member's best weight bounds the open part; kept pairs count as they are.
  int64_t doubled = 0;
  const int n = problem.size();
  for (int a = 0; a < n; ++a) {
    if (state.kept[a]) {
      doubled += problem.RawWeight(a, state.mate[a]);
      continue;
    }
    int32_t best = 0;
    for (int b = 0; b < n; ++b) {
      if (!state.kept[b]) best = std::max(best, problem.Weight(a, b));
    }
    doubled += best;
  }
  return doubled / 2;
}

bool HasCandidate(const Problem& problem, int a) {
  for (int b = 0; b < problem.size(); ++b) {
    if (problem.Weight(a, b) > 0) return true;
  }
  return false;
}

void SortPairs(std::vector<Pairing>* pairs) {
  std::sort(pairs->begin(), pairs->end(), [](const Pairing& x, const Pairing& y) {
    if (x.score != y.score) return x.score > y.score;
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
}

void Totals(PairingResult* result) {
  result->total_score = 0;
  result->total_weight = 0;
  for (const Pairing& p : result->pairs) {
    result->total_score += p.score;
    result->total_weight += PairingWeight(p.score);
  }
}

PairingResult PairMentoring(const Problem& problem, const PairingConstraints& c, const PairingOptions& options) {
  const int n = problem.size();
  MentoringState state;
  state.helpers_of.assign(n, 0);
  state.load.assign(n, 0);
  KeepPreviousMentoring(problem, c, &state);
  PairingResult result;
  int64_t bound = 0;
  if (n <= options.max_exact_size) {
    ExactMentoring(problem, c, &state);
    result.optimal = true;
    result.method = c.balance_helper_load ? "min-cost flow, balanced helper load (exact)" : "min-cost flow (exact)";
  } else {
    int64_t kept_weight = 0;
    for (const Pairing& p : state.pairs) kept_weight += PairingWeight(p.score);
    bound = kept_weight + GreedyMentoring(problem, c, &state);
    result.method = "greedy by score (approximate)";
  }
  result.pairs = std::move(state.pairs);
  SortPairs(&result.pairs);
  Totals(&result);
  result.upper_bound = result.optimal ? result.total_score
                                      : std::max(result.total_score, static_cast<double>(bound) / kPairingScoreScale);

  for (int i = 0; i < n; ++i) {
    UnpairedMember u;
    u.member = i;
    if (problem.IsSeeker(i)) {
      if (state.helpers_of[i] > 0) continue;
      int candidates = 0;
      int best = -1;
      for (int b = 0; b < n; ++b) {
        if (problem.Weight(i, b) <= 0) continue;
        ++candidates;
        if (best < 0 || problem.Score(i, b) > problem.Score(i, best)) best = b;
      }
      if (candidates == 0) {
        u.reason = UnpairedReason::kNoCandidate;
        u.detail = problem.NoCandidateDetail(i);
      } else {
        u.reason = UnpairedReason::kCapacityExhausted;
        u.detail = absl::StrCat(candidates, candidates == 1 ? " candidate" : " candidates",
                                ", all at capacity with pairs that add more to the total; best ",
                                problem.member(best).name, " scores ", FormatScore(problem.Score(i, best)));
      }
    } else {
      if (state.load[i] > 0) continue;
      u.reason = UnpairedReason::kNothingAsked;
      u.detail = problem.IsHelper(i) ? "nothing asked, and no seeker was paired with them as a helper"
                                     : "nothing asked, and nothing offered with capacity > 0";
    }
    result.unpaired.push_back(std::move(u));
  }
  return result;
}

PairingResult PairPeer(const Problem& problem, const PairingConstraints& c, const PairingOptions& options) {
  const int n = problem.size();
  PeerState state;
  state.mate.assign(n, -1);
  state.kept.assign(n, 0);
  KeepPreviousPeer(problem, c, &state);
  PairingResult result;
  if (n <= options.max_exact_size) {
    ExactPeer(problem, &state);
    result.optimal = true;
    result.method = "weighted blossom (exact)";
  } else {
    ApproximatePeer(problem, options, &state);
    result.method = "greedy + 2-opt (approximate)";
  }
  for (int a = 0; a < n; ++a) {
    const int b = state.mate[a];
    if (b > a) result.pairs.push_back(Pairing{a, b, problem.Score(a, b), state.kept[a] != 0});
  }
  SortPairs(&result.pairs);
  Totals(&result);
  result.upper_bound =
      result.optimal
          ? result.total_score
          : std::max(result.total_score, static_cast<double>(PeerUpperBound(problem, state)) / kPairingScoreScale);
  for (int i = 0; i < n; ++i) {
    if (state.mate[i] >= 0) continue;
    UnpairedMember u;
    u.member = i;
    if (!HasCandidate(problem, i)) {
      u.reason = UnpairedReason::kNoCandidate;
      u.detail = problem.NoCandidateDetail(i);
    } else {
      u.reason = UnpairedReason::kPartnersTaken;
      int best = -1;
      int candidates = 0;
      for (int b = 0; b < n; ++b) {
        if (problem.Weight(i, b) <= 0) continue;
        ++candidates;
        if (best < 0 || problem.Score(i, b) > problem.Score(i, best)) best = b;
      }
      u.detail = absl::StrCat(candidates, candidates == 1 ? " candidate" : " candidates",
                              ", each paired with someone else for a higher total; best ", problem.member(best).name,
                              " scores ", FormatScore(problem.Score(i, best)));
      if (state.mate[best] >= 0)
        absl::StrAppend(&u.detail, " (paired with ", problem.member(state.mate[best]).name, ")");
    }
    result.unpaired.push_back(std::move(u));
  }
  return result;
}

}  // namespace

int64_t PairingWeight(double score) { return std::llround(score * kPairingScoreScale); }

absl::StatusOr<PairingResult> PairCohort(const Eigen::Ref<const Eigen::MatrixXf>& scores,
                                         absl::Span<const CohortMember> members, const PairingParams& params,
                                         const PairingOptions& options) {
  if (absl::Status status = Validate(scores, members, params); !status.ok()) return status;
  const Problem problem(scores, members, params);
  return params.mode == PairingMode::kMentoring ? PairMentoring(problem, params.constraints, options)
                                                : PairPeer(problem, params.constraints, options);
}

absl::StatusOr<IndexPairingResult> PairCohortFromIndex(const Index& index, absl::Span<const Profile> cohort,
                                                       const MatchParams& match_params, const PairingParams& params,
                                                       const PairingOptions& options) {
  std::vector<ProfileKey> keys;
  keys.reserve(cohort.size());
  bool several_owners = false;
  for (size_t i = 0; i < cohort.size(); ++i) {
    const Profile& p = cohort[i];
    if (p.kind != ProfileKind::kBuddy) {
      return absl::InvalidArgumentError(absl::StrFormat("cohort[%d]: profile \"%s\" is a %s, expected a BUDDY", i,
                                                        p.key.id, ProfileKindName(p.kind)));
    }
    if (i > 0 && !(cohort[i - 1].key < p.key)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("cohort[%d]: profiles must be distinct and in (owner, id) order", i));
    }
    if (i > 0 && p.key.owner != cohort[0].key.owner) several_owners = true;
    keys.push_back(p.key);
  }
  MatchParams score_params = match_params;
  score_params.type = MatchType::kBuddiesForBuddy;
  score_params.k = 1;  // ScoreAll ranks nothing, but validates k like FindMatches
  absl::StatusOr<ScoreMatrix> matrix = index.ScoreAll(cohort, keys, score_params);
  if (!matrix.ok()) return matrix.status();

  std::vector<CohortMember> members;
  members.reserve(cohort.size());
  for (const Profile& p : cohort) {
    CohortMember m;
    m.name = several_owners ? absl::StrCat(p.key.owner, "/", p.key.id) : p.key.id;
    m.organization = p.organization;
    m.has_asks = !p.asks.empty();
    m.has_offers = !p.offers.empty();
    m.capacity = p.capacity;
    members.push_back(std::move(m));
  }
  absl::StatusOr<PairingResult> pairing = PairCohort(matrix->scores, members, params, options);
  if (!pairing.ok()) return pairing.status();
  IndexPairingResult result;
  result.pairing = *std::move(pairing);
  result.index_version = matrix->index_version;
  result.weights = matrix->weights.empty() ? FacetWeights{} : matrix->weights[0];
  for (size_t i = 0; i < cohort.size(); ++i) {
    if (members[i].has_asks) {
      result.weights = matrix->weights[i];
      break;
    }
  }
  return result;
}

}  // namespace circmatch
