// The built `circmatch` command-line client against a real circmatch-server: calls with JSON, errors, import and
// export.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "circmatch/v1/feedback_service.pb.h"
#include "circmatch/v1/insights_service.pb.h"
#include "circmatch/v1/rank_profile_service.pb.h"
#include "service_test_util.h"
#include "subprocess.h"

#ifndef CIRCMATCH_CLI_PATH
#error "CIRCMATCH_CLI_PATH must name the circmatch binary"
#endif

namespace circmatch {
namespace testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class CliTest : public ServerTest {
 protected:
  // Runs `circmatch --server=ADDRESS args...`.
  CommandResult Cli(std::vector<std::string> args, const std::string& stdin_data = "") {
    args.insert(args.begin(), {CIRCMATCH_CLI_PATH, "--server=" + server_->address()});
    return RunCommand(args, stdin_data);
  }

  std::string WriteFile(const std::string& name, const std::string& contents) {
    std::string path = server_->data_dir() + "/../" + name;
    std::ofstream(path) << contents;
    return path;
  }

  void AddTenderAndSuppliers() {
    MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                    "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]}})"),
                ProfileJson(R"({"id": "s-1", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                    "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": ["39130000"]}})"),
                ProfileJson(R"({"id": "s-2", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                    "location": {"municipality": "Maastricht"}, "capabilities": {"cpvCodes": ["45000000"]}})")});
  }
};

TEST_F(CliTest, SuggestSuppliersWithAJsonRequestPrintsTheResponseAsJson) {
  AddTenderAndSuppliers();
  CommandResult result = Cli({"SuggestSuppliers", R"({"tenderRef": {"id": "t-1"}, "k": 1})"});
  ASSERT_EQ(result.exit_code, 0) << result.Describe();
  auto response = FromJson<v1::SuggestSuppliersResponse>(result.out);
  ASSERT_EQ(response.matches_size(), 1) << result.out;
  EXPECT_EQ(response.matches(0).profile().id(), "s-1");
  EXPECT_EQ(response.matches(0).rank(), 1);

  // The same through the full method name, a file and stdin.
  std::string path = WriteFile("request.json", R"({"tenderRef": {"id": "t-1"}, "k": 2})");
  CommandResult from_file = Cli({"circmatch.v1.MatchingService/SuggestSuppliers", "@" + path});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.Describe();
  EXPECT_EQ(FromJson<v1::SuggestSuppliersResponse>(from_file.out).matches_size(), 2);
  CommandResult from_stdin = Cli({"MatchingService/SuggestSuppliers", "-"}, R"({"tenderRef": {"id": "t-1"}, "k": 2})");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.Describe();
  EXPECT_EQ(FromJson<v1::SuggestSuppliersResponse>(from_stdin.out).matches_size(), 2);
}

TEST_F(CliTest, HealthCheckAndWatchPrintServing) {
  CommandResult check = Cli({"Check"});
  ASSERT_EQ(check.exit_code, 0) << check.Describe();
  EXPECT_EQ(FromJson<grpc::health::v1::HealthCheckResponse>(check.out).status(),
            grpc::health::v1::HealthCheckResponse::SERVING);
  CommandResult check_service =
      Cli({"grpc.health.v1.Health/Check", R"({"service": "circmatch.v1.VocabularyService"})"});
  ASSERT_EQ(check_service.exit_code, 0) << check_service.Describe();
  EXPECT_NE(check_service.out.find("SERVING"), std::string::npos);

  CommandResult watch = Cli({"--max_messages=1", "Watch"});
  ASSERT_EQ(watch.exit_code, 0) << watch.Describe();
  EXPECT_NE(watch.out.find("\"SERVING\""), std::string::npos) << watch.Describe();
}

