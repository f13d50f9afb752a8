// Shared pieces of the service tests: a fixture that runs a real circmatch-server per test with stubs of every
// service, profiles written as proto3 JSON, and status checks that name the field.
#ifndef CIRCMATCH_TESTS_SERVICE_SERVICE_TEST_UTIL_H_
#define CIRCMATCH_TESTS_SERVICE_SERVICE_TEST_UTIL_H_

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "circmatch/v1/matching_service.grpc.pb.h"
#include "circmatch/v1/profile.pb.h"
#include "circmatch/v1/profile_service.grpc.pb.h"
#include "circmatch/v1/vocabulary_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server_process.h"

namespace circmatch {
namespace testing {

namespace v1 = ::circmatch::v1;

// Parses proto3 JSON into a message of type T; a parse error fails the test.
template <typename T>
T FromJson(const std::string& json) {
  T message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message, options);
  EXPECT_TRUE(status.ok()) << "bad JSON in the test for " << message.GetTypeName() << ": " << status.ToString() << "\n"
                           << json;
  return message;
}

inline v1::Profile ProfileJson(const std::string& json) { return FromJson<v1::Profile>(json); }

inline std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// A client context with a deadline, so a hung server fails the test instead of hanging it.
inline std::unique_ptr<grpc::ClientContext> Context(std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

inline std::string StatusText(const grpc::Status& status) {
  return "status " + std::to_string(static_cast<int>(status.error_code())) + ": " + status.error_message();
}

// Succeeds when `status` has `code` and its message contains `field` (the field the server must name).
inline ::testing::AssertionResult HasError(const grpc::Status& status, grpc::StatusCode code,
                                           const std::string& field) {
  if (status.error_code() != code) {
    return ::testing::AssertionFailure() << "expected code " << static_cast<int>(code) << ", got "
                                         << StatusText(status);
  }
  if (status.error_message().find(field) == std::string::npos) {
    return ::testing::AssertionFailure() << "the message does not name \"" << field << "\": " << status.error_message();
  }
  return ::testing::AssertionSuccess();
}

inline std::vector<std::string> IdsOf(const google::protobuf::RepeatedPtrField<v1::Match>& matches) {
  std::vector<std::string> ids;
  for (const v1::Match& match : matches) ids.push_back(match.profile().id());
  return ids;
}

inline bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

inline const v1::Match* FindMatch(const google::protobuf::RepeatedPtrField<v1::Match>& matches, const std::string& id) {
  for (const v1::Match& match : matches) {
    if (match.profile().id() == id) return &match;
  }
  return nullptr;
}

// `circmatch-server keys create` for a partner: the new key (its stdout, without the line end).
inline std::string CreateKey(const std::string& keys_file, const std::string& partner) {
  CommandResult result = RunCommand({CIRCMATCH_SERVER_PATH, "keys", "create", keys_file, partner});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::string key = result.out;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

// A client context that carries `key` as the API key (none when empty).
inline std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
  auto context = Context();
  if (!key.empty()) context->AddMetadata("authorization", "Bearer " + key);
  return context;
}

// A fixture with a fresh server (own temporary data dir) per test and a stub of each service.
class ServerTest : public ::testing::Test {
 protected:
  // Flags added to the server's command line; override to change them.
  virtual std::vector<std::string> ServerArgs() const { return {}; }
  // The server's --store: "sqlite", the file in its data dir, unless the fixture runs on each store
  // (on_each_store.h). Called once, before the first start.
  virtual std::string Store() { return "sqlite"; }

  void SetUp() override {
    ServerOptions options;
    options.extra_args = ServerArgs();
    const std::string store = Store();
    ASSERT_FALSE(store.empty()) << "no store to run the server on";
    options.extra_args.push_back("--store=" + store);
    server_ = std::make_unique<ServerProcess>(options);
    ASSERT_TRUE(server_->Start());
    MakeStubs();
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) {
      std::string text = server_->Stderr();
      if (text.size() > 8000) text = "...\n" + text.substr(text.size() - 8000);
      std::cerr << "--- circmatch-server stderr (last part) ---\n" << text << "--- end ---\n";
    }
  }

  void MakeStubs() {
    profiles_ = v1::ProfileService::NewStub(server_->channel());
    matching_ = v1::MatchingService::NewStub(server_->channel());
    vocabulary_ = v1::VocabularyService::NewStub(server_->channel());
    health_ = grpc::health::v1::Health::NewStub(server_->channel());
  }

  grpc::Status Upsert(const std::vector<v1::Profile>& profiles, v1::UpsertProfilesResponse* response = nullptr) {
    v1::UpsertProfilesRequest request;
    for (const v1::Profile& profile : profiles) *request.add_profiles() = profile;
    v1::UpsertProfilesResponse ignored;
    return profiles_->UpsertProfiles(Context().get(), request, response != nullptr ? response : &ignored);
  }

  // Upserts and fails the test on an error.
  void MustUpsert(const std::vector<v1::Profile>& profiles) {
    grpc::Status status = Upsert(profiles);
    ASSERT_TRUE(status.ok()) << StatusText(status);
  }

  grpc::Status Get(const std::string& id, v1::Profile* profile = nullptr) {
    v1::GetProfileRequest request;
    request.mutable_ref()->set_id(id);
    v1::GetProfileResponse response;
    grpc::Status status = profiles_->GetProfile(Context().get(), request, &response);
    if (profile != nullptr) *profile = response.profile();
    return status;
  }

  // Every id of one kind (or all kinds), paging through ListProfiles.
  std::vector<std::string> ListIds(v1::ProfileKind kind = v1::PROFILE_KIND_UNSPECIFIED, int page_size = 1000) {
    std::vector<std::string> ids;
    v1::ListProfilesRequest request;
    request.set_kind(kind);
    request.set_page_size(page_size);
    for (int page = 0; page < 100000; ++page) {
      v1::ListProfilesResponse response;
      grpc::Status status = profiles_->ListProfiles(Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << StatusText(status);
      if (!status.ok()) break;
      for (const v1::Profile& profile : response.profiles()) ids.push_back(profile.id());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return ids;
  }

  grpc::Status SuggestSuppliers(const std::string& tender_id, int k, v1::SuggestSuppliersResponse* response,
                                const v1::MatchFilter& filter = v1::MatchFilter()) {
    v1::SuggestSuppliersRequest request;
    request.mutable_tender_ref()->set_id(tender_id);
    request.mutable_query()->set_k(k);
    *request.mutable_query()->mutable_filter() = filter;
    return matching_->SuggestSuppliers(Context().get(), request, response);
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::ProfileService::Stub> profiles_;
  std::unique_ptr<v1::MatchingService::Stub> matching_;
  std::unique_ptr<v1::VocabularyService::Stub> vocabulary_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// A ServerTest whose server takes API keys, with two partners: "partner-a" (key_a_) and "partner-b" (key_b_).
class TwoPartnerServerTest : public ServerTest {
 protected:
  // Flags added beside --api_keys_file; override to add more.
  virtual std::vector<std::string> MoreServerArgs() const { return {}; }

  void SetUp() override {
    // A parameterized test's name has a '/' ("Name/Sqlite").
    std::string test_name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test_name.begin(), test_name.end(), '/', '-');
    keys_file_ =
        (std::filesystem::temp_directory_path() / ("circmatch-keys-" + std::to_string(getpid()) + "-" + test_name))
            .string();
    key_a_ = CreateKey(keys_file_, "partner-a");
    key_b_ = CreateKey(keys_file_, "partner-b");
    ServerTest::SetUp();
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::filesystem::remove(keys_file_);
  }
  std::vector<std::string> ServerArgs() const override {
    std::vector<std::string> args = MoreServerArgs();
    args.push_back("--api_keys_file=" + keys_file_);
    return args;
  }

  // Upserts with `key`'s partner as the caller.
  grpc::Status UpsertAs(const std::string& key, const std::vector<v1::Profile>& profiles) {
    v1::UpsertProfilesRequest request;
    for (const v1::Profile& profile : profiles) *request.add_profiles() = profile;
    v1::UpsertProfilesResponse response;
    return profiles_->UpsertProfiles(As(key).get(), request, &response);
  }
  void MustUpsertAs(const std::string& key, const std::vector<v1::Profile>& profiles) {
    grpc::Status status = UpsertAs(key, profiles);
    ASSERT_TRUE(status.ok()) << StatusText(status);
  }

  std::string keys_file_, key_a_, key_b_;
};

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_SERVICE_SERVICE_TEST_UTIL_H_
