// End-to-end tests of circmatch.v1.ProfileService on a real circmatch-server: upsert, import (client stream),
// get, list with paging, delete.
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

v1::Profile Supplier(const std::string& id, const std::string& name = "", const std::string& cpv = "39130000") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "displayName": ")" +
                     (name.empty() ? id : name) + R"(", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": [")" +
                     cpv + R"("]}})");
}

v1::Profile Tender(const std::string& id) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]},
      "publicationTime": "2020-01-01T00:00:00Z", "closingTime": "2099-01-01T00:00:00Z"})");
}

using ProfileServiceTest = ServerTest;

TEST_F(ProfileServiceTest, UpsertThenGetReturnsTheProfileWithItsLocationResolved) {
  v1::UpsertProfilesResponse response;
  grpc::Status status = Upsert({ProfileJson(R"({"id": "s-1", "kind": "PROFILE_KIND_SUPPLIER",
      "displayName": "Refurb BV", "organization": "Refurb BV", "location": {"municipality": "zwolle"},
      "visibility": "VISIBILITY_SHARED", "capabilities": {"cpvCodes": ["39130000"], "strategies": ["reuse"]},
      "tags": ["cohort-a"]})")},
                               &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(response.upserted_count(), 1);

  v1::Profile profile;
  status = Get("s-1", &profile);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(profile.id(), "s-1");
  EXPECT_EQ(profile.kind(), v1::PROFILE_KIND_SUPPLIER);
  EXPECT_EQ(profile.owner(), "local");
  EXPECT_EQ(profile.display_name(), "Refurb BV");
  EXPECT_EQ(profile.location().municipality_code(), "GM0193");
  EXPECT_EQ(profile.location().province(), "Overijssel");
  EXPECT_NEAR(profile.location().coordinates().latitude(), 52.5, 0.1);
  EXPECT_NEAR(profile.location().coordinates().longitude(), 6.1, 0.1);
  ASSERT_EQ(profile.capabilities().strategies_size(), 1);
  EXPECT_EQ(profile.capabilities().strategies(0), "R3");  // "reuse" is stored as R3
  ASSERT_EQ(profile.tags_size(), 1);
  EXPECT_EQ(profile.tags(0), "cohort-a");
  EXPECT_GT(profile.update_time().seconds(), 1600000000);

  // The same ref with the owner spelled out finds it too.
  v1::GetProfileRequest request;
  request.mutable_ref()->set_owner("local");
  request.mutable_ref()->set_id("s-1");
  v1::GetProfileResponse by_owner;
  status = profiles_->GetProfile(Context().get(), request, &by_owner);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(by_owner.profile().display_name(), "Refurb BV");
}

TEST_F(ProfileServiceTest, UpsertOfAnExistingIdReplacesIt) {
  MustUpsert({Supplier("s-1", "Old name")});
  MustUpsert({Supplier("s-1", "New name")});
  v1::Profile profile;
  ASSERT_TRUE(Get("s-1", &profile).ok());
  EXPECT_EQ(profile.display_name(), "New name");
  EXPECT_EQ(ListIds(), std::vector<std::string>({"s-1"}));
}

TEST_F(ProfileServiceTest, GetOfAnUnknownIdIsNotFound) {
  EXPECT_TRUE(HasError(Get("nobody"), grpc::StatusCode::NOT_FOUND, "nobody"));
}

TEST_F(ProfileServiceTest, ImportProfilesCommitsEveryBatchOfTheStream) {
  v1::ImportProfilesResponse response;
  auto context = Context();
  auto writer = profiles_->ImportProfiles(context.get(), &response);
  std::vector<std::string> ids;
  for (int batch = 0; batch < 3; ++batch) {
    v1::ImportProfilesRequest request;
    for (int i = 0; i < 4; ++i) {
      std::string id = "imp-" + std::to_string(batch) + "-" + std::to_string(i);
      ids.push_back(id);
      *request.add_profiles() = Supplier(id);
    }
    ASSERT_TRUE(writer->Write(request)) << "the server ended the stream early";
  }
  ASSERT_TRUE(writer->WritesDone());
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(response.upserted_count(), 12);
  EXPECT_EQ(response.batch_count(), 3);
  EXPECT_GT(response.index_version(), 0u);
  for (const std::string& id : ids) EXPECT_TRUE(Get(id).ok()) << id;
  EXPECT_EQ(ListIds(v1::PROFILE_KIND_SUPPLIER).size(), 12u);
}

TEST_F(ProfileServiceTest, ImportProfilesStopsAtABadBatchAndKeepsTheEarlierOnes) {
  v1::ImportProfilesResponse response;
  auto context = Context();
  auto writer = profiles_->ImportProfiles(context.get(), &response);
  v1::ImportProfilesRequest good;
  *good.add_profiles() = Supplier("good-1");
  *good.add_profiles() = Supplier("good-2");
  ASSERT_TRUE(writer->Write(good));
  v1::ImportProfilesRequest bad;
  *bad.add_profiles() = Supplier("bad-batch-ok");
  *bad.add_profiles() = Supplier("bad-batch-bad", "", "39139999");
  writer->Write(bad);  // may already fail: the server ends the call on this batch
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "profiles[1].capabilities.cpv_codes[0]"));
  // Batches count from 0 (the server's convention): the second message is "batch 1", after 1 committed batch.
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "batch 1: "));
  EXPECT_TRUE(Get("good-1").ok());
  EXPECT_TRUE(Get("good-2").ok());
  EXPECT_EQ(Get("bad-batch-ok").error_code(), grpc::StatusCode::NOT_FOUND) << "the bad batch is half-written";
  EXPECT_EQ(Get("bad-batch-bad").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ProfileServiceTest, ListProfilesPagesThroughEveryProfileWithPageTokens) {
  std::vector<v1::Profile> batch;
  std::vector<std::string> supplier_ids;
  for (int i = 0; i < 25; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "sup-%03d", (i * 7) % 25);  // written out of order
    supplier_ids.push_back(id);
    batch.push_back(Supplier(id));
  }
  for (int i = 0; i < 5; ++i) batch.push_back(Tender("ten-" + std::to_string(i)));
  MustUpsert(batch);
  std::sort(supplier_ids.begin(), supplier_ids.end());

  v1::ListProfilesRequest request;
  request.set_kind(v1::PROFILE_KIND_SUPPLIER);
  request.set_page_size(10);
  std::vector<std::string> listed;
  std::vector<int> page_sizes;
  std::vector<std::string> tokens;
  while (true) {
    v1::ListProfilesResponse response;
    grpc::Status status = profiles_->ListProfiles(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << StatusText(status);
    page_sizes.push_back(response.profiles_size());
    for (const v1::Profile& profile : response.profiles()) {
      EXPECT_EQ(profile.kind(), v1::PROFILE_KIND_SUPPLIER);
      listed.push_back(profile.id());
    }
    if (response.next_page_token().empty()) break;
    tokens.push_back(response.next_page_token());
    ASSERT_LT(tokens.size(), 10u) << "paging does not end";
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(page_sizes, std::vector<int>({10, 10, 5}));
  EXPECT_EQ(listed, supplier_ids) << "ordered by id, each exactly once";
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_NE(tokens[0], tokens[1]);

  EXPECT_EQ(ListIds(v1::PROFILE_KIND_TENDER).size(), 5u);
  EXPECT_EQ(ListIds(v1::PROFILE_KIND_UNSPECIFIED, 7).size(), 30u);
  EXPECT_TRUE(ListIds(v1::PROFILE_KIND_BUDDY).empty());
}

TEST_F(ProfileServiceTest, DeleteProfileMakesItNotFoundAndRemovesItFromMatching) {
  MustUpsert({Tender("t-1"), Supplier("s-keep"), Supplier("s-gone")});
  v1::SuggestSuppliersResponse before;
  ASSERT_TRUE(SuggestSuppliers("t-1", 10, &before).ok());
  ASSERT_TRUE(Contains(IdsOf(before.matches()), "s-gone"));

  v1::DeleteProfileRequest request;
  request.mutable_ref()->set_id("s-gone");
  v1::DeleteProfileResponse response;
  grpc::Status status = profiles_->DeleteProfile(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_GT(response.index_version(), before.index_version());

  EXPECT_TRUE(HasError(Get("s-gone"), grpc::StatusCode::NOT_FOUND, "s-gone"));
  v1::SuggestSuppliersResponse after;
  ASSERT_TRUE(SuggestSuppliers("t-1", 10, &after).ok());
  EXPECT_FALSE(Contains(IdsOf(after.matches()), "s-gone"));
  EXPECT_TRUE(Contains(IdsOf(after.matches()), "s-keep"));
  EXPECT_EQ(ListIds(v1::PROFILE_KIND_SUPPLIER), std::vector<std::string>({"s-keep"}));

  v1::DeleteProfileResponse again;
  EXPECT_TRUE(
      HasError(profiles_->DeleteProfile(Context().get(), request, &again), grpc::StatusCode::NOT_FOUND, "s-gone"));
}

// Writers racing on the same keys: whatever order their commits took, the index ends as the store does, key for
// key and version for version (the explanation's CPV code is the index's, the returned profile the store's).
TEST_F(ProfileServiceTest, ConcurrentWritesLeaveTheIndexAsTheStore) {
  MustUpsert({Tender("t-1")});
  const std::vector<std::string> codes = {"39130000", "39131000", "39132000", "39100000"};
  constexpr int kWriters = 8, kWritesEach = 40, kKeys = 2;
  std::vector<std::thread> writers;
  std::vector<int> failures(kWriters, 0);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; i < kWritesEach; ++i) {
        const std::string id = "race-" + std::to_string(rng() % kKeys);
        if (rng() % 4 == 0) {
          v1::DeleteProfileRequest request;
          request.mutable_ref()->set_id(id);
          v1::DeleteProfileResponse response;
          const grpc::Status status = profiles_->DeleteProfile(Context().get(), request, &response);
          if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND) ++failures[w];
        } else if (!Upsert({Supplier(id, id, codes[rng() % codes.size()])}).ok()) {
          ++failures[w];
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(failures, std::vector<int>(kWriters, 0));

  const std::vector<std::string> stored = ListIds(v1::PROFILE_KIND_SUPPLIER);
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(SuggestSuppliers("t-1", 100, &response).ok());
  std::vector<std::string> matched = IdsOf(response.matches());
  std::sort(matched.begin(), matched.end());
  EXPECT_EQ(matched, stored);
  for (const v1::Match& match : response.matches()) {
    ASSERT_EQ(match.explanation().cpv_matches_size(), 1) << match.profile().id();
    EXPECT_EQ(match.explanation().cpv_matches(0).candidate_code().substr(0, 8),
              match.profile().capabilities().cpv_codes(0).substr(0, 8))
        << match.profile().id();
  }
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