TEST_F(CliTest, InvalidCallExitsNonZeroAndNamesTheField) {
  AddTenderAndSuppliers();
  CommandResult result = Cli({"SuggestSuppliers", R"({"tenderRef": {"id": "t-1"}, "k": 0})"});
  EXPECT_EQ(result.exit_code, 1 + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << result.Describe();
  EXPECT_NE(result.err.find("ERROR INVALID_ARGUMENT: "), std::string::npos) << result.Describe();
  EXPECT_NE(result.err.find("k: "), std::string::npos) << result.Describe();
  EXPECT_TRUE(result.out.empty());

  CommandResult missing = Cli({"GetProfile", R"({"ref": {"id": "nobody"}})"});
  EXPECT_EQ(missing.exit_code, 1 + static_cast<int>(grpc::StatusCode::NOT_FOUND)) << missing.Describe();
  EXPECT_NE(missing.err.find("ERROR NOT_FOUND: "), std::string::npos) << missing.Describe();

  CommandResult bad_json = Cli({"SuggestSuppliers", R"({"tenderReff": {}})"});
  EXPECT_EQ(bad_json.exit_code, 65) << bad_json.Describe();
  EXPECT_NE(bad_json.err.find("tenderReff"), std::string::npos) << bad_json.Describe();

  CommandResult unknown = Cli({"NoSuchMethod"});
  EXPECT_EQ(unknown.exit_code, 64) << unknown.Describe();
}

TEST_F(CliTest, ImportOfJsonLinesThenExportGivesTheProfilesBack) {
  std::string jsonl;
  for (int i = 0; i < 7; ++i) {
    jsonl += R"({"id": "imp-)" + std::to_string(i) + R"(", "kind": "PROFILE_KIND_SUPPLIER", "displayName": "Import )" +
             std::to_string(i) +
             R"(", "location": {"municipality": "Zwolle"}, "capabilities": {"cpvCodes": ["39130000"]}})" + "\n";
    if (i == 3) jsonl += "\n   \n";  // blank lines are skipped
  }
  jsonl += R"({"id": "imp-t", "kind": "PROFILE_KIND_TENDER", "needs": {"cpvCodes": ["39130000"]}})"
           "\n";
  std::string path = WriteFile("profiles.jsonl", jsonl);
  CommandResult imported = Cli({"import", path, "--batch=3"});
  ASSERT_EQ(imported.exit_code, 0) << imported.Describe();
  auto response = FromJson<v1::ImportProfilesResponse>(imported.out);
  EXPECT_EQ(response.upserted_count(), 8);
  EXPECT_EQ(response.batch_count(), 3);
  EXPECT_NE(imported.err.find("batch"), std::string::npos) << "progress goes to stderr";
  v1::Profile stored;
  ASSERT_TRUE(Get("imp-6", &stored).ok());
  EXPECT_EQ(stored.display_name(), "Import 6");

  CommandResult exported = Cli({"export", "--page_size=2"});
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();
  std::vector<std::string> lines = Lines(exported.out);
  ASSERT_EQ(lines.size(), 8u) << exported.Describe();
  std::vector<std::string> ids;
  for (const std::string& line : lines) ids.push_back(ProfileJson(line).id());
  EXPECT_EQ(ids, std::vector<std::string>({"imp-0", "imp-1", "imp-2", "imp-3", "imp-4", "imp-5", "imp-6", "imp-t"}));

  CommandResult tenders = Cli({"export", "--kind=tender"});
  ASSERT_EQ(tenders.exit_code, 0) << tenders.Describe();
  ASSERT_EQ(Lines(tenders.out).size(), 1u) << tenders.Describe();
  EXPECT_EQ(ProfileJson(Lines(tenders.out)[0]).id(), "imp-t");
}

