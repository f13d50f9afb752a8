#include "circmatch/vectorizer.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "circmatch/text_analysis.h"

namespace circmatch {
namespace {

// A sparse vector of `size` from (index, value) pairs, repeated indices summed.
SparseVector FromPairs(int size, std::vector<std::pair<int, float>> pairs) {
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  SparseVector v(size);
  v.reserve(static_cast<Eigen::Index>(pairs.size()));
  int last = -1;
  for (const auto& [index, value] : pairs) {
    if (index == last) {
      v.valuePtr()[v.nonZeros() - 1] += value;
    } else {
      v.insertBack(index) = value;
      last = index;
    }
  }
  return v;
}

int TermIndex(const std::vector<Term>& list, const std::string& id) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].id == id) return static_cast<int>(i);
  }
  const Term* term = Vocabulary::FindTerm(list, id);
  return term == nullptr ? -1 : static_cast<int>(term - list.data());
}

TermCounts TermCountsOf(absl::Span<const std::string> stems, int buckets) {
  absl::flat_hash_map<int, int32_t> by_bucket;
  for (const std::string& stem : stems) ++by_bucket[HashToBucket(stem, buckets)];
  std::vector<std::pair<int, int32_t>> pairs(by_bucket.begin(), by_bucket.end());
  std::sort(pairs.begin(), pairs.end());
  TermCounts counts;
  counts.buckets = buckets;
  counts.indices.reserve(pairs.size());
  counts.counts.reserve(pairs.size());
  for (const auto& [bucket, count] : pairs) {
    counts.indices.push_back(bucket);
    counts.counts.push_back(count);
  }
  return counts;
}

}  // namespace

float ScoreFactor(const VectorizerOptions& options, MatchType type, const FacetValues& query, bool intermediary,
                  bool holds_named_certifications, double distance_km) {
  if (type != MatchType::kSuppliersForTender) return 1.0f;
  float factor = 1.0f;
  if (intermediary && !query.intermediary) factor *= options.model.intermediary_factor;
  const bool too_far = query.named_max_distance_km > 0 && distance_km > query.named_max_distance_km;
  if (!holds_named_certifications || too_far) factor *= options.model.unmet_text_requirement_factor;
  return factor;
}

TextIdf TextIdf::FromDocumentFrequencies(absl::Span<const int32_t> document_frequency, int64_t documents) {
  TextIdf idf(static_cast<int>(document_frequency.size()));
  idf.documents_ = documents;
  const double numerator = static_cast<double>(documents) + 1.0;
  for (size_t b = 0; b < document_frequency.size(); ++b) {
    idf.idf_[b] = static_cast<float>(std::log(numerator / (document_frequency[b] + 1.0)) + 1.0);
  }
  return idf;
}

Vectorizer::Vectorizer(const Vocabulary* vocabulary, const VectorizerOptions& options)
    : vocabulary_(vocabulary), options_(options) {}

int Vectorizer::Dimension(Facet facet) const {
  switch (facet) {
    case Facet::kCpv:
      return static_cast<int>(vocabulary_->cpv_codes().size());
    case Facet::kStrategies:
      return 20;
    case Facet::kMaterials:
      return static_cast<int>(vocabulary_->materials().size()) + options_.material_hash_buckets;
    case Facet::kCertifications:
      return static_cast<int>(vocabulary_->certifications().size()) + options_.certification_hash_buckets;
    case Facet::kLocation:
      return 3;
    case Facet::kPhases:
      return static_cast<int>(vocabulary_->phases().size());
    case Facet::kTopics:
      return static_cast<int>(vocabulary_->topics().size());
    case Facet::kText:
      return options_.text_hash_buckets;
    case Facet::kEmbedding:
      return options_.embedding_dimension;
  }
  return 0;
}

