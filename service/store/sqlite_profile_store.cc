#include "service/store/sqlite_profile_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/common/logging.h"
#include "service/common/private_files.h"
#include "service/convert/status_mapping.h"

namespace circmatch::service {
namespace {

// Waits this long for a lock held by another connection (a second process, a backup tool).
constexpr int kBusyTimeoutMs = 5000;

absl::StatusCode CodeOf(int sqlite_code) {
  switch (sqlite_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kInternal;
  }
}

// Resets and unbinds a cached statement when the scope ends, so the next user starts clean and no read
// transaction stays open.
class StatementScope {
 public:
  explicit StatementScope(sqlite3_stmt* statement) : statement_(statement) {}
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  ~StatementScope() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3_stmt* statement_;
};

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

absl::StatusOr<v1::Profile> ParseBody(sqlite3_stmt* statement, int column) {
  const void* data = sqlite3_column_blob(statement, column);
  const int size = sqlite3_column_bytes(statement, column);
  v1::Profile profile;
  if (!profile.ParseFromArray(data, size)) {
    return absl::DataLossError(absl::StrCat("stored profile does not parse (", size, " bytes)"));
  }
  return profile;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteProfileStore>> SqliteProfileStore::Open(const std::string& data_dir) {
  if (absl::Status s = MakePrivateDir(data_dir); !s.ok()) return PrefixStatus("data_dir: ", s);
  std::string path = (std::filesystem::path(data_dir) / kFileName).string();
  // SQLite creates the -wal, -shm and -journal files with the mode of the database file: that one is made 0600
  // before SQLite opens it, and those an earlier version left looser are tightened.
  if (absl::Status s = MakePrivateFile(path, /*create=*/true); !s.ok()) return PrefixStatus("data_dir: ", s);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    absl::Status s = MakePrivateFile(path + suffix, /*create=*/false);
    if (!s.ok()) return PrefixStatus("data_dir: ", s);
  }
  sqlite3* db = nullptr;
  // No SQLite mutex: the store serializes every use of the connection itself.
  const int code =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (code != SQLITE_OK) {
    absl::Status status(CodeOf(code), absl::StrCat("sqlite: open \"", path,
                                                   "\": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code)));
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<SqliteProfileStore> store(new SqliteProfileStore(std::move(path), db));
  if (absl::Status status = store->CreateSchema(); !status.ok()) return status;
  return store;
}

SqliteProfileStore::SqliteProfileStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

SqliteProfileStore::~SqliteProfileStore() {
  absl::MutexLock lock(&mu_);
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

absl::Status SqliteProfileStore::Error(int code, const char* what) const {
  return absl::Status(CodeOf(code), absl::StrCat("sqlite: ", what, ": ", sqlite3_errmsg(db_)));
}

absl::Status SqliteProfileStore::Execute(const char* sql) const {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (code == SQLITE_OK) return absl::OkStatus();
  absl::Status status(CodeOf(code),
                      absl::StrCat("sqlite: ", sql, ": ", message != nullptr ? message : sqlite3_errstr(code)));
  sqlite3_free(message);
  return status;
}

sqlite3_stmt* SqliteProfileStore::Prepare(const std::string& sql, absl::Status* status) const {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* statement = nullptr;
  const int code = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &statement, nullptr);
  if (code != SQLITE_OK) {
    *status = Error(code, "prepare");
    return nullptr;
  }
  statements_.emplace(sql, statement);
  return statement;
}

absl::Status SqliteProfileStore::CreateSchema() {
  absl::MutexLock lock(&mu_);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // A row of this WITHOUT ROWID table keeps at most ~1 KB in a 4 KB page (SQLite's default); the rest of a larger
  // one (a profile with a 256-float embedding is ~1.3 KB) spills into an overflow page of its own, mostly empty,
  // so the file grows ~3x and every commit writes that much more. 16 KB pages keep rows up to ~4 KB inline. Takes
  // effect only in a new, empty file (before WAL mode is set); existing stores keep their page size.
  if (absl::Status s = Execute("PRAGMA page_size=16384"); !s.ok()) return s;
  // WAL lets readers of other processes (backups, sqlite3 CLI) run during writes; FULL syncs the WAL at every
  // commit, which is what makes an acknowledged write durable.
  if (absl::Status s = Execute("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  if (absl::Status s = Execute("PRAGMA synchronous=FULL"); !s.ok()) return s;
  if (absl::Status s = Execute("PRAGMA foreign_keys=ON"); !s.ok()) return s;
  // Erasure (GDPR): deleted and replaced rows are overwritten with zeros, not just unlinked.
  if (absl::Status s = Execute("PRAGMA secure_delete=ON"); !s.ok()) return s;

  absl::Status status;
  sqlite3_stmt* statement = Prepare("PRAGMA user_version", &status);
  if (statement == nullptr) return status;
  int version = 0;
  {
    StatementScope scope(statement);
    const int code = sqlite3_step(statement);
    if (code != SQLITE_ROW) return Error(code, "read user_version");
    version = sqlite3_column_int(statement, 0);
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("sqlite: \"", path_, "\" has schema version ", version,
                                                      ", newer than this server's ", kSchemaVersion));
  }
  if (version == kSchemaVersion) return absl::OkStatus();
  // Each version's tables, created from the file's version up, in one transaction.
  absl::Status created = InWriteTransaction([&]() -> absl::Status {
    if (version < 1) {
      absl::Status s = Execute(
          "CREATE TABLE profiles ("
          "  owner TEXT NOT NULL,"
          "  id TEXT NOT NULL,"
          "  kind INTEGER NOT NULL,"
          "  body BLOB NOT NULL,"
          "  updated_at INTEGER NOT NULL,"
          "  PRIMARY KEY (owner, id)"
          ") WITHOUT ROWID;"
          "CREATE INDEX profiles_by_kind ON profiles (kind, owner, id);");
      if (!s.ok()) return s;
    }
    if (version < 2) {
      // AUTOINCREMENT: an id is never given twice, even after the newest event was erased. An index on columns
      // ends with the rowid, so (owner) lists a partner's events in id order.
      absl::Status s = Execute(
          "CREATE TABLE feedback ("
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  owner TEXT NOT NULL,"
          "  query_owner TEXT NOT NULL,"
          "  query_id TEXT NOT NULL,"
          "  candidate_owner TEXT NOT NULL,"
          "  candidate_id TEXT NOT NULL,"
          "  body BLOB NOT NULL);"
          "CREATE INDEX feedback_by_owner ON feedback (owner);"
          "CREATE INDEX feedback_by_owner_query ON feedback (owner, query_owner, query_id);"
          "CREATE INDEX feedback_by_query ON feedback (query_owner, query_id);"
          "CREATE INDEX feedback_by_candidate ON feedback (candidate_owner, candidate_id);"
          "CREATE TABLE rank_profiles ("
          "  owner TEXT NOT NULL,"
          "  name TEXT NOT NULL,"
          "  version INTEGER NOT NULL,"
          "  match_type INTEGER NOT NULL,"
          "  active INTEGER NOT NULL,"
          "  body BLOB NOT NULL,"
          "  PRIMARY KEY (owner, name, version)"
          ") WITHOUT ROWID;");
      if (!s.ok()) return s;
    }
    return Execute(absl::StrCat("PRAGMA user_version = ", kSchemaVersion).c_str());
  });
  if (!created.ok()) return created;
  CIRCMATCH_LOG(kInfo) << (version == 0 ? "created" : "upgraded") << " profile store " << path_ << " (schema version "
                       << kSchemaVersion << ")";
  return absl::OkStatus();
}

absl::Status SqliteProfileStore::InWriteTransaction(const std::function<absl::Status()>& body) const {
  if (absl::Status s = Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  absl::Status status = body();
  if (status.ok()) status = Execute("COMMIT");
  if (!status.ok()) Execute("ROLLBACK").IgnoreError();
  return status;
}

absl::Status SqliteProfileStore::Upsert(absl::Span<const v1::Profile> profiles) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare(
      "INSERT INTO profiles (owner, id, kind, body, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (owner, id) DO UPDATE SET kind = excluded.kind, body = excluded.body, "
      "updated_at = excluded.updated_at",
      &status);
  if (statement == nullptr) return status;
  return InWriteTransaction([&]() -> absl::Status {
    std::string body;
    for (const v1::Profile& profile : profiles) {
      StatementScope scope(statement);
      if (!profile.SerializeToString(&body)) {
        return absl::InternalError(absl::StrCat("profile \"", profile.id(), "\" does not serialize"));
      }
      BindText(statement, 1, profile.owner());
      BindText(statement, 2, profile.id());
      sqlite3_bind_int(statement, 3, profile.kind());
      sqlite3_bind_blob(statement, 4, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(statement, 5, profile.update_time().seconds());
      const int code = sqlite3_step(statement);
      if (code != SQLITE_DONE) return Error(code, "upsert");
    }
    return absl::OkStatus();
  });
}

absl::Status SqliteProfileStore::Delete(const ProfileKey& key) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* profile = Prepare("DELETE FROM profiles WHERE owner = ?1 AND id = ?2", &status);
  if (profile == nullptr) return status;
  sqlite3_stmt* feedback = Prepare(
      "DELETE FROM feedback WHERE (query_owner = ?1 AND query_id = ?2) OR (candidate_owner = ?1 AND candidate_id = ?2)",
      &status);
  if (feedback == nullptr) return status;
  status = InWriteTransaction([&]() -> absl::Status {
    for (sqlite3_stmt* statement : {profile, feedback}) {
      StatementScope scope(statement);
      BindText(statement, 1, key.owner);
      BindText(statement, 2, key.id);
      const int code = sqlite3_step(statement);
      if (code != SQLITE_DONE) return Error(code, "delete");
      if (statement == profile && sqlite3_changes(db_) == 0) return absl::NotFoundError(ProfileNotFoundMessage(key));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  // The WAL still holds the pages from before the delete; copy the zeroed pages into the database file and
  // empty the WAL, so the profile's bytes are gone from disk when the call returns.
  return Execute("PRAGMA wal_checkpoint(TRUNCATE)");
}

absl::StatusOr<v1::Profile> SqliteProfileStore::Get(const ProfileKey& key) const {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<v1::Profile>> profile = Read(key);
  if (!profile.ok()) return profile.status();
  if (!profile->has_value()) return absl::NotFoundError(ProfileNotFoundMessage(key));
  return **std::move(profile);
}

absl::StatusOr<std::vector<std::optional<v1::Profile>>> SqliteProfileStore::GetMany(
    absl::Span<const ProfileKey> keys) const {
  std::vector<std::optional<v1::Profile>> profiles;
  profiles.reserve(keys.size());
  absl::MutexLock lock(&mu_);
  // One read transaction for all, so the WAL's read lock is taken and released once rather than per statement
  // (sqlite3_reset ending each statement's own transaction was 2.6% of the server's samples under load).
  if (absl::Status s = Execute("BEGIN"); !s.ok()) return s;
  for (const ProfileKey& key : keys) {
    absl::StatusOr<std::optional<v1::Profile>> profile = Read(key);
    if (!profile.ok()) {
      Execute("ROLLBACK").IgnoreError();
      return profile.status();
    }
    profiles.push_back(*std::move(profile));
  }
  if (absl::Status s = Execute("COMMIT"); !s.ok()) {
    Execute("ROLLBACK").IgnoreError();
    return s;
  }
  return profiles;
}

absl::StatusOr<std::optional<v1::Profile>> SqliteProfileStore::Read(const ProfileKey& key) const {
  absl::Status status;
  sqlite3_stmt* statement = Prepare("SELECT body FROM profiles WHERE owner = ?1 AND id = ?2", &status);
  if (statement == nullptr) return status;
  StatementScope scope(statement);
  BindText(statement, 1, key.owner);
  BindText(statement, 2, key.id);
  const int code = sqlite3_step(statement);
  if (code == SQLITE_DONE) return std::nullopt;
  if (code != SQLITE_ROW) return Error(code, "get");
  absl::StatusOr<v1::Profile> profile = ParseBody(statement, 0);
  if (!profile.ok()) {
    return absl::DataLossError(
        absl::StrCat("profile \"", key.id, "\" of owner \"", key.owner, "\": ", profile.status().message()));
  }
  return *std::move(profile);
}

absl::StatusOr<ListPage> SqliteProfileStore::List(const ListQuery& query) const {
  // One statement per combination of conditions, so each can use the primary key or the kind index.
  std::string sql = "SELECT body FROM profiles WHERE 1";
  if (query.kind != v1::PROFILE_KIND_UNSPECIFIED) sql += " AND kind = ?1";
  if (!query.owner.empty()) sql += " AND owner = ?2";
  if (query.after.has_value()) sql += " AND (owner, id) > (?3, ?4)";
  sql += " ORDER BY owner, id LIMIT ?5";

  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare(sql, &status);
  if (statement == nullptr) return status;
  StatementScope scope(statement);
  if (query.kind != v1::PROFILE_KIND_UNSPECIFIED) sqlite3_bind_int(statement, 1, query.kind);
  if (!query.owner.empty()) BindText(statement, 2, query.owner);
  if (query.after.has_value()) {
    BindText(statement, 3, query.after->owner);
    BindText(statement, 4, query.after->id);
  }
  // One row more than asked tells whether there is a next page.
  sqlite3_bind_int64(statement, 5, static_cast<int64_t>(query.limit) + 1);
  ListPage page;
  while (true) {
    const int code = sqlite3_step(statement);
    if (code == SQLITE_DONE) break;
    if (code != SQLITE_ROW) return Error(code, "list");
    if (static_cast<int>(page.profiles.size()) == query.limit) {
      page.more = true;
      break;
    }
    absl::StatusOr<v1::Profile> profile = ParseBody(statement, 0);
    if (!profile.ok()) return profile.status();
    page.profiles.push_back(*std::move(profile));
  }
  return page;
}

absl::Status SqliteProfileStore::ForEach(const std::function<absl::Status(const v1::Profile&)>& visit) const {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare("SELECT owner, id, body FROM profiles ORDER BY owner, id", &status);
  if (statement == nullptr) return status;
  StatementScope scope(statement);
  while (true) {
    const int code = sqlite3_step(statement);
    if (code == SQLITE_DONE) return absl::OkStatus();
    if (code != SQLITE_ROW) return Error(code, "scan");
    absl::StatusOr<v1::Profile> profile = ParseBody(statement, 2);
    if (!profile.ok()) {
      return absl::DataLossError(absl::StrCat(
          "profile \"", reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)), "\" of owner \"",
          reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "\": ", profile.status().message()));
    }
    if (absl::Status s = visit(*profile); !s.ok()) return s;
  }
}

absl::StatusOr<int64_t> SqliteProfileStore::Count() const {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare("SELECT COUNT(*) FROM profiles", &status);
  if (statement == nullptr) return status;
  StatementScope scope(statement);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_ROW) return Error(code, "count");
  return static_cast<int64_t>(sqlite3_column_int64(statement, 0));
}

absl::StatusOr<std::vector<int64_t>> SqliteProfileStore::AddFeedback(absl::Span<const v1::FeedbackEvent> events) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare(
      "INSERT INTO feedback (owner, query_owner, query_id, candidate_owner, candidate_id, body) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      &status);
  if (statement == nullptr) return status;
  std::vector<int64_t> ids;
  status = InWriteTransaction([&]() -> absl::Status {
    std::string body;
    for (const v1::FeedbackEvent& event : events) {
      StatementScope scope(statement);
      if (!event.SerializeToString(&body)) return absl::InternalError("feedback event does not serialize");
      BindText(statement, 1, event.owner());
      BindText(statement, 2, event.query().owner());
      BindText(statement, 3, event.query().id());
      BindText(statement, 4, event.candidate().owner());
      BindText(statement, 5, event.candidate().id());
      sqlite3_bind_blob(statement, 6, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
      const int code = sqlite3_step(statement);
      if (code != SQLITE_DONE) return Error(code, "add feedback");
      ids.push_back(sqlite3_last_insert_rowid(db_));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return ids;
}

absl::StatusOr<FeedbackPage> SqliteProfileStore::ListFeedback(const FeedbackQuery& query) const {
  std::string sql = "SELECT id, body FROM feedback WHERE owner = ?1 AND id > ?2";
  if (query.query.has_value()) sql += " AND query_owner = ?3 AND query_id = ?4";
  sql += " ORDER BY id LIMIT ?5";
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare(sql, &status);
  if (statement == nullptr) return status;
  StatementScope scope(statement);
  BindText(statement, 1, query.owner);
  sqlite3_bind_int64(statement, 2, query.after_id);
  if (query.query.has_value()) {
    BindText(statement, 3, query.query->owner);
    BindText(statement, 4, query.query->id);
  }
  // One row more than asked tells whether there is a next page.
  sqlite3_bind_int64(statement, 5, static_cast<int64_t>(query.limit) + 1);
  FeedbackPage page;
  while (true) {
    const int code = sqlite3_step(statement);
    if (code == SQLITE_DONE) break;
    if (code != SQLITE_ROW) return Error(code, "list feedback");
    if (static_cast<int>(page.events.size()) == query.limit) {
      page.more = true;
      break;
    }
    v1::FeedbackEvent& event = page.events.emplace_back();
    const int64_t id = sqlite3_column_int64(statement, 0);
    if (!event.ParseFromArray(sqlite3_column_blob(statement, 1), sqlite3_column_bytes(statement, 1))) {
      return absl::DataLossError(absl::StrCat("feedback event ", id, ": stored body does not parse"));
    }
    event.set_id(id);
  }
  return page;
}

absl::StatusOr<int> SqliteProfileStore::AddRankProfile(const v1::RankProfile& profile) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* latest =
      Prepare("SELECT COALESCE(MAX(version), 0) FROM rank_profiles WHERE owner = ?1 AND name = ?2", &status);
  if (latest == nullptr) return status;
  sqlite3_stmt* insert = Prepare(
      "INSERT INTO rank_profiles (owner, name, version, match_type, active, body) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
      &status);
  if (insert == nullptr) return status;
  int version = 0;
  status = InWriteTransaction([&]() -> absl::Status {
    {
      StatementScope scope(latest);
      BindText(latest, 1, profile.owner());
      BindText(latest, 2, profile.name());
      const int code = sqlite3_step(latest);
      if (code != SQLITE_ROW) return Error(code, "add rank profile");
      version = sqlite3_column_int(latest, 0) + 1;
    }
    std::string body;
    if (!profile.SerializeToString(&body)) return absl::InternalError("rank profile does not serialize");
    StatementScope scope(insert);
    BindText(insert, 1, profile.owner());
    BindText(insert, 2, profile.name());
    sqlite3_bind_int(insert, 3, version);
    sqlite3_bind_int(insert, 4, profile.match_type());
    sqlite3_bind_blob(insert, 5, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    const int code = sqlite3_step(insert);
    return code == SQLITE_DONE ? absl::OkStatus() : Error(code, "add rank profile");
  });
  if (!status.ok()) return status;
  return version;
}

absl::StatusOr<std::vector<v1::RankProfile>> SqliteProfileStore::ListRankProfiles(const std::string& owner) const {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement =
      Prepare("SELECT version, active, body FROM rank_profiles WHERE owner = ?1 ORDER BY name, version", &status);
  if (statement == nullptr) return status;
  StatementScope scope(statement);
  BindText(statement, 1, owner);
  std::vector<v1::RankProfile> profiles;
  while (true) {
    const int code = sqlite3_step(statement);
    if (code == SQLITE_DONE) return profiles;
    if (code != SQLITE_ROW) return Error(code, "list rank profiles");
    v1::RankProfile& profile = profiles.emplace_back();
    if (!profile.ParseFromArray(sqlite3_column_blob(statement, 2), sqlite3_column_bytes(statement, 2))) {
      return absl::DataLossError(absl::StrCat("rank profile of owner \"", owner, "\": stored body does not parse"));
    }
    profile.set_version(sqlite3_column_int(statement, 0));
    profile.set_active(sqlite3_column_int(statement, 1) != 0);
  }
}

absl::Status SqliteProfileStore::ActivateRankProfile(const std::string& owner, v1::MatchType type,
                                                     const std::string& name, int version) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* clear =
      Prepare("UPDATE rank_profiles SET active = 0 WHERE owner = ?1 AND match_type = ?2 AND active = 1", &status);
  if (clear == nullptr) return status;
  sqlite3_stmt* set =
      Prepare("UPDATE rank_profiles SET active = 1 WHERE owner = ?1 AND match_type = ?2 AND name = ?3 AND version = ?4",
              &status);
  if (set == nullptr) return status;
  return InWriteTransaction([&]() -> absl::Status {
    for (sqlite3_stmt* statement : {clear, set}) {
      if (statement == set && name.empty()) break;
      StatementScope scope(statement);
      BindText(statement, 1, owner);
      sqlite3_bind_int(statement, 2, type);
      if (statement == set) {
        BindText(statement, 3, name);
        sqlite3_bind_int(statement, 4, version);
      }
      const int code = sqlite3_step(statement);
      if (code != SQLITE_DONE) return Error(code, "activate rank profile");
      if (statement == set && sqlite3_changes(db_) == 0)
        return absl::NotFoundError(RankProfileNotFoundMessage(name, version));
    }
    return absl::OkStatus();
  });
}

absl::Status SqliteProfileStore::BackupTo(const std::string& file) const {
  if (std::filesystem::exists(file)) {
    return absl::AlreadyExistsError(absl::StrCat("backup: \"", file, "\" exists; choose a new file"));
  }
  absl::MutexLock lock(&mu_);
  absl::Status status;
  sqlite3_stmt* statement = Prepare("VACUUM INTO ?1", &status);
  if (statement == nullptr) return status;
  // The copy holds the contact details too: owner-only, as the store. VACUUM INTO fills an empty file.
  if (absl::Status s = MakePrivateFile(file, /*create=*/true); !s.ok()) return PrefixStatus("backup: ", s);
  StatementScope scope(statement);
  BindText(statement, 1, file);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_DONE) {
    status = Error(code, "backup");
    std::error_code ignored;
    std::filesystem::remove(file, ignored);  // the empty file made above, so that a retry may use the name
    return status;
  }
  return absl::OkStatus();
}

}  // namespace circmatch::service
