// The HTTP/1.1 server of what is not gRPC: the HTTP/JSON API, the coordinators' web page and the Prometheus
// metrics endpoint, on GNU libmicrohttpd (Debian's libmicrohttpd-dev). The library parses requests and keeps
// connections alive; `io_threads` threads watch every socket with epoll, so a connection that is slow to send or
// idle costs no thread. Each request passes through two steps:
//
//   1. As soon as its head (request line and headers) has arrived, before any byte of its body is read, the
//      server refuses it when it must: `HttpService::admit` (an unknown route, a missing or wrong API key), a
//      chunked body (411), a Content-Length over `max_body_bytes` (413). A refusal is sent at once and the body is
//      never read (the connection is closed after it when a body was announced).
//   2. Otherwise the body is read into memory (never more than its Content-Length, itself at most
//      `max_body_bytes`), and `HttpService::handle` runs on a thread of its own, so it may block (the gateway waits
//      for its gRPC call); the connection waits meanwhile without holding an I/O thread.
//
// Limits, so that one client cannot take the server from the others: connections in total and from one IP
// address (more are closed as soon as they are accepted); a whole request head within `header_timeout` of the
// connection's opening or of the previous response on it, however slowly its bytes trickle in (else the
// connection is closed); `idle_timeout_seconds` without traffic while a body or a response is on its way.
//
// Thread-safety: `admit` is called on the I/O threads and `handle` on request threads, both concurrently.
// Shutdown and the destructor are called from one controlling thread.
#ifndef CIRCMATCH_SERVICE_HTTP_HTTP_SERVER_H_
#define CIRCMATCH_SERVICE_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace circmatch::service {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // "/metrics": the target before any '?', not percent-decoded
  std::string query;                           // after '?', not percent-decoded
  std::map<std::string, std::string> headers;  // names in lower case; of a repeated header, the last
  std::string body;                            // empty in the head that `admit` sees
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
};

struct HttpService {
  // Called once per request with its head, before any byte of its body is read. A response refuses the request
  // (see the file comment); nullopt lets it through. Runs on an I/O thread: it must not block. Empty: every
  // request goes through.
  std::function<std::optional<HttpResponse>(const HttpRequest& head)> admit;
  // The response to a whole request. Runs on a thread of its own and may block. Required.
  std::function<HttpResponse(const HttpRequest& request)> handle;
};

struct HttpServerOptions {
  // Open connections at most, in total; one more is closed as soon as it is accepted.
  int max_connections = 256;
  // Open connections at most from one IP address; one more is closed as soon as it is accepted. Behind a proxy,
  // every client has the proxy's address.
  int max_connections_per_ip = 32;
  // A request's head must arrive whole within this long of the connection's opening, or of the previous
  // response on a kept-alive connection; else the connection is closed, however slowly bytes keep coming. So a
  // kept-alive connection also waits at most this long for its next request.
  absl::Duration header_timeout = absl::Seconds(10);
  // A connection on which nothing is sent or received for this long while a body or a response is on its way
  // is closed (whole seconds, libmicrohttpd's unit; 0 = never).
  int idle_timeout_seconds = 30;
  // Room for a request head (request line and headers): each connection gets this plus 16 KiB of memory for
  // the head, the part of a body being read and the response's header lines; a head that does not fit (over
  // about 80 KiB by default) is answered 431.
  size_t max_header_bytes = 64 << 10;
  // Largest request body; a larger Content-Length is answered 413 before any byte of the body is read.
  size_t max_body_bytes = 16 << 20;
  // Threads that watch the sockets (epoll); handlers run on their own threads.
  int io_threads = 2;
};

class HttpServer {
 public:
  // Listens on "host:port" (port 0 picks one) and serves `service`. INVALID_ARGUMENT for a malformed `listen`,
  // UNAVAILABLE naming `listen` when it cannot listen there.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen, HttpService service,
                                                           HttpServerOptions options = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  int port() const { return port_; }
  // Stops accepting, answers requests that arrive meanwhile 503, waits for running handlers and (up to
  // idle_timeout_seconds) for their responses to be sent, then closes every connection. Idempotent.
  void Shutdown();

 private:
  struct Connection;
  struct Exchange;

  HttpServer(int port, HttpService service, HttpServerOptions options)
      : port_(port), service_(std::move(service)), options_(options) {}

  // libmicrohttpd's callbacks (defined in the .cc, where its types are known).
  struct Callbacks;

  // The refusal of a request from its head (step 1 in the file comment), or nullopt.
  std::optional<HttpResponse> Refusal(const HttpRequest& head) const;
  // Runs the handler of `exchange` on a new thread and resumes `connection` when its response is ready.
  void Dispatch(MHD_Connection* connection, Exchange* exchange);
  // Closes connections whose request head is overdue; runs until Shutdown.
  void CloseSlowHeads();

  MHD_Daemon* daemon_ = nullptr;
  int listen_fd_ = -1;
  const int port_;
  const HttpService service_;
  const HttpServerOptions options_;
  std::atomic<bool> stopping_{false};
  std::thread head_watch_;

  absl::Mutex mu_;
  absl::CondVar head_watch_wake_;
  bool head_watch_stop_ ABSL_GUARDED_BY(mu_) = false;
  std::set<Connection*> connections_ ABSL_GUARDED_BY(mu_);
  // Handler threads still running (they are detached; Shutdown waits for 0).
  int running_handlers_ ABSL_GUARDED_BY(mu_) = 0;
  // Requests given to a handler whose response is not yet sent.
  int dispatched_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_HTTP_HTTP_SERVER_H_