SparseVector Vectorizer::Categorical(Facet facet, const FacetValues& values, Side side) const {
  std::vector<std::pair<int, float>> pairs;
  switch (facet) {
    case Facet::kCpv: {
      const std::vector<CpvCode>& codes = vocabulary_->cpv_codes();
      for (const std::string& code : values.cpv_codes) {
        for (int node = vocabulary_->FindCpvIndex(code); node >= 0; node = codes[node].parent) {
          pairs.emplace_back(node, CpvLevelWeight(codes[node].level));
        }
      }
      break;
    }
    case Facet::kStrategies: {
      // Slots 0..9: the rungs the text evidences; 10..19: the tagged ones, at strategy_tag_weight. A query wants
      // each of its rungs (tagged or evidenced) in both slots, so evidence counts above a bare tag.
      std::vector<int> evidenced = values.evidenced_strategies, tagged = values.strategies;
      if (side == Side::kQuery) evidenced = tagged = values.TaggedOrEvidencedStrategies();
      for (std::vector<int>* list : {&evidenced, &tagged}) {
        list->erase(std::remove_if(list->begin(), list->end(), [](int r) { return r < 0 || r > 9; }), list->end());
        std::sort(list->begin(), list->end());
        list->erase(std::unique(list->begin(), list->end()), list->end());
      }
      for (int r : evidenced) pairs.emplace_back(r, StrategyWeight(r));
      for (int r : tagged) pairs.emplace_back(10 + r, StrategyWeight(r) * options_.model.strategy_tag_weight);
      break;
    }
    case Facet::kMaterials: {
      const int controlled = static_cast<int>(vocabulary_->materials().size());
      for (const std::string& material : values.materials) {
        const int index = TermIndex(vocabulary_->materials(), material);
        pairs.emplace_back(index >= 0 ? index : controlled + HashToBucket(material, options_.material_hash_buckets),
                           1.0f);
      }
      break;
    }
    case Facet::kCertifications: {
      const std::vector<Term>& list = vocabulary_->certifications();
      const int listed = static_cast<int>(list.size());
      for (const std::string& id : vocabulary_->HeldCertifications(values.CertificationsAndNamed())) {
        const int index = TermIndex(list, id);
        pairs.emplace_back(index >= 0 ? index : listed + HashToBucket(id, options_.certification_hash_buckets), 1.0f);
      }
      break;
    }
    case Facet::kPhases:
    case Facet::kTopics: {
      const std::vector<Term>& list = facet == Facet::kPhases ? vocabulary_->phases() : vocabulary_->topics();
      for (const std::string& id : facet == Facet::kPhases ? values.phases : values.topics) {
        const int index = TermIndex(list, id);
        if (index >= 0) pairs.emplace_back(index, 1.0f);
      }
      break;
    }
    case Facet::kLocation:
    case Facet::kText:
    case Facet::kEmbedding:
      return SparseVector(Dimension(facet));
  }
  SparseVector v = FromPairs(Dimension(facet), std::move(pairs));
  if (facet != Facet::kCpv && facet != Facet::kStrategies) {
    // One-hot facets: a repeated id (or implied level) counts once.
    v.coeffs().setOnes();
  }
  const float norm = v.norm();
  if (norm > 0) v /= norm;
  return v;
}

std::vector<std::string> Vectorizer::TextTerms(const FacetValues& values, std::vector<ConceptHit>* hits) const {
  return vocabulary_->text_analyzer().Analyze(values.text, hits);
}

SparseVector Vectorizer::TextTermFrequencies(const FacetValues& values) const {
  return TextTermFrequencies(TextTerms(values));
}

SparseVector Vectorizer::TextTermFrequencies(absl::Span<const std::string> stems) const {
  return TermFrequencies(TermCountsOf(stems, options_.text_hash_buckets));
}

TermCounts Vectorizer::TextTermCounts(const FacetValues& values) const {
  return TermCountsOf(TextTerms(values), options_.text_hash_buckets);
}

SparseVector Vectorizer::TermFrequencies(const TermCounts& counts) {
  SparseVector v(counts.buckets);
  v.reserve(static_cast<Eigen::Index>(counts.indices.size()));
  for (size_t i = 0; i < counts.indices.size(); ++i) v.insertBack(counts.indices[i]) = SublinearTf(counts.counts[i]);
  return v;
}

SparseVector Vectorizer::WeightText(const SparseVector& term_frequencies, const TextIdf& idf, float* norm) {
  SparseVector v = term_frequencies;
  const float length = WeightTextInto(Indices(term_frequencies), Values(term_frequencies), idf,
                                      absl::MakeSpan(v.valuePtr(), static_cast<size_t>(v.nonZeros())));
  if (norm != nullptr) *norm = length;
  return v;
}

float Vectorizer::WeightTextInto(absl::Span<const int> indices, absl::Span<const float> term_frequencies,
                                 const TextIdf& idf, absl::Span<float> weighted) {
  double squares = 0;
  for (size_t i = 0; i < indices.size(); ++i) {
    weighted[i] = term_frequencies[i] * idf.idf(indices[i]);
    squares += static_cast<double>(weighted[i]) * weighted[i];
  }
  if (squares <= 0) return 0;
  const double inverse = 1.0 / std::sqrt(squares);
  for (float& x : weighted) x = static_cast<float>(x * inverse);
  return static_cast<float>(std::sqrt(squares));
}

SparseVector Vectorizer::Text(const FacetValues& values, const TextIdf& idf) const {
  return WeightText(TextTermFrequencies(values), idf);
}

std::vector<int> Vectorizer::DocumentBuckets(const FacetValues& values) const { return TextTermCounts(values).indices; }

std::optional<Eigen::Vector3d> Vectorizer::LocationVector(const Location& location) {
  if (!location.point) return std::nullopt;
  constexpr double kDegree = 3.14159265358979323846 / 180.0;
  const double lat = location.point->latitude * kDegree, lon = location.point->longitude * kDegree;
  return Eigen::Vector3d(std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat));
}

Eigen::VectorXf Vectorizer::EmbeddingVector(const std::vector<float>& embedding) {
  Eigen::VectorXf v = Eigen::Map<const Eigen::VectorXf>(embedding.data(), static_cast<Eigen::Index>(embedding.size()));
  const float norm = v.norm();
  if (norm > 0) v /= norm;
  return v;
}

}  // namespace circmatch
