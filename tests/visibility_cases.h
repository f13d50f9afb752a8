// The cases of the visibility rule (engine/include/circmatch/visibility.h), one table for the engine's tests
// (tests/engine/visibility_test.cc: MayView, ViewerOwns and the Index) and the service's
// (tests/service/api_visibility_test.cc: GetProfile, SuggestSuppliers and ExplainMatch through the API). Plain values,
// neither engine nor protobuf types, so that both can include it.
#ifndef CIRCMATCH_TESTS_VISIBILITY_CASES_H_
#define CIRCMATCH_TESTS_VISIBILITY_CASES_H_

#include <iterator>

namespace circmatch {
namespace testing_cases {

struct VisibilityCase {
  const char* name;    // for failure messages
  const char* viewer;  // "" = no partner: the engine embedded without tenants
  const char* owner;
  bool shared;   // the profile's visibility: shared, else private
  bool visible;  // the viewer may see the profile: reads find it, matches may return it
  bool owns;     // the viewer owns the profile: it sees the contact details without the profile's consent
  // Through the API too: every caller of the service is a partner (authenticated, a partner id of a-z, 0-9 and
  // . _ -), so the rows of an empty viewer, or of one no key can name, are the engine's only.
  bool in_service;
};

// name, viewer, owner, shared, visible, owns, in_service
inline constexpr VisibilityCase kVisibilityCases[] = {
    {"own private", "partner-a", "partner-a", false, true, true, true},
    {"own shared", "partner-a", "partner-a", true, true, true, true},
    {"another's shared", "partner-a", "partner-b", true, true, false, true},
    {"another's private", "partner-a", "partner-b", false, false, false, true},
    {"another's private, the other way round", "partner-b", "partner-a", false, false, false, true},
    // A viewer that owns no profile of the index yet (the engine's interned form has no number for it).
    {"another's shared, to a viewer that owns nothing", "partner-c", "partner-b", true, true, false, true},
    {"another's private, to a viewer that owns nothing", "partner-c", "partner-b", false, false, false, true},
    // Ownership is the whole name: not a prefix of it, not its case.
    {"private of an owner whose name starts with the viewer's", "partner-a", "partner-ab", false, false, false, true},
    {"private of an owner whose name is the viewer's in another case", "PARTNER-A", "partner-a", false, false, false,
     false},
    {"private, to the empty viewer", "", "partner-b", false, true, false, false},
    {"shared, to the empty viewer", "", "partner-b", true, true, false, false},
};

inline constexpr int kVisibilityCaseCount = static_cast<int>(std::size(kVisibilityCases));

}  // namespace testing_cases
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_VISIBILITY_CASES_H_
