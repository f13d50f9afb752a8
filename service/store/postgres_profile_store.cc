#include "service/store/postgres_profile_store.h"

#include <endian.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/logging.h"

namespace circmatch::service {
namespace {

// A PGresult freed on scope exit.
class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result() { PQclear(result_); }
  PGresult* get() const { return result_; }

 private:
  PGresult* result_;
};

// Runs `sql` with text parameters (a null entry is SQL NULL; `binary` marks parameters sent as raw bytes) and
// binary results. Fails unless the result status is `expected`.
absl::StatusOr<std::unique_ptr<Result>> Run(pg_conn* connection, const char* sql,
                                            const std::vector<const std::string*>& params, ExecStatusType expected,
                                            const std::vector<bool>& binary = {}) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (size_t i = 0; i < params.size(); ++i) {
    values.push_back(params[i] == nullptr ? nullptr : params[i]->data());
    lengths.push_back(params[i] == nullptr ? 0 : static_cast<int>(params[i]->size()));
    formats.push_back(i < binary.size() && binary[i] ? 1 : 0);
  }
  auto result = std::make_unique<Result>(PQexecParams(connection, sql, static_cast<int>(params.size()), nullptr,
                                                      values.data(), lengths.data(), formats.data(), 1));
  if (PQresultStatus(result->get()) != expected) {
    std::string message = PQresultErrorMessage(result->get());
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    if (PQstatus(connection) != CONNECTION_OK) return absl::UnavailableError(absl::StrCat("postgresql: ", message));
    return absl::InternalError(absl::StrCat("postgresql: ", message));
  }
  return result;
}

absl::Status Command(pg_conn* connection, const char* sql, const std::vector<const std::string*>& params = {}) {
  absl::StatusOr<std::unique_ptr<Result>> result = Run(connection, sql, params, PGRES_COMMAND_OK);
  return result.status();
}

std::string Text(const PGresult* result, int row, int column) {
  return std::string(PQgetvalue(result, row, column), static_cast<size_t>(PQgetlength(result, row, column)));
}

int64_t Int64(const PGresult* result, int row, int column) {
  uint64_t big_endian;
  std::memcpy(&big_endian, PQgetvalue(result, row, column), sizeof big_endian);
  return static_cast<int64_t>(be64toh(big_endian));
}

absl::StatusOr<v1::Profile> Body(const PGresult* result, int row, int column) {
  v1::Profile profile;
  if (!profile.ParseFromArray(PQgetvalue(result, row, column), PQgetlength(result, row, column))) {
    return absl::DataLossError(absl::StrCat("profile \"", profile.id(), "\": stored body does not parse"));
  }
  return profile;
}

// Runs several statements without parameters (the schema).
absl::Status Script(pg_conn* connection, const char* sql) {
  Result result(PQexec(connection, sql));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return absl::InternalError(absl::StrCat("postgresql: ", PQresultErrorMessage(result.get())));
  }
  return absl::OkStatus();
}

// Runs `body` inside BEGIN ... COMMIT, rolling back on any error.
absl::Status InTransaction(pg_conn* connection, const std::function<absl::Status()>& body) {
  if (absl::Status s = Command(connection, "BEGIN"); !s.ok()) return s;
  absl::Status status = body();
  if (status.ok()) status = Command(connection, "COMMIT");
  if (!status.ok()) (void)Command(connection, "ROLLBACK");
  return status;
}

}  // namespace

class PostgresProfileStore::Lease {
 public:
  Lease(const PostgresProfileStore* store, pg_conn* connection) : store_(store), connection_(connection) {}
  Lease(Lease&& other) noexcept : store_(other.store_), connection_(std::exchange(other.connection_, nullptr)) {}
  Lease(const Lease&) = delete;
  ~Lease() {
    if (connection_ != nullptr) store_->Give(connection_);
  }
  pg_conn* get() const { return connection_; }

 private:
  const PostgresProfileStore* store_;
  pg_conn* connection_;
};

