// A small RFC 4180 CSV reader and writer: comma-separated, fields optionally in double quotes, "" inside quotes
// is one quote, quoted fields may hold commas and line breaks. LF or CRLF line endings.
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_CSV_H_
#define CIRCMATCH_CSV_H_

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace circmatch {

struct CsvRow {
  int line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

// Parses the whole text. INVALID_ARGUMENT (naming `name` and the line) for an unterminated quote or a quote
// in the middle of an unquoted field. Blank lines are skipped.
inline absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text, absl::string_view name) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool field_was_quoted = false;
  bool row_has_content = false;
  const auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  const auto end_row = [&] {
    if (row_has_content) {
      end_field();
      rows.push_back(std::move(row));
    }
    row = CsvRow();
    field.clear();
    field_was_quoted = false;
    row_has_content = false;
    row.line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty() || field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrFormat("%s:%d: unexpected quote inside a field", name, line));
        }
        in_quotes = true;
        field_was_quoted = true;
        row_has_content = true;
        break;
      case ',':
        end_field();
        row_has_content = true;
        break;
      case '\r':
        break;
      case '\n':
        ++line;
        end_row();
        break;
      default:
        if (field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrFormat("%s:%d: text after a closing quote", name, line));
        }
        field.push_back(c);
        row_has_content = true;
    }
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(absl::StrFormat("%s:%d: unterminated quoted field", name, row.line));
  }
  end_row();
  return rows;
}

// The rows of `file` in `data_dir`, parsed as ParseCsv does (errors name the file); NOT_FOUND when it cannot be
// opened.
inline absl::StatusOr<std::vector<CsvRow>> ReadCsvFile(const std::string& data_dir, const std::string& file) {
  const std::string path = data_dir + "/" + file;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseCsv(buffer.str(), file);
}

// One row as ParseCsv reads it back, ending in LF: a field holding a comma, quote or line break is quoted.
inline std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(',');
    const std::string& field = fields[i];
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
      line += field;
      continue;
    }
    line.push_back('"');
    for (char c : field) {
      if (c == '"') line.push_back('"');
      line.push_back(c);
    }
    line.push_back('"');
  }
  line.push_back('\n');
  return line;
}

}  // namespace circmatch

#endif  // CIRCMATCH_CSV_H_
