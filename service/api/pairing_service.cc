#include "service/api/pairing_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "circmatch/pairing.h"
#include "circmatch/text_analysis.h"
#include "service/api/grpc_status.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"

namespace circmatch::service {
namespace {

absl::StatusOr<PairingParams> ParamsFromProto(const v1::PairBuddiesRequest& request) {
  PairingParams params;
  switch (request.mode()) {
    case v1::PAIRING_MODE_MENTORING:
      params.mode = PairingMode::kMentoring;
      break;
    case v1::PAIRING_MODE_PEER:
      params.mode = PairingMode::kPeer;
      break;
    case v1::PAIRING_MODE_UNSPECIFIED:
      return absl::InvalidArgumentError("mode: must be set");
    default:
      return absl::InvalidArgumentError(absl::StrCat("mode: unknown value ", request.mode()));
  }
  const v1::PairingConstraints& c = request.constraints();
  PairingConstraints& out = params.constraints;
  out.allow_same_organization = c.allow_same_organization();
  if (!(c.min_score() >= 0 && c.min_score() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("constraints.min_score: must be in [0, 1], got %g", c.min_score()));
  }
  out.min_score = c.min_score();
  if (c.helpers_per_seeker() < 0 || c.helpers_per_seeker() > 10) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "constraints.helpers_per_seeker: must be in 1..10 (0 means 1), got %d", c.helpers_per_seeker()));
  }
  out.helpers_per_seeker = c.helpers_per_seeker() == 0 ? 1 : c.helpers_per_seeker();
  switch (c.previous_pairs_policy()) {
    case v1::PREVIOUS_PAIRS_POLICY_UNSPECIFIED:
    case v1::PREVIOUS_PAIRS_POLICY_AVOID:
      out.previous_pairs_policy = PreviousPairsPolicy::kAvoid;
      break;
    case v1::PREVIOUS_PAIRS_POLICY_KEEP:
      out.previous_pairs_policy = PreviousPairsPolicy::kKeep;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("constraints.previous_pairs_policy: unknown value ", c.previous_pairs_policy()));
  }
  out.balance_helper_load = c.balance_helper_load();
  return params;
}

// The explicit cohort: every ref a stored BUDDY the caller may see, no duplicates.
absl::StatusOr<std::vector<Profile>> ExplicitCohort(const ProfileRepository& repository, const std::string& viewer,
                                                    const v1::CohortMembers& members) {
  const int count = members.refs_size();
  if (count < 2 || count > kMaxCohortMembers) {
    return absl::InvalidArgumentError(
        absl::StrFormat("members.refs: must list 2 to %d profiles, got %d", kMaxCohortMembers, count));
  }
  std::vector<Profile> cohort;
  cohort.reserve(count);
  absl::flat_hash_map<ProfileKey, int> seen;
  for (int i = 0; i < count; ++i) {
    const std::string field = absl::StrCat("members.refs[", i, "]");
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(members.refs(i), field, viewer);
    if (!key.ok()) return key.status();
    if (auto [it, inserted] = seen.emplace(*key, i); !inserted) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": profile \"", key->id, "\" of owner \"", key->owner,
                                                     "\" is listed twice (also at members.refs[", it->second, "])"));
    }
    // Another owner's private profile is as good as absent to this caller.
    absl::StatusOr<std::optional<Profile>> profile = repository.ReadIndexed(*key, viewer);
    if (!profile.ok()) return profile.status();
    if (!profile->has_value()) {
      return absl::NotFoundError(absl::StrCat(field, ": ", ProfileNotFoundMessage(*key)));
    }
    if ((*profile)->kind != ProfileKind::kBuddy) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": profile \"", key->id, "\" is a ",
                                                     ProfileKindName((*profile)->kind), ", expected a BUDDY"));
    }
    cohort.push_back(**std::move(profile));
  }
  return cohort;
}

bool MatchesAny(const std::vector<std::string>& wanted, const std::vector<std::string>& values) {
  if (wanted.empty()) return true;
  for (const std::string& v : values) {
    const std::string key = FoldAndLower(v);
    if (std::find(wanted.begin(), wanted.end(), key) != wanted.end()) return true;
  }
  return false;
}

