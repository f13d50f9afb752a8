// One query prepared against one segment: scores a row at a time, and lists the query's sparse terms with an
// upper bound of what each can add, so a search (VisitRowsThatCanEnter, below) can add up the partial scores
// of most terms list by list, or visit the rows sharing the rarest terms first, and score only the rows that
// could still reach the k-th score (MaxScore-style pruning, exact).
//
// Every path that scores rows (FindMatches, Explain's rank, ScoreAll, the explanations) ends in one function
// (Finish), so they agree to the last bit: a row's score is the sum, in Facet order, of each weighing facet's
// weight x similarity x factor, which are the contributions its explanation lists. Bounds only decide which
// rows are scored.
//
// Thread-safety: immutable after construction; borrows the segment, which must not change while it is used.
#ifndef CIRCMATCH_ENGINE_SCORING_QUERY_SCORER_H_
#define CIRCMATCH_ENGINE_SCORING_QUERY_SCORER_H_

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/scorer.h"
#include "circmatch/vectorizer.h"
#include "index/segment.h"
#include "scoring/float_scan.h"
#include "scoring/partial_scores.h"

namespace circmatch {
namespace internal {

class QueryScorer {
 public:
  // `weights` are the resolved (normalized) facet weights. Distances are computed when the location facet
  // weighs, a distance limit or reach applies, or the query's text names a distance. `named_certification_ids`:
  // the query's FacetValues::named_certifications as the Index interns them, sorted (-1 for one no row holds).
  QueryScorer(const Segment& segment, const Vectorizer& vectorizer, const TextIdf& idf, const Profile& query,
              const MatchParams& params, const FacetWeights& weights, double location_decay_km,
              std::vector<int32_t> named_certification_ids = {});

  struct RowScore {
    double score = 0;        // in [0, 1]
    double distance_km = 0;  // NaN when either side has no point or no one asked for it
  };
  RowScore Score(int r) const;

  // Score(r) with what it is made of: each facet's similarity, the factor, and the distance whenever both sides
  // have a point (the explanation of row r). Its score is Score(r)'s, bit for bit.
  PairSimilarity ScoreByFacet(int r) const;

  // Score(r) of every row, in one pass per facet (sequential, so several times faster per row than Score at
  // random rows); bit-identical to Score.
  void ScoreRows(std::vector<double>* score, std::vector<double>* distance_km) const;

  // Scores and bounds that differ by less than this are treated as equal: a bound adds in another order than
  // Score, and this is far above the rounding error of either.
  static constexpr double kBoundMargin = 1e-4;

  // Score(r), or nullopt when row r cannot score `threshold` or more. Its sparse facets are computed one by
  // one, those giving up the most bound per nonzero read first (so the text facet's long rows last), and it is
  // given up as soon as what it has plus the bound of the facets left (and location and embedding) falls below.
  // Most rows of a large segment are given up after one or two facets, a fraction of the cost of Score.
  std::optional<RowScore> ScoreIfItMayReach(int r, double threshold) const;

  // The same, for a row to which the terms a query added up list by list give `listed` (up to rounding) and
  // the other terms at most `unlisted_bound`: its location is computed first, and its facets are read only if
  // it may still reach `threshold`.
  std::optional<RowScore> ScoreIfItMayReachFromListed(int r, double threshold, float listed,
                                                      double unlisted_bound) const;

  // Starts loading what a visit of row r reads first (its liveness and location), for a batch of rows.
  void Prefetch(int r) const {
    __builtin_prefetch(&segment_.alive[r]);
    if (need_distance_) {
      __builtin_prefetch(&segment_.has_location[r]);
      __builtin_prefetch(segment_.location_xyz.data() + 3 * static_cast<size_t>(r));
      __builtin_prefetch(&segment_.radius_km[r]);
      __builtin_prefetch(&segment_.reach_cosine[r]);
    }
  }

  // One nonzero of the query on a sparse facet that weighs.
  struct Term {
    int facet = 0;
    int column = 0;
    float value = 0;   // the query's (normalized) value
    float weight = 0;  // its facet's weight
  };
  const std::vector<Term>& terms() const { return terms_; }

