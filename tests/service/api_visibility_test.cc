// The visibility rule through the API, row by row of the table the engine's tests share
// (tests/visibility_cases.h; the rows whose viewer is a partner): on a real server with API keys, each row's owner
// stores a supplier with the row's visibility and the viewer asks for it by GetProfile, meets it (or not) in
// SuggestSuppliers, and asks ExplainMatch about it. What the viewer may not see answers exactly as an absent
// profile; what it may see carries contact details only when the viewer owns it (the profile does not consent).
#include <map>
#include <string>
#include <vector>

#include "service_test_util.h"
#include "visibility_cases.h"

namespace circmatch {
namespace testing {
namespace {

using testing_cases::kVisibilityCaseCount;
using testing_cases::kVisibilityCases;
using testing_cases::VisibilityCase;

std::string CandidateId(int row) { return "case-" + std::to_string(row); }

v1::Profile CandidateOf(int row) {
  const VisibilityCase& c = kVisibilityCases[row];
  return ProfileJson(R"({"id": ")" + CandidateId(row) + R"(", "kind": "PROFILE_KIND_SUPPLIER", "visibility": ")" +
                     (c.shared ? "VISIBILITY_SHARED" : "VISIBILITY_PRIVATE") + R"(", "organization": "Org )" +
                     CandidateId(row) + R"(", "location": {"municipality": "Kampen"},
      "contact": {"name": "N", "email": ")" +
                     CandidateId(row) + R"(@example.nl", "shareConsent": false},
      "capabilities": {"cpvCodes": ["39130000"]}})");
}

// The query of every call: an inline tender, stored by no one, so a viewer owns nothing but what the rows give it.
v1::Profile QueryTender() {
  return ProfileJson(R"({"id": "query", "kind": "PROFILE_KIND_TENDER", "location": {"municipality": "Zwolle"},
      "needs": {"cpvCodes": ["39130000"]}})");
}

class VisibilityTest : public TwoPartnerServerTest {
 protected:
  void SetUp() override {
    TwoPartnerServerTest::SetUp();
    if (HasFatalFailure()) return;
    keys_["partner-a"] = key_a_;
    keys_["partner-b"] = key_b_;
    // The other partners of the table; the server reads the key file again when it changes.
    for (const VisibilityCase& c : kVisibilityCases) {
      if (!c.in_service) continue;
      for (const std::string partner : {c.viewer, c.owner}) {
        if (keys_.count(partner) == 0) keys_[partner] = CreateKey(keys_file_, partner);
      }
    }
  }

  const std::string& KeyOf(const std::string& partner) { return keys_.at(partner); }

  grpc::Status GetAs(const std::string& viewer, int row, v1::Profile* out) {
    v1::GetProfileRequest request;
    request.mutable_ref()->set_owner(kVisibilityCases[row].owner);
    request.mutable_ref()->set_id(CandidateId(row));
    v1::GetProfileResponse response;
    grpc::Status status = profiles_->GetProfile(As(KeyOf(viewer)).get(), request, &response);
    *out = response.profile();
    return status;
  }

  grpc::Status ExplainAs(const std::string& viewer, int row, v1::ExplainMatchResponse* response) {
    v1::ExplainMatchRequest request;
    request.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
    *request.mutable_query_profile() = QueryTender();
    request.mutable_candidate()->set_owner(kVisibilityCases[row].owner);
    request.mutable_candidate()->set_id(CandidateId(row));
    return matching_->ExplainMatch(As(KeyOf(viewer)).get(), request, response);
  }

  grpc::Status SuggestAs(const std::string& viewer, v1::SuggestSuppliersResponse* response) {
    v1::SuggestSuppliersRequest request;
    *request.mutable_tender_profile() = QueryTender();
    request.mutable_query()->set_k(100);
    return matching_->SuggestSuppliers(As(KeyOf(viewer)).get(), request, response);
  }

  std::map<std::string, std::string> keys_;  // by partner
};