// Every stored BUDDY the caller may see that the filter selects. Tags and provinces compare case- and
// accent-insensitively.
absl::StatusOr<std::vector<Profile>> FilteredCohort(const ProfileRepository& repository, const std::string& viewer,
                                                    const v1::CohortFilter& filter) {
  std::vector<std::string> tags, provinces;
  for (const std::string& t : filter.tags()) tags.push_back(FoldAndLower(t));
  for (const std::string& p : filter.provinces()) provinces.push_back(FoldAndLower(p));
  std::vector<Profile> cohort;
  ListQuery query;
  query.kind = v1::PROFILE_KIND_BUDDY;
  query.owner = filter.owner();
  query.limit = 1000;
  for (;;) {
    absl::StatusOr<ListPage> page = repository.store().List(query);
    if (!page.ok()) return page.status();
    for (const v1::Profile& stored : page->profiles) {
      // Another partner's private profile is skipped before it is converted.
      if (!VisibleTo(stored, viewer)) continue;
      // As the index holds it; one deleted since listing, or not indexed (yet), is skipped.
      std::optional<Profile> profile = repository.FromStored(stored);
      if (profile.has_value() && !repository.index().Contains(profile->key)) continue;
      if (!profile.has_value() || profile->kind != ProfileKind::kBuddy) continue;
      if (!MatchesAny(tags, profile->tags)) continue;
      if (!MatchesAny(provinces, {profile->location.province})) continue;
      cohort.push_back(*std::move(profile));
      if (static_cast<int>(cohort.size()) > kMaxPairedCohort) {
        return absl::ResourceExhaustedError(absl::StrFormat(
            "cohort_filter: selects more than %d buddies, the most this server pairs at once", kMaxPairedCohort));
      }
    }
    if (!page->more || page->profiles.empty()) break;
    const v1::Profile& last = page->profiles.back();
    query.after = ProfileKey{last.owner(), last.id()};
  }
  return cohort;
}

// Pairs given by refs as member indices. A ref outside the cohort is INVALID_ARGUMENT for forbidden pairs and
// skipped for previous pairs (a previous partner who left the cohort is neither kept nor avoided).
absl::StatusOr<std::vector<MemberPair>> PairsFromProto(const google::protobuf::RepeatedPtrField<v1::BuddyPair>& pairs,
                                                       absl::string_view field, bool skip_outsiders,
                                                       const absl::flat_hash_map<ProfileKey, int>& member_index,
                                                       const std::string& viewer) {
  std::vector<MemberPair> out;
  for (int i = 0; i < pairs.size(); ++i) {
    const std::string prefix = absl::StrCat(field, "[", i, "]");
    int ends[2] = {-1, -1};
    bool outside = false;
    for (int side = 0; side < 2; ++side) {
      const std::string side_field = absl::StrCat(prefix, side == 0 ? ".a" : ".b");
      const v1::BuddyPair& pair = pairs.Get(i);
      if (!(side == 0 ? pair.has_a() : pair.has_b())) {
        return absl::InvalidArgumentError(absl::StrCat(side_field, ": must be set"));
      }
      absl::StatusOr<ProfileKey> key = CallerKeyFromRef(side == 0 ? pair.a() : pair.b(), side_field, viewer);
      if (!key.ok()) return key.status();
      auto it = member_index.find(*key);
      if (it == member_index.end()) {
        if (skip_outsiders) {
          outside = true;
          continue;
        }
        return absl::InvalidArgumentError(absl::StrCat(side_field, ": profile \"", key->id, "\" of owner \"",
                                                       key->owner, "\" is not a member of the cohort"));
      }
      ends[side] = it->second;
    }
    if (ends[0] >= 0 && ends[0] == ends[1]) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, ": pairs a member with itself"));
    }
    if (!outside) out.push_back(MemberPair{ends[0], ends[1]});
  }
  return out;
}

v1::ProfileRef RefOf(const ProfileKey& key) {
  v1::ProfileRef ref;
  ref.set_owner(key.owner);
  ref.set_id(key.id);
  return ref;
}

v1::UnpairedReason ReasonToProto(UnpairedReason reason) {
  switch (reason) {
    case UnpairedReason::kNothingAsked:
      return v1::UNPAIRED_REASON_NOTHING_ASKED;
    case UnpairedReason::kNoCandidate:
      return v1::UNPAIRED_REASON_NO_CANDIDATE;
    case UnpairedReason::kCapacityExhausted:
      return v1::UNPAIRED_REASON_CAPACITY_EXHAUSTED;
    case UnpairedReason::kPartnersTaken:
      return v1::UNPAIRED_REASON_PARTNERS_TAKEN;
  }
  return v1::UNPAIRED_REASON_UNSPECIFIED;
}

// The explanation of `query`'s asks against `candidate`'s offers.
absl::Status Explain(const ProfileRepository& repository, const Profile& query, const Profile& candidate,
                     const MatchParams& params, v1::Explanation* out) {
  absl::StatusOr<Match> match = repository.index().ExplainPair(query, candidate, params);
  if (!match.ok()) return match.status();
  v1::Match proto;
  MatchToProto(*match, repository.vocabulary(), &proto);
  *out = std::move(*proto.mutable_explanation());
  return absl::OkStatus();
}

