// circmatch.v1.FeedbackService on the gRPC callback API: records partners' feedback on suggestions in the
// profile store and lists a partner's own events back. A partner sees only the events it recorded; it may record
// events only about profiles it may see, and one about a profile it may not see is answered as one about an
// absent profile, before the store is read.
//
// Thread-safety: the handlers run concurrently on gRPC's threads; the repository and store are thread-safe.
#ifndef CIRCMATCH_SERVICE_API_FEEDBACK_SERVICE_H_
#define CIRCMATCH_SERVICE_API_FEEDBACK_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "circmatch/v1/feedback_service.grpc.pb.h"
#include "service/api/unary_calls.h"

namespace circmatch::service {

class Authenticator;
class ProfileRepository;

// Most events in one RecordFeedback call.
inline constexpr int kMaxFeedbackEvents = 1000;

// Checks one event's own fields (not whether its profiles exist), `field` naming it in the message:
// INVALID_ARGUMENT `events[2].reason: required when the action is FEEDBACK_ACTION_REJECTED`.
absl::Status ValidateFeedbackEvent(const v1::FeedbackEvent& event, absl::string_view field, absl::Time now);

class FeedbackServiceImpl final : public v1::FeedbackService::CallbackService {
 public:
  // Both borrowed; they must outlive the service.
  FeedbackServiceImpl(ProfileRepository* repository, Authenticator* authenticator)
      : repository_(repository), calls_(authenticator) {}

  grpc::ServerUnaryReactor* RecordFeedback(grpc::CallbackServerContext* context,
                                           const v1::RecordFeedbackRequest* request,
                                           v1::RecordFeedbackResponse* response) override;
  grpc::ServerUnaryReactor* ListFeedback(grpc::CallbackServerContext* context, const v1::ListFeedbackRequest* request,
                                         v1::ListFeedbackResponse* response) override;

 private:
  ProfileRepository* const repository_;
  const UnaryCalls calls_;  // not audited
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_FEEDBACK_SERVICE_H_
