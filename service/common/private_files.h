// The data directory and the files in it (the SQLite store with its -wal, -shm and -journal files, the audit log,
// backups) hold contact details: they are made owner-only, the directory 0700 and the files 0600, whatever the
// process umask. One that already exists and allows more (a directory made 0755 by hand, a store written 0644 by
// an earlier version) is tightened to that, with a warning; a mode the server may not change (it is not the
// owner) is only warned about.
//
// Thread-safety: plain functions over the file system.
#ifndef CIRCMATCH_SERVICE_COMMON_PRIVATE_FILES_H_
#define CIRCMATCH_SERVICE_COMMON_PRIVATE_FILES_H_

#include <string>

#include "absl/status/status.h"

namespace circmatch::service {

// Creates the directory `dir` with mode 0700 (its missing parents as usual), or tightens an existing one.
// FAILED_PRECONDITION naming `dir` when it cannot be created or is not a directory.
absl::Status MakePrivateDir(const std::string& dir);

// Tightens the file at `path` to 0600 when it allows more. A missing one is created empty with mode 0600 when
// `create`, and left missing otherwise. FAILED_PRECONDITION naming `path` when it cannot be created or read.
absl::Status MakePrivateFile(const std::string& path, bool create);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_COMMON_PRIVATE_FILES_H_
