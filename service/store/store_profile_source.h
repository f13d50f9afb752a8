// The durable store as the index's ProfileSource for one call (the server's index keeps no copy of the
// profiles): reads the profiles the index explains from the store, as the normalized profiles the index
// scores, and keeps the stored protos it read, so that the call answers with them without reading again. A call
// that holds its candidates already (the members of a pairing) adds them, and they are not read at all.
//
// A write commits to the store before the index sees it, so the store may hold a newer version than the one the
// index ranked, made private since: a body the call's viewer may not see is as absent (the index then leaves
// the match out), so a response never carries a version of a profile its caller may not see.
//
//   StoreProfileSource profiles(repository, viewer);
//   params.profiles = &profiles;
//   absl::StatusOr<MatchResult> result = repository.index().FindMatches(query, params);
//   std::optional<v1::Profile> stored = profiles.TakeStored(result->matches[0].key);
//
// Thread-safety: one call's; not to be shared between threads.
#ifndef CIRCMATCH_SERVICE_STORE_STORE_PROFILE_SOURCE_H_
#define CIRCMATCH_SERVICE_STORE_STORE_PROFILE_SOURCE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/profile_source.h"
#include "circmatch/v1/profile.pb.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

class StoreProfileSource : public ProfileSource {
 public:
  // `repository` is borrowed for the object's life; `viewer` is the partner the call answers (empty: sees all,
  // as MatchParams::viewer).
  StoreProfileSource(const ProfileRepository& repository, std::string viewer)
      : repository_(repository), viewer_(std::move(viewer)) {}

  // A stored profile that no longer converts (the vocabulary changed since it was written) is as absent: the
  // index skipped it when it was rebuilt.
  absl::StatusOr<std::vector<std::optional<Profile>>> GetMany(absl::Span<const ProfileKey> keys) const override;

  // The stored proto of `key` as GetMany read it, moved out; nullopt when it was not read or not there.
  std::optional<v1::Profile> TakeStored(const ProfileKey& key);

  // A profile the call has read already: GetMany gives it without reading the store.
  void Add(const Profile& profile) { held_.insert_or_assign(profile.key, profile); }

  // Holds every profile GetMany reads from now on, as Add does, so that it is read once however often it is
  // asked for (a fit ranks the same queries many times). Their stored protos are not kept.
  void HoldWhatIsRead() { hold_read_ = true; }

  // A profile held (added, or read since HoldWhatIsRead), or nullptr; valid until the next GetMany or Add.
  const Profile* Held(const ProfileKey& key) const {
    auto it = held_.find(key);
    return it == held_.end() ? nullptr : &it->second;
  }

 private:
  const ProfileRepository& repository_;
  const std::string viewer_;
  mutable absl::flat_hash_map<ProfileKey, Profile> held_;
  bool hold_read_ = false;
  mutable absl::flat_hash_map<ProfileKey, v1::Profile> stored_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_STORE_PROFILE_SOURCE_H_
