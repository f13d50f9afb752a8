// Turns facet values into vectors: one sparse vector per categorical/text facet, a unit 3-vector for the
// location and a dense vector for the embedding, each L2-normalized, so the cosine of two profiles on a facet
// is a dot product.
//
// Thread-safety: a Vectorizer is immutable after construction (it borrows the Vocabulary); TextIdf is a plain
// value. Share both read-only across threads.
//
// Facet layouts and weights:
//   cpv            dimension = number of CPV codes. A code adds a weight to itself and to every ancestor, by
//                  the level of that node: division 1, group 2, class 3, category 4, deeper 5. Two codes that
//                  share a class therefore overlap more than two that share only a division, and codes in
//                  different divisions never overlap. Several codes are summed, then normalized.
//   strategies     dimension 20: R0..R9 as the text evidences them (FacetValues::evidenced_strategies), then
//                  R0..R9 as tagged, each tag at ModelParams::strategy_tag_weight; R_i weighs 1 - 0.05 i, so the higher
//                  rungs of the ladder (refuse, rethink, reduce, reuse: more circular) count more in a partial
//                  overlap. A query vector (Side::kQuery) wants each of its rungs, tagged or evidenced, in both
//                  halves, so a candidate whose text shows the work meets it above one that only tags it.
//   materials      one-hot over the controlled list, then `material_hash_buckets` buckets for free words
//                  (FNV-1a of the word).
//   certifications one-hot over the listed ones, then `certification_hash_buckets` buckets for free labels
//                  (FNV-1a of the canonical label); a held ladder level also sets the lower levels of its family;
//                  with the certifications the needs' text names (FacetValues::named_certifications).
//   phases, topics one-hot over their lists.
//   text           the terms of the facet's text (TextAnalyzer: stems, compound parts, concepts) hashed into
//                  `text_hash_buckets` buckets; value (1 + ln tf) * idf, with idf = ln((N + 1) / (df + 1)) + 1
//                  over the corpus the index counts (see TextIdf and index.h).
//   location       unit 3-vector (x, y, z) on the sphere: the dot product of two is the cosine of the angle.
//   embedding      the partner's dense vector, normalized.
#ifndef CIRCMATCH_VECTORIZER_H_
#define CIRCMATCH_VECTORIZER_H_

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/vocabulary.h"

namespace circmatch {

// A facet's vector: Eigen's sparse vector, as long as the facet's dimension (Vectorizer::Dimension), its nonzeros
// in increasing index order.
using SparseVector = Eigen::SparseVector<float, Eigen::ColMajor, int>;

// A sparse vector's indices and values, without copying; valid while it is not changed.
inline absl::Span<const int> Indices(const SparseVector& v) {
  return absl::Span<const int>(v.innerIndexPtr(), static_cast<size_t>(v.nonZeros()));
}
inline absl::Span<const float> Values(const SparseVector& v) {
  return absl::Span<const float>(v.valuePtr(), static_cast<size_t>(v.nonZeros()));
}

// How often each text bucket occurs in a text.
struct TermCounts {
  int buckets = 0;           // of the text facet: the length of its vectors
  std::vector<int> indices;  // increasing
  std::vector<int32_t> counts;
};

// Inverse document frequencies of the text buckets: idf = ln((N + 1) / (df + 1)) + 1.
class TextIdf {
 public:
  // All buckets at df 0 of a corpus of 0 documents (idf 1 everywhere).
  explicit TextIdf(int bucket_count) : idf_(bucket_count, 1.0f) {}
  // From document frequencies per bucket and the number of documents.
  static TextIdf FromDocumentFrequencies(absl::Span<const int32_t> document_frequency, int64_t documents);

  float idf(int bucket) const { return idf_[bucket]; }
  int bucket_count() const { return static_cast<int>(idf_.size()); }
  int64_t documents() const { return documents_; }

 private:
  std::vector<float> idf_;
  int64_t documents_ = 0;
};

// The model's parameters beside the facet weights, fitted with them on the judged set's tuning part
// (bench/relevance/fit_model.cc; docs/MATCHING.md).
struct ModelParams {
  // The weight of a tagged strategy beside an evidenced one (1): how much a bare tag is believed.
  float strategy_tag_weight = 0.5f;
  // Suppliers for a tender: the score of a supplier whose text shows an intermediary role
  // (FacetValues::intermediary) is multiplied by this, unless the tender's own text asks for one, so a tender for
  // delivery ranks makers and service providers above platforms, wholesalers and consultancies.
  float intermediary_factor = 0.5f;
  // Suppliers for a tender: the score of a supplier that does not meet a requirement the tender's text names
  // (a listed certification it does not hold, or a distance limit it lies beyond: FacetValues'
  // named_certifications and named_max_distance_km) is multiplied by this.
  float unmet_text_requirement_factor = 0.5f;
};

struct VectorizerOptions {
  // Buckets of the text facet; a power of two.
  int text_hash_buckets = 1 << 18;
  // Buckets for free (uncontrolled) material words, after the controlled materials; a power of two.
  int material_hash_buckets = 1 << 10;
  // Length of embeddings; 0 = none.
  int embedding_dimension = 0;
  // Buckets for free certification labels, after the listed certifications; a power of two.
  int certification_hash_buckets = 1 << 10;
  // The model's parameters beside the facet weights.
  ModelParams model;
};

// What a candidate's score is multiplied by: ModelParams' intermediary_factor for its role and
// unmet_text_requirement_factor for a requirement the query's text names, each when it applies (suppliers for a
// tender only), else 1.
// `holds_named_certifications`: the candidate holds every one of the query's named_certifications;
// `distance_km`: the pair's distance (NaN when unknown: a limit cannot be unmet).
float ScoreFactor(const VectorizerOptions& options, MatchType type, const FacetValues& query, bool intermediary,
                  bool holds_named_certifications, double distance_km);

class Vectorizer {
 public:
  // `vocabulary` is borrowed and must outlive the vectorizer.
  Vectorizer(const Vocabulary* vocabulary, const VectorizerOptions& options);

