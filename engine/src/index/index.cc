#include "circmatch/index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "circmatch/explainer.h"
#include "circmatch/scorer.h"
#include "circmatch/top_k.h"
#include "circmatch/vectorizer.h"
#include "circmatch/visibility.h"
#include "index/rows_by_key.h"
#include "index/segment.h"
#include "scoring/query_scorer.h"

namespace circmatch {
namespace {

constexpr int kKindCount = 4;
// The IDF table is rebuilt (and every text row re-weighted) when the corpus has grown or shrunk by this factor
// since the last rebuild: a geometric schedule, so the re-weighting costs O(1) amortized per write, and the
// IDF a score uses is never more than this factor out of date.
constexpr double kIdfDriftFactor = 1.25;

int KindIndex(ProfileKind kind) { return static_cast<int>(kind); }

// One scored row on its way through top-k.
struct Scored {
  double score;
  int row;
};

}  // namespace

struct PreparedProfiles::Rows {
  std::vector<internal::RowData> rows;  // rows[i] of profiles_[i], but what needs the lock (see Impl::Upsert)
};

PreparedProfiles::PreparedProfiles() : rows_(std::make_unique<Rows>()) {}
PreparedProfiles::PreparedProfiles(PreparedProfiles&&) noexcept = default;
PreparedProfiles& PreparedProfiles::operator=(PreparedProfiles&&) noexcept = default;
PreparedProfiles::~PreparedProfiles() = default;

class Index::Impl {
 public:
  Impl(const IndexOptions& options, const Vocabulary* vocabulary)
      : options_(options),
        vocabulary_(vocabulary),
        vectorizer_(vocabulary, VectorizerOptions{options.text_hash_buckets, 1 << 10, options.embedding_dimension,
                                                  1 << 10, options.model}),
        rows_by_key_([this](const internal::RowRef& ref) { return KeyOf(*segments_[KindIndex(ref.kind)], ref.row); }),
        document_frequency_(static_cast<size_t>(options.text_hash_buckets), 0),
        idf_(options.text_hash_buckets) {
    for (auto& segment : segments_) {
      segment = std::make_unique<internal::Segment>(vectorizer_, options.keep_profiles);
    }
  }

