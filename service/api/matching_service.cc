#include "service/api/matching_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "circmatch/diversity.h"
#include "circmatch/scorer.h"
#include "service/api/grpc_status.h"
#include "service/api/rank_profiles.h"
#include "service/common/logging.h"
#include "service/convert/match_query.h"
#include "service/convert/profile_conversion.h"
#include "service/convert/status_mapping.h"
#include "service/store/access.h"
#include "service/store/stored_profiles.h"

namespace circmatch::service {
namespace {

// How one call names and checks its query.
struct QuerySpec {
  const char* oneof;               // "tender"
  const char* ref_field;           // "tender_ref"
  const char* profile_field;       // "tender_profile"
  ProfileKind default_kind;        // for an inline profile without a kind
  std::vector<ProfileKind> kinds;  // the kinds the match type takes as a query
};

bool KindAllowed(ProfileKind kind, const QuerySpec& spec) {
  for (ProfileKind allowed : spec.kinds) {
    if (kind == allowed) return true;
  }
  return false;
}

absl::Status WrongKind(absl::string_view field, const Profile& profile, const QuerySpec& spec) {
  std::vector<std::string> names;
  for (ProfileKind kind : spec.kinds) names.push_back(ProfileKindName(kind));
  return absl::InvalidArgumentError(absl::StrCat(field, ": profile \"", profile.key.id, "\" is a ",
                                                 ProfileKindName(profile.kind), ", expected a ",
                                                 absl::StrJoin(names, " or ")));
}

// The query profile of a call: a stored one by ref (read from the store, as the index holds it), or an inline
// one converted and normalized now. Exactly one of `ref` and `inline_profile` is non-null, or neither.
absl::StatusOr<Profile> ResolveQuery(const ProfileRepository& repository, const std::string& viewer,
                                     const v1::ProfileRef* ref, const v1::Profile* inline_profile,
                                     const QuerySpec& spec) {
  if (ref != nullptr) {
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(*ref, spec.ref_field, viewer);
    if (!key.ok()) return key.status();
    // Another owner's private profile is as good as absent to this caller.
    absl::StatusOr<std::optional<Profile>> profile = repository.ReadIndexed(*key, viewer);
    if (!profile.ok()) return profile.status();
    if (!profile->has_value()) {
      return absl::NotFoundError(absl::StrCat(spec.ref_field, ": ", ProfileNotFoundMessage(*key)));
    }
    if (!KindAllowed((*profile)->kind, spec)) return WrongKind(spec.ref_field, **profile, spec);
    return **std::move(profile);
  }
  if (inline_profile != nullptr) {
    v1::Profile proto = *inline_profile;
    if (proto.id().empty()) proto.set_id(std::string(kInlineQueryId));
    if (proto.owner().empty()) proto.set_owner(viewer);
    absl::StatusOr<Profile> profile = ProfileFromProto(proto, repository.conversion_context(), spec.default_kind);
    if (!profile.ok()) return PrefixStatus(absl::StrCat(spec.profile_field, "."), profile.status());
    if (!KindAllowed(profile->kind, spec)) {
      return WrongKind(absl::StrCat(spec.profile_field, ".kind"), *profile, spec);
    }
    return profile;
  }
  return absl::InvalidArgumentError(absl::StrCat(spec.oneof, ": set ", spec.ref_field, " or ", spec.profile_field));
}

// Why a diversified result is not at its score rank (both from 1): what the request asked that moved it.
std::string DiversityReason(int score_rank, int rank, bool for_sme_share, const DiversityRequest& diversity) {
  if (rank == score_rank) return "";
  std::string why;
  if (for_sme_share) {
    why = "the SME share";
  } else if (diversity.options.spread > 0) {
    why = absl::StrCat("results spread over ",
                       diversity.spread_over == v1::DIVERSITY_ATTRIBUTE_PROVINCE ? "provinces" : "sectors");
  } else if (diversity.options.max_per_organization > 0 && rank < score_rank) {
    why = absl::StrCat("at most ", diversity.options.max_per_organization, " per organization");
  } else {
    why = "the SME share took places above it";
  }
  return absl::StrCat(rank > score_rank ? "moved down from " : "moved up from ", score_rank, " to ", rank, ": ", why);
}

// Resolves, ranks and fills one of the four ranked responses (they share their fields).
template <typename Request, typename Response>
absl::Status RankedMatch(const ProfileRepository& repository, const std::string& viewer,
                         grpc::CallbackServerContext* context, MatchType type, const QuerySpec& spec,
                         const v1::ProfileRef* ref, const v1::Profile* inline_profile, const Request& request,
                         Response* response) {
  absl::StatusOr<Profile> query = ResolveQuery(repository, viewer, ref, inline_profile, spec);
  if (!query.ok()) return query.status();
  absl::StatusOr<RequestedMatchQuery> requested = MatchQueryOf(request);
  if (!requested.ok()) return requested.status();
  const v1::MatchQuery& match_query = requested->query;
  const std::string& prefix = requested->field_prefix;
  absl::StatusOr<RankingChoice> ranking =
      ChooseRankProfile(repository.store(), viewer, MatchTypeToProto(type), match_query.rank_profile());
  if (!ranking.ok()) return PrefixStatus(prefix, ranking.status());
  absl::StatusOr<MatchParams> params =
      MatchParamsFromProto(type, match_query.k(), WeightsFor(*ranking, match_query.weights()), match_query.filter());
  if (!params.ok()) return PrefixStatus(prefix, params.status());
  absl::StatusOr<std::optional<DiversityRequest>> diversity = DiversityFromProto(match_query.diversity());
  if (!diversity.ok()) return PrefixStatus(prefix, diversity.status());
  // Diversity chooses among more candidates than it returns, all past the hard filters.
  if (diversity->has_value()) params->k = std::min(kMaxK, 4 * match_query.k());
  params->viewer = viewer;
  params->now_unix_seconds = absl::ToUnixSeconds(absl::Now());
  params->interrupt = [context] { return CheckCallAlive(context); };

  if (absl::Status status = CheckCallAlive(context); !status.ok()) return status;
  absl::StatusOr<MatchResult> result = repository.index().FindMatches(*query, *params);
  if (!result.ok()) return result.status();
  // Explained from the store's profiles, read at once, leaving out one deleted since it was ranked; the
  // response is made of the protos read.
  StoredProfiles profiles(repository, viewer);
  if (absl::Status status = profiles.ExplainMatches(*query, *params, &*result); !status.ok()) return status;

  std::vector<v1::Profile> stored;
  for (const Match& match : result->matches) {
    std::optional<v1::Profile> profile = profiles.TakeStored(match.key);
    if (!profile.has_value()) return absl::InternalError("a match without its stored profile");
    stored.push_back(*std::move(profile));
  }
  std::vector<DiversePick> picks;
  if (diversity->has_value()) {
    std::vector<DiversityCandidate> candidates;
    for (size_t i = 0; i < stored.size(); ++i) {
      candidates.push_back(DiversityCandidate{result->matches[i].score, OrganizationKey(stored[i].organization()),
                                              DiversityGroupOf(stored[i], (*diversity)->spread_over),
                                              IsSme(static_cast<OrganizationSize>(stored[i].organization_size()))});
    }
    picks = Diversify(candidates, match_query.k(), (*diversity)->options);
  } else {
    for (size_t i = 0; i < stored.size(); ++i) picks.push_back(DiversePick{static_cast<int>(i), false});
  }
  int rank = 0;
  for (const DiversePick& pick : picks) {
    v1::Match* out = response->add_matches();
    RedactFor(viewer, &stored[pick.candidate]);
    *out->mutable_profile() = std::move(stored[pick.candidate]);
    out->set_rank(++rank);
    MatchToProto(result->matches[pick.candidate], repository.vocabulary(), out);
    if (diversity->has_value()) {
      out->mutable_explanation()->set_score_rank(pick.candidate + 1);
      out->mutable_explanation()->set_diversity_reason(
          DiversityReason(pick.candidate + 1, rank, pick.for_sme_share, **diversity));
    }
  }
  response->set_index_version(result->index_version);
  *response->mutable_weights() = WeightsToProto(result->resolved.weights);
  response->set_rank_profile(ranking->label);
  return absl::OkStatus();
}

const QuerySpec kTenderQuery{
    "tender", "tender_ref", "tender_profile", ProfileKind::kTender, {ProfileKind::kTender, ProfileKind::kBuyer}};
const QuerySpec kSupplierQuery{
    "supplier", "supplier_ref", "supplier_profile", ProfileKind::kSupplier, {ProfileKind::kSupplier}};
const QuerySpec kBuddyQuery{"buddy", "buddy_ref", "buddy_profile", ProfileKind::kBuddy, {ProfileKind::kBuddy}};
const QuerySpec kBuyerQuery{
    "buyer", "buyer_ref", "buyer_profile", ProfileKind::kBuyer, {ProfileKind::kBuyer, ProfileKind::kTender}};

}  // namespace

grpc::ServerUnaryReactor* MatchingServiceImpl::SuggestSuppliers(grpc::CallbackServerContext* context,
                                                                const v1::SuggestSuppliersRequest* request,
                                                                v1::SuggestSuppliersResponse* response) {
  return calls_.Serve(context, "SuggestSuppliers", request, response, [&](const std::string& caller) {
    return RankedMatch(*repository_, caller, context, MatchType::kSuppliersForTender, kTenderQuery,
                       request->has_tender_ref() ? &request->tender_ref() : nullptr,
                       request->has_tender_profile() ? &request->tender_profile() : nullptr, *request, response);
  });
}

grpc::ServerUnaryReactor* MatchingServiceImpl::SuggestTenders(grpc::CallbackServerContext* context,
                                                              const v1::SuggestTendersRequest* request,
                                                              v1::SuggestTendersResponse* response) {
  return calls_.Serve(context, "SuggestTenders", request, response, [&](const std::string& caller) {
    return RankedMatch(*repository_, caller, context, MatchType::kTendersForSupplier, kSupplierQuery,
                       request->has_supplier_ref() ? &request->supplier_ref() : nullptr,
                       request->has_supplier_profile() ? &request->supplier_profile() : nullptr, *request, response);
  });
}

grpc::ServerUnaryReactor* MatchingServiceImpl::FindBuddies(grpc::CallbackServerContext* context,
                                                           const v1::FindBuddiesRequest* request,
                                                           v1::FindBuddiesResponse* response) {
  return calls_.Serve(context, "FindBuddies", request, response, [&](const std::string& caller) {
    return RankedMatch(*repository_, caller, context, MatchType::kBuddiesForBuddy, kBuddyQuery,
                       request->has_buddy_ref() ? &request->buddy_ref() : nullptr,
                       request->has_buddy_profile() ? &request->buddy_profile() : nullptr, *request, response);
  });
}

grpc::ServerUnaryReactor* MatchingServiceImpl::FindSimilarBuyers(grpc::CallbackServerContext* context,
                                                                 const v1::FindSimilarBuyersRequest* request,
                                                                 v1::FindSimilarBuyersResponse* response) {
  return calls_.Serve(context, "FindSimilarBuyers", request, response, [&](const std::string& caller) {
    return RankedMatch(*repository_, caller, context, MatchType::kSimilarBuyers, kBuyerQuery,
                       request->has_buyer_ref() ? &request->buyer_ref() : nullptr,
                       request->has_buyer_profile() ? &request->buyer_profile() : nullptr, *request, response);
  });
}

namespace {

// One WatchMatches call. Subscribed to the repository's write events, it takes the written keys into a bounded
// backlog on the writer's thread, and the WatchWorker explains each against its query and streams those that
// pass. A watch that falls too far behind (its backlog, or the alerts its client has not read yet, over their
// bounds) is ended with RESOURCE_EXHAUSTED instead of slowing writers or growing without bound.
class WatchMatchesReactor final : public grpc::ServerWriteReactor<v1::WatchMatchesResponse> {
 public:
  // Written keys waiting to be matched, and matches waiting for the client, that a watch may hold.
  static constexpr size_t kMaxBacklog = 100000;
  static constexpr size_t kMaxUnsentAlerts = 1000;