TEST_F(VisibilityTest, EveryRowOfTheTableAnswersThroughTheApiAsTheRuleSays) {
  std::vector<int> rows;
  for (int row = 0; row < kVisibilityCaseCount; ++row) {
    if (kVisibilityCases[row].in_service) rows.push_back(row);
  }
  ASSERT_GE(rows.size(), 4u);

  // What each row's calls answer while its profile is absent.
  std::map<int, grpc::Status> absent_get, absent_explain;
  for (const int row : rows) {
    v1::Profile ignored;
    absent_get[row] = GetAs(kVisibilityCases[row].viewer, row, &ignored);
    v1::ExplainMatchResponse explained;
    absent_explain[row] = ExplainAs(kVisibilityCases[row].viewer, row, &explained);
    ASSERT_EQ(absent_get[row].error_code(), grpc::StatusCode::NOT_FOUND) << StatusText(absent_get[row]);
    ASSERT_EQ(absent_explain[row].error_code(), grpc::StatusCode::NOT_FOUND) << StatusText(absent_explain[row]);
  }
  for (const int row : rows) MustUpsertAs(KeyOf(kVisibilityCases[row].owner), {CandidateOf(row)});

  // Each viewer's suggestions, once: the keys suggested and whether each came with its contact.
  std::map<std::string, std::map<std::string, bool>> suggested;  // viewer -> "owner/id" -> has contact
  for (const int row : rows) {
    const std::string viewer = kVisibilityCases[row].viewer;
    if (suggested.count(viewer) != 0) continue;
    v1::SuggestSuppliersResponse response;
    grpc::Status status = SuggestAs(viewer, &response);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    for (const v1::Match& m : response.matches()) {
      suggested[viewer][m.profile().owner() + "/" + m.profile().id()] = !m.profile().contact().email().empty();
    }
    suggested[viewer];  // present even when empty
  }

  for (const int row : rows) {
    const VisibilityCase& c = kVisibilityCases[row];
    SCOPED_TRACE(std::string(c.name) + ": viewer \"" + c.viewer + "\", owner \"" + c.owner + "\"");

    v1::Profile got;
    const grpc::Status get = GetAs(c.viewer, row, &got);
    v1::ExplainMatchResponse explained;
    const grpc::Status explain = ExplainAs(c.viewer, row, &explained);
    const std::map<std::string, bool>& matches = suggested.at(c.viewer);
    const auto match = matches.find(std::string(c.owner) + "/" + CandidateId(row));
    if (c.visible) {
      ASSERT_TRUE(get.ok()) << StatusText(get);
      EXPECT_EQ(got.id(), CandidateId(row));
      EXPECT_EQ(!got.contact().email().empty(), c.owns) << "contact details only to the owner without consent";
      ASSERT_NE(match, matches.end()) << "SuggestSuppliers leaves out a profile the viewer may see";
      EXPECT_EQ(match->second, c.owns) << "contact details in a match only to the owner without consent";
      ASSERT_TRUE(explain.ok()) << StatusText(explain);
      for (const v1::Exclusion& e : explained.match().explanation().exclusions()) {
        EXPECT_NE(e.field(), "visibility") << e.reason();
      }
      EXPECT_EQ(!explained.match().profile().contact().email().empty(), c.owns);
    } else {
      EXPECT_EQ(get.error_code(), grpc::StatusCode::NOT_FOUND) << StatusText(get);
      EXPECT_EQ(get.error_message(), absent_get[row].error_message()) << "GetProfile: as absent, word for word";
      EXPECT_EQ(match, matches.end()) << "SuggestSuppliers returns a profile the viewer may not see";
      EXPECT_EQ(explain.error_code(), grpc::StatusCode::NOT_FOUND) << StatusText(explain);
      EXPECT_EQ(explain.error_message(), absent_explain[row].error_message())
          << "ExplainMatch: as absent, word for word";
    }
  }
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
