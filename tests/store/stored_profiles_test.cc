// StoredProfiles over a real SQLite store, with the server's index (keep_profiles = false) behind a
// ProfileRepository: the matches are explained from the stored profiles, and the call answers with the protos
// it read.
#include "service/store/stored_profiles.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "circmatch/index.h"
#include "circmatch/vocabulary.h"
#include "gtest/gtest.h"
#include "service/store/profile_repository.h"
#include "service/store/sqlite_profile_store.h"

namespace circmatch::service {
namespace {

v1::Profile Supplier(const std::string& id, const std::string& cpv, const std::string& text) {
  v1::Profile p;
  p.set_id(id);
  p.set_kind(v1::PROFILE_KIND_SUPPLIER);
  p.set_display_name("Supplier " + id);
  p.set_visibility(v1::VISIBILITY_SHARED);
  p.mutable_location()->set_municipality("Zwolle");
  p.mutable_capabilities()->add_cpv_codes(cpv);
  p.mutable_capabilities()->add_strategies("R3");
  p.mutable_capabilities()->set_text(text);
  return p;
}

// Delegates to another store and counts the reads of single profiles (Get, GetMany).
class CountingStore final : public ProfileStore {
 public:
  explicit CountingStore(ProfileStore* store) : store_(store) {}
  int reads() const { return reads_; }
  absl::Status error;  // GetMany's answer when set

  absl::Status Upsert(absl::Span<const v1::Profile> profiles) override { return store_->Upsert(profiles); }
  absl::Status Delete(const ProfileKey& key) override { return store_->Delete(key); }
  absl::StatusOr<v1::Profile> Get(const ProfileKey& key) const override {
    ++reads_;
    return store_->Get(key);
  }
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> GetMany(absl::Span<const ProfileKey> keys) const override {
    ++reads_;
    if (!error.ok()) return error;
    return store_->GetMany(keys);
  }
  absl::StatusOr<ListPage> List(const ListQuery& query) const override { return store_->List(query); }
  absl::Status ForEach(const std::function<absl::Status(const v1::Profile&)>& visit) const override {
    return store_->ForEach(visit);
  }
  absl::StatusOr<int64_t> Count() const override { return store_->Count(); }
  absl::StatusOr<std::vector<int64_t>> AddFeedback(absl::Span<const v1::FeedbackEvent> events) override {
    return store_->AddFeedback(events);
  }
  absl::StatusOr<FeedbackPage> ListFeedback(const FeedbackQuery& query) const override {
    return store_->ListFeedback(query);
  }
  absl::StatusOr<int> AddRankProfile(const v1::RankProfile& profile) override {
    return store_->AddRankProfile(profile);
  }
  absl::StatusOr<std::vector<v1::RankProfile>> ListRankProfiles(const std::string& owner) const override {
    return store_->ListRankProfiles(owner);
  }
  absl::Status ActivateRankProfile(const std::string& owner, v1::MatchType type, const std::string& name,
                                   int version) override {
    return store_->ActivateRankProfile(owner, type, name, version);
  }