  // A set of the query's terms and what they can add to a row at most: per facet the smaller of the sum of
  // weight * value * column maximum and weight * |query on those terms| (rows are unit vectors). The sums are
  // kept as terms come and go, so a search that moves its terms one at a time pays per bound for the facets,
  // not for the terms (a query of many terms would otherwise cost their square).
  class TermSet {
   public:
    TermSet(const QueryScorer& scorer, bool all);
    bool contains(int t) const { return in_[t]; }
    void Insert(int t) { Move(t, true); }
    void Erase(int t) { Move(t, false); }
    // What the terms in the set can add to any row, without location and embedding.
    double Bound() const;
    // The same plus what location and embedding can add: the most a row sharing only these terms can score.
    float BoundOfRowsSharingOnly() const;

   private:
    void Move(int t, bool in);
    const QueryScorer* scorer_;
    std::vector<bool> in_;
    std::vector<double> sum_of_maxima_, squares_;  // by sparse facet
  };

 private:
  struct SparseFacet {
    int facet = 0;
    float weight = 0;
    // A bit per column the query holds, so a row's other columns cost a bit test.
    std::vector<uint64_t> held;
    bool Holds(int column) const { return (held[static_cast<size_t>(column) / 64] >> (column % 64)) & 1; }
    // The query's values by column, for facets of at most kDenseQueryColumns columns; a wider facet's (the
    // text's: zeroing a megabyte for every query) are looked up among its terms.
    Eigen::VectorXf dense;
    size_t first_term = 0, end_term = 0;  // its terms in terms_, by increasing column
  };
  static constexpr int kDenseQueryColumns = 1 << 16;

  // The cosine of each of sparse_ with a row, by position in sparse_.
  using SparseCosines = std::array<float, kFacetCount>;

  float SparseCosine(const SparseFacet& f, int r) const;
  // The query's value at `column`, one of f's terms.
  float QueryValue(const SparseFacet& f, int column) const;
  // What term t can add at most to its facet's sum of maxima, and to its squares.
  double TermMaximum(int t) const;
  // What sparse facet f can add at most, from those sums of its terms.
  static double FacetBound(const SparseFacet& f, double sum_of_maxima, double squares) {
    return f.weight * std::min(sum_of_maxima, std::sqrt(std::max(squares, 0.0)));
  }
  std::vector<int> facet_of_term_;  // the index in sparse_ of each term's facet
  // The score of row r from its sparse cosines, and, when `detail` is not null, what it is made of.
  RowScore Finish(int r, const SparseCosines& cosines, PairSimilarity* detail = nullptr) const;
  // Row r's distance from the query's point, NaN when either has none.
  double Distance(int r) const;
  // What location adds to row r's score at `distance_km`, for the bounds.
  float LocationTerm(int r, double distance_km) const;
  double LocationSimilarityOf(int r, double distance_km) const;
  // The service radius that applies to row r's pair (ServiceRadiusKm).
  double ServiceRadiusOf(int r) const;

