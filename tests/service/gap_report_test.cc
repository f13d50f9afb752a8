// InsightsService.GapReport on a real server with two partners, over a small network whose answers are known:
// tenders and suppliers in known municipalities with known service radii, each tender naming only a CPV code, so
// a supplier of the same code scores 1 and one of another division 0.
//
//   tender       where       CPV       supplier     where        radius  CPV       size
//   t-zwolle     Zwolle      39130000  s-kampen     Kampen       50 km   39130000  small,  R3
//   t-kampen     Kampen      39130000  s-dalfsen    Dalfsen      15 km   39130000  large,  R5
//   t-enschede   Enschede    45000000  s-deventer   Deventer     10 km   45000000  micro
//   t-maastricht Maastricht  39130000  s-maastricht Maastricht  20 km   39130000  medium
//
// Kampen-Zwolle is 13 km, Dalfsen-Zwolle 11, Dalfsen-Kampen 23, Deventer-Enschede 45: so t-zwolle has two
// suppliers in reach, t-kampen one, t-enschede none, t-maastricht one. t-kampen closed in 2001.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "circmatch/v1/insights_service.grpc.pb.h"
#include "http_client.h"
#include "on_each_store.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

v1::Profile Tender(const std::string& id, const std::string& municipality, const std::string& cpv,
                   const std::string& more = "") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
      "displayName": "Tender )" +
                     id + R"(", "location": {"municipality": ")" + municipality + R"("}, "needs": {"cpvCodes": [")" +
                     cpv + R"("]})" + more + "}");
}

v1::Profile Supplier(const std::string& id, const std::string& municipality, int radius, const std::string& cpv,
                     const std::string& size, const std::string& strategies = "[]",
                     const std::string& visibility = "VISIBILITY_SHARED") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "visibility": ")" + visibility +
                     R"(", "organizationSize": ")" + size + R"(", "serviceRadiusKm": )" + std::to_string(radius) +
                     R"(, "location": {"municipality": ")" + municipality + R"("}, "capabilities": {"cpvCodes": [")" +
                     cpv + R"("], "strategies": )" + strategies + "}}");
}

class GapReportTest : public OnEachStore<TwoPartnerServerTest> {
 protected:
  void SetUp() override {
    TwoPartnerServerTest::SetUp();
    insights_ = v1::InsightsService::NewStub(server_->channel());
    MustUpsertAs(key_a_,
                 {Tender("t-zwolle", "Zwolle", "39130000", R"(, "tags": ["regio-zwolle"])"),
                  Tender("t-kampen", "Kampen", "39130000",
                         R"(, "publicationTime": "2001-01-01T00:00:00Z", "closingTime": "2001-02-01T00:00:00Z")"),
                  Tender("t-enschede", "Enschede", "45000000"), Tender("t-maastricht", "Maastricht", "39130000"),
                  Supplier("s-kampen", "Kampen", 50, "39130000", "ORGANIZATION_SIZE_SMALL", R"(["R3"])"),
                  Supplier("s-dalfsen", "Dalfsen", 15, "39130000", "ORGANIZATION_SIZE_LARGE", R"(["R5"])"),
                  Supplier("s-deventer", "Deventer", 10, "45000000", "ORGANIZATION_SIZE_MICRO"),
                  Supplier("s-maastricht", "Maastricht", 20, "39130000", "ORGANIZATION_SIZE_MEDIUM")});
  }

