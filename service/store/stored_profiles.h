// The stored profiles one call answers with (the server's index keeps no copy of the profiles): read from the
// store by key, all at once, converted to the normalized profiles the index scores, and kept with the stored
// protos they came from, so that the call explains its matches (QueryExplainer) and answers with the protos
// without reading again. A call that holds its candidates already (the members of a pairing) adds them, and
// they are not read at all.
//
// A write commits to the store before the index sees it, so the store may hold a newer version than the one the
// index ranked, made private since: a body the call's viewer may not see is as absent (its match is left out),
// so a response never carries a version of a profile its caller may not see.
//
//   StoredProfiles profiles(repository, viewer);
//   absl::StatusOr<MatchResult> result = repository.index().FindMatches(query, params);
//   absl::Status explained = profiles.ExplainMatches(query, params, &*result);
//   std::optional<v1::Profile> stored = profiles.TakeStored(result->matches[0].key);
//
// Thread-safety: one call's; not to be shared between threads.
#ifndef CIRCMATCH_SERVICE_STORE_STORED_PROFILES_H_
#define CIRCMATCH_SERVICE_STORE_STORED_PROFILES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/index.h"
#include "circmatch/v1/profile.pb.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

class StoredProfiles {
 public:
  // `repository` is borrowed for the object's life; `viewer` is the partner the call answers (empty: sees all,
  // as MatchParams::viewer).
  StoredProfiles(const ProfileRepository& repository, std::string viewer)
      : repository_(repository), viewer_(std::move(viewer)) {}

  // The normalized profiles stored under `keys`, in the same order: an added one as added, the others read
  // from the store in one read. nullopt for one the store no longer has, the viewer may not see, or that no
  // longer converts (the vocabulary changed since it was written; the index skipped it when it was rebuilt).
  absl::StatusOr<std::vector<std::optional<Profile>>> GetMany(absl::Span<const ProfileKey> keys);

  // Explains the matches of `result` (from FindMatches with `params`, for `query`) from their stored
  // profiles, read at once; a match whose profile GetMany does not give is left out.
  absl::Status ExplainMatches(const Profile& query, const MatchParams& params, MatchResult* result);

  // The profile of one candidate, for Index::Explain: NOT_FOUND when the index holds none under `key` that
  // the viewer may see (asked before the store is read, so another partner's private profile costs what an
  // absent one does) or GetMany does not give it.
  absl::StatusOr<Profile> GetCandidate(const ProfileKey& key);

  // The stored proto of `key` as GetMany read it, moved out; nullopt when it was not read or not there.
  std::optional<v1::Profile> TakeStored(const ProfileKey& key);

  // A profile the call has read already: GetMany gives it without reading the store.
  void Add(const Profile& profile) { held_.insert_or_assign(profile.key, profile); }

  // Holds every profile GetMany reads from now on, as Add does, so that it is read once however often it is
  // asked for (a report over many tenders). Their stored protos are not kept.
  void HoldWhatIsRead() { hold_read_ = true; }

 private:
  const ProfileRepository& repository_;
  const std::string viewer_;
  absl::flat_hash_map<ProfileKey, Profile> held_;
  bool hold_read_ = false;
  absl::flat_hash_map<ProfileKey, v1::Profile> stored_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_STORED_PROFILES_H_