TEST_F(CliTest, ImportOfCsvWithAProgressBarThenExportAsCsvGivesTheSameRows) {
  const std::string csv =
      "id,kind,display_name,organization,municipality,cpv_codes,strategies,materials,certifications,text,visibility\n"
      "csv-1,supplier,\"Kringloop Zwolle, west\",Kringloop BV,Zwolle,39130000;39131000,R3;R5,furniture,iso-14001,"
      "\"Hergebruik van \"\"kantoormeubilair\"\"\",shared\n"
      "csv-2,tender,Meubilair stadhuis,Gemeente Zwolle,Zwolle,39130000,R3,,,,private\n"
      "csv-3,buddy,Ans,Gemeente Kampen,Kampen,,,,,,shared\n";
  const std::string path = WriteFile("profiles.csv", csv);
  CommandResult imported = Cli({"import", path, "--batch=2"});
  ASSERT_EQ(imported.exit_code, 0) << imported.Describe();
  EXPECT_NE(imported.err.find("] 3/3 profiles"), std::string::npos) << imported.Describe();
  v1::Profile stored;
  ASSERT_TRUE(Get("csv-1", &stored).ok());
  EXPECT_EQ(stored.display_name(), "Kringloop Zwolle, west");
  EXPECT_EQ(stored.capabilities().cpv_codes_size(), 2);
  EXPECT_EQ(stored.capabilities().text(), "Hergebruik van \"kantoormeubilair\"");
  ASSERT_TRUE(Get("csv-2", &stored).ok());
  EXPECT_EQ(stored.visibility(), v1::VISIBILITY_PRIVATE);
  EXPECT_EQ(stored.needs().strategies(0), "R3");

  CommandResult exported = Cli({"export", "--format=csv"});
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();
  std::vector<std::string> lines = Lines(exported.out);
  ASSERT_EQ(lines.size(), 4u) << exported.Describe();
  EXPECT_EQ(lines[0].rfind("id,kind,display_name,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("csv-1,supplier,\"Kringloop Zwolle, west\",Kringloop BV,Zwolle,39130000;39131000,R3;R5,", 0),
            0u)
      << lines[1];

  // The exported file imports again, unchanged.
  const std::string again = WriteFile("again.csv", exported.out);
  ASSERT_EQ(Cli({"import", again}).exit_code, 0);
  ASSERT_TRUE(Get("csv-1", &stored).ok());
  EXPECT_EQ(stored.display_name(), "Kringloop Zwolle, west");

  const std::string bad = WriteFile("bad.csv", "id,kind\nx,planet\n");
  CommandResult rejected = Cli({"import", bad});
  EXPECT_EQ(rejected.exit_code, 65) << rejected.Describe();
  EXPECT_NE(rejected.err.find(bad + ":2: kind"), std::string::npos) << rejected.Describe();
}

