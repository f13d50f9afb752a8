// End-to-end tests of circmatch.v1.MatchingService on small data each test writes: ranking by the CPV hierarchy,
// the hard filters, explanations, open tenders, directional buddies, ExplainMatch, contact consent.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

// A supplier in `municipality` offering `cpv`; `extra` is spliced into the JSON object (e.g. ", \"x\": 1").
v1::Profile Supplier(const std::string& id, const std::string& cpv, const std::string& municipality = "Kampen",
                     const std::string& capabilities_extra = "", const std::string& extra = "") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "displayName": ")" + id +
                     R"(", "organization": ")" + id + R"( BV", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": ")" +
                     municipality + R"("},
      "capabilities": {"cpvCodes": [")" +
                     cpv + "\"]" + capabilities_extra + "}" + extra + "}");
}

// An open tender of Zwolle needing office furniture, reused and refurbished.
v1::Profile ZwolleTender(const std::string& id = "t-zwolle") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_TENDER",
      "displayName": "Circulair kantoormeubilair stadhuis", "organization": "Gemeente Zwolle",
      "visibility": "VISIBILITY_SHARED", "location": {"municipality": "Zwolle"},
      "needs": {"cpvCodes": ["39130000"], "strategies": ["R3", "R5"], "materials": ["furniture"],
                "text": "Hergebruik en refurbishment van bureaus en stoelen"},
      "publicationTime": "2020-01-01T00:00:00Z", "closingTime": "2099-12-31T12:00:00Z"})");
}

double SumOfContributions(const v1::Explanation& explanation) {
  double sum = 0;
  for (const v1::FacetContribution& facet : explanation.facets()) sum += facet.contribution();
  return sum;
}

// Ranks 1, 2, ... and scores in [0, 1], not increasing; contributions add up to each score, bit for bit.
::testing::AssertionResult WellFormedRanking(const google::protobuf::RepeatedPtrField<v1::Match>& matches) {
  for (int i = 0; i < matches.size(); ++i) {
    const v1::Match& match = matches[i];
    if (match.rank() != i + 1) {
      return ::testing::AssertionFailure() << "match " << i << " has rank " << match.rank();
    }
    if (!(match.score() >= 0 && match.score() <= 1)) {
      return ::testing::AssertionFailure() << "score out of [0, 1]: " << match.score();
    }
    if (i > 0 && match.score() > matches[i - 1].score() + 1e-12) {
      return ::testing::AssertionFailure() << "not best first at " << i;
    }
    if (match.explanation().facets_size() == 0) {
      return ::testing::AssertionFailure() << "match " << match.profile().id() << " has no explanation";
    }
    if (SumOfContributions(match.explanation()) != match.score()) {
      return ::testing::AssertionFailure() << "contributions of " << match.profile().id() << " add up to "
                                           << SumOfContributions(match.explanation()) << ", score " << match.score();
    }
  }
  return ::testing::AssertionSuccess();
}

const v1::CpvMatch* CpvMatchFor(const v1::Explanation& explanation, const std::string& query_code) {
  for (const v1::CpvMatch& cpv : explanation.cpv_matches()) {
    if (cpv.query_code().rfind(query_code, 0) == 0) return &cpv;
  }
  return nullptr;
}

using MatchingServiceTest = ServerTest;

