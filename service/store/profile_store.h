// Durable storage of profiles, keyed by (owner, id). The store holds the normalized proto (what GetProfile
// returns); the in-memory index is rebuilt from it at start. SQLite is the embedded implementation
// (sqlite_profile_store.h); PostgreSQL will be a second one.
//
// Thread-safety: every implementation must allow concurrent calls from any thread.
#ifndef CIRCMATCH_SERVICE_STORE_PROFILE_STORE_H_
#define CIRCMATCH_SERVICE_STORE_PROFILE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "circmatch/profile.h"
#include "circmatch/v1/feedback_service.pb.h"
#include "circmatch/v1/profile.pb.h"
#include "circmatch/v1/rank_profile_service.pb.h"

namespace circmatch::service {

// One page request of ProfileStore::List.
struct ListQuery {
  // Only this kind; PROFILE_KIND_UNSPECIFIED = every kind.
  v1::ProfileKind kind = v1::PROFILE_KIND_UNSPECIFIED;
  // Only this owner; empty = every owner.
  std::string owner;
  // At most this many profiles (>= 1).
  int limit = 100;
  // Only keys after this one in (owner, id) order; nullopt = from the start.
  std::optional<ProfileKey> after;
};

// One page of ProfileStore::List.
struct ListPage {
  std::vector<v1::Profile> profiles;  // in (owner, id) order
  bool more = false;                  // true when profiles after the last one match too
};

// One page request of ProfileStore::ListFeedback.
struct FeedbackQuery {
  // The partner whose events are listed (required: events are never listed across partners).
  std::string owner;
  // Only events about this query profile; nullopt = all.
  std::optional<ProfileKey> query;
  // Only events with a larger id.
  int64_t after_id = 0;
  // At most this many events (>= 1).
  int limit = 100;
};

// One page of ProfileStore::ListFeedback.
struct FeedbackPage {
  std::vector<v1::FeedbackEvent> events;  // in id order
  bool more = false;                      // true when events after the last one match too
};

// One committed change of a store that several servers share.
struct StoreChange {
  int64_t sequence = 0;
  ProfileKey key;
  // The profile as stored now; nullopt when it was deleted.
  std::optional<v1::Profile> profile;
};

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;

  // Inserts or replaces every profile (by its owner and id, which must be set) in one transaction; returns only
  // after the commit is durable. On error nothing is written.
  virtual absl::Status Upsert(absl::Span<const v1::Profile> profiles) = 0;

  // Removes one profile, and in the same transaction every feedback event that names it as query or candidate
  // (erasure: events say who was considered for what). NOT_FOUND `profile "x" of owner "y" not found` when it is
  // not stored.
  virtual absl::Status Delete(const ProfileKey& key) = 0;

  // One stored profile. NOT_FOUND as Delete.
  virtual absl::StatusOr<v1::Profile> Get(const ProfileKey& key) const = 0;

  // The stored profiles of `keys`, in their order, nullopt for a key not stored: a match call reads those of all
  // its matches at once (one statement on PostgreSQL, not a round trip each).
  virtual absl::StatusOr<std::vector<std::optional<v1::Profile>>> GetMany(absl::Span<const ProfileKey> keys) const = 0;

  // A page of stored profiles in (owner, id) order.
  virtual absl::StatusOr<ListPage> List(const ListQuery& query) const = 0;

  // Calls `visit` with every stored profile, in (owner, id) order, stopping at the first error it returns
  // (which ForEach then returns). `visit` must not call back into the store.
  virtual absl::Status ForEach(const std::function<absl::Status(const v1::Profile&)>& visit) const = 0;

  // Number of stored profiles.
  virtual absl::StatusOr<int64_t> Count() const = 0;

  // Stores feedback events (feedback_service.proto; owner, query and candidate set, id ignored) in one
  // transaction, durable when it returns, and gives each the next id, increasing across the store; returns the
  // ids in order. On error nothing is written.
  virtual absl::StatusOr<std::vector<int64_t>> AddFeedback(absl::Span<const v1::FeedbackEvent> events) = 0;

  // A page of one partner's feedback events in id order, with their ids set.
  virtual absl::StatusOr<FeedbackPage> ListFeedback(const FeedbackQuery& query) const = 0;

  // Stores a rank profile (rank_profile_service.proto; owner, name and match type set) as the next version of
  // its owner's name, 1 for a new name, in one transaction; returns the version. It is stored inactive.
  virtual absl::StatusOr<int> AddRankProfile(const v1::RankProfile& profile) = 0;

  // Every version of one partner's rank profiles, by name then version, with version and active set.
  virtual absl::StatusOr<std::vector<v1::RankProfile>> ListRankProfiles(const std::string& owner) const = 0;

  // Makes version `version` of `owner`'s profile `name` its only active profile for `type`, in one transaction;
  // with an empty name, leaves none active for `type` (the built-in defaults rank). NOT_FOUND when there is no
  // such version for `type`.
  virtual absl::Status ActivateRankProfile(const std::string& owner, v1::MatchType type, const std::string& name,
                                           int version) = 0;

  // For a store other servers write too (PostgreSQL), so each server's index follows their writes (see
  // change_feed.h). A store only this process writes (SQLite) keeps the defaults: not shared, no changes.
  virtual bool Shared() const { return false; }
  // The sequence number of the latest committed change.
  virtual absl::StatusOr<int64_t> LatestChange() const { return 0; }
  // The changes committed after `sequence`, oldest first, at most `limit`; a profile changed several times
  // appears with its current state.
  virtual absl::StatusOr<std::vector<StoreChange>> ChangesSince(int64_t /*sequence*/, int /*limit*/) const {
    return std::vector<StoreChange>();
  }
  // Blocks until another server may have committed a change (true) or `timeout` passed (false).
  virtual bool WaitForChange(absl::Duration /*timeout*/) const { return false; }
};

// The NOT_FOUND message every store and handler uses for a missing profile.
inline std::string ProfileNotFoundMessage(const ProfileKey& key) {
  return absl::StrCat("profile \"", key.id, "\" of owner \"", key.owner, "\" not found");
}

// The NOT_FOUND message of a rank profile version that is not stored (for the match type asked).
inline std::string RankProfileNotFoundMessage(const std::string& name, int version) {
  return absl::StrCat("rank profile \"", name, "@", version, "\" not found");
}

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_PROFILE_STORE_H_
