#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "circmatch/explainer.h"
#include "circmatch/text_analysis.h"

namespace circmatch {

CpvMeeting MeetCpv(const Vocabulary& vocabulary, int a, int b) {
  const std::vector<CpvCode>& codes = vocabulary.cpv_codes();
  CpvMeeting meeting;
  if (a < 0 || b < 0) return meeting;
  std::vector<int> ancestors_of_a;
  for (int node = a; node >= 0; node = codes[node].parent) ancestors_of_a.push_back(node);
  for (int node = b; node >= 0; node = codes[node].parent) {
    if (std::find(ancestors_of_a.begin(), ancestors_of_a.end(), node) == ancestors_of_a.end()) continue;
    meeting.common = node;
    if (node == a || node == b) {
      meeting.level = CpvLevel::kExact;
    } else {
      const int level = codes[node].level;
      meeting.level = level <= 1   ? CpvLevel::kDivision
                      : level == 2 ? CpvLevel::kGroup
                      : level == 3 ? CpvLevel::kClass
                                   : CpvLevel::kCategory;
    }
    return meeting;
  }
  return meeting;
}

namespace {

std::vector<std::string> Intersect(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<CpvMatch> MatchCpv(const Vocabulary& vocabulary, const FacetValues& q, const FacetValues& c) {
  std::vector<int> candidate_indices;
  for (const std::string& code : c.cpv_codes) candidate_indices.push_back(vocabulary.FindCpvIndex(code));
  std::vector<CpvMatch> out;
  for (const std::string& query_code : q.cpv_codes) {
    const int qi = vocabulary.FindCpvIndex(query_code);
    if (qi < 0) continue;
    CpvMatch best;
    best.query_code = vocabulary.cpv_codes()[qi].code8;
    int best_depth = 0;
    for (const int ci : candidate_indices) {
      const CpvMeeting meeting = MeetCpv(vocabulary, qi, ci);
      if (meeting.common < 0) continue;
      // Deeper common ancestor first; then an exact relation; then the lower code (inputs are sorted).
      const int depth = vocabulary.cpv_codes()[meeting.common].level * 2 + (meeting.level == CpvLevel::kExact);
      if (depth > best_depth) {
        best_depth = depth;
        best.candidate_code = vocabulary.cpv_codes()[ci].code8;
        best.common_code = vocabulary.cpv_codes()[meeting.common].code8;
        best.level = meeting.level;
      }
    }
    out.push_back(std::move(best));
  }
  return out;
}

// The stems of the query's analyzed text `q` found among the candidate's `c`, by what they added to the text
// similarity (`products`: by bucket, as PairSimilarity::text_products), at most 10.
std::vector<std::string> SharedTerms(const Vectorizer& vectorizer, const std::vector<std::string>& q,
                                     const std::vector<std::string>& c,
                                     const std::vector<std::pair<int, double>>& products) {
  if (q.empty() || c.empty()) return {};
  const absl::flat_hash_set<absl::string_view> in_candidate(c.begin(), c.end());
  const auto product = [&](int bucket) {
    auto it = std::lower_bound(products.begin(), products.end(), std::make_pair(bucket, -1.0));
    return it != products.end() && it->first == bucket ? it->second : 0.0;
  };
  absl::flat_hash_set<absl::string_view> seen;
  std::vector<std::pair<absl::string_view, double>> shared;
  const int buckets = vectorizer.options().text_hash_buckets;
  for (const std::string& stem : q) {
    if (!in_candidate.contains(stem) || !seen.insert(stem).second) continue;
    shared.emplace_back(stem, product(HashToBucket(stem, buckets)));
  }
  // By weight, ties in stem order.
  std::sort(shared.begin(), shared.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < shared.size() && i < 10; ++i) out.emplace_back(shared[i].first);
  return out;
}

}  // namespace

QueryExplainer::QueryExplainer(const Vectorizer& vectorizer, const Profile& query, const MatchParams& params,
                               const ResolvedParams& resolved)
    : vectorizer_(vectorizer),
      query_(query),
      params_(params),
      resolved_(resolved),
      query_terms_(vectorizer.TextTerms(QueryFacets(params.type, query))),
      wanted_strategies_(QueryFacets(params.type, query).TaggedOrEvidencedStrategies()),
      wanted_certifications_(
          vectorizer.vocabulary().HeldCertifications(QueryFacets(params.type, query).CertificationsAndNamed())) {}

Explanation QueryExplainer::Explain(const Profile& candidate, const PairSimilarity& pair) const {
  const Vocabulary& vocabulary = vectorizer_.vocabulary();
  const FacetValues& c = CandidateFacets(candidate);
  // The candidate's text is analyzed once: for the concepts it shows and the shared terms.
  std::vector<ConceptHit> hits;
  const std::vector<std::string> candidate_terms = vectorizer_.TextTerms(c, &hits);
  Explanation e;
  for (int f = 0; f < kFacetCount; ++f) {
    if (resolved_.weights[f] <= 0) continue;
    FacetContribution contribution;
    contribution.facet = static_cast<Facet>(f);
    contribution.weight = resolved_.weights[f];
    contribution.similarity = pair.similarity[f];
    contribution.contribution = FacetContributionOf(resolved_.weights[f], pair.similarity[f], pair.factor);
    e.facets.push_back(contribution);
  }

  const FacetValues& q = QueryFacets(params_.type, query_);
  e.cpv_matches = MatchCpv(vocabulary, q, c);
  const std::vector<int> shown = c.TaggedOrEvidencedStrategies();
  for (int r : wanted_strategies_) {
    if (std::binary_search(shown.begin(), shown.end(), r)) e.shared_strategies.push_back(absl::StrCat("R", r));
  }
  const TextAnalyzer& analyzer = vocabulary.text_analyzer();
  for (const ConceptHit& hit : hits) {
    const TextConcept& concept = analyzer.concepts()[hit.concept];
    if (concept.strategy >= 0 &&
        std::binary_search(wanted_strategies_.begin(), wanted_strategies_.end(), concept.strategy)) {
      e.evidence.push_back({absl::StrCat("R", concept.strategy), hit.words});
    }
    if (c.intermediary && concept.role == "intermediary" && e.intermediary_words.empty()) {
      e.intermediary_words = hit.words;
    }
  }
  for (int r : c.strategies) {
    if (!std::binary_search(c.evidenced_strategies.begin(), c.evidenced_strategies.end(), r)) {
      e.unevidenced_strategies.push_back(absl::StrCat("R", r));
    }
  }
  e.factor = pair.factor;
  const std::vector<std::string> held = vocabulary.HeldCertifications(c.certifications);
  if (params_.type == MatchType::kSuppliersForTender) {
    for (const std::string& named : q.named_certifications) {
      if (!std::binary_search(held.begin(), held.end(), named)) {
        e.unmet_text_requirements.push_back(absl::StrCat("certification ", named, " named in the text"));
      }
    }
    if (q.named_max_distance_km > 0 && pair.distance_km && *pair.distance_km > q.named_max_distance_km) {
      e.unmet_text_requirements.push_back(absl::StrFormat("farther than the %.0f km named in the text (%.0f km)",
                                                          q.named_max_distance_km, *pair.distance_km));
    }
  }
  e.shared_materials = Intersect(q.materials, c.materials);
  std::set_intersection(wanted_certifications_.begin(), wanted_certifications_.end(), held.begin(), held.end(),
                        std::back_inserter(e.shared_certifications));
  std::set_difference(resolved_.required_certifications.begin(), resolved_.required_certifications.end(), held.begin(),
                      held.end(), std::back_inserter(e.missing_certifications));
  e.shared_phases = Intersect(q.phases, c.phases);
  e.shared_topics = Intersect(q.topics, c.topics);
  e.shared_terms = SharedTerms(vectorizer_, query_terms_, candidate_terms, pair.text_products);
  e.distance_km = pair.distance_km;
  e.within_service_radius = pair.within_service_radius;
  e.out_of_reach = pair.out_of_reach;
  return e;
}

}  // namespace circmatch
