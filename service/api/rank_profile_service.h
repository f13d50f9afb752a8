// circmatch.v1.RankProfileService on the gRPC callback API: fits a partner's rank profiles to its feedback and
// judged queries (rank_profiles.h), lists them and activates a version. A partner reaches only its own profiles.
//
// Thread-safety: the handlers run concurrently on gRPC's threads; the repository and store are thread-safe.
#ifndef CIRCMATCH_SERVICE_API_RANK_PROFILE_SERVICE_H_
#define CIRCMATCH_SERVICE_API_RANK_PROFILE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "circmatch/v1/rank_profile_service.grpc.pb.h"
#include "service/api/unary_calls.h"

namespace circmatch::service {

class Authenticator;
class LongCalls;
class ProfileRepository;

class RankProfileServiceImpl final : public v1::RankProfileService::CallbackService {
 public:
  // All borrowed; they must outlive the service. FitRankProfile is a long call of `long_calls`.
  RankProfileServiceImpl(ProfileRepository* repository, Authenticator* authenticator, LongCalls* long_calls)
      : repository_(repository), calls_(authenticator, /*audit=*/nullptr, long_calls) {}

  grpc::ServerUnaryReactor* FitRankProfile(grpc::CallbackServerContext* context,
                                           const v1::FitRankProfileRequest* request,
                                           v1::FitRankProfileResponse* response) override;
  grpc::ServerUnaryReactor* ActivateRankProfile(grpc::CallbackServerContext* context,
                                                const v1::ActivateRankProfileRequest* request,
                                                v1::ActivateRankProfileResponse* response) override;
  grpc::ServerUnaryReactor* ListRankProfiles(grpc::CallbackServerContext* context,
                                             const v1::ListRankProfilesRequest* request,
                                             v1::ListRankProfilesResponse* response) override;

 private:
  ProfileRepository* const repository_;
  const UnaryCalls calls_;  // not audited
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_RANK_PROFILE_SERVICE_H_
