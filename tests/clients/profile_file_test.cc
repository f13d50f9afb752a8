// Profile files as `circmatch import` reads them and `circmatch export` writes them (clients/profile_file.h).
#include "profile_file.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace circmatch::clients {
namespace {

v1::Profile Parsed(const ProfileLine& line) {
  v1::Profile profile;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line.json, &profile).ok()) << line.json;
  return profile;
}

TEST(ProfileFileTest, CsvRowsBecomeProfilesWithTheirLines) {
  absl::StatusOr<std::vector<ProfileLine>> lines = ReadProfileFile(
      "id,kind,display_name,cpv_codes,text,visibility\n"
      "s-1,supplier,\"Kringloop Zwolle, west\", 39130000 ;39131000,\"Wij \"\"reviseren\"\"\nstoelen\",shared\n"
      "\n"
      "t-1,TENDER,Meubilair,39130000,,\n",
      /*csv=*/true, "in.csv");
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].number, 2u);
  EXPECT_EQ((*lines)[1].number, 5u);
  const v1::Profile supplier = Parsed((*lines)[0]);
  EXPECT_EQ(supplier.kind(), v1::PROFILE_KIND_SUPPLIER);
  EXPECT_EQ(supplier.display_name(), "Kringloop Zwolle, west");
  ASSERT_EQ(supplier.capabilities().cpv_codes_size(), 2);
  EXPECT_EQ(supplier.capabilities().cpv_codes(0), "39130000");
  EXPECT_EQ(supplier.capabilities().text(), "Wij \"reviseren\"\nstoelen");
  EXPECT_EQ(supplier.visibility(), v1::VISIBILITY_SHARED);
  EXPECT_EQ(Parsed((*lines)[1]).needs().cpv_codes(0), "39130000");
}

TEST(ProfileFileTest, UnicodeInUtf8IsKeptWhole) {
  absl::StatusOr<std::vector<ProfileLine>> lines =
      ReadProfileFile("id,kind,text\nx1,supplier,Café en crème in Súdwest-Fryslân\n", /*csv=*/true, "in.csv");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(Parsed((*lines)[0]).capabilities().text(), "Café en crème in Súdwest-Fryslân");
}

// Found by fuzz/profile_file_fuzzer.cc: the bytes of a CSV file saved as Windows-1252 (as spreadsheets on Windows
// do) were dropped on the way to JSON, so "Café en crème" was imported as "Cafen cre" without a word.
TEST(ProfileFileTest, CsvNotInUtf8IsRefusedNamingLineAndColumn) {
  absl::StatusOr<std::vector<ProfileLine>> lines =
      ReadProfileFile("id,kind,text\nok,tender,plain\nx1,supplier,Caf\xe9 en cr\xe8me\n", /*csv=*/true, "in.csv");
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(lines.status().message(), "in.csv:3: text: not UTF-8; save the file as UTF-8");
  // Overlong forms and surrogates are not UTF-8 either, nor is a byte in a field past the header's columns.
  for (const std::string bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "caf\xc3"}) {
    EXPECT_FALSE(ReadProfileFile("id,kind\nx," + std::string("tender,") + bad + "\n", true, "in.csv").ok());
  }
}

TEST(ProfileFileTest, JsonLinesNotInUtf8AreRefused) {
  absl::StatusOr<std::vector<ProfileLine>> lines = ReadProfileFile(
      "{\"id\": \"x1\", \"kind\": \"PROFILE_KIND_SUPPLIER\", \"capabilities\": {\"text\": \"Caf\xe9\"}}\n",
      /*csv=*/false, "in.jsonl");
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(lines.status().message().rfind("in.jsonl:1: not a valid circmatch.v1.Profile", 0), 0u) << lines.status();
}

TEST(ProfileFileTest, ExportedRowsReadBackTheSame) {
  v1::Profile profile;
  profile.set_id("id, with \"quotes\"");
  profile.set_owner("gemeente-zwolle");
  profile.set_kind(v1::PROFILE_KIND_BUDDY);
  profile.set_display_name("Ans\r\nde Vries");
  profile.set_visibility(v1::VISIBILITY_SHARED);
  profile.mutable_location()->set_municipality("'s-Hertogenbosch");
  profile.mutable_offers()->add_cpv_codes("39130000");
  profile.mutable_offers()->add_strategies("R3");
  profile.mutable_offers()->set_text("één, twee");
  absl::StatusOr<std::vector<ProfileLine>> lines =
      ReadProfileFile(ProfileCsvHeader() + "\n" + ProfileCsvRow(profile) + "\n", /*csv=*/true, "out.csv");
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(Parsed((*lines)[0]), profile))
      << Parsed((*lines)[0]).ShortDebugString();
}

TEST(ProfileFileTest, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(ReadProfileFile("", true, "in.csv").status().message(), "in.csv: empty, expected a header");
  EXPECT_EQ(ReadProfileFile("id,colour\n", true, "in.csv").status().message(), "in.csv:1: unknown column \"colour\"");
  EXPECT_EQ(ReadProfileFile("id,kind\nx,planet\n", true, "in.csv").status().message(),
            "in.csv:2: kind: must be tender, supplier, buyer or buddy, got \"planet\"");
  EXPECT_TRUE(IsCsvPath("profiles.csv"));
  EXPECT_FALSE(IsCsvPath("profiles.jsonl"));
}

}  // namespace
}  // namespace circmatch::clients
