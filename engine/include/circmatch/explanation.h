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
  double contribution = 0;  // weight * similarity
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
  std::vector<FacetContribution> facets;  // facets with a non-zero weight, in `Facet` order
  std::vector<CpvMatch> cpv_matches;      // one per query code, its best candidate code
  std::vector<std::string> shared_strategies;  // "R3", ...
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