TEST_F(CliTest, ImportNamesTheFileAndLineOfABadProfile) {
  std::string path =
      WriteFile("bad.jsonl", "{\"id\": \"a\", \"kind\": \"PROFILE_KIND_SUPPLIER\"}\n\n{\"id\": \"b\",\n");
  CommandResult syntax = Cli({"import", path});
  EXPECT_EQ(syntax.exit_code, 65) << syntax.Describe();
  EXPECT_NE(syntax.err.find(path + ":3"), std::string::npos) << syntax.Describe();
  EXPECT_EQ(Get("a").error_code(), grpc::StatusCode::NOT_FOUND) << "nothing is sent when a line does not parse";

  // A line the server rejects: the server's message, and the line it came from.
  std::string rejected = WriteFile(
      "rejected.jsonl",
      "{\"id\": \"ok-1\", \"kind\": \"PROFILE_KIND_SUPPLIER\"}\n"
      "{\"id\": \"ok-2\", \"kind\": \"PROFILE_KIND_SUPPLIER\"}\n"
      "{\"id\": \"bad\", \"kind\": \"PROFILE_KIND_SUPPLIER\", \"location\": {\"municipality\": \"Atlantis\"}}\n");
  CommandResult result = Cli({"import", rejected, "--batch=2"});
  EXPECT_EQ(result.exit_code, 1 + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << result.Describe();
  EXPECT_NE(result.err.find("location.municipality"), std::string::npos) << result.Describe();
  EXPECT_NE(result.err.find(rejected + ":3"), std::string::npos) << result.Describe();
  EXPECT_TRUE(Get("ok-2").ok()) << "the batch before the bad one is committed";
}

// `circmatch eval` runs each judged query through the API and prints the metrics of what the API returned, per
// query and overall, with the results judged 0 and their reasons; --format=json gives the same as one object.
TEST_F(CliTest, EvalPrintsRankMetricsAndTheResultsJudgedZero) {
  AddTenderAndSuppliers();
  // s-1 (the right CPV code, nearby) ranks first, s-2 second: judged 0 and 3, so DCG = 0 + 7 / log2(3) and the
  // ideal 7, nDCG = 1 / log2(3).
  const std::string judgments = WriteFile(
      "judgments.jsonl",
      R"({"query": "q1", "split": "test", "request": {"tenderRef": {"id": "t-1"}}, )"
      R"("ratings": [{"id": "s-1", "grade": 0, "reason": "sells new chairs only"}, {"id": "s-2", "grade": 3}]})"
      "\n"
      R"({"query": "q2", "split": "tuning", "request": {"tenderRef": {"id": "t-1"}}, )"
      R"("ratings": [{"id": "s-1", "grade": 3}]})"
      "\n");
  CommandResult table = Cli({"eval", judgments, "--split=test"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_NE(table.out.find("q1 "), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("q2 "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("0.631"), std::string::npos) << table.out;  // 1 / log2(3) = 0.6309
  EXPECT_NE(table.out.find("s-1"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("sells new chairs only"), std::string::npos) << table.out;

  CommandResult json = Cli({"eval", judgments, "--format=json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  EXPECT_NE(json.out.find(R"("overall": {"queries": 2, "ndcg": 0.815465)"), std::string::npos) << json.out;

  const std::string bad = WriteFile("bad.jsonl", R"({"query": "q", "ratings": [{"id": "s-1", "grade": 7}]})");
  CommandResult invalid = Cli({"eval", bad});
  EXPECT_EQ(invalid.exit_code, 65) << invalid.Describe();
  EXPECT_NE(invalid.err.find("bad.jsonl:1: ratings[0].grade: must be 0 to 3, got 7"), std::string::npos)
      << invalid.Describe();
}

// A judged request gives its MatchQuery in `query`, or as v1.0 judged sets do, beside the query side: read alike
// (here a filter that leaves out s-1, so the judged-3 s-2 ranks first); both at once is the query's error.
TEST_F(CliTest, EvalReadsTheQueryOfAJudgedRequestInEitherForm) {
  AddTenderAndSuppliers();
  const std::string ratings = R"("ratings": [{"id": "s-1", "grade": 0}, {"id": "s-2", "grade": 3}]})";
  const std::string judgments = WriteFile(
      "forms.jsonl",
      R"({"query": "v1.0", "request": {"tenderRef": {"id": "t-1"}, "filter": {"exclude": [{"id": "s-1"}]}}, )" +
          ratings + "\n" +
          R"({"query": "query", "request": {"tenderRef": {"id": "t-1"}, "query": {"filter": {"exclude": [{"id": "s-1"}]}}}, )" +
          ratings + "\n" + R"({"query": "none", "request": {"tenderRef": {"id": "t-1"}}, )" + ratings + "\n" +
          R"({"query": "both", "request": {"tenderRef": {"id": "t-1"}, "query": {"k": 3}, "filter": {}}, )" + ratings +
          "\n");
  CommandResult json = Cli({"eval", judgments, "--format=json"});
  // A query that fails is reported, and its status is the exit code (1 + INVALID_ARGUMENT).
  EXPECT_EQ(json.exit_code, 1 + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << json.Describe();
  EXPECT_NE(json.out.find(R"({"query": "v1.0", "split": "", "rated": 2, "ndcg": 1.000000)"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find(R"({"query": "query", "split": "", "rated": 2, "ndcg": 1.000000)"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find(R"({"query": "none", "split": "", "rated": 2, "ndcg": 0.630930)"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("request: query: set together with the deprecated filter; set them in query"),
            std::string::npos)
      << json.out;
}

// Column of byte offset `at` of a line, in characters (labels may hold accents).
size_t ColumnOf(const std::string& line, size_t at) {
  size_t column = 0;
  for (size_t i = 0; i < at && i < line.size(); ++i) column += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  return column;
}

// `circmatch gap-report` prints InsightsService.GapReport as an aligned table per sector (largest gap first) or
// per municipality, as the server's CSV, or as the JSON response.
TEST_F(CliTest, GapReportPrintsAnAlignedTableCsvOrJson) {
  MustUpsert({ProfileJson(R"({"id": "t-zwolle", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                  "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]}})"),
              ProfileJson(R"({"id": "t-enschede", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                  "location": {"municipality": "Enschede"}, "needs": {"cpvCodes": ["45000000"]}})"),
              ProfileJson(R"({"id": "s-kampen", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                  "serviceRadiusKm": 50, "location": {"municipality": "Kampen"},
                  "organizationSize": "ORGANIZATION_SIZE_SMALL",
                  "capabilities": {"cpvCodes": ["39130000"], "strategies": ["R3"]}})")});
  const std::vector<std::string> region = {"gap-report", "--province=Overijssel", "--min_suppliers=1",
                                           "--min_score=0.5"};
  CommandResult table = Cli(region);
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  const std::vector<std::string> lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 4u) << table.out;
  EXPECT_EQ(lines[0],
            "Gap report, province Overijssel (PV23): tenders 2, underserved 1 (fewer than min_suppliers=1 within "
            "reach at min_score=0.50), suppliers 1, rank profile builtin");
  const std::string& header = lines[1];
  EXPECT_EQ(header.rfind("CPV ", 0), 0u) << header;
  // Construction has no supplier within reach: first, flagged; furniture has s-kampen, with its R3.
  EXPECT_EQ(lines[2].rfind("45000000 ", 0), 0u) << table.out;
  EXPECT_NE(lines[2].find("no supply nearby"), std::string::npos) << table.out;
  EXPECT_EQ(lines[3].rfind("39000000 ", 0), 0u) << table.out;
  EXPECT_EQ(lines[3].find("no supply nearby"), std::string::npos) << table.out;
  // Numbers right-aligned under their headings, text left-aligned.
  const size_t gap_end = ColumnOf(header, header.find("GAP") + 3);
  EXPECT_EQ(ColumnOf(lines[2], lines[2].find("1.00") + 4), gap_end) << table.out;
  EXPECT_EQ(ColumnOf(lines[3], lines[3].find("0.00") + 4), gap_end) << table.out;
  EXPECT_EQ(ColumnOf(lines[3], lines[3].find("R3:1")), ColumnOf(header, header.find("STRATEGIES"))) << table.out;

  std::vector<std::string> csv_args = region;
  csv_args.insert(csv_args.end(), {"--format=csv", "--by=municipality"});
  CommandResult csv = Cli(csv_args);
  ASSERT_EQ(csv.exit_code, 0) << csv.Describe();
  EXPECT_EQ(csv.out.rfind("code,name,latitude,longitude,tenders,suppliers,underserved_tenders,gap\n", 0), 0u)
      << csv.out;
  EXPECT_NE(csv.out.find("\nGM0193,Zwolle,52.51912,6.11964,1,1,0,0.0000\n"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("\nGM0153,Enschede,52.22110,6.87734,1,0,1,1.0000\n"), std::string::npos) << csv.out;

  std::vector<std::string> json_args = region;
  json_args.push_back("--format=json");
  CommandResult json = Cli(json_args);
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  EXPECT_EQ(FromJson<v1::GapReportResponse>(json.out).underserved_tenders(), 1);

  CommandResult two_regions = Cli({"gap-report", "--province=Overijssel", "--corop=CR10"});
  EXPECT_EQ(two_regions.exit_code, 64) << two_regions.Describe();
  CommandResult unknown = Cli({"gap-report", "--province=Atlantis"});
  EXPECT_EQ(unknown.exit_code, 1 + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << unknown.Describe();
  EXPECT_NE(unknown.err.find("province: unknown province \"Atlantis\""), std::string::npos) << unknown.Describe();
}

// `circmatch fit` finds weights under which the judged-3 supplier, which only the text shows, ranks first.
TEST_F(CliTest, FitFindsWeightsThatRankTheJudgedSupplierFirst) {
  MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                  "needs": {"cpvCodes": ["39130000"], "text": "gereviseerde bureaustoelen met terugname"}})"),
              ProfileJson(R"({"id": "tagged", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                  "capabilities": {"cpvCodes": ["39130000"], "text": "nieuwe kasten"}})"),
              ProfileJson(R"({"id": "reviser", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                  "capabilities": {"text": "Wij reviseren bureaustoelen, met terugnamegarantie"}})")});
  const std::string judgments = WriteFile("fit.jsonl", R"({"query": "q", "request": {"tenderRef": {"id": "t-1"}}, )"
                                                       R"("ratings": [{"id": "reviser", "grade": 3}, )"
                                                       R"({"id": "tagged", "grade": 0}]})");
  CommandResult fit = Cli({"fit", judgments, "--facets=cpv,text", "--folds=1", "--k=1"});
  ASSERT_EQ(fit.exit_code, 0) << fit.Describe();
  EXPECT_NE(fit.out.find("fitted 1.0000"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("fitted weights: {"), std::string::npos) << fit.out;
}

// Feedback, the exposure report, rank profiles and a SuggestSuppliers with a rank profile and diversity, each as a
// generic call with JSON: a chain's two branches in Zwolle match best, another organization's supplier there next.
TEST_F(CliTest, FeedbackExposureReportAndRankProfilesAsCallsWithJson) {
  const std::string supplier = R"("kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": "Zwolle"}, "capabilities": {"cpvCodes": ["39130000"]})";
  MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                  "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]}})"),
              ProfileJson(R"({"id": "chain-a", "organization": "Keten BV", "organizationSize":
                  "ORGANIZATION_SIZE_LARGE", )" +
                          supplier + "}"),
              ProfileJson(R"({"id": "chain-b", "organization": "Keten BV", "organizationSize":
                  "ORGANIZATION_SIZE_LARGE", )" +
                          supplier + "}"),
              ProfileJson(R"({"id": "other", "organization": "Werkplaats Zwolle", "organizationSize":
                  "ORGANIZATION_SIZE_SMALL", )" +
                          supplier + "}")});

  CommandResult recorded = Cli({"RecordFeedback", R"({"events": [
      {"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER", "query": {"id": "t-1"}, "candidate": {"id": "chain-a"},
       "rank": 1, "action": "FEEDBACK_ACTION_SHOWN"},
      {"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER", "query": {"id": "t-1"}, "candidate": {"id": "chain-b"},
       "rank": 2, "action": "FEEDBACK_ACTION_SHOWN"},
      {"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER", "query": {"id": "t-1"}, "candidate": {"id": "other"},
       "action": "FEEDBACK_ACTION_AWARDED"}]})"});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.Describe();
  const auto ids = FromJson<v1::RecordFeedbackResponse>(recorded.out);
  ASSERT_EQ(ids.ids_size(), 3) << recorded.out;
  EXPECT_LT(ids.ids(0), ids.ids(2));

  CommandResult first_page = Cli({"ListFeedback", R"({"pageSize": 2})"});
  ASSERT_EQ(first_page.exit_code, 0) << first_page.Describe();
  const auto page = FromJson<v1::ListFeedbackResponse>(first_page.out);
  ASSERT_EQ(page.events_size(), 2) << first_page.out;
  EXPECT_EQ(page.events(0).owner(), "local");
  EXPECT_EQ(page.events(0).candidate().id(), "chain-a");
  ASSERT_FALSE(page.next_page_token().empty()) << first_page.out;
  CommandResult second_page = Cli({"ListFeedback", R"({"pageToken": ")" + page.next_page_token() + R"("})"});
  ASSERT_EQ(second_page.exit_code, 0) << second_page.Describe();
  const auto rest = FromJson<v1::ListFeedbackResponse>(second_page.out);
  ASSERT_EQ(rest.events_size(), 1) << second_page.out;
  EXPECT_EQ(rest.events(0).action(), v1::FEEDBACK_ACTION_AWARDED);
  EXPECT_EQ(rest.events(0).id(), ids.ids(2));

  CommandResult exposure = Cli({"ExposureReport", "{}"});
  ASSERT_EQ(exposure.exit_code, 0) << exposure.Describe();
  const auto report = FromJson<v1::ExposureReportResponse>(exposure.out);
  EXPECT_EQ(report.shown_events(), 2) << "the AWARDED event is no exposure";
  ASSERT_EQ(report.classes_size(), 5) << exposure.out;
  EXPECT_EQ(report.classes(v1::ORGANIZATION_SIZE_LARGE).appearances(), 2);
  EXPECT_DOUBLE_EQ(report.classes(v1::ORGANIZATION_SIZE_LARGE).exposure(), 1 + 1 / std::log2(3.0));
  EXPECT_EQ(report.classes(v1::ORGANIZATION_SIZE_SMALL).eligible(), 1);
  EXPECT_DOUBLE_EQ(report.sme_exposure_share(), 0);
  EXPECT_DOUBLE_EQ(report.sme_eligible_share(), 1.0 / 3);

  CommandResult fitted = Cli({"FitRankProfile", R"({"name": "suppliers",
      "matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER", "fromFeedback": true})"});
  ASSERT_EQ(fitted.exit_code, 0) << fitted.Describe();
  const auto fit = FromJson<v1::FitRankProfileResponse>(fitted.out);
  EXPECT_EQ(fit.profile().version(), 1);
  EXPECT_EQ(fit.profile().owner(), "local");
  EXPECT_EQ(fit.profile().fit().queries(), 1);
  EXPECT_EQ(fit.profile().fit().feedback_events(), 3);
  EXPECT_EQ(fit.profile().fit().baseline(), "builtin");

  CommandResult activated = Cli({"ActivateRankProfile", R"({"name": "suppliers", "version": 1})"});
  ASSERT_EQ(activated.exit_code, 0) << activated.Describe();
  EXPECT_EQ(FromJson<v1::ActivateRankProfileResponse>(activated.out).active(), "local/suppliers@1");
  CommandResult unknown_version = Cli({"ActivateRankProfile", R"({"name": "suppliers", "version": 2})"});
  EXPECT_EQ(unknown_version.exit_code, 1 + static_cast<int>(grpc::StatusCode::NOT_FOUND)) << unknown_version.Describe();
  EXPECT_NE(unknown_version.err.find("name: rank profile"), std::string::npos) << unknown_version.Describe();

  // Without the cap the chain takes both places; with it, the other organization's supplier moves up, and the
  // response names the profile that ranked it.
  CommandResult plain = Cli({"SuggestSuppliers", R"({"tenderRef": {"id": "t-1"}, "k": 2})"});
  ASSERT_EQ(plain.exit_code, 0) << plain.Describe();
  const auto by_score = FromJson<v1::SuggestSuppliersResponse>(plain.out);
  EXPECT_EQ(IdsOf(by_score.matches()), std::vector<std::string>({"chain-a", "chain-b"})) << plain.out;
  EXPECT_EQ(by_score.rank_profile(), "local/suppliers@1") << "the active profile";
  CommandResult diverse = Cli({"SuggestSuppliers", R"({"tenderRef": {"id": "t-1"}, "k": 2,
      "rankProfile": "suppliers@1", "diversity": {"maxPerOrganization": 1}})"});
  ASSERT_EQ(diverse.exit_code, 0) << diverse.Describe();
  const auto capped = FromJson<v1::SuggestSuppliersResponse>(diverse.out);
  EXPECT_EQ(capped.rank_profile(), "local/suppliers@1");
  ASSERT_EQ(IdsOf(capped.matches()), std::vector<std::string>({"chain-a", "other"})) << diverse.out;
  EXPECT_EQ(capped.matches(1).explanation().score_rank(), 3);
  EXPECT_NE(capped.matches(1).explanation().diversity_reason().find("at most 1 per organization"), std::string::npos)
      << diverse.out;
  CommandResult bad_diversity = Cli({"SuggestSuppliers", R"({"tenderRef": {"id": "t-1"}, "k": 2,
      "diversity": {"spread": 0.5}})"});
  EXPECT_EQ(bad_diversity.exit_code, 1 + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT))
      << bad_diversity.Describe();
  EXPECT_NE(bad_diversity.err.find("diversity.spread_over"), std::string::npos) << bad_diversity.Describe();
}