std::string RedactPassword(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

absl::StatusOr<std::unique_ptr<PostgresProfileStore>> PostgresProfileStore::Open(const std::string& url,
                                                                                 int pool_size) {
  std::unique_ptr<PostgresProfileStore> store(new PostgresProfileStore(url, RedactPassword(url)));
  store->pool_size_ = std::max(1, pool_size);
  if (absl::Status s = store->CreateSchema(); !s.ok()) return s;
  return store;
}

PostgresProfileStore::~PostgresProfileStore() {
  absl::MutexLock lock(&pool_mu_);
  for (pg_conn* connection : idle_) PQfinish(connection);
  absl::MutexLock listen_lock(&listen_mu_);
  if (listener_ != nullptr) PQfinish(listener_);
}

absl::StatusOr<pg_conn*> PostgresProfileStore::Connect() const {
  pg_conn* connection = PQconnectdb(url_.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    PQfinish(connection);
    return absl::UnavailableError(absl::StrCat("postgresql: cannot connect to ", display_url_, ": ", message));
  }
  // A commit returns only once it is durable on this server.
  if (absl::Status s = Command(connection, "SET synchronous_commit = on"); !s.ok()) {
    PQfinish(connection);
    return s;
  }
  return connection;
}

absl::StatusOr<PostgresProfileStore::Lease> PostgresProfileStore::Take() const {
  {
    absl::MutexLock lock(&pool_mu_);
    if (!idle_.empty()) {
      pg_conn* connection = idle_.back();
      idle_.pop_back();
      return Lease(this, connection);
    }
  }
  absl::StatusOr<pg_conn*> connection = Connect();
  if (!connection.ok()) return connection.status();
  return Lease(this, *connection);
}

void PostgresProfileStore::Give(pg_conn* connection) const {
  // A broken connection (server restarted) is dropped; the next call connects again.
  if (PQstatus(connection) != CONNECTION_OK || PQtransactionStatus(connection) != PQTRANS_IDLE) {
    PQfinish(connection);
    return;
  }
  absl::MutexLock lock(&pool_mu_);
  if (static_cast<int>(idle_.size()) < pool_size_) {
    idle_.push_back(connection);
  } else {
    PQfinish(connection);
  }
}

absl::Status PostgresProfileStore::CreateSchema() {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  pg_conn* c = lease->get();
  // Several replicas may start at once: the advisory lock makes one of them create the schema.
  return InTransaction(c, [&]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<Result>> locked =
        Run(c, "SELECT pg_advisory_xact_lock(7239501)", {}, PGRES_TUPLES_OK);
    if (!locked.ok()) return locked.status();
    if (absl::Status s =
            Script(c,
                   "CREATE TABLE IF NOT EXISTS circmatch_schema (version INTEGER NOT NULL);"
                   "CREATE TABLE IF NOT EXISTS circmatch_profiles ("
                   "  owner TEXT COLLATE \"C\" NOT NULL,"
                   "  id TEXT COLLATE \"C\" NOT NULL,"
                   "  kind INTEGER NOT NULL,"
                   "  body BYTEA NOT NULL,"
                   "  updated_at BIGINT NOT NULL,"
                   "  seq BIGINT NOT NULL,"
                   "  PRIMARY KEY (owner, id));"
                   "CREATE INDEX IF NOT EXISTS circmatch_profiles_by_kind ON circmatch_profiles (kind, owner, id);"
                   "CREATE TABLE IF NOT EXISTS circmatch_changes ("
                   "  seq BIGSERIAL PRIMARY KEY,"
                   "  owner TEXT COLLATE \"C\" NOT NULL,"
                   "  id TEXT COLLATE \"C\" NOT NULL);"
                   "CREATE TABLE IF NOT EXISTS circmatch_feedback ("
                   "  id BIGSERIAL PRIMARY KEY,"
                   "  owner TEXT COLLATE \"C\" NOT NULL,"
                   "  query_owner TEXT COLLATE \"C\" NOT NULL,"
                   "  query_id TEXT COLLATE \"C\" NOT NULL,"
                   "  candidate_owner TEXT COLLATE \"C\" NOT NULL,"
                   "  candidate_id TEXT COLLATE \"C\" NOT NULL,"
                   "  body BYTEA NOT NULL);"
                   "CREATE INDEX IF NOT EXISTS circmatch_feedback_by_owner ON circmatch_feedback (owner, id);"
                   "CREATE INDEX IF NOT EXISTS circmatch_feedback_by_owner_query "
                   "  ON circmatch_feedback (owner, query_owner, query_id, id);"
                   "CREATE INDEX IF NOT EXISTS circmatch_feedback_by_query "
                   "  ON circmatch_feedback (query_owner, query_id);"
                   "CREATE INDEX IF NOT EXISTS circmatch_feedback_by_candidate "
                   "  ON circmatch_feedback (candidate_owner, candidate_id);"
                   "CREATE TABLE IF NOT EXISTS circmatch_rank_profiles ("
                   "  owner TEXT COLLATE \"C\" NOT NULL,"
                   "  name TEXT COLLATE \"C\" NOT NULL,"
                   "  version INTEGER NOT NULL,"
                   "  match_type INTEGER NOT NULL,"
                   "  active BOOLEAN NOT NULL,"
                   "  body BYTEA NOT NULL,"
                   "  PRIMARY KEY (owner, name, version))");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::unique_ptr<Result>> version =
        Run(c, "SELECT version::bigint FROM circmatch_schema", {}, PGRES_TUPLES_OK);
    if (!version.ok()) return version.status();
    const std::string v = absl::StrCat(kSchemaVersion);
    if (PQntuples((*version)->get()) == 0) {
      return Command(c, "INSERT INTO circmatch_schema (version) VALUES ($1::integer)", {&v});
    }
    const int64_t stored = Int64((*version)->get(), 0, 0);
    if (stored > kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat("postgresql: ", display_url_, " has schema version ", stored,
                                                        ", newer than this server's ", kSchemaVersion));
    }
    // The tables a version adds were created above (IF NOT EXISTS).
    return Command(c, "UPDATE circmatch_schema SET version = $1::integer", {&v});
  });
}

