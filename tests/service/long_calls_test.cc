// The bound on long calls (service/api/long_calls.h): LongCalls in-process, then a real server on PostgreSQL whose
// fits are held open by a lock the test takes on the feedback table, so "while a fit runs" is a state the test
// controls rather than a race: the partner's next long call is refused at once, another partner is still served
// (a fit of its own included), every long call's thread held leaves the other calls answered, and with the
// server's bound reached no partner learns whose calls fill it.
#include "service/api/long_calls.h"

#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "circmatch/v1/feedback_service.grpc.pb.h"
#include "circmatch/v1/insights_service.grpc.pb.h"
#include "circmatch/v1/rank_profile_service.grpc.pb.h"
#include "on_each_store.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

using service::LongCallLimits;
using service::LongCalls;

// A long call the test holds open until it releases it; says when it started and with what it ended.
struct HeldCall {
  absl::Notification started, release, ended;
  absl::Status status;

  absl::AnyInvocable<absl::Status()> Call() {
    return [this] {
      started.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    };
  }
  absl::AnyInvocable<void(const absl::Status&)> Done() {
    return [this](const absl::Status& s) {
      status = s;
      ended.Notify();
    };
  }
};

// What a call that must not run answers.
absl::Status Refusal(LongCalls& calls, const std::string& partner, const std::string& method) {
  absl::Status answer = absl::UnknownError("done never ran");
  bool ran = false;
  calls.Start(
      partner, method,
      [&ran] {
        ran = true;
        return absl::OkStatus();
      },
      [&answer](const absl::Status& s) { answer = s; });
  EXPECT_FALSE(ran);
  return answer;
}

TEST(LongCallsTest, APartnerOverItsBoundIsRefusedAtOnceAndAnotherPartnersCallRunsBesideItsCall) {
  LongCalls calls(LongCallLimits{/*per_partner=*/1, /*total=*/2});
  HeldCall a, b;
  calls.Start("partner-a", "FitRankProfile", a.Call(), a.Done());
  a.started.WaitForNotification();
  const absl::Status refused = Refusal(calls, "partner-a", "PairBuddies");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_EQ(
      refused.message(),
      "PairBuddies: this partner already runs 1 long call(s) at once (FitRankProfile, PairBuddies, "
      "ScheduleMeetings, ExposureReport, GapReport), the most --max_long_calls_per_partner allows; try again when "
      "one has finished");
  calls.Start("partner-b", "ExposureReport", b.Call(), b.Done());
  b.started.WaitForNotification();  // on the second thread, while A's call holds the first
  EXPECT_EQ(calls.Running(), 2);
  b.release.Notify();
  b.ended.WaitForNotification();
  a.release.Notify();
  a.ended.WaitForNotification();
  EXPECT_TRUE(a.status.ok() && b.status.ok()) << a.status << b.status;

  // Once done answered, the partner runs again; done gets the call's own error.
  absl::Notification ended;
  absl::Status status;
  calls.Start(
      "partner-a", "FitRankProfile", [] { return absl::InternalError("the call's own error"); },
      [&](const absl::Status& s) {
        status = s;
        ended.Notify();
      });
  ended.WaitForNotification();
  EXPECT_EQ(status, absl::InternalError("the call's own error"));
}

TEST(LongCallsTest, TheServerBoundCountsEveryPartnerAndNamesNone) {
  LongCalls calls(LongCallLimits{/*per_partner=*/2, /*total=*/2});
  HeldCall a, b;
  calls.Start("partner-a", "FitRankProfile", a.Call(), a.Done());
  calls.Start("partner-b", "ExposureReport", b.Call(), b.Done());
  a.started.WaitForNotification();
  b.started.WaitForNotification();
  const absl::Status refused = Refusal(calls, "partner-c", "ScheduleMeetings");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_EQ(refused.message(),
            "ScheduleMeetings: the server already runs 2 long call(s) at once, the most --max_long_calls allows; try "
            "again later");
  a.release.Notify();
  b.release.Notify();
  a.ended.WaitForNotification();
  b.ended.WaitForNotification();
  EXPECT_EQ(calls.Running(), 0);
}

