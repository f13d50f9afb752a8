// circmatch.v1.MarketDayService on the gRPC callback API: resolves the participants (stored profiles the caller
// may see), validates the event, wishes and limits naming the field, scores every buyer against every supplier
// with the engine's Index, schedules with circmatch::ScheduleMeetings, explains each meeting and writes the
// agendas as iCalendar.
//
// Thread-safety: handlers run concurrently; the service keeps no state of its own.
#ifndef CIRCMATCH_SERVICE_API_MARKET_DAY_SERVICE_H_
#define CIRCMATCH_SERVICE_API_MARKET_DAY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "circmatch/v1/market_day_service.grpc.pb.h"
#include "service/api/long_calls.h"
#include "service/api/unary_calls.h"
#include "service/auth/audit_log.h"
#include "service/auth/authenticator.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

class MarketDayServiceImpl final : public v1::MarketDayService::CallbackService {
 public:
  // All borrowed; they must outlive the service. ScheduleMeetings is a long call of `long_calls`.
  MarketDayServiceImpl(ProfileRepository* repository, Authenticator* authenticator, const AuditLog* audit,
                       LongCalls* long_calls)
      : repository_(repository), calls_(authenticator, audit, long_calls) {}

  grpc::ServerUnaryReactor* ScheduleMeetings(grpc::CallbackServerContext* context,
                                             const v1::ScheduleMeetingsRequest* request,
                                             v1::ScheduleMeetingsResponse* response) override;

 private:
  ProfileRepository* const repository_;
  const UnaryCalls calls_;  // audited
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_MARKET_DAY_SERVICE_H_
