#include "service/http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"

namespace circmatch::service {
namespace {

const char* ContentType(const std::string& path) {
  if (absl::EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(path, ".svg")) return "image/svg+xml";
  if (absl::EndsWith(path, ".png")) return "image/png";
  if (absl::EndsWith(path, ".json")) return "application/json; charset=utf-8";
  return "application/octet-stream";
}

HttpResponse Status(int status, const char* body) {
  HttpResponse response;
  response.status = status;
  response.body = body;
  return response;
}

}  // namespace

std::optional<HttpResponse> AdmitStaticFile(const HttpRequest& head) {
  if (head.method != "GET" && head.method != "HEAD") return Status(405, "GET only\n");
  const auto length = head.headers.find("content-length");
  if (head.headers.count("transfer-encoding") || (length != head.headers.end() && length->second != "0")) {
    return Status(413, "the web page takes no request body\n");
  }
  return std::nullopt;
}

HttpResponse ServeStaticFile(const std::string& root, const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") return Status(405, "GET only\n");
  const std::string relative = request.path == "/" ? "index.html" : request.path.substr(1);
  if (relative.empty() || absl::StrContains(relative, "..") || absl::StrContains(relative, "//")) {
    return Status(404, "not found\n");
  }
  std::error_code error;
  const std::filesystem::path base = std::filesystem::weakly_canonical(root, error);
  const std::filesystem::path file = std::filesystem::weakly_canonical(base / relative, error);
  const std::string base_text = base.string() + "/";
  if (error || file.string().rfind(base_text, 0) != 0 || !std::filesystem::is_regular_file(file, error)) {
    return Status(404, "not found\n");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  HttpResponse response;
  response.content_type = ContentType(file.string());
  response.headers.push_back({"Cache-Control", "no-cache"});
  if (request.method == "GET") response.body = bytes.str();
  return response;
}

}  // namespace circmatch::service
