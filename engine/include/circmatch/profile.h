// The engine's model of a profile: a buyer, tender, supplier or buddy, keyed by (owner, id), with facets in the
// controlled vocabularies. Plain values, no protobuf: the service converts at its edge.
//
// Thread-safety: plain structs; share them read-only or copy them.
#ifndef CIRCMATCH_PROFILE_H_
#define CIRCMATCH_PROFILE_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace circmatch {

enum class ProfileKind { kBuyer, kTender, kSupplier, kBuddy };
enum class Visibility { kPrivate, kShared };

// Names as in the API ("BUYER", ...), for messages.
const char* ProfileKindName(ProfileKind kind);

// A profile's identity: the partner that owns it and its id within that owner.
struct ProfileKey {
  std::string owner;
  std::string id;

  friend bool operator==(const ProfileKey& a, const ProfileKey& b) { return a.owner == b.owner && a.id == b.id; }
  friend bool operator!=(const ProfileKey& a, const ProfileKey& b) { return !(a == b); }
  // Ties between equal scores are broken by this order, so results are deterministic.
  friend bool operator<(const ProfileKey& a, const ProfileKey& b) {
    return std::tie(a.owner, a.id) < std::tie(b.owner, b.id);
  }
  template <typename H>
  friend H AbslHashValue(H h, const ProfileKey& k) {
    return H::combine(std::move(h), k.owner, k.id);
  }
};

// A point in WGS84 degrees.
struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// One side of a profile (needs, capabilities, offers or asks). After `NormalizeProfile` every code is canonical:
// CPV codes 8 digits, strategies as R numbers 0..9, controlled terms as their vocabulary ids.
struct FacetValues {
  std::vector<std::string> cpv_codes;
  std::vector<int> strategies;
  // Controlled material ids, or free lower-case words (kept, matched by exact word).
  std::vector<std::string> materials;
  std::vector<std::string> certifications;
  std::vector<std::string> phases;
  std::vector<std::string> topics;
  std::string text;

  // Derived from the text by NormalizeProfile (never written by callers, never returned by the API): what an
  // advisor reads in it beside the tags.
  // R-ladder rungs the text evidences (domain concepts: "wij reviseren" is R5), sorted.
  std::vector<int> evidenced_strategies;
  // The text speaks of an intermediary role (a platform, marketplace, wholesaler, broker, consultancy) and of no
  // delivering one (a workshop, a factory, its own crews).
  bool intermediary = false;
  // Needs only: listed certifications the text names ("FSC-gecertificeerd", "VCA** verplicht") beyond
  // `certifications`: wanted like them in the score, but not a hard filter (filter.required_certifications is).
  std::vector<std::string> named_certifications;
  // Needs only: the distance limit the text names ("binnen 50 km", "binnen een straal van 30 kilometer"), 0
  // when none: a supplier farther away is ranked lower, not excluded (filter.max_distance_km excludes).
  double named_max_distance_km = 0;

  bool empty() const {
    return cpv_codes.empty() && strategies.empty() && materials.empty() && certifications.empty() && phases.empty() &&
           topics.empty() && text.empty();
  }

  // The strategies the side has, tagged or evidenced, sorted, without repeats.
  std::vector<int> TaggedOrEvidencedStrategies() const {
    std::vector<int> all = strategies;
    all.insert(all.end(), evidenced_strategies.begin(), evidenced_strategies.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }
  // The certifications the side wants: listed and named in its text (not the lower levels they imply).
  std::vector<std::string> CertificationsAndNamed() const {
    std::vector<std::string> all = certifications;
    all.insert(all.end(), named_certifications.begin(), named_certifications.end());
    return all;
  }
};

// Where a profile is. `point` is what distances use; the municipality fields are filled by normalization when
// a municipality was given.
struct Location {
  std::string municipality;       // canonical name, e.g. "Zwolle"
  std::string municipality_code;  // CBS code, e.g. "GM0193"
  std::string province;           // e.g. "Overijssel"
  std::optional<GeoPoint> point;
};

// The EU's size classes of enterprises; micro, small and medium are the SMEs.
enum class OrganizationSize { kUnspecified, kMicro, kSmall, kMedium, kLarge };

inline bool IsSme(OrganizationSize size) {
  return size == OrganizationSize::kMicro || size == OrganizationSize::kSmall || size == OrganizationSize::kMedium;
}

struct Profile {
  ProfileKey key;
  ProfileKind kind = ProfileKind::kSupplier;
  std::string display_name;
  std::string organization;
  OrganizationSize organization_size = OrganizationSize::kUnspecified;
  Location location;
  double service_radius_km = 0;  // suppliers: how far they deliver; 0 = not stated
  Visibility visibility = Visibility::kPrivate;

  FacetValues needs;         // BUYER, TENDER
  FacetValues capabilities;  // SUPPLIER
  FacetValues offers;        // BUDDY
  FacetValues asks;          // BUDDY
  int capacity = 0;          // BUDDY

  std::vector<float> embedding;  // empty, or the deployment's dimension

  // TENDER: open from publication to closing, in Unix seconds; absent means unbounded on that side.
  std::optional<int64_t> publication_time;
  std::optional<int64_t> closing_time;

  std::vector<std::string> tags;
};

}  // namespace circmatch

#endif  // CIRCMATCH_PROFILE_H_
