// A small HTTP/1.1 server for what is not gRPC: the Prometheus metrics endpoint (and the HTTP/JSON API).
// One thread accepts; each connection is served on its own thread (at most `max_connections` at once), with
// keep-alive, Content-Length bodies (no chunked requests), and limits on header and body size.
//
// Thread-safety: the handler is called concurrently from connection threads.
#ifndef CIRCMATCH_SERVICE_HTTP_SERVER_H_
#define CIRCMATCH_SERVICE_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace circmatch::service {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // "/metrics", without the query
  std::string query;                           // after '?', undecoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  int max_connections = 256;
  size_t max_header_bytes = 64 << 10;
  size_t max_body_bytes = 16 << 20;
  int idle_timeout_ms = 30000;
};

class HttpServer {
 public:
  // Listens on "host:port" (port 0 picks one) and serves `handler`. UNAVAILABLE naming `listen` when it cannot.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen, HttpHandler handler,
                                                           HttpServerOptions options = {});
  ~HttpServer();

  int port() const { return port_; }
  // Stops accepting, closes idle connections and waits for running requests. Idempotent.
  void Shutdown();

 private:
  HttpServer(int listen_fd, int wake_fd, int port, HttpHandler handler, HttpServerOptions options)
      : listen_fd_(listen_fd), wake_fd_(wake_fd), port_(port), handler_(std::move(handler)), options_(options) {}
  void AcceptLoop();
  void Serve(int fd);

  const int listen_fd_;
  const int wake_fd_;  // eventfd: wakes the accept loop and idle connections at shutdown
  const int port_;
  const HttpHandler handler_;
  const HttpServerOptions options_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  absl::Mutex mu_;
  // Connection threads are detached; Shutdown waits for this to reach 0.
  int open_connections_ ABSL_GUARDED_BY(mu_) = 0;
};

// The reason phrase of a status code ("OK", "Not Found", ...).
const char* HttpReason(int status);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_HTTP_SERVER_H_