TEST_F(MatchingServiceTest, SuggestSuppliersByRefAndInlineGiveTheSameRanking) {
  MustUpsert({ZwolleTender(), Supplier("s-child", "39131000"), Supplier("s-group", "39150000"),
              Supplier("s-other", "45000000")});
  v1::SuggestSuppliersResponse by_ref;
  grpc::Status status = SuggestSuppliers("t-zwolle", 10, &by_ref);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ASSERT_GE(by_ref.matches_size(), 2);
  EXPECT_TRUE(WellFormedRanking(by_ref.matches()));
  for (const v1::Match& match : by_ref.matches()) EXPECT_EQ(match.profile().kind(), v1::PROFILE_KIND_SUPPLIER);
  double weight_sum = by_ref.weights().cpv() + by_ref.weights().strategies() + by_ref.weights().materials() +
                      by_ref.weights().certifications() + by_ref.weights().location() + by_ref.weights().phases() +
                      by_ref.weights().topics() + by_ref.weights().text() + by_ref.weights().embedding();
  EXPECT_NEAR(weight_sum, 1.0, 1e-9) << "the response carries the normalized weights";

  v1::SuggestSuppliersRequest inline_request;
  *inline_request.mutable_tender_profile() = ZwolleTender("inline-query");
  inline_request.mutable_tender_profile()->clear_kind();  // may be left unspecified inline
  inline_request.mutable_query()->set_k(10);
  v1::SuggestSuppliersResponse inline_response;
  status = matching_->SuggestSuppliers(Context().get(), inline_request, &inline_response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ASSERT_EQ(IdsOf(inline_response.matches()), IdsOf(by_ref.matches()));
  for (int i = 0; i < by_ref.matches_size(); ++i) {
    EXPECT_NEAR(inline_response.matches(i).score(), by_ref.matches(i).score(), 1e-9);
  }
  // Inline queries are not stored.
  EXPECT_EQ(Get("inline-query").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(MatchingServiceTest, CpvChildOfTheTendersCodeRanksAboveAnotherDivision) {
  MustUpsert({ZwolleTender(), Supplier("s-other", "45000000"), Supplier("s-child", "39131000"),
              Supplier("s-group", "39150000")});
  // The CPV facet alone (the labels in the text facet would blend other words in).
  v1::SuggestSuppliersRequest request;
  request.mutable_tender_ref()->set_id("t-zwolle");
  request.mutable_query()->set_k(10);
  request.mutable_query()->mutable_weights()->set_cpv(1);
  for (const char* facet : {"strategies", "materials", "certifications", "location", "text", "embedding"}) {
    request.mutable_query()->mutable_weights()->GetReflection()->SetDouble(
        request.mutable_query()->mutable_weights(), request.query().weights().GetDescriptor()->FindFieldByName(facet),
        0);
  }
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(matching_->SuggestSuppliers(Context().get(), request, &response).ok());
  std::vector<std::string> ids = IdsOf(response.matches());
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0], "s-child");
  ASSERT_TRUE(Contains(ids, "s-group"));
  const v1::Match* child = FindMatch(response.matches(), "s-child");
  const v1::Match* group = FindMatch(response.matches(), "s-group");
  EXPECT_GT(child->score(), group->score());
  if (const v1::Match* other = FindMatch(response.matches(), "s-other")) {
    EXPECT_GT(group->score(), other->score()) << "same group beats another division";
    EXPECT_GT(other->rank(), group->rank());
  }

  // The explanation names the level at which the codes meet.
  const v1::CpvMatch* child_cpv = CpvMatchFor(child->explanation(), "39130000");
  ASSERT_NE(child_cpv, nullptr) << ToJson(child->explanation());
  EXPECT_EQ(child_cpv->candidate_code().substr(0, 8), "39131000");
  EXPECT_EQ(child_cpv->common_code().substr(0, 8), "39130000");
  EXPECT_EQ(child_cpv->level(), v1::CPV_MATCH_LEVEL_EXACT) << "an ancestor counts as exact";
  EXPECT_EQ(child_cpv->common_label_en(), "Office furniture");
  EXPECT_EQ(child_cpv->common_label_nl(), "Kantoormeubilair");
  const v1::CpvMatch* group_cpv = CpvMatchFor(group->explanation(), "39130000");
  ASSERT_NE(group_cpv, nullptr) << ToJson(group->explanation());
  EXPECT_EQ(group_cpv->common_code().substr(0, 8), "39100000");
  EXPECT_EQ(group_cpv->level(), v1::CPV_MATCH_LEVEL_GROUP);
}

TEST_F(MatchingServiceTest, ExplanationNamesSharedStrategiesAndMaterials) {
  MustUpsert({ZwolleTender(), Supplier("s-1", "39130000", "Kampen",
                                       R"(, "strategies": ["refurbish", "R8"], "materials": ["furniture", "wood"])")});
  v1::SuggestSuppliersRequest request;  // strategies weigh 0 by default (docs/MATCHING.md): given a weight here
  request.mutable_tender_ref()->set_id("t-zwolle");
  request.mutable_query()->set_k(5);
  request.mutable_query()->mutable_weights()->set_strategies(0.2);
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(matching_->SuggestSuppliers(Context().get(), request, &response).ok());
  ASSERT_EQ(response.matches_size(), 1);
  const v1::Explanation& explanation = response.matches(0).explanation();
  EXPECT_EQ(std::vector<std::string>(explanation.shared_strategies().begin(), explanation.shared_strategies().end()),
            std::vector<std::string>({"R5"}));
  EXPECT_EQ(std::vector<std::string>(explanation.shared_materials().begin(), explanation.shared_materials().end()),
            std::vector<std::string>({"furniture"}));
  bool strategies_listed = false;
  for (const v1::FacetContribution& facet : explanation.facets()) {
    if (facet.facet() == v1::FACET_STRATEGIES) {
      strategies_listed = true;
      EXPECT_GT(facet.similarity(), 0);
      EXPECT_LT(facet.similarity(), 1);  // R5 shared, R3 and R8 not
    }
  }
  EXPECT_TRUE(strategies_listed) << ToJson(explanation);
  ASSERT_TRUE(explanation.has_distance_km());
  EXPECT_GT(explanation.distance_km(), 8);  // Zwolle to Kampen, about 13 km
  EXPECT_LT(explanation.distance_km(), 20);
}

TEST_F(MatchingServiceTest, RequiredCertificationFiltersCandidates) {
  MustUpsert({ZwolleTender(), Supplier("s-iso", "39130000", "Kampen", R"(, "certifications": ["iso-14001"])"),
              Supplier("s-none", "39130000"),
              Supplier("s-co2-5", "39130000", "Kampen", R"(, "certifications": ["co2-prestatieladder-5"])"),
              Supplier("s-co2-2", "39130000", "Kampen", R"(, "certifications": ["co2-prestatieladder-2"])")});
  v1::SuggestSuppliersResponse all;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &all).ok());
  EXPECT_EQ(all.matches_size(), 4);

  v1::MatchFilter filter;
  filter.add_required_certifications("iso-14001");
  v1::SuggestSuppliersResponse iso;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &iso, filter).ok());
  EXPECT_EQ(IdsOf(iso.matches()), std::vector<std::string>({"s-iso"}));

  v1::MatchFilter ladder;
  ladder.add_required_certifications("co2-prestatieladder-3");
  v1::SuggestSuppliersResponse co2;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &co2, ladder).ok());
  EXPECT_EQ(IdsOf(co2.matches()), std::vector<std::string>({"s-co2-5"})) << "level 5 satisfies 3, level 2 not";

  v1::ExplainMatchRequest why;
  why.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
  why.mutable_query_ref()->set_id("t-zwolle");
  why.mutable_candidate()->set_id("s-none");
  *why.mutable_filter() = filter;
  v1::ExplainMatchResponse explained;
  grpc::Status status = matching_->ExplainMatch(Context().get(), why, &explained);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(explained.rank(), 0);
  ASSERT_GE(explained.match().explanation().exclusions_size(), 1);
  EXPECT_EQ(explained.match().explanation().exclusions(0).field(), "filter.required_certifications");
  ASSERT_EQ(explained.match().explanation().missing_certifications_size(), 1);
  EXPECT_EQ(explained.match().explanation().missing_certifications(0), "iso-14001");
}