absl::Status Pair(const ProfileRepository& repository, const std::string& viewer, grpc::CallbackServerContext* context,
                  const v1::PairBuddiesRequest& request, v1::PairBuddiesResponse* response) {
  absl::StatusOr<PairingParams> params = ParamsFromProto(request);
  if (!params.ok()) return params.status();
  absl::StatusOr<MatchParams> match_params =
      MatchParamsFromProto(MatchType::kBuddiesForBuddy, /*k=*/1, request.weights(), v1::MatchFilter());
  if (!match_params.ok()) return match_params.status();
  match_params->viewer = viewer;
  match_params->interrupt = [context] { return CheckCallAlive(context); };

  absl::StatusOr<std::vector<Profile>> cohort;
  switch (request.cohort_case()) {
    case v1::PairBuddiesRequest::kMembers:
      cohort = ExplicitCohort(repository, viewer, request.members());
      break;
    case v1::PairBuddiesRequest::kCohortFilter:
      cohort = FilteredCohort(repository, viewer, request.cohort_filter());
      break;
    default:
      return absl::InvalidArgumentError("cohort: set members or cohort_filter");
  }
  if (!cohort.ok()) return cohort.status();
  if (static_cast<int>(cohort->size()) > kMaxPairedCohort) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "members.refs: %d members, more than the %d this server pairs at once", cohort->size(), kMaxPairedCohort));
  }
  std::sort(cohort->begin(), cohort->end(), [](const Profile& a, const Profile& b) { return a.key < b.key; });
  absl::flat_hash_map<ProfileKey, int> member_index;
  for (size_t i = 0; i < cohort->size(); ++i) member_index.emplace((*cohort)[i].key, static_cast<int>(i));

  absl::StatusOr<std::vector<MemberPair>> forbidden = PairsFromProto(
      request.constraints().forbidden_pairs(), "constraints.forbidden_pairs", false, member_index, viewer);
  if (!forbidden.ok()) return forbidden.status();
  params->constraints.forbidden_pairs = *std::move(forbidden);
  absl::StatusOr<std::vector<MemberPair>> previous =
      PairsFromProto(request.constraints().previous_pairs(), "constraints.previous_pairs", true, member_index, viewer);
  if (!previous.ok()) return previous.status();
  params->constraints.previous_pairs = *std::move(previous);

  if (absl::Status status = CheckCallAlive(context); !status.ok()) return status;
  absl::StatusOr<IndexPairingResult> result = PairCohortFromIndex(repository.index(), *cohort, *match_params, *params);
  if (!result.ok()) return result.status();

  const bool peer = params->mode == PairingMode::kPeer;
  for (const Pairing& pair : result->pairing.pairs) {
    const Profile& a = (*cohort)[pair.a];
    const Profile& b = (*cohort)[pair.b];
    v1::BuddyPairing* out = response->add_pairs();
    *out->mutable_a() = RefOf(a.key);
    *out->mutable_b() = RefOf(b.key);
    out->set_score(pair.score);
    out->set_kept_from_previous(pair.kept_from_previous);
    if (absl::Status s = Explain(repository, a, b, *match_params, out->mutable_explanation()); !s.ok()) return s;
    if (peer) {
      if (absl::Status s = Explain(repository, b, a, *match_params, out->mutable_reverse_explanation()); !s.ok()) {
        return s;
      }
    }
  }
  for (const UnpairedMember& u : result->pairing.unpaired) {
    v1::UnpairedBuddy* out = response->add_unpaired();
    *out->mutable_ref() = RefOf((*cohort)[u.member].key);
    out->set_reason(ReasonToProto(u.reason));
    out->set_detail(u.detail);
  }
  response->set_total_score(result->pairing.total_score);
  response->set_upper_bound(result->pairing.upper_bound);
  response->set_optimal(result->pairing.optimal);
  response->set_method(result->pairing.method);
  response->set_cohort_size(static_cast<int>(cohort->size()));
  response->set_index_version(result->index_version);
  *response->mutable_weights() = WeightsToProto(result->weights);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* PairingServiceImpl::PairBuddies(grpc::CallbackServerContext* context,
                                                          const v1::PairBuddiesRequest* request,
                                                          v1::PairBuddiesResponse* response) {
  return calls_.ServeLong(context, "PairBuddies", request, response,
                          [this, context, request, response](const std::string& caller) {
                            return Pair(*repository_, caller, context, *request, response);
                          });
}

}  // namespace circmatch::service
