// FeedbackService on a real server (on SQLite and on PostgreSQL) with two partners' API keys: events recorded and
// listed back, every field's validation, a partner's events invisible to the other, events only about profiles the
// caller may see (another partner's private one answers as an absent one), erasure with the profiles they name, and the
// HTTP route.
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "circmatch/v1/feedback_service.grpc.pb.h"
#include "http_client.h"
#include "on_each_store.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

v1::Profile ProfileOf(const std::string& id, const std::string& kind, const std::string& visibility) {
  const bool tender = kind == "PROFILE_KIND_TENDER";
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": ")" + kind + R"(", "visibility": ")" + visibility +
                     R"(", "location": {"municipality": "Zwolle"}, ")" + (tender ? "needs" : "capabilities") +
                     R"(": {"cpvCodes": ["39130000"]}})");
}

// An event of partner-a's tender about a candidate.
v1::FeedbackEvent EventAbout(const std::string& candidate_owner, const std::string& candidate,
                             const std::string& action = "FEEDBACK_ACTION_SHORTLISTED") {
  return FromJson<v1::FeedbackEvent>(R"({"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER",
      "query": {"owner": "partner-a", "id": "a-tender"}, "candidate": {"owner": ")" +
                                     candidate_owner + R"(", "id": ")" + candidate + R"("}, "rank": 2,
      "indexVersion": "7", "action": ")" +
                                     action + R"("})");
}

class FeedbackServiceTest : public OnEachStore<TwoPartnerServerTest> {
 protected:
  void SetUp() override {
    TwoPartnerServerTest::SetUp();
    feedback_ = v1::FeedbackService::NewStub(server_->channel());
    // A: a private tender and a private supplier. B: a private and a shared supplier, and a private tender.
    ASSERT_TRUE(UpsertAs(key_a_, {ProfileOf("a-tender", "PROFILE_KIND_TENDER", "VISIBILITY_PRIVATE"),
                                  ProfileOf("a-supplier", "PROFILE_KIND_SUPPLIER", "VISIBILITY_PRIVATE")})
                    .ok());
    ASSERT_TRUE(UpsertAs(key_b_, {ProfileOf("b-private", "PROFILE_KIND_SUPPLIER", "VISIBILITY_PRIVATE"),
                                  ProfileOf("b-shared", "PROFILE_KIND_SUPPLIER", "VISIBILITY_SHARED"),
                                  ProfileOf("b-tender", "PROFILE_KIND_TENDER", "VISIBILITY_PRIVATE")})
                    .ok());
  }
  std::vector<std::string> MoreServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }

  grpc::Status RecordAs(const std::string& key, const std::vector<v1::FeedbackEvent>& events,
                        v1::RecordFeedbackResponse* response = nullptr) {
    v1::RecordFeedbackRequest request;
    for (const v1::FeedbackEvent& e : events) *request.add_events() = e;
    v1::RecordFeedbackResponse ignored;
    return feedback_->RecordFeedback(As(key).get(), request, response != nullptr ? response : &ignored);
  }

  // Every event the partner of `key` lists, paging `page_size` at a time.
  std::vector<v1::FeedbackEvent> ListAs(const std::string& key, int page_size = 1000,
                                        const std::string& query_owner = "", const std::string& query_id = "") {
    std::vector<v1::FeedbackEvent> events;
    v1::ListFeedbackRequest request;
    request.set_page_size(page_size);
    if (!query_id.empty()) {
      request.mutable_query()->set_owner(query_owner);
      request.mutable_query()->set_id(query_id);
    }
    for (int page = 0; page < 1000; ++page) {
      v1::ListFeedbackResponse response;
      grpc::Status status = feedback_->ListFeedback(As(key).get(), request, &response);
      EXPECT_TRUE(status.ok()) << StatusText(status);
      if (!status.ok()) break;
      events.insert(events.end(), response.events().begin(), response.events().end());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return events;
  }

  std::unique_ptr<v1::FeedbackService::Stub> feedback_;
};