// Certificates are an open list over the API: a free label is stored in canonical form and can be required; one
// no supplier holds gives an empty list, not an error.
TEST_F(MatchingServiceTest, FreeCertificationsCanBeWrittenAndRequired) {
  MustUpsert({ZwolleTender(), Supplier("s-groenkeur", "39130000", "Kampen", R"(, "certifications": ["Groen keur"])"),
              Supplier("s-none", "39130000")});
  v1::GetProfileRequest get;
  get.mutable_ref()->set_id("s-groenkeur");
  v1::GetProfileResponse stored;
  ASSERT_TRUE(profiles_->GetProfile(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.profile().capabilities().certifications(0), "groen-keur");
  v1::MatchFilter filter;
  filter.add_required_certifications("GROEN-KEUR");
  v1::SuggestSuppliersResponse required;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &required, filter).ok());
  EXPECT_EQ(IdsOf(required.matches()), std::vector<std::string>({"s-groenkeur"}));
  v1::MatchFilter nobody;
  nobody.add_required_certifications("Keurmerk Nergens");
  v1::SuggestSuppliersResponse none;
  grpc::Status status = SuggestSuppliers("t-zwolle", 10, &none, nobody);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(none.matches_size(), 0);
}

// A supplier's stated radius is a hard filter over the API, named by ExplainMatch; include_out_of_reach brings it
// back marked.
TEST_F(MatchingServiceTest, ServiceRadiusExcludesAndIsExplained) {
  MustUpsert({ZwolleTender(), Supplier("s-near", "39130000", "Kampen", "", R"(, "serviceRadiusKm": 40)"),
              Supplier("s-far", "39130000", "Maastricht", "", R"(, "serviceRadiusKm": 40)")});
  v1::SuggestSuppliersResponse within;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &within).ok());
  EXPECT_EQ(IdsOf(within.matches()), std::vector<std::string>({"s-near"}));
  v1::MatchFilter all;
  all.set_include_out_of_reach(true);
  v1::SuggestSuppliersResponse both;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &both, all).ok());
  ASSERT_EQ(both.matches_size(), 2);
  EXPECT_TRUE(FindMatch(both.matches(), "s-far")->explanation().out_of_reach());
  EXPECT_FALSE(FindMatch(both.matches(), "s-near")->explanation().out_of_reach());

  v1::ExplainMatchRequest why;
  why.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
  why.mutable_query_ref()->set_id("t-zwolle");
  why.mutable_candidate()->set_id("s-far");
  v1::ExplainMatchResponse explained;
  grpc::Status status = matching_->ExplainMatch(Context().get(), why, &explained);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(explained.rank(), 0);
  ASSERT_EQ(explained.match().explanation().exclusions_size(), 1);
  EXPECT_EQ(explained.match().explanation().exclusions(0).field(), "service_radius_km");
  EXPECT_TRUE(absl::StrContains(explained.match().explanation().exclusions(0).reason(),
                                "outside the supplier's service radius: "))
      << explained.match().explanation().exclusions(0).reason();
}

