#include "scoring/query_scorer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "circmatch/scorer.h"

namespace circmatch {
namespace internal {

QueryScorer::QueryScorer(const Segment& segment, const Vectorizer& vectorizer, const TextIdf& idf, const Profile& query,
                         const MatchParams& params, const FacetWeights& weights, double location_decay_km,
                         std::vector<int32_t> named_certification_ids)
    : segment_(segment),
      type_(params.type),
      decay_km_(location_decay_km),
      weights_(weights),
      named_certification_ids_(std::move(named_certification_ids)) {
  const FacetValues& q = QueryFacets(params.type, query);
  for (int f = 0; f < kFacetCount; ++f) {
    const Facet facet = static_cast<Facet>(f);
    const float weight = static_cast<float>(weights[f]);
    if (weight <= 0 || !IsSparseFacet(facet)) continue;
    const SparseVector vector =
        facet == Facet::kText ? vectorizer.Text(q, idf) : vectorizer.Categorical(facet, q, Vectorizer::Side::kQuery);
    if (vector.nonZeros() == 0) continue;
    const absl::Span<const int> indices = Indices(vector);
    const absl::Span<const float> values = Values(vector);
    const int columns = segment.sparse[f].cols();
    SparseFacet sparse{f,
                       weight,
                       std::vector<uint64_t>((columns + 63) / 64, 0),
                       columns <= kDenseQueryColumns ? Eigen::VectorXf::Zero(columns) : Eigen::VectorXf(),
                       terms_.size(),
                       terms_.size() + indices.size()};
    for (size_t i = 0; i < indices.size(); ++i) {
      const int column = indices[i];
      if (sparse.dense.size() > 0) sparse.dense[column] = values[i];
      sparse.held[column / 64] |= uint64_t{1} << (column % 64);
      terms_.push_back(Term{f, column, values[i], weight});
      facet_of_term_.push_back(static_cast<int>(sparse_.size()));
    }
    sparse_.push_back(std::move(sparse));
  }

  location_weight_ = static_cast<float>(weights[static_cast<int>(Facet::kLocation)]);
  point_ = Vectorizer::LocationVector(query.location);
  const bool reach_applies = !params.filter.include_out_of_reach &&
                             (params.type == MatchType::kSuppliersForTender ||
                              (params.type == MatchType::kTendersForSupplier && query.service_radius_km > 0));
  need_distance_ = point_.has_value() && (location_weight_ > 0 || params.filter.max_distance_km > 0 || reach_applies ||
                                          q.named_max_distance_km > 0);
  if (!point_) location_weight_ = 0;
  query_radius_km_ = query.service_radius_km;
  query_facets_ = &q;
  options_ = &vectorizer.options();
  // Any factor that may fall below 1 for some row.
  factors_apply_ = ScoreFactor(*options_, type_, q, /*intermediary=*/true, named_certification_ids_.empty(),
                               q.named_max_distance_km > 0 ? q.named_max_distance_km + 1 : 0.0) < 1.0f;

  embedding_weight_ = static_cast<float>(weights[static_cast<int>(Facet::kEmbedding)]);
  if (embedding_weight_ > 0 && segment.embedding_dimension > 0 &&
      static_cast<int>(query.embedding.size()) == segment.embedding_dimension) {
    embedding_ = Vectorizer::EmbeddingVector(query.embedding);
  } else {
    embedding_weight_ = 0;
  }

  // ScoreIfItMayReach's order: most bound given up per nonzero read first (the text facet's long rows last).
  std::vector<double> bounds, bound_per_nonzero;
  for (const SparseFacet& f : sparse_) {
    double sum_of_maxima = 0, squares = 0;
    for (size_t t = f.first_term; t < f.end_term; ++t) {
      sum_of_maxima += TermMaximum(static_cast<int>(t));
      squares += static_cast<double>(terms_[t].value) * terms_[t].value;
    }
    bounds.push_back(FacetBound(f, sum_of_maxima, squares));
    const CsrMatrix& matrix = segment.sparse[f.facet];
    const double nonzeros_per_row = static_cast<double>(matrix.nonzeros()) / std::max(1, matrix.rows());
    bound_per_nonzero.push_back(bounds.back() / (1 + nonzeros_per_row));
  }
  facet_order_.resize(sparse_.size());
  for (size_t i = 0; i < sparse_.size(); ++i) facet_order_[i] = static_cast<int>(i);
  std::stable_sort(facet_order_.begin(), facet_order_.end(),
                   [&](int a, int b) { return bound_per_nonzero[a] > bound_per_nonzero[b]; });
  bound_from_.assign(sparse_.size() + 1, static_cast<double>(location_weight_) + embedding_weight_);
  for (size_t i = sparse_.size(); i-- > 0;) bound_from_[i] = bound_from_[i + 1] + bounds[facet_order_[i]];
}

float QueryScorer::SparseCosine(const SparseFacet& f, int r) const {
  const CsrMatrix& matrix = segment_.sparse[f.facet];
  const absl::Span<const int> indices = matrix.RowIndices(r);
  const absl::Span<const float> values = matrix.RowValues(r);
  float cosine = 0;
  // Skipping the columns the query does not hold only skips adding +0, so the sum is the same float.
  for (size_t i = 0; i < indices.size(); ++i) {
    const int column = indices[i];
    if (f.Holds(column)) cosine += values[i] * QueryValue(f, column);
  }
  return cosine;
}

float QueryScorer::QueryValue(const SparseFacet& f, int column) const {
  if (f.dense.size() > 0) return f.dense[column];
  const auto term = std::lower_bound(terms_.begin() + static_cast<std::ptrdiff_t>(f.first_term),
                                     terms_.begin() + static_cast<std::ptrdiff_t>(f.end_term), column,
                                     [](const Term& t, int c) { return t.column < c; });
  return term->value;
}

double QueryScorer::TermMaximum(int t) const {
  return static_cast<double>(terms_[t].value) * segment_.postings[terms_[t].facet].MaxValue(terms_[t].column);
}

std::optional<QueryScorer::RowScore> QueryScorer::ScoreIfItMayReach(int r, double threshold) const {
  SparseCosines cosines;
  double sum = 0;
  for (size_t i = 0; i < facet_order_.size(); ++i) {
    if (sum + bound_from_[i] + kBoundMargin < threshold) return std::nullopt;
    const SparseFacet& f = sparse_[facet_order_[i]];
    cosines[facet_order_[i]] = SparseCosine(f, r);
    sum += static_cast<double>(f.weight) * cosines[facet_order_[i]];
  }
  if (sum + bound_from_.back() + kBoundMargin < threshold) return std::nullopt;
  return Finish(r, cosines);
}

std::optional<QueryScorer::RowScore> QueryScorer::ScoreIfItMayReachFromListed(int r, double threshold, float listed,
                                                                              double unlisted_bound) const {
  double sum = listed;
  if (location_weight_ > 0) sum += LocationTerm(r, Distance(r));
  if (sum + unlisted_bound + embedding_weight_ + kBoundMargin < threshold) return std::nullopt;
  return ScoreIfItMayReach(r, threshold);
}

double QueryScorer::Distance(int r) const {
  if (!point_ || !segment_.has_location[r]) return std::numeric_limits<double>::quiet_NaN();
  return DistanceKmOfCosine(segment_.LocationCosine(r, *point_));
}

double QueryScorer::ServiceRadiusOf(int r) const {
  return type_ == MatchType::kSuppliersForTender   ? segment_.radius_km[r]
         : type_ == MatchType::kTendersForSupplier ? query_radius_km_
                                                   : 0.0;
}

double QueryScorer::LocationSimilarityOf(int r, double distance_km) const {
  if (std::isnan(distance_km)) return 0;
  return LocationSimilarity(distance_km, ServiceRadiusOf(r), decay_km_);
}

float QueryScorer::LocationTerm(int r, double distance_km) const {
  return static_cast<float>(location_weight_ * LocationSimilarityOf(r, distance_km));
}

QueryScorer::RowScore QueryScorer::Score(int r) const {
  SparseCosines cosines;
  for (size_t i = 0; i < sparse_.size(); ++i) cosines[i] = SparseCosine(sparse_[i], r);
  return Finish(r, cosines);
}

PairSimilarity QueryScorer::ScoreByFacet(int r) const {
  PairSimilarity detail;
  SparseCosines cosines;
  for (size_t i = 0; i < sparse_.size(); ++i) cosines[i] = SparseCosine(sparse_[i], r);
  Finish(r, cosines, &detail);
  for (const SparseFacet& f : sparse_) {
    if (f.facet != static_cast<int>(Facet::kText)) continue;
    const CsrMatrix& matrix = segment_.sparse[f.facet];
    const absl::Span<const int> indices = matrix.RowIndices(r);
    const absl::Span<const float> values = matrix.RowValues(r);
    for (size_t i = 0; i < indices.size(); ++i) {
      const int column = indices[i];
      if (f.Holds(column)) {
        detail.text_products.emplace_back(column, static_cast<double>(values[i]) * QueryValue(f, column));
      }
    }
    std::sort(detail.text_products.begin(), detail.text_products.end());
  }
  return detail;
}

QueryScorer::RowScore QueryScorer::Finish(int r, const SparseCosines& cosines, PairSimilarity* detail) const {
  FacetWeights similarity{};
  for (size_t i = 0; i < sparse_.size(); ++i) {
    similarity[sparse_[i].facet] = std::clamp(static_cast<double>(cosines[i]), 0.0, 1.0);
  }
  // The distance when the score needs it (NaN otherwise, as for a row without a point); an explanation shows it
  // whenever both sides have a point.
  const double distance = need_distance_ || detail != nullptr ? Distance(r) : std::numeric_limits<double>::quiet_NaN();
  RowScore out;
  out.distance_km = need_distance_ ? distance : std::numeric_limits<double>::quiet_NaN();
  if (location_weight_ > 0) {
    similarity[static_cast<int>(Facet::kLocation)] = LocationSimilarityOf(r, out.distance_km);
  }
  if (embedding_weight_ > 0) {
    const Eigen::Map<const Eigen::VectorXf> row(segment_.embedding.Row(r), segment_.embedding_dimension);
    similarity[static_cast<int>(Facet::kEmbedding)] = std::clamp(static_cast<double>(row.dot(embedding_)), 0.0, 1.0);
  }
  const bool holds_named = (factors_apply_ || detail != nullptr) && segment_.HoldsAll(r, named_certification_ids_);
  // A factor <= 1, so every bound on the weighted sum still bounds the score.
  const double factor = factors_apply_ ? ScoreFactor(*options_, type_, *query_facets_, segment_.intermediary[r] != 0,
                                                     holds_named, out.distance_km)
                                       : 1.0;
  // The contributions an explanation lists, added in the order it lists them.
  for (int f = 0; f < kFacetCount; ++f) {
    if (weights_[f] > 0) out.score += FacetContributionOf(weights_[f], similarity[f], factor);
  }
  if (detail != nullptr) {
    detail->similarity = similarity;
    if (!std::isnan(distance)) {
      detail->distance_km = distance;
      const double radius = ServiceRadiusOf(r);
      detail->within_service_radius = distance <= radius;
      detail->out_of_reach = radius > 0 && distance > radius;
    }
    detail->factor = factor;
    detail->holds_named_certifications = holds_named;
    detail->score = out.score;
  }
  return out;
}

void QueryScorer::ScoreRows(std::vector<double>* score, std::vector<double>* distance_km) const {
  const int n = segment_.rows();
  // Each sparse facet's cosines of every row; Eigen's row-major sparse product sums each row in stored order
  // from 0, as SparseCosine does.
  std::vector<Eigen::VectorXf> cosines_of(sparse_.size());
  for (size_t i = 0; i < sparse_.size(); ++i) {
    const CsrMatrix& matrix = segment_.sparse[sparse_[i].facet];
    Eigen::VectorXf query = Eigen::VectorXf::Zero(matrix.cols());
    for (size_t t = sparse_[i].first_term; t < sparse_[i].end_term; ++t) query[terms_[t].column] = terms_[t].value;
    cosines_of[i] = matrix.View() * query;
  }
  score->resize(static_cast<size_t>(n));
  distance_km->resize(static_cast<size_t>(n));
  SparseCosines cosines;
  for (int r = 0; r < n; ++r) {
    for (size_t i = 0; i < sparse_.size(); ++i) cosines[i] = cosines_of[i][r];
    const RowScore s = Finish(r, cosines);
    (*score)[static_cast<size_t>(r)] = s.score;
    (*distance_km)[static_cast<size_t>(r)] = s.distance_km;
  }
}

QueryScorer::TermSet::TermSet(const QueryScorer& scorer, bool all)
    : scorer_(&scorer),
      in_(scorer.terms_.size(), false),
      sum_of_maxima_(scorer.sparse_.size(), 0.0),
      squares_(scorer.sparse_.size(), 0.0) {
  if (all) {
    for (size_t t = 0; t < in_.size(); ++t) Insert(static_cast<int>(t));
  }
}

void QueryScorer::TermSet::Move(int t, bool in) {
  if (in_[t] == in) return;
  in_[t] = in;
  const double sign = in ? 1.0 : -1.0;
  const int f = scorer_->facet_of_term_[t];
  const double value = scorer_->terms_[t].value;
  sum_of_maxima_[f] += sign * scorer_->TermMaximum(t);
  squares_[f] += sign * value * value;
}

double QueryScorer::TermSet::Bound() const {
  double bound = 0;
  for (size_t f = 0; f < scorer_->sparse_.size(); ++f) {
    bound += FacetBound(scorer_->sparse_[f], sum_of_maxima_[f], squares_[f]);
  }
  return bound;
}

float QueryScorer::TermSet::BoundOfRowsSharingOnly() const {
  const double bound = static_cast<double>(scorer_->location_weight_) + scorer_->embedding_weight_ + Bound();
  return static_cast<float>(std::min(bound, 1.0));
}

}  // namespace internal
}  // namespace circmatch
