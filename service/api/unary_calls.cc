#include "service/api/unary_calls.h"

#include <utility>

#include "absl/status/statusor.h"
#include "service/api/grpc_status.h"
#include "service/api/long_calls.h"
#include "service/auth/audit_log.h"
#include "service/auth/authenticator.h"

namespace circmatch::service {
namespace {

// Records the call of an authenticated caller in `audit` (unless null), then finishes it.
void AuditAndFinish(grpc::ServerUnaryReactor* reactor, const AuditLog* audit, absl::string_view caller,
                    absl::string_view method, const google::protobuf::Message& request,
                    const google::protobuf::Message& response, const absl::Status& status) {
  if (audit != nullptr) audit->Record(caller, method, request, status.ok() ? &response : nullptr, status);
  reactor->Finish(ToGrpcStatus(status));
}

}  // namespace

grpc::ServerUnaryReactor* UnaryCalls::Serve(grpc::CallbackServerContext* context, absl::string_view method,
                                            const google::protobuf::Message* request,
                                            const google::protobuf::Message* response,
                                            absl::FunctionRef<absl::Status(const std::string& caller)> work) const {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return FinishUnary(context, caller.status());
  const absl::Status status = work(*caller);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  AuditAndFinish(reactor, audit_, *caller, method, *request, *response, status);
  return reactor;
}

grpc::ServerUnaryReactor* UnaryCalls::ServeLong(
    grpc::CallbackServerContext* context, absl::string_view method, const google::protobuf::Message* request,
    const google::protobuf::Message* response, absl::AnyInvocable<absl::Status(const std::string& caller)> work) const {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return FinishUnary(context, caller.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  long_calls_->Start(
      *caller, method, [work = std::move(work), caller = *caller]() mutable { return work(caller); },
      [reactor, audit = audit_, caller = *caller, method = std::string(method), request, response](
          const absl::Status& status) { AuditAndFinish(reactor, audit, caller, method, *request, *response, status); });
  return reactor;
}

}  // namespace circmatch::service
