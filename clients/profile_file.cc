#include "profile_file.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace circmatch::clients {
namespace {

namespace pb = google::protobuf;

// Rows of CSV text, each with the line it starts on.
std::vector<std::pair<size_t, std::vector<std::string>>> ParseCsv(absl::string_view text) {
  std::vector<std::pair<size_t, std::vector<std::string>>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  size_t line = 1, row_line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      if (any || !row[0].empty()) rows.emplace_back(row_line, std::move(row));
      row.clear();
      any = false;
      row_line = ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.emplace_back(row_line, std::move(row));
  }
  return rows;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> values;
  std::stringstream in(text);
  for (std::string value; std::getline(in, value, ';');) {
    const size_t first = value.find_first_not_of(" \t"), last = value.find_last_not_of(" \t");
    if (first != std::string::npos) values.push_back(value.substr(first, last - first + 1));
  }
  return values;
}

// One CSV row as a Profile; an error names the column.
bool ProfileFromCsvRow(const std::vector<std::string>& header, const std::vector<std::string>& row,
                       v1::Profile* profile, std::string* error) {
  std::map<std::string, std::string> value;
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) value[header[i]] = row[i];
  v1::ProfileKind kind;
  if (!ParseProfileKind(value["kind"], &kind) || kind == v1::PROFILE_KIND_UNSPECIFIED) {
    *error = "kind: must be tender, supplier, buyer or buddy, got \"" + value["kind"] + "\"";
    return false;
  }
  profile->set_id(value["id"]);
  profile->set_owner(value["owner"]);
  profile->set_kind(kind);
  profile->set_display_name(value["display_name"]);
  profile->set_organization(value["organization"]);
  if (!value["municipality"].empty()) profile->mutable_location()->set_municipality(value["municipality"]);
  const std::string& visibility = value["visibility"];
  if (visibility == "private" || visibility.empty()) {
    profile->set_visibility(v1::VISIBILITY_PRIVATE);
  } else if (visibility == "shared") {
    profile->set_visibility(v1::VISIBILITY_SHARED);
  } else {
    *error = "visibility: must be shared or private, got \"" + visibility + "\"";
    return false;
  }
  v1::Facets* facets = kind == v1::PROFILE_KIND_SUPPLIER ? profile->mutable_capabilities()
                       : kind == v1::PROFILE_KIND_BUDDY  ? profile->mutable_offers()
                                                         : profile->mutable_needs();
  for (const std::string& v : SplitList(value["cpv_codes"])) facets->add_cpv_codes(v);
  for (const std::string& v : SplitList(value["strategies"])) facets->add_strategies(v);
  for (const std::string& v : SplitList(value["materials"])) facets->add_materials(v);
  for (const std::string& v : SplitList(value["certifications"])) facets->add_certifications(v);
  facets->set_text(value["text"]);
  return true;
}

// True when `text` is UTF-8: shortest forms only, no surrogates, nothing above U+10FFFF (what protobuf takes as
// a string).
bool IsUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2, code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3, code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4, code = c & 0x07;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (length == 4 && (code < 0x10000 || code > 0x10FFFF))) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

absl::StatusOr<std::vector<ProfileLine>> ReadCsv(absl::string_view contents, absl::string_view name) {
  std::vector<ProfileLine> lines;
  auto rows = ParseCsv(contents);
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": empty, expected a header"));
  // Proto strings are UTF-8, and the JSON printer drops the bytes of any other encoding: a "Café" saved as
  // Windows-1252 would be imported as "Caf" without a word. So a file in another encoding is refused.
  const auto not_utf8 = [&](size_t line, const std::vector<std::string>& fields,
                            const std::vector<std::string>& header) -> std::optional<absl::Status> {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (IsUtf8(fields[i])) continue;
      const std::string column = i < header.size() ? header[i] : absl::StrCat("field ", i + 1);
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", line, ": ", column, ": not UTF-8; save the file as UTF-8"));
    }
    return std::nullopt;
  };
  if (auto error = not_utf8(rows[0].first, rows[0].second, {})) return *error;
  std::vector<std::string> header;
  for (std::string column : rows[0].second) {
    for (char& c : column) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t first = column.find_first_not_of(" \t"), last = column.find_last_not_of(" \t");
    column = first == std::string::npos ? "" : column.substr(first, last - first + 1);
    if (std::find(std::begin(kProfileCsvColumns), std::end(kProfileCsvColumns), column) ==
        std::end(kProfileCsvColumns)) {
      return absl::InvalidArgumentError(absl::StrCat(name, ":1: unknown column \"", column, "\""));
    }
    header.push_back(column);
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    if (auto error = not_utf8(rows[r].first, rows[r].second, header)) return *error;
    v1::Profile profile;
    std::string error;
    if (!ProfileFromCsvRow(header, rows[r].second, &profile, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(name, ":", rows[r].first, ": ", error));
    }
    lines.push_back({rows[r].first, ToJson(profile)});
  }
  return lines;
}

