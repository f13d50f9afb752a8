// Diversity of SuggestSuppliers on a real server (on SQLite and on PostgreSQL): a cap per organization keeps a chain's
// branches from filling the list, spreading over provinces, a minimum SME share filled from the best eligible SMEs and
// never past a hard filter, the explanation of each move, the organization size on profiles, and the fields' errors.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "on_each_store.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

constexpr char kText[] = "refurbished kantoormeubilair hergebruik bureaustoelen revisie terugname";

v1::Profile Supplier(const std::string& id, const std::string& organization, const std::string& municipality,
                     const std::string& size, const std::string& text) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "organization": ")" + organization +
                     R"(", "organizationSize": ")" + size + R"(", "location": {"municipality": ")" + municipality +
                     R"("}, "capabilities": {"cpvCodes": ["39130000"], "text": ")" + text + R"("}})");
}

class MatchingDiversityTest : public OnEachStore<ServerTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    std::vector<v1::Profile> profiles = {ProfileJson(
        R"({"id": "tender", "kind": "PROFILE_KIND_TENDER", "organization": "Gemeente Zwolle",
            "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"], "text": ")" +
        std::string(kText) + R"("}})")};
    // A chain's four branches match best; two other large firms nearby; three SMEs farther off, matching less;
    // an SME that matches best of all but lies beyond the request's distance limit.
    for (const std::string place : {"Zwolle", "Kampen", "Deventer", "Dalfsen"}) {
      profiles.push_back(Supplier("chain-" + place, "Meubelketen BV", place, "ORGANIZATION_SIZE_LARGE", kText));
    }
    profiles.push_back(Supplier("large-1", "Kantoorgroep NV", "Zwolle", "ORGANIZATION_SIZE_LARGE",
                                "refurbished kantoormeubilair hergebruik bureaustoelen"));
    profiles.push_back(Supplier("large-2", "Interieur Holding", "Deventer", "ORGANIZATION_SIZE_LARGE",
                                "kantoormeubilair hergebruik bureaustoelen"));
    profiles.push_back(
        Supplier("sme-arnhem", "Stoelenmakerij", "Arnhem", "ORGANIZATION_SIZE_MICRO", "revisie bureaustoelen"));
    profiles.push_back(Supplier("sme-utrecht", "Tweede Leven Meubels", "Utrecht", "ORGANIZATION_SIZE_SMALL",
                                "hergebruik kantoormeubilair"));
    profiles.push_back(
        Supplier("sme-groningen", "Noordelijke Revisie", "Groningen", "ORGANIZATION_SIZE_MEDIUM", "terugname"));
    profiles.push_back(Supplier("sme-far", "Limburgse Kringloop", "Maastricht", "ORGANIZATION_SIZE_SMALL", kText));
    MustUpsert(profiles);
  }

  v1::SuggestSuppliersResponse Suggest(int k, const v1::Diversity& diversity = v1::Diversity()) {
    v1::SuggestSuppliersRequest request;
    request.mutable_tender_ref()->set_id("tender");
    request.mutable_query()->set_k(k);
    request.mutable_query()->mutable_filter()->set_max_distance_km(150);
    *request.mutable_query()->mutable_diversity() = diversity;
    v1::SuggestSuppliersResponse response;
    grpc::Status status = matching_->SuggestSuppliers(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << StatusText(status);
    return response;
  }
};

TEST_P(MatchingDiversityTest, WithoutDiversityTheChainFillsTheTop) {
  const v1::SuggestSuppliersResponse plain = Suggest(4);
  for (const v1::Match& m : plain.matches()) EXPECT_EQ(m.profile().organization(), "Meubelketen BV");
  EXPECT_EQ(plain.matches(0).explanation().score_rank(), 0) << "no diversity, no score rank";
}

TEST_P(MatchingDiversityTest, TheCapLeavesOneBranchOfTheChainAndExplainsWhoMovedUp) {
  v1::Diversity diversity;
  diversity.set_max_per_organization(1);
  const v1::SuggestSuppliersResponse capped = Suggest(4, diversity);
  ASSERT_EQ(capped.matches_size(), 4);
  int chain = 0;
  std::set<std::string> organizations;
  for (const v1::Match& m : capped.matches()) {
    chain += m.profile().organization() == "Meubelketen BV" ? 1 : 0;
    organizations.insert(m.profile().organization());
  }
  EXPECT_EQ(chain, 1);
  EXPECT_EQ(organizations.size(), 4u);
  EXPECT_EQ(capped.matches(0).explanation().score_rank(), 1);
  EXPECT_EQ(capped.matches(0).explanation().diversity_reason(), "");
  EXPECT_GT(capped.matches(1).explanation().score_rank(), 2);
  EXPECT_NE(capped.matches(1).explanation().diversity_reason().find(": at most 1 per organization"), std::string::npos)
      << capped.matches(1).explanation().diversity_reason();
  for (int i = 1; i < capped.matches_size(); ++i) {
    EXPECT_LE(capped.matches(i).score(), capped.matches(i - 1).score()) << "the cap keeps score order";
  }
}

