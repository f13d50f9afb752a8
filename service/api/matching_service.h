// circmatch.v1.MatchingService on the gRPC callback API: resolves the query (stored, via the index, or
// inline, converted and normalized), ranks with the engine's Index, and returns each candidate's stored profile
// with contact details only where the profile consents (or the caller owns it).
//
// Thread-safety: the handlers run concurrently on gRPC's threads; the service keeps no state of its own
// besides the borrowed, thread-safe repository.
#ifndef CIRCMATCH_SERVICE_API_MATCHING_SERVICE_H_
#define CIRCMATCH_SERVICE_API_MATCHING_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "circmatch/v1/matching_service.grpc.pb.h"
#include "service/api/partner_slots.h"
#include "service/api/unary_calls.h"
#include "service/api/watch_worker.h"
#include "service/auth/audit_log.h"
#include "service/auth/authenticator.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

// The id an inline query gets when it has none, so normalization accepts it; it is never stored.
inline constexpr absl::string_view kInlineQueryId = "(inline)";

class MatchingServiceImpl final : public v1::MatchingService::CallbackService {
 public:
  // All borrowed; they must outlive the service. A partner holds at most `max_watches_per_partner` WatchMatches
  // streams open at once.
  MatchingServiceImpl(ProfileRepository* repository, Authenticator* authenticator, const AuditLog* audit,
                      int max_watches_per_partner)
      : repository_(repository),
        authenticator_(authenticator),
        calls_(authenticator, audit),
        watches_(max_watches_per_partner) {}

  grpc::ServerUnaryReactor* SuggestSuppliers(grpc::CallbackServerContext* context,
                                             const v1::SuggestSuppliersRequest* request,
                                             v1::SuggestSuppliersResponse* response) override;
  grpc::ServerUnaryReactor* SuggestTenders(grpc::CallbackServerContext* context,
                                           const v1::SuggestTendersRequest* request,
                                           v1::SuggestTendersResponse* response) override;
  grpc::ServerUnaryReactor* FindBuddies(grpc::CallbackServerContext* context, const v1::FindBuddiesRequest* request,
                                        v1::FindBuddiesResponse* response) override;
  grpc::ServerUnaryReactor* FindSimilarBuyers(grpc::CallbackServerContext* context,
                                              const v1::FindSimilarBuyersRequest* request,
                                              v1::FindSimilarBuyersResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchMatchesResponse>* WatchMatches(grpc::CallbackServerContext* context,
                                                                   const v1::WatchMatchesRequest* request) override;
  grpc::ServerUnaryReactor* ExplainMatch(grpc::CallbackServerContext* context, const v1::ExplainMatchRequest* request,
                                         v1::ExplainMatchResponse* response) override;

 private:
  ProfileRepository* const repository_;
  Authenticator* const authenticator_;  // for WatchMatches
  const UnaryCalls calls_;              // the unary calls, all audited
  PartnerSlots watches_;
  WatchWorker watch_worker_;  // last: destroyed first, while the rest is still there
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_MATCHING_SERVICE_H_
