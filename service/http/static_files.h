// Static files over HTTP: the coordinators' web page (clients/web) next to the HTTP/JSON API. "/" is
// index.html; only files directly in or below the root are served (no "..", no symlinks out).
//
// Thread-safety: a pure function; files are read on every request (the page is small).
#ifndef CIRCMATCH_SERVICE_HTTP_STATIC_FILES_H_
#define CIRCMATCH_SERVICE_HTTP_STATIC_FILES_H_

#include <optional>
#include <string>

#include "service/http/http_server.h"

namespace circmatch::service {

// GET (or HEAD) of a file under `root`; 404 when absent, 405 for other methods.
HttpResponse ServeStaticFile(const std::string& root, const HttpRequest& request);

// The answer to a request for a static file from its head alone (HttpService::admit): 405 for methods other
// than GET and HEAD, 413 when it announces a body (the page takes none, so none is read); nullopt otherwise.
std::optional<HttpResponse> AdmitStaticFile(const HttpRequest& head);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_HTTP_STATIC_FILES_H_
