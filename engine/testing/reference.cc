#include "testing/reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace circmatch {
namespace internal {
namespace {

// The dot product of two unit vectors, in double.
double CosineInDouble(const SparseVector& a, const SparseVector& b) { return a.cast<double>().dot(b.cast<double>()); }

}  // namespace

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

PairSimilarity ScorePair(const Vectorizer& vectorizer, const TextIdf& idf, const Profile& query,
                         const Profile& candidate, MatchType type, const FacetWeights& weights, double decay_km) {
  PairSimilarity out;
  const FacetValues& q = QueryFacets(type, query);
  const FacetValues& c = CandidateFacets(candidate);
  if (query.location.point && candidate.location.point) {
    out.distance_km = DistanceKm(*candidate.location.point, *query.location.point);  // as the index: row · query
    out.within_service_radius = *out.distance_km <= ServiceRadiusKm(type, query, candidate);
    out.out_of_reach = OutOfReach(type, query, candidate, out.distance_km);
  }
  for (int f = 0; f < kFacetCount; ++f) {
    if (weights[f] <= 0) continue;
    const Facet facet = static_cast<Facet>(f);
    double similarity = 0;
    switch (facet) {
      case Facet::kLocation:
        if (out.distance_km) {
          similarity = LocationSimilarity(*out.distance_km, ServiceRadiusKm(type, query, candidate), decay_km);
        }
        break;
      case Facet::kText:
        similarity = CosineInDouble(vectorizer.Text(q, idf), vectorizer.Text(c, idf));
        break;
      case Facet::kEmbedding:
        if (!query.embedding.empty() && candidate.embedding.size() == query.embedding.size()) {
          similarity = static_cast<double>(
              Vectorizer::EmbeddingVector(query.embedding).dot(Vectorizer::EmbeddingVector(candidate.embedding)));
        }
        break;
      default:
        similarity = CosineInDouble(vectorizer.Categorical(facet, q, Vectorizer::Side::kQuery),
                                    vectorizer.Categorical(facet, c));
    }
    out.similarity[f] = std::clamp(similarity, 0.0, 1.0);
  }
  if (!q.named_certifications.empty()) {
    const std::vector<std::string> held = vectorizer.vocabulary().HeldCertifications(c.certifications);
    out.holds_named_certifications =
        std::includes(held.begin(), held.end(), q.named_certifications.begin(), q.named_certifications.end());
  }
  out.factor = ScoreFactor(vectorizer.options(), type, q, c.intermediary, out.holds_named_certifications,
                           out.distance_km.value_or(std::numeric_limits<double>::quiet_NaN()));
  for (int f = 0; f < kFacetCount; ++f) {
    if (weights[f] > 0) out.score += FacetContributionOf(weights[f], out.similarity[f], out.factor);
  }
  return out;
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
    const double score = pair.score;
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
