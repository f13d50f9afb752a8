// Partner API keys and the file that holds them. A key is shown once, when it is created; the file keeps only
// a random salt and the SHA-256 of salt + secret, so a copy of the file does not give anyone a key.
//
// Key (what a partner sends as `authorization: Bearer <key>`):  cmk_<key id>_<secret>
//   key id: 12 lowercase hex digits, names the key in the file and in logs; secret: 43 base64url characters.
// File, one key per line, '#' comments:
//   <key id> <partner> <salt hex> <sha256 hex> <created unix seconds> <revoked unix seconds, 0 = active>
//
// Thread-safety: ApiKeyFile is a plain value; the functions that change the file are not safe to run
// concurrently on one file (they are admin commands).
#ifndef CIRCMATCH_SERVICE_AUTH_API_KEYS_H_
#define CIRCMATCH_SERVICE_AUTH_API_KEYS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace circmatch::service {

struct ApiKeyEntry {
  std::string key_id;
  std::string partner;
  std::string salt;    // raw bytes
  std::string digest;  // raw SHA-256 of salt + secret
  int64_t created_unix = 0;
  int64_t revoked_unix = 0;  // 0 = active
};

// A partner id: 1 to 64 of [a-z0-9._-], starting with a letter or digit. "local" is the development namespace.
absl::Status ValidatePartnerId(absl::string_view partner);

class ApiKeyFile {
 public:
  // Reads a key file. NOT_FOUND when it does not exist; INVALID_ARGUMENT naming the line when it is malformed.
  static absl::StatusOr<ApiKeyFile> Read(const std::string& path);

  // The partner of an active key, or UNAUTHENTICATED (no reason given beyond "invalid or revoked", so a guesser
  // learns nothing). Compares digests in constant time.
  absl::StatusOr<std::string> PartnerOf(absl::string_view key) const;

  const std::vector<ApiKeyEntry>& entries() const { return entries_; }

 private:
  std::vector<ApiKeyEntry> entries_;
};

// Adds a new key for `partner` to the file (created if missing, mode 0600), replacing the file atomically and
// durably. Returns the key, which is stored nowhere else.
absl::StatusOr<std::string> CreateApiKey(const std::string& path, absl::string_view partner);

// Marks a key revoked. NOT_FOUND when the file has no such key id; revoking twice is not an error.
absl::Status RevokeApiKey(const std::string& path, absl::string_view key_id);

// `circmatch-server keys <create|revoke|list> ...`: the admin command. Returns the process exit code.
int RunKeysCommand(int argc, char** argv);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_AUTH_API_KEYS_H_