  const Segment& segment_;
  const MatchType type_;
  const double decay_km_;
  const FacetWeights weights_;  // the score's; sparse_, location_weight_ and embedding_weight_ are for bounds
  std::vector<SparseFacet> sparse_;
  std::vector<Term> terms_;
  float location_weight_ = 0;
  bool need_distance_ = false;
  // For ScoreFactor: the query's side, the options, the match type and the named certifications' ids.
  const FacetValues* query_facets_ = nullptr;
  const VectorizerOptions* options_ = nullptr;
  std::vector<int32_t> named_certification_ids_;
  bool factors_apply_ = false;
  std::optional<Eigen::Vector3d> point_;
  double query_radius_km_ = 0;
  float embedding_weight_ = 0;
  Eigen::VectorXf embedding_;
  // For ScoreIfItMayReach: the order of the sparse facets, and for each position the bound of the facets from there on
  // plus location and embedding.
  std::vector<int> facet_order_;
  std::vector<double> bound_from_;
};

// Calls `consider(r, score)` for every row of `segment` that passes `passes(r)` (the filters that need no
// score; `prefetch_passes(r)` asks for what it reads) and could score at least `threshold()` (re-read as `consider`
// raises it), each at most once; `k` is how many rows `consider` keeps. Rows below it may be considered too (none above
// is missed). Returns the number of rows scored. Every row is scored through ScoreIfItMayReach(FromListed), so most are
// given up early.
//
// First the query's lists (all but those of the text's common words) are added up list by list into a partial
// score per row, and the 2k passing rows with the highest are scored, which sets the threshold. If the common
// words, location and embedding together can then no longer lift a row to the threshold, only the rows whose
// partial score plus what those can add reaches it are scored, read in row order.
//
// Otherwise, first the rows sharing the query's rarest terms, term by term, until the bound of the rows not yet
// visited falls below the threshold, or until the lists would take more than `out_of_order_fraction` of the rows
// (a visit out of order misses the cache on every row). Then the rest in row order: only the rows of a cover
// (the shortest lists such that a row sharing none of them cannot reach the threshold) when those lists hold
// fewer entries than the segment has rows, else every row.
template <typename Passes, typename PrefetchPasses, typename Threshold, typename Consider>
int64_t VisitRowsThatCanEnter(const Segment& segment, const QueryScorer& scorer, int k, double out_of_order_fraction,
                              const Passes& passes, const PrefetchPasses& prefetch_passes, const Threshold& threshold,
                              const Consider& consider) {
  constexpr double kMargin = QueryScorer::kBoundMargin;
  // The most the words whose lists are bounded instead of read may add to a score.
  constexpr double kMaxUnlistedBound = 0.05;
  const std::vector<QueryScorer::Term>& terms = scorer.terms();
  const auto list = [&](int t) { return segment.postings[terms[t].facet].List(terms[t].column); };
  const auto length = [&](int t) { return list(t).size(); };

  int64_t scored = 0;
  const auto keep = [&](int r, const std::optional<QueryScorer::RowScore>& score) {
    if (!score) return;
    consider(r, *score);
    ++scored;
  };
  const auto visit = [&](int r) {
    if (passes(r)) keep(r, scorer.ScoreIfItMayReach(r, threshold()));
  };
  std::vector<uint64_t> seen((static_cast<size_t>(segment.rows()) + 63) / 64, 0);
  const auto is_seen = [&](int r) { return (seen[static_cast<size_t>(r) / 64] >> (r % 64)) & 1; };
  const auto mark_seen = [&](int r) { seen[static_cast<size_t>(r) / 64] |= uint64_t{1} << (r % 64); };

  // The lists added up: every term's but those of the commonest (words, or CPV divisions and groups, in more
  // than a quarter of the rows), longest first, as long as what they could add together stays small: a common
  // term's list is long and its values small, so its bound costs less than reading it, unless its facet weighs
  // so much that the bound alone would reach the k-th score and every row would have to be read.
  const double longest_read_list = 0.25 * segment.rows();
  QueryScorer::TermSet not_listed(scorer, false);
  std::vector<int> common;
  for (size_t t = 0; t < terms.size(); ++t) {
    if (static_cast<double>(length(t)) > longest_read_list) {
      common.push_back(static_cast<int>(t));
    }
  }
  std::stable_sort(common.begin(), common.end(), [&](int a, int b) { return length(a) > length(b); });
  for (int t : common) {
    not_listed.Insert(t);
    if (not_listed.Bound() > kMaxUnlistedBound) {
      not_listed.Erase(t);
      break;
    }
  }
  std::vector<ScaledList> valued_lists;
  for (size_t t = 0; t < terms.size(); ++t) {
    if (not_listed.contains(static_cast<int>(t))) continue;
    valued_lists.push_back({list(t), terms[t].weight * terms[t].value});
  }
  const double unlisted_bound = not_listed.Bound();
  const double rest = not_listed.BoundOfRowsSharingOnly() + kMargin;
  if (!valued_lists.empty() && rest < 1.0) {
    thread_local std::vector<float> partial, block_maxima;  // kept between queries: fresh ones cost page faults
    AddUpListByList(segment.rows(), valued_lists, &partial, &block_maxima);
    const auto visit_listed = [&](int r) {
      if (!passes(r)) return;
      keep(r, scorer.ScoreIfItMayReachFromListed(r, threshold(), partial[static_cast<size_t>(r)], unlisted_bound));
    };
    for (int r : RowsWithHighestPartial(partial, block_maxima, 2 * k, passes, prefetch_passes)) {
      mark_seen(r);
      visit_listed(r);
    }
    if (rest < threshold()) {
      // The cut as a float may round up a little; the margin in `rest` is far larger.
      const auto cut = [&] { return static_cast<float>(threshold() - rest); };
      // Rows are visited a batch at a time, each batch's first reads started together: a row's first reads
      // are cache misses, and one at a time they would wait for memory one after the other.
      const auto prefetch = [&](int r) {
        prefetch_passes(r);
        scorer.Prefetch(r);
      };
      PrefetchedBatches batches(prefetch, visit_listed);
      ForEachAboveInBlocks(partial.data(), partial.size(), block_maxima, cut, [&](size_t r) {
        if (!is_seen(static_cast<int>(r))) batches.Add(static_cast<int>(r));
      });
      batches.Flush();
      return scored;
    }
  }

  std::vector<int> order(terms.size());
  for (size_t t = 0; t < terms.size(); ++t) order[t] = static_cast<int>(t);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return length(a) < length(b); });
  const double out_of_order_budget = out_of_order_fraction * segment.rows();
  double listed = 0;
  QueryScorer::TermSet unvisited(scorer, true);
  for (int t : order) {
    if (unvisited.BoundOfRowsSharingOnly() + kMargin < threshold()) return scored;
    listed += static_cast<double>(length(t));
    if (listed > out_of_order_budget) break;
    list(t).ForEachRow([&](int r) {
      if (is_seen(r)) return;
      mark_seen(r);
      visit(r);
    });
    unvisited.Erase(t);
  }
  if (unvisited.BoundOfRowsSharingOnly() + kMargin < threshold()) return scored;

