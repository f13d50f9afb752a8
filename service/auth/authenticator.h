// Who is calling: the partner whose API key came as `authorization: Bearer <key>` metadata, or the `local`
// namespace in the development mode without keys (which must be switched on explicitly).
//
// The key file is re-read when it changes (checked on every call by its inode, size and modification time, a
// stat() away), so a key created or revoked with `circmatch-server keys` takes effect at once, without a
// restart. A key file that cannot be read keeps the last good keys and logs an error.
//
// Thread-safety: Authenticate may be called concurrently.
#ifndef CIRCMATCH_SERVICE_AUTH_AUTHENTICATOR_H_
#define CIRCMATCH_SERVICE_AUTH_AUTHENTICATOR_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "service/auth/api_keys.h"

namespace circmatch::service {

class Authenticator {
 public:
  // Every caller is the `local` partner. Only for development; the server says so loudly at start.
  static std::unique_ptr<Authenticator> WithoutKeys();
  // Callers must present a key from `keys_file`. Fails when the file cannot be read.
  static absl::StatusOr<std::unique_ptr<Authenticator>> FromKeyFile(const std::string& keys_file);

  // The calling partner; UNAUTHENTICATED "missing API key: send metadata authorization: Bearer <key>" or
  // "invalid or revoked API key".
  absl::StatusOr<std::string> Authenticate(const grpc::ServerContextBase& context) ABSL_LOCKS_EXCLUDED(mu_);
  // The same from the value of an `authorization` header (nullopt when there is none), for the HTTP front, which
  // checks it before it reads a request's body.
  absl::StatusOr<std::string> Authenticate(std::optional<absl::string_view> authorization) ABSL_LOCKS_EXCLUDED(mu_);

  bool requires_keys() const { return !keys_file_.empty(); }

 private:
  struct FileStamp {
    ino_t inode = 0;
    off_t size = -1;
    int64_t modified_ns = -1;
    bool operator==(const FileStamp& o) const {
      return inode == o.inode && size == o.size && modified_ns == o.modified_ns;
    }
  };

  explicit Authenticator(std::string keys_file) : keys_file_(std::move(keys_file)) {}
  void ReloadIfChanged() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string keys_file_;  // empty: no keys
  absl::Mutex mu_;
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const ApiKeyFile> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_AUTH_AUTHENTICATOR_H_
