#include "index/packed_profile.h"

#include <string>

#include "gtest/gtest.h"

namespace circmatch::internal {
namespace {

void ExpectSameFacets(const FacetValues& a, const FacetValues& b, const std::string& name) {
  EXPECT_EQ(a.cpv_codes, b.cpv_codes) << name;
  EXPECT_EQ(a.strategies, b.strategies) << name;
  EXPECT_EQ(a.materials, b.materials) << name;
  EXPECT_EQ(a.certifications, b.certifications) << name;
  EXPECT_EQ(a.phases, b.phases) << name;
  EXPECT_EQ(a.topics, b.topics) << name;
  EXPECT_EQ(a.text, b.text) << name;
}

// Every field but the embedding, which is not packed.
void ExpectSameProfile(const Profile& a, const Profile& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.organization, b.organization);
  EXPECT_EQ(a.organization_size, b.organization_size);
  EXPECT_EQ(a.location.municipality, b.location.municipality);
  EXPECT_EQ(a.location.municipality_code, b.location.municipality_code);
  EXPECT_EQ(a.location.province, b.location.province);
  ASSERT_EQ(a.location.point.has_value(), b.location.point.has_value());
  if (a.location.point) {
    EXPECT_EQ(a.location.point->latitude, b.location.point->latitude);
    EXPECT_EQ(a.location.point->longitude, b.location.point->longitude);
  }
  EXPECT_EQ(a.service_radius_km, b.service_radius_km);
  EXPECT_EQ(a.visibility, b.visibility);
  ExpectSameFacets(a.needs, b.needs, "needs");
  ExpectSameFacets(a.capabilities, b.capabilities, "capabilities");
  ExpectSameFacets(a.offers, b.offers, "offers");
  ExpectSameFacets(a.asks, b.asks, "asks");
  EXPECT_EQ(a.capacity, b.capacity);
  EXPECT_EQ(a.publication_time, b.publication_time);
  EXPECT_EQ(a.closing_time, b.closing_time);
  EXPECT_EQ(a.tags, b.tags);
}

Profile RoundTrip(const Profile& profile) {
  const std::string packed = PackProfile(profile);
  EXPECT_EQ(PackedProfileId(packed), profile.key.id);
  return UnpackProfile(profile.key.owner, packed);
}

TEST(PackedProfileTest, ATenderWithEveryFieldComesBackAsItWas) {
  Profile tender;
  tender.key = {"regio-zwolle", "t-2026-017"};
  tender.kind = ProfileKind::kTender;
  tender.display_name = "Circulair meubilair gemeentehuis";
  tender.organization = "Gemeente Zwolle";
  tender.organization_size = OrganizationSize::kLarge;
  tender.location = {"Zwolle", "GM0193", "Overijssel", GeoPoint{52.5125, 6.0944}};
  tender.service_radius_km = 42.5;
  tender.visibility = Visibility::kShared;
  tender.needs.cpv_codes = {"39100000-3", "39130000-2"};
  tender.needs.strategies = {0, 3, 9};
  tender.needs.materials = {"hout", "staal"};
  tender.needs.certifications = {"iso-14001"};
  tender.needs.phases = {"market-consultation"};
  tender.needs.topics = {"furniture"};
  tender.needs.text = "Hergebruikte bureaus en stoelen, één leverancier voor onderhoud en terugname.";
  tender.publication_time = -86400;  // before 1970: the sign survives
  tender.closing_time = 1798761600;
  tender.tags = {"pilot", ""};
  ExpectSameProfile(RoundTrip(tender), tender);
}

TEST(PackedProfileTest, ABuddyAndAnEmptyProfileComeBackAsTheyWere) {
  Profile buddy;
  buddy.key = {"green-deal", "b-7"};
  buddy.kind = ProfileKind::kBuddy;
  buddy.offers.phases = {"tendering", "contract-management"};
  buddy.asks.text = std::string(300, 'x');  // a length that takes two varint bytes
  buddy.capacity = -3;
  ExpectSameProfile(RoundTrip(buddy), buddy);

  const Profile empty;
  ExpectSameProfile(RoundTrip(empty), empty);
  EXPECT_FALSE(RoundTrip(empty).location.point.has_value());
  EXPECT_FALSE(RoundTrip(empty).closing_time.has_value());
}

TEST(PackedProfileTest, TheOwnerAndTheEmbeddingAreNotPacked) {
  Profile supplier;
  supplier.key = {"owner", "s-1"};
  supplier.embedding = {0.6f, 0.8f};
  const Profile back = UnpackProfile("other", PackProfile(supplier));
  EXPECT_EQ(back.key, (ProfileKey{"other", "s-1"}));
  EXPECT_TRUE(back.embedding.empty());
  EXPECT_EQ(PackedProfileId(""), "");
}

// What the Index saves by packing: a typical supplier takes less than the bare struct (its text included).
TEST(PackedProfileTest, ASupplierPacksSmallerThanTheStructAlone) {
  Profile supplier;
  supplier.display_name = "Houtkringloop Oost BV";
  supplier.organization = "Houtkringloop Oost";
  supplier.location = {"Deventer", "GM0150", "Overijssel", GeoPoint{52.25, 6.16}};
  supplier.capabilities.cpv_codes = {"39100000-3", "45421000-4", "44191000-5"};
  supplier.capabilities.strategies = {2, 3};
  supplier.capabilities.materials = {"hout"};
  supplier.capabilities.text = std::string(250, 't');
  EXPECT_LT(PackProfile(supplier).size(), sizeof(Profile));
}

}  // namespace
}  // namespace circmatch::internal
