// Several circmatch-server replicas on one real PostgreSQL database: a write through one is matchable through
// the other within the change feed's bound, a delete on one is gone on the other, and two replicas writing the
// same profile converge. Also backup and restore of both stores.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "postgres_test_database.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

using Clock = std::chrono::steady_clock;

v1::Profile SupplierNamed(const std::string& id, const std::string& name) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "displayName": ")" + name +
                     R"(", "visibility": "VISIBILITY_SHARED", "capabilities": {"cpvCodes": ["39130000"]}})");
}

// Polls `condition` until it holds or `limit` passes (waiting on another process, not a fixed sleep); returns
// how long it took, or nullopt.
template <typename Condition>
std::optional<std::chrono::microseconds> TimeUntil(Condition condition, std::chrono::seconds limit) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (condition()) return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    std::this_thread::yield();
  }
  return std::nullopt;
}

class Replica {
 public:
  explicit Replica(const std::string& url) {
    ServerOptions options;
    options.extra_args = {"--store=" + url, "--change_poll_ms=500"};
    process_ = std::make_unique<ServerProcess>(options);
  }
  ::testing::AssertionResult Start() {
    ::testing::AssertionResult started = process_->Start();
    if (started) {
      profiles_ = v1::ProfileService::NewStub(process_->channel());
      matching_ = v1::MatchingService::NewStub(process_->channel());
    }
    return started;
  }
  grpc::Status Upsert(const v1::Profile& profile) {
    v1::UpsertProfilesRequest request;
    *request.add_profiles() = profile;
    v1::UpsertProfilesResponse response;
    return profiles_->UpsertProfiles(Context().get(), request, &response);
  }
  grpc::Status Delete(const std::string& id) {
    v1::DeleteProfileRequest request;
    request.mutable_ref()->set_id(id);
    v1::DeleteProfileResponse response;
    return profiles_->DeleteProfile(Context().get(), request, &response);
  }
  std::optional<v1::Profile> Get(const std::string& id) {
    v1::GetProfileRequest request;
    request.mutable_ref()->set_id(id);
    v1::GetProfileResponse response;
    if (!profiles_->GetProfile(Context().get(), request, &response).ok()) return std::nullopt;
    return response.profile();
  }
  // The ids SuggestSuppliers returns for a tender needing office furniture.
  std::vector<std::string> Suggested() { return IdsOf(Suggest().matches()); }
  // The version of the index those came from.
  uint64_t IndexVersion() { return Suggest().index_version(); }
  ServerProcess& process() { return *process_; }

 private:
  v1::SuggestSuppliersResponse Suggest() {
    v1::SuggestSuppliersRequest request;
    request.mutable_tender_profile()->set_kind(v1::PROFILE_KIND_TENDER);
    request.mutable_tender_profile()->mutable_needs()->add_cpv_codes("39130000");
    request.mutable_query()->set_k(100);
    v1::SuggestSuppliersResponse response;
    EXPECT_TRUE(matching_->SuggestSuppliers(Context().get(), request, &response).ok());
    return response;
  }

  std::unique_ptr<ServerProcess> process_;
  std::unique_ptr<v1::ProfileService::Stub> profiles_;
  std::unique_ptr<v1::MatchingService::Stub> matching_;
};

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(database_.url().empty()) << database_.error(); }
  PostgresTestDatabase database_;
};

TEST_F(ReplicasTest, AWriteOnOneReplicaIsMatchableOnTheOtherAndADeleteIsGoneEverywhere) {
  Replica a(database_.url()), b(database_.url());
  ASSERT_TRUE(a.Start());
  ASSERT_TRUE(b.Start());

  ASSERT_TRUE(a.Upsert(SupplierNamed("s-1", "Kringloop Zwolle")).ok());
  const auto propagated = TimeUntil([&] { return Contains(b.Suggested(), "s-1"); }, std::chrono::seconds(10));
  ASSERT_TRUE(propagated.has_value()) << "replica B never matched the profile written on A";
  std::printf("replica propagation, write on A to match on B: %.1f ms\n", propagated->count() / 1000.0);
  ASSERT_TRUE(b.Get("s-1").has_value());

  ASSERT_TRUE(b.Delete("s-1").ok());
  const auto deleted = TimeUntil([&] { return !Contains(a.Suggested(), "s-1"); }, std::chrono::seconds(10));
  ASSERT_TRUE(deleted.has_value()) << "replica A still matches the profile deleted on B";
  std::printf("replica propagation, delete on B to gone on A: %.1f ms\n", deleted->count() / 1000.0);
  EXPECT_FALSE(a.Get("s-1").has_value());
}

