// Computes the Explanation (explanation.h) of one query-candidate pair: per-facet contributions that add up to
// the score, and the concrete overlaps (CPV codes and the level they meet at, shared strategies, materials,
// certifications, phases, topics, text terms), the distance and whether it is within the service radius.
//
// Thread-safety: pure functions; the borrowed Vectorizer and TextIdf are only read.
#ifndef CIRCMATCH_EXPLAINER_H_
#define CIRCMATCH_EXPLAINER_H_

#include <string>
#include <vector>

#include "circmatch/explanation.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/scorer.h"
#include "circmatch/vectorizer.h"
#include "circmatch/vocabulary.h"

namespace circmatch {

// The level at which two CPV codes (indices into Vocabulary::cpv_codes()) meet, and their most specific common
// ancestor (-1 when they share none). kExact when the codes are equal or one is an ancestor of the other.
struct CpvMeeting {
  CpvLevel level = CpvLevel::kNone;
  int common = -1;
};
CpvMeeting MeetCpv(const Vocabulary& vocabulary, int a, int b);

// Explains candidates for one query, a pure function of the two profiles and how the index scored the pair:
// `scored` (Match::scored) gives the per-facet contributions, the factor, the distance and the weight of each
// shared text term; the profiles give the concrete overlaps. Exclusions are left empty (see FindExclusions).
// The query's text is analyzed once. Borrows everything it is given, which must outlive it.
//
//   const QueryExplainer explainer(index.vectorizer(), query, params, result->resolved);
//   match.explanation = explainer.Explain(candidate_profile, match.scored);
class QueryExplainer {
 public:
  QueryExplainer(const Vectorizer& vectorizer, const Profile& query, const MatchParams& params,
                 const ResolvedParams& resolved);

  Explanation Explain(const Profile& candidate, const PairSimilarity& scored) const;

 private:
  const Vectorizer& vectorizer_;
  const Profile& query_;
  const MatchParams& params_;
  const ResolvedParams& resolved_;
  // What the query side asks, the same for every candidate: its analyzed text, the strategies it wants (tagged or
  // evidenced) and the certificates it wants (held form: ladder levels implied).
  std::vector<std::string> query_terms_;
  std::vector<int> wanted_strategies_;
  std::vector<std::string> wanted_certifications_;
};

}  // namespace circmatch

#endif  // CIRCMATCH_EXPLAINER_H_