TEST(LongCallFlagsTest, BadBoundsAreRefusedNamingTheFlag) {
  auto refusal = [](const std::vector<std::string>& flags) {
    std::vector<std::string> args = {CIRCMATCH_SERVER_PATH, "--listen=127.0.0.1:0", "--allow_unauthenticated",
                                     "--data_dir=/nonexistent/circmatch-flags"};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult result = RunCommand(args);
    EXPECT_EQ(result.exit_code, 2) << result.Describe();
    return result.err;
  };
  EXPECT_NE(refusal({"--max_long_calls=0"}).find("--max_long_calls: must be 1 to 1000, got 0"), std::string::npos);
  EXPECT_NE(refusal({"--max_long_calls=4", "--max_long_calls_per_partner=5"})
                .find("--max_long_calls_per_partner: must be 1 to --max_long_calls (4), got 5"),
            std::string::npos);
}

// A fit whose answer comes later.
struct PendingFit {
  std::unique_ptr<grpc::ClientContext> context;
  v1::FitRankProfileRequest request;
  v1::FitRankProfileResponse response;
  std::promise<grpc::Status> done;
};

// Partner A with a shared tender and two shared suppliers, both partners with feedback about them, and a connection
// of the test's own to the server's database.
class LongCallsServerTest : public OnPostgres<TwoPartnerServerTest> {
 protected:
  void SetUp() override {
    TwoPartnerServerTest::SetUp();
    if (HasFatalFailure()) return;
    rank_profiles_ = v1::RankProfileService::NewStub(server_->channel());
    insights_ = v1::InsightsService::NewStub(server_->channel());
    v1::UpsertProfilesRequest upsert;
    *upsert.add_profiles() = ProfileJson(R"({"id": "tender", "kind": "PROFILE_KIND_TENDER",
        "visibility": "VISIBILITY_SHARED", "location": {"municipality": "Zwolle"},
        "needs": {"cpvCodes": ["39130000"]}})");
    for (const std::string id : {"near", "far"}) {
      *upsert.add_profiles() =
          ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER",
          "visibility": "VISIBILITY_SHARED", "location": {"municipality": ")" +
                      (id == "near" ? "Kampen" : "Maastricht") + R"("}, "capabilities": {"cpvCodes": ["39130000"]}})");
    }
    v1::UpsertProfilesResponse upserted;
    grpc::Status status = profiles_->UpsertProfiles(As(key_a_).get(), upsert, &upserted);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    // Each partner's users awarded the nearby supplier on A's tender.
    v1::RecordFeedbackRequest record;
    *record.add_events() = FromJson<v1::FeedbackEvent>(R"({"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER",
        "query": {"owner": "partner-a", "id": "tender"}, "candidate": {"owner": "partner-a", "id": "near"},
        "action": "FEEDBACK_ACTION_AWARDED"})");
    for (const std::string& key : {key_a_, key_b_}) {
      v1::RecordFeedbackResponse recorded;
      status = v1::FeedbackService::NewStub(server_->channel())->RecordFeedback(As(key).get(), record, &recorded);
      ASSERT_TRUE(status.ok()) << StatusText(status);
    }
    database_connection_ = PQconnectdb(database_->url().c_str());
    ASSERT_EQ(PQstatus(database_connection_), CONNECTION_OK) << PQerrorMessage(database_connection_);
  }

  void TearDown() override {
    if (database_connection_ != nullptr) PQfinish(database_connection_);  // ends a hold the test left open
    TwoPartnerServerTest::TearDown();
  }

  ::testing::AssertionResult Sql(const std::string& statement) {
    PGresult* result = PQexec(database_connection_, statement.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
    std::string answer = ok && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : PQresultErrorMessage(result);
    PQclear(result);
    if (!ok) return ::testing::AssertionFailure() << statement << ": " << answer;
    return ::testing::AssertionSuccess() << answer;
  }

  // Until ReleaseFeedback, every read of the feedback table waits, and with it a fit on feedback.
  void HoldFeedback() {
    ASSERT_TRUE(Sql("BEGIN"));
    ASSERT_TRUE(Sql("LOCK TABLE circmatch_feedback IN ACCESS EXCLUSIVE MODE"));
  }
  void ReleaseFeedback() { EXPECT_TRUE(Sql("COMMIT")); }

  // Whether `count` of the server's statements come to wait for a lock on the feedback table within a minute
  // (polling the database, another process, rather than sleeping). pg_locks is live also inside the hold's
  // transaction, where pg_stat_activity would answer from a snapshot.
  bool ServerWaitsForFeedback(int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (std::chrono::steady_clock::now() < deadline) {
      ::testing::AssertionResult waiting =
          Sql("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'circmatch_feedback'::regclass "
              "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
      if (waiting && std::string(waiting.message()) == std::to_string(count)) return true;
      std::this_thread::yield();
    }
    return false;
  }

  static v1::FitRankProfileRequest FitOnFeedback() {
    v1::FitRankProfileRequest request;
    request.set_name("suppliers");
    request.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
    request.set_from_feedback(true);
    return request;
  }

  // A fit on one judged query about A's shared tender: it reads no feedback, so no hold stops it.
  static v1::FitRankProfileRequest FitOnJudgedQuery() {
    v1::FitRankProfileRequest request;
    request.set_name("judged");
    request.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
    *request.add_judged_queries() = FromJson<v1::JudgedQuery>(R"({"query": "q", "method": "SuggestSuppliers",
        "request": {"tenderRef": {"owner": "partner-a", "id": "tender"}},
        "ratings": [{"owner": "partner-a", "id": "near", "grade": 3}]})");
    return request;
  }

  std::unique_ptr<PendingFit> StartFit(const std::string& key, const v1::FitRankProfileRequest& request) {
    auto fit = std::make_unique<PendingFit>();
    fit->context = Context(std::chrono::seconds(120));
    fit->context->AddMetadata("authorization", "Bearer " + key);
    fit->request = request;
    PendingFit* pending = fit.get();
    rank_profiles_->async()->FitRankProfile(pending->context.get(), &pending->request, &pending->response,
                                            [pending](grpc::Status status) { pending->done.set_value(status); });
    return fit;
  }

  // A call the bound must refuse at once: without the bound it would wait on the hold, so a short deadline.
  grpc::Status Fit(const std::string& key, const v1::FitRankProfileRequest& request) {
    std::unique_ptr<grpc::ClientContext> context = Context(std::chrono::seconds(10));
    context->AddMetadata("authorization", "Bearer " + key);
    v1::FitRankProfileResponse response;
    return rank_profiles_->FitRankProfile(context.get(), request, &response);
  }

  grpc::Status SuggestAs(const std::string& key) {
    v1::SuggestSuppliersRequest request;
    request.mutable_tender_ref()->set_owner("partner-a");
    request.mutable_tender_ref()->set_id("tender");
    request.mutable_query()->set_k(2);
    v1::SuggestSuppliersResponse response;
    return matching_->SuggestSuppliers(As(key).get(), request, &response);
  }

  std::unique_ptr<v1::RankProfileService::Stub> rank_profiles_;
  std::unique_ptr<v1::InsightsService::Stub> insights_;
  PGconn* database_connection_ = nullptr;
};

