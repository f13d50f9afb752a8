// The shared MatchQuery of the four ranked calls on a real server with the sample data: a request that sets the
// deprecated fields 3 to 7 instead, as clients built on v1.0 do, gets the very answer of the same `query`, over gRPC
// and over HTTP/JSON; a request setting both is refused; errors name the field as the request set it.
#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <vector>

#include "http_client.h"
#include "service_test_util.h"

// This test writes the deprecated fields, as v1.0 clients do.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace circmatch {
namespace testing {
namespace {

using google::protobuf::util::MessageDifferencer;

// A query that sets each of MatchQuery's fields.
v1::MatchQuery FullQuery() {
  return FromJson<v1::MatchQuery>(R"({"k": 7, "weights": {"cpv": 0.5, "text": 0.4},
      "filter": {"maxDistanceKm": 120, "minScore": 0.05, "excludeOrganizations": ["Gemeente Almere"]},
      "rankProfile": "builtin", "diversity": {"maxPerOrganization": 1}})");
}

// `request` with `query`'s fields written into the deprecated fields.
template <typename Request>
Request WithDeprecatedFields(Request request, const v1::MatchQuery& query) {
  request.set_k(query.k());
  if (query.has_weights()) *request.mutable_weights() = query.weights();
  if (query.has_filter()) *request.mutable_filter() = query.filter();
  request.set_rank_profile(query.rank_profile());
  if (query.has_diversity()) *request.mutable_diversity() = query.diversity();
  return request;
}

class MatchQueryTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {std::string("--sample_data=") + CIRCMATCH_SAMPLE_DATA, "--http_listen=127.0.0.1:0"};
  }

  // Runs `call` with `query` in `query` and in the deprecated fields, and expects the same answer, not empty.
  template <typename Request, typename Response, typename Call>
  void ExpectTheSameAnswer(const Request& request_without_query, Call call) {
    Request with_query = request_without_query;
    *with_query.mutable_query() = FullQuery();
    const Request with_deprecated = WithDeprecatedFields(request_without_query, FullQuery());
    Response by_query, by_deprecated;
    grpc::Status status = call(with_query, &by_query);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    status = call(with_deprecated, &by_deprecated);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    EXPECT_GT(by_query.matches_size(), 0) << "nothing compared";
    EXPECT_TRUE(MessageDifferencer::Equals(by_query, by_deprecated)) << by_query.ShortDebugString() << "\n  vs\n"
                                                                     << by_deprecated.ShortDebugString();
  }
};

TEST_F(MatchQueryTest, EachRankedCallAnswersItsDeprecatedFieldsAsItsQuery) {
  v1::SuggestSuppliersRequest suppliers;
  suppliers.mutable_tender_ref()->set_id("tender-0001");
  ExpectTheSameAnswer<v1::SuggestSuppliersRequest, v1::SuggestSuppliersResponse>(
      suppliers, [&](const auto& request, auto* response) {
        return matching_->SuggestSuppliers(Context().get(), request, response);
      });

  v1::SuggestTendersRequest tenders;
  // An inline supplier with the codes of many sample tenders, so that some are open.
  *tenders.mutable_supplier_profile() = ProfileJson(R"({"kind": "PROFILE_KIND_SUPPLIER",
      "location": {"municipality": "Zwolle"}, "capabilities": {"cpvCodes": ["45000000", "39000000", "90000000"],
      "text": "hergebruik renovatie meubilair"}})");
  ExpectTheSameAnswer<v1::SuggestTendersRequest, v1::SuggestTendersResponse>(
      tenders, [&](const auto& request, auto* response) {
        return matching_->SuggestTenders(Context().get(), request, response);
      });

  v1::FindBuddiesRequest buddies;
  buddies.mutable_buddy_ref()->set_id("buddy-0001");
  ExpectTheSameAnswer<v1::FindBuddiesRequest, v1::FindBuddiesResponse>(
      buddies,
      [&](const auto& request, auto* response) { return matching_->FindBuddies(Context().get(), request, response); });

  v1::FindSimilarBuyersRequest buyers;
  buyers.mutable_buyer_ref()->set_id("buyer-0002");
  ExpectTheSameAnswer<v1::FindSimilarBuyersRequest, v1::FindSimilarBuyersResponse>(
      buyers, [&](const auto& request, auto* response) {
        return matching_->FindSimilarBuyers(Context().get(), request, response);
      });
}

