// A minimal blocking HTTP/1.1 client for tests of the server's HTTP endpoints (one request per connection).
#ifndef CIRCMATCH_TESTS_SERVICE_HTTP_CLIENT_H_
#define CIRCMATCH_TESTS_SERVICE_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <string>

namespace circmatch {
namespace testing {

struct HttpResult {
  int status = 0;                              // 0: no response
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

inline HttpResult HttpCall(int port, const std::string& method, const std::string& target, const std::string& body = "",
                           const std::map<std::string, std::string>& headers = {}) {
  HttpResult result;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return result;
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  const size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return result;
  result.status = std::stoi(response.substr(9, 3));
  size_t line_start = response.find("\r\n") + 2;
  while (line_start < head_end) {
    const size_t line_end = response.find("\r\n", line_start);
    const std::string line = response.substr(line_start, line_end - line_start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    line_start = line_end + 2;
  }
  result.body = response.substr(head_end + 4);
  return result;
}

// The port in a server log line such as "HTTP/JSON API on http://127.0.0.1:PORT"; 0 when absent.
inline int PortFromLog(const std::string& log, const std::string& before) {
  std::smatch found;
  if (!std::regex_search(log, found, std::regex(before + "http://127\\.0\\.0\\.1:([0-9]+)"))) return 0;
  return std::stoi(found[1]);
}

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_SERVICE_HTTP_CLIENT_H_
