// Who may see a profile: the one visibility rule of the engine and the service, written here once.
//
// A viewer (the partner a call answers, MatchParams::viewer) sees its own profiles and every owner's shared ones;
// another owner's private profile is invisible to it. An empty viewer (the engine embedded without partners) sees
// every profile. Ownership is the owner's name, compared exactly (ViewerOwns).
//
// What follows from the rule, and where it is applied:
//   - Index::FindMatches never ranks a profile the viewer may not see (the index's row filter: MayViewResolved
//     over its interned owner numbers);
//   - Index::VisibleTo, Explain, ExplainPair and ScoreAll answer such a candidate as they answer an absent one
//     (false, NOT_FOUND), so its existence does not leak;
//   - FindExclusions names it with the field "visibility" (the exact reference, engine/testing/, ranks by it);
//   - Index::ViewVersion moves with the writes of the profiles the viewer may see and with no other;
//   - the service (service/store/access.h) answers another partner's private profile NOT_FOUND, as absent, in every
//     call, and shows a visible profile's contact details only to its owner (ViewerOwns) or with its consent.
//
// Thread-safety: pure functions.
//
//   if (!MayView(params.viewer, candidate.key.owner, candidate.visibility)) { /* as absent */ }
#ifndef CIRCMATCH_VISIBILITY_H_
#define CIRCMATCH_VISIBILITY_H_

#include "absl/strings/string_view.h"
#include "circmatch/profile.h"

namespace circmatch {

// True when `viewer` owns the profiles of `owner`: the same name, byte for byte. The one ownership test: what
// the viewer sees whatever the visibility, and (in the service) the contact details it sees without consent.
inline bool ViewerOwns(absl::string_view viewer, absl::string_view owner) { return viewer == owner; }

// The rule once viewer and owner are resolved: `viewer_sees_all` (the viewer is empty), `viewer_owns` (ViewerOwns,
// or the same interned owner number) and `shared` (the profile's visibility is kShared). Inline for the index's
// row filter, which calls it for every row it scans.
constexpr bool MayViewResolved(bool viewer_sees_all, bool viewer_owns, bool shared) {
  return viewer_sees_all || viewer_owns || shared;
}

// True when `viewer` may see a profile of `owner` with `visibility` (the rule above).
inline bool MayView(absl::string_view viewer, absl::string_view owner, Visibility visibility) {
  return MayViewResolved(viewer.empty(), ViewerOwns(viewer, owner), visibility == Visibility::kShared);
}

}  // namespace circmatch

#endif  // CIRCMATCH_VISIBILITY_H_