TEST_F(MatchingServiceTest, MaxDistanceFiltersCandidates) {
  MustUpsert({ZwolleTender(), Supplier("s-kampen", "39130000", "Kampen"),
              Supplier("s-maastricht", "39130000", "Maastricht"),
              ProfileJson(R"({"id": "s-nowhere", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                  "capabilities": {"cpvCodes": ["39130000"]}})")});
  v1::SuggestSuppliersResponse all;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &all).ok());
  EXPECT_EQ(all.matches_size(), 3);
  const v1::Match* far = FindMatch(all.matches(), "s-maastricht");
  ASSERT_NE(far, nullptr);
  ASSERT_TRUE(far->explanation().has_distance_km());
  EXPECT_GT(far->explanation().distance_km(), 150);

  v1::MatchFilter filter;
  filter.set_max_distance_km(50);
  v1::SuggestSuppliersResponse near;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &near, filter).ok());
  EXPECT_EQ(IdsOf(near.matches()), std::vector<std::string>({"s-kampen"}))
      << "the far one and the one without a location are excluded";
}

TEST_F(MatchingServiceTest, ExcludedIdsAndOrganizationsAreNeverReturned) {
  v1::Profile acme = Supplier("s-y", "39130000");
  acme.set_organization("Acme BV");
  MustUpsert({ZwolleTender(), Supplier("s-x", "39130000"), acme, Supplier("s-z", "39130000")});
  v1::MatchFilter filter;
  filter.add_exclude()->set_id("s-x");
  filter.add_exclude_organizations("acme bv");  // case-insensitive
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &response, filter).ok());
  EXPECT_EQ(IdsOf(response.matches()), std::vector<std::string>({"s-z"}));

  v1::SuggestSuppliersResponse unfiltered;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &unfiltered).ok());
  EXPECT_EQ(unfiltered.matches_size(), 3);
}

