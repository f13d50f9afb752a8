#include "index/packed_profile.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace circmatch {
namespace internal {
namespace {

class Writer {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  // Zigzag, so small negative numbers stay short.
  void Signed(int64_t v) { Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  template <typename T>
  void Fixed(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  void String(absl::string_view s) {
    Varint(s.size());
    out_.append(s.data(), s.size());
  }
  void Strings(const std::vector<std::string>& list) {
    Varint(list.size());
    for (const std::string& s : list) String(s);
  }
  template <typename T>
  void Optional(const std::optional<T>& v) {
    Varint(v.has_value());
    if (v) Fixed(*v);
  }
  void Facets(const FacetValues& f) {
    Varint(!f.empty());  // most profiles fill one of their four
    if (f.empty()) return;
    Strings(f.cpv_codes);
    Varint(f.strategies.size());
    for (int s : f.strategies) Signed(s);
    Strings(f.materials);
    Strings(f.certifications);
    Strings(f.phases);
    Strings(f.topics);
    String(f.text);
    Varint(f.evidenced_strategies.size());
    for (int s : f.evidenced_strategies) Signed(s);
    Varint(f.intermediary);
    Strings(f.named_certifications);
    Fixed(f.named_max_distance_km);
  }
  std::string Take() && { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return v;
    }
  }
  int64_t Signed() {
    const uint64_t v = Varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  template <typename T>
  T Fixed() {
    T v;
    std::memcpy(&v, in_.data() + pos_, sizeof(v));
    pos_ += sizeof(v);
    return v;
  }
  absl::string_view View() {
    const size_t size = Varint();
    const absl::string_view s = in_.substr(pos_, size);
    pos_ += size;
    return s;
  }
  std::string String() { return std::string(View()); }
  std::vector<std::string> Strings() {
    std::vector<std::string> list(Varint());
    for (std::string& s : list) s = String();
    return list;
  }
  template <typename T>
  std::optional<T> Optional() {
    if (Varint() == 0) return std::nullopt;
    return Fixed<T>();
  }
  FacetValues Facets() {
    FacetValues f;
    if (Varint() == 0) return f;
    f.cpv_codes = Strings();
    f.strategies.resize(Varint());
    for (int& s : f.strategies) s = static_cast<int>(Signed());
    f.materials = Strings();
    f.certifications = Strings();
    f.phases = Strings();
    f.topics = Strings();
    f.text = String();
    f.evidenced_strategies.resize(Varint());
    for (int& s : f.evidenced_strategies) s = static_cast<int>(Signed());
    f.intermediary = Varint() != 0;
    f.named_certifications = Strings();
    f.named_max_distance_km = Fixed<double>();
    return f;
  }

 private:
  absl::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string PackProfile(const Profile& profile) {
  Writer w;
  w.String(profile.key.id);
  w.Varint(static_cast<uint64_t>(profile.kind));
  w.String(profile.display_name);
  w.String(profile.organization);
  w.String(profile.location.municipality);
  w.String(profile.location.municipality_code);
  w.String(profile.location.province);
  w.Optional(profile.location.point);
  w.Fixed(profile.service_radius_km);
  w.Varint(static_cast<uint64_t>(profile.visibility));
  w.Facets(profile.needs);
  w.Facets(profile.capabilities);
  w.Facets(profile.offers);
  w.Facets(profile.asks);
  w.Signed(profile.capacity);
  w.Optional(profile.publication_time);
  w.Optional(profile.closing_time);
  w.Strings(profile.tags);
  w.Varint(static_cast<uint64_t>(profile.organization_size));
  return std::move(w).Take();
}

std::string PackId(absl::string_view id) {
  Writer w;
  w.String(id);
  return std::move(w).Take();
}

absl::string_view PackedProfileId(absl::string_view packed) {
  if (packed.empty()) return {};
  Reader r(packed);
  return r.View();
}

Profile UnpackProfile(absl::string_view owner, absl::string_view packed) {
  Reader r(packed);
  Profile profile;
  profile.key.owner = std::string(owner);
  profile.key.id = r.String();
  profile.kind = static_cast<ProfileKind>(r.Varint());
  profile.display_name = r.String();
  profile.organization = r.String();
  profile.location.municipality = r.String();
  profile.location.municipality_code = r.String();
  profile.location.province = r.String();
  profile.location.point = r.Optional<GeoPoint>();
  profile.service_radius_km = r.Fixed<double>();
  profile.visibility = static_cast<Visibility>(r.Varint());
  profile.needs = r.Facets();
  profile.capabilities = r.Facets();
  profile.offers = r.Facets();
  profile.asks = r.Facets();
  profile.capacity = static_cast<int>(r.Signed());
  profile.publication_time = r.Optional<int64_t>();
  profile.closing_time = r.Optional<int64_t>();
  profile.tags = r.Strings();
  profile.organization_size = static_cast<OrganizationSize>(r.Varint());
  return profile;
}

}  // namespace internal
}  // namespace circmatch
