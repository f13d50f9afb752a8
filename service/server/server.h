// The whole circmatch server: vocabulary, index, store, the gRPC services, reflection and health, wired and
// started from ServerOptions.
//
//   absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options);
//   if (!server.ok()) { ...; return 1; }
//   std::cout << "circmatch-server listening on " << (*server)->address() << std::endl;
//   ... wait for a signal ...
//   (*server)->Shutdown(absl::Seconds(10));
//
// Thread-safety: Start, Shutdown and the destructor are called from one controlling thread; the services it
// runs are thread-safe.
#ifndef CIRCMATCH_SERVICE_SERVER_SERVER_H_
#define CIRCMATCH_SERVICE_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "circmatch/index.h"
#include "circmatch/vocabulary.h"
#include "service/api/feedback_service.h"
#include "service/api/insights_service.h"
#include "service/api/long_calls.h"
#include "service/api/market_day_service.h"
#include "service/api/matching_service.h"
#include "service/api/pairing_service.h"
#include "service/api/profile_service.h"
#include "service/api/rank_profile_service.h"
#include "service/api/vocabulary_service.h"
#include "service/auth/audit_log.h"
#include "service/auth/authenticator.h"
#include "service/http/http_gateway.h"
#include "service/http/http_server.h"
#include "service/server/health_service.h"
#include "service/server/metrics.h"
#include "service/server/server_options.h"
#include "service/store/change_feed.h"
#include "service/store/profile_repository.h"
#include "service/store/profile_store.h"

namespace circmatch::service {

class Server {
 public:
  // Loads the vocabulary, opens the store in options.data_dir, rebuilds the index from it, imports
  // options.sample_data when the store is empty, and starts serving. When it returns OK the server accepts
  // calls. Errors name what failed (a missing vocabulary file, a bad sample line, a port in use).
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Shuts down (with options.shutdown_grace) if Shutdown was not called.
  ~Server();

  // "host:port" of the bound port, for clients: the configured host (127.0.0.1 for a wildcard host) and the
  // port actually bound (the chosen one when the configured port is 0).
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  // The port of the HTTP/JSON API; 0 when there is none.
  int http_port() const { return api_http_ == nullptr ? 0 : api_http_->port(); }
  // The port of the metrics endpoint; 0 when there is none.
  int metrics_port() const { return metrics_http_ == nullptr ? 0 : metrics_http_->port(); }

  // Graceful stop: health turns NOT_SERVING and Watch streams end, no new calls are accepted, running calls
  // get until `grace` to finish and are cancelled after. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  Server() = default;

  // The steps of Start, in order.
  absl::Status CheckCredentials(const ServerOptions& options);  // API keys (or development mode), TLS files
  absl::Status LoadVocabulary(const ServerOptions& options);    // and the code suggester
  absl::Status OpenStore(const ServerOptions& options);         // the index, the store and the repository over both
  absl::Status OpenAuditLog(const ServerOptions& options);
  absl::Status RebuildIndex(const ServerOptions& options);    // from the store; the change feed of a shared one
  absl::Status LoadSampleData(const ServerOptions& options);  // into an empty store
  absl::Status CreateServices(const ServerOptions& options);  // metrics, long-call limits, the handlers
  absl::Status StartGrpc(const ServerOptions& options);
  absl::Status StartHttpApi(const ServerOptions& options);  // with --http_listen: the gateway and the page
  absl::Status StartMetrics(const ServerOptions& options);  // with --metrics_listen

  // Declared in dependency order: destroyed from the gRPC server down to the vocabulary.
  std::unique_ptr<Authenticator> authenticator_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
  std::unique_ptr<AuditLog> audit_log_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Vocabulary> vocabulary_;
  std::unique_ptr<CodeSuggester> code_suggester_;  // VocabularyService.SuggestCodes
  std::unique_ptr<Index> index_;
  std::unique_ptr<ProfileStore> store_;
  std::unique_ptr<ProfileRepository> repository_;
  std::unique_ptr<ChangeFeed> change_feed_;
  std::unique_ptr<LongCalls> long_calls_;
  std::unique_ptr<ProfileServiceImpl> profile_service_;
  std::unique_ptr<MatchingServiceImpl> matching_service_;
  std::unique_ptr<PairingServiceImpl> pairing_service_;
  std::unique_ptr<MarketDayServiceImpl> market_day_service_;
  std::unique_ptr<VocabularyServiceImpl> vocabulary_service_;
  std::unique_ptr<FeedbackServiceImpl> feedback_service_;
  std::unique_ptr<RankProfileServiceImpl> rank_profile_service_;
  std::unique_ptr<InsightsServiceImpl> insights_service_;
  std::unique_ptr<HealthServiceImpl> health_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<HttpServer> metrics_http_;
  std::unique_ptr<HttpGateway> gateway_;
  std::unique_ptr<HttpServer> api_http_;
  absl::Duration default_grace_;
  std::string address_;
  int port_ = 0;
  bool shut_down_ = false;
};

// Plaintext, or TLS (and mutual TLS) from the certificate files the options name. INVALID_ARGUMENT/NOT_FOUND
// naming the flag when a file is missing or not PEM.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const ServerOptions& options);

// The address to print for `listen` bound to `port`: the host of `listen`, with wildcard hosts ("0.0.0.0",
// "[::]", "::", empty) shown as 127.0.0.1 so clients can connect to it as printed.
std::string PrintableAddress(const std::string& listen, int port);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_SERVER_SERVER_H_
