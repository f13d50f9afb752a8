// Conversion between the API's protos (circmatch.v1) and the engine's plain structs, at the service's edge.
//
// Input conversions validate what only the proto knows (enum values, timestamps, strategy words) and then run
// the engine's NormalizeProfile, which checks and canonicalizes the rest. Errors are INVALID_ARGUMENT with the
// field path relative to the converted message (`needs.strategies[0]: unknown strategy "R12"`); callers add
// the outer path (`profiles[3].`) with PrefixStatus.
//
// Thread-safety: pure functions; the vocabulary is only read.
#ifndef CIRCMATCH_SERVICE_CONVERT_PROFILE_CONVERSION_H_
#define CIRCMATCH_SERVICE_CONVERT_PROFILE_CONVERSION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/diversity.h"
#include "circmatch/explanation.h"
#include "circmatch/index.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/v1/matching_service.pb.h"
#include "circmatch/v1/profile.pb.h"
#include "circmatch/vocabulary.h"

namespace circmatch::service {

// The caller's namespace while there are no API keys: profiles and refs without an owner belong to it.
inline constexpr absl::string_view kLocalOwner = "local";

// What input conversion needs besides the message.
struct ConversionContext {
  const Vocabulary* vocabulary = nullptr;  // borrowed
  int embedding_dimension = 0;             // the deployment's; 0 = embeddings rejected
};

// A proto profile as a normalized engine profile. An empty `owner` becomes `kLocalOwner`. A kind left
// unspecified is an error unless `default_kind` is given (inline queries).
absl::StatusOr<Profile> ProfileFromProto(const v1::Profile& proto, const ConversionContext& context,
                                         std::optional<ProfileKind> default_kind = std::nullopt);

// A normalized engine profile as the proto that is stored and returned: canonical codes, the resolved
// location, the owner, `contact` copied from the request and `update_time` set to `update_time_unix_seconds`.
v1::Profile ProfileToProto(const Profile& profile, const v1::Contact& contact, int64_t update_time_unix_seconds);

// A ref as a key (empty owner = `kLocalOwner`). INVALID_ARGUMENT `<field>.id: must not be empty`.
absl::StatusOr<ProfileKey> KeyFromRef(const v1::ProfileRef& ref, absl::string_view field);

// The kinds in both directions; UNSPECIFIED and unknown values fail naming `field`.
absl::StatusOr<ProfileKind> KindFromProto(int kind, absl::string_view field);
v1::ProfileKind KindToProto(ProfileKind kind);

// A timestamp's whole seconds; INVALID_ARGUMENT `<field>: ...` outside the years 1 to 9999 or for nanos outside
// 0 to 999999999.
absl::StatusOr<int64_t> SecondsFromTimestamp(const google::protobuf::Timestamp& timestamp, absl::string_view field);

// The engine's match type of the API's; INVALID_ARGUMENT `<field>: required, ...` for MATCH_TYPE_UNSPECIFIED or an
// unknown value.
absl::StatusOr<MatchType> MatchTypeFromProto(v1::MatchType type, absl::string_view field);
v1::MatchType MatchTypeToProto(MatchType type);

// k, weight overrides and filter as engine MatchParams of `type`. Validates what the API promises at its edge:
// k in 1..kMaxK, weights finite and >= 0, filter values in range, certifications checked by the engine; `viewer` and
// `now_unix_seconds` are set by the caller.
absl::StatusOr<MatchParams> MatchParamsFromProto(MatchType type, int k, const v1::FacetWeights& weights,
                                                 const v1::MatchFilter& filter);

// A request's `diversity` as engine options, with the attribute it spreads over; nullopt when it asks for nothing
// (every field unset). INVALID_ARGUMENT `diversity.spread: ...` naming the field out of range.
struct DiversityRequest {
  DiversityOptions options;
  v1::DiversityAttribute spread_over = v1::DIVERSITY_ATTRIBUTE_UNSPECIFIED;
};
absl::StatusOr<std::optional<DiversityRequest>> DiversityFromProto(const v1::Diversity& diversity);

// The value of `attribute` a diversity request spreads a stored candidate over: its province, or its sector (the
// CPV division of the first code of its ranked side); empty when it has none.
std::string DiversityGroupOf(const v1::Profile& candidate, v1::DiversityAttribute attribute);

// Normalized weights as the proto with every field set.
v1::FacetWeights WeightsToProto(const FacetWeights& weights);

// Score and explanation of an engine match (CPV labels from the vocabulary). Profile and rank are the caller's.
void MatchToProto(const Match& match, const Vocabulary& vocabulary, v1::Match* out);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_CONVERT_PROFILE_CONVERSION_H_
