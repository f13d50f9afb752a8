#include "service/http/http_server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/common/logging.h"

namespace circmatch::service {

// What the server keeps of one connection (libmicrohttpd's socket context).
struct HttpServer::Connection {
  // The request target of the request being received, as sent (set when its request line has arrived).
  std::string target;
  int fd = -1;
  // While waiting for a request head: when it is overdue. Guarded by the server's mu_.
  bool awaiting_head = true;
  absl::Time head_deadline;
};

// One request from its head to its response (libmicrohttpd's request context).
struct HttpServer::Exchange {
  HttpRequest request;
  size_t body_limit = 0;
  bool refused = false;     // answered from the head (the response is queued, or in `response`)
  bool dispatched = false;  // the handler was started
  // A refusal to queue on the next call, or the handler's response: written by the handler thread before it
  // resumes the connection, read by the I/O thread after.
  HttpResponse response;
};

namespace {

HttpResponse Plain(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Queues `response` (its body moved into libmicrohttpd's response) on `connection`.
MHD_Result Queue(MHD_Connection* connection, HttpResponse& response) {
  auto* body = new std::string(std::move(response.body));
  MHD_Response* queued = MHD_create_response_from_buffer_with_free_callback_cls(
      body->size(), body->data(), [](void* cls) { delete static_cast<std::string*>(cls); }, body);
  if (queued == nullptr) {
    delete body;
    return MHD_NO;
  }
  MHD_add_response_header(queued, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  for (const auto& [name, value] : response.headers) {
    MHD_add_response_header(queued, name.c_str(), value.c_str());
  }
  const MHD_Result result = MHD_queue_response(connection, static_cast<unsigned int>(response.status), queued);
  MHD_destroy_response(queued);
  return result;
}

bool AnnouncesBody(const HttpRequest& head) {
  const auto length = head.headers.find("content-length");
  return head.headers.count("transfer-encoding") > 0 || (length != head.headers.end() && length->second != "0");
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* name, const char* value) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(cls);
  (*headers)[absl::AsciiStrToLower(name)] = value == nullptr ? "" : value;
  return MHD_YES;
}

void LogLibraryMessage(void*, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  std::string line(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  CIRCMATCH_LOG(kDebug) << "libmicrohttpd: " << line;
}

// A bound, listening, non-blocking socket for "host:port"; its port in *port.
absl::StatusOr<int> Listen(const std::string& listen, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("\"", listen, "\" is not host:port"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int e = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &found); e != 0) {
    return absl::InvalidArgumentError(absl::StrCat("\"", listen, "\": ", gai_strerror(e)));
  }
  int fd = -1;
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot listen on \"", listen, "\": ", error));
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  *port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

}  // namespace

struct HttpServer::Callbacks {
  static HttpServer::Connection* ConnectionOf(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == nullptr ? nullptr : static_cast<HttpServer::Connection*>(info->socket_context);
  }

  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode what) {
    auto* server = static_cast<HttpServer*>(cls);
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* state = new HttpServer::Connection;
      const MHD_ConnectionInfo* fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      state->fd = fd == nullptr ? -1 : fd->connect_fd;
      *socket_context = state;
      absl::MutexLock lock(&server->mu_);
      state->head_deadline = absl::Now() + server->options_.header_timeout;
      server->connections_.insert(state);
      server->head_watch_wake_.Signal();
    } else if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
      auto* state = static_cast<HttpServer::Connection*>(*socket_context);
      if (state == nullptr) return;
      {
        // Under the lock, so the head watch never shuts down a descriptor that a later connection reuses
        // (libmicrohttpd closes the socket after this call).
        absl::MutexLock lock(&server->mu_);
        server->connections_.erase(state);
      }
      delete state;
      *socket_context = nullptr;
    }
  }

  static void* OnRequestLine(void*, const char* uri, MHD_Connection* connection) {
    if (HttpServer::Connection* state = ConnectionOf(connection)) state->target = uri;
    return nullptr;  // the request context is made when the head is complete (OnRequest)
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char*, const char* method, const char*,
                              const char* upload_data, size_t* upload_data_size, void** request_context) {
    auto* server = static_cast<HttpServer*>(cls);
    auto* exchange = static_cast<HttpServer::Exchange*>(*request_context);
    if (exchange == nullptr) {
      // The first call: the head has arrived, no byte of the body has been read.
      exchange = new HttpServer::Exchange;
      *request_context = exchange;
      HttpServer::Connection* state = ConnectionOf(connection);
      HttpRequest& head = exchange->request;
      head.method = method;
      if (state != nullptr) {
        const size_t question = state->target.find('?');
        head.path = state->target.substr(0, question);
        if (question != std::string::npos) head.query = state->target.substr(question + 1);
        absl::MutexLock lock(&server->mu_);
        state->awaiting_head = false;
      }
      MHD_get_connection_values(connection, MHD_HEADER_KIND, &CollectHeader, &head.headers);
      if (std::optional<HttpResponse> refusal = server->Refusal(head)) {
        exchange->refused = true;
        // With a body announced the refusal goes out now and the body is never read (the connection closes
        // after it); without one it goes out on the next call, which keeps the connection alive.
        if (AnnouncesBody(head)) return Queue(connection, *refusal);
        exchange->response = *std::move(refusal);
        return MHD_YES;
      }
      exchange->body_limit = server->options_.max_body_bytes;
      if (auto it = head.headers.find("content-length"); it != head.headers.end()) {
        size_t length = 0;
        if (absl::SimpleAtoi(it->second, &length)) head.body.reserve(length);  // at most body_limit: checked
      }
      return MHD_YES;
    }
    if (exchange->refused) {  // a refusal of a request without a body: nothing more to read
      if (*upload_data_size > 0) return MHD_NO;
      return Queue(connection, exchange->response);
    }
    if (*upload_data_size > 0) {
      // Never more than the Content-Length, itself within the limit; the check keeps it so whatever comes.
      if (exchange->request.body.size() + *upload_data_size > exchange->body_limit) return MHD_NO;
      exchange->request.body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (!exchange->dispatched) {
      exchange->dispatched = true;
      server->Dispatch(connection, exchange);
      return MHD_YES;
    }
    return Queue(connection, exchange->response);  // resumed: the handler has answered
  }

  static void OnRequestDone(void* cls, MHD_Connection* connection, void** request_context, MHD_RequestTerminationCode) {
    auto* server = static_cast<HttpServer*>(cls);
    auto* exchange = static_cast<HttpServer::Exchange*>(*request_context);
    *request_context = nullptr;
    HttpServer::Connection* state = ConnectionOf(connection);
    absl::MutexLock lock(&server->mu_);
    if (exchange != nullptr && exchange->dispatched) --server->dispatched_;
    if (state != nullptr) {  // the next request's head is due from now; the watch may be asleep without a deadline
      state->awaiting_head = true;
      state->head_deadline = absl::Now() + server->options_.header_timeout;
      server->head_watch_wake_.Signal();
    }
    delete exchange;
  }
};