absl::Status PostgresProfileStore::Upsert(absl::Span<const v1::Profile> profiles) {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  pg_conn* c = lease->get();
  return InTransaction(c, [&]() -> absl::Status {
    // Serializes writers across replicas, so change numbers follow commit order.
    if (absl::Status s = Command(c, "LOCK TABLE circmatch_changes IN EXCLUSIVE MODE"); !s.ok()) return s;
    std::string body;
    for (const v1::Profile& profile : profiles) {
      if (!profile.SerializeToString(&body)) {
        return absl::InternalError(absl::StrCat("profile \"", profile.id(), "\" does not serialize"));
      }
      const std::string kind = absl::StrCat(static_cast<int>(profile.kind()));
      const std::string updated = absl::StrCat(profile.update_time().seconds());
      absl::StatusOr<std::unique_ptr<Result>> seq =
          Run(c, "INSERT INTO circmatch_changes (owner, id) VALUES ($1, $2) RETURNING seq",
              {&profile.owner(), &profile.id()}, PGRES_TUPLES_OK);
      if (!seq.ok()) return seq.status();
      const std::string sequence = absl::StrCat(Int64((*seq)->get(), 0, 0));
      absl::StatusOr<std::unique_ptr<Result>> written =
          Run(c,
              "INSERT INTO circmatch_profiles (owner, id, kind, body, updated_at, seq) "
              "VALUES ($1, $2, $3::integer, $4::bytea, $5::bigint, $6::bigint) "
              "ON CONFLICT (owner, id) DO UPDATE SET kind = EXCLUDED.kind, body = EXCLUDED.body, "
              "updated_at = EXCLUDED.updated_at, seq = EXCLUDED.seq",
              {&profile.owner(), &profile.id(), &kind, &body, &updated, &sequence}, PGRES_COMMAND_OK,
              {false, false, false, true, false, false});
      if (!written.ok()) return written.status();
    }
    return Command(c, "NOTIFY circmatch_changes");
  });
}

absl::Status PostgresProfileStore::Delete(const ProfileKey& key) {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  pg_conn* c = lease->get();
  return InTransaction(c, [&]() -> absl::Status {
    if (absl::Status s = Command(c, "LOCK TABLE circmatch_changes IN EXCLUSIVE MODE"); !s.ok()) return s;
    absl::StatusOr<std::unique_ptr<Result>> deleted =
        Run(c, "DELETE FROM circmatch_profiles WHERE owner = $1 AND id = $2 RETURNING id", {&key.owner, &key.id},
            PGRES_TUPLES_OK);
    if (!deleted.ok()) return deleted.status();
    if (PQntuples((*deleted)->get()) == 0) return absl::NotFoundError(ProfileNotFoundMessage(key));
    if (absl::Status s = Command(c,
                                 "DELETE FROM circmatch_feedback WHERE (query_owner = $1 AND query_id = $2) "
                                 "OR (candidate_owner = $1 AND candidate_id = $2)",
                                 {&key.owner, &key.id});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = Command(c, "INSERT INTO circmatch_changes (owner, id) VALUES ($1, $2)", {&key.owner, &key.id});
        !s.ok()) {
      return s;
    }
    return Command(c, "NOTIFY circmatch_changes");
  });
}