TEST(CliWithoutServerTest, ListNamesEveryMethodOfEveryService) {
  CommandResult result = RunCommand({CIRCMATCH_CLI_PATH, "list"});
  ASSERT_EQ(result.exit_code, 0) << result.Describe();
  for (const std::string method :
       {"circmatch.v1.ProfileService/UpsertProfiles", "circmatch.v1.ProfileService/ImportProfiles",
        "circmatch.v1.ProfileService/GetProfile", "circmatch.v1.ProfileService/ListProfiles",
        "circmatch.v1.ProfileService/DeleteProfile", "circmatch.v1.MatchingService/SuggestSuppliers",
        "circmatch.v1.MatchingService/SuggestTenders", "circmatch.v1.MatchingService/FindBuddies",
        "circmatch.v1.MatchingService/ExplainMatch", "circmatch.v1.VocabularyService/ListVocabulary",
        "circmatch.v1.FeedbackService/RecordFeedback", "circmatch.v1.FeedbackService/ListFeedback",
        "circmatch.v1.RankProfileService/FitRankProfile", "circmatch.v1.RankProfileService/ActivateRankProfile",
        "circmatch.v1.RankProfileService/ListRankProfiles", "circmatch.v1.InsightsService/ExposureReport",
        "grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch"}) {
    EXPECT_NE(result.out.find(method + " "), std::string::npos) << method;
  }
}