std::optional<HttpResponse> HttpServer::Refusal(const HttpRequest& head) const {
  if (stopping_.load()) {
    HttpResponse response = Plain(503, "shutting down\n");
    response.headers.push_back({"Connection", "close"});
    return response;
  }
  if (service_.admit) {
    try {
      if (std::optional<HttpResponse> refusal = service_.admit(head)) return refusal;
    } catch (const std::exception& e) {
      CIRCMATCH_LOG(kError) << "HTTP admission failed on " << head.method << " " << head.path << ": " << e.what();
      return Plain(500, "internal error\n");
    }
  }
  if (head.headers.count("transfer-encoding")) return Plain(411, "send a Content-Length, not a chunked body\n");
  if (auto it = head.headers.find("content-length"); it != head.headers.end()) {
    size_t length = 0;
    if (!absl::SimpleAtoi(it->second, &length)) return Plain(400, "bad Content-Length\n");
    if (length > options_.max_body_bytes) {
      return Plain(413, absl::StrCat("body over ", options_.max_body_bytes, " bytes\n"));
    }
  }
  return std::nullopt;
}

void HttpServer::Dispatch(MHD_Connection* connection, Exchange* exchange) {
  {
    absl::MutexLock lock(&mu_);
    ++running_handlers_;
    ++dispatched_;
  }
  MHD_suspend_connection(connection);
  std::thread([this, connection, exchange] {
    HttpResponse response;
    try {
      response = service_.handle(exchange->request);
    } catch (const std::exception& e) {
      CIRCMATCH_LOG(kError) << "HTTP handler failed on " << exchange->request.method << " " << exchange->request.path
                            << ": " << e.what();
      response = Plain(500, "internal error\n");
    }
    exchange->response = std::move(response);
    // After the resume the I/O thread answers and may free `exchange`: not touched from here on.
    MHD_resume_connection(connection);
    absl::MutexLock lock(&mu_);
    --running_handlers_;
  }).detach();
}

