// Profile files for import (clients/profile_file.h: what `circmatch import` reads, CSV or JSON lines) and the
// engine's CSV reader (engine/include/circmatch/csv.h, which reads the reference data). The input is
// read as a file of each kind. Besides crashes and sanitizer reports, checks:
//   - a file is read or refused with INVALID_ARGUMENT naming it;
//   - a CSV file is read only when its fields are UTF-8 (any other byte would be lost on the way to JSON);
//   - every profile read is proto3 JSON that parses as a circmatch.v1.Profile (import sends it parsed again,
//     without checking a second time);
//   - the profiles of a CSV file, written as CSV the way export writes them, read back the same.
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "circmatch/csv.h"
#include "circmatch/v1/profile.pb.h"
#include "fuzz/fuzz_util.h"
#include "profile_file.h"

namespace {

namespace pb = google::protobuf;
using circmatch::clients::ProfileLine;
using circmatch::clients::ReadProfileFile;

// The profiles of `lines`, each of which must parse.
std::vector<circmatch::v1::Profile> Parse(const std::vector<ProfileLine>& lines) {
  std::vector<circmatch::v1::Profile> profiles(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status = pb::util::JsonStringToMessage(lines[i].json, &profiles[i], options);
    CIRCMATCH_FUZZ_CHECK(
        status.ok(), absl::StrCat("line ", lines[i].number, ": ", lines[i].json, ": ", std::string(status.message())));
  }
  return profiles;
}

void CheckRefusal(const absl::Status& status, absl::string_view name) {
  CIRCMATCH_FUZZ_CHECK(absl::IsInvalidArgument(status) && absl::StartsWith(status.message(), name), status.ToString());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<std::vector<ProfileLine>> json_lines = ReadProfileFile(input, /*csv=*/false, "in.jsonl");
  if (json_lines.ok()) {
    (void)Parse(*json_lines);
  } else {
    CheckRefusal(json_lines.status(), "in.jsonl:");
  }

  absl::StatusOr<std::vector<ProfileLine>> csv_lines = ReadProfileFile(input, /*csv=*/true, "in.csv");
  if (csv_lines.ok()) {
    // Every field is UTF-8, by protobuf's own check (which its JSON printer applies). The fields are the input
    // less its separators (ASCII) and quotes, which may join bytes ("\xee\xa3\"\xa3" is the field "\xee\xa3\xa3"),
    // so the input without its quotes is UTF-8.
    std::string unquoted = input;
    unquoted.erase(std::remove(unquoted.begin(), unquoted.end(), '"'), unquoted.end());
    CIRCMATCH_FUZZ_CHECK(pb::internal::IsStructurallyValidUTF8(unquoted), "a CSV file that is not UTF-8 was read");
    const std::vector<circmatch::v1::Profile> profiles = Parse(*csv_lines);
    std::string exported = circmatch::clients::ProfileCsvHeader() + "\n";
    for (const circmatch::v1::Profile& profile : profiles) {
      exported += circmatch::clients::ProfileCsvRow(profile) + "\n";
    }
    absl::StatusOr<std::vector<ProfileLine>> again = ReadProfileFile(exported, /*csv=*/true, "out.csv");
    CIRCMATCH_FUZZ_CHECK(again.ok(), absl::StrCat(again.status().ToString(), "\n  of\n", exported));
    const std::vector<circmatch::v1::Profile> read_back = Parse(*again);
    CIRCMATCH_FUZZ_CHECK(read_back.size() == profiles.size(),
                         absl::StrCat(profiles.size(), " profiles, ", read_back.size(), " read back from\n", exported));
    for (size_t i = 0; i < profiles.size(); ++i) {
      CIRCMATCH_FUZZ_CHECK(
          pb::util::MessageDifferencer::Equals(profiles[i], read_back[i]),
          absl::StrCat(profiles[i].ShortDebugString(), "\n  read back as\n  ", read_back[i].ShortDebugString()));
    }
  } else {
    CheckRefusal(csv_lines.status(), "in.csv");
  }

  absl::StatusOr<std::vector<circmatch::CsvRow>> rows = circmatch::ParseCsv(input, "in.csv");
  if (rows.ok()) {
    int line = 0;
    for (const circmatch::CsvRow& row : *rows) {
      CIRCMATCH_FUZZ_CHECK(row.line > line && !row.fields.empty(), absl::StrCat("row at line ", row.line));
      line = row.line;
    }
  } else {
    CheckRefusal(rows.status(), "in.csv:");
  }
  return 0;
}