TEST_F(MatchingServiceTest, MinScoreDropsWeakerCandidates) {
  MustUpsert({ZwolleTender(), Supplier("s-strong", "39130000", "Zwolle", R"(, "strategies": ["R3", "R5"])"),
              Supplier("s-weak", "45000000", "Maastricht")});
  v1::SuggestSuppliersResponse all;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &all).ok());
  const v1::Match* strong = FindMatch(all.matches(), "s-strong");
  const v1::Match* weak = FindMatch(all.matches(), "s-weak");
  ASSERT_NE(strong, nullptr);
  ASSERT_NE(weak, nullptr) << "without min_score every supplier is returned";
  ASSERT_GT(strong->score(), weak->score());

  v1::MatchFilter filter;
  filter.set_min_score((strong->score() + weak->score()) / 2);
  v1::SuggestSuppliersResponse filtered;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &filtered, filter).ok());
  EXPECT_EQ(IdsOf(filtered.matches()), std::vector<std::string>({"s-strong"}));
  for (const v1::Match& match : filtered.matches()) EXPECT_GE(match.score(), filter.min_score());
}

TEST_F(MatchingServiceTest, SuggestTendersReturnsOpenTendersOnly) {
  auto tender = [](const std::string& id, const std::string& published, const std::string& closing) {
    return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
        "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]},
        "publicationTime": ")" +
                       published + R"(", "closingTime": ")" + closing + R"("})");
  };
  MustUpsert({tender("t-open", "2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z"),
              tender("t-closed", "2019-01-01T00:00:00Z", "2020-06-01T00:00:00Z"),
              tender("t-future", "2098-01-01T00:00:00Z", "2099-01-01T00:00:00Z"), Supplier("s-1", "39130000")});
  v1::SuggestTendersRequest request;
  request.mutable_supplier_ref()->set_id("s-1");
  request.mutable_query()->set_k(10);
  v1::SuggestTendersResponse response;
  grpc::Status status = matching_->SuggestTenders(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(IdsOf(response.matches()), std::vector<std::string>({"t-open"}));
  EXPECT_TRUE(WellFormedRanking(response.matches()));

  v1::ExplainMatchRequest why;
  why.set_match_type(v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER);
  why.mutable_query_ref()->set_id("s-1");
  why.mutable_candidate()->set_id("t-closed");
  v1::ExplainMatchResponse explained;
  status = matching_->ExplainMatch(Context().get(), why, &explained);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(explained.rank(), 0);
  ASSERT_GE(explained.match().explanation().exclusions_size(), 1) << ToJson(explained);
  EXPECT_EQ(explained.match().explanation().exclusions(0).field(), "closing_time");
}

