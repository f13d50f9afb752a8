#include "service/convert/page_token.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace circmatch::service {
namespace {

constexpr absl::string_view kKeyTag = "k1:";
constexpr absl::string_view kOffsetTag = "o1:";
constexpr absl::string_view kIdTag = "i1:";

absl::Status BadToken(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("page_token: ", why, "; pass the next_page_token of the previous page"));
}

}  // namespace

absl::StatusOr<int> PageSize(int page_size) {
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be 0 to ", kMaxPageSize, ", got ", page_size));
  }
  return page_size == 0 ? kDefaultPageSize : page_size;
}

std::string EncodeKeyToken(const ProfileKey& last) {
  // Length-prefixed owner, so any characters in owner and id round-trip.
  return absl::WebSafeBase64Escape(absl::StrCat(kKeyTag, last.owner.size(), ":", last.owner, last.id));
}

absl::StatusOr<ProfileKey> DecodeKeyToken(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken("not a page token");
  absl::string_view rest = raw;
  if (!absl::ConsumePrefix(&rest, kKeyTag)) return BadToken("not a ListProfiles page token");
  const size_t colon = rest.find(':');
  size_t owner_size = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &owner_size) ||
      owner_size > rest.size() - colon - 1) {
    return BadToken("malformed");
  }
  rest.remove_prefix(colon + 1);
  return ProfileKey{std::string(rest.substr(0, owner_size)), std::string(rest.substr(owner_size))};
}

std::string EncodeOffsetToken(int offset) { return absl::WebSafeBase64Escape(absl::StrCat(kOffsetTag, offset)); }

absl::StatusOr<int> DecodeOffsetToken(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken("not a page token");
  absl::string_view rest = raw;
  int offset = 0;
  if (!absl::ConsumePrefix(&rest, kOffsetTag)) return BadToken("not a ListVocabulary page token");
  if (!absl::SimpleAtoi(rest, &offset) || offset < 0) return BadToken("malformed");
  return offset;
}

std::string EncodeIdToken(int64_t last_id) { return absl::WebSafeBase64Escape(absl::StrCat(kIdTag, last_id)); }

absl::StatusOr<int64_t> DecodeIdToken(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken("not a page token");
  absl::string_view rest = raw;
  int64_t id = 0;
  if (!absl::ConsumePrefix(&rest, kIdTag)) return BadToken("not a ListFeedback page token");
  if (!absl::SimpleAtoi(rest, &id) || id < 0) return BadToken("malformed");
  return id;
}

}  // namespace circmatch::service
