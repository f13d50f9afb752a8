#include "service/api/feedback_service.h"

#include <google/protobuf/util/time_util.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "circmatch/v1/matching_service.pb.h"
#include "service/convert/page_token.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {
namespace {

constexpr int kMaxRank = 1000;
constexpr size_t kMaxRankProfileBytes = 200;
constexpr size_t kMaxReasonTextBytes = 1000;
// An event's time may run ahead of the server's clock by this much (a client's clock, a time zone mistake).
constexpr absl::Duration kMaxClockAhead = absl::Hours(24);

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// The event's query and candidate as keys in the caller's namespace, each a profile the caller may see. One it
// may not see is answered from the index as an absent one, before anything is read.
absl::Status ResolveRefs(const ProfileRepository& repository, const std::string& caller, absl::string_view field,
                         v1::FeedbackEvent* event) {
  for (auto [ref, name] : {std::pair{event->mutable_query(), "query"}, {event->mutable_candidate(), "candidate"}}) {
    const std::string ref_field = absl::StrCat(field, ".", name);
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(*ref, ref_field, caller);
    if (!key.ok()) return key.status();
    if (!repository.index().VisibleTo(*key, caller)) {
      return absl::NotFoundError(absl::StrCat(ref_field, ": ", ProfileNotFoundMessage(*key)));
    }
    ref->set_owner(key->owner);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateFeedbackEvent(const v1::FeedbackEvent& event, absl::string_view field, absl::Time now) {
  if (event.match_type() == v1::MATCH_TYPE_UNSPECIFIED || !v1::MatchType_IsValid(event.match_type())) {
    return Invalid(absl::StrCat(field, ".match_type"), "required: the match type of the call that suggested it");
  }
  if (event.action() == v1::FEEDBACK_ACTION_UNSPECIFIED || !v1::FeedbackAction_IsValid(event.action())) {
    return Invalid(absl::StrCat(field, ".action"), "required: what happened to the suggestion");
  }
  if (!event.has_query()) return Invalid(absl::StrCat(field, ".query"), "required");
  if (!event.has_candidate()) return Invalid(absl::StrCat(field, ".candidate"), "required");
  if (event.rank() < 0 || event.rank() > kMaxRank) {
    return Invalid(absl::StrCat(field, ".rank"), absl::StrCat("must be 0 to ", kMaxRank, ", got ", event.rank()));
  }
  if (event.rank_profile().size() > kMaxRankProfileBytes) {
    return Invalid(absl::StrCat(field, ".rank_profile"), absl::StrCat("at most ", kMaxRankProfileBytes, " bytes"));
  }
  if (!v1::RejectionReason_IsValid(event.reason())) {
    return Invalid(absl::StrCat(field, ".reason"), absl::StrCat("unknown value ", static_cast<int>(event.reason())));
  }
  const bool rejected = event.action() == v1::FEEDBACK_ACTION_REJECTED;
  if (rejected && event.reason() == v1::REJECTION_REASON_UNSPECIFIED) {
    return Invalid(absl::StrCat(field, ".reason"), "required when the action is FEEDBACK_ACTION_REJECTED");
  }
  if (!rejected && event.reason() != v1::REJECTION_REASON_UNSPECIFIED) {
    return Invalid(absl::StrCat(field, ".reason"), "only allowed when the action is FEEDBACK_ACTION_REJECTED");
  }
  if (event.reason() == v1::REJECTION_REASON_OTHER && event.reason_text().empty()) {
    return Invalid(absl::StrCat(field, ".reason_text"), "required when the reason is REJECTION_REASON_OTHER");
  }
  if (event.reason_text().size() > kMaxReasonTextBytes) {
    return Invalid(absl::StrCat(field, ".reason_text"), absl::StrCat("at most ", kMaxReasonTextBytes, " bytes"));
  }
  if (event.has_time()) {
    absl::StatusOr<int64_t> seconds = SecondsFromTimestamp(event.time(), absl::StrCat(field, ".time"));
    if (!seconds.ok()) return seconds.status();
    if (absl::FromUnixSeconds(*seconds) > now + kMaxClockAhead) {
      return Invalid(absl::StrCat(field, ".time"), "more than a day in the future");
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* FeedbackServiceImpl::RecordFeedback(grpc::CallbackServerContext* context,
                                                              const v1::RecordFeedbackRequest* request,
                                                              v1::RecordFeedbackResponse* response) {
  return calls_.Serve(context, "RecordFeedback", request, response, [&](const std::string& caller) -> absl::Status {
    if (request->events().empty() || request->events_size() > kMaxFeedbackEvents) {
      return Invalid("events",
                     absl::StrCat("must hold 1 to ", kMaxFeedbackEvents, " events, got ", request->events_size()));
    }
    const absl::Time now = absl::Now();
    std::vector<v1::FeedbackEvent> events(request->events().begin(), request->events().end());
    for (size_t i = 0; i < events.size(); ++i) {
      const std::string field = absl::StrCat("events[", i, "]");
      if (absl::Status s = ValidateFeedbackEvent(events[i], field, now); !s.ok()) return s;
      if (absl::Status s = ResolveRefs(*repository_, caller, field, &events[i]); !s.ok()) return s;
      events[i].clear_id();
      events[i].set_owner(caller);
      if (!events[i].has_time()) {
        *events[i].mutable_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(now));
      }
    }
    absl::StatusOr<std::vector<int64_t>> ids = repository_->mutable_store().AddFeedback(events);
    if (!ids.ok()) return ids.status();
    response->mutable_ids()->Add(ids->begin(), ids->end());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedbackServiceImpl::ListFeedback(grpc::CallbackServerContext* context,
                                                            const v1::ListFeedbackRequest* request,
                                                            v1::ListFeedbackResponse* response) {
  return calls_.Serve(context, "ListFeedback", request, response, [&](const std::string& caller) -> absl::Status {
    FeedbackQuery query;
    query.owner = caller;
    if (request->has_query()) {
      absl::StatusOr<ProfileKey> key = CallerKeyFromRef(request->query(), "query", caller);
      if (!key.ok()) return key.status();
      query.query = *std::move(key);
    }
    absl::StatusOr<int> page_size = PageSize(request->page_size());
    if (!page_size.ok()) return page_size.status();
    query.limit = *page_size;
    if (!request->page_token().empty()) {
      absl::StatusOr<int64_t> after = DecodeIdToken(request->page_token());
      if (!after.ok()) return after.status();
      query.after_id = *after;
    }
    absl::StatusOr<FeedbackPage> page = repository_->store().ListFeedback(query);
    if (!page.ok()) return page.status();
    for (v1::FeedbackEvent& event : page->events) *response->add_events() = std::move(event);
    if (page->more && response->events_size() > 0) {
      response->set_next_page_token(EncodeIdToken(response->events(response->events_size() - 1).id()));
    }
    return absl::OkStatus();
  });
}

}  // namespace circmatch::service