  const Vocabulary& vocabulary() const { return *vocabulary_; }
  const VectorizerOptions& options() const { return options_; }

  // Number of columns of a facet: sparse facets as listed above, 3 for location, the embedding dimension.
  int Dimension(Facet facet) const;

  // The weight a CPV node of `level` adds (1 division, 2 group, 3 class, 4 category, 5 deeper).
  static float CpvLevelWeight(int level) { return static_cast<float>(level < 5 ? level : 5); }
  // The weight of strategy R_i.
  static float StrategyWeight(int r) { return 1.0f - 0.05f * static_cast<float>(r); }

  // Which end of a match a vector is for: a stored candidate's row, or the query it is compared with.
  enum class Side { kCandidate, kQuery };

  // The normalized vector of a categorical facet (kCpv, kStrategies, kMaterials, kCertifications, kPhases,
  // kTopics) of `values`. Unknown codes and ids are skipped (inputs are normally normalized already). Only the
  // strategies differ by side (see above).
  SparseVector Categorical(Facet facet, const FacetValues& values, Side side = Side::kCandidate) const;

  // The terms of a facet's text: TextAnalyzer::Analyze of it (with `hits`, the concepts it shows too).
  std::vector<std::string> TextTerms(const FacetValues& values, std::vector<ConceptHit>* hits = nullptr) const;
  // Sublinear term frequencies 1 + ln(tf) per text bucket, not IDF-weighted, not normalized.
  SparseVector TextTermFrequencies(const FacetValues& values) const;
  // The same of a text already analyzed, given its terms (TextTerms).
  SparseVector TextTermFrequencies(absl::Span<const std::string> terms) const;
  // The occurrences per text bucket of a facet's text, whose TermFrequencies are TextTermFrequencies(values).
  TermCounts TextTermCounts(const FacetValues& values) const;
  static SparseVector TermFrequencies(const TermCounts& counts);
  // The sublinear term frequency of a term occurring `count` times.
  static float SublinearTf(int32_t count) { return static_cast<float>(1.0 + std::log(static_cast<double>(count))); }
  // tf * idf, normalized; `norm`, when given, receives the length of tf * idf before (0 for no terms).
  static SparseVector WeightText(const SparseVector& term_frequencies, const TextIdf& idf, float* norm = nullptr);
  // The same into `weighted` (as long as `indices`), for re-weighting stored rows in place; equal to the values
  // WeightText gives to the last bit. Returns the norm.
  static float WeightTextInto(absl::Span<const int> indices, absl::Span<const float> term_frequencies,
                              const TextIdf& idf, absl::Span<float> weighted);
  // The count of a term whose weighted value in a row of length `norm` is `value` (WeightText's inverse, as
  // tf = 1 + ln count = value * norm / idf): exact below kExactCountsBelow, where a float's rounding stays far
  // inside the gap between the tf of two neighbouring counts.
  static constexpr int32_t kExactCountsBelow = 1 << 16;
  static int32_t CountOfWeighted(float value, float norm, float idf) {
    return static_cast<int32_t>(std::lround(std::exp(static_cast<double>(value) * norm / idf - 1.0)));
  }
  // TextTermFrequencies then WeightText.
  SparseVector Text(const FacetValues& values, const TextIdf& idf) const;
  // The distinct text buckets of a facet's text (a document's contribution to document frequencies).
  std::vector<int> DocumentBuckets(const FacetValues& values) const;

  // Unit vector of a point; nullopt when the location has no point.
  static std::optional<Eigen::Vector3d> LocationVector(const Location& location);
  // The normalized embedding (zero-length when empty or all zeros... a zero vector stays zero).
  static Eigen::VectorXf EmbeddingVector(const std::vector<float>& embedding);

 private:
  const Vocabulary* vocabulary_;
  VectorizerOptions options_;
};

}  // namespace circmatch

#endif  // CIRCMATCH_VECTORIZER_H_
