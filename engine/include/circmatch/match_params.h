// Per-request settings of a match: what is matched against what, how many, the facet weights and the hard
// filters. One struct, `MatchParams`, carries all of it.
//
// Thread-safety: plain values.
#ifndef CIRCMATCH_MATCH_PARAMS_H_
#define CIRCMATCH_MATCH_PARAMS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "circmatch/profile.h"

namespace circmatch {

// The facets of the model, in the order of the API's `Facet` enum (minus its unspecified value).
enum class Facet {
  kCpv,
  kStrategies,
  kMaterials,
  kCertifications,
  kLocation,
  kPhases,
  kTopics,
  kText,
  kEmbedding,
};
inline constexpr int kFacetCount = 9;

// Lower-case name as in the API ("cpv", "strategies", ...).
const char* FacetName(Facet facet);

// What is matched against what.
enum class MatchType {
  kSuppliersForTender,  // query: a tender's (or buyer's) needs; candidates: suppliers' capabilities
  kTendersForSupplier,  // query: a supplier's capabilities; candidates: open tenders' needs
  kBuddiesForBuddy,     // query: a buddy's asks; candidates: other buddies' offers
  kSimilarBuyers,       // query: a buyer's or tender's needs; candidates: other buyers' needs (joint procurement)
};

// One weight per facet, indexed by `Facet`.
using FacetWeights = std::array<double, kFacetCount>;

// The default weights of each match type, before normalization. The one place they are set; documented in
// docs/MATCHING.md.
FacetWeights DefaultWeights(MatchType type);

// Per-facet overrides of the defaults; unset entries keep the default.
using WeightOverrides = std::array<std::optional<double>, kFacetCount>;

// Hard filters, applied before ranking.
struct MatchFilter {
  // The candidate must hold all of these (a higher CO2-Prestatieladder level satisfies a lower one).
  std::vector<std::string> required_certifications;
  // At most this far from the query, in km; candidates without a location fail. 0 = no limit.
  double max_distance_km = 0;
  // Never returned.
  std::vector<ProfileKey> exclude;
  // Candidates whose organization equals one of these (case-insensitive) are never returned.
  std::vector<std::string> exclude_organizations;
  // Only candidates scoring at least this.
  double min_score = 0;
  // Reach is a hard filter: a supplier is not suggested for a tender beyond its own stated service radius, and
  // a supplier is not shown tenders beyond it (a radius of 0 states none; a side without a point cannot be
  // measured and passes). True keeps such candidates, marked `out_of_reach` in their explanation.
  bool include_out_of_reach = false;
};

// Everything about one match request except the query itself.
struct MatchParams {
  MatchType type = MatchType::kSuppliersForTender;
  // How many results; 1..kMaxK.
  int k = 10;
  WeightOverrides weights;
  MatchFilter filter;
  // Whose request this is: candidates are the viewer's own profiles and shared ones (MayView, visibility.h).
  // Empty = every profile (a deployment without tenants).
  std::string viewer;
  // "Now" in Unix seconds, for open tenders: a tender is open when publication_time <= now < closing_time.
  int64_t now_unix_seconds = 0;
  // When set, asked every kRowsPerInterruptCheck candidate rows of a search or pairs of ScoreAll: a status other
  // than OK stops it and FindMatches (ScoreAll) returns that status (the server's says so once the call is cancelled or
  // its deadline passed), so a request nobody waits for no longer keeps a core busy.
  std::function<absl::Status()> interrupt;
};

inline constexpr int kRowsPerInterruptCheck = 1 << 14;

inline constexpr int kMaxK = 1000;
// The most words the text of a query may hold (about 30 pages); ResolveParams refuses a longer one.
inline constexpr int kMaxQueryTextWords = 10000;

}  // namespace circmatch

#endif  // CIRCMATCH_MATCH_PARAMS_H_
