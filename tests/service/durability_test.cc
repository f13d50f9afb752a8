// What survives a restart: profiles acknowledged before a hard kill (SIGKILL) come back after a restart on the
// same data dir, in the store and in the index; the sample data is loaded into an empty store only; and the data
// dir, which holds contact details, is owner-only.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "service_test_util.h"

#ifndef CIRCMATCH_SAMPLE_DATA
#error "CIRCMATCH_SAMPLE_DATA must name service/sample/profiles.jsonl"
#endif

namespace circmatch {
namespace testing {
namespace {

v1::Profile Supplier(const std::string& id) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "displayName": "Supplier )" + id +
                     R"(", "visibility": "VISIBILITY_SHARED", "location": {"municipality": "Kampen"},
      "capabilities": {"cpvCodes": ["39130000"], "strategies": ["R3"]}})");
}

using RestartTest = ServerTest;

TEST_F(RestartTest, ProfilesAcknowledgedBeforeAHardKillAreBackAfterRestart) {
  MustUpsert({ProfileJson(R"({"id": "t-1", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": ["39130000"]},
      "closingTime": "2099-01-01T00:00:00Z"})")});
  constexpr int kSuppliers = 60;
  std::vector<std::string> ids;
  for (int batch = 0; batch < 6; ++batch) {  // several acknowledged writes, each its own transaction
    std::vector<v1::Profile> profiles;
    for (int i = 0; i < kSuppliers / 6; ++i) {
      ids.push_back("s-" + std::to_string(batch) + "-" + std::to_string(i));
      profiles.push_back(Supplier(ids.back()));
    }
    MustUpsert(profiles);
  }
  MustUpsert({Supplier("s-deleted")});
  v1::DeleteProfileRequest delete_request;
  delete_request.mutable_ref()->set_id("s-deleted");
  v1::DeleteProfileResponse delete_response;
  ASSERT_TRUE(profiles_->DeleteProfile(Context().get(), delete_request, &delete_response).ok());

  ASSERT_TRUE(server_->Stop(SIGKILL));
  ASSERT_TRUE(server_->Start());
  MakeStubs();

  for (const std::string& id : ids) {
    v1::Profile profile;
    grpc::Status status = Get(id, &profile);
    ASSERT_TRUE(status.ok()) << id << ": " << StatusText(status);
    EXPECT_EQ(profile.display_name(), "Supplier " + id);
    EXPECT_EQ(profile.location().municipality_code(), "GM0166");
  }
  EXPECT_EQ(Get("s-deleted").error_code(), grpc::StatusCode::NOT_FOUND) << "a deleted profile came back";

  // And the rebuilt index matches them.
  v1::SuggestSuppliersResponse response;
  grpc::Status status = SuggestSuppliers("t-1", 1000, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  std::vector<std::string> matched = IdsOf(response.matches());
  EXPECT_EQ(matched.size(), ids.size());
  for (const std::string& id : ids) EXPECT_TRUE(Contains(matched, id)) << id << " not matched after restart";
  EXPECT_FALSE(Contains(matched, "s-deleted"));
}

TEST_F(RestartTest, GracefulStopExitsCleanlyAndKeepsTheStore) {
  MustUpsert({Supplier("s-1"), Supplier("s-2")});
  ASSERT_TRUE(server_->Stop(SIGTERM));  // fails unless the server exits 0
  ASSERT_TRUE(server_->Start());
  MakeStubs();
  EXPECT_EQ(ListIds(), std::vector<std::string>({"s-1", "s-2"}));
}

// The permission bits of `path` in octal ("0600"); "missing" when it cannot be read.
std::string ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return text;
}

// The data dir and its files as a server leaves them, in a process whose umask would make them 0755 and 0644.
class DataDirModesTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = ::umask(022); }
  void TearDown() override { ::umask(old_umask_); }

  // Writes a profile, so the WAL and its index file exist.
  static void Write(ServerProcess& server) {
    auto stub = v1::ProfileService::NewStub(server.channel());
    v1::UpsertProfilesRequest request;
    *request.add_profiles() = Supplier("s-1");
    v1::UpsertProfilesResponse response;
    const grpc::Status status = stub->UpsertProfiles(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << StatusText(status);
  }

  static void ExpectOwnerOnly(const std::string& dir) {
    EXPECT_EQ(ModeOf(dir), "0700") << dir;
    for (const char* file : {"circmatch.sqlite3", "circmatch.sqlite3-wal", "circmatch.sqlite3-shm", "audit.log"}) {
      EXPECT_EQ(ModeOf(dir + "/" + file), "0600") << file;
    }
  }

  mode_t old_umask_ = 0;
};

TEST_F(DataDirModesTest, AFreshDataDirAndItsFilesAreOwnerOnly) {
  ServerProcess server;
  std::filesystem::remove_all(server.data_dir());  // the server makes it
  ASSERT_TRUE(server.Start());
  Write(server);
  ExpectOwnerOnly(server.data_dir());

  // A backup holds the same contact details.
  const std::string backup = server.data_dir() + "-backup.sqlite3";
  CommandResult result = RunCommand({CIRCMATCH_SERVER_PATH, "backup", server.data_dir(), backup});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ModeOf(backup), "0600");
}

