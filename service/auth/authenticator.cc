#include "service/auth/authenticator.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/common/logging.h"
#include "service/convert/profile_conversion.h"

namespace circmatch::service {
namespace {

bool Stamp(const std::string& path, ino_t* inode, off_t* size, int64_t* modified_ns) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *inode = st.st_ino;
  *size = st.st_size;
  *modified_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

}  // namespace

std::unique_ptr<Authenticator> Authenticator::WithoutKeys() {
  return std::unique_ptr<Authenticator>(new Authenticator(""));
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromKeyFile(const std::string& keys_file) {
  if (keys_file.empty()) return absl::InvalidArgumentError("--api_keys_file: must not be empty");
  absl::StatusOr<ApiKeyFile> keys = ApiKeyFile::Read(keys_file);
  if (!keys.ok()) return absl::Status(keys.status().code(), absl::StrCat("--api_keys_file: ", keys.status().message()));
  std::unique_ptr<Authenticator> authenticator(new Authenticator(keys_file));
  absl::MutexLock lock(&authenticator->mu_);
  FileStamp& stamp = authenticator->stamp_;
  Stamp(keys_file, &stamp.inode, &stamp.size, &stamp.modified_ns);
  authenticator->keys_ = std::make_shared<const ApiKeyFile>(*std::move(keys));
  return authenticator;
}

void Authenticator::ReloadIfChanged() {
  FileStamp now;
  if (!Stamp(keys_file_, &now.inode, &now.size, &now.modified_ns)) return;
  {
    absl::MutexLock lock(&mu_);
    if (now == stamp_) return;
  }
  absl::StatusOr<ApiKeyFile> keys = ApiKeyFile::Read(keys_file_);
  absl::MutexLock lock(&mu_);
  if (!keys.ok()) {
    CIRCMATCH_LOG(kError) << "keeping the previous API keys: " << keys.status();
    stamp_ = now;  // do not re-read a broken file on every call; the next change is picked up
    return;
  }
  stamp_ = now;
  keys_ = std::make_shared<const ApiKeyFile>(*std::move(keys));
  CIRCMATCH_LOG(kInfo) << "API keys reloaded: " << keys_->entries().size() << " keys";
}

absl::StatusOr<std::string> Authenticator::Authenticate(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return Authenticate(std::nullopt);
  return Authenticate(absl::string_view(it->second.data(), it->second.size()));
}

absl::StatusOr<std::string> Authenticator::Authenticate(std::optional<absl::string_view> authorization) {
  if (keys_file_.empty()) return std::string(kLocalOwner);
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError("missing API key: send metadata authorization: Bearer <key>");
  }
  absl::string_view value = *authorization;
  if (!absl::ConsumePrefix(&value, "Bearer ") && !absl::ConsumePrefix(&value, "bearer ")) {
    return absl::UnauthenticatedError("authorization: expected \"Bearer <key>\"");
  }
  ReloadIfChanged();
  std::shared_ptr<const ApiKeyFile> keys;
  {
    absl::MutexLock lock(&mu_);
    keys = keys_;
  }
  return keys->PartnerOf(value);
}

}  // namespace circmatch::service