  WatchMatchesReactor(ProfileRepository* repository, WatchWorker* worker, PartnerSlots::Slot slot, std::string viewer,
                      Profile query, MatchParams params, double min_score)
      : slot_(std::move(slot)),
        state_(std::make_shared<State>(repository, worker, std::move(viewer), std::move(query), std::move(params),
                                       min_score)) {
    {
      absl::MutexLock lock(&state_->mu);
      state_->reactor = this;
    }
    // The state, not the reactor, is what the listener and the worker hold: it outlives the call if need be.
    subscription_ = repository->write_events().Subscribe(
        [state = state_](const std::vector<ProfileKey>& written) { Take(state, written); });
    // Tells the client the watch is registered: whatever is written from now on is seen.
    StartSendInitialMetadata();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&state_->mu);
    state_->writing = false;
    if (!ok) {
      state_->Stop(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream broke"));
      return;
    }
    state_->WriteNext();
  }

  void OnCancel() override {
    absl::MutexLock lock(&state_->mu);
    state_->Stop(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    state_->repository->write_events().Unsubscribe(subscription_);
    {
      absl::MutexLock lock(&state_->mu);
      state_->stopped = true;
      state_->reactor = nullptr;
    }
    delete this;
  }

 private:
  struct State {
    State(ProfileRepository* repository, WatchWorker* worker, std::string viewer, Profile query, MatchParams params,
          double min_score)
        : repository(repository),
          worker(worker),
          viewer(std::move(viewer)),
          query(std::move(query)),
          params(std::move(params)),
          min_score(min_score) {}

    void WriteNext() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      if (writing || stopped || reactor == nullptr || unsent.empty()) return;
      current = std::move(unsent.front());
      unsent.pop_front();
      writing = true;
      reactor->StartWrite(&current);
    }
    void Stop(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      if (stopped) return;
      stopped = true;
      if (reactor != nullptr) reactor->Finish(status);
    }

    ProfileRepository* const repository;
    WatchWorker* const worker;
    const std::string viewer;
    const Profile query;
    const MatchParams params;
    const double min_score;
    absl::Mutex mu;
    WatchMatchesReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;  // null once the call is done
    std::vector<ProfileKey> backlog ABSL_GUARDED_BY(mu);
    bool scheduled ABSL_GUARDED_BY(mu) = false;  // a Match task is posted and will take the backlog
    std::deque<v1::WatchMatchesResponse> unsent ABSL_GUARDED_BY(mu);
    v1::WatchMatchesResponse current ABSL_GUARDED_BY(mu);
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool stopped ABSL_GUARDED_BY(mu) = false;
  };

