// The HTTP/JSON face of the gRPC API, for portals that cannot speak gRPC. Every unary method annotated with
// `google.api.http` in the .proto files gets its route ("POST /v1/matching/suppliers:suggest"); the request is
// the proto3 JSON body (body "*"), path variables ("/v1/profiles/{ref.owner}/{ref.id}") and query parameters
// ("?kind=PROFILE_KIND_TENDER&page_size=50"), the response is the proto3 JSON of the response message.
//
// The gateway holds no logic of its own: it translates each request into its method's request message
// (Translate, which calls nothing) and forwards that as a gRPC call on an in-process channel to the same server,
// so the one handler of each method serves both transports, with the same validation, API keys (the
// `Authorization` header is forwarded as metadata), metrics and audit log. Before that, Admit answers from
// the request's head alone, so the HTTP server never reads the body of a request to an unknown route or without
// a valid API key. gRPC status codes map to HTTP
// statuses as in Google's API design guide; an error body is {"code": 3, "status": "INVALID_ARGUMENT",
// "message": "k: must be between 1 and 1000, got 0"}.
//
// Thread-safety: Handle may be called concurrently.
#ifndef CIRCMATCH_SERVICE_HTTP_HTTP_GATEWAY_H_
#define CIRCMATCH_SERVICE_HTTP_HTTP_GATEWAY_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "service/auth/authenticator.h"
#include "service/http/http_server.h"

namespace circmatch::service {

// The circmatch.v1 services of the public API (full names): the server serves them and the gateway routes them.
std::vector<std::string> ApiServiceNames();

class HttpGateway {
 public:
  // Routes every annotated unary method of the named services (full names, e.g. "circmatch.v1.MatchingService").
  // INVALID_ARGUMENT when an annotation cannot be parsed or two routes collide.
  // `authenticator` (borrowed; outlives the gateway) is the one the services use. `channel` may be null for a
  // gateway that only admits and translates (fuzz/http_request_fuzzer.cc); its Handle answers 503 UNAVAILABLE.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Create(std::shared_ptr<grpc::Channel> channel,
                                                             const std::vector<std::string>& service_names,
                                                             Authenticator* authenticator);

  // The answer to a request from its head alone (HttpService::admit): 404 for no route, 405 for a route without
  // that verb, 401 UNAUTHENTICATED for a missing, malformed or unknown API key (every routed method needs one,
  // as over gRPC); nullopt when the request may go on to Handle.
  std::optional<HttpResponse> Admit(const HttpRequest& head) const;

  // What a request asks of the gRPC API: the method it is routed to and that method's request message, filled
  // from the JSON body, then the path variables, then the query parameters.
  struct Call {
    const google::protobuf::MethodDescriptor* method = nullptr;
    std::unique_ptr<google::protobuf::Message> request;
  };

  // The call `request` makes, or the answer that ends it here: 404 or 405 as Admit gives them, 400
  // INVALID_ARGUMENT naming the part (body, path variable or query parameter) that does not fit the request
  // message, or a query parameter of a field that the path sets. Checks no API key (Admit does, and the method's
  // handler again) and calls nothing.
  std::variant<Call, HttpResponse> Translate(const HttpRequest& request) const;

  // Translate, then the call on the channel: the proto3 JSON of its response, or its error.
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

  HttpGateway(std::shared_ptr<grpc::Channel> channel, Authenticator* authenticator)
      : channel_(std::move(channel)), stub_(channel_), authenticator_(authenticator) {}

  // The route of `request`'s verb and path, with its path variables (percent-decoded) in *variables; or null,
  // with the answer (404 or 405) in *error.
  const Route* FindRoute(const HttpRequest& request, std::vector<std::pair<std::string, std::string>>* variables,
                         HttpResponse* error) const;

  std::shared_ptr<grpc::Channel> channel_;
  mutable grpc::GenericStub stub_;
  Authenticator* const authenticator_;
  std::vector<Route> routes_;
};

// The HTTP status of a gRPC status code (OK 200, INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// NOT_FOUND 404, ...).
int HttpStatusOf(grpc::StatusCode code);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_HTTP_HTTP_GATEWAY_H_
