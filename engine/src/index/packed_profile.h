// A profile packed into one string, for the Index to hold every stored profile compactly: a Profile struct is
// over a kilobyte before its strings (four FacetValues, most of them empty), its packed bytes are mostly the
// profile's own text. The owner and the embedding are not packed: the Index keeps them apart (owners numbered in
// a column of their own, embeddings as rows to score). The id comes first, so the Index reads it, to find and to
// order rows by key, without unpacking the rest.
//
// The format is private to one process (varint lengths, fixed-width numbers in host byte order): it is never
// stored or sent; the store keeps profiles as protobuf.
//
// Thread-safety: stateless functions.
#ifndef CIRCMATCH_ENGINE_INDEX_PACKED_PROFILE_H_
#define CIRCMATCH_ENGINE_INDEX_PACKED_PROFILE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "circmatch/profile.h"

namespace circmatch {
namespace internal {

// Every field of `profile` but its owner and embedding.
std::string PackProfile(const Profile& profile);

// Only the id, as PackProfile begins, for an index that keeps no profiles: PackedProfileId reads it back;
// UnpackProfile must not be given it.
std::string PackId(absl::string_view id);

// The id of the profile PackProfile made `packed` from, a view into `packed`; empty for an empty `packed`.
absl::string_view PackedProfileId(absl::string_view packed);

// The profile PackProfile(p) was made from, with `owner` as its owner and no embedding. `packed` must come from
// PackProfile.
Profile UnpackProfile(absl::string_view owner, absl::string_view packed);

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_PACKED_PROFILE_H_