  // On the writer's thread, after the write is committed: only takes the keys.
  static void Take(const std::shared_ptr<State>& state, const std::vector<ProfileKey>& written) {
    absl::MutexLock lock(&state->mu);
    if (state->stopped) return;
    if (state->backlog.size() + written.size() > kMaxBacklog) {
      state->Stop(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("the watch fell behind the writes by more than ", kMaxBacklog, " profiles; open it again")));
      return;
    }
    state->backlog.insert(state->backlog.end(), written.begin(), written.end());
    if (!state->scheduled) {
      state->scheduled = true;
      state->worker->Post([state] { Match(state); });
    }
  }

  // On the worker: explains the backlog's profiles against the query and queues the alerts.
  static void Match(const std::shared_ptr<State>& state) {
    for (;;) {
      std::vector<ProfileKey> keys;
      {
        absl::MutexLock lock(&state->mu);
        if (state->stopped || state->backlog.empty()) {
          state->scheduled = false;
          return;
        }
        keys.swap(state->backlog);
      }
      MatchParams params = state->params;
      params.now_unix_seconds = absl::ToUnixSeconds(absl::Now());
      for (const ProfileKey& key : keys) {
        if (key == state->query.key) continue;
        StoredProfiles profiles(*state->repository, state->viewer);
        absl::StatusOr<Profile> candidate = profiles.GetCandidate(key);
        // Not visible to the watcher, or deleted since: not a match for this watch; nor another kind.
        if (!candidate.ok()) continue;
        absl::StatusOr<ExplainResult> explained = state->repository->index().Explain(state->query, *candidate, params);
        if (!explained.ok() || !explained->match.explanation.exclusions.empty()) continue;
        if (explained->match.score < state->min_score) continue;
        std::optional<v1::Profile> profile = profiles.TakeStored(key);
        if (!profile.has_value()) continue;
        RedactFor(state->viewer, &*profile);
        v1::WatchMatchesResponse alert;
        *alert.mutable_match()->mutable_profile() = *std::move(profile);
        MatchToProto(explained->match, state->repository->vocabulary(), alert.mutable_match());
        alert.set_index_version(explained->index_version);
        absl::MutexLock lock(&state->mu);
        if (state->stopped) break;
        if (state->unsent.size() >= kMaxUnsentAlerts) {
          state->Stop(grpc::Status(
              grpc::StatusCode::RESOURCE_EXHAUSTED,
              absl::StrCat("the client left more than ", kMaxUnsentAlerts, " alerts unread; open the watch again")));
          break;
        }
        state->unsent.push_back(std::move(alert));
        state->WriteNext();
      }
    }
  }