absl::StatusOr<std::vector<ProfileLine>> ReadJsonLines(absl::string_view contents, absl::string_view name) {
  std::vector<ProfileLine> lines;
  std::istringstream in{std::string(contents)};
  std::string text;
  size_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    v1::Profile profile;
    std::string error;
    if (!FromJson(text, &profile, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", number, ": not a valid circmatch.v1.Profile in proto3 JSON: ", error));
    }
    lines.push_back({number, std::move(text)});
  }
  return lines;
}

}  // namespace

std::string ToJson(const pb::Message& message, bool pretty) {
  pb::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;
  std::string json;
  auto status = pb::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return "{\"error\": \"cannot print response as JSON\"}";
  while (!json.empty() && (json.back() == '\n' || json.back() == ' ')) json.pop_back();
  return json;
}

bool FromJson(const std::string& json, pb::Message* message, std::string* error) {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = pb::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    *error = std::string(status.message());
    return false;
  }
  return true;
}

bool IsCsvPath(absl::string_view path) { return path.size() > 4 && path.substr(path.size() - 4) == ".csv"; }

bool ParseProfileKind(absl::string_view text, v1::ProfileKind* kind) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const pb::EnumDescriptor* kinds = v1::ProfileKind_descriptor();
  const pb::EnumValueDescriptor* value = kinds->FindValueByName(upper);
  if (value == nullptr) value = kinds->FindValueByName("PROFILE_KIND_" + upper);
  if (value == nullptr && !upper.empty() && std::all_of(upper.begin(), upper.end(), ::isdigit)) {
    value = kinds->FindValueByNumber(std::atoi(upper.c_str()));
  }
  if (value == nullptr) return false;
  *kind = static_cast<v1::ProfileKind>(value->number());
  return true;
}

absl::StatusOr<std::vector<ProfileLine>> ReadProfileFile(absl::string_view contents, bool csv, absl::string_view name) {
  return csv ? ReadCsv(contents, name) : ReadJsonLines(contents, name);
}

std::string ProfileCsvHeader() {
  std::string header;
  for (size_t i = 0; i < std::size(kProfileCsvColumns); ++i)
    absl::StrAppend(&header, i ? "," : "", kProfileCsvColumns[i]);
  return header;
}

std::string ProfileCsvRow(const v1::Profile& p) {
  const v1::Facets& f = p.kind() == v1::PROFILE_KIND_SUPPLIER ? p.capabilities()
                        : p.kind() == v1::PROFILE_KIND_BUDDY  ? p.offers()
                                                              : p.needs();
  const auto list = [](const google::protobuf::RepeatedPtrField<std::string>& values) {
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : ";") + v;
    return joined;
  };
  std::string kind = v1::ProfileKind_Name(p.kind()).substr(std::string("PROFILE_KIND_").size());
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::vector<std::string> fields = {p.id(),
                                           kind,
                                           p.display_name(),
                                           p.organization(),
                                           p.location().municipality(),
                                           list(f.cpv_codes()),
                                           list(f.strategies()),
                                           list(f.materials()),
                                           list(f.certifications()),
                                           f.text(),
                                           p.visibility() == v1::VISIBILITY_SHARED ? "shared" : "private",
                                           p.owner()};
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) row += (i ? "," : "") + CsvField(fields[i]);
  return row;
}

}  // namespace circmatch::clients