 private:
  ProfileStore* const store_;
  mutable int reads_ = 0;
};

class StoredProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("circmatch-source-" + std::to_string(getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto vocabulary = Vocabulary::Load(CIRCMATCH_TEST_DATA_DIR);
    ASSERT_TRUE(vocabulary.ok()) << vocabulary.status();
    vocabulary_ = *std::move(vocabulary);
    auto store = SqliteProfileStore::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    IndexOptions options;
    options.keep_profiles = false;
    auto index = Index::Create(options, vocabulary_.get());
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
    repository_ = std::make_unique<ProfileRepository>(vocabulary_.get(), index_.get(), store_.get(), 0);

    google::protobuf::RepeatedPtrField<v1::Profile> profiles;
    *profiles.Add() = Supplier("chairs", "39112000", "tweedehands bureaustoelen gereviseerd");
    *profiles.Add() = Supplier("desks", "39121100", "hergebruikte bureaus");
    *profiles.Add() = Supplier("roads", "45233120", "asfalt recycling");
    auto batch = repository_->Prepare(profiles, "partner");
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE(repository_->Write(*std::move(batch)).ok());

    tender_.key = {"partner", "t"};
    tender_.kind = ProfileKind::kTender;
    tender_.needs.cpv_codes = {"39112000"};
    tender_.needs.text = "stoelen voor de raadszaal";
    ASSERT_TRUE(NormalizeProfile(*vocabulary_, 0, &tender_).ok());
    params_.k = 2;
  }
  void TearDown() override {
    repository_.reset();
    index_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Vocabulary> vocabulary_;
  std::unique_ptr<SqliteProfileStore> store_;
  std::unique_ptr<Index> index_;
  std::unique_ptr<ProfileRepository> repository_;
  Profile tender_;
  MatchParams params_;
};

TEST_F(StoredProfilesTest, ExplainsFromTheStoreAndGivesBackTheProtosItRead) {
  auto result = index_->FindMatches(tender_, params_);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->matches.size(), 2u);
  EXPECT_TRUE(result->matches[0].explanation.facets.empty()) << "an index without profiles leaves it to the caller";
  StoredProfiles profiles(*repository_, params_.viewer);
  ASSERT_TRUE(profiles.ExplainMatches(tender_, params_, &*result).ok());
  ASSERT_EQ(result->matches.size(), 2u);
  const Match& best = result->matches[0];
  EXPECT_EQ(best.key.id, "chairs");
  ASSERT_EQ(best.explanation.cpv_matches.size(), 1u);
  EXPECT_EQ(best.explanation.cpv_matches[0].candidate_code, "39112000");
  EXPECT_TRUE(best.explanation.shared_strategies.empty());  // the tender asks for none
  EXPECT_FALSE(best.explanation.shared_terms.empty());

  std::optional<v1::Profile> stored = profiles.TakeStored(best.key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->display_name(), "Supplier chairs");
  EXPECT_TRUE(stored->has_update_time()) << "the stored proto, not one made from the engine's profile";
  EXPECT_FALSE(profiles.TakeStored(best.key).has_value()) << "moved out";
  EXPECT_TRUE(profiles.TakeStored(result->matches[1].key).has_value());
  EXPECT_FALSE(profiles.TakeStored({"partner", "roads"}).has_value()) << "not a match, not read";

  auto read = repository_->ReadIndexed({"partner", "desks"}, "partner");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->capabilities.cpv_codes, std::vector<std::string>{"39121100"});
  read = repository_->ReadIndexed({"partner", "nobody"}, "partner");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
  // In the store but not in the index (another server's write not applied here yet): not found either.
  ASSERT_TRUE(store_->Upsert({*store_->Get({"partner", "desks"})}).ok());
  ASSERT_TRUE(index_->Delete({"partner", "desks"}).ok());
  read = repository_->ReadIndexed({"partner", "desks"}, "partner");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST_F(StoredProfilesTest, LeavesOutWhatTheStoreNoLongerHasOrNoLongerConverts) {
  ASSERT_TRUE(store_->Delete({"partner", "chairs"}).ok());  // the store only: the index still ranks it
  v1::Profile stale = *store_->Get({"partner", "desks"});
  stale.mutable_capabilities()->set_cpv_codes(0, "99999999");  // a code the vocabulary does not have
  ASSERT_TRUE(store_->Upsert({stale}).ok());

  params_.k = 3;
  auto result = index_->FindMatches(tender_, params_);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->matches.size(), 3u) << "the index still ranks them";
  StoredProfiles profiles(*repository_, params_.viewer);
  ASSERT_TRUE(profiles.ExplainMatches(tender_, params_, &*result).ok());
  ASSERT_EQ(result->matches.size(), 1u) << "the two best are left out, the third stays";
  EXPECT_EQ(result->matches[0].key.id, "roads");
  EXPECT_FALSE(profiles.TakeStored({"partner", "desks"}).has_value());
}

// The store holds a newer version than the index ranked, made private since: to another partner it is as
// absent, to its owner it is there.
TEST_F(StoredProfilesTest, AVersionTheViewerMayNotSeeIsAsAbsent) {
  v1::Profile made_private = *store_->Get({"partner", "chairs"});
  made_private.set_visibility(v1::VISIBILITY_PRIVATE);
  ASSERT_TRUE(store_->Upsert({made_private}).ok());
  StoredProfiles other(*repository_, "another-partner");
  auto read = other.GetMany({{"partner", "chairs"}, {"partner", "desks"}});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE((*read)[0].has_value());
  EXPECT_TRUE((*read)[1].has_value());
  EXPECT_FALSE(other.TakeStored({"partner", "chairs"}).has_value());
  StoredProfiles owner(*repository_, "partner");
  read = owner.GetMany({{"partner", "chairs"}});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE((*read)[0].has_value());
}

TEST_F(StoredProfilesTest, AddedProfilesAreNotReadFromTheStore) {
  StoredProfiles profiles(*repository_, params_.viewer);
  Profile held = *repository_->ReadIndexed({"partner", "chairs"}, "partner").value();
  held.display_name = "as the call holds it";
  profiles.Add(held);
  ASSERT_TRUE(store_->Delete({"partner", "chairs"}).ok());
  auto read = profiles.GetMany({{"partner", "chairs"}, {"partner", "desks"}});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE((*read)[0].has_value());
  EXPECT_EQ((*read)[0]->display_name, "as the call holds it");
  ASSERT_TRUE((*read)[1].has_value());
  EXPECT_EQ((*read)[1]->display_name, "Supplier desks");
  EXPECT_FALSE(profiles.TakeStored({"partner", "chairs"}).has_value()) << "held, not read";
}

// The matches of a call are read from the store in one read; a store that cannot be read fails the call that
// explains from it, with the store's error.
TEST_F(StoredProfilesTest, ReadsTheMatchesOnceAndFailsWithTheStore) {
  CountingStore counting(store_.get());
  ProfileRepository repository(vocabulary_.get(), index_.get(), &counting, 0);
  auto result = index_->FindMatches(tender_, params_);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->matches.size(), 2u);
  StoredProfiles profiles(repository, params_.viewer);
  ASSERT_TRUE(profiles.ExplainMatches(tender_, params_, &*result).ok());
  EXPECT_EQ(counting.reads(), 1);

