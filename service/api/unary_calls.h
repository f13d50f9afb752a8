// How every unary call of the API is served, written once: the caller is authenticated from the call's metadata
// first (a call without a valid key is UNAUTHENTICATED at once: nothing of its request is read and nothing is
// audited), then the call's work runs for that caller, then the call is recorded in the audit log (for the
// services whose calls it records), and the call is finished with the work's status (grpc_status.h).
//
//   grpc::ServerUnaryReactor* ProfileServiceImpl::GetProfile(grpc::CallbackServerContext* context,
//                                                            const v1::GetProfileRequest* request,
//                                                            v1::GetProfileResponse* response) {
//     return calls_.Serve(context, "GetProfile", request, response, [&](const std::string& caller) {
//       ...  // reads *request, fills *response
//       return absl::OkStatus();
//     });
//   }
//
// A long call (long_calls.h) is served by ServeLong instead: its work runs on a thread of LongCalls, after the
// handler has returned, so it captures what it needs by value (the context, request and response pointers stay
// valid until the call is finished; the caller is passed in).
//
// Thread-safety: Serve and ServeLong may be called concurrently.
#ifndef CIRCMATCH_SERVICE_API_UNARY_CALLS_H_
#define CIRCMATCH_SERVICE_API_UNARY_CALLS_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace circmatch::service {

class AuditLog;
class Authenticator;
class LongCalls;

class UnaryCalls {
 public:
  // All borrowed; they must outlive the service's calls. `audit` is the log every call of the service is
  // recorded in, or null for a service whose calls the audit log does not record; `long_calls` runs the
  // service's long calls (null for a service without any).
  explicit UnaryCalls(Authenticator* authenticator, const AuditLog* audit = nullptr, LongCalls* long_calls = nullptr)
      : authenticator_(authenticator), audit_(audit), long_calls_(long_calls) {}

  // Authenticates the caller, runs `work` for it on this thread, audits the call as `method` and finishes it.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, absl::string_view method,
                                  const google::protobuf::Message* request, const google::protobuf::Message* response,
                                  absl::FunctionRef<absl::Status(const std::string& caller)> work) const;

  // The same for a long call: `work` runs through LongCalls::Start as `method`, and the call is audited and
  // finished on the thread that ran it (or at once, RESOURCE_EXHAUSTED, when the long calls are at a bound).
  grpc::ServerUnaryReactor* ServeLong(grpc::CallbackServerContext* context, absl::string_view method,
                                      const google::protobuf::Message* request,
                                      const google::protobuf::Message* response,
                                      absl::AnyInvocable<absl::Status(const std::string& caller)> work) const;

 private:
  Authenticator* const authenticator_;
  const AuditLog* const audit_;  // null: not audited
  LongCalls* const long_calls_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_UNARY_CALLS_H_
