// A generic gRPC client nobody here wrote, `buf curl` (npm @bufbuild/buf, installed by
// `npm ci --prefix tests/service/generic_client`), lists and calls circmatch-server's methods through server
// reflection alone. Fails, rather than skips, when buf is not installed.
#include <unistd.h>

#include <string>
#include <vector>

#include "service_test_util.h"
#include "subprocess.h"

#ifndef CIRCMATCH_BUF_PATH
#error "CIRCMATCH_BUF_PATH must name tests/service/generic_client/node_modules/.bin/buf"
#endif

namespace circmatch {
namespace testing {
namespace {

class GenericClientTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(access(CIRCMATCH_BUF_PATH, X_OK), 0)
        << "buf is not installed at " << CIRCMATCH_BUF_PATH
        << "; run: npm ci --prefix tests/service/generic_client (scripts/install-deps.sh --with-test-tools)";
    ServerTest::SetUp();
  }

  std::string BaseUrl() const { return "http://" + server_->address(); }

  // Runs `buf curl --protocol grpc --http2-prior-knowledge args...` with its cache in the test's temp folder.
  CommandResult BufCurl(std::vector<std::string> args) {
    args.insert(args.begin(), {CIRCMATCH_BUF_PATH, "curl", "--protocol", "grpc", "--http2-prior-knowledge"});
    const std::string scratch = server_->data_dir() + "/../buf-cache";
    return RunCommand(args, "", std::chrono::seconds(60), {"BUF_CACHE_DIR=" + scratch});
  }
};

TEST_F(GenericClientTest, ListMethodsShowsEveryServiceThroughReflection) {
  CommandResult result = BufCurl({"--list-methods", BaseUrl()});
  ASSERT_EQ(result.exit_code, 0) << result.Describe();
  for (const std::string method :
       {"circmatch.v1.ProfileService/UpsertProfiles", "circmatch.v1.ProfileService/ImportProfiles",
        "circmatch.v1.ProfileService/ListProfiles", "circmatch.v1.MatchingService/SuggestSuppliers",
        "circmatch.v1.MatchingService/ExplainMatch", "circmatch.v1.VocabularyService/ListVocabulary",
        "grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch"}) {
    EXPECT_NE(result.out.find(method), std::string::npos) << method << " not listed:\n" << result.Describe();
  }
}

TEST_F(GenericClientTest, SuggestSuppliersAndHealthCheckCalledByBuf) {
  MustUpsert({ProfileJson(R"({"id": "t-buf", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                  "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]}})"),
              ProfileJson(R"({"id": "s-buf-1", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                  "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": ["39131000"]}})"),
              ProfileJson(R"({"id": "s-buf-2", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                  "location": {"municipality": "Zwolle"}, "capabilities": {"cpvCodes": ["45000000"]}})")});
  CommandResult suggest = BufCurl(
      {"-d", R"({"tenderRef":{"id":"t-buf"},"k":3})", BaseUrl() + "/circmatch.v1.MatchingService/SuggestSuppliers"});
  ASSERT_EQ(suggest.exit_code, 0) << suggest.Describe();
  auto response = FromJson<v1::SuggestSuppliersResponse>(suggest.out);
  ASSERT_GE(response.matches_size(), 1) << suggest.out;
  EXPECT_EQ(response.matches(0).profile().id(), "s-buf-1");
  EXPECT_GT(response.matches(0).score(), 0);

  CommandResult check = BufCurl({BaseUrl() + "/grpc.health.v1.Health/Check"});
  ASSERT_EQ(check.exit_code, 0) << check.Describe();
  EXPECT_EQ(FromJson<grpc::health::v1::HealthCheckResponse>(check.out).status(),
            grpc::health::v1::HealthCheckResponse::SERVING);

  // An error comes back with its gRPC code (buf exits with the code shifted left by 3) and the field.
  CommandResult invalid = BufCurl(
      {"-d", R"({"tenderRef":{"id":"t-buf"},"k":0})", BaseUrl() + "/circmatch.v1.MatchingService/SuggestSuppliers"});
  EXPECT_EQ(invalid.exit_code, static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT) << 3) << invalid.Describe();
  EXPECT_NE((invalid.out + invalid.err).find("k: "), std::string::npos) << invalid.Describe();
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
