// Opaque page tokens: the position after the last returned item, web-safe base64 with a version tag, so a
// client can only pass back what it was given. A token names a position, not a snapshot: writes between pages
// show up or not depending on where they land.
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_SERVICE_CONVERT_PAGE_TOKEN_H_
#define CIRCMATCH_SERVICE_CONVERT_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/profile.h"

namespace circmatch::service {

// Page sizes of every List call: 0 asks for the default.
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// The number of items a request's `page_size` asks for: kDefaultPageSize for 0; INVALID_ARGUMENT
// `page_size: must be 0 to 1000, got -1` outside 0..kMaxPageSize.
absl::StatusOr<int> PageSize(int page_size);

// ListProfiles: the last (owner, id) of a page.
std::string EncodeKeyToken(const ProfileKey& last);
// INVALID_ARGUMENT `page_token: ...` when `token` was not made by EncodeKeyToken.
absl::StatusOr<ProfileKey> DecodeKeyToken(absl::string_view token);

// ListVocabulary: the offset of the next page.
std::string EncodeOffsetToken(int offset);
// INVALID_ARGUMENT `page_token: ...` when `token` was not made by EncodeOffsetToken.
absl::StatusOr<int> DecodeOffsetToken(absl::string_view token);

// ListFeedback: the last event id of a page.
std::string EncodeIdToken(int64_t last_id);
// INVALID_ARGUMENT `page_token: ...` when `token` was not made by EncodeIdToken.
absl::StatusOr<int64_t> DecodeIdToken(absl::string_view token);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_CONVERT_PAGE_TOKEN_H_
