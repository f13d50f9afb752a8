// Pairing a whole cohort of buddies at once: the pairs with the maximum total score under capacities and
// constraints (docs/MATCHING.md, "Pairing a cohort").
//
// Two layers. `PairCohort` is the algorithm on a plain score matrix (scores(i, j) = member i's asks against
// member j's offers), so it can be fed matrices directly. `PairCohortFromIndex` glues it to an Index: it scores
// the cohort with Index::ScoreAll (MatchType::kBuddiesForBuddy) and describes the members from their profiles.
//
// MENTORING is a maximum-weight bipartite b-matching, solved exactly by min-cost flow; PEER is a maximum-weight
// matching in a general graph on the mutual score, solved exactly by a weighted blossom algorithm. Above
// `PairingOptions::max_exact_size` members a greedy approximation runs instead and reports an upper bound.
//
// Scores are turned into integer weights, round(score * kPairingScoreScale), so totals are exact and equal
// totals compare equal; a pair whose weight rounds to 0 adds nothing and is never made.
//
// Thread-safety: pure functions of their inputs; PairCohortFromIndex reads the Index, which is thread-safe.
//
//   PairingParams params;
//   params.mode = PairingMode::kPeer;
//   params.constraints.min_score = 0.2;
//   absl::StatusOr<PairingResult> result = PairCohort(scores, members, params);
//   for (const Pairing& pair : result->pairs) ... members[pair.a], members[pair.b], pair.score ...
#ifndef CIRCMATCH_PAIRING_H_
#define CIRCMATCH_PAIRING_H_

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/index.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"

namespace circmatch {

// Scores are multiplied by this and rounded to integer weights.
inline constexpr double kPairingScoreScale = 1e6;

enum class PairingMode {
  // Seekers (members with asks) get helpers (members with offers and capacity > 0); score a's asks vs b's offers.
  kMentoring,
  // Everyone gets at most one partner; score = (score(a, b) + score(b, a)) / 2.
  kPeer,
};

enum class PreviousPairsPolicy {
  kAvoid,  // never make a previous pair again (either direction)
  kKeep,   // keep previous pairs that still pass the constraints, pair the rest around them
};

enum class UnpairedReason { kNothingAsked, kNoCandidate, kCapacityExhausted, kPartnersTaken };

// Two members by their index in the cohort. MENTORING: a is the seeker, b the helper.
struct MemberPair {
  int a = 0;
  int b = 0;
};

// What the algorithm needs to know about a member besides scores.
struct CohortMember {
  std::string name;          // for the detail messages, e.g. "buddy-0042"
  std::string organization;  // compared as OrganizationKey (accents folded, case, spacing); empty = unknown
  bool has_asks = false;     // MENTORING: a seeker
  bool has_offers = false;   // MENTORING: a helper when capacity > 0 too
  int capacity = 0;          // MENTORING: how many seekers this member helps at most (>= 0)
};

struct PairingConstraints {
  // Pairs within one organization are allowed (an empty organization never equals another).
  bool allow_same_organization = false;
  // No pair scores below this; 0..1.
  double min_score = 0;
  // Never made. MENTORING: seeker a with helper b; PEER: either order.
  std::vector<MemberPair> forbidden_pairs;
  // Pairs of an earlier round, handled by `previous_pairs_policy`.
  std::vector<MemberPair> previous_pairs;
  PreviousPairsPolicy previous_pairs_policy = PreviousPairsPolicy::kAvoid;
  // MENTORING: helpers per seeker, 1..10.
  int helpers_per_seeker = 1;
  // MENTORING: among pairings of the same total, the one with the smallest sum of squared helper loads.
  bool balance_helper_load = false;
};

struct PairingParams {
  PairingMode mode = PairingMode::kMentoring;
  PairingConstraints constraints;
};

struct PairingOptions {
  // Cohorts up to this size are paired exactly; larger ones by the greedy approximation.
  int max_exact_size = 2000;
  // Rounds of 2-opt improvement after the greedy PEER approximation (each O(pairs^2)).
  int max_improvement_rounds = 20;
};

// One pair made.
struct Pairing {
  int a = 0;
  int b = 0;
  double score = 0;  // MENTORING: scores(a, b); PEER: the mean of both directions
  bool kept_from_previous = false;
};

struct UnpairedMember {
  int member = 0;
  UnpairedReason reason = UnpairedReason::kNoCandidate;
  std::string detail;  // the reason in words, naming the best candidate where there is one
};

struct PairingResult {
  std::vector<Pairing> pairs;            // by descending score, ties by (a, b)
  std::vector<UnpairedMember> unpaired;  // by member index
  double total_score = 0;                // sum of the pairs' scores
  int64_t total_weight = 0;              // sum of the pairs' integer weights (exact)
  double upper_bound = 0;                // no pairing under the same constraints scores more
  bool optimal = false;                  // total proven maximal (then upper_bound == total_score)
  std::string method;                    // e.g. "min-cost flow (exact)"
};

// Pairs the cohort. `scores` is n x n (n = members.size()) with scores in [0, 1]; the diagonal is ignored.
// Member indices in constraints refer to `members`. Ties between equal totals are broken deterministically by
// member order (pass members in (owner, id) order). INVALID_ARGUMENT, naming the field, for a matrix of the
// wrong shape, a score outside [0, 1], min_score outside [0, 1], helpers_per_seeker outside 1..10, a negative
// capacity, or a pair with an index out of range or a member with itself.
absl::StatusOr<PairingResult> PairCohort(const Eigen::Ref<const Eigen::MatrixXf>& scores,
                                         absl::Span<const CohortMember> members, const PairingParams& params,
                                         const PairingOptions& options = PairingOptions());

// The integer weight of a score.
int64_t PairingWeight(double score);

// The result of PairCohortFromIndex: the pairing plus what the scores were computed with.
struct IndexPairingResult {
  PairingResult pairing;
  FacetWeights weights;  // the normalized buddy weights (of the first member that asks anything)
  uint64_t index_version = 0;
};

// Scores `cohort` (stored, normalized BUDDY profiles in (owner, id) order, no duplicates) against itself with
// Index::ScoreAll (match type kBuddiesForBuddy with `match_params.weights` and `match_params.viewer`) and pairs
// it. Member names in details are the profile ids, with the owner when the cohort has several owners.
// INVALID_ARGUMENT for a cohort out of order or of another kind; errors of ScoreAll and PairCohort otherwise.
absl::StatusOr<IndexPairingResult> PairCohortFromIndex(const Index& index, absl::Span<const Profile> cohort,
                                                       const MatchParams& match_params, const PairingParams& params,
                                                       const PairingOptions& options = PairingOptions());

}  // namespace circmatch

#endif  // CIRCMATCH_PAIRING_H_