TEST_F(CliTest, SuggestCodesPrintsATableOfCodesLabelsAndMatchedWords) {
  CommandResult table = Cli({"suggest-codes", "Wij", "leveren", "Kantoormeubilair", "--max_suggestions=3"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  const std::vector<std::string> lines = Lines(table.out);
  ASSERT_GE(lines.size(), 2u) << table.Describe();
  EXPECT_LE(lines.size(), 4u) << "a header and at most 3 codes: " << table.Describe();
  EXPECT_NE(lines[0].find("matched words"), std::string::npos) << table.Describe();
  EXPECT_EQ(lines[1].rfind("39130000-2", 0), 0u) << table.Describe();
  EXPECT_NE(lines[1].find("Kantoormeubilair / Office furniture"), std::string::npos) << table.Describe();
  EXPECT_NE(lines[1].find("Kantoormeubilair", lines[1].find("Office furniture")), std::string::npos)
      << "the matched word as written: " << table.Describe();

  CommandResult json = Cli({"suggest-codes", "-", "--format=json"}, "snoeien van bomen");
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  const auto response = FromJson<v1::SuggestCodesResponse>(json.out);
  ASSERT_GT(response.suggestions_size(), 0) << json.out;
  EXPECT_EQ(response.suggestions(0).code().substr(0, 4), "7734") << json.out;

  // The generic call of the method works too.
  CommandResult generic = Cli({"SuggestCodes", R"({"text": "kantoormeubilair", "maxSuggestions": 2})"});
  ASSERT_EQ(generic.exit_code, 0) << generic.Describe();
  EXPECT_EQ(FromJson<v1::SuggestCodesResponse>(generic.out).suggestions_size(), 2) << generic.out;

  CommandResult empty = Cli({"suggest-codes", " "});
  EXPECT_EQ(empty.exit_code, 1 + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << empty.Describe();
  EXPECT_NE(empty.err.find("text: "), std::string::npos) << empty.Describe();
  EXPECT_EQ(Cli({"suggest-codes"}).exit_code, 64);
}

TEST_F(CliTest, ImportNotesCodesAProfilesTextSuggestsThatItsCodesDoNotCover) {
  const std::string path = WriteFile(
      "hints.jsonl",
      R"({"id": "wrong", "kind": "PROFILE_KIND_SUPPLIER", "capabilities": {"cpvCodes": ["45000000"], "text": "Wij leveren kantoormeubilair"}})"
      "\n"
      R"({"id": "right", "kind": "PROFILE_KIND_SUPPLIER", "capabilities": {"cpvCodes": ["39100000"], "text": "Wij leveren kantoormeubilair"}})"
      "\n"
      R"({"id": "none", "kind": "PROFILE_KIND_TENDER", "needs": {"text": "Snoeien van bomen en heggen"}})"
      "\n");
  CommandResult imported = Cli({"import", path});
  ASSERT_EQ(imported.exit_code, 0) << imported.Describe();
  EXPECT_NE(imported.err.find(path + ":1 (wrong): its text suggests CPV 39130000"), std::string::npos)
      << imported.Describe();
  EXPECT_EQ(imported.err.find("(right)"), std::string::npos) << "39100000 covers 39130000: " << imported.Describe();
  EXPECT_NE(imported.err.find(path + ":3 (none): its text suggests CPV 7734"), std::string::npos)
      << imported.Describe();
  EXPECT_NE(imported.err.find("it has no codes to cover"), std::string::npos) << imported.Describe();
  v1::Profile stored;
  ASSERT_TRUE(Get("wrong", &stored).ok());
  EXPECT_EQ(stored.capabilities().cpv_codes_size(), 1) << "notes change nothing";

  CommandResult quiet = Cli({"import", path, "--no_code_hints"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.Describe();
  EXPECT_EQ(quiet.err.find("note:"), std::string::npos) << quiet.Describe();
}

TEST(CliWithoutServerTest, HelpExplainsUsageAndAnUnreachableServerIsUnavailable) {
  CommandResult help = RunCommand({CIRCMATCH_CLI_PATH, "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.Describe();
  for (const std::string topic :
       {"--server", "CIRCMATCH_SERVER", "--deadline_ms", "import", "export", "list", "eval", "fit", "--split", "@",
        "Examples", "gap-report", "--province", "suggest-codes", "--no_code_hints"}) {
    EXPECT_NE(help.out.find(topic), std::string::npos) << topic;
  }
  CommandResult down = RunCommand({CIRCMATCH_CLI_PATH, "Check", "--deadline_ms=3000"}, "", std::chrono::seconds(30),
                                  {"CIRCMATCH_SERVER=127.0.0.1:1"});
  EXPECT_EQ(down.exit_code, 1 + static_cast<int>(grpc::StatusCode::UNAVAILABLE)) << down.Describe();
  EXPECT_NE(down.err.find("ERROR UNAVAILABLE"), std::string::npos) << down.Describe();
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