// The change feed brings a replica its own commits too: they must not move its index a second time (the versions
// a partner sees, and the matching of written profiles against watches, would count them twice).
TEST_F(ReplicasTest, AReplicasOwnWritesMoveItsIndexOnceThoughTheChangeFeedBringsThemBack) {
  Replica a(database_.url()), b(database_.url());
  ASSERT_TRUE(a.Start());
  ASSERT_TRUE(b.Start());
  ASSERT_TRUE(a.Upsert(SupplierNamed("from-a", "x")).ok());
  ASSERT_TRUE(a.Delete("from-a").ok());
  ASSERT_TRUE(a.Upsert(SupplierNamed("from-a", "y")).ok());
  const uint64_t after_own_writes = a.IndexVersion();
  // B's write comes after A's in the change feed: once A matches it, A's feed has passed A's own writes.
  ASSERT_TRUE(b.Upsert(SupplierNamed("from-b", "z")).ok());
  ASSERT_TRUE(TimeUntil([&] { return Contains(a.Suggested(), "from-b"); }, std::chrono::seconds(10)).has_value());
  EXPECT_EQ(a.IndexVersion(), after_own_writes + 1) << "only B's write moved A's index";
  EXPECT_TRUE(Contains(a.Suggested(), "from-a"));
}

TEST_F(ReplicasTest, TwoReplicasWritingTheSameProfileConverge) {
  Replica a(database_.url()), b(database_.url());
  ASSERT_TRUE(a.Start());
  ASSERT_TRUE(b.Start());
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(a.Upsert(SupplierNamed("same", "from A " + std::to_string(round))).ok());
    ASSERT_TRUE(b.Upsert(SupplierNamed("same", "from B " + std::to_string(round))).ok());
  }
  // The last commit was B's: both replicas' stores and indexes end on it.
  EXPECT_EQ(a.Get("same")->display_name(), "from B 19");
  EXPECT_EQ(b.Get("same")->display_name(), "from B 19");
  EXPECT_TRUE(TimeUntil([&] { return Contains(a.Suggested(), "same") && Contains(b.Suggested(), "same"); },
                        std::chrono::seconds(10)));
}

TEST_F(ReplicasTest, AReplicaStartedLaterServesEverythingWrittenBefore) {
  Replica a(database_.url());
  ASSERT_TRUE(a.Start());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(a.Upsert(SupplierNamed("s-" + std::to_string(i), "x")).ok());
  Replica b(database_.url());
  ASSERT_TRUE(b.Start());
  EXPECT_EQ(b.Suggested().size(), 30u);
}

TEST_F(ReplicasTest, PostgresBackupWithPgDumpRestoresEveryProfile) {
  {
    Replica a(database_.url());
    ASSERT_TRUE(a.Start());
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(a.Upsert(SupplierNamed("s-" + std::to_string(i), "x")).ok());
  }
  const std::string dump =
      (std::filesystem::temp_directory_path() / ("circmatch-" + std::to_string(getpid()) + ".dump")).string();
  CommandResult dumped = RunCommand({"/usr/bin/pg_dump", "--format=custom", "--file=" + dump, database_.url()});
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  const std::string restored_url = database_.Sibling("restored");
  ASSERT_FALSE(restored_url.empty()) << database_.error();
  CommandResult restored = RunCommand({"/usr/bin/pg_restore", "--no-owner", "--dbname=" + restored_url, dump});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  std::filesystem::remove(dump);

  Replica from_backup(restored_url);
  ASSERT_TRUE(from_backup.Start());
  EXPECT_EQ(from_backup.Suggested().size(), 12u);
  ASSERT_TRUE(from_backup.Upsert(SupplierNamed("after-restore", "y")).ok()) << "the restored store takes writes";
}

TEST(SqliteBackupTest, BackupWhileServingThenRestoreGivesEveryProfileBack) {
  ServerProcess original;
  ASSERT_TRUE(original.Start());
  auto profiles = v1::ProfileService::NewStub(original.channel());
  v1::UpsertProfilesRequest request;
  for (int i = 0; i < 15; ++i) *request.add_profiles() = SupplierNamed("s-" + std::to_string(i), "x");
  v1::UpsertProfilesResponse response;
  ASSERT_TRUE(profiles->UpsertProfiles(Context().get(), request, &response).ok());

  const std::string backup = original.data_dir() + "-backup.sqlite3";
  CommandResult made = RunCommand({CIRCMATCH_SERVER_PATH, "backup", original.data_dir(), backup});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(RunCommand({CIRCMATCH_SERVER_PATH, "backup", original.data_dir(), backup}).exit_code, 0)
      << "never overwrites";

  ServerProcess restored;
  std::filesystem::copy_file(backup, restored.data_dir() + "/circmatch.sqlite3");
  std::filesystem::remove(backup);
  ASSERT_TRUE(restored.Start());
  auto restored_profiles = v1::ProfileService::NewStub(restored.channel());
  v1::ListProfilesRequest list;
  v1::ListProfilesResponse listed;
  ASSERT_TRUE(restored_profiles->ListProfiles(Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.profiles_size(), 15);
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
