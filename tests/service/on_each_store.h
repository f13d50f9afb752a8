// Runs a server fixture's tests once on each profile store: SQLite in the server's data dir, and PostgreSQL in a
// fresh database per test on the cluster of the ctest fixture "postgres" (postgres_test_database.h), dropped when
// the test ends. The test binary needs CIRCMATCH_PG_URL_FILE and libpq (tests/service/CMakeLists.txt). OnPostgres
// runs a fixture on PostgreSQL only.
//
//   class FeedbackServiceTest : public OnEachStore<TwoPartnerServerTest> { ... };
//   TEST_P(FeedbackServiceTest, RecordsAndLists) { ... }
//   INSTANTIATE_ON_EACH_STORE(FeedbackServiceTest);
#ifndef CIRCMATCH_TESTS_SERVICE_ON_EACH_STORE_H_
#define CIRCMATCH_TESTS_SERVICE_ON_EACH_STORE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "postgres_test_database.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {

// `Fixture` (ServerTest or one of its subclasses) on PostgreSQL only, for tests that also reach into the
// server's database (database_).
template <typename Fixture>
class OnPostgres : public Fixture {
 protected:
  // The server goes before its database is dropped.
  ~OnPostgres() override { this->server_.reset(); }

  std::string Store() override {
    database_ = std::make_unique<PostgresTestDatabase>();
    EXPECT_FALSE(database_->url().empty()) << database_->error();
    return database_->url();
  }

  // The test's PostgreSQL database; null on SQLite.
  std::unique_ptr<PostgresTestDatabase> database_;
};

enum class StoreKind { kSqlite, kPostgres };

inline std::string StoreKindName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kSqlite ? "Sqlite" : "Postgres";
}

// `Fixture` once on each store (the test parameter).
template <typename Fixture>
class OnEachStore : public OnPostgres<Fixture>, public ::testing::WithParamInterface<StoreKind> {
 protected:
  std::string Store() override {
    return GetParam() == StoreKind::kSqlite ? Fixture::Store() : OnPostgres<Fixture>::Store();
  }
};

#define INSTANTIATE_ON_EACH_STORE(Suite)                                                                       \
  INSTANTIATE_TEST_SUITE_P(                                                                                    \
      Stores, Suite,                                                                                           \
      ::testing::Values(::circmatch::testing::StoreKind::kSqlite, ::circmatch::testing::StoreKind::kPostgres), \
      ::circmatch::testing::StoreKindName)

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_SERVICE_ON_EACH_STORE_H_
