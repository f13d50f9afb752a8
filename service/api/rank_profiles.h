// Rank profiles (rank_profile_service.proto): which facet weights rank a partner's match call, and fitting a
// partner's weights to its own feedback and judged queries. Everything reads and writes only the caller's own
// profiles, feedback and visible query profiles, so one partner's feedback never moves another's results.
//
// Thread-safety: pure functions over the thread-safe repository and store.
#ifndef CIRCMATCH_SERVICE_API_RANK_PROFILES_H_
#define CIRCMATCH_SERVICE_API_RANK_PROFILES_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/v1/matching_service.pb.h"
#include "circmatch/v1/rank_profile_service.pb.h"
#include "service/store/profile_repository.h"
#include "service/store/profile_store.h"

namespace circmatch::service {

// The name of the built-in defaults, in requests and responses.
inline constexpr absl::string_view kBuiltinRankProfile = "builtin";

// What ranks one call.
struct RankingChoice {
  // "builtin" or "owner/name@version", as responses and the audit log name it.
  std::string label;
  // The profile's weights; nullopt for the built-in defaults.
  std::optional<v1::FacetWeights> weights;
};

// The profile a match call of `caller` ranks with: `requested` is the request's `rank_profile` ("" = the caller's
// active profile for `type`, else the built-in defaults; "builtin"; "name" = the active version of that name, else
// its latest; "name@3"). INVALID_ARGUMENT `rank_profile: ...` for a malformed value or a profile of another match
// type; NOT_FOUND for a name or version the caller does not have.
absl::StatusOr<RankingChoice> ChooseRankProfile(const ProfileStore& store, const std::string& caller,
                                                v1::MatchType type, absl::string_view requested);

// The weights a call ranks with: the profile's, with each weight the request sets in its place.
v1::FacetWeights WeightsFor(const RankingChoice& choice, const v1::FacetWeights& request);

// INVALID_ARGUMENT `<field>: ...` unless `name` is 1 to 64 lower-case letters, digits and hyphens starting with a
// letter, and not "builtin".
absl::Status ValidateRankProfileName(absl::string_view name, absl::string_view field);

// Fits weights to the caller's feedback and/or the request's judged queries (see the proto), ranking each query
// with the repository's index as the caller's match call would, and returns the profile to store (owner, name,
// match type, weights, time, report; no version yet). INVALID_ARGUMENT naming a bad field; FAILED_PRECONDITION
// when no query has a candidate graded above 0. `interrupt` is asked before each ranking (and inside long ones):
// a status other than OK stops the fit with it, so a fit nobody waits for no longer keeps a core busy.
absl::StatusOr<v1::RankProfile> FitRankProfile(const ProfileRepository& repository, const std::string& caller,
                                               const v1::FitRankProfileRequest& request,
                                               const std::function<absl::Status()>& interrupt);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_RANK_PROFILES_H_
