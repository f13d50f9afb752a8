#include "service/server/sample_data.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace circmatch::service {
namespace {

constexpr int kBatchSize = 5000;

}  // namespace

absl::StatusOr<int64_t> ImportJsonLines(const std::string& path, ProfileRepository* repository) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("sample data \"", path, "\": cannot open"));
  int64_t written = 0;
  int line_number = 0;
  google::protobuf::RepeatedPtrField<v1::Profile> batch;
  std::vector<int> lines;  // the line of each profile in `batch`

  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    absl::StatusOr<PreparedBatch> prepared = repository->Prepare(
        batch, std::string(kLocalOwner), [&](int i) { return absl::StrCat(path, ":", lines[i], ": "); });
    if (!prepared.ok()) return prepared.status();
    absl::StatusOr<uint64_t> version = repository->Write(*std::move(prepared));
    if (!version.ok()) return version.status();
    written += batch.size();
    batch.Clear();
    lines.clear();
    return absl::OkStatus();
  };

  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    v1::Profile* profile = batch.Add();
    const auto status = google::protobuf::util::JsonStringToMessage(line, profile);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": not a Profile in proto3 JSON: ", std::string(status.message())));
    }
    lines.push_back(line_number);
    if (batch.size() == kBatchSize) {
      if (absl::Status s = flush(); !s.ok()) return s;
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ":", line_number, ": read error"));
  if (absl::Status s = flush(); !s.ok()) return s;
  return written;
}

}  // namespace circmatch::service