  // Validates and normalizes everything before touching the index: all or none.
  absl::StatusOr<PreparedProfiles> Prepare(std::vector<Profile> profiles) const {
    for (size_t i = 0; i < profiles.size(); ++i) {
      absl::Status status = NormalizeProfile(*vocabulary_, options_.embedding_dimension, &profiles[i]);
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrFormat("profiles[%d].%s", i, status.message()));
      }
    }
    return PrepareNormalized(std::move(profiles));
  }

  PreparedProfiles PrepareNormalized(std::vector<Profile> profiles) const {
    PreparedProfiles prepared;
    prepared.profiles_ = std::move(profiles);
    prepared.rows_->rows.reserve(prepared.profiles_.size());
    for (const Profile& profile : prepared.profiles_) prepared.rows_->rows.push_back(Vectorize(profile));
    return prepared;
  }

  // What Prepare left for the lock: the text weighted with the IDF of the moment, and the owner and
  // organization numbered.
  void Upsert(PreparedProfiles prepared) {
    if (prepared.profiles_.empty()) return;
    absl::WriterMutexLock lock(&mu_);
    for (size_t i = 0; i < prepared.profiles_.size(); ++i) {
      const Profile& profile = prepared.profiles_[i];
      internal::RowData& row = prepared.rows_->rows[i];
      if (const std::optional<internal::RowRef> old = rows_by_key_.Find(profile.key)) {
        NoteChange(*segments_[KindIndex(old->kind)], old->row);
        Remove(*old);
      }
      row.sparse[static_cast<int>(Facet::kText)] =
          Vectorizer::WeightText(Vectorizer::TermFrequencies(row.text_counts), idf_, &row.text_norm);
      row.owner_id = Intern(&owner_ids_, profile.key.owner);
      if (row.owner_id == static_cast<int32_t>(owner_names_.size())) owner_names_.push_back(profile.key.owner);
      const std::string organization = OrganizationKey(profile.organization);
      row.organization_id = organization.empty() ? -1 : Intern(&organization_ids_, organization);
      row.certification_ids.clear();
      for (const std::string& certification : row.certifications) {
        row.certification_ids.push_back(Intern(&certification_ids_, certification));
      }
      std::sort(row.certification_ids.begin(), row.certification_ids.end());
      if (row.shared) {
        for (int bucket : row.text_counts.indices) ++document_frequency_[bucket];
        ++documents_;
      }
      const int r = segments_[KindIndex(profile.kind)]->Append(profile, row);
      rows_by_key_.Insert(internal::RowRef{profile.kind, r});
      NoteChange(*segments_[KindIndex(profile.kind)], r);
    }
    AfterWrite();
  }

  absl::Status Delete(const ProfileKey& key) {
    absl::WriterMutexLock lock(&mu_);
    const std::optional<internal::RowRef> ref = rows_by_key_.Find(key);
    if (!ref) {
      return absl::NotFoundError(NotFoundMessage(key));
    }
    NoteChange(*segments_[KindIndex(ref->kind)], ref->row);
    Remove(*ref);
    AfterWrite();
    return absl::OkStatus();
  }

  std::optional<Profile> Get(const ProfileKey& key) const {
    if (!options_.keep_profiles) return std::nullopt;
    absl::ReaderMutexLock lock(&mu_);
    const std::optional<internal::RowRef> ref = rows_by_key_.Find(key);
    if (!ref) return std::nullopt;
    return StoredProfile(*segments_[KindIndex(ref->kind)], ref->row);
  }

  bool Contains(const ProfileKey& key) const {
    absl::ReaderMutexLock lock(&mu_);
    return rows_by_key_.Find(key).has_value();
  }

  bool VisibleTo(const ProfileKey& key, const std::string& viewer) const {
    absl::ReaderMutexLock lock(&mu_);
    const std::optional<internal::RowRef> ref = rows_by_key_.Find(key);
    return ref.has_value() && MayView(viewer, key.owner, RowVisibility(*ref));
  }

  int64_t Count(ProfileKind kind) const {
    absl::ReaderMutexLock lock(&mu_);
    return segments_[KindIndex(kind)]->live_rows();
  }

  uint64_t ViewVersion(const std::string& viewer) const {
    absl::ReaderMutexLock lock(&mu_);
    return ViewVersionLocked(viewer);
  }

  const Vectorizer& vectorizer() const { return vectorizer_; }

  uint64_t version() const {
    absl::ReaderMutexLock lock(&mu_);
    return version_;
  }

  IndexMemory Memory() const {
    absl::ReaderMutexLock lock(&mu_);
    IndexMemory memory;
    for (const auto& segment : segments_) segment->AddMemory(&memory);
    memory.keys += rows_by_key_.bytes();
    memory.other = internal::VectorBytes(document_frequency_) +
                   static_cast<int64_t>(idf_.bucket_count()) * static_cast<int64_t>(sizeof(float)) +
                   InternedBytes(owner_ids_) + InternedBytes(organization_ids_) + InternedBytes(certification_ids_) +
                   internal::VectorBytes(owner_names_);
    for (const std::string& name : owner_names_) memory.other += internal::StringHeapBytes(name);
    return memory;
  }

  absl::StatusOr<MatchResult> FindMatches(const Profile& query, const MatchParams& params) const {
    absl::StatusOr<ResolvedParams> resolved = ResolveParams(*vocabulary_, query, params, options_.embedding_dimension);
    if (!resolved.ok()) return resolved.status();
    MatchResult result;
    std::vector<Profile> kept;  // the profiles of the matches, when the index keeps them
    {
      absl::ReaderMutexLock lock(&mu_);
      const internal::Segment& segment = *segments_[KindIndex(CandidateKind(params.type))];
      const internal::QueryScorer scorer(segment, vectorizer_, idf_, query, params, resolved->weights,
                                         options_.location_decay_km, NamedCertificationIds(query, params.type));
      const RowFilter filter = MakeFilter(query, params, *resolved);

      const auto better = [this, &segment](const Scored& a, const Scored& b) {
        if (a.score != b.score) return a.score > b.score;
        return KeyOf(segment, a.row) < KeyOf(segment, b.row);
      };
      TopK<Scored, decltype(better)> top(params.k, better);
      absl::Status interrupted;
      int until_check = kRowsPerInterruptCheck;
      // Once interrupted no row passes, so what is left of the search runs through at once.
      const auto passes = [&](int r) {
        if (params.interrupt && --until_check == 0) {
          until_check = kRowsPerInterruptCheck;
          if (interrupted.ok()) interrupted = params.interrupt();
        }
        return interrupted.ok() && filter.Passes(segment, r);
      };
      const auto consider = [&](int r, const internal::QueryScorer::RowScore& s) {
        if (!filter.PassesDistance(segment, r, s.distance_km) || s.score < params.filter.min_score) return;
        top.Push(Scored{s.score, r});
      };
      // The score a row must beat to enter: the k-th kept score, or min_score while fewer are kept.
      const auto threshold = [&] {
        return top.full() ? std::max<double>(top.worst().score, params.filter.min_score) : params.filter.min_score;
      };
      const auto prefetch_passes = [&](int r) { filter.Prefetch(segment, r); };
      const int64_t rows_scored = internal::VisitRowsThatCanEnter(
          segment, scorer, params.k, options_.out_of_order_fraction, passes, prefetch_passes, threshold, consider);
      if (!interrupted.ok()) return interrupted;

      result.index_version = ViewVersionLocked(params.viewer);
      result.rows_scored = rows_scored;
      for (const Scored& s : std::move(top).Take()) {
        Match match;
        match.key = KeyOf(segment, s.row).ToKey();
        match.score = s.score;
        match.scored = scorer.ScoreByFacet(s.row);
        if (options_.keep_profiles) kept.push_back(StoredProfile(segment, s.row));
        result.matches.push_back(std::move(match));
      }
    }
    if (options_.keep_profiles) {
      const QueryExplainer explainer(vectorizer_, query, params, *resolved);
      for (size_t i = 0; i < kept.size(); ++i) {
        result.matches[i].explanation = explainer.Explain(kept[i], result.matches[i].scored);
      }
    }
    result.resolved = *std::move(resolved);
    return result;
  }

  absl::StatusOr<ScoreMatrix> ScoreAll(absl::Span<const Profile> queries, absl::Span<const ProfileKey> candidates,
                                       const MatchParams& params) const {
    ScoreMatrix result;
    std::vector<ResolvedParams> resolved;
    for (size_t i = 0; i < queries.size(); ++i) {
      absl::StatusOr<ResolvedParams> r = ResolveParams(*vocabulary_, queries[i], params, options_.embedding_dimension);
      if (!r.ok()) return absl::Status(r.status().code(), absl::StrFormat("queries[%d]: %s", i, r.status().message()));
      result.weights.push_back(r->weights);
      resolved.push_back(*std::move(r));
    }
    absl::ReaderMutexLock lock(&mu_);
    const internal::Segment& segment = *segments_[KindIndex(CandidateKind(params.type))];
    std::vector<int> rows;
    rows.reserve(candidates.size());
    for (size_t j = 0; j < candidates.size(); ++j) {
      absl::StatusOr<int> row = VisibleCandidateRow(candidates[j], params, absl::StrFormat("candidates[%d]", j));
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    result.scores.setZero(static_cast<Eigen::Index>(queries.size()), static_cast<Eigen::Index>(candidates.size()));
    int64_t until_check = kRowsPerInterruptCheck;
    for (size_t i = 0; i < queries.size(); ++i) {
      if (params.interrupt && (until_check -= static_cast<int64_t>(rows.size())) <= 0) {
        until_check = kRowsPerInterruptCheck;
        if (absl::Status interrupted = params.interrupt(); !interrupted.ok()) return interrupted;
      }
      const internal::QueryScorer scorer(segment, vectorizer_, idf_, queries[i], params, resolved[i].weights,
                                         options_.location_decay_km, NamedCertificationIds(queries[i], params.type));
      for (size_t j = 0; j < rows.size(); ++j) {
        if (KeyOf(segment, rows[j]) == internal::KeyView(queries[i].key)) continue;
        result.scores(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            static_cast<float>(scorer.Score(rows[j]).score);
      }
    }
    result.index_version = ViewVersionLocked(params.viewer);
    return result;
  }

  absl::StatusOr<Match> ExplainPair(const Profile& query, const Profile& candidate, const MatchParams& params) const {
    absl::StatusOr<ExplainResult> explained = ExplainOne(query, candidate, params, /*rank=*/false);
    if (!explained.ok()) return explained.status();
    return std::move(explained->match);
  }

  absl::StatusOr<ExplainResult> Explain(const Profile& query, const Profile& candidate,
                                        const MatchParams& params) const {
    return ExplainOne(query, candidate, params, /*rank=*/true);
  }

  // The index's own copy of a candidate of the kind `params.type` ranks that `params.viewer` may see. Errors
  // as VisibleCandidateRow; FAILED_PRECONDITION for an index that keeps no profiles.
  absl::StatusOr<Profile> KeptProfile(const ProfileKey& key, const MatchParams& params) const {
    if (!options_.keep_profiles) {
      return absl::FailedPreconditionError(
          "candidate: this index keeps no profiles; give the candidate's profile instead of its key");
    }
    absl::ReaderMutexLock lock(&mu_);
    absl::StatusOr<int> row = VisibleCandidateRow(key, params, "candidate");
    if (!row.ok()) return row.status();
    return StoredProfile(*segments_[KindIndex(CandidateKind(params.type))], *row);
  }

 private:
  static std::string NotFoundMessage(const ProfileKey& key) {
    return absl::StrFormat("profile \"%s\" of owner \"%s\" not found", key.id, key.owner);
  }

  // Explain, and without `rank` ExplainPair: the score and explanation of one candidate, and with `rank` the
  // filters that exclude it and its rank among the eligible candidates (a scan of them all).
  absl::StatusOr<ExplainResult> ExplainOne(const Profile& query, const Profile& profile, const MatchParams& params,
                                           bool rank) const {
    absl::StatusOr<ResolvedParams> resolved = ResolveParams(*vocabulary_, query, params, options_.embedding_dimension);
    if (!resolved.ok()) return resolved.status();
    absl::ReaderMutexLock lock(&mu_);
    absl::StatusOr<int> row = VisibleCandidateRow(profile.key, params, "candidate");
    if (!row.ok()) return row.status();
    const internal::Segment& segment = *segments_[KindIndex(CandidateKind(params.type))];
    const int candidate_row = *row;
    const internal::QueryScorer scorer(segment, vectorizer_, idf_, query, params, resolved->weights,
                                       options_.location_decay_km, NamedCertificationIds(query, params.type));

    ExplainResult result;
    result.index_version = ViewVersionLocked(params.viewer);
    result.match.key = profile.key;
    const PairSimilarity own = scorer.ScoreByFacet(candidate_row);
    result.match.score = own.score;
    result.match.scored = own;
    result.match.explanation = QueryExplainer(vectorizer_, query, params, *resolved).Explain(profile, own);
    if (!rank) return result;

    std::vector<Exclusion> exclusions =
        FindExclusions(*vocabulary_, query, profile, params, *resolved, own.distance_km);
    if (own.score < params.filter.min_score) {
      exclusions.push_back(
          {"filter.min_score", absl::StrFormat("score %.4f is below %.4f", own.score, params.filter.min_score)});
    }
    result.match.explanation.exclusions = std::move(exclusions);

    const RowFilter filter = MakeFilter(query, params, *resolved);
    std::vector<double> scores;
    std::vector<double> distances;
    scorer.ScoreRows(&scores, &distances);
    int better = 0;
    for (int r = 0; r < segment.rows(); ++r) {
      if (!filter.Passes(segment, r) || !filter.PassesDistance(segment, r, distances[r])) continue;
      const double score = scores[r];
      if (score < params.filter.min_score) continue;
      ++result.eligible_count;
      if (score > own.score || (score == own.score && KeyOf(segment, r) < internal::KeyView(profile.key))) ++better;
    }
    result.rank = result.match.explanation.exclusions.empty() ? better + 1 : 0;
    return result;
  }

  // The row of a stored candidate of the kind `params.type` ranks that `params.viewer` may see; `field` names it
  // in errors.
  absl::StatusOr<int> VisibleCandidateRow(const ProfileKey& key, const MatchParams& params,
                                          const std::string& field) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (const std::optional<internal::RowRef> ref = rows_by_key_.Find(key)) {
      const ProfileKind kind = ref->kind;
      if (MayView(params.viewer, key.owner, RowVisibility(*ref))) {
        const ProfileKind wanted = CandidateKind(params.type);
        if (kind != wanted) {
          return absl::InvalidArgumentError(absl::StrCat(field, ": is a ", ProfileKindName(kind),
                                                         ", but this match type ranks ", ProfileKindName(wanted)));
        }
        return ref->row;
      }
    }
    return absl::NotFoundError(absl::StrCat(field, ": ", NotFoundMessage(key)));
  }

  // The visibility of a stored row (visibility.h).
  Visibility RowVisibility(const internal::RowRef& ref) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return segments_[KindIndex(ref.kind)]->shared[ref.row] ? Visibility::kShared : Visibility::kPrivate;
  }

  // The hard filters resolved against one segment, checked per row from the flat columns.
  struct RowFilter {
    // The viewer (visibility.h) as the row filter compares it: empty (sees all), or its interned owner number.
    bool viewer_sees_all = true;
    int32_t viewer_id = -1;  // -1: the viewer owns nothing here
    bool check_open = false;
    int64_t now = 0;
    absl::flat_hash_set<int> excluded_rows;  // filter.exclude and the query itself
    std::vector<int32_t> excluded_organizations;
    bool check_certifications = false;
    std::vector<int32_t> required_certifications;  // interned ids, sorted
    bool nothing_passes = false;                   // a required certificate no row holds
    double max_distance_km = 0;
    // The query's point, if it has one.
    std::optional<Eigen::Vector3d> point;
    // With a distance limit: the smallest cosine between the point and a row's that may still be within the
    // limit (no point: no row passes), so rows surely too far are left out before scoring.
    bool check_near = false;
    double min_cosine = -1;
    // Reach (MatchFilter::include_out_of_reach): each row's own radius (suppliers for a tender), or the query's
    // (tenders for a supplier), with its ReachCosine for the same early cut. Rows without a point pass.
    bool check_row_reach = false;
    double query_reach_km = 0;
    double query_reach_cosine = -2;

    // Every filter but the exact distance, which is the scored one's (PassesDistance).
    bool Passes(const internal::Segment& s, int r) const {
      if (nothing_passes || !s.alive[r]) return false;
      if (!MayViewResolved(viewer_sees_all, s.owner_id[r] == viewer_id, s.shared[r] != 0)) return false;
      if (check_open && (now < s.OpensAt(r) || now >= s.ClosesAt(r))) return false;
      if (!excluded_rows.empty() && excluded_rows.contains(r)) return false;
      if (!excluded_organizations.empty() && std::find(excluded_organizations.begin(), excluded_organizations.end(),
                                                       s.organization_id[r]) != excluded_organizations.end()) {
        return false;
      }
      if (check_certifications && !s.HoldsAll(r, required_certifications)) return false;
      if (check_near) {
        if (!point || !s.has_location[r] || s.LocationCosine(r, *point) < min_cosine) return false;
      }
      if ((check_row_reach || query_reach_km > 0) && point && s.has_location[r]) {
        const double cosine = s.LocationCosine(r, *point);
        if (check_row_reach && cosine < s.reach_cosine[r]) return false;
        if (cosine < query_reach_cosine) return false;
      }
      return true;
    }
    // Asks for what Passes(s, r) reads, so the reads of several rows overlap.
    void Prefetch(const internal::Segment& s, int r) const {
      __builtin_prefetch(&s.alive[r]);
      __builtin_prefetch(&s.owner_id[r]);
      __builtin_prefetch(&s.shared[r]);
      if (check_open && !s.windows.empty()) __builtin_prefetch(&s.windows[r]);
      if (!excluded_organizations.empty()) __builtin_prefetch(&s.organization_id[r]);
      if (check_certifications) __builtin_prefetch(&s.certification_ends[r]);
      if ((check_near || check_row_reach || query_reach_km > 0) && point) {
        __builtin_prefetch(&s.has_location[r]);
        __builtin_prefetch(s.location_xyz.data() + 3 * static_cast<size_t>(r));
        if (check_row_reach) __builtin_prefetch(&s.reach_cosine[r]);
      }
    }
    // The filters on the scored distance (NaN: no point on either side) of row r.
    bool PassesDistance(const internal::Segment& s, int r, double distance_km) const {
      if (max_distance_km > 0 && !(distance_km <= max_distance_km)) return false;
      if (check_row_reach && s.radius_km[r] > 0 && distance_km > s.radius_km[r]) return false;
      return !(query_reach_km > 0 && distance_km > query_reach_km);
    }
  };

  // A row's data but its text weights, owner and organization (Upsert's, under the lock).
  internal::RowData Vectorize(const Profile& profile) const {
    internal::RowData row;
    const FacetValues& facets = CandidateFacets(profile);
    for (int f = 0; f < kFacetCount; ++f) {
      const Facet facet = static_cast<Facet>(f);
      if (internal::IsSparseFacet(facet) && facet != Facet::kText) {
        row.sparse[f] = vectorizer_.Categorical(facet, facets);
      }
    }
    row.text_counts = vectorizer_.TextTermCounts(facets);
    row.location = Vectorizer::LocationVector(profile.location);
    if (!profile.embedding.empty()) row.embedding = Vectorizer::EmbeddingVector(profile.embedding);
    row.shared = profile.visibility == Visibility::kShared;
    if (profile.publication_time) row.opens_at = *profile.publication_time;
    if (profile.closing_time) row.closes_at = *profile.closing_time;
    row.certifications = vocabulary_->HeldCertifications(facets.certifications);
    row.radius_km = profile.service_radius_km;
    row.intermediary = facets.intermediary;
    return row;
  }

  static int32_t Intern(absl::flat_hash_map<std::string, int32_t>* ids, const std::string& value) {
    auto [it, inserted] = ids->emplace(value, static_cast<int32_t>(ids->size()));
    return it->second;
  }

  // The key of row `r` of `segment`: its owner by number, its id from its packed profile.
  internal::KeyView KeyOf(const internal::Segment& segment, int r) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return internal::KeyView(owner_names_[segment.owner_id[r]], segment.Id(r));
  }
  Profile StoredProfile(const internal::Segment& segment, int r) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return segment.StoredProfile(r, owner_names_[segment.owner_id[r]]);
  }

  // Bytes of an interning map: its slots and control bytes, and the strings too long to be kept in them.
  static int64_t InternedBytes(const absl::flat_hash_map<std::string, int32_t>& ids) {
    int64_t bytes = static_cast<int64_t>(ids.capacity() * (sizeof(std::pair<std::string, int32_t>) + 1));
    for (const auto& [value, id] : ids) bytes += internal::StringHeapBytes(value);
    return bytes;
  }

  // Notes that row r of `segment` is written or removed: it changes the views of those who may see it
  // (visibility.h): shared, every partner's; private, its owner's. AfterWrite bumps the versions of the views that
  // changed, once per write.
  void NoteChange(const internal::Segment& segment, int r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (segment.shared[r]) {
      shared_changed_ = true;
    } else {
      changed_owners_.push_back(segment.owner_id[r]);
    }
  }

  // What `viewer` may see (visibility.h) changes with the shared profiles and with its own: the sum of their
  // versions grows with every change it could see and with no other (so it tells nothing of another partner's
  // private writes), and equal sums mean equal views. An empty viewer sees all: the index's version.
  uint64_t ViewVersionLocked(const std::string& viewer) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (viewer.empty()) return version_;
    const auto it = owner_ids_.find(viewer);
    const uint64_t own = it == owner_ids_.end() || it->second >= static_cast<int32_t>(owner_versions_.size())
                             ? 0
                             : owner_versions_[it->second];
    return shared_version_ + own;
  }

  // Tombstones a stored row, drops its key and takes its text (if shared) out of the document frequencies.
  void Remove(const internal::RowRef& ref) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    internal::Segment& segment = *segments_[KindIndex(ref.kind)];
    rows_by_key_.Erase(KeyOf(segment, ref.row));  // before the tombstone clears the key
    if (segment.shared[ref.row]) {
      for (int bucket : segment.sparse[static_cast<int>(Facet::kText)].RowIndices(ref.row)) {
        --document_frequency_[bucket];
      }
      --documents_;
    }
    segment.Tombstone(ref.row);
  }

  // Compacts segments with many tombstones, refreshes the IDF when the corpus drifted, bumps the version.
  void AfterWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    bool compacted = false;
    for (int k = 0; k < kKindCount; ++k) {
      if (!segments_[k]->NeedsCompaction()) continue;
      segments_[k] = std::make_unique<internal::Segment>(segments_[k]->Compacted(idf_));
      compacted = true;
    }
    if (compacted) {
      // Rows were renumbered: every entry is made again from the live rows.
      rows_by_key_.Clear();
      for (int k = 0; k < kKindCount; ++k) {
        for (int r = 0; r < segments_[k]->rows(); ++r) {
          if (segments_[k]->alive[r]) rows_by_key_.Insert(internal::RowRef{static_cast<ProfileKind>(k), r});
        }
      }
    }
    const double n = static_cast<double>(documents_), at = static_cast<double>(idf_documents_);
    if (n > at * kIdfDriftFactor || n * kIdfDriftFactor < at || (idf_documents_ == 0 && documents_ > 0)) {
      TextIdf idf = TextIdf::FromDocumentFrequencies(document_frequency_, documents_);
      for (auto& segment : segments_) segment->ReweightText(idf_, idf);
      idf_ = std::move(idf);
      idf_documents_ = documents_;
    }
    ++version_;
    shared_version_ += shared_changed_;
    shared_changed_ = false;
    std::sort(changed_owners_.begin(), changed_owners_.end());
    changed_owners_.erase(std::unique(changed_owners_.begin(), changed_owners_.end()), changed_owners_.end());
    for (const int32_t owner : changed_owners_) {
      if (owner >= static_cast<int32_t>(owner_versions_.size())) owner_versions_.resize(owner + 1, 0);
      ++owner_versions_[owner];
    }
    changed_owners_.clear();
  }

  // The certifications the query's text names (FacetValues::named_certifications) as interned ids, sorted; -1
  // for one that no row holds.
  std::vector<int32_t> NamedCertificationIds(const Profile& query, MatchType type) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    std::vector<int32_t> ids;
    for (const std::string& certification : QueryFacets(type, query).named_certifications) {
      auto it = certification_ids_.find(certification);
      ids.push_back(it == certification_ids_.end() ? -1 : it->second);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  RowFilter MakeFilter(const Profile& query, const MatchParams& params, const ResolvedParams& resolved) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    RowFilter filter;
    const ProfileKind kind = CandidateKind(params.type);
    filter.viewer_sees_all = params.viewer.empty();
    if (!filter.viewer_sees_all) {
      auto it = owner_ids_.find(params.viewer);
      filter.viewer_id = it == owner_ids_.end() ? -1 : it->second;
    }
    filter.check_open = params.type == MatchType::kTendersForSupplier;
    filter.now = params.now_unix_seconds;
    const auto exclude_key = [&](const ProfileKey& key) {
      const std::optional<internal::RowRef> ref = rows_by_key_.Find(key);
      if (ref && ref->kind == kind) filter.excluded_rows.insert(ref->row);
    };
    exclude_key(query.key);
    for (const ProfileKey& key : params.filter.exclude) exclude_key(key);
    for (const std::string& organization : resolved.excluded_organizations) {
      auto it = organization_ids_.find(organization);
      if (it != organization_ids_.end()) filter.excluded_organizations.push_back(it->second);
    }
    if (!resolved.required_certifications.empty()) {
      filter.check_certifications = true;
      for (const std::string& certification : resolved.required_certifications) {
        auto it = certification_ids_.find(certification);
        if (it == certification_ids_.end()) {
          filter.nothing_passes = true;
        } else {
          filter.required_certifications.push_back(it->second);
        }
      }
      std::sort(filter.required_certifications.begin(), filter.required_certifications.end());
    }
    filter.max_distance_km = params.filter.max_distance_km;
    filter.point = Vectorizer::LocationVector(query.location);
    if (filter.max_distance_km > 0 && filter.max_distance_km / kEarthRadiusKm < std::acos(-1.0)) {
      filter.check_near = true;
      filter.min_cosine = internal::ReachCosine(filter.max_distance_km);
    }
    if (!params.filter.include_out_of_reach) {
      filter.check_row_reach = params.type == MatchType::kSuppliersForTender;
      if (params.type == MatchType::kTendersForSupplier) {
        filter.query_reach_km = query.service_radius_km;
        filter.query_reach_cosine = internal::ReachCosine(query.service_radius_km);
      }
    }
    return filter;
  }

  const IndexOptions options_;
  const Vocabulary* const vocabulary_;
  const Vectorizer vectorizer_;

  mutable absl::Mutex mu_;
  std::array<std::unique_ptr<internal::Segment>, kKindCount> segments_ ABSL_GUARDED_BY(mu_);
  internal::RowsByKey rows_by_key_ ABSL_GUARDED_BY(mu_);
  // Interned owners, organization keys and certificates, so the per-row filter columns are integers. Never
  // shrink.
  absl::flat_hash_map<std::string, int32_t> owner_ids_ ABSL_GUARDED_BY(mu_);
  // Per view (ViewVersionLocked): the writes of shared profiles, and per owner id those of its private ones; what
  // the write under way changed, until AfterWrite.
  uint64_t shared_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<uint64_t> owner_versions_ ABSL_GUARDED_BY(mu_);
  bool shared_changed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int32_t> changed_owners_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> owner_names_ ABSL_GUARDED_BY(mu_);  // by owner id
  absl::flat_hash_map<std::string, int32_t> organization_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int32_t> certification_ids_ ABSL_GUARDED_BY(mu_);  // canonical certificates
  // Text document frequencies over the shared profiles (one document per profile), live. Never over private
  // ones: a partner's scores must not move when another partner writes private text.
  std::vector<int32_t> document_frequency_ ABSL_GUARDED_BY(mu_);
  int64_t documents_ ABSL_GUARDED_BY(mu_) = 0;
  // The IDF every text row and query is weighted with, as of `idf_documents_` documents.
  TextIdf idf_ ABSL_GUARDED_BY(mu_);
  int64_t idf_documents_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
};

