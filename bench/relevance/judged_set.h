// The judged set (eval/relevance) as engine values, for the programs that rank it in-process: the Xapian peer
// and the model fitting. Profiles go through the service's own conversion, so they are what the server indexes.
#ifndef CIRCMATCH_BENCH_RELEVANCE_JUDGED_SET_H_
#define CIRCMATCH_BENCH_RELEVANCE_JUDGED_SET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/v1/rank_eval.pb.h"
#include "circmatch/vocabulary.h"

namespace circmatch::bench {

// One judged SuggestSuppliers query: its judgments, its stored tender and its request's parameters (k = 10).
struct JudgedQuery {
  v1::JudgedQuery judged;
  Profile tender;
  MatchParams params;
};

struct JudgedSet {
  std::vector<Profile> profiles;  // tenders and suppliers, normalized
  std::vector<JudgedQuery> queries;
};

// Reads the profiles (proto3 JSON lines) and the judged queries of `split` (empty: all). Every query must be a
// SuggestSuppliers request for a stored tender.
absl::StatusOr<JudgedSet> LoadJudgedSet(const Vocabulary& vocabulary, const std::string& profiles_path,
                                        const std::string& judgments_path, const std::string& split);

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_RELEVANCE_JUDGED_SET_H_
