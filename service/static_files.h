// Static files over HTTP: the coordinators' web page (clients/web) next to the HTTP/JSON API. "/" is
// index.html; only files directly in or below the root are served (no "..", no symlinks out).
//
// Thread-safety: a pure function; files are read on every request (the page is small).
#ifndef CIRCMATCH_SERVICE_STATIC_FILES_H_
#define CIRCMATCH_SERVICE_STATIC_FILES_H_

#include <string>

#include "service/http_server.h"

namespace circmatch::service {

// GET (or HEAD) of a file under `root`; 404 when absent, 405 for other methods.
HttpResponse ServeStaticFile(const std::string& root, const HttpRequest& request);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STATIC_FILES_H_
