// The HTTP/JSON API on a real server: each annotated call answers over HTTP with the same result as over gRPC,
// path variables and query parameters fill the request, errors carry the gRPC code mapped to an HTTP status, and
// API keys are the same.
#include <google/protobuf/struct.pb.h>

#include <string>
#include <vector>

#include "http_client.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

class HttpGatewayTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }

  int Port() { return PortFromLog(server_->Stderr(), "HTTP/JSON API on "); }

  void WriteProfiles() {
    MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
                    "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"], "strategies": ["R3"]}})"),
                ProfileJson(R"({"id": "s-1", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                    "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": ["39130000"]}})"),
                ProfileJson(R"({"id": "s-2", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                    "location": {"municipality": "Zwolle"}, "capabilities": {"cpvCodes": ["39100000"], "strategies": ["R3"]}})")});
  }
};

TEST_F(HttpGatewayTest, SuggestSuppliersOverHttpEqualsTheGrpcAnswer) {
  WriteProfiles();
  const int port = Port();
  ASSERT_GT(port, 0) << server_->Stderr();
  const HttpResult http = HttpCall(port, "POST", "/v1/matching/suppliers:suggest",
                                   R"({"tenderRef": {"id": "t-1"}, "k": 5})", {{"Content-Type", "application/json"}});
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(http.headers.at("content-type"), "application/json; charset=utf-8");
  const auto over_http = FromJson<v1::SuggestSuppliersResponse>(http.body);
  v1::SuggestSuppliersResponse over_grpc;
  ASSERT_TRUE(SuggestSuppliers("t-1", 5, &over_grpc).ok());
  ASSERT_EQ(over_http.matches_size(), 2);
  EXPECT_EQ(IdsOf(over_http.matches()), IdsOf(over_grpc.matches()));
  EXPECT_DOUBLE_EQ(over_http.matches(0).score(), over_grpc.matches(0).score());
  EXPECT_EQ(over_http.matches(0).explanation().facets_size(), over_grpc.matches(0).explanation().facets_size());
  EXPECT_EQ(over_http.index_version(), over_grpc.index_version());
}