TEST_P(FeedbackServiceTest, RecordedEventsListBackInOrderWithIdsOwnerAndTime) {
  v1::FeedbackEvent rejected = EventAbout("partner-b", "b-shared", "FEEDBACK_ACTION_REJECTED");
  rejected.set_reason(v1::REJECTION_REASON_OTHER);
  rejected.set_reason_text("levert alleen nieuw meubilair");
  v1::RecordFeedbackResponse response;
  grpc::Status status = RecordAs(key_a_, {EventAbout("", "a-supplier"), rejected}, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ASSERT_EQ(response.ids_size(), 2);
  EXPECT_LT(response.ids(0), response.ids(1));
  ASSERT_TRUE(RecordAs(key_a_, {EventAbout("partner-b", "b-shared", "FEEDBACK_ACTION_OPENED")}).ok());

  std::vector<v1::FeedbackEvent> events = ListAs(key_a_, /*page_size=*/1);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].id(), response.ids(0));
  EXPECT_EQ(events[1].id(), response.ids(1));
  for (const v1::FeedbackEvent& e : events) {
    EXPECT_EQ(e.owner(), "partner-a");
    EXPECT_GT(e.time().seconds(), 1700000000) << "unset time: when it was recorded";
    EXPECT_EQ(e.rank(), 2);
    EXPECT_EQ(e.index_version(), 7u);
  }
  EXPECT_EQ(events[0].candidate().owner(), "partner-a") << "an empty owner is the caller's namespace";
  EXPECT_EQ(events[1].reason(), v1::REJECTION_REASON_OTHER);
  EXPECT_EQ(events[1].reason_text(), "levert alleen nieuw meubilair");
  EXPECT_EQ(events[2].action(), v1::FEEDBACK_ACTION_OPENED);
  EXPECT_EQ(ListAs(key_a_, 1000, "partner-a", "a-tender").size(), 3u);
  EXPECT_TRUE(ListAs(key_a_, 1000, "partner-a", "other-tender").empty());
}

TEST_P(FeedbackServiceTest, EachInvalidFieldIsNamedAndNothingOfTheBatchIsStored) {
  const v1::FeedbackEvent valid = EventAbout("partner-b", "b-shared");
  auto with = [&](const std::function<void(v1::FeedbackEvent*)>& change) {
    v1::FeedbackEvent e = valid;
    change(&e);
    return e;
  };
  const std::vector<std::pair<v1::FeedbackEvent, std::string>> cases = {
      {with([](auto* e) { e->clear_match_type(); }), "events[1].match_type: required"},
      {with([](auto* e) { e->clear_action(); }), "events[1].action: required"},
      {with([](auto* e) { e->clear_query(); }), "events[1].query: required"},
      {with([](auto* e) { e->clear_candidate(); }), "events[1].candidate: required"},
      {with([](auto* e) { e->mutable_candidate()->clear_id(); }), "events[1].candidate.id: must not be empty"},
      {with([](auto* e) { e->set_rank(-1); }), "events[1].rank: must be 0 to 1000, got -1"},
      {with([](auto* e) { e->set_rank(1001); }), "events[1].rank: must be 0 to 1000, got 1001"},
      {with([](auto* e) { e->set_rank_profile(std::string(201, 'x')); }), "events[1].rank_profile: at most 200"},
      {with([](auto* e) { e->set_action(v1::FEEDBACK_ACTION_REJECTED); }),
       "events[1].reason: required when the action is FEEDBACK_ACTION_REJECTED"},
      {with([](auto* e) { e->set_reason(v1::REJECTION_REASON_TOO_SMALL); }),
       "events[1].reason: only allowed when the action is FEEDBACK_ACTION_REJECTED"},
      {with([](auto* e) {
         e->set_action(v1::FEEDBACK_ACTION_REJECTED);
         e->set_reason(v1::REJECTION_REASON_OTHER);
       }),
       "events[1].reason_text: required when the reason is REJECTION_REASON_OTHER"},
      {with([](auto* e) { e->set_reason_text(std::string(1001, 'x')); }), "events[1].reason_text: at most 1000"},
      {with([](auto* e) { e->mutable_time()->set_seconds(4102444800); }),
       "events[1].time: more than a day in the future"},
      {with([](auto* e) { e->mutable_time()->set_nanos(-1); }), "events[1].time: nanos must be 0 to 999999999"},
  };
  for (const auto& [event, message] : cases) {
    grpc::Status status = RecordAs(key_a_, {valid, event});
    EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, message)) << StatusText(status);
  }
  EXPECT_TRUE(HasError(RecordAs(key_a_, {}), grpc::StatusCode::INVALID_ARGUMENT, "events: must hold 1 to 1000"));
  EXPECT_TRUE(HasError(RecordAs(key_a_, std::vector<v1::FeedbackEvent>(1001, valid)),
                       grpc::StatusCode::INVALID_ARGUMENT, "events: must hold 1 to 1000 events, got 1001"));
  v1::ListFeedbackRequest bad_page;
  bad_page.set_page_token("not-a-token");
  v1::ListFeedbackResponse ignored;
  EXPECT_TRUE(HasError(feedback_->ListFeedback(As(key_a_).get(), bad_page, &ignored),
                       grpc::StatusCode::INVALID_ARGUMENT, "page_token:"));
  EXPECT_TRUE(ListAs(key_a_).empty()) << "a rejected batch stores nothing, not even its valid events";
}

