// End-to-end tests of circmatch.v1.VocabularyService and grpc.health.v1.Health on a real circmatch-server.
#include <string>
#include <vector>

#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

using HealthCheckRequest = grpc::health::v1::HealthCheckRequest;
using HealthCheckResponse = grpc::health::v1::HealthCheckResponse;

class VocabularyTest : public ServerTest {
 protected:
  grpc::Status List(v1::VocabularyList list, const std::string& query, const std::string& parent,
                    v1::ListVocabularyResponse* response, int page_size = 100) {
    v1::ListVocabularyRequest request;
    request.set_list(list);
    request.set_query(query);
    request.set_parent_code(parent);
    request.set_page_size(page_size);
    return vocabulary_->ListVocabulary(Context().get(), request, response);
  }

  static std::vector<std::string> Codes(const v1::ListVocabularyResponse& response) {
    std::vector<std::string> codes;
    for (const v1::VocabularyTerm& term : response.terms()) codes.push_back(term.code().substr(0, 8));
    return codes;
  }
};

TEST_F(VocabularyTest, CpvSearchInDutchAndEnglishFindsOfficeFurniture) {
  for (const std::string query : {"kantoormeubilair", "office furniture", "KANTOORMEUBILAIR"}) {
    v1::ListVocabularyResponse response;
    grpc::Status status = List(v1::VOCABULARY_LIST_CPV, query, "", &response);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    EXPECT_TRUE(Contains(Codes(response), "39130000")) << query << ": " << ToJson(response);
    EXPECT_GE(response.total_count(), response.terms_size());
    EXPECT_LT(response.total_count(), 200) << query << " must filter";
  }
  v1::ListVocabularyResponse response;
  ASSERT_TRUE(List(v1::VOCABULARY_LIST_CPV, "kantoormeubilair", "", &response).ok());
  for (const v1::VocabularyTerm& term : response.terms()) {
    if (term.code().rfind("39130000", 0) != 0) continue;
    EXPECT_EQ(term.label_en(), "Office furniture");
    EXPECT_EQ(term.label_nl(), "Kantoormeubilair");
    EXPECT_EQ(term.parent_code().substr(0, 8), "39100000");
  }
}

TEST_F(VocabularyTest, CpvParentCodeListsItsDirectChildren) {
  v1::ListVocabularyResponse response;
  grpc::Status status = List(v1::VOCABULARY_LIST_CPV, "", "39100000", &response, 1000);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  std::vector<std::string> codes = Codes(response);
  EXPECT_TRUE(Contains(codes, "39130000"));
  EXPECT_TRUE(Contains(codes, "39150000"));
  EXPECT_FALSE(Contains(codes, "39131000")) << "a grandchild is not a direct child";
  EXPECT_FALSE(Contains(codes, "39100000"));
  for (const v1::VocabularyTerm& term : response.terms()) {
    EXPECT_EQ(term.parent_code().substr(0, 8), "39100000") << term.code();
  }
  EXPECT_EQ(response.total_count(), response.terms_size());
}

TEST_F(VocabularyTest, MunicipalityZwolleIsGM0193InOverijssel) {
  v1::ListVocabularyResponse response;
  grpc::Status status = List(v1::VOCABULARY_LIST_MUNICIPALITIES, "Zwolle", "", &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  const v1::VocabularyTerm* zwolle = nullptr;
  for (const v1::VocabularyTerm& term : response.terms()) {
    if (term.code() == "GM0193") zwolle = &term;
  }
  ASSERT_NE(zwolle, nullptr) << ToJson(response);
  EXPECT_EQ(zwolle->parent_code(), "Overijssel");
  EXPECT_NEAR(zwolle->latitude(), 52.52, 0.05);
  EXPECT_NEAR(zwolle->longitude(), 6.12, 0.05);
}

TEST_F(VocabularyTest, PagingOverTheStrategiesGivesAllTenOnce) {
  v1::ListVocabularyRequest request;
  request.set_list(v1::VOCABULARY_LIST_STRATEGIES);
  request.set_page_size(4);
  std::vector<std::string> codes;
  for (int page = 0; page < 10; ++page) {
    v1::ListVocabularyResponse response;
    grpc::Status status = vocabulary_->ListVocabulary(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    EXPECT_EQ(response.total_count(), 10);
    for (const v1::VocabularyTerm& term : response.terms()) codes.push_back(term.code());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(codes, std::vector<std::string>({"R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"}));
}

using HealthTest = ServerTest;

TEST_F(HealthTest, CheckIsServingForTheServerAndEachService) {
  for (const std::string service : {"", "circmatch.v1.ProfileService", "circmatch.v1.MatchingService",
                                    "circmatch.v1.VocabularyService", "grpc.health.v1.Health"}) {
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status status = health_->Check(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << "\"" << service << "\": " << StatusText(status);
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << "\"" << service << "\"";
  }
}

TEST_F(HealthTest, CheckOfAnUnknownServiceIsNotFound) {
  HealthCheckRequest request;
  request.set_service("circmatch.v1.NoSuchService");
  HealthCheckResponse response;
  EXPECT_EQ(health_->Check(Context().get(), request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(HealthTest, WatchSendsServingFirst) {
  for (const std::string service : {"", "circmatch.v1.MatchingService"}) {
    auto context = Context();
    HealthCheckRequest request;
    request.set_service(service);
    auto reader = health_->Watch(context.get(), request);
    HealthCheckResponse response;
    ASSERT_TRUE(reader->Read(&response)) << "no first message for \"" << service << "\"";
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << "\"" << service << "\"";
    context->TryCancel();
    HealthCheckResponse ignored;
    while (reader->Read(&ignored)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
}

TEST_F(HealthTest, WatchOfAnUnknownServiceSaysServiceUnknown) {
  auto context = Context();
  HealthCheckRequest request;
  request.set_service("circmatch.v1.NoSuchService");
  auto reader = health_->Watch(context.get(), request);
  HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVICE_UNKNOWN);
  context->TryCancel();
  while (reader->Read(&response)) {
  }
  reader->Finish();
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