  const PartnerSlots::Slot slot_;  // given back when the call is done
  const std::shared_ptr<State> state_;
  int64_t subscription_ = 0;
};

// A reactor that fails the stream at once.
class FailedWatch final : public grpc::ServerWriteReactor<v1::WatchMatchesResponse> {
 public:
  explicit FailedWatch(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchMatchesResponse>* MatchingServiceImpl::WatchMatches(
    grpc::CallbackServerContext* context, const v1::WatchMatchesRequest* request) {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return new FailedWatch(caller.status());
  const bool for_supplier = request->has_supplier_ref();
  if (!for_supplier && !request->has_tender_ref()) {
    return new FailedWatch(absl::InvalidArgumentError("watcher: set supplier_ref or tender_ref"));
  }
  const MatchType type = for_supplier ? MatchType::kTendersForSupplier : MatchType::kSuppliersForTender;
  const QuerySpec spec = for_supplier ? kSupplierQuery : kTenderQuery;
  const v1::ProfileRef& ref = for_supplier ? request->supplier_ref() : request->tender_ref();
  absl::StatusOr<Profile> query = ResolveQuery(*repository_, *caller, &ref, nullptr, spec);
  if (!query.ok()) return new FailedWatch(query.status());
  if (!std::isfinite(request->min_score()) || request->min_score() < 0 || request->min_score() > 1) {
    return new FailedWatch(
        absl::InvalidArgumentError(absl::StrCat("min_score: must be a number in [0, 1], got ", request->min_score())));
  }
  v1::MatchFilter filter = request->filter();
  filter.clear_min_score();
  absl::StatusOr<MatchParams> params = MatchParamsFromProto(type, /*k=*/1, request->weights(), filter);
  if (!params.ok()) return new FailedWatch(params.status());
  params->viewer = *caller;
  std::optional<PartnerSlots::Slot> slot = watches_.TryTake(*caller);
  if (!slot) {
    return new FailedWatch(absl::ResourceExhaustedError(
        absl::StrCat("this partner holds ", watches_.per_partner(),
                     " WatchMatches streams open, the most --max_watches_per_partner allows; end one first")));
  }
  return new WatchMatchesReactor(repository_, &watch_worker_, *std::move(slot), *caller, *std::move(query),
                                 *std::move(params), request->min_score());
}

grpc::ServerUnaryReactor* MatchingServiceImpl::ExplainMatch(grpc::CallbackServerContext* context,
                                                            const v1::ExplainMatchRequest* request,
                                                            v1::ExplainMatchResponse* response) {
  return calls_.Serve(context, "ExplainMatch", request, response, [&](const std::string& viewer) -> absl::Status {
    MatchType type;
    const QuerySpec* base = nullptr;
    switch (request->match_type()) {
      case v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER:
        type = MatchType::kSuppliersForTender;
        base = &kTenderQuery;
        break;
      case v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER:
        type = MatchType::kTendersForSupplier;
        base = &kSupplierQuery;
        break;
      case v1::MATCH_TYPE_BUDDIES_FOR_BUDDY:
        type = MatchType::kBuddiesForBuddy;
        base = &kBuddyQuery;
        break;
      case v1::MATCH_TYPE_SIMILAR_BUYERS:
        type = MatchType::kSimilarBuyers;
        base = &kBuyerQuery;
        break;
      case v1::MATCH_TYPE_UNSPECIFIED:
        return absl::InvalidArgumentError("match_type: must be set");
      default:
        return absl::InvalidArgumentError(absl::StrCat("match_type: unknown value ", request->match_type()));
    }
    // Same kinds as the ranked call of this match type, under this request's field names.
    const QuerySpec spec{"query", "query_ref", "query_profile", base->default_kind, base->kinds};
    absl::StatusOr<Profile> query =
        ResolveQuery(*repository_, viewer, request->has_query_ref() ? &request->query_ref() : nullptr,
                     request->has_query_profile() ? &request->query_profile() : nullptr, spec);
    if (!query.ok()) return query.status();
    if (!request->has_candidate()) return absl::InvalidArgumentError("candidate: must be set");
    absl::StatusOr<ProfileKey> candidate = CallerKeyFromRef(request->candidate(), "candidate", viewer);
    if (!candidate.ok()) return candidate.status();
    // k does not limit an explanation; the engine still wants a valid one.
    absl::StatusOr<MatchParams> params = MatchParamsFromProto(type, /*k=*/1, request->weights(), request->filter());
    if (!params.ok()) return params.status();
    params->viewer = viewer;
    params->now_unix_seconds = absl::ToUnixSeconds(absl::Now());
    if (absl::Status status = CheckCallAlive(context); !status.ok()) return status;
    StoredProfiles profiles(*repository_, viewer);
    absl::StatusOr<Profile> stored = profiles.GetCandidate(*candidate);
    if (!stored.ok()) return PrefixStatus("candidate: ", stored.status());
    absl::StatusOr<ExplainResult> result = repository_->index().Explain(*query, *stored, *params);
    if (absl::IsNotFound(result.status())) {
      return absl::NotFoundError(absl::StrCat("candidate: ", ProfileNotFoundMessage(*candidate)));
    }
    if (!result.ok()) return PrefixStatus("candidate: ", result.status());
    std::optional<v1::Profile> profile = profiles.TakeStored(*candidate);
    if (!profile.has_value()) return absl::InternalError("candidate: explained without its stored profile");
    RedactFor(viewer, &*profile);
    v1::Match* match = response->mutable_match();
    *match->mutable_profile() = *std::move(profile);
    match->set_rank(result->rank);
    MatchToProto(result->match, repository_->vocabulary(), match);
    response->set_rank(result->rank);
    response->set_eligible_count(result->eligible_count);
    response->set_index_version(result->index_version);
    return absl::OkStatus();
  });
}

}  // namespace circmatch::service
