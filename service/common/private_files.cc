#include "service/common/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/common/logging.h"

namespace circmatch::service {
namespace {

absl::Status ErrnoError(const char* what, const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat(what, " \"", path, "\": ", std::strerror(errno)));
}

// Removes every permission beyond `wanted` from the existing `path`, with a warning when there were any.
absl::Status Tighten(const std::string& path, mode_t wanted, bool directory) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("cannot read", path);
  if (directory && !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("\"", path, "\" is not a directory"));
  }
  const mode_t mode = st.st_mode & 07777;
  if ((mode & ~wanted) == 0) return absl::OkStatus();
  const mode_t tightened = mode & wanted;
  if (::chmod(path.c_str(), tightened) != 0) {
    CIRCMATCH_LOG(kWarning) << "\"" << path << "\" allows access to others (mode " << absl::StrFormat("%04o", mode)
                            << ") and cannot be changed (" << std::strerror(errno)
                            << "): the server keeps its data owner-only; make it " << absl::StrFormat("%04o", wanted);
    return absl::OkStatus();
  }
  CIRCMATCH_LOG(kWarning) << "\"" << path << "\" allowed access to others (mode " << absl::StrFormat("%04o", mode)
                          << "); made it " << absl::StrFormat("%04o", tightened)
                          << ": the server keeps its data owner-only";
  return absl::OkStatus();
}

}  // namespace

absl::Status MakePrivateDir(const std::string& dir) {
  std::filesystem::path path = std::filesystem::path(dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "data/" is "data"
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create \"", dir, "\": ", error.message()));
  }
  // Created 0700 at once, so nobody else can enter it before it is tightened; chmod for a umask that took more.
  if (::mkdir(path.c_str(), 0700) == 0) {
    if (::chmod(path.c_str(), 0700) != 0) return ErrnoError("cannot set the mode of", dir);
    return absl::OkStatus();
  }
  if (errno != EEXIST) return ErrnoError("cannot create", dir);
  return Tighten(path.string(), 0700, /*directory=*/true);
}

absl::Status MakePrivateFile(const std::string& path, bool create) {
  if (create) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      const bool set = ::fchmod(fd, 0600) == 0;
      ::close(fd);
      if (!set) return ErrnoError("cannot set the mode of", path);
      return absl::OkStatus();
    }
    if (errno != EEXIST) return ErrnoError("cannot create", path);
  } else if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    return absl::OkStatus();  // missing, as allowed
  }
  return Tighten(path, 0600, /*directory=*/false);
}

}  // namespace circmatch::service