  std::vector<std::string> MoreServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }

  // The request every test starts from: two suppliers wanted, scoring at least 0.5.
  static v1::GapReportRequest Request(const std::string& json = "{}") {
    v1::GapReportRequest request = FromJson<v1::GapReportRequest>(json);
    if (!request.has_min_score()) request.set_min_score(0.5);
    if (request.min_suppliers() == 0) request.set_min_suppliers(2);
    return request;
  }

  v1::GapReportResponse Report(const std::string& key, const v1::GapReportRequest& request) {
    v1::GapReportResponse response;
    grpc::Status status = insights_->GapReport(As(key).get(), request, &response);
    EXPECT_TRUE(status.ok()) << StatusText(status);
    return response;
  }

  grpc::Status Call(const v1::GapReportRequest& request) {
    v1::GapReportResponse ignored;
    return insights_->GapReport(As(key_a_).get(), request, &ignored);
  }

  static const v1::SectorGap* Sector(const v1::GapReportResponse& report, const std::string& code) {
    for (const v1::SectorGap& s : report.sectors()) {
      if (s.cpv_code() == code) return &s;
    }
    return nullptr;
  }
  static const v1::MunicipalityGap* Municipality(const v1::GapReportResponse& report, const std::string& name) {
    for (const v1::MunicipalityGap& m : report.municipalities()) {
      if (m.name() == name) return &m;
    }
    return nullptr;
  }
  static std::vector<std::string> UnderservedIds(const v1::SectorGap& sector) {
    std::vector<std::string> ids;
    for (const v1::UnderservedTender& t : sector.underserved_tenders()) ids.push_back(t.ref().id());
    return ids;
  }

  std::unique_ptr<v1::InsightsService::Stub> insights_;
};

TEST_P(GapReportTest, CountsTendersSuppliersInReachAndUnderservedTendersPerSector) {
  const v1::GapReportResponse report = Report(key_a_, Request(R"({"province": "Overijssel"})"));
  EXPECT_EQ(report.region(), "province Overijssel (PV23)");
  EXPECT_EQ(report.tenders(), 3);
  EXPECT_EQ(report.underserved_tenders(), 2);
  EXPECT_EQ(report.suppliers(), 2);
  EXPECT_EQ(report.cpv_level(), v1::CPV_LEVEL_DIVISION);
  EXPECT_EQ(report.rank_profile(), "builtin");
  ASSERT_EQ(report.sectors_size(), 2);
  // Largest gap first: construction has a tender and no supplier within reach of it.
  const v1::SectorGap& construction = report.sectors(0);
  EXPECT_EQ(construction.cpv_code(), "45000000");
  EXPECT_FALSE(construction.label_nl().empty());
  EXPECT_FALSE(construction.label_en().empty());
  EXPECT_EQ(construction.tenders(), 1);
  EXPECT_EQ(construction.suppliers(), 0) << "s-deventer is 45 km from Enschede, beyond its 10 km";
  EXPECT_EQ(UnderservedIds(construction), std::vector<std::string>{"t-enschede"});
  EXPECT_DOUBLE_EQ(construction.gap(), 1.0);
  EXPECT_TRUE(construction.no_supply_nearby());

  const v1::SectorGap& furniture = report.sectors(1);
  EXPECT_EQ(furniture.cpv_code(), "39000000");
  EXPECT_EQ(furniture.tenders(), 2);
  EXPECT_EQ(furniture.open_tenders(), 1) << "t-kampen closed in 2001";
  EXPECT_EQ(furniture.suppliers(), 2) << "s-kampen and s-dalfsen; not s-maastricht";
  EXPECT_EQ(furniture.sme_suppliers(), 1);
  ASSERT_EQ(furniture.strategies_size(), 2);
  EXPECT_EQ(furniture.strategies(0).strategy(), "R3");
  EXPECT_EQ(furniture.strategies(0).suppliers(), 1);
  EXPECT_EQ(furniture.strategies(1).strategy(), "R5");
  // t-zwolle has both; t-kampen is 23 km from Dalfsen, beyond s-dalfsen's 15 km, so it has one of two.
  ASSERT_EQ(UnderservedIds(furniture), std::vector<std::string>{"t-kampen"});
  EXPECT_EQ(furniture.underserved_tenders(0).suppliers(), 1);
  EXPECT_EQ(furniture.underserved_tenders(0).municipality(), "Kampen");
  EXPECT_EQ(furniture.underserved_tenders(0).display_name(), "Tender t-kampen");
  EXPECT_DOUBLE_EQ(furniture.gap(), 0.25);  // shortfalls 0 and 1/2
  EXPECT_FALSE(furniture.no_supply_nearby());

  // Every municipality of the province is on the map, by name.
  EXPECT_EQ(report.municipalities_size(), 25);
  EXPECT_TRUE(std::is_sorted(report.municipalities().begin(), report.municipalities().end(),
                             [](const auto& a, const auto& b) { return a.name() < b.name(); }));
  const v1::MunicipalityGap* zwolle = Municipality(report, "Zwolle");
  ASSERT_NE(zwolle, nullptr);
  EXPECT_EQ(zwolle->code(), "GM0193");
  EXPECT_NEAR(zwolle->latitude(), 52.51912, 1e-9);
  EXPECT_NEAR(zwolle->longitude(), 6.11964, 1e-9);
  EXPECT_EQ(zwolle->tenders(), 1);
  EXPECT_EQ(zwolle->suppliers(), 2);
  EXPECT_EQ(zwolle->underserved_tenders(), 0);
  EXPECT_DOUBLE_EQ(zwolle->gap(), 0);
  const v1::MunicipalityGap* kampen = Municipality(report, "Kampen");
  ASSERT_NE(kampen, nullptr);
  EXPECT_EQ(kampen->suppliers(), 1);
  EXPECT_EQ(kampen->underserved_tenders(), 1);
  EXPECT_DOUBLE_EQ(kampen->gap(), 0.5);
  EXPECT_DOUBLE_EQ(Municipality(report, "Enschede")->gap(), 1.0);
  EXPECT_EQ(Municipality(report, "Deventer")->tenders(), 0) << "suppliers placed there are not demand";
  EXPECT_DOUBLE_EQ(Municipality(report, "Deventer")->gap(), 0);
}

