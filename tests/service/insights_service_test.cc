// InsightsService.ExposureReport on a real server (on SQLite and on PostgreSQL) with two partners: exposure per size
// class from the caller's own SHOWN events weighted by rank, the suppliers it may see as the eligible ones, the period,
// and nothing of the other partner's events or private profiles.
#include <string>
#include <vector>

#include "circmatch/v1/feedback_service.grpc.pb.h"
#include "circmatch/v1/insights_service.grpc.pb.h"
#include "http_client.h"
#include "on_each_store.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

v1::Profile SupplierOf(const std::string& id, const std::string& size, const std::string& visibility) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "organizationSize": ")" + size +
                     R"(", "visibility": ")" + visibility +
                     R"(", "location": {"municipality": "Zwolle"}, "capabilities": {"cpvCodes": ["39130000"]}})");
}

class InsightsServiceTest : public OnEachStore<TwoPartnerServerTest> {
 protected:
  void SetUp() override {
    TwoPartnerServerTest::SetUp();
    feedback_ = v1::FeedbackService::NewStub(server_->channel());
    insights_ = v1::InsightsService::NewStub(server_->channel());
    MustUpsertAs(key_a_,
                 {ProfileJson(R"({"id": "tender", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                                   "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]}})"),
                  SupplierOf("micro-1", "ORGANIZATION_SIZE_MICRO", "VISIBILITY_SHARED"),
                  SupplierOf("micro-2", "ORGANIZATION_SIZE_MICRO", "VISIBILITY_SHARED"),
                  SupplierOf("large", "ORGANIZATION_SIZE_LARGE", "VISIBILITY_SHARED")});
    MustUpsertAs(key_b_, {SupplierOf("b-medium", "ORGANIZATION_SIZE_MEDIUM", "VISIBILITY_SHARED"),
                          SupplierOf("b-large-private", "ORGANIZATION_SIZE_LARGE", "VISIBILITY_PRIVATE")});
  }

  std::vector<std::string> MoreServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }

  // Partner A's events: micro-1 shown first (weight 1), large shown third (0.5), B's shared medium shown without
  // a rank (1), and micro-2 opened (not an exposure).
  void RecordAsA() {
    v1::RecordFeedbackRequest request;
    auto add = [&](const std::string& owner, const std::string& id, int rank, v1::FeedbackAction action) {
      v1::FeedbackEvent* e = request.add_events();
      e->set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
      e->mutable_query()->set_id("tender");
      e->mutable_candidate()->set_owner(owner);
      e->mutable_candidate()->set_id(id);
      e->set_rank(rank);
      e->set_action(action);
    };
    add("partner-a", "micro-1", 1, v1::FEEDBACK_ACTION_SHOWN);
    add("partner-a", "large", 3, v1::FEEDBACK_ACTION_SHOWN);
    add("partner-b", "b-medium", 0, v1::FEEDBACK_ACTION_SHOWN);
    add("partner-a", "micro-2", 2, v1::FEEDBACK_ACTION_OPENED);
    v1::RecordFeedbackResponse response;
    grpc::Status status = feedback_->RecordFeedback(As(key_a_).get(), request, &response);
    ASSERT_TRUE(status.ok()) << StatusText(status);
  }

  v1::ExposureReportResponse Report(const std::string& key,
                                    const v1::ExposureReportRequest& request = v1::ExposureReportRequest()) {
    v1::ExposureReportResponse response;
    grpc::Status status = insights_->ExposureReport(As(key).get(), request, &response);
    EXPECT_TRUE(status.ok()) << StatusText(status);
    return response;
  }

  static const v1::SizeClassExposure& Row(const v1::ExposureReportResponse& report, v1::OrganizationSize size) {
    return report.classes(size);
  }

  std::unique_ptr<v1::FeedbackService::Stub> feedback_;
  std::unique_ptr<v1::InsightsService::Stub> insights_;
};

