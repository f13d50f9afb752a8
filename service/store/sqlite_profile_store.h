// The embedded profile store: one SQLite file, <data_dir>/circmatch.sqlite3, in WAL mode with synchronous=FULL,
// so a write acknowledged after COMMIT survives a crash or power loss. New files use 16 KB pages. The directory
// and the files are owner-only (private_files.h).
//
// Schema (version 1, kept in PRAGMA user_version):
//   profiles(owner TEXT, id TEXT, kind INTEGER, body BLOB, updated_at INTEGER, PRIMARY KEY(owner, id))
// where body is the serialized circmatch.v1.Profile and kind its ProfileKind number.
//
// Thread-safety: every method is safe to call concurrently. One connection is shared behind a mutex, so calls
// run one at a time; each is short (a point read or one transaction).
#ifndef CIRCMATCH_SERVICE_STORE_SQLITE_PROFILE_STORE_H_
#define CIRCMATCH_SERVICE_STORE_SQLITE_PROFILE_STORE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "service/store/profile_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace circmatch::service {

class SqliteProfileStore final : public ProfileStore {
 public:
  // The file name inside the data directory.
  static constexpr const char* kFileName = "circmatch.sqlite3";
  // The schema version this build writes and reads.
  static constexpr int kSchemaVersion = 2;  // 1: profiles; 2: + feedback and rank profiles

  // Opens the store in `data_dir` (created if missing; made owner-only), creating the schema in a new file.
  // FAILED_PRECONDITION when the file has a newer schema; other errors carry SQLite's message.
  static absl::StatusOr<std::unique_ptr<SqliteProfileStore>> Open(const std::string& data_dir);

  SqliteProfileStore(const SqliteProfileStore&) = delete;
  SqliteProfileStore& operator=(const SqliteProfileStore&) = delete;
  ~SqliteProfileStore() override;

  absl::Status Upsert(absl::Span<const v1::Profile> profiles) override;
  absl::Status Delete(const ProfileKey& key) override;
  absl::StatusOr<v1::Profile> Get(const ProfileKey& key) const override;
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> GetMany(absl::Span<const ProfileKey> keys) const override;
  absl::StatusOr<ListPage> List(const ListQuery& query) const override;
  absl::Status ForEach(const std::function<absl::Status(const v1::Profile&)>& visit) const override;
  absl::StatusOr<int64_t> Count() const override;
  absl::StatusOr<std::vector<int64_t>> AddFeedback(absl::Span<const v1::FeedbackEvent> events) override;
  absl::StatusOr<FeedbackPage> ListFeedback(const FeedbackQuery& query) const override;
  absl::StatusOr<int> AddRankProfile(const v1::RankProfile& profile) override;
  absl::StatusOr<std::vector<v1::RankProfile>> ListRankProfiles(const std::string& owner) const override;
  absl::Status ActivateRankProfile(const std::string& owner, v1::MatchType type, const std::string& name,
                                   int version) override;

  // Writes a consistent copy of the database to `file` (which must not exist) while the store stays in use: a
  // backup. Restore by stopping the server and placing the copy as <data_dir>/circmatch.sqlite3.
  absl::Status BackupTo(const std::string& file) const;

  // The path of the database file.
  const std::string& path() const { return path_; }

 private:
  SqliteProfileStore(std::string path, sqlite3* db);

  // A cached prepared statement for `sql`, reset and unbound; nullptr with `*status` set on error.
  sqlite3_stmt* Prepare(const std::string& sql, absl::Status* status) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A status of `code` (an SQLite result code) with the connection's message, prefixed by `what`.
  absl::Status Error(int code, const char* what) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Execute(const char* sql) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT (the write lock taken at once, so a batch cannot fail half-way
  // on a lock upgrade), rolling back on any error.
  absl::Status InWriteTransaction(const std::function<absl::Status()>& body) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One stored profile, nullopt when `key` is not stored.
  absl::StatusOr<std::optional<v1::Profile>> Read(const ProfileKey& key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CreateSchema() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string path_;
  mutable absl::Mutex mu_;
  sqlite3* const db_ ABSL_PT_GUARDED_BY(mu_);
  // Statements by SQL text; finalized in the destructor.
  mutable absl::flat_hash_map<std::string, sqlite3_stmt*> statements_ ABSL_GUARDED_BY(mu_);
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_SQLITE_PROFILE_STORE_H_