TEST_F(MatchingServiceTest, FindBuddiesIsDirectionalAndNeverReturnsTheSeeker) {
  auto buddy = [](const std::string& id, const std::string& offers, const std::string& asks) {
    return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_BUDDY", "organization": "org-)" + id +
                       R"(", "visibility": "VISIBILITY_SHARED", "capacity": 2,
        "offers": {"topics": [")" +
                       offers + R"("]}, "asks": {"topics": [")" + asks + R"("]}})");
  };
  // a needs procurement law, which b offers; b needs financing, which c offers; a offers only measuring.
  MustUpsert({buddy("b-a", "measuring-circularity", "procurement-law"), buddy("b-b", "procurement-law", "financing"),
              buddy("b-c", "financing", "tco")});
  auto find = [&](const std::string& id, v1::FindBuddiesResponse* response) {
    v1::FindBuddiesRequest request;
    request.mutable_buddy_ref()->set_id(id);
    request.mutable_query()->set_k(10);
    return matching_->FindBuddies(Context().get(), request, response);
  };
  v1::FindBuddiesResponse for_a, for_b;
  ASSERT_TRUE(find("b-a", &for_a).ok());
  ASSERT_TRUE(find("b-b", &for_b).ok());
  ASSERT_FALSE(for_a.matches().empty());
  ASSERT_FALSE(for_b.matches().empty());
  EXPECT_FALSE(Contains(IdsOf(for_a.matches()), "b-a")) << "a buddy is never its own match";
  EXPECT_FALSE(Contains(IdsOf(for_b.matches()), "b-b"));
  EXPECT_EQ(for_a.matches(0).profile().id(), "b-b");
  EXPECT_EQ(for_b.matches(0).profile().id(), "b-c");
  EXPECT_TRUE(WellFormedRanking(for_a.matches()));

  // Directional: a's asks against b's offers is not b's asks against a's offers.
  const v1::Match* b_for_a = FindMatch(for_a.matches(), "b-b");
  const v1::Match* a_for_b = FindMatch(for_b.matches(), "b-a");
  ASSERT_NE(b_for_a, nullptr);
  double a_for_b_score = a_for_b == nullptr ? 0.0 : a_for_b->score();
  EXPECT_GT(b_for_a->score(), a_for_b_score + 0.05);
  EXPECT_EQ(std::vector<std::string>(b_for_a->explanation().shared_topics().begin(),
                                     b_for_a->explanation().shared_topics().end()),
            std::vector<std::string>({"procurement-law"}));
}

TEST_F(MatchingServiceTest, FindSimilarBuyersRanksOtherBuyersByNeedsAndLeavesOutTheirOwnOrganization) {
  auto buyer = [](const std::string& id, const std::string& organization, const std::string& cpv,
                  const std::string& municipality) {
    return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_BUYER", "organization": ")" + organization +
                       R"(", "visibility": "VISIBILITY_SHARED", "location": {"municipality": ")" + municipality +
                       R"("}, "needs": {"cpvCodes": [")" + cpv + R"("], "strategies": ["R3"]}})");
  };
  MustUpsert({ZwolleTender(), buyer("kampen", "Gemeente Kampen", "39130000", "Kampen"),
              buyer("maastricht", "Gemeente Maastricht", "39130000", "Maastricht"),
              buyer("zwolle-itself", "Gemeente Zwolle", "39130000", "Zwolle"),
              buyer("deventer-roads", "Gemeente Deventer", "45233000", "Deventer"),
              Supplier("s-near", "39130000", "Kampen")});
  v1::FindSimilarBuyersRequest request;
  request.mutable_buyer_ref()->set_id("t-zwolle");
  request.mutable_query()->set_k(10);
  v1::FindSimilarBuyersResponse response;
  ASSERT_TRUE(matching_->FindSimilarBuyers(Context().get(), request, &response).ok());
  const std::vector<std::string> ids = IdsOf(response.matches());
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[0], "kampen") << "same needs, nearby";
  EXPECT_EQ(ids[1], "maastricht") << "same needs, far away";
  EXPECT_FALSE(Contains(ids, "zwolle-itself")) << "the tender's own organization";
  EXPECT_FALSE(Contains(ids, "s-near")) << "only buyers";
  EXPECT_TRUE(WellFormedRanking(response.matches()));
  EXPECT_GT(response.weights().cpv(), 0);

  v1::FindSimilarBuyersRequest supplier_query;
  supplier_query.mutable_buyer_ref()->set_id("s-near");
  supplier_query.mutable_query()->set_k(3);
  const grpc::Status wrong_kind = matching_->FindSimilarBuyers(Context().get(), supplier_query, &response);
  EXPECT_EQ(wrong_kind.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(wrong_kind.error_message().find("buyer_ref"), std::string::npos) << wrong_kind.error_message();

  v1::ExplainMatchRequest why_not;
  why_not.set_match_type(v1::MATCH_TYPE_SIMILAR_BUYERS);
  why_not.mutable_query_ref()->set_id("t-zwolle");
  why_not.mutable_candidate()->set_id("zwolle-itself");
  v1::ExplainMatchResponse explained;
  ASSERT_TRUE(matching_->ExplainMatch(Context().get(), why_not, &explained).ok());
  EXPECT_EQ(explained.rank(), 0);
  ASSERT_EQ(explained.match().explanation().exclusions_size(), 1);
  EXPECT_EQ(explained.match().explanation().exclusions(0).field(), "organization");
}