void HttpServer::CloseSlowHeads() {
  absl::MutexLock lock(&mu_);
  while (!head_watch_stop_) {
    const absl::Time now = absl::Now();
    absl::Time next = absl::InfiniteFuture();
    for (Connection* connection : connections_) {
      if (!connection->awaiting_head) continue;
      if (connection->head_deadline <= now) {
        // libmicrohttpd then reads the end of the stream and closes the connection itself.
        if (connection->fd >= 0) ::shutdown(connection->fd, SHUT_RDWR);
        connection->awaiting_head = false;
        CIRCMATCH_LOG(kDebug) << "HTTP: closed a connection whose request head took over " << options_.header_timeout;
      } else {
        next = std::min(next, connection->head_deadline);
      }
    }
    head_watch_wake_.WaitWithDeadline(&mu_, next);
  }
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen, HttpService service,
                                                              HttpServerOptions options) {
  if (!service.handle) return absl::InvalidArgumentError("HttpServer: no handler");
  int port = 0;
  absl::StatusOr<int> fd = Listen(listen, &port);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<HttpServer> server(new HttpServer(port, std::move(service), options));
  server->listen_fd_ = *fd;
  const unsigned int flags =
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  // Room for the head, the part of a body being read, and the response's header lines.
  const size_t memory_limit = options.max_header_bytes + (16 << 10);
  HttpServer* self = server.get();
  MHD_OptionItem settings[] = {
      {MHD_OPTION_LISTEN_SOCKET, *fd, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(std::max(1, options.max_connections)), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(std::max(1, options.max_connections_per_ip)), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(std::max(0, options.idle_timeout_seconds)), nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(memory_limit), nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(std::max(1, options.io_threads)), nullptr},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Callbacks::OnConnection), self},
      {MHD_OPTION_URI_LOG_CALLBACK, reinterpret_cast<intptr_t>(&Callbacks::OnRequestLine), self},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Callbacks::OnRequestDone), self},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&LogLibraryMessage), nullptr},
      {MHD_OPTION_END, 0, nullptr}};
  server->head_watch_ = std::thread([self] { self->CloseSlowHeads(); });
  server->daemon_ = MHD_start_daemon(flags, 0, nullptr, nullptr, &Callbacks::OnRequest, self, MHD_OPTION_ARRAY,
                                     settings, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    server->listen_fd_ = -1;  // left to the failed start, which may have closed it
    server->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot serve HTTP on \"", listen, "\" (libmicrohttpd did not start)"));
  }
  return server;
}

void HttpServer::Shutdown() {
  if (stopping_.exchange(true)) return;
  if (daemon_ != nullptr) {
    MHD_quiesce_daemon(daemon_);  // no new connections; the listening socket is closed below
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](int* dispatched) { return *dispatched == 0; }, &dispatched_),
                         absl::Seconds(std::max(1, options_.idle_timeout_seconds)));
    // Handler threads use this object: wait for them whatever happens to their responses.
    mu_.Await(absl::Condition(
        +[](int* running) { return *running == 0; }, &running_handlers_));
  }
  {
    absl::MutexLock lock(&mu_);
    head_watch_stop_ = true;
    head_watch_wake_.Signal();
  }
  if (head_watch_.joinable()) head_watch_.join();
  if (daemon_ != nullptr) {
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

HttpServer::~HttpServer() { Shutdown(); }

}  // namespace circmatch::service
