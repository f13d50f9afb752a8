#include "circmatch/icalendar.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace circmatch {
namespace {

std::string UtcStamp(int64_t unix_seconds) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", absl::FromUnixSeconds(unix_seconds), absl::UTCTimeZone());
}

}  // namespace

std::string EscapeICalendarText(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FoldICalendarLine(absl::string_view line) {
  std::string out;
  size_t width = 0;  // octets on the current physical line
  for (size_t i = 0; i < line.size();) {
    // The length of the UTF-8 sequence starting here.
    const unsigned char lead = static_cast<unsigned char>(line[i]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
    length = std::min(length, line.size() - i);
    if (width + length > 75) {
      out += "\r\n ";
      width = 1;
    }
    out.append(line.data() + i, length);
    width += length;
    i += length;
  }
  return out + "\r\n";
}

std::string AgendaToICalendar(absl::string_view calendar_name, const std::vector<CalendarEvent>& events,
                              int64_t stamp_unix_seconds) {
  std::string out = FoldICalendarLine("BEGIN:VCALENDAR") + FoldICalendarLine("VERSION:2.0") +
                    FoldICalendarLine("PRODID:-//circmatch//market day//EN") + FoldICalendarLine("CALSCALE:GREGORIAN") +
                    FoldICalendarLine(absl::StrCat("X-WR-CALNAME:", EscapeICalendarText(calendar_name)));
  for (const CalendarEvent& e : events) {
    out += FoldICalendarLine("BEGIN:VEVENT");
    out += FoldICalendarLine(absl::StrCat("UID:", e.uid));
    out += FoldICalendarLine(absl::StrCat("DTSTAMP:", UtcStamp(stamp_unix_seconds)));
    out += FoldICalendarLine(absl::StrCat("DTSTART:", UtcStamp(e.start_unix_seconds)));
    out += FoldICalendarLine(absl::StrCat("DTEND:", UtcStamp(e.end_unix_seconds)));
    out += FoldICalendarLine(absl::StrCat("SUMMARY:", EscapeICalendarText(e.summary)));
    if (!e.location.empty()) out += FoldICalendarLine(absl::StrCat("LOCATION:", EscapeICalendarText(e.location)));
    if (!e.description.empty()) {
      out += FoldICalendarLine(absl::StrCat("DESCRIPTION:", EscapeICalendarText(e.description)));
    }
    out += FoldICalendarLine("END:VEVENT");
  }
  return out + FoldICalendarLine("END:VCALENDAR");
}

}  // namespace circmatch
