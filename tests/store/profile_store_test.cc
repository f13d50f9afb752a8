// The ProfileStore contract on both backends: the same tests, once on SQLite and once on a real PostgreSQL.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "postgres_test_database.h"
#include "service/store/postgres_profile_store.h"
#include "service/store/sqlite_profile_store.h"

namespace circmatch::service {
namespace {

v1::Profile Make(const std::string& owner, const std::string& id, v1::ProfileKind kind = v1::PROFILE_KIND_SUPPLIER,
                 const std::string& name = "") {
  v1::Profile p;
  p.set_owner(owner);
  p.set_id(id);
  p.set_kind(kind);
  p.set_display_name(name.empty() ? id : name);
  p.mutable_update_time()->set_seconds(1700000000);
  return p;
}

v1::FeedbackEvent Event(const std::string& owner, const std::string& query, const std::string& candidate,
                        v1::FeedbackAction action = v1::FEEDBACK_ACTION_SHORTLISTED) {
  v1::FeedbackEvent e;
  e.set_owner(owner);
  e.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
  e.mutable_query()->set_owner(owner);
  e.mutable_query()->set_id(query);
  e.mutable_candidate()->set_owner("shared-owner");
  e.mutable_candidate()->set_id(candidate);
  e.set_action(action);
  return e;
}

v1::RankProfile RankProfileOf(const std::string& owner, const std::string& name,
                              v1::MatchType type = v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER) {
  v1::RankProfile profile;
  profile.set_owner(owner);
  profile.set_name(name);
  profile.set_match_type(type);
  profile.mutable_weights()->set_text(1);
  return profile;
}

// "name@version" of each listed profile, with "*" after the active ones.
std::vector<std::string> Versions(const std::vector<v1::RankProfile>& profiles) {
  std::vector<std::string> out;
  for (const v1::RankProfile& p : profiles) {
    out.push_back(p.name() + "@" + std::to_string(p.version()) + (p.active() ? "*" : ""));
  }
  return out;
}

enum class Backend { kSqlite, kPostgres };

class ProfileStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("circmatch-store-" + std::to_string(getpid()) + "-" +
                                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::remove_all(dir_);
      auto store = SqliteProfileStore::Open(dir_.string());
      ASSERT_TRUE(store.ok()) << store.status();
      store_ = *std::move(store);
    } else {
      database_ = std::make_unique<testing::PostgresTestDatabase>();
      ASSERT_FALSE(database_->url().empty()) << database_->error();
      auto store = PostgresProfileStore::Open(database_->url());
      ASSERT_TRUE(store.ok()) << store.status();
      store_ = *std::move(store);
    }
  }
  void TearDown() override {
    store_.reset();
    database_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Every event of `query`, paging `limit` at a time, as "query>candidate".
  std::vector<std::string> FeedbackOf(FeedbackQuery query) {
    std::vector<std::string> events;
    for (int page = 0; page < 1000; ++page) {
      absl::StatusOr<FeedbackPage> got = store_->ListFeedback(query);
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok()) break;
      for (const v1::FeedbackEvent& e : got->events) {
        EXPECT_GT(e.id(), query.after_id) << "id order";
        EXPECT_EQ(e.owner(), query.owner);
        query.after_id = e.id();
        events.push_back(e.query().id() + ">" + e.candidate().id());
      }
      if (!got->more) break;
    }
    return events;
  }

  // Reopens the store on its file or database (schema already there).
  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<ProfileStore>> store;
    if (GetParam() == Backend::kSqlite) {
      store = SqliteProfileStore::Open(dir_.string());
    } else {
      store = PostgresProfileStore::Open(database_->url());
    }
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Turns the store's schema back into version 1's, as a server before feedback left it: no feedback and no rank
  // profile tables.
  void DowngradeToSchemaVersion1() {
    store_.reset();
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir_ / SqliteProfileStore::kFileName).c_str(), &db), SQLITE_OK);
      ASSERT_EQ(sqlite3_exec(db, "DROP TABLE feedback; DROP TABLE rank_profiles; PRAGMA user_version = 1;", nullptr,
                             nullptr, nullptr),
                SQLITE_OK)
          << sqlite3_errmsg(db);
      sqlite3_close(db);
    } else {
      PGconn* c = PQconnectdb(database_->url().c_str());
      PGresult* r = PQexec(c,
                           "DROP TABLE circmatch_feedback; DROP TABLE circmatch_rank_profiles; "
                           "UPDATE circmatch_schema SET version = 1;");
      EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
      PQclear(r);
      PQfinish(c);
    }
  }

  std::vector<std::string> Ids(const ListPage& page) {
    std::vector<std::string> ids;
    for (const v1::Profile& p : page.profiles) ids.push_back(p.owner() + "/" + p.id());
    return ids;
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::PostgresTestDatabase> database_;
  std::unique_ptr<ProfileStore> store_;
};