TEST_P(InsightsServiceTest, ExposureIsWeightedByRankBesideTheSuppliersTheCallerMaySee) {
  RecordAsA();
  const v1::ExposureReportResponse a = Report(key_a_);
  ASSERT_EQ(a.classes_size(), 5);
  EXPECT_EQ(a.shown_events(), 3);
  EXPECT_EQ(Row(a, v1::ORGANIZATION_SIZE_MICRO).appearances(), 1);
  EXPECT_DOUBLE_EQ(Row(a, v1::ORGANIZATION_SIZE_MICRO).exposure(), 1.0);
  EXPECT_DOUBLE_EQ(Row(a, v1::ORGANIZATION_SIZE_LARGE).exposure(), 0.5);  // 1 / log2(3 + 1)
  EXPECT_DOUBLE_EQ(Row(a, v1::ORGANIZATION_SIZE_MEDIUM).exposure(), 1.0);
  EXPECT_DOUBLE_EQ(Row(a, v1::ORGANIZATION_SIZE_MICRO).exposure_share(), 0.4);
  EXPECT_DOUBLE_EQ(a.sme_exposure_share(), 0.8);
  // Eligible: A's three suppliers and B's shared one; not B's private one.
  EXPECT_EQ(Row(a, v1::ORGANIZATION_SIZE_MICRO).eligible(), 2);
  EXPECT_EQ(Row(a, v1::ORGANIZATION_SIZE_LARGE).eligible(), 1);
  EXPECT_EQ(Row(a, v1::ORGANIZATION_SIZE_MEDIUM).eligible(), 1);
  EXPECT_DOUBLE_EQ(a.sme_eligible_share(), 0.75);
}

TEST_P(InsightsServiceTest, APartnerSeesNeitherAnothersEventsNorItsPrivateProfiles) {
  RecordAsA();
  const v1::ExposureReportResponse b = Report(key_b_);
  EXPECT_EQ(b.shown_events(), 0) << "A's events are A's";
  EXPECT_EQ(Row(b, v1::ORGANIZATION_SIZE_LARGE).eligible(), 2) << "B's own private supplier counts for B";
  // B makes its medium supplier private: A's report no longer counts A's event about it.
  MustUpsertAs(key_b_, {SupplierOf("b-medium", "ORGANIZATION_SIZE_MEDIUM", "VISIBILITY_PRIVATE")});
  const v1::ExposureReportResponse a = Report(key_a_);
  EXPECT_EQ(a.shown_events(), 2);
  EXPECT_EQ(Row(a, v1::ORGANIZATION_SIZE_MEDIUM).appearances(), 0);
  EXPECT_EQ(Row(a, v1::ORGANIZATION_SIZE_MEDIUM).eligible(), 0);
}

TEST_P(InsightsServiceTest, OnlyEventsOfThePeriodCount) {
  RecordAsA();
  v1::ExposureReportRequest later;
  later.mutable_start_time()->set_seconds(4102444800);  // 2100
  later.mutable_end_time()->set_seconds(4102444801);
  EXPECT_EQ(Report(key_a_, later).shown_events(), 0);
  v1::ExposureReportRequest backwards;
  backwards.mutable_start_time()->set_seconds(200);
  backwards.mutable_end_time()->set_seconds(100);
  v1::ExposureReportResponse ignored;
  EXPECT_TRUE(HasError(insights_->ExposureReport(As(key_a_).get(), backwards, &ignored),
                       grpc::StatusCode::INVALID_ARGUMENT, "end_time: must not be before start_time"));
}

TEST_P(InsightsServiceTest, TheHttpRouteTakesThePeriodInItsBody) {
  RecordAsA();
  const int port = PortFromLog(server_->Stderr(), "HTTP/JSON API on ");
  const std::string body = R"({"startTime": "2000-01-01T00:00:00Z"})";
  EXPECT_EQ(HttpCall(port, "POST", "/v1/insights:exposureReport", body).status, 401);
  HttpResult report =
      HttpCall(port, "POST", "/v1/insights:exposureReport", body, {{"Authorization", "Bearer " + key_a_}});
  EXPECT_EQ(report.status, 200) << report.body;
  EXPECT_NE(report.body.find("\"shownEvents\": \"3\""), std::string::npos) << report.body;
}

INSTANTIATE_ON_EACH_STORE(InsightsServiceTest);

}  // namespace
}  // namespace testing
}  // namespace circmatch