absl::StatusOr<std::unique_ptr<Index>> Index::Create(const IndexOptions& options, const Vocabulary* vocabulary) {
  if (vocabulary == nullptr) return absl::InvalidArgumentError("vocabulary: must not be null");
  if (options.embedding_dimension < 0 || options.embedding_dimension > 65536) {
    return absl::InvalidArgumentError("embedding_dimension: must be in 0..65536");
  }
  const int buckets = options.text_hash_buckets;
  if (buckets < 1 || buckets > (1 << 26) || (buckets & (buckets - 1)) != 0) {
    return absl::InvalidArgumentError("text_hash_buckets: must be a power of two in 1..2^26");
  }
  if (!std::isfinite(options.location_decay_km) || options.location_decay_km <= 0) {
    return absl::InvalidArgumentError("location_decay_km: must be a finite number > 0");
  }
  if (!(options.out_of_order_fraction >= 0 && options.out_of_order_fraction <= 1)) {
    return absl::InvalidArgumentError("out_of_order_fraction: must be in [0, 1]");
  }
  return std::unique_ptr<Index>(new Index(std::make_unique<Impl>(options, vocabulary)));
}

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

absl::Status Index::Upsert(absl::Span<const Profile> profiles) {
  absl::StatusOr<PreparedProfiles> prepared = impl_->Prepare({profiles.begin(), profiles.end()});
  if (!prepared.ok()) return prepared.status();
  impl_->Upsert(*std::move(prepared));
  return absl::OkStatus();
}
absl::StatusOr<PreparedProfiles> Index::Prepare(std::vector<Profile> profiles) const {
  return impl_->Prepare(std::move(profiles));
}
PreparedProfiles Index::PrepareNormalized(std::vector<Profile> profiles) const {
  return impl_->PrepareNormalized(std::move(profiles));
}
void Index::Upsert(PreparedProfiles prepared) { impl_->Upsert(std::move(prepared)); }
absl::Status Index::Delete(const ProfileKey& key) { return impl_->Delete(key); }
std::optional<Profile> Index::Get(const ProfileKey& key) const { return impl_->Get(key); }
bool Index::Contains(const ProfileKey& key) const { return impl_->Contains(key); }
bool Index::VisibleTo(const ProfileKey& key, const std::string& viewer) const { return impl_->VisibleTo(key, viewer); }
int64_t Index::Count(ProfileKind kind) const { return impl_->Count(kind); }
uint64_t Index::version() const { return impl_->version(); }
uint64_t Index::ViewVersion(const std::string& viewer) const { return impl_->ViewVersion(viewer); }
IndexMemory Index::Memory() const { return impl_->Memory(); }