TEST_P(ProfileStoreTest, UpsertGetReplaceDelete) {
  ASSERT_TRUE(store_->Upsert({Make("a", "1", v1::PROFILE_KIND_SUPPLIER, "first")}).ok());
  auto got = store_->Get({"a", "1"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->display_name(), "first");
  ASSERT_TRUE(store_->Upsert({Make("a", "1", v1::PROFILE_KIND_SUPPLIER, "second")}).ok());
  EXPECT_EQ(store_->Get({"a", "1"})->display_name(), "second");
  EXPECT_EQ(*store_->Count(), 1);
  EXPECT_EQ(store_->Get({"b", "1"}).status().code(), absl::StatusCode::kNotFound) << "keys are (owner, id)";
  ASSERT_TRUE(store_->Delete({"a", "1"}).ok());
  EXPECT_EQ(store_->Get({"a", "1"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete({"a", "1"}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->Count(), 0);
}

TEST_P(ProfileStoreTest, GetManyReadsKeysInTheirOrderWithTheAbsentLeftEmpty) {
  ASSERT_TRUE(store_
                  ->Upsert({Make("a", "1", v1::PROFILE_KIND_SUPPLIER, "one"), Make("a", "2"),
                            Make("b", "1", v1::PROFILE_KIND_TENDER, "b's one"), Make("it's", "o\"dd\\")})
                  .ok());
  const std::vector<ProfileKey> keys = {{"b", "1"}, {"a", "9"}, {"a", "1"}, {"it's", "o\"dd\\"}, {"a", "1"}, {"", ""}};
  auto got = store_->GetMany(keys);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), keys.size());
  ASSERT_TRUE((*got)[0].has_value());
  EXPECT_EQ((*got)[0]->display_name(), "b's one");
  EXPECT_EQ((*got)[0]->kind(), v1::PROFILE_KIND_TENDER);
  EXPECT_FALSE((*got)[1].has_value()) << "not stored";
  ASSERT_TRUE((*got)[2].has_value());
  EXPECT_EQ((*got)[2]->display_name(), "one");
  ASSERT_TRUE((*got)[3].has_value()) << "quotes and backslashes in keys";
  EXPECT_EQ((*got)[3]->owner(), "it's");
  ASSERT_TRUE((*got)[4].has_value()) << "a key asked twice";
  EXPECT_EQ((*got)[4]->id(), "1");
  EXPECT_FALSE((*got)[5].has_value());

  auto none = store_->GetMany({});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_P(ProfileStoreTest, ListPagesInOwnerIdOrderWithKindAndOwnerFilters) {
  ASSERT_TRUE(store_
                  ->Upsert({Make("b", "2"), Make("a", "10"), Make("a", "9", v1::PROFILE_KIND_TENDER), Make("a", "1"),
                            Make("B", "1"), Make("a", "Z")})
                  .ok());
  ListQuery all;
  all.limit = 100;
  auto page = store_->List(all);
  ASSERT_TRUE(page.ok()) << page.status();
  // Byte order, as both backends promise: upper case before lower case, "10" before "9".
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"B/1", "a/1", "a/10", "a/9", "a/Z", "b/2"}));
  EXPECT_FALSE(page->more);

  ListQuery paged;
  paged.limit = 2;
  std::vector<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    auto p = store_->List(paged);
    ASSERT_TRUE(p.ok());
    for (const std::string& id : Ids(*p)) seen.push_back(id);
    if (!p->more) break;
    paged.after = ProfileKey{p->profiles.back().owner(), p->profiles.back().id()};
  }
  EXPECT_EQ(seen, Ids(*page));

  ListQuery owner_a;
  owner_a.owner = "a";
  owner_a.kind = v1::PROFILE_KIND_SUPPLIER;
  EXPECT_EQ(Ids(*store_->List(owner_a)), (std::vector<std::string>{"a/1", "a/10", "a/Z"}));

  std::vector<std::string> visited;
  ASSERT_TRUE(store_
                  ->ForEach([&](const v1::Profile& p) {
                    visited.push_back(p.owner() + "/" + p.id());
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(visited, Ids(*page));
}

TEST_P(ProfileStoreTest, ConcurrentWritersLoseNothing) {
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(
            store_
                ->Upsert({Make("w" + std::to_string(w), std::to_string(i)),
                          Make("shared", std::to_string(i), v1::PROFILE_KIND_SUPPLIER, "by " + std::to_string(w))})
                .ok());
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(*store_->Count(), 4 * 25 + 25);
}

TEST_P(ProfileStoreTest, ChangesOfASharedStoreArriveInCommitOrder) {
  if (!store_->Shared()) {
    EXPECT_EQ(*store_->LatestChange(), 0);
    EXPECT_TRUE(store_->ChangesSince(0, 10)->empty()) << "a store nobody else writes reports no changes";
    return;
  }
  const int64_t start = *store_->LatestChange();
  ASSERT_TRUE(store_->Upsert({Make("a", "1"), Make("a", "2")}).ok());
  ASSERT_TRUE(store_->Upsert({Make("a", "1", v1::PROFILE_KIND_SUPPLIER, "renamed")}).ok());
  ASSERT_TRUE(store_->Delete({"a", "2"}).ok());
  auto changes = store_->ChangesSince(start, 100);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 4u);
  for (size_t i = 1; i < changes->size(); ++i) EXPECT_GT((*changes)[i].sequence, (*changes)[i - 1].sequence);
  EXPECT_EQ((*changes)[0].key.id, "1");
  ASSERT_TRUE((*changes)[0].profile.has_value());
  EXPECT_EQ((*changes)[0].profile->display_name(), "renamed") << "changes carry the current state";
  EXPECT_FALSE((*changes)[3].profile.has_value()) << "a delete";
  EXPECT_EQ(*store_->LatestChange(), (*changes)[3].sequence);
  EXPECT_EQ(store_->ChangesSince((*changes)[3].sequence, 100)->size(), 0u);
  EXPECT_EQ(store_->ChangesSince(start, 2)->size(), 2u);
}

TEST_P(ProfileStoreTest, AStoreOpensAgainOnItsExistingSchemaAndData) {
  ASSERT_TRUE(store_->Upsert({Make("a", "1")}).ok());
  store_.reset();
  if (GetParam() == Backend::kSqlite) {
    store_ = *SqliteProfileStore::Open(dir_.string());
  } else {
    store_ = *PostgresProfileStore::Open(database_->url());
  }
  EXPECT_TRUE(store_->Get({"a", "1"}).ok());
}

TEST_P(ProfileStoreTest, FeedbackGetsIncreasingIdsAndListsOnlyItsOwnersEventsInIdOrder) {
  absl::StatusOr<std::vector<int64_t>> first = store_->AddFeedback({Event("a", "t1", "s1"), Event("a", "t2", "s2")});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::vector<int64_t>> other = store_->AddFeedback({Event("b", "t1", "s3")});
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<std::vector<int64_t>> second = store_->AddFeedback({Event("a", "t1", "s4")});
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_LT((*first)[0], (*first)[1]);
  EXPECT_LT((*first)[1], (*other)[0]);
  EXPECT_LT((*other)[0], (*second)[0]);

  FeedbackQuery query;
  query.owner = "a";
  query.limit = 1;  // a page per event
  EXPECT_EQ(FeedbackOf(query), (std::vector<std::string>{"t1>s1", "t2>s2", "t1>s4"}));
  query.query = ProfileKey{"a", "t1"};
  EXPECT_EQ(FeedbackOf(query), (std::vector<std::string>{"t1>s1", "t1>s4"}));
  query.owner = "b";
  query.query.reset();
  EXPECT_EQ(FeedbackOf(query), (std::vector<std::string>{"t1>s3"}));
  query.owner = "c";
  EXPECT_TRUE(FeedbackOf(query).empty());

  // The stored event is the one written, with its id.
  query.owner = "a";
  query.limit = 10;
  absl::StatusOr<FeedbackPage> page = store_->ListFeedback(query);
  ASSERT_TRUE(page.ok());
  v1::FeedbackEvent expected = Event("a", "t1", "s1");
  expected.set_id((*first)[0]);
  EXPECT_EQ(page->events[0].SerializeAsString(), expected.SerializeAsString());
}

TEST_P(ProfileStoreTest, DeletingAProfileErasesTheFeedbackThatNamesIt) {
  // "s1" is candidate of two events; tender t1 is a query; s1 also exists under another owner, whose events stay.
  ASSERT_TRUE(
      store_->Upsert({Make("shared-owner", "s1"), Make("a", "t1", v1::PROFILE_KIND_TENDER), Make("a", "s1")}).ok());
  v1::FeedbackEvent about_other_s1 = Event("a", "t2", "s1");
  about_other_s1.mutable_candidate()->set_owner("a");
  ASSERT_TRUE(store_
                  ->AddFeedback({Event("a", "t1", "s1"), Event("a", "t2", "s1"), Event("b", "t3", "s1"),
                                 Event("a", "t1", "s2"), Event("a", "t2", "s2"), about_other_s1})
                  .ok());
  ASSERT_TRUE(store_->Delete({"shared-owner", "s1"}).ok());
  FeedbackQuery query;
  query.owner = "a";
  EXPECT_EQ(FeedbackOf(query), (std::vector<std::string>{"t1>s2", "t2>s2", "t2>s1"}));
  query.owner = "b";
  EXPECT_TRUE(FeedbackOf(query).empty()) << "another partner's events about the profile go too";
  ASSERT_TRUE(store_->Delete({"a", "t1"}).ok());
  query.owner = "a";
  EXPECT_EQ(FeedbackOf(query), (std::vector<std::string>{"t2>s2", "t2>s1"}));
  // A failed delete erases nothing.
  EXPECT_EQ(store_->Delete({"a", "t2"}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FeedbackOf(query).size(), 2u);
}

TEST_P(ProfileStoreTest, AStoreOfSchemaVersion1GetsTheNewTablesAndKeepsItsProfiles) {
  ASSERT_TRUE(store_->Upsert({Make("a", "1")}).ok());
  DowngradeToSchemaVersion1();
  Reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(store_->Get({"a", "1"}).ok());
  absl::StatusOr<std::vector<int64_t>> ids = store_->AddFeedback({Event("a", "1", "s1")});
  ASSERT_TRUE(ids.ok()) << ids.status();
  FeedbackQuery query;
  query.owner = "a";
  EXPECT_EQ(FeedbackOf(query).size(), 1u);
  EXPECT_TRUE(store_->AddRankProfile(RankProfileOf("a", "suppliers")).ok());
}

TEST_P(ProfileStoreTest, RankProfilesGetConsecutiveVersionsPerNameAndOneActivePerMatchType) {
  EXPECT_EQ(*store_->AddRankProfile(RankProfileOf("a", "suppliers")), 1);
  EXPECT_EQ(*store_->AddRankProfile(RankProfileOf("a", "suppliers")), 2);
  EXPECT_EQ(*store_->AddRankProfile(RankProfileOf("a", "local")), 1);
  EXPECT_EQ(*store_->AddRankProfile(RankProfileOf("a", "tenders", v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER)), 1);
  EXPECT_EQ(*store_->AddRankProfile(RankProfileOf("b", "suppliers")), 1) << "versions count per owner";
  EXPECT_EQ(Versions(*store_->ListRankProfiles("a")),
            (std::vector<std::string>{"local@1", "suppliers@1", "suppliers@2", "tenders@1"}));

  const v1::MatchType suppliers = v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER;
  ASSERT_TRUE(store_->ActivateRankProfile("a", suppliers, "suppliers", 2).ok());
  ASSERT_TRUE(store_->ActivateRankProfile("a", v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER, "tenders", 1).ok());
  ASSERT_TRUE(store_->ActivateRankProfile("b", suppliers, "suppliers", 1).ok());
  EXPECT_EQ(Versions(*store_->ListRankProfiles("a")),
            (std::vector<std::string>{"local@1", "suppliers@1", "suppliers@2*", "tenders@1*"}));
  // Another version of the same match type takes over; the other match type and the other owner keep theirs.
  ASSERT_TRUE(store_->ActivateRankProfile("a", suppliers, "local", 1).ok());
  EXPECT_EQ(Versions(*store_->ListRankProfiles("a")),
            (std::vector<std::string>{"local@1*", "suppliers@1", "suppliers@2", "tenders@1*"}));
  EXPECT_EQ(Versions(*store_->ListRankProfiles("b")), (std::vector<std::string>{"suppliers@1*"}));
  // A version that is not there, or not of that match type, changes nothing.
  EXPECT_EQ(store_->ActivateRankProfile("a", suppliers, "suppliers", 3).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ActivateRankProfile("a", suppliers, "tenders", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ActivateRankProfile("b", suppliers, "local", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Versions(*store_->ListRankProfiles("a")),
            (std::vector<std::string>{"local@1*", "suppliers@1", "suppliers@2", "tenders@1*"}));
  // An empty name returns the match type to the defaults.
  ASSERT_TRUE(store_->ActivateRankProfile("a", suppliers, "", 0).ok());
  EXPECT_EQ(Versions(*store_->ListRankProfiles("a")),
            (std::vector<std::string>{"local@1", "suppliers@1", "suppliers@2", "tenders@1*"}));
  // The stored body comes back.
  EXPECT_EQ((*store_->ListRankProfiles("a"))[0].weights().text(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProfileStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? std::string("Sqlite") : std::string("Postgres");
                         });

}  // namespace
}  // namespace circmatch::service
