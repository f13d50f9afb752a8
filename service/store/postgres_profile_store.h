// The profile store on PostgreSQL (libpq), for several circmatch-server replicas sharing one database (or any
// engine that speaks PostgreSQL's protocol and SQL).
//
// Schema (version 2, in circmatch_schema; version 1 lacked the feedback and rank profile tables):
//   circmatch_profiles(owner, id, kind, body BYTEA, updated_at, seq, PRIMARY KEY (owner, id))
//   circmatch_changes(seq PRIMARY KEY, owner, id)    one row per committed write or delete, ids only
//   circmatch_feedback(id PRIMARY KEY, owner, query_owner, query_id, candidate_owner, candidate_id, body BYTEA)
//   circmatch_rank_profiles(owner, name, version, match_type, active, body BYTEA, PRIMARY KEY (owner, name,
//                           version))
// Keys use the "C" collation, so (owner, id) order is byte order, as in SQLite.
//
// Writes are serialized across replicas (each write transaction locks circmatch_changes), so change sequence
// numbers increase in commit order and a replica that has applied every change up to N has missed none before
// it. Two replicas writing the same (owner, id) converge on the later commit. Every commit sends NOTIFY
// circmatch_changes, which wakes the other replicas' change feeds. Feedback writes are serialized the same way
// (they lock circmatch_feedback), so a page of events ending at id N is never followed by an event committed
// later with a smaller id.
//
// Thread-safety: every method is safe to call concurrently; calls take a connection from a small pool.
#ifndef CIRCMATCH_SERVICE_STORE_POSTGRES_PROFILE_STORE_H_
#define CIRCMATCH_SERVICE_STORE_POSTGRES_PROFILE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "service/store/profile_store.h"

struct pg_conn;

namespace circmatch::service {

class PostgresProfileStore final : public ProfileStore {
 public:
  static constexpr int kSchemaVersion = 2;

  // Connects to `url` ("postgresql://user@host:port/db?..."), creating the schema if missing. UNAVAILABLE with
  // libpq's message when the database cannot be reached.
  static absl::StatusOr<std::unique_ptr<PostgresProfileStore>> Open(const std::string& url, int pool_size = 4);

  PostgresProfileStore(const PostgresProfileStore&) = delete;
  PostgresProfileStore& operator=(const PostgresProfileStore&) = delete;
  ~PostgresProfileStore() override;

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

  bool Shared() const override { return true; }
  absl::StatusOr<int64_t> LatestChange() const override;
  absl::StatusOr<std::vector<StoreChange>> ChangesSince(int64_t sequence, int limit) const override;
  bool WaitForChange(absl::Duration timeout) const override;

  // The URL with any password removed, for logs.
  const std::string& display_url() const { return display_url_; }

 private:
  class Lease;  // a pooled connection, returned on destruction

  PostgresProfileStore(std::string url, std::string display_url)
      : url_(std::move(url)), display_url_(std::move(display_url)) {}
  absl::StatusOr<pg_conn*> Connect() const;
  absl::StatusOr<Lease> Take() const;
  void Give(pg_conn* connection) const;
  absl::Status CreateSchema();

  const std::string url_;
  const std::string display_url_;
  mutable absl::Mutex pool_mu_;
  mutable std::vector<pg_conn*> idle_ ABSL_GUARDED_BY(pool_mu_);
  int pool_size_ = 4;
  // LISTEN connection of WaitForChange.
  mutable absl::Mutex listen_mu_;
  mutable pg_conn* listener_ ABSL_GUARDED_BY(listen_mu_) = nullptr;
};

// The URL without its password ("postgresql://u:secret@h/db" -> "postgresql://u@h/db").
std::string RedactPassword(const std::string& url);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_POSTGRES_PROFILE_STORE_H_
