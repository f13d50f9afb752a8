// Accountability on a real server: the audit log records who asked what and what they got, without personal
// data, and the Prometheus endpoint counts calls by method and code and shows the index size.
#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "http_client.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

// The value of one exposition line, e.g. Sample(text, "circmatch_index_profiles{kind=\"SUPPLIER\"}"); -1 if absent.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class AccountabilityTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--metrics_listen=127.0.0.1:0"}; }

  int MetricsPort() { return PortFromLog(server_->Stderr(), "metrics on "); }

  void WriteProfiles() {
    MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                    "needs": {"cpvCodes": ["39130000"]}})"),
                ProfileJson(R"({"id": "s-1", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                    "contact": {"name": "Sanne Bakker", "email": "sanne@meubel.example.nl", "shareConsent": true},
                    "capabilities": {"cpvCodes": ["39130000"], "text": "hergebruik van kantoormeubilair"}})"),
                ProfileJson(R"({"id": "s-2", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                    "capabilities": {"cpvCodes": ["39100000"]}})")});
  }
};

TEST_F(AccountabilityTest, MetricsCountCallsByMethodAndCodeAndShowTheIndexSize) {
  WriteProfiles();
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(SuggestSuppliers("t-1", 5, &response).ok());
  ASSERT_TRUE(SuggestSuppliers("t-1", 5, &response).ok());
  EXPECT_EQ(SuggestSuppliers("t-1", 0, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  const int port = MetricsPort();
  ASSERT_GT(port, 0) << server_->Stderr();
  const HttpResult http = HttpCall(port, "GET", "/metrics");
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(http.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = http.body;
  const std::string method = "method=\"/circmatch.v1.MatchingService/SuggestSuppliers\"";
  // Labels come in the order of their names.
  EXPECT_EQ(Sample(text, "circmatch_grpc_requests_total{code=\"OK\"," + method + "}"), 2) << text;
  EXPECT_EQ(Sample(text, "circmatch_grpc_requests_total{code=\"INVALID_ARGUMENT\"," + method + "}"), 1) << text;
  EXPECT_EQ(Sample(text,
                   "circmatch_grpc_requests_total{code=\"OK\","
                   "method=\"/circmatch.v1.ProfileService/UpsertProfiles\"}"),
            1);
  EXPECT_EQ(Sample(text, "circmatch_grpc_request_duration_seconds_count{" + method + "}"), 3);
  EXPECT_EQ(Sample(text, "circmatch_grpc_request_duration_seconds_bucket{" + method + ",le=\"+Inf\"}"), 3);
  EXPECT_EQ(Sample(text, "circmatch_index_profiles{kind=\"SUPPLIER\"}"), 2);
  EXPECT_EQ(Sample(text, "circmatch_index_profiles{kind=\"TENDER\"}"), 1);
  // Three profiles' packed bytes and text, at least.
  EXPECT_GT(Sample(text, "circmatch_index_memory_bytes{part=\"profiles\"}"), 0) << text;
  EXPECT_GT(Sample(text, "circmatch_index_memory_bytes{part=\"matrices\"}"), 0) << text;
  EXPECT_NE(text.find("# TYPE circmatch_grpc_request_duration_seconds histogram"), std::string::npos);

  EXPECT_EQ(HttpCall(port, "GET", "/other").status, 404);
}

// A method path is the client's to choose, with or without a key: one the server does not serve is counted under
// method="unknown", so it can neither write lines into /metrics nor grow it by a series per path.
TEST_F(AccountabilityTest, UnknownMethodPathsAreOneUnknownSeriesAndInjectNothing) {
  grpc::GenericStub stub(server_->channel());
  const auto call = [&](const std::string& method) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice empty("");
    const grpc::ByteBuffer request(&empty, 1);  // an empty message; a ByteBuffer of no slice is none
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  };
  constexpr int kPaths = 200;
  for (int i = 0; i < kPaths; ++i) {
    const grpc::Status status = call(absl::StrCat("/evil", i, "\"} 1\nfake_metric ", i, "\n"));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << StatusText(status);
  }
  EXPECT_EQ(call("/circmatch.v1.VocabularyService/ListVocabulary").error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  const HttpResult http = HttpCall(MetricsPort(), "GET", "/metrics");
  ASSERT_EQ(http.status, 200) << http.body;
  const std::string& text = http.body;
  EXPECT_EQ(text.find("evil"), std::string::npos) << text.substr(0, 2000);
  std::istringstream lines(text);
  std::string line;
  int unknown_series = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_EQ(line.rfind("circmatch_", 0), 0u) << "a line no metric of the server wrote: " << line;
    if (line.rfind("circmatch_grpc_requests_total{", 0) == 0 && line.find("method=\"unknown\"") != std::string::npos) {
      ++unknown_series;
    }
  }
  EXPECT_EQ(unknown_series, 1);
  EXPECT_EQ(Sample(text, "circmatch_grpc_requests_total{code=\"UNIMPLEMENTED\",method=\"unknown\"}"), kPaths);
  EXPECT_EQ(Sample(text,
                   "circmatch_grpc_requests_total{code=\"INVALID_ARGUMENT\","
                   "method=\"/circmatch.v1.VocabularyService/ListVocabulary\"}"),
            1);
  EXPECT_LT(text.size(), 16u * 1024) << "grew with the paths";
}

TEST_F(AccountabilityTest, TheAuditLogRecordsWhoAskedWhatAndGotWhatWithoutPersonalData) {
  WriteProfiles();
  v1::MatchFilter filter;
  filter.set_min_score(0.01);
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(SuggestSuppliers("t-1", 5, &response, filter).ok());
  ASSERT_GE(response.matches_size(), 1);
  ASSERT_EQ(response.matches(0).profile().contact().email(), "sanne@meubel.example.nl") << "consented, so returned";
  EXPECT_EQ(SuggestSuppliers("missing", 5, &response).error_code(), grpc::StatusCode::NOT_FOUND);

  const std::string log = ReadFile(server_->data_dir() + "/audit.log");
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u) << log;
  // The first line: partner, method, code, the request as sent, and the result's ids, scores and index version.
  EXPECT_NE(lines[0].find("\"partner\": \"local\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"method\": \"SuggestSuppliers\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"code\": \"OK\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"tenderRef\":{\"id\":\"t-1\"}"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"minScore\":0.01"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"id\":\"s-1\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"indexVersion\":\"" + std::to_string(response.index_version()) + "\""), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("\"code\": \"NOT_FOUND\""), std::string::npos) << lines[1];
  // No personal data: neither the contact nor the free text of the matched supplier.
  EXPECT_EQ(log.find("sanne"), std::string::npos) << log;
  EXPECT_EQ(log.find("Bakker"), std::string::npos);
  EXPECT_EQ(log.find("kantoormeubilair"), std::string::npos);
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
