// The exact reference the fast Index is checked against: scores every stored profile one by one from its facet
// values (vectorized independently, plain loops, the plain filter rules of scorer.h), then fully sorts. Slow
// on purpose; used by tests and the benchmark, never shipped (engine/CMakeLists.txt: circmatch_engine_reference).
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_ENGINE_TESTING_REFERENCE_H_
#define CIRCMATCH_ENGINE_TESTING_REFERENCE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/index.h"
#include "circmatch/scorer.h"
#include "circmatch/vectorizer.h"

namespace circmatch {
namespace internal {

// The IDF the index uses right after it has indexed exactly `stored` (one document per shared profile: the
// text of its CandidateFacets side; private profiles are not counted).
TextIdf CorpusIdf(const Vectorizer& vectorizer, absl::Span<const Profile> stored);

// One pair scored from its profiles alone: both sides vectorized (text with `idf`), per-facet cosines in double
// (clamped to [0, 1]), the location similarity of DistanceKm, and the sum of FacetContributionOf. Facets with
// weight 0 are skipped (similarity 0).
PairSimilarity ScorePair(const Vectorizer& vectorizer, const TextIdf& idf, const Profile& query,
                         const Profile& candidate, MatchType type, const FacetWeights& weights, double decay_km);

// Every eligible candidate among `stored` for `query`, best first (score descending, then key ascending);
// `params.k` is ignored. Explanations are left empty. Same errors as Index::FindMatches.
absl::StatusOr<std::vector<Match>> ReferenceRankAll(const Vectorizer& vectorizer, const TextIdf& idf,
                                                    absl::Span<const Profile> stored, const Profile& query,
                                                    const MatchParams& params, double location_decay_km);

// ReferenceRankAll truncated to params.k.
absl::StatusOr<std::vector<Match>> ReferenceFindMatches(const Vectorizer& vectorizer, const TextIdf& idf,
                                                        absl::Span<const Profile> stored, const Profile& query,
                                                        const MatchParams& params, double location_decay_km);

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_TESTING_REFERENCE_H_
