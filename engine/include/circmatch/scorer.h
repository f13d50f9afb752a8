// The scoring rules shared by the fast index and the exact reference: default weights per match type (the one
// place they are set), weight overrides and normalization, which facets of which profile are compared, the
// location similarity, the open window of tenders, the hard filters, and the per-pair facet similarities.
//
// Thread-safety: pure functions; the borrowed Vocabulary/Vectorizer/TextIdf are only read.
//
//   absl::StatusOr<ResolvedParams> resolved = ResolveParams(vocabulary, query, params);
//   if (!resolved.ok()) return resolved.status();  // INVALID_ARGUMENT naming the field
//   FacetWeights w = resolved->weights;             // sums to 1 over the facets the query has
#ifndef CIRCMATCH_SCORER_H_
#define CIRCMATCH_SCORER_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "circmatch/explanation.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/vectorizer.h"
#include "circmatch/vocabulary.h"

namespace circmatch {

// Mean Earth radius (IUGG), km.
inline constexpr double kEarthRadiusKm = 6371.0088;

// The one distance of the product: every ranking, filter, explanation, ExplainMatch and alert measures a pair
// with these, so that a pair at a distance limit is inside it for all of them or for none.
// The cosine of the angle between two points as unit vectors (Vectorizer::LocationVector), summed x, y, z.
inline double PointCosine(const double* a, const double* b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
// The great-circle distance, km, of that cosine.
inline double DistanceKmOfCosine(double cosine) { return kEarthRadiusKm * std::acos(std::clamp(cosine, -1.0, 1.0)); }
// The great-circle distance between two points, km: DistanceKmOfCosine of their PointCosine.
double DistanceKm(const GeoPoint& a, const GeoPoint& b);

// 1 when `distance_km` <= `radius_km`, else exp(-(distance_km - radius_km) / decay_km).
double LocationSimilarity(double distance_km, double radius_km, double decay_km);

// The service radius that applies to a pair: the supplier's (the candidate for kSuppliersForTender, the query
// for kTendersForSupplier); 0 for buddies.
double ServiceRadiusKm(MatchType type, const Profile& query, const Profile& candidate);

// The side of the query that is matched: needs (suppliers for a tender), capabilities (tenders for a supplier),
// asks (buddies).
const FacetValues& QueryFacets(MatchType type, const Profile& query);

// The side of a stored profile that candidates are ranked by, per kind: TENDER and BUYER needs, SUPPLIER
// capabilities, BUDDY offers. This is the side the index keeps in its matrices.
const FacetValues& CandidateFacets(const Profile& profile);

// The kind of profile a match type ranks.
ProfileKind CandidateKind(MatchType type);

// True when a tender is open at `now`: publication_time <= now < closing_time, a missing bound unbounded.
bool IsOpenAt(const Profile& profile, int64_t now_unix_seconds);

// Which facets of the query side have something to compare (values, a located point, an embedding, text with
// at least one term).
std::array<bool, kFacetCount> QueryFacetPresence(const Vocabulary& vocabulary, MatchType type, const Profile& query);

// A request after validation.
struct ResolvedParams {
  FacetWeights weights;                              // normalized, 0 for facets the query lacks
  std::vector<std::string> required_certifications;  // canonical (Vocabulary::CanonicalCertification), sorted
  std::vector<std::string> excluded_organizations;   // as OrganizationKey, empty ones dropped; for
                                                     // kSimilarBuyers also the query's own organization
};

// The key organizations are compared by: accents folded, lower case, spacing trimmed.
std::string OrganizationKey(absl::string_view organization);

// Validates `params` for `query` and resolves weights and filters. INVALID_ARGUMENT with the field name:
// "k: must be between 1 and 1000, got 0", "weights.cpv: must be a finite number >= 0",
// "weights: all facet weights are 0 for this query", "query: ..." (wrong kind for the match type),
// "filter.required_certifications[0]: must contain a letter or digit", "filter.max_distance_km: ...",
// "filter.min_score: ...".
absl::StatusOr<ResolvedParams> ResolveParams(const Vocabulary& vocabulary, const Profile& query,
                                             const MatchParams& params, int embedding_dimension);

// True when a supplier's stated service radius does not reach the other side of the pair: `distance_km` is known
// and larger than ServiceRadiusKm, which is stated (> 0).
bool OutOfReach(MatchType type, const Profile& query, const Profile& candidate, std::optional<double> distance_km);

// The hard filters that exclude `candidate` for `query`, in the order kind, visibility (what params.viewer may
// not see: MayView, visibility.h), publication_time / closing_time, filter.exclude (and the query itself, field
// "candidate"), filter.exclude_organizations, filter.required_certifications, filter.max_distance_km,
// service_radius_km (reach, unless filter.include_out_of_reach). `filter.min_score` needs the score and is left to
// the caller. `distance_km` is the pair's distance (nullopt when either lacks a point).
std::vector<Exclusion> FindExclusions(const Vocabulary& vocabulary, const Profile& query, const Profile& candidate,
                                      const MatchParams& params, const ResolvedParams& resolved,
                                      std::optional<double> distance_km);

// What a facet adds to a score: its weight times its similarity times the pair's ScoreFactor. A score is the
// sum of these over the facets that weigh, in Facet order, so an explanation's contributions add up to it
// exactly.
inline double FacetContributionOf(double weight, double similarity, double factor) {
  return weight * similarity * factor;
}

// How one pair scored: per-facet similarities, each in [0, 1], the factor, the distance, and the score.
struct PairSimilarity {
  FacetWeights similarity{};  // indexed by Facet
  std::optional<double> distance_km;
  bool within_service_radius = false;
  bool out_of_reach = false;  // OutOfReach
  // ScoreFactor of the pair: the score is multiplied by it
  double factor = 1;
  bool holds_named_certifications = true;  // of the query's FacetValues::named_certifications
  // the sum of FacetContributionOf over the facets that weigh, in Facet order
  double score = 0;
  // The text buckets both sides hold, by bucket, each with the product of their two values: what each of the
  // query's words added to the text similarity (the explanation's shared terms).
  std::vector<std::pair<int, double>> text_products;
};

}  // namespace circmatch

#endif  // CIRCMATCH_SCORER_H_
