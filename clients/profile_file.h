// Files of profiles, as `circmatch import` reads them and `circmatch export` writes them: JSON lines (one proto3
// JSON circmatch.v1.Profile per line) or CSV with a header naming its columns (kProfileCsvColumns, in any order
// and any subset; lists separated by ';'; quoted fields may hold commas, quotes ("") and line breaks).
//
// Thread-safety: pure functions.
//
//   absl::StatusOr<std::vector<ProfileLine>> lines = ReadProfileFile(contents, /*csv=*/true, "profiles.csv");
//   if (!lines.ok()) ...  // INVALID_ARGUMENT "profiles.csv:3: kind: must be tender, supplier, buyer or buddy, ..."
//   // (*lines)[0].json: the first profile as proto3 JSON; (*lines)[0].number: the line it starts on
#ifndef CIRCMATCH_CLIENTS_PROFILE_FILE_H_
#define CIRCMATCH_CLIENTS_PROFILE_FILE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/v1/profile.pb.h"

namespace circmatch::clients {

// The columns of a profile CSV, in the order export writes them. kind is tender, supplier, buyer or buddy;
// visibility shared or private (empty: private); cpv_codes, strategies, materials and certifications are lists.
inline constexpr const char* kProfileCsvColumns[] = {
    "id",         "kind",      "display_name",   "organization", "municipality", "cpv_codes",
    "strategies", "materials", "certifications", "text",         "visibility",   "owner"};

// True when `path` names a CSV file (ends in ".csv"); JSON lines otherwise.
bool IsCsvPath(absl::string_view path);

// A kind as a user writes it: "tender", "PROFILE_KIND_TENDER" (any case) or its number. False when unknown.
bool ParseProfileKind(absl::string_view text, v1::ProfileKind* kind);

// One profile of a file: the line it starts on (1-based) and the profile as proto3 JSON, ready to be parsed into
// a request.
struct ProfileLine {
  size_t number = 0;
  std::string json;
};

// Every profile of a file's `contents`, CSV when `csv` and JSON lines otherwise; blank lines are skipped. Each
// returned `json` parses as a circmatch.v1.Profile. Both kinds must be UTF-8. INVALID_ARGUMENT naming `name` and
// the line of the first bad profile: "<name>:<line>: <why>" ("in.csv:3: text: not UTF-8; save the file as
// UTF-8"), or "<name>: empty, expected a header" for a CSV file without one.
absl::StatusOr<std::vector<ProfileLine>> ReadProfileFile(absl::string_view contents, bool csv, absl::string_view name);

// A message as compact (or, with `pretty`, indented) proto3 JSON with lowerCamelCase names, without a trailing line
// break: what export writes and the command-line client prints.
std::string ToJson(const google::protobuf::Message& message, bool pretty = false);

// Parses proto3 JSON into `message`, refusing unknown fields; on failure returns false and sets `error` to the
// parser's message.
bool FromJson(const std::string& json, google::protobuf::Message* message, std::string* error);

// The header line of a CSV export (kProfileCsvColumns), without a line break.
std::string ProfileCsvHeader();

// A profile as a CSV row of kProfileCsvColumns, without a line break; ReadProfileFile reads it back.
std::string ProfileCsvRow(const v1::Profile& profile);

}  // namespace circmatch::clients

#endif  // CIRCMATCH_CLIENTS_PROFILE_FILE_H_
