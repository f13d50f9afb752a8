// Every validation error of the API, end to end: the status code, a message that names the field, and nothing
// half-written. The server runs with --embedding_dimension=4 so embeddings are accepted and checked.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

v1::Profile Supplier(const std::string& id, const std::string& name = "") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "displayName": ")" + name +
                     R"(", "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": ["39130000"]}})");
}

class ValidationTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--embedding_dimension=4"}; }
};

TEST_F(ValidationTest, UnknownCpvCodeIsRejectedNamingTheField) {
  v1::Profile tender = ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER",
      "needs": {"cpvCodes": ["39130000", "39139999"]}})");
  grpc::Status status = Upsert({Supplier("s-0"), tender});
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[1].needs.cpv_codes[1]"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "39139999"));
}

TEST_F(ValidationTest, UnknownMunicipalityIsRejectedNamingTheField) {
  v1::Profile profile = Supplier("s-1");
  profile.mutable_location()->set_municipality("Atlantis");
  grpc::Status status = Upsert({profile});
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[0].location.municipality"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "Atlantis"));
}

TEST_F(ValidationTest, EmbeddingOfTheRightSizeIsAccepted) {
  v1::Profile profile = Supplier("s-1");
  for (float value : {0.1f, 0.2f, 0.3f, 0.4f}) profile.add_embedding(value);
  grpc::Status status = Upsert({profile});
  EXPECT_TRUE(status.ok()) << StatusText(status);
}

TEST_F(ValidationTest, NanInAnEmbeddingIsRejectedNamingTheElement) {
  v1::Profile profile = Supplier("s-1");
  for (float value : {0.1f, 0.2f, std::numeric_limits<float>::quiet_NaN(), 0.4f}) profile.add_embedding(value);
  grpc::Status status = Upsert({profile});
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[0].embedding[2]"));

  v1::Profile infinite = Supplier("s-2");
  for (float value : {0.1f, std::numeric_limits<float>::infinity(), 0.3f, 0.4f}) infinite.add_embedding(value);
  EXPECT_TRUE(HasError(Upsert({infinite}), grpc::StatusCode::INVALID_ARGUMENT, "profiles[0].embedding[1]"));
}

TEST_F(ValidationTest, EmbeddingOfTheWrongSizeIsRejectedNamingTheField) {
  v1::Profile profile = Supplier("s-1");
  for (float value : {0.1f, 0.2f, 0.3f}) profile.add_embedding(value);
  grpc::Status status = Upsert({profile});
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[0].embedding"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "4"));  // the expected dimension
}

TEST_F(ValidationTest, EmptyIdIsRejectedNamingTheField) {
  EXPECT_TRUE(HasError(Upsert({Supplier("")}), grpc::StatusCode::INVALID_ARGUMENT, "profiles[0].id"));
  v1::GetProfileRequest request;  // a ref without id
  v1::GetProfileResponse response;
  request.mutable_ref();
  EXPECT_TRUE(HasError(profiles_->GetProfile(Context().get(), request, &response), grpc::StatusCode::INVALID_ARGUMENT,
                       "ref.id"));
}

TEST_F(ValidationTest, UnspecifiedKindIsRejectedNamingTheField) {
  v1::Profile profile = Supplier("s-1");
  profile.set_kind(v1::PROFILE_KIND_UNSPECIFIED);
  EXPECT_TRUE(HasError(Upsert({Supplier("s-0"), profile}), grpc::StatusCode::INVALID_ARGUMENT, "profiles[1].kind"));
}

TEST_F(ValidationTest, KOutsideOneToThousandIsRejectedNamingTheField) {
  MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "needs": {"cpvCodes": ["39130000"]}})"),
              Supplier("s-1")});
  for (int k : {0, 1001, -1}) {
    v1::SuggestSuppliersResponse response;
    grpc::Status status = SuggestSuppliers("t-1", k, &response);
    EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "k: ")) << "k = " << k;
    EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, std::to_string(k))) << "k = " << k;
  }
  for (int k : {1, 1000}) {
    v1::SuggestSuppliersResponse response;
    grpc::Status status = SuggestSuppliers("t-1", k, &response);
    EXPECT_TRUE(status.ok()) << "k = " << k << ": " << StatusText(status);
  }
}

TEST_F(ValidationTest, MissingTenderIsNotFoundNamingTheRef) {
  v1::SuggestSuppliersResponse response;
  grpc::Status status = SuggestSuppliers("no-such-tender", 5, &response);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::NOT_FOUND, "tender_ref"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::NOT_FOUND, "no-such-tender"));

  v1::SuggestSuppliersRequest no_tender;  // the oneof left unset
  no_tender.mutable_query()->set_k(5);
  EXPECT_TRUE(HasError(matching_->SuggestSuppliers(Context().get(), no_tender, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, "tender"));
}

TEST_F(ValidationTest, DuplicateIdsInOneBatchAreRejectedAndNothingIsStored) {
  grpc::Status status = Upsert({Supplier("a"), Supplier("dup"), Supplier("dup")});
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[2].id"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "dup"));
  EXPECT_TRUE(ListIds().empty());
}

TEST_F(ValidationTest, BadPageTokenIsRejectedNamingTheField) {
  MustUpsert({Supplier("s-1"), Supplier("s-2")});
  v1::ListProfilesRequest request;
  request.set_page_token("this-is-not-a-token");
  v1::ListProfilesResponse response;
  EXPECT_TRUE(HasError(profiles_->ListProfiles(Context().get(), request, &response), grpc::StatusCode::INVALID_ARGUMENT,
                       "page_token"));

  v1::ListVocabularyRequest vocabulary_request;
  vocabulary_request.set_list(v1::VOCABULARY_LIST_CPV);
  vocabulary_request.set_page_token("%%%garbage");
  v1::ListVocabularyResponse vocabulary_response;
  EXPECT_TRUE(HasError(vocabulary_->ListVocabulary(Context().get(), vocabulary_request, &vocabulary_response),
                       grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_F(ValidationTest, ListVocabularyWithoutListIsRejectedNamingTheField) {
  v1::ListVocabularyRequest request;
  request.set_query("hout");
  v1::ListVocabularyResponse response;
  EXPECT_TRUE(HasError(vocabulary_->ListVocabulary(Context().get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, "list"));
}

TEST_F(ValidationTest, BatchWithOneBadProfileLeavesNoneOfTheBatchStored) {
  MustUpsert({Supplier("existing", "Old name")});
  v1::Profile bad = Supplier("bad");
  bad.mutable_location()->set_municipality("Atlantis");
  grpc::Status status = Upsert({Supplier("new-1"), Supplier("existing", "New name"), Supplier("new-2"), bad});
  ASSERT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[3].location.municipality"));

  EXPECT_EQ(Get("new-1").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("new-2").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("bad").error_code(), grpc::StatusCode::NOT_FOUND);
  v1::Profile existing;
  ASSERT_TRUE(Get("existing", &existing).ok());
  EXPECT_EQ(existing.display_name(), "Old name") << "a rejected batch replaced a stored profile";
  EXPECT_EQ(ListIds(), std::vector<std::string>({"existing"}));

  // Nor in the index: matching still sees only the old profile.
  v1::SuggestSuppliersRequest request;
  *request.mutable_tender_profile() =
      ProfileJson(R"({"id": "q", "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]}})");
  request.mutable_query()->set_k(10);
  v1::SuggestSuppliersResponse response;
  status = matching_->SuggestSuppliers(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(IdsOf(response.matches()), std::vector<std::string>({"existing"}));
  EXPECT_EQ(response.matches(0).profile().display_name(), "Old name");
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
