#include "service/auth/audit_log.h"

#include <fcntl.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/common/logging.h"
#include "service/convert/status_mapping.h"

namespace circmatch::service {
namespace {

namespace pb = google::protobuf;

// What of a field the audit log keeps: none of an Explanation or a Contact, and of a Profile only its key and
// kind.
bool Kept(const pb::Descriptor& message, const pb::FieldDescriptor& field) {
  if (message.full_name() == "circmatch.v1.Profile") {
    return field.name() == "owner" || field.name() == "id" || field.name() == "kind";
  }
  if (field.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& type = field.message_type()->full_name();
  return type != "circmatch.v1.Explanation" && type != "circmatch.v1.Contact";
}

void AppendQuoted(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// The shortest decimal that reads back as `value` (at `digits` significant digits, then `max_digits`), as
// protobuf prints floating-point numbers; NaN and the infinities as the strings proto3 JSON gives them.
template <typename T>
void AppendFloating(T value, int digits, int max_digits, std::string* out) {
  if (std::isnan(value) || std::isinf(value)) {
    out->append(std::isnan(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  std::string text = absl::StrFormat("%.*g", digits, static_cast<double>(value));
  if (static_cast<T>(std::strtod(text.c_str(), nullptr)) != value) {
    text = absl::StrFormat("%.*g", max_digits, static_cast<double>(value));
  }
  out->append(text);
}

void AppendMessage(const pb::Message& message, std::string* out);

// Element `index` of a repeated field, or the field's value when `index` is -1.
void AppendValue(const pb::Message& message, const pb::FieldDescriptor& field, int index, std::string* out) {
  const pb::Reflection& r = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return absl::StrAppend(out, repeated ? r.GetRepeatedInt32(message, &field, index) : r.GetInt32(message, &field));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrAppend(out,
                             repeated ? r.GetRepeatedUInt32(message, &field, index) : r.GetUInt32(message, &field));
    case pb::FieldDescriptor::CPPTYPE_INT64:  // 64-bit integers are strings in proto3 JSON
      return absl::StrAppend(out, "\"",
                             repeated ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field), "\"");
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrAppend(
          out, "\"", repeated ? r.GetRepeatedUInt64(message, &field, index) : r.GetUInt64(message, &field), "\"");
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return AppendFloating(repeated ? r.GetRepeatedDouble(message, &field, index) : r.GetDouble(message, &field), 15,
                            17, out);
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return AppendFloating(repeated ? r.GetRepeatedFloat(message, &field, index) : r.GetFloat(message, &field), 6, 9,
                            out);
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      const bool value = repeated ? r.GetRepeatedBool(message, &field, index) : r.GetBool(message, &field);
      out->append(value ? "true" : "false");
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r.GetRepeatedEnumValue(message, &field, index) : r.GetEnumValue(message, &field);
      const pb::EnumValueDescriptor* value = field.enum_type()->FindValueByNumber(number);
      if (value == nullptr) return absl::StrAppend(out, number);  // a number this build does not know
      return AppendQuoted(value->name(), out);
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text = repeated ? r.GetRepeatedStringReference(message, &field, index, &scratch)
                                         : r.GetStringReference(message, &field, &scratch);
      if (field.type() == pb::FieldDescriptor::TYPE_BYTES) return AppendQuoted(absl::Base64Escape(text), out);
      return AppendQuoted(text, out);
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(repeated ? r.GetRepeatedMessage(message, &field, index) : r.GetMessage(message, &field),
                           out);
  }
}

void AppendMessage(const pb::Message& message, std::string* out) {
  const pb::Descriptor& descriptor = *message.GetDescriptor();
  if (descriptor.file()->package() == "google.protobuf") {
    // A well-known type has a JSON form of its own (a Timestamp is a string): protobuf's library knows them.
    std::string json;
    if (!pb::util::MessageToJsonString(message, &json).ok()) json = "null";
    out->append(json);
    return;
  }
  std::vector<const pb::FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  out->push_back('{');
  bool first = true;
  for (const pb::FieldDescriptor* field : fields) {
    if (!Kept(descriptor, *field)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendQuoted(field->json_name(), out);
    out->push_back(':');
    if (!field->is_repeated()) {
      AppendValue(message, *field, -1, out);
      continue;
    }
    const int size = message.GetReflection()->FieldSize(message, field);
    if (field->is_map()) {
      // Entries of a map are messages of a key and a value; JSON has them as an object's members.
      out->push_back('{');
      for (int i = 0; i < size; ++i) {
        const pb::Message& entry = message.GetReflection()->GetRepeatedMessage(message, field, i);
        const pb::FieldDescriptor& key = *entry.GetDescriptor()->map_key();
        std::string key_json;
        AppendValue(entry, key, -1, &key_json);
        if (i > 0) out->push_back(',');
        if (key_json.front() == '"') {
          out->append(key_json);
        } else {
          AppendQuoted(key_json, out);  // numbers and booleans are quoted as keys
        }
        out->push_back(':');
        AppendValue(entry, *entry.GetDescriptor()->map_value(), -1, out);
      }
      out->push_back('}');
      continue;
    }
    out->push_back('[');
    for (int i = 0; i < size; ++i) {
      if (i > 0) out->push_back(',');
      AppendValue(message, *field, i, out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

}  // namespace

std::string AuditJson(const pb::Message& message) {
  std::string json;
  AppendMessage(message, &json);
  return json;
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
  std::string line =
      absl::StrCat("{\"time\": \"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   "\", \"partner\": \"", partner, "\", \"method\": \"", method, "\", \"code\": \"",
                   StatusCodeName(static_cast<int>(status.code())), "\", \"request\": ", AuditJson(request));
  if (response != nullptr) absl::StrAppend(&line, ", \"response\": ", AuditJson(*response));
  line += "}\n";
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    CIRCMATCH_LOG(kError) << "audit log write failed: " << std::strerror(errno);
  }
}

}  // namespace circmatch::service
