#include "service/api/market_day_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "circmatch/icalendar.h"
#include "circmatch/meeting_schedule.h"
#include "service/api/grpc_status.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"

namespace circmatch::service {
namespace {

constexpr int kMaxSlots = 200;
constexpr int kMaxTables = 10000;
constexpr int kMaxParticipants = 5000;

struct Side {
  const char* field;  // "buyers" or "suppliers"
  std::vector<ProfileKey> keys;
  std::vector<Profile> profiles;
  std::map<ProfileKey, int> index;
};

// Resolves one side's participants: stored, visible, of the right kind, no duplicates.
absl::Status ResolveSide(const ProfileRepository& repository, const std::string& caller,
                         const google::protobuf::RepeatedPtrField<v1::Participant>& participants, bool buyers,
                         Side* side) {
  if (participants.empty()) return absl::InvalidArgumentError(absl::StrCat(side->field, ": at least one"));
  if (participants.size() > kMaxParticipants) {
    return absl::InvalidArgumentError(absl::StrCat(side->field, ": at most ", kMaxParticipants));
  }
  for (int i = 0; i < participants.size(); ++i) {
    const std::string field = absl::StrCat(side->field, "[", i, "].ref");
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(participants[i].ref(), field, caller);
    if (!key.ok()) return key.status();
    absl::StatusOr<std::optional<Profile>> stored = repository.ReadIndexed(*key, caller);
    if (!stored.ok()) return stored.status();
    std::optional<Profile>& profile = *stored;
    if (!profile) {
      return absl::NotFoundError(absl::StrCat(field, ": ", ProfileNotFoundMessage(*key)));
    }
    const bool right_kind = buyers ? (profile->kind == ProfileKind::kBuyer || profile->kind == ProfileKind::kTender)
                                   : profile->kind == ProfileKind::kSupplier;
    if (!right_kind) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": \"", key->id, "\" is a ", ProfileKindName(profile->kind),
                                                     buyers ? ", not a BUYER or TENDER" : ", not a SUPPLIER"));
    }
    if (!side->index.emplace(*key, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": \"", key->id, "\" is listed twice"));
    }
    side->keys.push_back(*key);
    side->profiles.push_back(*std::move(profile));
  }
  return absl::OkStatus();
}

absl::StatusOr<MeetingWish> WishFromProto(v1::WishKind kind, const std::string& field) {
  switch (kind) {
    case v1::WISH_KIND_MUST_MEET:
      return MeetingWish::kMustMeet;
    case v1::WISH_KIND_WOULD_LIKE:
      return MeetingWish::kWouldLike;
    case v1::WISH_KIND_WONT_MEET:
      return MeetingWish::kWontMeet;
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ".kind: must be set"));
  }
}

v1::WishKind WishToProto(MeetingWish wish) {
  switch (wish) {
    case MeetingWish::kMustMeet:
      return v1::WISH_KIND_MUST_MEET;
    case MeetingWish::kWouldLike:
      return v1::WISH_KIND_WOULD_LIKE;
    case MeetingWish::kWontMeet:
      return v1::WISH_KIND_WONT_MEET;
    case MeetingWish::kNone:
      break;
  }
  return v1::WISH_KIND_UNSPECIFIED;
}

