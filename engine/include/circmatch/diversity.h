// Spreading a ranked list (the API's `Diversity`): at most N results per organization, maximal marginal
// relevance over one attribute (a province, a sector), and a minimum share of SMEs. It re-orders candidates that
// passed every hard filter already; it never admits another.
//
// Thread-safety: a pure function.
//
//   std::vector<DiversityCandidate> pool = ...;  // best score first
//   std::vector<DiversePick> picks = Diversify(pool, /*k=*/10, DiversityOptions{.max_per_organization = 1});
#ifndef CIRCMATCH_DIVERSITY_H_
#define CIRCMATCH_DIVERSITY_H_

#include <string>
#include <vector>

#include "absl/types/span.h"

namespace circmatch {

struct DiversityOptions {
  // At most this many picks share an organization; 0 = no cap.
  int max_per_organization = 0;
  // In [0, 1]: each next pick maximizes (1 - spread) * score - spread * (share of the picks so far in its group).
  double spread = 0;
  // In [0, 1]: at least ceil(min_sme_share * k) picks are SMEs, as far as the candidates hold them.
  double min_sme_share = 0;
};

struct DiversityCandidate {
  double score = 0;
  std::string organization;  // the key the cap compares; empty = capped with no other
  std::string group;         // the value spread over; empty = in no group
  bool sme = false;
};

struct DiversePick {
  int candidate = 0;           // index into the candidates
  bool for_sme_share = false;  // taken while only SMEs could fill the share still missing
};

// Picks up to `k` of `candidates`, which come best score first: greedily, each pick the candidate of highest
// marginal value among those the organization cap allows; once the slots left are as many as the SMEs still
// missing from the share, only SMEs. Ties go to the better-scored candidate, so the result is deterministic and,
// with default options, the first k candidates in order.
std::vector<DiversePick> Diversify(absl::Span<const DiversityCandidate> candidates, int k,
                                   const DiversityOptions& options);

}  // namespace circmatch

#endif  // CIRCMATCH_DIVERSITY_H_
