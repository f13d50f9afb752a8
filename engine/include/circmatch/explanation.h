// Why a candidate scored what it did: per-facet contributions (they add up to the score) and the concrete
// overlaps, plus the hard filters that exclude it ("why not").
//
// Thread-safety: plain values.
#ifndef CIRCMATCH_EXPLANATION_H_
#define CIRCMATCH_EXPLANATION_H_

#include <optional>
#include <string>
#include <vector>

#include "circmatch/match_params.h"
#include "circmatch/profile.h"

namespace circmatch {

struct FacetContribution {
  Facet facet = Facet::kCpv;
  double weight = 0;        // normalized
  double similarity = 0;    // in [0, 1]
  double contribution = 0;  // weight * similarity * Explanation::factor
};

// A strategy the candidate's text shows, with the words that show it: "R5", "wij reviseren".
struct StrategyEvidence {
  std::string strategy;
  std::string words;
};

// Level of the CPV hierarchy at which two codes meet (API enum `CpvMatchLevel`).
enum class CpvLevel { kNone, kDivision, kGroup, kClass, kCategory, kExact };

struct CpvMatch {
  std::string query_code;      // 8 digits
  std::string candidate_code;  // 8 digits
  std::string common_code;     // the most specific shared ancestor (8 digits), empty for kNone
  CpvLevel level = CpvLevel::kNone;
};

// A hard filter that excludes a candidate: the field (as in the API, e.g. "filter.max_distance_km") and why.
struct Exclusion {
  std::string field;
  std::string reason;
};

struct Explanation {
  std::vector<FacetContribution> facets;       // facets with a non-zero weight, in `Facet` order
  std::vector<CpvMatch> cpv_matches;           // one per query code, its best candidate code
  std::vector<std::string> shared_strategies;  // "R3", ...: wanted by the query, tagged or evidenced by both
  // Strategies the query wants (tagged or evidenced) that the candidate's text evidences, with its words.
  std::vector<StrategyEvidence> evidence;
  // The candidate's tagged strategies its text shows nothing of ("R8").
  std::vector<std::string> unevidenced_strategies;
  // The candidate's text shows an intermediary role: the words that show it.
  std::string intermediary_words;
  // Requirements the query's text names that the candidate does not meet: "certification vca-2 named in the
  // text", "farther than the 50 km named in the text (63 km)".
  std::vector<std::string> unmet_text_requirements;
  // What the score was multiplied by for the role and the unmet text requirements (ScoreFactor), else 1.
  double factor = 1;
  std::vector<std::string> shared_materials;
  std::vector<std::string> shared_certifications;
  std::vector<std::string> missing_certifications;  // required by the filter, not held
  std::vector<std::string> shared_phases;
  std::vector<std::string> shared_topics;
  std::vector<std::string> shared_terms;  // text stems that contributed most, best first, at most 10
  std::optional<double> distance_km;
  bool within_service_radius = false;
  // True when the supplier states a service radius and the pair is farther apart than it (returned only with
  // filter.include_out_of_reach).
  bool out_of_reach = false;
  std::vector<Exclusion> exclusions;  // empty for a returned match
};

}  // namespace circmatch

#endif  // CIRCMATCH_EXPLANATION_H_
