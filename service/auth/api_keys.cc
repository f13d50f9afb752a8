#include "service/auth/api_keys.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace circmatch::service {
namespace {

constexpr absl::string_view kKeyPrefix = "cmk_";
constexpr int kKeyIdBytes = 6;
constexpr int kSecretBytes = 32;
constexpr int kSaltBytes = 16;

absl::StatusOr<std::string> RandomBytes(int n) {
  std::string bytes(static_cast<size_t>(n), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), n) != 1) {
    return absl::InternalError("the system's random number generator failed");
  }
  return bytes;
}

std::string Digest(absl::string_view salt, absl::string_view secret) {
  const std::string input = absl::StrCat(salt, secret);
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::string FormatEntry(const ApiKeyEntry& e) {
  return absl::StrCat(e.key_id, " ", e.partner, " ", absl::BytesToHexString(e.salt), " ",
                      absl::BytesToHexString(e.digest), " ", e.created_unix, " ", e.revoked_unix, "\n");
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// Writes the whole file next to `path`, syncs it, and renames it over `path`, so a crash leaves the old file or
// the new one, never half of either.
absl::Status ReplaceFile(const std::string& path, const std::vector<ApiKeyEntry>& entries) {
  std::string text =
      "# circmatch API keys: <key id> <partner> <salt> <sha256(salt + secret)> <created> <revoked, 0 = active>\n";
  for (const ApiKeyEntry& e : entries) text += FormatEntry(e);
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat(temporary, ": ", std::strerror(errno)));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return absl::InternalError(absl::StrCat(temporary, ": ", std::strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return absl::InternalError(absl::StrCat(temporary, ": ", std::strerror(errno)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ApiKeyEntry>> ReadOrEmpty(const std::string& path) {
  absl::StatusOr<ApiKeyFile> file = ApiKeyFile::Read(path);
  if (absl::IsNotFound(file.status())) return std::vector<ApiKeyEntry>();
  if (!file.ok()) return file.status();
  return file->entries();
}

}  // namespace

absl::Status ValidatePartnerId(absl::string_view partner) {
  if (partner.empty() || partner.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat("partner: must be 1 to 64 characters, got \"", partner, "\""));
  }
  for (size_t i = 0; i < partner.size(); ++i) {
    const char c = partner[i];
    const bool ok = absl::ascii_isdigit(c) || (c >= 'a' && c <= 'z') || (i > 0 && (c == '.' || c == '_' || c == '-'));
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("partner: only a-z, 0-9 and . _ - (not first) are allowed, got \"", partner, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ApiKeyFile> ApiKeyFile::Read(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot be read"));
  }
  ApiKeyFile file;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(text, ' ', absl::SkipEmpty());
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", why));
    };
    if (fields.size() != 6) return bad("expected 6 fields: key id, partner, salt, digest, created, revoked");
    ApiKeyEntry e;
    e.key_id = std::string(fields[0]);
    e.partner = std::string(fields[1]);
    if (e.key_id.size() != 2 * kKeyIdBytes || !IsLowerHex(e.key_id)) return bad("bad key id");
    if (!ValidatePartnerId(e.partner).ok()) return bad("bad partner id");
    if (fields[2].size() != 2 * kSaltBytes || !IsLowerHex(fields[2])) return bad("bad salt");
    if (fields[3].size() != 2 * SHA256_DIGEST_LENGTH || !IsLowerHex(fields[3])) return bad("bad digest");
    e.salt = absl::HexStringToBytes(fields[2]);
    e.digest = absl::HexStringToBytes(fields[3]);
    if (!absl::SimpleAtoi(fields[4], &e.created_unix) || !absl::SimpleAtoi(fields[5], &e.revoked_unix)) {
      return bad("bad time");
    }
    for (const ApiKeyEntry& other : file.entries_) {
      if (other.key_id == e.key_id) return bad(absl::StrCat("key id ", e.key_id, " appears twice"));
    }
    file.entries_.push_back(std::move(e));
  }
  return file;
}

absl::StatusOr<std::string> ApiKeyFile::PartnerOf(absl::string_view key) const {
  const absl::Status invalid = absl::UnauthenticatedError("invalid or revoked API key");
  if (!absl::ConsumePrefix(&key, kKeyPrefix)) return invalid;
  const size_t separator = key.find('_');
  if (separator != 2 * kKeyIdBytes) return invalid;
  const absl::string_view key_id = key.substr(0, separator);
  const absl::string_view encoded = key.substr(separator + 1);
  std::string secret;
  if (!absl::WebSafeBase64Unescape(encoded, &secret) || secret.size() != kSecretBytes) return invalid;
  // Only the form issued: the last of 43 characters carries 2 unused bits, so 4 spellings decode alike.
  if (absl::WebSafeBase64Escape(secret) != encoded) return invalid;
  for (const ApiKeyEntry& e : entries_) {
    if (e.key_id != key_id) continue;
    const std::string digest = Digest(e.salt, secret);
    if (e.revoked_unix != 0 || CRYPTO_memcmp(digest.data(), e.digest.data(), digest.size()) != 0) return invalid;
    return e.partner;
  }
  return invalid;
}

absl::StatusOr<std::string> CreateApiKey(const std::string& path, absl::string_view partner) {
  if (absl::Status s = ValidatePartnerId(partner); !s.ok()) return s;
  absl::StatusOr<std::vector<ApiKeyEntry>> entries = ReadOrEmpty(path);
  if (!entries.ok()) return entries.status();
  absl::StatusOr<std::string> id = RandomBytes(kKeyIdBytes);
  absl::StatusOr<std::string> secret = RandomBytes(kSecretBytes);
  absl::StatusOr<std::string> salt = RandomBytes(kSaltBytes);
  if (!id.ok()) return id.status();
  if (!secret.ok()) return secret.status();
  if (!salt.ok()) return salt.status();
  ApiKeyEntry e;
  e.key_id = absl::BytesToHexString(*id);
  e.partner = std::string(partner);
  e.salt = *salt;
  e.digest = Digest(*salt, *secret);
  e.created_unix = absl::ToUnixSeconds(absl::Now());
  entries->push_back(e);
  if (absl::Status s = ReplaceFile(path, *entries); !s.ok()) return s;
  return absl::StrCat(kKeyPrefix, e.key_id, "_", absl::WebSafeBase64Escape(*secret));
}

absl::Status RevokeApiKey(const std::string& path, absl::string_view key_id) {
  absl::StatusOr<ApiKeyFile> file = ApiKeyFile::Read(path);
  if (!file.ok()) return file.status();
  std::vector<ApiKeyEntry> entries = file->entries();
  for (ApiKeyEntry& e : entries) {
    if (e.key_id != key_id) continue;
    if (e.revoked_unix == 0) e.revoked_unix = absl::ToUnixSeconds(absl::Now());
    return ReplaceFile(path, entries);
  }
  return absl::NotFoundError(absl::StrCat("key id \"", key_id, "\" is not in ", path));
}

int RunKeysCommand(int argc, char** argv) {
  // argv: circmatch-server keys <verb> <file> [partner | key id]
  const std::string usage =
      "usage: circmatch-server keys create <keys file> <partner>   prints a new key for the partner\n"
      "       circmatch-server keys revoke <keys file> <key id>    revokes a key (effective at once)\n"
      "       circmatch-server keys list <keys file>               lists key ids, partners and states\n";
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3) {
    std::cerr << usage;
    return 2;
  }
  const std::string& verb = args[1];
  const std::string& path = args[2];
  if (verb == "create" && args.size() == 4) {
    absl::StatusOr<std::string> key = CreateApiKey(path, args[3]);
    if (!key.ok()) {
      std::cerr << "circmatch-server keys create: " << key.status().message() << "\n";
      return 1;
    }
    std::cerr << "New key for partner \"" << args[3] << "\" (shown only now; the file keeps only its hash):\n";
    std::cout << *key << std::endl;
    return 0;
  }
  if (verb == "revoke" && args.size() == 4) {
    if (absl::Status s = RevokeApiKey(path, args[3]); !s.ok()) {
      std::cerr << "circmatch-server keys revoke: " << s.message() << "\n";
      return 1;
    }
    std::cout << "revoked " << args[3] << std::endl;
    return 0;
  }
  if (verb == "list" && args.size() == 3) {
    absl::StatusOr<ApiKeyFile> file = ApiKeyFile::Read(path);
    if (!file.ok()) {
      std::cerr << "circmatch-server keys list: " << file.status().message() << "\n";
      return 1;
    }
    for (const ApiKeyEntry& e : file->entries()) {
      std::cout << absl::StrFormat(
          "%s  %-24s  created %s  %s\n", e.key_id, e.partner,
          absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(e.created_unix), absl::UTCTimeZone()),
          e.revoked_unix == 0 ? "active" : "revoked");
    }
    return 0;
  }
  std::cerr << usage;
  return 2;
}

}  // namespace circmatch::service