TEST_F(MatchingServiceTest, ExplainMatchGivesTheExclusionOrTheRankAndAnExplanationThatAddsUp) {
  MustUpsert({ZwolleTender(), Supplier("s-near", "39130000", "Kampen", R"(, "strategies": ["R3"])"),
              Supplier("s-near-2", "39131000", "Zwolle"), Supplier("s-far", "39130000", "Maastricht")});
  v1::MatchFilter filter;
  filter.set_max_distance_km(50);
  v1::SuggestSuppliersResponse suggested;
  ASSERT_TRUE(SuggestSuppliers("t-zwolle", 10, &suggested, filter).ok());
  ASSERT_EQ(suggested.matches_size(), 2);

  auto explain = [&](const std::string& candidate, v1::ExplainMatchResponse* response) {
    v1::ExplainMatchRequest request;
    request.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
    request.mutable_query_ref()->set_id("t-zwolle");
    request.mutable_candidate()->set_id(candidate);
    *request.mutable_filter() = filter;
    return matching_->ExplainMatch(Context().get(), request, response);
  };

  v1::ExplainMatchResponse far;
  grpc::Status status = explain("s-far", &far);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(far.rank(), 0);
  EXPECT_EQ(far.eligible_count(), 2);
  EXPECT_EQ(far.match().profile().id(), "s-far");
  ASSERT_EQ(far.match().explanation().exclusions_size(), 1) << ToJson(far);
  EXPECT_EQ(far.match().explanation().exclusions(0).field(), "filter.max_distance_km");
  EXPECT_FALSE(far.match().explanation().exclusions(0).reason().empty());
  EXPECT_NEAR(SumOfContributions(far.match().explanation()), far.match().score(), 1e-6)
      << "an excluded candidate still gets its score explained";

  for (const v1::Match& returned : suggested.matches()) {
    v1::ExplainMatchResponse explained;
    status = explain(returned.profile().id(), &explained);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    EXPECT_EQ(explained.rank(), returned.rank()) << returned.profile().id();
    EXPECT_GE(explained.rank(), 1);
    EXPECT_EQ(explained.eligible_count(), 2);
    EXPECT_TRUE(explained.match().explanation().exclusions().empty());
    EXPECT_NEAR(explained.match().score(), returned.score(), 1e-9);
    EXPECT_NEAR(SumOfContributions(explained.match().explanation()), explained.match().score(), 1e-6);
    for (const v1::FacetContribution& facet : explained.match().explanation().facets()) {
      EXPECT_NEAR(facet.contribution(), facet.weight() * facet.similarity(), 1e-9) << facet.facet();
    }
  }

  v1::ExplainMatchResponse missing;
  EXPECT_TRUE(HasError(explain("s-nobody", &missing), grpc::StatusCode::NOT_FOUND, "candidate"));
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
