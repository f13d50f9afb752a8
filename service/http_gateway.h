// The HTTP/JSON face of the gRPC API, for portals that cannot speak gRPC. Every unary method annotated with
// `google.api.http` in the .proto files gets its route ("POST /v1/matching/suppliers:suggest"); the request is
// the proto3 JSON body (body "*"), path variables ("/v1/profiles/{ref.owner}/{ref.id}") and query parameters
// ("?kind=PROFILE_KIND_TENDER&page_size=50"), the response is the proto3 JSON of the response message.
//
// The gateway holds no logic of its own: it forwards each request as a gRPC call on an in-process channel to the
// same server, so the one handler of each method serves both transports, with the same validation, API keys
// (the `Authorization` header is forwarded as metadata), metrics and audit log. gRPC status codes map to HTTP
// statuses as in Google's API design guide; an error body is {"code": 3, "status": "INVALID_ARGUMENT",
// "message": "k: must be between 1 and 1000, got 0"}.
//
// Thread-safety: Handle may be called concurrently.
#ifndef CIRCMATCH_SERVICE_HTTP_GATEWAY_H_
#define CIRCMATCH_SERVICE_HTTP_GATEWAY_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/status/statusor.h"
#include "service/http_server.h"

namespace circmatch::service {

class HttpGateway {
 public:
  // Routes every annotated unary method of the named services (full names, e.g. "circmatch.v1.MatchingService").
  // INVALID_ARGUMENT when an annotation cannot be parsed or two routes collide.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Create(std::shared_ptr<grpc::Channel> channel,
                                                             const std::vector<std::string>& service_names);

  HttpResponse Handle(const HttpRequest& request) const;

  // One line per route, "POST /v1/matching/suppliers:suggest -> circmatch.v1.MatchingService.SuggestSuppliers".
  std::vector<std::string> RouteTable() const;

 private:
  struct Segment {
    std::string literal;   // when not a variable
    std::string variable;  // field path, e.g. "ref.id"
  };
  struct Route {
    std::string verb;
    std::vector<Segment> segments;
    std::string body;  // "*" or empty
    const google::protobuf::MethodDescriptor* method = nullptr;
  };

  explicit HttpGateway(std::shared_ptr<grpc::Channel> channel) : channel_(std::move(channel)), stub_(channel_) {}

  std::shared_ptr<grpc::Channel> channel_;
  mutable grpc::GenericStub stub_;
  std::vector<Route> routes_;
};

// The HTTP status of a gRPC status code (OK 200, INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// NOT_FOUND 404, ...).
int HttpStatusOf(grpc::StatusCode code);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_HTTP_GATEWAY_H_