absl::StatusOr<v1::Profile> PostgresProfileStore::Get(const ProfileKey& key) const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(), "SELECT body FROM circmatch_profiles WHERE owner = $1 AND id = $2", {&key.owner, &key.id},
          PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  if (PQntuples((*result)->get()) == 0) return absl::NotFoundError(ProfileNotFoundMessage(key));
  return Body((*result)->get(), 0, 0);
}

absl::StatusOr<std::vector<std::optional<v1::Profile>>> PostgresProfileStore::GetMany(
    absl::Span<const ProfileKey> keys) const {
  std::vector<std::optional<v1::Profile>> profiles(keys.size());
  if (keys.empty()) return profiles;
  // One statement for all keys: WHERE (owner, id) IN (VALUES ($1, $2), ($3, $4), ...).
  std::string sql = "SELECT owner, id, body FROM circmatch_profiles WHERE (owner, id) IN (VALUES ";
  std::vector<const std::string*> params;
  params.reserve(2 * keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    absl::StrAppend(&sql, i > 0 ? ", " : "", "($", 2 * i + 1, "::text, $", 2 * i + 2, "::text)");
    params.push_back(&keys[i].owner);
    params.push_back(&keys[i].id);
  }
  sql += ")";
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::unique_ptr<Result>> result = Run(lease->get(), sql.c_str(), params, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  absl::flat_hash_map<ProfileKey, int> row_of;
  for (int r = 0; r < PQntuples((*result)->get()); ++r) {
    row_of.emplace(ProfileKey{Text((*result)->get(), r, 0), Text((*result)->get(), r, 1)}, r);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = row_of.find(keys[i]);
    if (it == row_of.end()) continue;
    absl::StatusOr<v1::Profile> profile = Body((*result)->get(), it->second, 2);
    if (!profile.ok()) return profile.status();
    profiles[i] = *std::move(profile);
  }
  return profiles;
}

absl::StatusOr<ListPage> PostgresProfileStore::List(const ListQuery& query) const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  const std::string kind = absl::StrCat(static_cast<int>(query.kind));
  const std::string after_owner = query.after ? query.after->owner : "";
  const std::string after_id = query.after ? query.after->id : "";
  const std::string limit = absl::StrCat(static_cast<int64_t>(query.limit) + 1);
  const std::string has_after = query.after ? "true" : "false";
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(),
          "SELECT body FROM circmatch_profiles WHERE ($1::integer = 0 OR kind = $1::integer) "
          "AND ($2 = '' OR owner = $2) AND ($3::boolean IS FALSE OR (owner, id) > ($4, $5)) "
          "ORDER BY owner, id LIMIT $6::bigint",
          {&kind, &query.owner, &has_after, &after_owner, &after_id, &limit}, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  ListPage page;
  const int rows = PQntuples((*result)->get());
  for (int r = 0; r < rows; ++r) {
    if (r == query.limit) {
      page.more = true;
      break;
    }
    absl::StatusOr<v1::Profile> profile = Body((*result)->get(), r, 0);
    if (!profile.ok()) return profile.status();
    page.profiles.push_back(*std::move(profile));
  }
  return page;
}

absl::Status PostgresProfileStore::ForEach(const std::function<absl::Status(const v1::Profile&)>& visit) const {
  // Pages by key, so no transaction stays open while `visit` runs.
  ListQuery query;
  query.limit = 1000;
  while (true) {
    absl::StatusOr<ListPage> page = List(query);
    if (!page.ok()) return page.status();
    for (const v1::Profile& profile : page->profiles) {
      if (absl::Status s = visit(profile); !s.ok()) return s;
    }
    if (!page->more || page->profiles.empty()) return absl::OkStatus();
    query.after = ProfileKey{page->profiles.back().owner(), page->profiles.back().id()};
  }
}

absl::StatusOr<int64_t> PostgresProfileStore::Count() const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(), "SELECT COUNT(*)::bigint FROM circmatch_profiles", {}, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  return Int64((*result)->get(), 0, 0);
}