TEST_P(MatchingDiversityTest, TheSmeShareTakesTheBestEligibleSmesAndNeverOneAFilterExcludes) {
  v1::Diversity diversity;
  diversity.set_min_sme_share(0.5);
  const v1::SuggestSuppliersResponse shared = Suggest(4, diversity);
  ASSERT_EQ(shared.matches_size(), 4);
  std::vector<std::string> smes;
  for (const v1::Match& m : shared.matches()) {
    EXPECT_NE(m.profile().id(), "sme-far") << "beyond max_distance_km";
    if (m.profile().organization_size() != v1::ORGANIZATION_SIZE_LARGE) smes.push_back(m.profile().id());
  }
  EXPECT_EQ(smes.size(), 2u);
  EXPECT_EQ(shared.matches(0).profile().organization(), "Meubelketen BV") << "the best keeps its place";
  EXPECT_NE(shared.matches(3).explanation().diversity_reason().find("the SME share"), std::string::npos)
      << shared.matches(3).explanation().diversity_reason();
  // The SMEs taken are the best-scoring ones: each scores at least any SME left out.
  const v1::SuggestSuppliersResponse all = Suggest(20);
  double lowest_taken = 1;
  for (const v1::Match& m : shared.matches()) {
    if (m.profile().organization_size() != v1::ORGANIZATION_SIZE_LARGE)
      lowest_taken = std::min(lowest_taken, m.score());
  }
  for (const v1::Match& m : all.matches()) {
    const bool taken = std::find(smes.begin(), smes.end(), m.profile().id()) != smes.end();
    if (m.profile().organization_size() != v1::ORGANIZATION_SIZE_LARGE && !taken) {
      EXPECT_LE(m.score(), lowest_taken) << m.profile().id();
    }
  }
}

TEST_P(MatchingDiversityTest, SpreadingOverProvincesBringsInOthers) {
  v1::Diversity diversity;
  diversity.set_spread_over(v1::DIVERSITY_ATTRIBUTE_PROVINCE);
  diversity.set_spread(0.6);
  const v1::SuggestSuppliersResponse spread = Suggest(4, diversity);
  std::set<std::string> provinces;
  for (const v1::Match& m : spread.matches()) provinces.insert(m.profile().location().province());
  EXPECT_GE(provinces.size(), 2u);
  const v1::SuggestSuppliersResponse plain = Suggest(4);
  std::set<std::string> plain_provinces;
  for (const v1::Match& m : plain.matches()) plain_provinces.insert(m.profile().location().province());
  EXPECT_EQ(plain_provinces.size(), 1u) << "all Overijssel by score alone";
  bool moved = false;
  for (const v1::Match& m : spread.matches()) {
    moved = moved || m.explanation().diversity_reason().find(": results spread over provinces") != std::string::npos;
  }
  EXPECT_TRUE(moved);
}

TEST_P(MatchingDiversityTest, OrganizationSizeIsStoredAndBadFieldsAreNamed) {
  v1::Profile stored;
  ASSERT_TRUE(Get("sme-arnhem", &stored).ok());
  EXPECT_EQ(stored.organization_size(), v1::ORGANIZATION_SIZE_MICRO);
  v1::Profile bad = Supplier("bad", "X", "Zwolle", "ORGANIZATION_SIZE_LARGE", "x");
  bad.set_organization_size(static_cast<v1::OrganizationSize>(9));
  EXPECT_TRUE(HasError(Upsert({bad}), grpc::StatusCode::INVALID_ARGUMENT, "organization_size: unknown value 9"));

  auto error_of = [&](const v1::Diversity& diversity) {
    v1::SuggestSuppliersRequest request;
    request.mutable_tender_ref()->set_id("tender");
    request.mutable_query()->set_k(4);
    *request.mutable_query()->mutable_diversity() = diversity;
    v1::SuggestSuppliersResponse response;
    return matching_->SuggestSuppliers(Context().get(), request, &response);
  };
  v1::Diversity d;
  d.set_max_per_organization(-1);
  EXPECT_TRUE(HasError(error_of(d), grpc::StatusCode::INVALID_ARGUMENT, "diversity.max_per_organization"));
  d = v1::Diversity();
  d.set_spread(1.5);
  d.set_spread_over(v1::DIVERSITY_ATTRIBUTE_PROVINCE);
  EXPECT_TRUE(HasError(error_of(d), grpc::StatusCode::INVALID_ARGUMENT, "diversity.spread: must be 0 to 1"));
  d = v1::Diversity();
  d.set_spread(0.5);
  EXPECT_TRUE(HasError(error_of(d), grpc::StatusCode::INVALID_ARGUMENT, "diversity.spread_over: set it together"));
  d = v1::Diversity();
  d.set_min_sme_share(-0.1);
  EXPECT_TRUE(HasError(error_of(d), grpc::StatusCode::INVALID_ARGUMENT, "diversity.min_sme_share"));
}

INSTANTIATE_ON_EACH_STORE(MatchingDiversityTest);

}  // namespace
}  // namespace testing
}  // namespace circmatch
