// The audit log: one JSON line per matching call saying who asked what and when, and what they got, so a public
// body can justify a selection later. Personal data is kept out: profiles appear only as (owner, id, kind),
// explanations and contact details are dropped, an inline query is recorded by its kind only.
//
//   {"time": "2026-11-22T10:00:00.123Z", "partner": "regio-zwolle", "method": "SuggestSuppliers",
//    "code": "OK", "request": {...}, "response": {"matches": [{"profile": {"owner": "local", "id": "s-1"},
//    "score": 0.83, "rank": 1}], "indexVersion": "42", "weights": {...}}}
//
// The request with the response's index version and weights is what reproduces the result.
//
// Thread-safety: Record may be called concurrently; lines are written whole with one write(2) on an O_APPEND
// file.
#ifndef CIRCMATCH_SERVICE_AUTH_AUDIT_LOG_H_
#define CIRCMATCH_SERVICE_AUTH_AUDIT_LOG_H_

#include <google/protobuf/message.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace circmatch::service {

class AuditLog {
 public:
  // Appends to `path` (created with mode 0600 if missing).
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path);
  // Records nothing.
  static std::unique_ptr<AuditLog> Disabled();
  ~AuditLog();

  // Records one call; `response` is null when the call failed.
  void Record(absl::string_view partner, absl::string_view method, const google::protobuf::Message& request,
              const google::protobuf::Message* response, const absl::Status& status) const;

 private:
  explicit AuditLog(int fd) : fd_(fd) {}
  const int fd_;  // -1: disabled
};

// The proto3 JSON of `message`, as protobuf's MessageToJsonString prints it, with personal data left out: of
// every circmatch.v1.Profile only owner, id and kind, and no Explanation or Contact at all. Written straight from
// the message: copying a response of full profiles to strip it, then converting it with protobuf's JSON library,
// cost the server a sixth of its time per SuggestSuppliers call.
std::string AuditJson(const google::protobuf::Message& message);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_AUTH_AUDIT_LOG_H_
