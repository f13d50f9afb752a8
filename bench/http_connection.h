// A minimal HTTP/1.1 client on one kept-alive loopback connection, for the soak benchmark's calls to the server's
// HTTP/JSON front as a portal would make them: many requests on a connection, not a connection per request (the
// tests' http_client.h opens one per request and reads until the server closes it). Responses are read by their
// Content-Length or chunked; every read and write is bounded by a timeout (poll), so a stuck server ends a call
// with an error instead of hanging the benchmark.
//
//   HttpConnection connection(port);
//   HttpReply reply = connection.Call("POST", "/v1/matching/suppliers:suggest", body, {{"Authorization", ...}});
//   if (reply.status != 200) ... reply.error, reply.body
//
// Not thread-safe: one thread uses one connection.
#ifndef CIRCMATCH_BENCH_HTTP_CONNECTION_H_
#define CIRCMATCH_BENCH_HTTP_CONNECTION_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace circmatch::bench {

struct HttpReply {
  int status = 0;     // 0: no response; `error` says why
  std::string body;   // decoded (chunks joined)
  std::string error;  // transport error, empty when a response was read
};

class HttpConnection {
 public:
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : port_(port), timeout_(timeout) {}
  ~HttpConnection() { Close(); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request (opening the connection first if none is open) and reads its response whole. The server may
  // close a kept-alive connection between two requests (its idle timeout): a request that finds it closed before
  // any byte of a response came back is sent once more on a new connection, so callers should send only requests
  // that may be repeated. A request that timed out is not sent again.
  HttpReply Call(const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string request = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (const auto& [name, value] : headers) absl::StrAppend(&request, name, ": ", value, "\r\n");
    if (!body.empty() || method == "POST") absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n");
    absl::StrAppend(&request, "\r\n", body);
    for (int attempt = 0;; ++attempt) {
      const bool reused = fd_ >= 0;
      HttpReply reply;
      if (!reused && !Open(&reply.error)) return reply;
      bool nothing_read = true;
      if (Send(request, &reply.error) && Read(&reply, &nothing_read)) return reply;
      Close();
      if (!reused || !nothing_read || reply.error == kTimedOut || attempt > 0) return reply;
    }
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    pending_.clear();
  }

  // Connections opened so far (the first included).
  int64_t opened() const { return opened_; }

 private:
  using SteadyClock = std::chrono::steady_clock;
  static constexpr const char* kTimedOut = "timed out";

  bool Open(std::string* error) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      *error = absl::StrCat("socket: ", std::strerror(errno));
      return false;
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      *error = absl::StrCat("connect to port ", port_, ": ", std::strerror(errno));
      Close();
      return false;
    }
    ++opened_;
    return true;
  }

  // Waits until the socket is ready for `events` or the call's deadline passes.
  bool Wait(short events, SteadyClock::time_point deadline, std::string* error) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      if (left.count() <= 0) {
        *error = kTimedOut;
        return false;
      }
      pollfd p{fd_, events, 0};
      const int ready = poll(&p, 1, static_cast<int>(left.count()));
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) {
        *error = absl::StrCat("poll: ", std::strerror(errno));
        return false;
      }
    }
  }

  bool Send(const std::string& request, std::string* error) {
    deadline_ = SteadyClock::now() + timeout_;
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!Wait(POLLOUT, deadline_, error)) return false;
      } else {
        *error = absl::StrCat("send: ", std::strerror(errno));
        return false;
      }
    }
    return true;
  }

  // Appends what the socket has to pending_; false on the end of the stream, an error or the deadline.
  bool Receive(std::string* error) {
    if (!Wait(POLLIN, deadline_, error)) return false;
    char buffer[65536];
    for (;;) {
      const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        pending_.append(buffer, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      *error = n == 0 ? "the server closed the connection" : absl::StrCat("recv: ", std::strerror(errno));
      return false;
    }
  }

  // Reads bytes until pending_ holds at least `size` of them.
  bool ReceiveAtLeast(size_t size, std::string* error) {
    while (pending_.size() < size) {
      if (!Receive(error)) return false;
    }
    return true;
  }

  // Reads up to and including the next CRLF; the line without it.
  bool ReceiveLine(std::string* line, std::string* error) {
    size_t end;
    while ((end = pending_.find("\r\n")) == std::string::npos) {
      if (!Receive(error)) return false;
    }
    *line = pending_.substr(0, end);
    pending_.erase(0, end + 2);
    return true;
  }

  bool Read(HttpReply* reply, bool* nothing_read) {
    size_t head_end;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Receive(&reply->error)) return false;
      *nothing_read = false;
    }
    *nothing_read = false;
    const std::string head = pending_.substr(0, head_end);
    pending_.erase(0, head_end + 4);
    if (head.rfind("HTTP/1.1 ", 0) != 0 || !absl::SimpleAtoi(head.substr(9, 3), &reply->status)) {
      reply->error = absl::StrCat("not an HTTP/1.1 response: ", head.substr(0, 80));
      reply->status = 0;
      return false;
    }
    bool chunked = false, closes = false;
    int64_t length = -1;
    for (size_t at = head.find("\r\n"); at != std::string::npos;) {
      const size_t next = head.find("\r\n", at + 2);
      const std::string line = head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
      at = next;
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
      const std::string value = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      if (name == "content-length" && !absl::SimpleAtoi(value, &length)) length = -1;
      if (name == "transfer-encoding") chunked = value.find("chunked") != std::string::npos;
      if (name == "connection") closes = value == "close";
    }
    if (chunked) {
      for (;;) {
        std::string size_line;
        if (!ReceiveLine(&size_line, &reply->error)) return false;
        const size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
        if (!ReceiveAtLeast(size + 2, &reply->error)) return false;
        reply->body.append(pending_, 0, size);
        pending_.erase(0, size + 2);
        if (size == 0) break;  // no trailers are sent by the server
      }
    } else if (length >= 0) {
      if (!ReceiveAtLeast(static_cast<size_t>(length), &reply->error)) return false;
      reply->body = pending_.substr(0, static_cast<size_t>(length));
      pending_.erase(0, static_cast<size_t>(length));
    } else {  // no length: the body ends with the connection
      std::string ignored;
      while (Receive(&ignored)) {
      }
      reply->body = std::move(pending_);
      closes = true;
    }
    if (closes) Close();
    return true;
  }

  const int port_;
  const std::chrono::milliseconds timeout_;
  int fd_ = -1;
  int64_t opened_ = 0;
  std::string pending_;  // bytes received and not yet consumed
  SteadyClock::time_point deadline_;
};

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_HTTP_CONNECTION_H_