// Availability, limits and wishes of one side's participants.
absl::Status ReadParticipants(const google::protobuf::RepeatedPtrField<v1::Participant>& participants, const Side& side,
                              const Side& other, int slots, int default_max, bool buyers, MeetingProblem* problem) {
  for (int i = 0; i < participants.size(); ++i) {
    const v1::Participant& p = participants[i];
    const std::string field = absl::StrCat(side.field, "[", i, "]");
    std::vector<int> attended(p.available_slots().begin(), p.available_slots().end());
    for (int j = 0; j < p.available_slots_size(); ++j) {
      if (p.available_slots(j) < 0 || p.available_slots(j) >= slots) {
        return absl::InvalidArgumentError(absl::StrFormat("%s.available_slots[%d]: %d is not a slot (0 to %d)", field,
                                                          j, p.available_slots(j), slots - 1));
      }
    }
    if (p.max_meetings() < 0 || p.max_meetings() > slots) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s.max_meetings: must be 0 (the default) to %d, got %d", field, slots, p.max_meetings()));
    }
    const int max = p.max_meetings() == 0 ? default_max : p.max_meetings();
    (buyers ? problem->buyer_slots : problem->supplier_slots).push_back(std::move(attended));
    (buyers ? problem->buyer_max : problem->supplier_max).push_back(max);
    std::map<int, std::pair<MeetingWish, int>> by_other;
    for (int w = 0; w < p.wishes_size(); ++w) {
      const std::string wish_field = absl::StrCat(field, ".wishes[", w, "]");
      absl::StatusOr<MeetingWish> kind = WishFromProto(p.wishes(w).kind(), wish_field);
      if (!kind.ok()) return kind.status();
      ProfileKey key{p.wishes(w).other().owner(), p.wishes(w).other().id()};
      if (key.owner.empty() && !other.keys.empty()) {
        // An empty owner names the caller's namespace, as in every ref; the participants' keys carry it.
        for (const ProfileKey& k : other.keys) {
          if (k.id == key.id) key.owner = k.owner;
        }
      }
      auto found = other.index.find(key);
      if (found == other.index.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(wish_field, ".other: \"", key.id, "\" is not among the ", other.field));
      }
      auto [previous, inserted] = by_other.emplace(found->second, std::make_pair(*kind, w));
      if (!inserted && previous->second.first != *kind) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: contradicts wishes[%d] about \"%s\"", wish_field, previous->second.second, key.id));
      }
      problem->wishes.push_back({buyers ? i : found->second, buyers ? found->second : i, *kind, buyers});
    }
  }
  return absl::OkStatus();
}

std::string DisplayName(const Profile& profile) {
  return profile.display_name.empty() ? profile.key.id : profile.display_name;
}