TEST_P(GapReportTest, TheThresholdsDecideWhatIsUnderserved) {
  // One supplier is enough: only t-enschede is short.
  v1::GapReportResponse one = Report(key_a_, Request(R"({"province": "PV23", "minSuppliers": 1})"));
  EXPECT_EQ(one.underserved_tenders(), 1);
  EXPECT_DOUBLE_EQ(Sector(one, "39000000")->gap(), 0);
  // A construction supplier scores 0 for a furniture tender, however near: a minimum of 0 lets it count.
  MustUpsertAs(key_a_, {Supplier("s-zwolle-bouw", "Zwolle", 100, "45000000", "ORGANIZATION_SIZE_MICRO")});
  v1::GapReportResponse strict = Report(key_a_, Request(R"({"province": "Overijssel"})"));
  EXPECT_EQ(Sector(strict, "39000000")->suppliers(), 2);
  EXPECT_EQ(Sector(strict, "45000000")->suppliers(), 1) << "s-zwolle-bouw reaches Enschede (60 km of 100)";
  v1::GapReportResponse any = Report(key_a_, Request(R"({"province": "Overijssel", "minScore": 0})"));
  EXPECT_EQ(Sector(any, "39000000")->suppliers(), 3);
  // By group (3 digits) instead of division.
  v1::GapReportResponse groups =
      Report(key_a_, Request(R"({"province": "Overijssel", "cpvLevel": "CPV_LEVEL_GROUP"})"));
  EXPECT_NE(Sector(groups, "39100000"), nullptr);
  EXPECT_EQ(Sector(groups, "39000000"), nullptr);
  EXPECT_EQ(groups.cpv_level(), v1::CPV_LEVEL_GROUP);
}

TEST_P(GapReportTest, TheRegionAndPeriodChooseTheTenders) {
  // Noord-Overijssel: Zwolle and Kampen, not Enschede (Twente).
  v1::GapReportResponse corop = Report(key_a_, Request(R"({"corop": "noord-overijssel"})"));
  EXPECT_EQ(corop.region(), "COROP region Noord-Overijssel (CR10)");
  EXPECT_EQ(corop.tenders(), 2);
  EXPECT_EQ(Sector(corop, "45000000"), nullptr);
  EXPECT_EQ(Municipality(corop, "Enschede"), nullptr);
  EXPECT_NE(Municipality(corop, "Dalfsen"), nullptr);
  EXPECT_EQ(Report(key_a_, Request(R"({"corop": "CR10"})")).tenders(), 2);

  v1::GapReportResponse maastricht = Report(key_a_, Request(R"({"municipality": "GM0935"})"));
  EXPECT_EQ(maastricht.tenders(), 1);
  ASSERT_EQ(maastricht.municipalities_size(), 1);
  EXPECT_EQ(maastricht.municipalities(0).suppliers(), 1);
  EXPECT_EQ(UnderservedIds(*Sector(maastricht, "39000000")), std::vector<std::string>{"t-maastricht"});

  v1::GapReportResponse tagged = Report(key_a_, Request(R"({"tag": "regio-zwolle"})"));
  EXPECT_EQ(tagged.tenders(), 1);
  ASSERT_EQ(tagged.municipalities_size(), 1) << "the map of a tag is the municipalities of its tenders";
  EXPECT_EQ(tagged.municipalities(0).name(), "Zwolle");

  v1::GapReportResponse country = Report(key_a_, Request());
  EXPECT_EQ(country.region(), "Nederland");
  EXPECT_EQ(country.tenders(), 4);
  EXPECT_EQ(country.municipalities_size(), 342);
  EXPECT_EQ(Sector(country, "39000000")->suppliers(), 3);

  // From 2002 on, t-kampen (closed in 2001) is out; before 2001-01-15, only it and the undated tenders.
  v1::GapReportResponse later = Report(key_a_, Request(R"({"startTime": "2002-01-01T00:00:00Z"})"));
  EXPECT_EQ(later.tenders(), 3);
  EXPECT_EQ(Municipality(later, "Kampen")->tenders(), 0);
  v1::GapReportResponse until_2003 =
      Report(key_a_, Request(R"({"startTime": "2001-01-15T00:00:00Z", "endTime": "2003-01-01T00:00:00Z"})"));
  EXPECT_EQ(until_2003.tenders(), 4);
}