TEST_P(FeedbackServiceTest, APartnerNeitherSeesNorMayNameAnotherPartnersPrivateData) {
  ASSERT_TRUE(RecordAs(key_a_, {EventAbout("partner-b", "b-shared")}).ok());
  // B lists nothing of A's, also when it names A's tender.
  EXPECT_TRUE(ListAs(key_b_).empty());
  EXPECT_TRUE(ListAs(key_b_, 1000, "partner-a", "a-tender").empty());
  // A may not record events about B's private profiles, and learns nothing of their existence: the answer is an
  // absent profile's, word for word but the id.
  grpc::Status private_candidate = RecordAs(key_a_, {EventAbout("partner-b", "b-private")});
  grpc::Status absent_candidate = RecordAs(key_a_, {EventAbout("partner-b", "b-absent")});
  EXPECT_EQ(private_candidate.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absent_candidate.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(private_candidate.error_message(),
            "events[0].candidate: profile \"b-private\" of owner \"partner-b\" not found");
  EXPECT_EQ(absent_candidate.error_message(),
            "events[0].candidate: profile \"b-absent\" of owner \"partner-b\" not found");
  v1::FeedbackEvent on_b_tender = EventAbout("partner-b", "b-shared");
  on_b_tender.mutable_query()->set_owner("partner-b");
  on_b_tender.mutable_query()->set_id("b-tender");
  EXPECT_TRUE(HasError(RecordAs(key_a_, {on_b_tender}), grpc::StatusCode::NOT_FOUND,
                       "events[0].query: profile \"b-tender\" of owner \"partner-b\" not found"));
  EXPECT_EQ(ListAs(key_a_).size(), 1u);
}

TEST_P(FeedbackServiceTest, DeletingAProfileErasesEveryEventThatNamesIt) {
  ASSERT_TRUE(RecordAs(key_a_, {EventAbout("partner-b", "b-shared"), EventAbout("partner-a", "a-supplier")}).ok());
  // B deletes its supplier: A's event about it goes with it.
  v1::DeleteProfileRequest request;
  request.mutable_ref()->set_id("b-shared");
  v1::DeleteProfileResponse response;
  ASSERT_TRUE(profiles_->DeleteProfile(As(key_b_).get(), request, &response).ok());
  std::vector<v1::FeedbackEvent> left = ListAs(key_a_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].candidate().id(), "a-supplier");
  // A deletes its tender, the query of the other event.
  request.mutable_ref()->set_id("a-tender");
  ASSERT_TRUE(profiles_->DeleteProfile(As(key_a_).get(), request, &response).ok());
  EXPECT_TRUE(ListAs(key_a_).empty());
}

TEST_P(FeedbackServiceTest, HttpRoutesNeedTheKeyAndRecordAndList) {
  const int port = PortFromLog(server_->Stderr(), "HTTP/JSON API on ");
  const std::string body = R"({"events": [{"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER",
      "query": {"id": "a-tender"}, "candidate": {"owner": "partner-b", "id": "b-shared"}, "rank": 1,
      "action": "FEEDBACK_ACTION_REJECTED", "reason": "REJECTION_REASON_NOT_CIRCULAR"}]})";
  EXPECT_EQ(HttpCall(port, "POST", "/v1/feedback", body).status, 401);
  HttpResult recorded = HttpCall(port, "POST", "/v1/feedback", body, {{"Authorization", "Bearer " + key_a_}});
  EXPECT_EQ(recorded.status, 200) << recorded.body;
  EXPECT_NE(recorded.body.find("\"ids\""), std::string::npos) << recorded.body;
  HttpResult listed = HttpCall(port, "GET", "/v1/feedback?page_size=10", "", {{"Authorization", "Bearer " + key_a_}});
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("REJECTION_REASON_NOT_CIRCULAR"), std::string::npos) << listed.body;
  HttpResult as_b = HttpCall(port, "GET", "/v1/feedback", "", {{"Authorization", "Bearer " + key_b_}});
  EXPECT_EQ(as_b.status, 200) << as_b.body;
  EXPECT_EQ(as_b.body.find("b-shared"), std::string::npos) << as_b.body;
}

INSTANTIATE_ON_EACH_STORE(FeedbackServiceTest);

}  // namespace
}  // namespace testing
}  // namespace circmatch