  // The cover: the unvisited terms, less the longest lists whose rows, sharing only dropped terms, stay below
  // the threshold. Rows sharing no term at all are bounded by location and embedding alone.
  QueryScorer::TermSet dropped(scorer, false);
  bool use_cover = dropped.BoundOfRowsSharingOnly() + kMargin < threshold();
  double cover_length = 0;
  for (auto it = order.rbegin(); use_cover && it != order.rend(); ++it) {
    if (!unvisited.contains(*it)) continue;
    dropped.Insert(*it);
    if (dropped.BoundOfRowsSharingOnly() + kMargin >= threshold()) {
      dropped.Erase(*it);
      cover_length += static_cast<double>(length(*it));
    }
  }
  // Marking a list entry costs less than testing a row, so only a cover longer than the segment is swept.
  use_cover = use_cover && cover_length < segment.rows();
  if (use_cover) {
    std::vector<uint64_t> in_cover(seen.size(), 0);
    for (size_t t = 0; t < terms.size(); ++t) {
      if (!unvisited.contains(static_cast<int>(t)) || dropped.contains(static_cast<int>(t))) continue;
      list(t).ForEachRow([&](int r) { in_cover[static_cast<size_t>(r) / 64] |= uint64_t{1} << (r % 64); });
    }
    for (size_t w = 0; w < in_cover.size(); ++w) {
      for (uint64_t bits = in_cover[w] & ~seen[w]; bits != 0; bits &= bits - 1) {
        visit(static_cast<int>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
      }
    }
    return scored;
  }
  for (int r = 0; r < segment.rows(); ++r) {
    if (!is_seen(r)) visit(r);
  }
  return scored;
}

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_SCORING_QUERY_SCORER_H_
