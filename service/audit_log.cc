#include "service/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/logging.h"
#include "service/metrics.h"

namespace circmatch::service {
namespace {

namespace pb = google::protobuf;

void KeepOnly(pb::Message* message, const std::vector<std::string>& keep) {
  const pb::Reflection* reflection = message->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (std::find(keep.begin(), keep.end(), field->name()) == keep.end()) reflection->ClearField(message, field);
  }
}

std::string JsonOf(const pb::Message& message) {
  std::string json;
  pb::util::JsonPrintOptions options;
  if (!pb::util::MessageToJsonString(message, &json, options).ok()) return "null";
  return json;
}

}  // namespace

void StripPersonalData(pb::Message* message) {
  const std::string& type = message->GetDescriptor()->full_name();
  if (type == "circmatch.v1.Explanation" || type == "circmatch.v1.Contact") {
    message->Clear();
    return;
  }
  if (type == "circmatch.v1.Profile") {
    KeepOnly(message, {"owner", "id", "kind"});
    return;
  }
  const pb::Reflection* reflection = message->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        StripPersonalData(reflection->MutableRepeatedMessage(message, field, i));
      }
    } else {
      StripPersonalData(reflection->MutableMessage(message, field));
    }
  }
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("--audit_log: ", path, ": ", std::strerror(errno)));
  return std::unique_ptr<AuditLog>(new AuditLog(fd));
}

std::unique_ptr<AuditLog> AuditLog::Disabled() { return std::unique_ptr<AuditLog>(new AuditLog(-1)); }

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

void AuditLog::Record(absl::string_view partner, absl::string_view method, const pb::Message& request,
                      const pb::Message* response, const absl::Status& status) const {
  if (fd_ < 0) return;
  std::unique_ptr<pb::Message> request_copy(request.New());
  request_copy->CopyFrom(request);
  StripPersonalData(request_copy.get());
  std::string line = absl::StrCat(
      "{\"time\": \"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      "\", \"partner\": \"", partner, "\", \"method\": \"", method, "\", \"code\": \"",
      StatusCodeName(static_cast<int>(status.code())), "\", \"request\": ", JsonOf(*request_copy));
  if (response != nullptr) {
    std::unique_ptr<pb::Message> response_copy(response->New());
    response_copy->CopyFrom(*response);
    StripPersonalData(response_copy.get());
    absl::StrAppend(&line, ", \"response\": ", JsonOf(*response_copy));
  }
  line += "}\n";
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    CIRCMATCH_LOG(kError) << "audit log write failed: " << std::strerror(errno);
  }
}

}  // namespace circmatch::service
