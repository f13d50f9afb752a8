// The searchable collection of profiles: vectorizes each profile's facets (see vectorizer.h), keeps them per
// kind in per-facet Eigen matrices (rows L2-normalized), and answers ranked, filtered, explained matches.
//
// Thread-safety: every method is safe to call concurrently. Reads run in parallel; a write (Upsert, Delete)
// waits for running reads and is applied whole, so a reader never sees a half-written profile.
//
//   auto index = Index::Create(IndexOptions{}, vocabulary.get());
//   CHECK_OK((*index)->Upsert({tender, supplier_a, supplier_b}));
//   MatchParams params;
//   params.type = MatchType::kSuppliersForTender;
//   params.k = 10;
//   absl::StatusOr<MatchResult> result = (*index)->FindMatches(tender, params);
#ifndef CIRCMATCH_INDEX_H_
#define CIRCMATCH_INDEX_H_

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/explanation.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/scorer.h"
#include "circmatch/vectorizer.h"
#include "circmatch/vocabulary.h"

namespace circmatch {

struct IndexOptions {
  // Length of partner-computed embeddings; 0 means embeddings are not accepted.
  int embedding_dimension = 0;
  // Number of hash buckets of the text facet (a power of two).
  int text_hash_buckets = 1 << 18;
  // Location similarity is exp(-distance / location_decay_km) outside a supplier's service radius, 1 inside.
  double location_decay_km = 50;
  // When the partial scores of its lists cannot decide (location and embedding weigh too much; see
  // docs/MATCHING.md), FindMatches visits the rows sharing the query's rarest terms, out of row order, and stops
  // when no other row can enter the top k; past this fraction of the rows it goes on in row order instead (the
  // rows of the lists that may still hold an entrant, or all), which costs less per row. In [0, 1]; 1 always
  // visits out of order as far as the bounds allow, 0 always goes in row order.
  double out_of_order_fraction = 1.0 / 16;
  // False: the index keeps of each profile only its key and what it scores with, not the profile itself (350
  // bytes of a generated supplier's 2 KiB), for a caller that stores the profiles anyway: FindMatches leaves
  // the explanations to it (QueryExplainer, explainer.h, from each match's `scored`), Explain and ExplainPair
  // take the candidate's profile from it, and Get finds nothing.
  bool keep_profiles = true;
  // The model's parameters beside the facet weights (vectorizer.h).
  ModelParams model;
};

// One ranked candidate.
struct Match {
  ProfileKey key;
  double score = 0;
  // How the index scored it (scored.score == score): what its explanation is made of.
  PairSimilarity scored;
  Explanation explanation;
};

struct MatchResult {
  std::vector<Match> matches;  // best first; ties by key
  ResolvedParams resolved;     // the normalized weights and the filters used
  uint64_t index_version = 0;
  int64_t rows_scored = 0;  // candidates scored; the others were bounded out of the top k unscored
};

// The bytes an Index has allocated, by part, for the server's metrics and the benchmarks' accounts.
struct IndexMemory {
  int64_t matrices = 0;       // the sparse facets' rows: a column index and a value per nonzero
  int64_t text_norms = 0;     // a text row's length before normalizing, to weight it again on a new IDF
  int64_t posting_lists = 0;  // the matrices' transposes, dense values included
  int64_t dense_values = 0;   // of posting_lists, the byte per row of the common terms
  int64_t embeddings = 0;
  int64_t filter_columns = 0;  // points, liveness, owners, organizations, windows, certifications, radii
  int64_t keys = 0;            // the map from keys to rows (a key is its owner's number and its packed id)
  int64_t profiles = 0;        // the packed profiles, for explanations and Get
  int64_t other = 0;           // document frequencies, the IDF, interned owners and organizations

  // Every part but dense_values, which posting_lists includes.
  int64_t total() const {
    return matrices + text_norms + posting_lists + embeddings + filter_columns + keys + profiles + other;
  }

  // Every part by name, in the order above, as the server's metric labels them and the benchmarks print them.
  std::vector<std::pair<const char*, int64_t>> Parts() const {
    return {{"matrices", matrices},
            {"text_norms", text_norms},
            {"posting_lists", posting_lists},
            {"dense_values", dense_values},
            {"embeddings", embeddings},
            {"filter_columns", filter_columns},
            {"keys", keys},
            {"profiles", profiles},
            {"other", other}};
  }
};

// Scores of many queries against chosen candidates, for pairing a group at once.
struct ScoreMatrix {
  // scores(i, j): queries[i] against candidates[j], the score FindMatches gives that pair.
  Eigen::MatrixXf scores;
  // The normalized weights of each query (facets a query lacks get 0, so they differ per query).
  std::vector<FacetWeights> weights;
  uint64_t index_version = 0;
};

struct ExplainResult {
  Match match;             // with explanation.exclusions filled in
  int rank = 0;            // 1 = best among eligible candidates; 0 when excluded
  int eligible_count = 0;  // candidates that pass the filters
  uint64_t index_version = 0;
};

// Profiles checked, normalized and vectorized for Index::Upsert by Index::Prepare, which takes no lock: a writer
// does that work before its turn and holds the index's lock only to append. Valid for the index that made it.
class PreparedProfiles {
 public:
  PreparedProfiles();
  PreparedProfiles(PreparedProfiles&&) noexcept;
  PreparedProfiles& operator=(PreparedProfiles&&) noexcept;
  ~PreparedProfiles();

