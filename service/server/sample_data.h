// Loading a JSON-lines file of profiles (one proto3 JSON circmatch.v1.Profile per line) through the same
// validation and commit path as UpsertProfiles. Used at start-up for --sample_data.
//
// Thread-safety: safe to call concurrently with other writes (the repository serializes them).
#ifndef CIRCMATCH_SERVICE_SERVER_SAMPLE_DATA_H_
#define CIRCMATCH_SERVICE_SERVER_SAMPLE_DATA_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

// Imports every profile of `path` (blank lines skipped) in batches; returns how many were written.
// NOT_FOUND when the file cannot be opened; INVALID_ARGUMENT `path:line: ...` for a line that does not parse
// or validate. Batches before a bad one stay committed.
absl::StatusOr<int64_t> ImportJsonLines(const std::string& path, ProfileRepository* repository);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_SERVER_SAMPLE_DATA_H_
