// A fresh PostgreSQL database per test on the cluster the ctest fixture started (scripts/postgres-test-cluster.sh
// writes its URL to CIRCMATCH_PG_URL_FILE), dropped again when the test ends, so tests can run in parallel.
#ifndef CIRCMATCH_TESTS_POSTGRES_TEST_DATABASE_H_
#define CIRCMATCH_TESTS_POSTGRES_TEST_DATABASE_H_

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <vector>

#ifndef CIRCMATCH_PG_URL_FILE
#error "CIRCMATCH_PG_URL_FILE must name the file with the test cluster's URL"
#endif

namespace circmatch {
namespace testing {

class PostgresTestDatabase {
 public:
  PostgresTestDatabase() {
    std::ifstream in(CIRCMATCH_PG_URL_FILE);
    std::string cluster_url;
    std::getline(in, cluster_url);
    if (cluster_url.empty()) {
      error_ = std::string("no cluster URL in ") + CIRCMATCH_PG_URL_FILE + " (run the tests through ctest)";
      return;
    }
    static std::atomic<int> counter{0};
    name_ = "circmatch_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    base_ = cluster_url.substr(0, cluster_url.rfind('/') + 1);
    if (!Admin("DROP DATABASE IF EXISTS " + name_) || !Admin("CREATE DATABASE " + name_)) return;
    url_ = base_ + name_;
  }
  ~PostgresTestDatabase() {
    if (!url_.empty()) Admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    for (const std::string& sibling : siblings_) Admin("DROP DATABASE IF EXISTS " + sibling + " WITH (FORCE)");
  }
  PostgresTestDatabase(const PostgresTestDatabase&) = delete;
  PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

  // The database's URL; empty when it could not be made (see error()).
  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }
  // A URL of another new database of the same cluster (for restores), made on the first call.
  std::string Sibling(const std::string& suffix) {
    const std::string name = name_ + "_" + suffix;
    if (!Admin("DROP DATABASE IF EXISTS " + name) || !Admin("CREATE DATABASE " + name)) return "";
    siblings_.push_back(name);
    return base_ + name;
  }

 private:
  bool Admin(const std::string& sql) {
    PGconn* connection = PQconnectdb((base_ + "postgres").c_str());
    bool ok = PQstatus(connection) == CONNECTION_OK;
    if (ok) {
      PGresult* result = PQexec(connection, sql.c_str());
      ok = PQresultStatus(result) == PGRES_COMMAND_OK;
      if (!ok) error_ = PQresultErrorMessage(result);
      PQclear(result);
    } else {
      error_ = PQerrorMessage(connection);
    }
    PQfinish(connection);
    return ok;
  }

  std::string base_;
  std::string name_;
  std::string url_;
  std::string error_;
  std::vector<std::string> siblings_;
};

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_POSTGRES_TEST_DATABASE_H_