absl::StatusOr<MatchResult> Index::FindMatches(const Profile& query, const MatchParams& params) const {
  return impl_->FindMatches(query, params);
}

absl::StatusOr<ExplainResult> Index::Explain(const Profile& query, const Profile& candidate,
                                             const MatchParams& params) const {
  return impl_->Explain(query, candidate, params);
}

absl::StatusOr<ExplainResult> Index::Explain(const Profile& query, const ProfileKey& candidate,
                                             const MatchParams& params) const {
  absl::StatusOr<Profile> kept = impl_->KeptProfile(candidate, params);
  if (!kept.ok()) return kept.status();
  return impl_->Explain(query, *kept, params);
}

absl::StatusOr<ScoreMatrix> Index::ScoreAll(absl::Span<const Profile> queries, absl::Span<const ProfileKey> candidates,
                                            const MatchParams& params) const {
  return impl_->ScoreAll(queries, candidates, params);
}

absl::StatusOr<Match> Index::ExplainPair(const Profile& query, const Profile& candidate,
                                         const MatchParams& params) const {
  return impl_->ExplainPair(query, candidate, params);
}

absl::StatusOr<Match> Index::ExplainPair(const Profile& query, const ProfileKey& candidate,
                                         const MatchParams& params) const {
  absl::StatusOr<Profile> kept = impl_->KeptProfile(candidate, params);
  if (!kept.ok()) return kept.status();
  return impl_->ExplainPair(query, *kept, params);
}

const Vectorizer& Index::vectorizer() const { return impl_->vectorizer(); }

}  // namespace circmatch