TEST_F(HttpGatewayTest, PathVariablesAndQueryParametersFillTheRequest) {
  WriteProfiles();
  const int port = Port();
  HttpResult got = HttpCall(port, "GET", "/v1/profiles/local/s-1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(FromJson<v1::GetProfileResponse>(got.body).profile().id(), "s-1");

  HttpResult listed = HttpCall(port, "GET", "/v1/profiles?kind=PROFILE_KIND_SUPPLIER&page_size=1");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto page = FromJson<v1::ListProfilesResponse>(listed.body);
  ASSERT_EQ(page.profiles_size(), 1);
  EXPECT_EQ(page.profiles(0).id(), "s-1");
  EXPECT_FALSE(page.next_page_token().empty());

  HttpResult terms =
      HttpCall(port, "GET", "/v1/vocabulary?list=VOCABULARY_LIST_CPV&query=%6Bantoormeubilair&page_size=3");
  ASSERT_EQ(terms.status, 200) << terms.body;
  EXPECT_NE(terms.body.find("39130000"), std::string::npos) << terms.body;

  HttpResult deleted = HttpCall(port, "DELETE", "/v1/profiles/local/s-2");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(Get("s-2").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(HttpGatewayTest, ErrorsMapToHttpStatusesAndNameTheField) {
  WriteProfiles();
  const int port = Port();
  HttpResult bad_k =
      HttpCall(port, "POST", "/v1/matching/suppliers:suggest", R"({"tenderRef": {"id": "t-1"}, "k": 0})");
  EXPECT_EQ(bad_k.status, 400);
  EXPECT_NE(bad_k.body.find("\"status\": \"INVALID_ARGUMENT\""), std::string::npos) << bad_k.body;
  EXPECT_NE(bad_k.body.find("k: "), std::string::npos) << bad_k.body;

  HttpResult missing =
      HttpCall(port, "POST", "/v1/matching/suppliers:suggest", R"({"tenderRef": {"id": "nope"}, "k": 3})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("tender_ref"), std::string::npos) << missing.body;

  HttpResult not_json = HttpCall(port, "POST", "/v1/matching/suppliers:suggest", "{k: ");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_NE(not_json.body.find("body"), std::string::npos) << not_json.body;

  HttpResult bad_query = HttpCall(port, "GET", "/v1/profiles?page_size=many");
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_NE(bad_query.body.find("page_size"), std::string::npos) << bad_query.body;

  EXPECT_EQ(HttpCall(port, "GET", "/v1/nothing-here").status, 404);
  EXPECT_EQ(HttpCall(port, "PUT", "/v1/profiles").status, 405);
}

// An error body is JSON, so UTF-8, also when its message echoes bytes of the request that are not: each such
// byte becomes U+FFFD.
TEST_F(HttpGatewayTest, AnErrorThatEchoesBytesThatAreNotUtf8IsStillJson) {
  const int port = Port();
  HttpResult bad = HttpCall(port, "GET", "/v1/profiles?page_size=%FF%C3%A9");
  ASSERT_EQ(bad.status, 400) << bad.body;
  const auto body = FromJson<google::protobuf::Struct>(bad.body);
  ASSERT_EQ(body.fields().count("message"), 1) << bad.body;
  EXPECT_EQ(body.fields().at("message").string_value(), "page_size: expected an integer, got \"\xEF\xBF\xBD\xC3\xA9\"");
}

// Proto strings are UTF-8: a path variable or query parameter that decodes to other bytes is refused, naming
// it, rather than forwarded as a request that the handler cannot parse.
TEST_F(HttpGatewayTest, PathVariablesAndParametersThatAreNotUtf8AreRefused) {
  WriteProfiles();
  const int port = Port();
  HttpResult id = HttpCall(port, "GET", "/v1/profiles/local/s-1%FF");
  EXPECT_EQ(id.status, 400) << id.body;
  EXPECT_NE(id.body.find("ref.id: "), std::string::npos) << id.body;
  HttpResult query = HttpCall(port, "GET", "/v1/vocabulary?list=VOCABULARY_LIST_CPV&query=caf%E9");
  EXPECT_EQ(query.status, 400) << query.body;
  EXPECT_NE(query.body.find("query: "), std::string::npos) << query.body;
  EXPECT_EQ(HttpCall(port, "GET", "/v1/vocabulary?list=VOCABULARY_LIST_CPV&query=caf%C3%A9").status, 200);
}

// A field that the path sets is not set again by a query parameter: the path names the profile.
TEST_F(HttpGatewayTest, AQueryParameterDoesNotOverrideAPathVariable) {
  WriteProfiles();
  const int port = Port();
  HttpResult other = HttpCall(port, "GET", "/v1/profiles/local/s-1?ref.id=s-2");
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_NE(other.body.find("ref.id: "), std::string::npos) << other.body;
  HttpResult owner = HttpCall(port, "DELETE", "/v1/profiles/someone-else/s-2?ref.owner=local");
  EXPECT_EQ(owner.status, 400) << owner.body;
  EXPECT_EQ(Get("s-2").error_code(), grpc::StatusCode::OK);
}

// A call whose body is the whole request takes no query parameters: `k` in the query would otherwise set again,
// unseen, the `k` of the body.
TEST_F(HttpGatewayTest, ACallWithItsRequestInTheBodyRefusesQueryParameters) {
  WriteProfiles();
  const int port = Port();
  HttpResult overridden =
      HttpCall(port, "POST", "/v1/matching/suppliers:suggest?k=1", R"({"tenderRef": {"id": "t-1"}, "k": 5})");
  EXPECT_EQ(overridden.status, 400) << overridden.body;
  EXPECT_NE(overridden.body.find("query: "), std::string::npos) << overridden.body;
  HttpResult plain =
      HttpCall(port, "POST", "/v1/matching/suppliers:suggest", R"({"tenderRef": {"id": "t-1"}, "k": 5})");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(FromJson<v1::SuggestSuppliersResponse>(plain.body).matches_size(), 2);
}

class HttpGatewayWithKeysTest : public TwoPartnerServerTest {
 protected:
  std::vector<std::string> MoreServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }
};

TEST_F(HttpGatewayWithKeysTest, TheAuthorizationHeaderCarriesTheSameApiKey) {
  const int port = PortFromLog(server_->Stderr(), "HTTP/JSON API on ");
  const std::string profile = R"({"profiles": [{"id": "s-1", "kind": "PROFILE_KIND_SUPPLIER",
      "capabilities": {"cpvCodes": ["39130000"]}}]})";
  HttpResult without = HttpCall(port, "POST", "/v1/profiles", profile);
  EXPECT_EQ(without.status, 401);
  EXPECT_NE(without.body.find("UNAUTHENTICATED"), std::string::npos);
  HttpResult with = HttpCall(port, "POST", "/v1/profiles", profile, {{"Authorization", "Bearer " + key_a_}});
  EXPECT_EQ(with.status, 200) << with.body;
  HttpResult own = HttpCall(port, "GET", "/v1/profiles/partner-a/s-1", "", {{"Authorization", "Bearer " + key_a_}});
  EXPECT_EQ(own.status, 200) << own.body;
  HttpResult others =
      HttpCall(port, "DELETE", "/v1/profiles/partner-b/s-1", "", {{"Authorization", "Bearer " + key_a_}});
  EXPECT_EQ(others.status, 403) << others.body;
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