// Validates the request, schedules its market day for `caller` and fills `response`.
absl::Status Schedule(const ProfileRepository& repository, const std::string& caller,
                      grpc::CallbackServerContext* context, const v1::ScheduleMeetingsRequest& request,
                      v1::ScheduleMeetingsResponse* response) {
  const v1::MarketEvent& event = request.event();
  const int slots = event.slots_size();
  if (slots < 1 || slots > kMaxSlots) {
    return absl::InvalidArgumentError(absl::StrCat("event.slots: 1 to ", kMaxSlots, " slots, got ", slots));
  }
  std::vector<std::pair<int64_t, int64_t>> times;
  for (int s = 0; s < slots; ++s) {
    const auto& slot = event.slots(s);
    if (!slot.has_start_time() || !slot.has_end_time() || slot.end_time().seconds() <= slot.start_time().seconds()) {
      return absl::InvalidArgumentError(absl::StrCat("event.slots[", s, "]: needs a start_time before its end_time"));
    }
    times.emplace_back(slot.start_time().seconds(), slot.end_time().seconds());
  }
  std::vector<int> order(slots);
  for (int s = 0; s < slots; ++s) order[s] = s;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return times[a] < times[b]; });
  for (int k = 1; k < slots; ++k) {
    if (times[order[k]].first < times[order[k - 1]].second) {
      return absl::InvalidArgumentError(
          absl::StrCat("event.slots[", order[k], "]: overlaps event.slots[", order[k - 1], "]"));
    }
  }
  if (event.tables_per_slot() < 1 || event.tables_per_slot() > kMaxTables) {
    return absl::InvalidArgumentError(
        absl::StrCat("event.tables_per_slot: 1 to ", kMaxTables, ", got ", event.tables_per_slot()));
  }
  if (request.max_meetings_per_participant() < 0 || request.max_meetings_per_participant() > slots) {
    return absl::InvalidArgumentError(absl::StrCat("max_meetings_per_participant: 0 (one per slot) to ", slots,
                                                   ", got ", request.max_meetings_per_participant()));
  }
  if (!(request.min_score() >= 0 && request.min_score() <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("min_score: must be in [0, 1], got ", request.min_score()));
  }
  const double bonus = request.has_would_like_bonus() ? request.would_like_bonus() : 0.25;
  if (!(bonus >= 0 && bonus <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("would_like_bonus: must be in [0, 1], got ", bonus));
  }
  Side buyers{"buyers", {}, {}, {}}, suppliers{"suppliers", {}, {}, {}};
  if (absl::Status s = ResolveSide(repository, caller, request.buyers(), true, &buyers); !s.ok()) return s;
  if (absl::Status s = ResolveSide(repository, caller, request.suppliers(), false, &suppliers); !s.ok()) return s;

  MeetingProblem problem;
  problem.slots = slots;
  problem.tables_per_slot = event.tables_per_slot();
  problem.min_score = request.min_score();
  problem.would_like_bonus = bonus;
  const int default_max = request.max_meetings_per_participant() == 0 ? slots : request.max_meetings_per_participant();
  if (absl::Status s = ReadParticipants(request.buyers(), buyers, suppliers, slots, default_max, true, &problem);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadParticipants(request.suppliers(), suppliers, buyers, slots, default_max, false, &problem);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<MatchParams> params =
      MatchParamsFromProto(MatchType::kSuppliersForTender, /*k=*/1, request.weights(), v1::MatchFilter());
  if (!params.ok()) return params.status();
  params->viewer = caller;
  params->interrupt = [context] { return CheckCallAlive(context); };
  absl::StatusOr<ScoreMatrix> scores = repository.index().ScoreAll(buyers.profiles, suppliers.keys, *params);
  if (!scores.ok()) return scores.status();
  problem.scores = scores->scores;
  absl::StatusOr<MeetingSchedule> schedule = circmatch::ScheduleMeetings(problem);
  if (!schedule.ok()) return schedule.status();

  std::map<ProfileKey, std::vector<CalendarEvent>> agendas;
  for (const ScheduledPair& m : schedule->meetings) {
    v1::ScheduledMeeting* out = response->add_meetings();
    out->set_slot(m.slot);
    out->set_table(m.table);
    out->mutable_buyer()->set_owner(buyers.keys[m.buyer].owner);
    out->mutable_buyer()->set_id(buyers.keys[m.buyer].id);
    out->mutable_supplier()->set_owner(suppliers.keys[m.supplier].owner);
    out->mutable_supplier()->set_id(suppliers.keys[m.supplier].id);
    out->set_score(m.score);
    out->set_wish(WishToProto(m.wish));
    absl::StatusOr<Match> explained =
        repository.index().ExplainPair(buyers.profiles[m.buyer], suppliers.profiles[m.supplier], *params);
    if (explained.ok()) {
      v1::Match match;
      MatchToProto(*explained, repository.vocabulary(), &match);
      *out->mutable_explanation() = match.explanation();
    }
    if (request.include_agendas()) {
      const std::string where = absl::StrCat("table ", m.table, event.venue().empty() ? "" : ", ", event.venue());
      const std::string uid = absl::StrCat(times[m.slot].first, "-", m.slot, "-", m.table, "@circmatch");
      const auto [start, end] = times[m.slot];
      agendas[buyers.keys[m.buyer]].push_back(
          {uid, start, end, absl::StrCat("Meeting with ", DisplayName(suppliers.profiles[m.supplier])), where,
           absl::StrFormat("Score %.2f", m.score)});
      agendas[suppliers.keys[m.supplier]].push_back(
          {uid, start, end, absl::StrCat("Meeting with ", DisplayName(buyers.profiles[m.buyer])), where,
           absl::StrFormat("Score %.2f", m.score)});
    }
  }
  for (const UnmetMeetingWish& u : schedule->unmet) {
    v1::UnmetWish* out = response->add_unmet_wishes();
    const ProfileKey& by = u.wish.by_buyer ? buyers.keys[u.wish.buyer] : suppliers.keys[u.wish.supplier];
    const ProfileKey& other = u.wish.by_buyer ? suppliers.keys[u.wish.supplier] : buyers.keys[u.wish.buyer];
    out->mutable_by()->set_owner(by.owner);
    out->mutable_by()->set_id(by.id);
    out->mutable_other()->set_owner(other.owner);
    out->mutable_other()->set_id(other.id);
    out->set_kind(WishToProto(u.wish.wish));
    out->set_reason(u.reason);
  }
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  for (const auto& [key, events] : agendas) {
    v1::Agenda* agenda = response->add_agendas();
    agenda->mutable_participant()->set_owner(key.owner);
    agenda->mutable_participant()->set_id(key.id);
    agenda->set_ics(AgendaToICalendar(event.name().empty() ? "circmatch market day" : event.name(), events, now));
  }
  response->set_total_score(schedule->total_score);
  response->set_objective(schedule->objective);
  response->set_upper_bound(schedule->upper_bound);
  response->set_optimal(schedule->optimal);
  response->set_method(schedule->method);
  response->set_index_version(scores->index_version);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* MarketDayServiceImpl::ScheduleMeetings(grpc::CallbackServerContext* context,
                                                                 const v1::ScheduleMeetingsRequest* request,
                                                                 v1::ScheduleMeetingsResponse* response) {
  return calls_.ServeLong(context, "ScheduleMeetings", request, response,
                          [this, context, request, response](const std::string& caller) {
                            return Schedule(*repository_, caller, context, *request, response);
                          });
}

}  // namespace circmatch::service