  result = index_->FindMatches(tender_, params_);
  ASSERT_TRUE(result.ok()) << result.status();
  counting.error = absl::UnavailableError("store down");
  StoredProfiles failing(repository, params_.viewer);
  EXPECT_EQ(failing.ExplainMatches(tender_, params_, &*result), counting.error);
  EXPECT_EQ(failing.GetCandidate({"partner", "chairs"}).status(), counting.error);
}

// Another partner's private profile by ref answers as an absent one, and on the same path: the index says it is
// not visible, so its body is neither read from the store nor converted (reads of the store are counted).
TEST_F(StoredProfilesTest, ReadIndexedNeverReadsAProfileTheViewerMayNotSee) {
  CountingStore counting(store_.get());
  ProfileRepository repository(vocabulary_.get(), index_.get(), &counting, 0);
  google::protobuf::RepeatedPtrField<v1::Profile> profiles;
  *profiles.Add() = Supplier("private", "39112000", "tweedehands stoelen");
  profiles.Mutable(0)->set_visibility(v1::VISIBILITY_PRIVATE);
  auto batch = repository.Prepare(profiles, "other");
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE(repository.Write(*std::move(batch)).ok());

  auto hidden = repository.ReadIndexed({"other", "private"}, "partner");
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  EXPECT_FALSE(hidden->has_value());
  auto absent = repository.ReadIndexed({"other", "absent"}, "partner");
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(counting.reads(), 0) << "an invisible profile was read from the store";
  StoredProfiles candidates(repository, "partner");
  EXPECT_EQ(candidates.GetCandidate({"other", "private"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(candidates.GetCandidate({"other", "absent"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(candidates.GetCandidate({"other", "private"}).status().message(),
            ProfileNotFoundMessage({"other", "private"}));
  EXPECT_EQ(counting.reads(), 0) << "GetCandidate read an invisible profile from the store";

  // Its owner, and another partner's shared profile, are read as before.
  auto own = repository.ReadIndexed({"other", "private"}, "other");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_TRUE(own->has_value());
  auto shared = repository.ReadIndexed({"partner", "chairs"}, "other");
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_TRUE(shared->has_value());
  EXPECT_EQ(counting.reads(), 2);

  // A body made private in the store after the index saw it shared is not given out either.
  v1::Profile made_private = *store_->Get({"partner", "chairs"});
  made_private.set_visibility(v1::VISIBILITY_PRIVATE);
  ASSERT_TRUE(store_->Upsert({made_private}).ok());
  auto stale = repository.ReadIndexed({"partner", "chairs"}, "other");
  ASSERT_TRUE(stale.ok()) << stale.status();
  EXPECT_FALSE(stale->has_value());
}

}  // namespace
}  // namespace circmatch::service
