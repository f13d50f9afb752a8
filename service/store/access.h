// What a calling partner may see and change: its own profiles fully; other partners' shared profiles in reads
// and matches, with contact details only where the profile consented to share them; other partners' private
// profiles not at all (they answer NOT_FOUND, as if absent, so their existence does not leak). Who sees what, and
// who owns what, is the engine's rule (circmatch/visibility.h: MayView, ViewerOwns), which the index applies to
// matches and to Index::VisibleTo; the functions here apply it to stored protos and refs.
//
// Thread-safety: pure functions over the thread-safe store.
#ifndef CIRCMATCH_SERVICE_STORE_ACCESS_H_
#define CIRCMATCH_SERVICE_STORE_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/profile.h"
#include "circmatch/v1/profile.pb.h"
#include "service/store/profile_store.h"

namespace circmatch::service {

// A ref as a key; an empty owner is the caller's own namespace. INVALID_ARGUMENT `<field>.id: must not be empty`.
absl::StatusOr<ProfileKey> CallerKeyFromRef(const v1::ProfileRef& ref, absl::string_view field,
                                            const std::string& caller);

// True when `caller` may see the stored `profile`: its own, or shared (MayView of its owner and visibility;
// the empty caller of an in-process use sees every profile, as the index's empty viewer does).
bool VisibleTo(const v1::Profile& profile, const std::string& caller);

// PERMISSION_DENIED `<field>: partner "a" may change only its own profiles, not those of "b"` unless the
// caller owns `key` (ViewerOwns).
absl::Status CheckOwnedBy(const ProfileKey& key, absl::string_view field, const std::string& caller);

// A stored profile as `caller` may see it: NOT_FOUND (naming `field`) when absent or private to another
// partner; contact details removed unless the caller owns it or it consents to share them.
absl::StatusOr<v1::Profile> ReadProfileAs(const ProfileStore& store, const ProfileKey& key, absl::string_view field,
                                          const std::string& caller);

// Removes contact details the caller may not see: unless it owns the profile (ViewerOwns) or the profile consents
// to share them.
void RedactFor(const std::string& caller, v1::Profile* profile);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_ACCESS_H_