TEST_F(LongCallsServerTest, WhileAPartnersFitRunsItsNextLongCallIsRefusedAndOtherCallsAreServed) {
  HoldFeedback();
  std::unique_ptr<PendingFit> held_a = StartFit(key_a_, FitOnFeedback());
  std::unique_ptr<PendingFit> held_b;
  if (ServerWaitsForFeedback(1)) {
    EXPECT_TRUE(HasError(Fit(key_a_, FitOnFeedback()), grpc::StatusCode::RESOURCE_EXHAUSTED,
                         "FitRankProfile: this partner already runs 1 long call(s) at once"));
    std::unique_ptr<grpc::ClientContext> context = Context(std::chrono::seconds(10));
    context->AddMetadata("authorization", "Bearer " + key_a_);
    v1::ExposureReportResponse report;
    EXPECT_TRUE(HasError(insights_->ExposureReport(context.get(), v1::ExposureReportRequest(), &report),
                         grpc::StatusCode::RESOURCE_EXHAUSTED, "--max_long_calls_per_partner"))
        << "one bound over every long call";
    // B is served, a fit of its own included, while A's fit runs.
    grpc::Status fitted = Fit(key_b_, FitOnJudgedQuery());
    EXPECT_TRUE(fitted.ok()) << StatusText(fitted);
    // With B's fit held too, both threads of long calls are taken (the default --max_long_calls=2), and the other
    // calls of both partners are still answered: they never wait for a long call's thread.
    held_b = StartFit(key_b_, FitOnFeedback());
    if (ServerWaitsForFeedback(2)) {
      for (const std::string& key : {key_a_, key_b_}) {
        grpc::Status suggested = SuggestAs(key);
        EXPECT_TRUE(suggested.ok()) << StatusText(suggested);
        v1::ListRankProfilesResponse listed;
        grpc::Status status = rank_profiles_->ListRankProfiles(As(key).get(), v1::ListRankProfilesRequest(), &listed);
        EXPECT_TRUE(status.ok()) << StatusText(status);
      }
    } else {
      ADD_FAILURE() << "B's fit never came to wait on the feedback table";
    }
  } else {
    ADD_FAILURE() << "A's fit never came to wait on the feedback table";
  }
  ReleaseFeedback();
  for (PendingFit* held : {held_a.get(), held_b.get()}) {
    if (held == nullptr) continue;
    grpc::Status finished = held->done.get_future().get();
    EXPECT_TRUE(finished.ok()) << StatusText(finished);
    EXPECT_EQ(held->response.profile().fit().feedback_events(), 1) << "each partner's own event";
  }
  grpc::Status again = Fit(key_a_, FitOnFeedback());
  EXPECT_TRUE(again.ok()) << "the slot is free once the fit answered: " << StatusText(again);
}

