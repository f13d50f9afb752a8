// GDPR erasure on a real server: a deleted profile is gone from results at once and its bytes are gone from the
// SQLite files (database and WAL) when the call returns; EraseContact erases every profile of one person.
#include <fstream>
#include <sstream>
#include <string>

#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

// Everything in the store's files: the database and, if present, its write-ahead log.
std::string StoreBytes(const std::string& data_dir) {
  std::string bytes;
  for (const char* name : {"circmatch.sqlite3", "circmatch.sqlite3-wal"}) {
    std::ifstream in(data_dir + "/" + name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    bytes += text.str();
  }
  return bytes;
}

v1::Profile PersonalSupplier(const std::string& id, const std::string& email, const std::string& marker) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "organization": "Kringloop )" + id +
                     R"(", "visibility": "VISIBILITY_SHARED", "location": {"municipality": "Zwolle"},
      "contact": {"name": "Femke de Vries", "email": ")" +
                     email + R"(", "shareConsent": true},
      "capabilities": {"cpvCodes": ["39130000"], "text": ")" +
                     marker + R"("}})");
}

class ErasureTest : public ServerTest {};

TEST_F(ErasureTest, DeleteProfileErasesTheBytesFromTheStoreFiles) {
  const std::string marker = "markeringxq7fz";  // a word that occurs nowhere else
  MustUpsert(
      {PersonalSupplier("erase-me", "femke@kringloop.example.nl", marker), PersonalSupplier("keep", "k@x.nl", "")});
  const std::string data_dir = server_->data_dir();
  ASSERT_NE(StoreBytes(data_dir).find(marker), std::string::npos) << "the test must see the bytes before";
  ASSERT_NE(StoreBytes(data_dir).find("femke@kringloop.example.nl"), std::string::npos);

  v1::DeleteProfileRequest request;
  request.mutable_ref()->set_id("erase-me");
  v1::DeleteProfileResponse response;
  ASSERT_TRUE(profiles_->DeleteProfile(Context().get(), request, &response).ok());

  EXPECT_EQ(Get("erase-me").error_code(), grpc::StatusCode::NOT_FOUND);
  v1::SuggestSuppliersRequest suggest;
  suggest.mutable_tender_profile()->set_kind(v1::PROFILE_KIND_TENDER);
  suggest.mutable_tender_profile()->mutable_needs()->add_cpv_codes("39130000");
  suggest.mutable_query()->set_k(10);
  v1::SuggestSuppliersResponse suggested;
  ASSERT_TRUE(matching_->SuggestSuppliers(Context().get(), suggest, &suggested).ok());
  EXPECT_FALSE(Contains(IdsOf(suggested.matches()), "erase-me"));
  EXPECT_TRUE(Contains(IdsOf(suggested.matches()), "keep"));

  const std::string after = StoreBytes(data_dir);
  EXPECT_EQ(after.find(marker), std::string::npos) << "the deleted profile's text is still in the files";
  EXPECT_EQ(after.find("femke@kringloop.example.nl"), std::string::npos) << "the e-mail is still in the files";
  EXPECT_NE(after.find("k@x.nl"), std::string::npos) << "the other profile is still there";
}

TEST_F(ErasureTest, EraseContactErasesEveryProfileOfThePersonAndNothingElse) {
  MustUpsert({PersonalSupplier("a", "Femke@Kringloop.example.nl", ""),
              PersonalSupplier("b", "femke@kringloop.example.nl ", ""),
              PersonalSupplier("c", "someone.else@kringloop.example.nl", "")});
  v1::EraseContactRequest request;
  request.set_email("femke@kringloop.example.nl");
  v1::EraseContactResponse response;
  ASSERT_TRUE(profiles_->EraseContact(Context().get(), request, &response).ok());
  ASSERT_EQ(response.erased_size(), 2);
  EXPECT_EQ(response.erased(0).id(), "a");
  EXPECT_EQ(response.erased(1).id(), "b");
  EXPECT_EQ(Get("a").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("b").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get("c").ok());
  EXPECT_EQ(StoreBytes(server_->data_dir()).find("femke@"), std::string::npos);

  request.set_email("not an address");
  EXPECT_TRUE(HasError(profiles_->EraseContact(Context().get(), request, &response), grpc::StatusCode::INVALID_ARGUMENT,
                       "email"));
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
