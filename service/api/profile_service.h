// circmatch.v1.ProfileService on the gRPC callback API: writes go through the ProfileRepository (validated
// whole, committed, then indexed); reads come from the store.
//
// Thread-safety: the handlers run concurrently on gRPC's threads; the service keeps no state of its own
// besides the borrowed, thread-safe repository.
#ifndef CIRCMATCH_SERVICE_API_PROFILE_SERVICE_H_
#define CIRCMATCH_SERVICE_API_PROFILE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "circmatch/v1/profile_service.grpc.pb.h"
#include "service/api/unary_calls.h"
#include "service/auth/authenticator.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

class ProfileServiceImpl final : public v1::ProfileService::CallbackService {
 public:
  // `repository` is borrowed and must outlive the service.
  // Both borrowed; they must outlive the service.
  ProfileServiceImpl(ProfileRepository* repository, Authenticator* authenticator)
      : repository_(repository), authenticator_(authenticator), calls_(authenticator) {}

  grpc::ServerUnaryReactor* UpsertProfiles(grpc::CallbackServerContext* context,
                                           const v1::UpsertProfilesRequest* request,
                                           v1::UpsertProfilesResponse* response) override;
  grpc::ServerReadReactor<v1::ImportProfilesRequest>* ImportProfiles(grpc::CallbackServerContext* context,
                                                                     v1::ImportProfilesResponse* response) override;
  grpc::ServerUnaryReactor* GetProfile(grpc::CallbackServerContext* context, const v1::GetProfileRequest* request,
                                       v1::GetProfileResponse* response) override;
  grpc::ServerUnaryReactor* ListProfiles(grpc::CallbackServerContext* context, const v1::ListProfilesRequest* request,
                                         v1::ListProfilesResponse* response) override;
  grpc::ServerUnaryReactor* DeleteProfile(grpc::CallbackServerContext* context, const v1::DeleteProfileRequest* request,
                                          v1::DeleteProfileResponse* response) override;
  grpc::ServerUnaryReactor* EraseContact(grpc::CallbackServerContext* context, const v1::EraseContactRequest* request,
                                         v1::EraseContactResponse* response) override;

 private:
  class ImportReactor;

  ProfileRepository* const repository_;
  Authenticator* const authenticator_;  // for ImportProfiles
  const UnaryCalls calls_;              // the unary calls, not audited
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_PROFILE_SERVICE_H_