class OneLongCallServerTest : public LongCallsServerTest {
 protected:
  std::vector<std::string> MoreServerArgs() const override { return {"--max_long_calls=1"}; }
};

TEST_F(OneLongCallServerTest, WithTheServersBoundReachedOtherPartnersLongCallsWaitButTheRestIsServed) {
  HoldFeedback();
  std::unique_ptr<PendingFit> held = StartFit(key_a_, FitOnFeedback());
  if (ServerWaitsForFeedback(1)) {
    grpc::Status refused = Fit(key_b_, FitOnJudgedQuery());
    EXPECT_TRUE(HasError(refused, grpc::StatusCode::RESOURCE_EXHAUSTED,
                         "FitRankProfile: the server already runs 1 long call(s) at once, the most --max_long_calls "
                         "allows"));
    EXPECT_EQ(refused.error_message().find("partner-a"), std::string::npos) << "names no partner";
    grpc::Status suggested = SuggestAs(key_b_);
    EXPECT_TRUE(suggested.ok()) << StatusText(suggested);
  } else {
    ADD_FAILURE() << "the fit never came to wait on the feedback table";
  }
  ReleaseFeedback();
  grpc::Status finished = held->done.get_future().get();
  EXPECT_TRUE(finished.ok()) << StatusText(finished);
  grpc::Status fitted = Fit(key_b_, FitOnJudgedQuery());
  EXPECT_TRUE(fitted.ok()) << StatusText(fitted);
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
