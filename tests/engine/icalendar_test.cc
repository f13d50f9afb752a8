// iCalendar agendas: CRLF line ends, folding at 75 octets (never inside a UTF-8 sequence), escaping, one VEVENT
// per meeting, and a round trip through a small unfolding parser.
#include "circmatch/icalendar.h"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace circmatch {
namespace {

// Unfolds and splits into lines (RFC 5545 3.1).
std::vector<std::string> Unfold(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "every line ends with CRLF";
    if (end == std::string::npos) break;
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] == ' ' && !lines.empty()) {
      lines.back() += line.substr(1);
    } else {
      lines.push_back(line);
    }
    start = end + 2;
  }
  return lines;
}

TEST(ICalendarTest, EscapesText) { EXPECT_EQ(EscapeICalendarText("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne"); }

TEST(ICalendarTest, FoldsAt75OctetsWithoutSplittingUtf8) {
  std::string line = "DESCRIPTION:";
  for (int i = 0; i < 40; ++i) line += "é";  // two octets each
  const std::string folded = FoldICalendarLine(line);
  size_t start = 0;
  while (start < folded.size()) {
    const size_t end = folded.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 75u);
    const unsigned char first = static_cast<unsigned char>(folded[start == 0 ? 0 : start + 1]);
    EXPECT_NE(first & 0xC0, 0x80) << "a continuation must not start inside a UTF-8 sequence";
    start = end + 2;
  }
  EXPECT_EQ(Unfold(folded), std::vector<std::string>{line});
}

TEST(ICalendarTest, OneEventPerMeetingWithUtcTimes) {
  std::vector<CalendarEvent> events = {
      {"marktdag-0-1@circmatch", 1804158000, 1804159200, "Gesprek met Kringloop Zwolle, BV", "Tafel 1, Stadhuis",
       "Score 0.81; CPV 39130000"},
      {"marktdag-1-3@circmatch", 1804159800, 1804161000, "Gesprek met Gemeente Kampen", "Tafel 3, Stadhuis", ""}};
  const std::string text = AgendaToICalendar("Marktdag Regio Zwolle", events, 1804000000);
  const std::vector<std::string> lines = Unfold(text);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  int begins = 0;
  std::map<std::string, std::vector<std::string>> values;
  for (const std::string& line : lines) {
    if (line == "BEGIN:VEVENT") ++begins;
    const size_t colon = line.find(':');
    values[line.substr(0, colon)].push_back(line.substr(colon + 1));
  }
  EXPECT_EQ(begins, 2);
  EXPECT_EQ(values["DTSTART"], (std::vector<std::string>{"20270304T110000Z", "20270304T113000Z"}));
  EXPECT_EQ(values["SUMMARY"][0], "Gesprek met Kringloop Zwolle\\, BV");
  EXPECT_EQ(values["DESCRIPTION"].size(), 1u) << "no empty DESCRIPTION";
  EXPECT_EQ(values["UID"][1], "marktdag-1-3@circmatch");
  EXPECT_EQ(values["VERSION"][0], "2.0");
}

}  // namespace
}  // namespace circmatch
