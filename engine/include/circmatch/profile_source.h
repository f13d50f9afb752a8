// Where an Index that keeps no copy of its profiles (IndexOptions::keep_profiles = false) reads back the
// candidates it explains: a server's durable store, which holds every indexed profile anyway. The index keeps
// what it scores with (the vectors and filter columns) and each row's key; the profile itself, a third of
// a supplier's bytes in memory, is read for the k matches of a call only.
//
// Thread-safety: an implementation is used by one call at a time (the caller passes it in MatchParams).
#ifndef CIRCMATCH_PROFILE_SOURCE_H_
#define CIRCMATCH_PROFILE_SOURCE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "circmatch/profile.h"

namespace circmatch {

class ProfileSource {
 public:
  virtual ~ProfileSource() = default;

  // The normalized profiles stored under `keys`, in the same order; nullopt for a key not stored (deleted since
  // the index ranked it). An error fails the call that asked.
  virtual absl::StatusOr<std::vector<std::optional<Profile>>> GetMany(absl::Span<const ProfileKey> keys) const = 0;
};

}  // namespace circmatch

#endif  // CIRCMATCH_PROFILE_SOURCE_H_
