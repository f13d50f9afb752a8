// The one place where engine and store errors (absl::Status) become gRPC statuses, and where a handler asks
// whether its call is still wanted.
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_SERVICE_API_GRPC_STATUS_H_
#define CIRCMATCH_SERVICE_API_GRPC_STATUS_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace circmatch::service {

// Same code (the canonical codes are numbered alike), same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Finishes a callback unary call with `status` (mapped as above) and returns its reactor.
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, const absl::Status& status);

// CANCELLED once the call is cancelled, DEADLINE_EXCEEDED once its deadline passed, else OK: asked before and
// during the expensive part of a call (MatchParams::interrupt), which nobody may be waiting for any more.
absl::Status CheckCallAlive(const grpc::CallbackServerContext* context);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_GRPC_STATUS_H_