TEST_P(GapReportTest, AnotherPartnersPrivateProfilesNeverChangeTheReport) {
  const v1::GapReportRequest request = Request(R"({"province": "Overijssel", "format": "GAP_REPORT_FORMAT_CSV"})");
  const std::string before = ToJson(Report(key_a_, request));
  // B's private supplier would serve t-kampen and t-enschede, and its private tender is in Zwolle.
  MustUpsertAs(
      key_b_,
      {Supplier("b-private", "Kampen", 100, "39130000", "ORGANIZATION_SIZE_MICRO", R"(["R8"])", "VISIBILITY_PRIVATE"),
       Supplier("b-private-bouw", "Enschede", 100, "45000000", "ORGANIZATION_SIZE_MICRO", "[]", "VISIBILITY_PRIVATE"),
       ProfileJson(R"({"id": "b-tender", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_PRIVATE",
                     "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["45000000"]}})")});
  EXPECT_EQ(ToJson(Report(key_a_, request)), before);
  // They count for B itself, beside A's shared ones.
  const v1::GapReportResponse b = Report(key_b_, request);
  EXPECT_EQ(b.tenders(), 4);
  EXPECT_EQ(Sector(b, "39000000")->suppliers(), 3);
  EXPECT_TRUE(UnderservedIds(*Sector(b, "39000000")).empty());
  EXPECT_EQ(Sector(b, "45000000")->suppliers(), 1);
  // A tender of A made private leaves B's report.
  MustUpsertAs(key_a_, {Tender("t-enschede", "Enschede", "45000000", R"(, "visibility": "VISIBILITY_PRIVATE")")});
  EXPECT_EQ(Report(key_b_, request).tenders(), 3);
}

TEST_P(GapReportTest, CsvHasAHeaderAndARowPerSectorAndMunicipality) {
  v1::GapReportResponse plain = Report(key_a_, Request(R"({"province": "Overijssel"})"));
  EXPECT_TRUE(plain.sectors_csv().empty());
  v1::GapReportResponse report =
      Report(key_a_, Request(R"({"province": "Overijssel", "format": "GAP_REPORT_FORMAT_CSV"})"));
  const std::string& sectors = report.sectors_csv();
  ASSERT_EQ(sectors.substr(0, sectors.find('\n')),
            "cpv_code,label_nl,label_en,tenders,open_tenders,suppliers,sme_suppliers,underserved_tenders,gap,"
            "no_supply_nearby,strategies,underserved_ids");
  EXPECT_EQ(std::count(sectors.begin(), sectors.end(), '\n'), 3);
  EXPECT_NE(sectors.find(",2,1,2,1,1,0.2500,false,R3:1/0;R5:1/0,partner-a/t-kampen\n"), std::string::npos) << sectors;
  EXPECT_NE(sectors.find(",1,1,0,0,1,1.0000,true,,partner-a/t-enschede\n"), std::string::npos) << sectors;
  const std::string& map = report.municipalities_csv();
  EXPECT_EQ(map.substr(0, map.find('\n')), "code,name,latitude,longitude,tenders,suppliers,underserved_tenders,gap");
  EXPECT_NE(map.find("\nGM0166,Kampen,52.55432,5.93456,1,1,1,0.5000\n"), std::string::npos) << map;
  EXPECT_EQ(std::count(map.begin(), map.end(), '\n'), 26);
}

