// circmatch.v1.PairingService on the gRPC callback API: resolves a cohort of stored BUDDY profiles (an explicit
// list or a filter), validates the constraints at the edge, scores the cohort with the engine's Index and pairs
// it with circmatch::PairCohortFromIndex (engine/include/circmatch/pairing.h), then explains every pair.
//
// Thread-safety: the handler runs concurrently on gRPC's threads; the service keeps no state of its own besides
// the borrowed, thread-safe repository.
#ifndef CIRCMATCH_SERVICE_API_PAIRING_SERVICE_H_
#define CIRCMATCH_SERVICE_API_PAIRING_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "circmatch/v1/pairing_service.grpc.pb.h"
#include "service/api/long_calls.h"
#include "service/api/unary_calls.h"
#include "service/auth/audit_log.h"
#include "service/auth/authenticator.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

// The most members an explicit cohort may list (the API's limit).
inline constexpr int kMaxCohortMembers = 100000;
// The most members this server pairs in one call: scoring keeps a dense members x members float matrix
// (20,000 members take 1.6 GB). Larger cohorts get RESOURCE_EXHAUSTED.
inline constexpr int kMaxPairedCohort = 20000;

class PairingServiceImpl final : public v1::PairingService::CallbackService {
 public:
  // All borrowed; they must outlive the service. PairBuddies is a long call of `long_calls`.
  PairingServiceImpl(ProfileRepository* repository, Authenticator* authenticator, const AuditLog* audit,
                     LongCalls* long_calls)
      : repository_(repository), calls_(authenticator, audit, long_calls) {}

  grpc::ServerUnaryReactor* PairBuddies(grpc::CallbackServerContext* context, const v1::PairBuddiesRequest* request,
                                        v1::PairBuddiesResponse* response) override;

 private:
  ProfileRepository* const repository_;
  const UnaryCalls calls_;  // audited
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_PAIRING_SERVICE_H_
