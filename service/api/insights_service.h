// circmatch.v1.InsightsService on the gRPC callback API: the exposure of organization size classes in a partner's
// suggestions (ExposureReport), from its own feedback events and the profiles it may see; where circular supply
// is missing per region and CPV sector (GapReport, gap_report.h).
//
// Thread-safety: the handler runs concurrently on gRPC's threads; the repository and store are thread-safe.
#ifndef CIRCMATCH_SERVICE_API_INSIGHTS_SERVICE_H_
#define CIRCMATCH_SERVICE_API_INSIGHTS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "circmatch/v1/insights_service.grpc.pb.h"
#include "service/api/unary_calls.h"

namespace circmatch::service {

class Authenticator;
class LongCalls;
class ProfileRepository;

// The report of ExposureReport for `caller` (see the proto), `now` closing an open period.
absl::StatusOr<v1::ExposureReportResponse> ExposureReportFor(const ProfileRepository& repository,
                                                             const std::string& caller,
                                                             const v1::ExposureReportRequest& request, absl::Time now);

class InsightsServiceImpl final : public v1::InsightsService::CallbackService {
 public:
  // All borrowed; they must outlive the service. ExposureReport is a long call of `long_calls`.
  InsightsServiceImpl(const ProfileRepository* repository, Authenticator* authenticator, LongCalls* long_calls)
      : repository_(repository), calls_(authenticator, /*audit=*/nullptr, long_calls) {}

  grpc::ServerUnaryReactor* ExposureReport(grpc::CallbackServerContext* context,
                                           const v1::ExposureReportRequest* request,
                                           v1::ExposureReportResponse* response) override;
  grpc::ServerUnaryReactor* GapReport(grpc::CallbackServerContext* context, const v1::GapReportRequest* request,
                                      v1::GapReportResponse* response) override;

 private:
  const ProfileRepository* const repository_;
  const UnaryCalls calls_;  // not audited
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_INSIGHTS_SERVICE_H_