TEST_P(GapReportTest, BadRequestsNameTheField) {
  EXPECT_TRUE(HasError(Call(Request(R"({"province": "Atlantis"})")), grpc::StatusCode::INVALID_ARGUMENT,
                       "province: unknown province \"Atlantis\""));
  EXPECT_TRUE(HasError(Call(Request(R"({"corop": "CR99"})")), grpc::StatusCode::INVALID_ARGUMENT, "corop"));
  EXPECT_TRUE(
      HasError(Call(Request(R"({"municipality": "Atlantis"})")), grpc::StatusCode::INVALID_ARGUMENT, "municipality"));
  EXPECT_TRUE(HasError(Call(Request(R"({"tag": ""})")), grpc::StatusCode::INVALID_ARGUMENT, "tag"));
  v1::GapReportRequest level = Request();
  level.set_cpv_level(static_cast<v1::CpvLevel>(7));
  EXPECT_TRUE(HasError(Call(level), grpc::StatusCode::INVALID_ARGUMENT, "cpv_level"));
  v1::GapReportRequest negative = Request();
  negative.set_min_suppliers(-1);
  EXPECT_TRUE(HasError(Call(negative), grpc::StatusCode::INVALID_ARGUMENT, "min_suppliers"));
  EXPECT_TRUE(HasError(Call(Request(R"({"minScore": 1.5})")), grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  EXPECT_TRUE(HasError(Call(Request(R"({"startTime": "2002-01-01T00:00:00Z", "endTime": "2001-01-01T00:00:00Z"})")),
                       grpc::StatusCode::INVALID_ARGUMENT, "end_time: must not be before start_time"));
  v1::GapReportResponse ignored;
  EXPECT_EQ(insights_->GapReport(As("").get(), Request(), &ignored).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(GapReportTest, TheHttpRouteAnswersJsonAndNamesBadFields) {
  const int port = PortFromLog(server_->Stderr(), "HTTP/JSON API on ");
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + key_a_}};
  const std::string route = "/v1/insights:gapReport";
  EXPECT_EQ(HttpCall(port, "POST", route, "{}").status, 401);
  HttpResult report = HttpCall(port, "POST", route,
                               R"({"province": "Overijssel", "minScore": 0.5, "minSuppliers": 2,
                                   "format": "GAP_REPORT_FORMAT_CSV"})",
                               auth);
  ASSERT_EQ(report.status, 200) << report.body;
  const v1::GapReportResponse parsed = FromJson<v1::GapReportResponse>(report.body);
  EXPECT_EQ(parsed.tenders(), 3);
  EXPECT_EQ(parsed.sectors(0).cpv_code(), "45000000");
  EXPECT_NE(report.body.find("\"underservedTenders\": 2"), std::string::npos) << "counts are JSON numbers";
  EXPECT_NE(parsed.municipalities_csv().find("GM0166,Kampen,"), std::string::npos);

  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"province": "Atlantis"})", "province"},
           {R"({"cpvLevel": "CPV_LEVEL_CLASS"})", "cpv_level"},
           {R"({"cpvLevel": 7})", "cpv_level"},
           {R"({"minSuppliers": -1})", "min_suppliers"},
           {R"({"startTime": "2002-01-01T00:00:00Z", "endTime": "2001-01-01T00:00:00Z"})", "end_time"}}) {
    HttpResult bad = HttpCall(port, "POST", route, body, auth);
    EXPECT_EQ(bad.status, 400) << body << ": " << bad.body;
    EXPECT_NE(bad.body.find("INVALID_ARGUMENT"), std::string::npos) << bad.body;
    EXPECT_NE(bad.body.find(field), std::string::npos) << body << ": " << bad.body;
  }
}

INSTANTIATE_ON_EACH_STORE(GapReportTest);

}  // namespace
}  // namespace testing
}  // namespace circmatch
