// Page tokens (service/convert/page_token.h), which a client passes back as `page_token` of ListProfiles,
// ListVocabulary and ListFeedback: any bytes must decode to a value or to INVALID_ARGUMENT, and what decodes must
// encode to a token that decodes to the same value. The input is also read as a key (owner, then id after the first NUL
// byte), an offset and an event id, whose tokens must decode back to them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_util.h"
#include "service/convert/page_token.h"

namespace {

using circmatch::ProfileKey;
using circmatch::service::DecodeIdToken;
using circmatch::service::DecodeKeyToken;
using circmatch::service::DecodeOffsetToken;
using circmatch::service::EncodeIdToken;
using circmatch::service::EncodeKeyToken;
using circmatch::service::EncodeOffsetToken;

void CheckKeyRoundTrip(const ProfileKey& key) {
  absl::StatusOr<ProfileKey> decoded = DecodeKeyToken(EncodeKeyToken(key));
  CIRCMATCH_FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
  CIRCMATCH_FUZZ_CHECK(*decoded == key, absl::StrCat("owner \"", key.owner, "\" id \"", key.id, "\" came back as \"",
                                                     decoded->owner, "\" \"", decoded->id, "\""));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<ProfileKey> key = DecodeKeyToken(input);
  if (key.ok()) {
    CheckKeyRoundTrip(*key);
  } else {
    CIRCMATCH_FUZZ_CHECK(absl::IsInvalidArgument(key.status()), key.status().ToString());
  }
  absl::StatusOr<int> offset = DecodeOffsetToken(input);
  if (offset.ok()) {
    CIRCMATCH_FUZZ_CHECK(*offset >= 0, absl::StrCat(*offset));
    absl::StatusOr<int> again = DecodeOffsetToken(EncodeOffsetToken(*offset));
    CIRCMATCH_FUZZ_CHECK(again.ok() && *again == *offset, absl::StrCat(*offset));
  } else {
    CIRCMATCH_FUZZ_CHECK(absl::IsInvalidArgument(offset.status()), offset.status().ToString());
  }

  absl::StatusOr<int64_t> id = DecodeIdToken(input);
  if (id.ok()) {
    CIRCMATCH_FUZZ_CHECK(*id >= 0, absl::StrCat(*id));
    absl::StatusOr<int64_t> again = DecodeIdToken(EncodeIdToken(*id));
    CIRCMATCH_FUZZ_CHECK(again.ok() && *again == *id, absl::StrCat(*id));
  } else {
    CIRCMATCH_FUZZ_CHECK(absl::IsInvalidArgument(id.status()), id.status().ToString());
  }

  const size_t nul = input.find('\0');
  CheckKeyRoundTrip(nul == std::string::npos ? ProfileKey{input, ""}
                                             : ProfileKey{input.substr(0, nul), input.substr(nul + 1)});
  int value = 0;
  for (size_t i = 0; i < size && i < 4; ++i) value = static_cast<int>((static_cast<unsigned>(value) << 8) | data[i]);
  if (value >= 0) {
    absl::StatusOr<int> decoded = DecodeOffsetToken(EncodeOffsetToken(value));
    CIRCMATCH_FUZZ_CHECK(decoded.ok() && *decoded == value, absl::StrCat(value));
  }
  uint64_t bits = 0;
  for (size_t i = 0; i < size && i < 8; ++i) bits = (bits << 8) | data[i];
  const int64_t event_id = static_cast<int64_t>(bits >> 1);  // >= 0, as ids are
  absl::StatusOr<int64_t> decoded_id = DecodeIdToken(EncodeIdToken(event_id));
  CIRCMATCH_FUZZ_CHECK(decoded_id.ok() && *decoded_id == event_id, absl::StrCat(event_id));
  return 0;
}
