#include "testing/reference.h"

#include <algorithm>

namespace circmatch {
namespace internal {

TextIdf CorpusIdf(const Vectorizer& vectorizer, absl::Span<const Profile> stored) {
  std::vector<int32_t> document_frequency(static_cast<size_t>(vectorizer.options().text_hash_buckets), 0);
  int64_t documents = 0;
  for (const Profile& profile : stored) {
    if (profile.visibility != Visibility::kShared) continue;
    for (int bucket : vectorizer.DocumentBuckets(CandidateFacets(profile))) ++document_frequency[bucket];
    ++documents;
  }
  return TextIdf::FromDocumentFrequencies(document_frequency, documents);
}

absl::StatusOr<std::vector<Match>> ReferenceRankAll(const Vectorizer& vectorizer, const TextIdf& idf,
                                                    absl::Span<const Profile> stored, const Profile& query,
                                                    const MatchParams& params, double location_decay_km) {
  absl::StatusOr<ResolvedParams> resolved =
      ResolveParams(vectorizer.vocabulary(), query, params, vectorizer.options().embedding_dimension);
  if (!resolved.ok()) return resolved.status();
  std::vector<Match> out;
  for (const Profile& candidate : stored) {
    const PairSimilarity pair =
        ScorePair(vectorizer, idf, query, candidate, params.type, resolved->weights, location_decay_km);
    if (!FindExclusions(vectorizer.vocabulary(), query, candidate, params, *resolved, pair.distance_km).empty()) {
      continue;
    }
    const double score = std::clamp(pair.score, 0.0, 1.0);
    if (score < params.filter.min_score) continue;
    Match match;
    match.key = candidate.key;
    match.score = score;
    out.push_back(std::move(match));
  }
  std::sort(out.begin(), out.end(),
            [](const Match& a, const Match& b) { return a.score != b.score ? a.score > b.score : a.key < b.key; });
  return out;
}

absl::StatusOr<std::vector<Match>> ReferenceFindMatches(const Vectorizer& vectorizer, const TextIdf& idf,
                                                        absl::Span<const Profile> stored, const Profile& query,
                                                        const MatchParams& params, double location_decay_km) {
  absl::StatusOr<std::vector<Match>> all = ReferenceRankAll(vectorizer, idf, stored, query, params, location_decay_km);
  if (all.ok() && static_cast<int>(all->size()) > params.k) all->resize(static_cast<size_t>(params.k));
  return all;
}

}  // namespace internal
}  // namespace circmatch
