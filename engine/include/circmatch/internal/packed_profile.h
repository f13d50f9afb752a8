// A profile packed into one string, for the Index to hold every stored profile compactly: a Profile struct is
// over a kilobyte before its strings (four FacetValues, most of them empty), its packed bytes are mostly the
// profile's own text. The key and the embedding are not packed: the Index keeps them apart (keys to break ties,
// embeddings as rows to score).
//
// The format is private to one process (varint lengths, fixed-width numbers in host byte order): it is never
// stored or sent; the store keeps profiles as protobuf.
//
// Thread-safety: stateless functions.
#ifndef CIRCMATCH_INTERNAL_PACKED_PROFILE_H_
#define CIRCMATCH_INTERNAL_PACKED_PROFILE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "circmatch/profile.h"

namespace circmatch {
namespace internal {

// Every field of `profile` but its key and embedding.
std::string PackProfile(const Profile& profile);

// The profile PackProfile(p) was made from, with `key` as its key and no embedding. `packed` must come from
// PackProfile.
Profile UnpackProfile(const ProfileKey& key, absl::string_view packed);

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_INTERNAL_PACKED_PROFILE_H_
