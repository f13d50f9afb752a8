// API keys (service/auth/api_keys.h): the key file a server reads at start and whenever it changes, and the key a
// caller sends as `authorization: Bearer <key>`. The input is written to an in-memory file and read as a key
// file: it must read, or fail with INVALID_ARGUMENT naming a line, and what it reads must hold the format's
// rules. The input is also tried as a key, against a file with one known key (only that key may pass) and
// against the keys the input's own file names.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_util.h"
#include "service/auth/api_keys.h"

namespace {

using circmatch::service::ApiKeyEntry;
using circmatch::service::ApiKeyFile;

struct Fixture {
  int input_fd = -1;
  std::string input_path;  // /proc/self/fd/N of an in-memory file
  ApiKeyFile known;        // one active key, `known_key`, of partner "fuzz-partner"
  std::string known_key;
};

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    auto* f = new Fixture;
    f->input_fd = memfd_create("api_keys_fuzzer", 0);
    if (f->input_fd < 0) std::abort();
    f->input_path = absl::StrCat("/proc/self/fd/", f->input_fd);
    char dir[] = "/tmp/api_keys_fuzzer.XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    const std::string path = absl::StrCat(dir, "/keys");
    absl::StatusOr<std::string> key = circmatch::service::CreateApiKey(path, "fuzz-partner");
    absl::StatusOr<ApiKeyFile> file = ApiKeyFile::Read(path);
    if (!key.ok() || !file.ok()) std::abort();
    f->known_key = *key;
    f->known = *std::move(file);
    unlink(path.c_str());
    rmdir(dir);
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  const std::string input(reinterpret_cast<const char*>(data), size);

  // The input as a key.
  absl::StatusOr<std::string> partner = f.known.PartnerOf(input);
  if (input == f.known_key) {
    CIRCMATCH_FUZZ_CHECK(partner.ok() && *partner == "fuzz-partner", partner.status().ToString());
  } else {
    CIRCMATCH_FUZZ_CHECK(absl::IsUnauthenticated(partner.status()), absl::StrCat("a wrong key passed: ", input));
  }
  (void)circmatch::service::ValidatePartnerId(input);

  // The input as a key file.
  if (ftruncate(f.input_fd, 0) != 0 || pwrite(f.input_fd, data, size, 0) != static_cast<ssize_t>(size)) {
    std::abort();
  }
  absl::StatusOr<ApiKeyFile> file = ApiKeyFile::Read(f.input_path);
  if (!file.ok()) {
    CIRCMATCH_FUZZ_CHECK(absl::IsInvalidArgument(file.status()), file.status().ToString());
    return 0;
  }
  absl::flat_hash_set<std::string> ids;
  for (const ApiKeyEntry& e : file->entries()) {
    CIRCMATCH_FUZZ_CHECK(e.key_id.size() == 12 && e.salt.size() == 16 && e.digest.size() == 32,
                         absl::StrCat("entry ", e.key_id));
    CIRCMATCH_FUZZ_CHECK(circmatch::service::ValidatePartnerId(e.partner).ok(), e.partner);
    CIRCMATCH_FUZZ_CHECK(ids.insert(e.key_id).second, absl::StrCat("key id twice: ", e.key_id));
    // A well-formed key for this entry with a secret made of the input: passes only if it hashes to the digest.
    std::string secret = input.substr(0, 32);
    secret.resize(32, '\0');
    const std::string key = absl::StrCat("cmk_", e.key_id, "_", absl::WebSafeBase64Escape(secret));
    absl::StatusOr<std::string> owner = file->PartnerOf(key);
    CIRCMATCH_FUZZ_CHECK(owner.ok() || absl::IsUnauthenticated(owner.status()), owner.status().ToString());
  }
  return 0;
}
