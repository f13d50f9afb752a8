// iCalendar (RFC 5545) text of an agenda: a VCALENDAR with one VEVENT per meeting, times in UTC, lines ended by
// CRLF and folded at 75 octets, text values escaped (backslash, semicolon, comma and newlines).
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_ICALENDAR_H_
#define CIRCMATCH_ICALENDAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace circmatch {

struct CalendarEvent {
  std::string uid;  // unique and stable, e.g. "<event>-<slot>-<table>@circmatch"
  int64_t start_unix_seconds = 0;
  int64_t end_unix_seconds = 0;
  std::string summary;
  std::string location;
  std::string description;
};

// The calendar; `stamp_unix_seconds` is the DTSTAMP of every event (when the agenda was made).
std::string AgendaToICalendar(absl::string_view calendar_name, const std::vector<CalendarEvent>& events,
                              int64_t stamp_unix_seconds);

// A TEXT value escaped as RFC 5545 section 3.3.11 says.
std::string EscapeICalendarText(absl::string_view text);

// One content line folded at 75 octets (continuations start with a space), never inside a UTF-8 sequence.
std::string FoldICalendarLine(absl::string_view line);

}  // namespace circmatch

#endif  // CIRCMATCH_ICALENDAR_H_