absl::StatusOr<std::vector<int64_t>> PostgresProfileStore::AddFeedback(absl::Span<const v1::FeedbackEvent> events) {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  pg_conn* c = lease->get();
  std::vector<int64_t> ids;
  absl::Status status = InTransaction(c, [&]() -> absl::Status {
    // Ids follow commit order across replicas (see the header).
    if (absl::Status s = Command(c, "LOCK TABLE circmatch_feedback IN EXCLUSIVE MODE"); !s.ok()) return s;
    std::string body;
    for (const v1::FeedbackEvent& event : events) {
      if (!event.SerializeToString(&body)) return absl::InternalError("feedback event does not serialize");
      absl::StatusOr<std::unique_ptr<Result>> id =
          Run(c,
              "INSERT INTO circmatch_feedback (owner, query_owner, query_id, candidate_owner, candidate_id, body) "
              "VALUES ($1, $2, $3, $4, $5, $6::bytea) RETURNING id",
              {&event.owner(), &event.query().owner(), &event.query().id(), &event.candidate().owner(),
               &event.candidate().id(), &body},
              PGRES_TUPLES_OK, {false, false, false, false, false, true});
      if (!id.ok()) return id.status();
      ids.push_back(Int64((*id)->get(), 0, 0));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return ids;
}

absl::StatusOr<FeedbackPage> PostgresProfileStore::ListFeedback(const FeedbackQuery& query) const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  const std::string after = absl::StrCat(query.after_id);
  const std::string limit = absl::StrCat(static_cast<int64_t>(query.limit) + 1);
  const std::string has_query = query.query ? "true" : "false";
  const std::string query_owner = query.query ? query.query->owner : "";
  const std::string query_id = query.query ? query.query->id : "";
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(),
          "SELECT id, body FROM circmatch_feedback WHERE owner = $1 AND id > $2::bigint "
          "AND ($3::boolean IS FALSE OR (query_owner = $4 AND query_id = $5)) ORDER BY id LIMIT $6::bigint",
          {&query.owner, &after, &has_query, &query_owner, &query_id, &limit}, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  FeedbackPage page;
  const PGresult* r = (*result)->get();
  for (int row = 0; row < PQntuples(r); ++row) {
    if (row == query.limit) {
      page.more = true;
      break;
    }
    v1::FeedbackEvent& event = page.events.emplace_back();
    const int64_t id = Int64(r, row, 0);
    if (!event.ParseFromArray(PQgetvalue(r, row, 1), PQgetlength(r, row, 1))) {
      return absl::DataLossError(absl::StrCat("feedback event ", id, ": stored body does not parse"));
    }
    event.set_id(id);
  }
  return page;
}

absl::StatusOr<int> PostgresProfileStore::AddRankProfile(const v1::RankProfile& profile) {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  pg_conn* c = lease->get();
  int version = 0;
  absl::Status status = InTransaction(c, [&]() -> absl::Status {
    // Two replicas fitting the same name at once get consecutive versions.
    if (absl::Status s = Command(c, "LOCK TABLE circmatch_rank_profiles IN EXCLUSIVE MODE"); !s.ok()) return s;
    std::string body;
    if (!profile.SerializeToString(&body)) return absl::InternalError("rank profile does not serialize");
    const std::string type = absl::StrCat(static_cast<int>(profile.match_type()));
    absl::StatusOr<std::unique_ptr<Result>> inserted =
        Run(c,
            "INSERT INTO circmatch_rank_profiles (owner, name, version, match_type, active, body) "
            "SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3::integer, false, $4::bytea "
            "FROM circmatch_rank_profiles WHERE owner = $1 AND name = $2 RETURNING version::bigint",
            {&profile.owner(), &profile.name(), &type, &body}, PGRES_TUPLES_OK, {false, false, false, true});
    if (!inserted.ok()) return inserted.status();
    version = static_cast<int>(Int64((*inserted)->get(), 0, 0));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return version;
}

absl::StatusOr<std::vector<v1::RankProfile>> PostgresProfileStore::ListRankProfiles(const std::string& owner) const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(),
          "SELECT version::bigint, active::integer::bigint, body FROM circmatch_rank_profiles WHERE owner = $1 "
          "ORDER BY name, version",
          {&owner}, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  std::vector<v1::RankProfile> profiles;
  const PGresult* r = (*result)->get();
  for (int row = 0; row < PQntuples(r); ++row) {
    v1::RankProfile& profile = profiles.emplace_back();
    if (!profile.ParseFromArray(PQgetvalue(r, row, 2), PQgetlength(r, row, 2))) {
      return absl::DataLossError(absl::StrCat("rank profile of owner \"", owner, "\": stored body does not parse"));
    }
    profile.set_version(static_cast<int>(Int64(r, row, 0)));
    profile.set_active(Int64(r, row, 1) != 0);
  }
  return profiles;
}

absl::Status PostgresProfileStore::ActivateRankProfile(const std::string& owner, v1::MatchType type,
                                                       const std::string& name, int version) {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  pg_conn* c = lease->get();
  const std::string type_text = absl::StrCat(static_cast<int>(type));
  const std::string version_text = absl::StrCat(version);
  return InTransaction(c, [&]() -> absl::Status {
    if (absl::Status s = Command(c,
                                 "UPDATE circmatch_rank_profiles SET active = false "
                                 "WHERE owner = $1 AND match_type = $2::integer AND active",
                                 {&owner, &type_text});
        !s.ok()) {
      return s;
    }
    if (name.empty()) return absl::OkStatus();
    absl::StatusOr<std::unique_ptr<Result>> set =
        Run(c,
            "UPDATE circmatch_rank_profiles SET active = true WHERE owner = $1 AND match_type = $2::integer "
            "AND name = $3 AND version = $4::integer RETURNING version",
            {&owner, &type_text, &name, &version_text}, PGRES_TUPLES_OK);
    if (!set.ok()) return set.status();
    if (PQntuples((*set)->get()) == 0) return absl::NotFoundError(RankProfileNotFoundMessage(name, version));
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> PostgresProfileStore::LatestChange() const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(), "SELECT COALESCE(MAX(seq), 0)::bigint FROM circmatch_changes", {}, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  return Int64((*result)->get(), 0, 0);
}

absl::StatusOr<std::vector<StoreChange>> PostgresProfileStore::ChangesSince(int64_t sequence, int limit) const {
  absl::StatusOr<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  const std::string after = absl::StrCat(sequence);
  const std::string count = absl::StrCat(limit);
  absl::StatusOr<std::unique_ptr<Result>> result =
      Run(lease->get(),
          "SELECT c.seq, c.owner, c.id, p.body FROM circmatch_changes c "
          "LEFT JOIN circmatch_profiles p ON p.owner = c.owner AND p.id = c.id "
          "WHERE c.seq > $1::bigint ORDER BY c.seq LIMIT $2::bigint",
          {&after, &count}, PGRES_TUPLES_OK);
  if (!result.ok()) return result.status();
  std::vector<StoreChange> changes;
  const PGresult* r = (*result)->get();
  for (int row = 0; row < PQntuples(r); ++row) {
    StoreChange change;
    change.sequence = Int64(r, row, 0);
    change.key = ProfileKey{Text(r, row, 1), Text(r, row, 2)};
    if (!PQgetisnull(r, row, 3)) {
      absl::StatusOr<v1::Profile> profile = Body(r, row, 3);
      if (!profile.ok()) return profile.status();
      change.profile = *std::move(profile);
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

bool PostgresProfileStore::WaitForChange(absl::Duration timeout) const {
  absl::MutexLock lock(&listen_mu_);
  if (listener_ == nullptr || PQstatus(listener_) != CONNECTION_OK) {
    if (listener_ != nullptr) PQfinish(listener_);
    listener_ = nullptr;
    absl::StatusOr<pg_conn*> connection = Connect();
    if (!connection.ok() || !Command(*connection, "LISTEN circmatch_changes").ok()) {
      if (connection.ok()) PQfinish(*connection);
      // The caller polls on its own schedule; waiting here stands in for the notification that cannot come.
      absl::SleepFor(timeout);
      return false;
    }
    listener_ = *connection;
  }
  pollfd socket{PQsocket(listener_), POLLIN, 0};
  const int ready = ::poll(&socket, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready <= 0) return false;
  PQconsumeInput(listener_);
  bool notified = false;
  while (PGnotify* notify = PQnotifies(listener_)) {
    notified = true;
    PQfreemem(notify);
  }
  return notified;
}

}  // namespace circmatch::service