  // The normalized profiles, in the order given.
  const std::vector<Profile>& profiles() const { return profiles_; }

 private:
  friend class Index;
  struct Rows;  // their vectors, one per profile
  std::vector<Profile> profiles_;
  std::unique_ptr<Rows> rows_;
};

class Index {
 public:
  // `vocabulary` is borrowed and must outlive the index. INVALID_ARGUMENT for bad options.
  static absl::StatusOr<std::unique_ptr<Index>> Create(const IndexOptions& options, const Vocabulary* vocabulary);

  // Inserts or replaces profiles by key, all or none, each normalized first (NormalizeProfile);
  // INVALID_ARGUMENT (naming `profiles[i]` and the field) for one that does not normalize.
  absl::Status Upsert(absl::Span<const Profile> profiles);

  // The normalization and vectors of Upsert(profiles), without the lock, so concurrent writers prepare in
  // parallel. Errors as Upsert. Taken by value: a caller done with its batch moves it in rather than have it
  // copied.
  absl::StatusOr<PreparedProfiles> Prepare(std::vector<Profile> profiles) const;
  // Prepare of profiles their caller has normalized already (NormalizeProfile, with this index's vocabulary and
  // embedding dimension), so that a write normalizes each profile once; not normalized again.
  PreparedProfiles PrepareNormalized(std::vector<Profile> profiles) const;
  // Upsert of prepared profiles: only the appends, under the lock.
  void Upsert(PreparedProfiles prepared);

  // Removes a profile; NOT_FOUND when it is not there.
  absl::Status Delete(const ProfileKey& key);

  // A copy of a stored profile, or nullopt (always, when the index keeps no profiles). Its embedding is the
  // indexed one, scaled to unit length (the index keeps no other copy).
  std::optional<Profile> Get(const ProfileKey& key) const;

  // True when a profile is stored under `key` (whether or not the index keeps the profile itself).
  bool Contains(const ProfileKey& key) const;
  // True when a profile is stored under `key` and `viewer` may see it (MayView, visibility.h: its own, or shared;
  // an empty viewer sees every profile). Answered from the index alone, so a profile the viewer may not see costs
  // what an absent one does.
  bool VisibleTo(const ProfileKey& key, const std::string& viewer) const;

  // Number of stored profiles of a kind.
  int64_t Count(ProfileKind kind) const;

  // Incremented by every successful write.
  uint64_t version() const;
  // The version of what `viewer` may see (visibility.h: shared profiles and its own; empty: every profile,
  // version()): it grows with every write that changes what the viewer sees and with no other, so it says nothing
  // about other partners' private writes; the same view version means the same visible profiles. Match results
  // carry it (index_version) for their MatchParams::viewer.
  uint64_t ViewVersion(const std::string& viewer) const;

  // The bytes held, by part.
  IndexMemory Memory() const;

  // The top `params.k` candidates for `query` (a normalized profile, stored or not; a stored query is never
  // its own candidate), each explained when the index keeps profiles; otherwise the caller explains them from
  // their profiles (QueryExplainer). INVALID_ARGUMENT for k out of 1..kMaxK, bad weights or a query of the
  // wrong kind for the match type.
  absl::StatusOr<MatchResult> FindMatches(const Profile& query, const MatchParams& params) const;

  // The explanation of one candidate for `query`, with the filters that exclude it and its rank among the
  // eligible candidates. `candidate` is the stored profile as the caller has it (an index that keeps no
  // profiles has only its row); its row is found by its key. NOT_FOUND when no profile is stored under that key
  // or `params.viewer` may not see it; INVALID_ARGUMENT when it is not of the kind the match type ranks.
  absl::StatusOr<ExplainResult> Explain(const Profile& query, const Profile& candidate,
                                        const MatchParams& params) const;
  // The same with the index's own copy of the candidate; FAILED_PRECONDITION for an index that keeps none.
  absl::StatusOr<ExplainResult> Explain(const Profile& query, const ProfileKey& candidate,
                                        const MatchParams& params) const;

  // The score of every queries[i] against every candidates[j] (stored profiles of the kind the match type
  // ranks), hard filters not applied: the caller pairs under its own constraints. A query that is also a
  // candidate scores 0 against itself. Errors as FindMatches; NOT_FOUND naming `candidates[j]` when one is not
  // stored or not visible to `params.viewer`, INVALID_ARGUMENT when it is of the wrong kind.
  absl::StatusOr<ScoreMatrix> ScoreAll(absl::Span<const Profile> queries, absl::Span<const ProfileKey> candidates,
                                       const MatchParams& params) const;

  // The score and explanation of one pair, without the filters and rank of Explain (so without a scan of all
  // candidates). Errors as Explain.
  absl::StatusOr<Match> ExplainPair(const Profile& query, const Profile& candidate, const MatchParams& params) const;
  absl::StatusOr<Match> ExplainPair(const Profile& query, const ProfileKey& candidate, const MatchParams& params) const;

  // What the index vectorizes with, for explaining its matches (QueryExplainer).
  const Vectorizer& vectorizer() const;

  ~Index();

 private:
  class Impl;
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace circmatch

#endif  // CIRCMATCH_INDEX_H_
