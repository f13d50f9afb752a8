#include "service/store/access.h"

#include "absl/strings/str_cat.h"
#include "circmatch/visibility.h"

namespace circmatch::service {

absl::StatusOr<ProfileKey> CallerKeyFromRef(const v1::ProfileRef& ref, absl::string_view field,
                                            const std::string& caller) {
  if (ref.id().empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".id: must not be empty"));
  return ProfileKey{ref.owner().empty() ? caller : ref.owner(), ref.id()};
}

absl::Status CheckOwnedBy(const ProfileKey& key, absl::string_view field, const std::string& caller) {
  if (ViewerOwns(caller, key.owner)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      field, ": partner \"", caller, "\" may change only its own profiles, not those of \"", key.owner, "\""));
}

bool VisibleTo(const v1::Profile& profile, const std::string& caller) {
  // Any value but SHARED is private, as ProfileFromProto reads UNSPECIFIED.
  const Visibility visibility =
      profile.visibility() == v1::VISIBILITY_SHARED ? Visibility::kShared : Visibility::kPrivate;
  return MayView(caller, profile.owner(), visibility);
}

void RedactFor(const std::string& caller, v1::Profile* profile) {
  if (!ViewerOwns(caller, profile->owner()) && !profile->contact().share_consent()) profile->clear_contact();
}

absl::StatusOr<v1::Profile> ReadProfileAs(const ProfileStore& store, const ProfileKey& key, absl::string_view field,
                                          const std::string& caller) {
  absl::StatusOr<v1::Profile> profile = store.Get(key);
  if (profile.ok() && !VisibleTo(*profile, caller)) {
    profile = absl::NotFoundError(ProfileNotFoundMessage(key));
  }
  if (!profile.ok()) {
    return absl::Status(profile.status().code(), absl::StrCat(field, ": ", profile.status().message()));
  }
  RedactFor(caller, &*profile);
  return profile;
}

}  // namespace circmatch::service
