// Status codes by name and statuses with context, for every layer (gRPC's own mapping is api/grpc_status.h).
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_SERVICE_CONVERT_STATUS_MAPPING_H_
#define CIRCMATCH_SERVICE_CONVERT_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace circmatch::service {

// The name of a gRPC status code ("OK", "INVALID_ARGUMENT", ...), as the metrics' label, the audit log and the
// HTTP gateway's error bodies give it; "UNKNOWN" for a number outside 0..16.
const char* StatusCodeName(int code);

// `status` with `prefix` in front of its message (e.g. "profiles[3]." or "batch 2: "); OK stays OK.
absl::Status PrefixStatus(absl::string_view prefix, const absl::Status& status);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_CONVERT_STATUS_MAPPING_H_