TEST_F(MatchQueryTest, TheQueryRanksByEachOfItsFields) {
  v1::SuggestSuppliersRequest request;
  request.mutable_tender_ref()->set_id("tender-0001");
  *request.mutable_query() = FullQuery();
  v1::SuggestSuppliersResponse full;
  grpc::Status status = matching_->SuggestSuppliers(Context().get(), request, &full);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(full.matches_size(), 7);
  EXPECT_EQ(full.rank_profile(), "builtin");
  EXPECT_DOUBLE_EQ(full.weights().cpv() / full.weights().text(), 0.5 / 0.4);
  for (const v1::Match& match : full.matches()) {
    EXPECT_GE(match.score(), 0.05);
    ASSERT_TRUE(match.explanation().has_distance_km());
    EXPECT_LE(match.explanation().distance_km(), 120);
    EXPECT_GT(match.explanation().score_rank(), 0) << "ranked with diversity";
  }

  request.mutable_query()->clear_diversity();
  request.mutable_query()->clear_filter();
  request.mutable_query()->clear_weights();
  v1::SuggestSuppliersResponse bare;
  status = matching_->SuggestSuppliers(Context().get(), request, &bare);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_NE(bare.weights().cpv() / bare.weights().text(), 0.5 / 0.4) << "the default weights";
  EXPECT_EQ(bare.matches(0).explanation().score_rank(), 0) << "no diversity";
}

TEST_F(MatchQueryTest, QueryAndADeprecatedFieldTogetherAreRefusedNamingThem) {
  v1::SuggestSuppliersRequest request;
  request.mutable_tender_ref()->set_id("tender-0001");
  *request.mutable_query() = FullQuery();
  request.mutable_filter()->set_max_distance_km(10);
  request.set_rank_profile("builtin");
  v1::SuggestSuppliersResponse response;
  grpc::Status status = matching_->SuggestSuppliers(Context().get(), request, &response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT,
                       "query: set together with the deprecated filter, rank_profile"))
      << StatusText(status);

  v1::FindBuddiesRequest buddies;
  buddies.mutable_buddy_ref()->set_id("buddy-0001");
  buddies.mutable_query()->set_k(3);
  buddies.set_k(3);
  v1::FindBuddiesResponse buddies_response;
  status = matching_->FindBuddies(Context().get(), buddies, &buddies_response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "query: set together with the deprecated k"))
      << StatusText(status);
}

TEST_F(MatchQueryTest, ErrorsNameTheFieldAsTheRequestSetIt) {
  v1::SuggestTendersRequest request;
  request.mutable_supplier_ref()->set_id("supplier-0001");
  v1::SuggestTendersResponse response;
  // Neither: the query's k is missing.
  grpc::Status status = matching_->SuggestTenders(Context().get(), request, &response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "query.k: must be 1 to 1000, got 0"))
      << StatusText(status);

  request.mutable_query()->set_k(5);
  request.mutable_query()->mutable_filter()->set_min_score(2);
  status = matching_->SuggestTenders(Context().get(), request, &response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "query.filter.min_score")) << StatusText(status);

  request.mutable_query()->mutable_filter()->clear_min_score();
  request.mutable_query()->set_rank_profile("no such profile");
  status = matching_->SuggestTenders(Context().get(), request, &response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "query.rank_profile")) << StatusText(status);

  request.clear_query();
  request.set_k(5);
  request.mutable_diversity()->set_spread(2);
  status = matching_->SuggestTenders(Context().get(), request, &response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "diversity.spread: must be 0 to 1"))
      << StatusText(status);
  EXPECT_EQ(status.error_message().rfind("query.", 0), std::string::npos) << status.error_message();
}

TEST_F(MatchQueryTest, OverHttpTheV1BodyAndTheQueryBodyGetTheSameAnswer) {
  const int port = PortFromLog(server_->Stderr(), "HTTP/JSON API on ");
  ASSERT_GT(port, 0) << server_->Stderr();
  const std::string query = ToJson(FullQuery());
  const HttpResult by_query = HttpCall(port, "POST", "/v1/matching/suppliers:suggest",
                                       R"({"tenderRef": {"id": "tender-0001"}, "query": )" + query + "}");
  ASSERT_EQ(by_query.status, 200) << by_query.body;
  // The v1.0 body: the query's fields at the top level.
  const HttpResult by_fields = HttpCall(port, "POST", "/v1/matching/suppliers:suggest",
                                        R"({"tenderRef": {"id": "tender-0001"}, )" + query.substr(1));
  ASSERT_EQ(by_fields.status, 200) << by_fields.body;
  EXPECT_EQ(FromJson<v1::SuggestSuppliersResponse>(by_query.body).matches_size(), 7);
  EXPECT_TRUE(MessageDifferencer::Equals(FromJson<v1::SuggestSuppliersResponse>(by_query.body),
                                         FromJson<v1::SuggestSuppliersResponse>(by_fields.body)));
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
