// One query prepared against one segment: scores a row at a time, and lists the query's sparse terms with an
// upper bound of what each can add, so a search can visit the rows sharing the rarest terms first and stop as
// soon as no row it has not visited could still reach the k-th score (MaxScore-style pruning, exact).
//
// Every path that scores rows (FindMatches, Explain's rank, ScoreAll) goes through Score, so they agree to the
// last bit.
//
// Thread-safety: immutable after construction; borrows the segment, which must not change while it is used.
#ifndef CIRCMATCH_INTERNAL_QUERY_SCORER_H_
#define CIRCMATCH_INTERNAL_QUERY_SCORER_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "circmatch/internal/segment.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/vectorizer.h"

namespace circmatch {
namespace internal {

class QueryScorer {
 public:
  // `weights` are the resolved (normalized) facet weights. Distances are computed when the location facet
  // weighs or `params.filter.max_distance_km` is set.
  QueryScorer(const Segment& segment, const Vectorizer& vectorizer, const TextIdf& idf, const Profile& query,
              const MatchParams& params, const FacetWeights& weights, double location_decay_km);

  struct RowScore {
    float score = 0;           // in [0, 1]
    double distance_km = 0;    // NaN when either side has no point or no one asked for it
  };
  RowScore Score(int r) const;

  // Score(r) of every row, in one pass per facet (sequential, so several times faster per row than Score at
  // random rows); bit-identical to Score.
  void ScoreRows(std::vector<float>* score, std::vector<double>* distance_km) const;

  // Score is computed in two steps, exposed so a sweep can skip the second (a distance costs an acos and an
  // exp) for rows whose first step already rules them out: the sparse facets' sum of every row, then a row's
  // score from its sum. Finish(r, sum of row r) == Score(r), bit for bit.
  void SparseSums(std::vector<float>* sums) const;
  RowScore Finish(int r, float sparse_sum) const;
  // What location and embedding can add to any row's sparse sum.
  double DenseBound() const { return static_cast<double>(location_weight_) + embedding_weight_; }

  // One nonzero of the query on a sparse facet that weighs.
  struct Term {
    int facet = 0;
    int column = 0;
    float value = 0;  // the query's (normalized) value
  };
  const std::vector<Term>& terms() const { return terms_; }

  // Bounds what the terms in `unvisited` (a flag per term) can add to a row that shares none of the other
  // terms, plus what location and embedding can add to any row. Per facet the smaller of the sum of
  // weight * value * column maximum and weight * |query on those terms| (rows are unit vectors).
  float BoundOfRowsSharingOnly(const std::vector<bool>& unvisited) const;

 private:
  struct SparseFacet {
    int facet = 0;
    float weight = 0;
    Eigen::VectorXf query;  // dense over the facet's columns, for lookups by a row's indices
  };

  float SparseCosine(const SparseFacet& f, int r) const;
  // What location adds to row r's score; sets its distance when one is needed.
  float LocationTerm(int r, double* distance_km) const;
  float EmbeddingTerm(int r) const;

  const Segment& segment_;
  const MatchType type_;
  const double decay_km_;
  std::vector<SparseFacet> sparse_;
  std::vector<Term> terms_;
  float location_weight_ = 0;
  bool need_distance_ = false;
  std::optional<Eigen::Vector3d> point_;
  double query_radius_km_ = 0;
  float embedding_weight_ = 0;
  Eigen::VectorXf embedding_;
};

// Calls `consider(r, score)` for every row of `segment` that passes `passes(r)` (the filters that need no
// score) and could score at least `threshold()` (re-read as `consider` raises it), each at most once: first the
// rows sharing the query's rarest terms, term by term, until the bound of the rows not yet visited falls below
// the threshold. Rows below it may be considered too (none above is missed). Once the lists would take more
// than `out_of_order_fraction` of the rows, the rest is swept in row order instead: a visit out of order misses
// the cache on every row, a sweep does not. Returns the number of rows scored.
template <typename Passes, typename Threshold, typename Consider>
int64_t VisitRowsThatCanEnter(const Segment& segment, const QueryScorer& scorer, double out_of_order_fraction,
                              const Passes& passes, const Threshold& threshold, const Consider& consider) {
  // Scores are float sums in another order than the bound: a margin far above their rounding error.
  constexpr double kMargin = 1e-4;
  const std::vector<QueryScorer::Term>& terms = scorer.terms();
  std::vector<int> order(terms.size());
  for (size_t t = 0; t < terms.size(); ++t) order[t] = static_cast<int>(t);
  const auto length = [&](int t) { return segment.postings[terms[t].facet].Rows(terms[t].column).size(); };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return length(a) < length(b); });

  const double out_of_order_budget = out_of_order_fraction * segment.rows();
  double listed = 0;
  int64_t scored = 0;
  std::vector<bool> unvisited(terms.size(), true);
  std::vector<uint64_t> seen((static_cast<size_t>(segment.rows()) + 63) / 64, 0);
  for (int t : order) {
    if (scorer.BoundOfRowsSharingOnly(unvisited) + kMargin < threshold()) return scored;
    listed += static_cast<double>(length(t));
    if (listed > out_of_order_budget) break;
    for (int r : segment.postings[terms[t].facet].Rows(terms[t].column)) {
      uint64_t& word = seen[static_cast<size_t>(r) / 64];
      const uint64_t bit = uint64_t{1} << (r % 64);
      if (word & bit) continue;
      word |= bit;
      if (!passes(r)) continue;
      consider(r, scorer.Score(r));
      ++scored;
    }
    unvisited[t] = false;
  }
  // The rows of the terms left, and those sharing no term (only location and embedding can lift those).
  if (scorer.BoundOfRowsSharingOnly(unvisited) + kMargin < threshold()) return scored;
  std::vector<float> sums;
  scorer.SparseSums(&sums);
  const double dense_bound = scorer.DenseBound();
  for (int r = 0; r < segment.rows(); ++r) {
    if (((seen[static_cast<size_t>(r) / 64] >> (r % 64)) & 1) || !passes(r)) continue;
    if (sums[r] + dense_bound + kMargin < threshold()) continue;
    consider(r, scorer.Finish(r, sums[r]));
    ++scored;
  }
  return scored;
}

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_QUERY_SCORER_H_
