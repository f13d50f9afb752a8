// Rank evaluation: reads judged queries (proto/circmatch/v1/rank_eval.proto, one per line), scores a ranked
// list against a query's ratings (nDCG@k, MRR@k, precision@k), reports per query and overall, and fits facet
// weights to the judgments by coordinate ascent. It ranks nothing itself: the caller ranks each query (through
// the public API in `circmatch eval`, with its own engine in the search-engine peer of bench/relevance), so the
// same figures describe whatever produced the list.
//
// Thread-safety: pure functions.
//
//   absl::StatusOr<std::vector<v1::JudgedQuery>> queries = ReadJudgments("eval/relevance/judgments.jsonl", "test");
//   QueryMetrics m = ScoreRanking((*queries)[0], ranked, MetricOptions{});
//   // m.ndcg, m.mrr, m.precision
#ifndef CIRCMATCH_EVAL_RANK_EVAL_H_
#define CIRCMATCH_EVAL_RANK_EVAL_H_

#include <array>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/v1/matching_service.pb.h"
#include "circmatch/v1/rank_eval.pb.h"

namespace circmatch::eval {

// One returned candidate, best first.
struct Ranked {
  std::string owner;
  std::string id;
  // A hard requirement the candidate breaks, as its explanation shows (out of reach, a missing required
  // certificate, beyond max_distance_km); empty when none. Counted apart: it should never happen.
  std::string broken_requirement;
};

struct MetricOptions {
  // The depth of every metric.
  int k = 10;
  // The lowest grade that counts as relevant for MRR and precision.
  int relevant_grade = 2;
};

// A returned candidate judged 0 (or not judged), with its rank (1 = first) and the rating's reason.
struct Miss {
  int rank = 0;
  std::string owner;
  std::string id;
  std::string reason;  // empty when unjudged
};

struct QueryMetrics {
  std::string query;
  std::string split;
  int rated = 0;                  // ratings of the query
  int returned = 0;               // candidates returned, at most k
  double ndcg = 0;                // DCG@k / ideal DCG@k with gain 2^grade - 1; 0 when no rating is above 0
  double mrr = 0;                 // 1 / rank of the first relevant candidate in the top k; 0 when none
  double precision = 0;           // relevant candidates in the top k / k
  std::vector<Miss> judged_zero;  // returned in the top k, rated 0
  std::vector<Miss> unjudged;     // returned in the top k without a rating (counted as 0): what to judge next
  std::vector<Ranked> broken;     // returned in the top k, breaking a hard requirement
  std::string error;              // why the query could not be ranked (its metrics are then 0); empty when it was
};

struct Summary {
  int queries = 0;
  double ndcg = 0, mrr = 0, precision = 0;  // means over the queries
  int judged_zero = 0, unjudged = 0, broken = 0;
  int failed = 0;  // queries with an error, counted with metrics 0
};

// Reads judged queries from a JSON-lines file ("-": standard input), keeping those of `split` (empty: all).
// INVALID_ARGUMENT naming FILE:LINE and the field for a bad line (not JSON of a JudgedQuery, an unknown method,
// no query name, a repeated query name, a grade outside 0..3); NOT_FOUND when the file cannot be read.
absl::StatusOr<std::vector<v1::JudgedQuery>> ReadJudgments(const std::string& path, const std::string& split);

// A judged query's request as the typed request of its method (a v1::SuggestSuppliersRequest, ...), with all of
// its MatchQuery in `query`: a request written as v1.0 judged sets are (`k`, `filter`, ... beside the query side)
// has them moved there. INVALID_ARGUMENT `request: ...` when it is not the method's request or sets both forms.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ParseJudgedRequest(const v1::JudgedQuery& query);

// The `query` of a request that ParseJudgedRequest made, to read or change.
v1::MatchQuery* MatchQueryIn(google::protobuf::Message* request);

// The full path of a query's method, e.g. "/circmatch.v1.MatchingService/SuggestSuppliers".
std::string MethodPath(const v1::JudgedQuery& query);

// The metrics of one ranked list.
QueryMetrics ScoreRanking(const v1::JudgedQuery& query, absl::Span<const Ranked> ranked, const MetricOptions& options);

Summary Summarize(absl::Span<const QueryMetrics> metrics);

// A table of the queries and the overall means, then each top-k candidate judged 0 with its reason and each
// breaking a hard requirement.
void PrintReport(absl::Span<const QueryMetrics> metrics, const MetricOptions& options, std::ostream& out);
// The same as one JSON object: {"k", "relevantGrade", "overall": {...}, "queries": [...]}.
void PrintJsonReport(absl::Span<const QueryMetrics> metrics, const MetricOptions& options, std::ostream& out);

// The facets `FitWeights` tunes, by their field names in v1::FacetWeights.
inline constexpr std::array<const char*, 9> kFacetFields = {
    "cpv", "strategies", "materials", "certifications", "location", "phases", "topics", "text", "embedding"};

struct FitOptions {
  // Facets to tune (names of kFacetFields); the others keep the defaults the server applies.
  std::vector<std::string> facets = {"cpv", "strategies", "materials", "certifications", "location", "text"};
  // Folds of the cross-validation that reports how well the fitted weights carry to unseen queries.
  int folds = 5;
  // Rounds over all facets at most; a round that improves nothing ends the ascent.
  int max_rounds = 10;
};

struct FitResult {
  v1::FacetWeights weights;         // fitted on all queries, summing to 1 over the tuned facets
  double ndcg = 0;                  // mean nDCG@k of `weights` on all queries
  double defaults_ndcg = 0;         // mean nDCG@k of the server's own weights (no override) on all queries
  double cross_validated_ndcg = 0;  // mean over all queries of the held-out nDCG@k of weights fit on the others
  int evaluations = 0;              // weight settings tried
};

// The nDCG@k of query `query` (by index) ranked with `weights` (nullptr: the server's own weights). An
// INVALID_ARGUMENT for a trial's weights (they leave the query nothing to rank by) counts as 0.
using EvaluateFn = std::function<absl::StatusOr<double>(const v1::FacetWeights* weights, int query)>;

// Coordinate ascent on mean nDCG@k (Metzler and Croft, 2007): from `start`, each tuned facet in turn tries a
// grid of multiples of its weight (and 0, and a small weight for a facet at 0), keeping the best (ties: the
// current weight, so the result is reproducible), until a round improves nothing. Weights are compared
// normalized to sum 1. Then the same on each fold's training queries (folds by query index modulo `folds`),
// scored on its held-out queries, for the cross-validated figure. `start` of all zeros starts from equal
// weights over the tuned facets.
absl::StatusOr<FitResult> FitWeights(int query_count, const v1::FacetWeights& start, const EvaluateFn& evaluate,
                                     const FitOptions& options);

}  // namespace circmatch::eval

#endif  // CIRCMATCH_EVAL_RANK_EVAL_H_