TEST_F(DataDirModesTest, ALooserDataDirIsTightenedAtStartWithAWarning) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  Write(server);
  ASSERT_TRUE(server.Stop(SIGKILL));  // leaves the WAL and its index behind
  const std::string dir = server.data_dir();
  std::filesystem::permissions(dir, static_cast<std::filesystem::perms>(0755));
  for (const char* file : {"circmatch.sqlite3", "circmatch.sqlite3-wal", "circmatch.sqlite3-shm", "audit.log"}) {
    std::filesystem::permissions(dir + "/" + file, static_cast<std::filesystem::perms>(0644));
  }
  ASSERT_TRUE(server.Start());
  ExpectOwnerOnly(dir);
  EXPECT_NE(server.Stderr().find("\"" + dir + "\" allowed access to others (mode 0755); made it 0700"),
            std::string::npos)
      << server.Stderr();
  // And the store opens as before.
  v1::GetProfileRequest request;
  request.mutable_ref()->set_id("s-1");
  v1::GetProfileResponse response;
  EXPECT_TRUE(v1::ProfileService::NewStub(server.channel())->GetProfile(Context().get(), request, &response).ok());
}

// Kinds in the sample file, counted from the file itself.
std::map<std::string, int> KindsInSampleFile() {
  std::map<std::string, int> kinds;
  std::ifstream in(CIRCMATCH_SAMPLE_DATA);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    v1::Profile profile = ProfileJson(line);
    kinds[v1::ProfileKind_Name(profile.kind())]++;
  }
  return kinds;
}

class SampleDataTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {std::string("--sample_data=") + CIRCMATCH_SAMPLE_DATA};
  }
};

TEST_F(SampleDataTest, SampleDataIsLoadedWithHundredsOfProfilesPerKind) {
  std::map<std::string, int> in_file = KindsInSampleFile();
  ASSERT_FALSE(in_file.empty()) << "cannot read " << CIRCMATCH_SAMPLE_DATA;
  int tenders = static_cast<int>(ListIds(v1::PROFILE_KIND_TENDER).size());
  int suppliers = static_cast<int>(ListIds(v1::PROFILE_KIND_SUPPLIER).size());
  int buddies = static_cast<int>(ListIds(v1::PROFILE_KIND_BUDDY).size());
  int buyers = static_cast<int>(ListIds(v1::PROFILE_KIND_BUYER).size());
  EXPECT_GE(tenders, 100);
  EXPECT_GE(suppliers, 100);
  EXPECT_GE(buddies, 100);
  EXPECT_EQ(tenders, in_file["PROFILE_KIND_TENDER"]);
  EXPECT_EQ(suppliers, in_file["PROFILE_KIND_SUPPLIER"]);
  EXPECT_EQ(buddies, in_file["PROFILE_KIND_BUDDY"]);
  EXPECT_EQ(buyers, in_file["PROFILE_KIND_BUYER"]);
}

TEST_F(SampleDataTest, SuggestSuppliersForASampleTenderReturnsKExplainedSuppliers) {
  v1::SuggestSuppliersResponse response;
  grpc::Status status = SuggestSuppliers("tender-0001", 10, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ASSERT_EQ(response.matches_size(), 10);
  for (int i = 0; i < response.matches_size(); ++i) {
    const v1::Match& match = response.matches(i);
    EXPECT_EQ(match.rank(), i + 1);
    EXPECT_EQ(match.profile().kind(), v1::PROFILE_KIND_SUPPLIER);
    if (i > 0) {
      EXPECT_LE(match.score(), response.matches(i - 1).score());
    }
    EXPECT_GT(match.score(), 0);
    ASSERT_GT(match.explanation().facets_size(), 0);
    double sum = 0;
    for (const v1::FacetContribution& facet : match.explanation().facets()) sum += facet.contribution();
    EXPECT_EQ(sum, match.score());
  }
  EXPECT_GT(response.matches(0).explanation().cpv_matches_size(), 0)
      << "the best supplier for a sample tender shares CPV codes: " << ToJson(response.matches(0));
}

TEST_F(SampleDataTest, SampleDataIsNotLoadedAgainIntoANonEmptyStore) {
  std::vector<std::string> before = ListIds();
  ASSERT_FALSE(before.empty());
  v1::DeleteProfileRequest request;
  request.mutable_ref()->set_id(before.front());
  v1::DeleteProfileResponse response;
  ASSERT_TRUE(profiles_->DeleteProfile(Context().get(), request, &response).ok());
  ASSERT_TRUE(server_->Stop(SIGTERM));
  ASSERT_TRUE(server_->Start());
  MakeStubs();
  EXPECT_EQ(ListIds().size(), before.size() - 1);
  EXPECT_EQ(Get(before.front()).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
