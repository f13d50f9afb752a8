#include "service/api/grpc_status.h"

#include <chrono>
#include <string>

namespace circmatch::service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode both follow google.rpc.Code, 0..16.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

absl::Status CheckCallAlive(const grpc::CallbackServerContext* context) {
  if (context->IsCancelled()) return absl::CancelledError("the call was cancelled");
  if (context->deadline() <= std::chrono::system_clock::now()) {
    return absl::DeadlineExceededError("the deadline passed before the work was done");
  }
  return absl::OkStatus();
}

}  // namespace circmatch::service
