// The one place where engine and store errors (absl::Status) become gRPC statuses.
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_SERVICE_STATUS_MAPPING_H_
#define CIRCMATCH_SERVICE_STATUS_MAPPING_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace circmatch::service {

// Same code (the canonical codes are numbered alike), same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Finishes a callback unary call with `status` (mapped as above) and returns its reactor.
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, const absl::Status& status);

// CANCELLED once the call is cancelled, DEADLINE_EXCEEDED once its deadline passed, else OK: asked before and
// during the expensive part of a call (MatchParams::interrupt), which nobody may be waiting for any more.
absl::Status CheckCallAlive(const grpc::CallbackServerContext* context);

// The name of a gRPC status code ("OK", "INVALID_ARGUMENT", ...), as the metrics' label, the audit log and the
// HTTP gateway's error bodies give it; "UNKNOWN" for a number outside 0..16.
const char* StatusCodeName(int code);

// `status` with `prefix` in front of its message (e.g. "profiles[3]." or "batch 2: "); OK stays OK.
absl::Status PrefixStatus(absl::string_view prefix, const absl::Status& status);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STATUS_MAPPING_H_
