#include "circmatch/scorer.h"

#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "circmatch/index.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace circmatch {
namespace {

using testing_util::SharedVocabulary;

TEST(DefaultWeightsTest, SumToOneAndMatchTheDocumentedTable) {
  for (MatchType type : {MatchType::kSuppliersForTender, MatchType::kTendersForSupplier, MatchType::kBuddiesForBuddy,
                         MatchType::kSimilarBuyers}) {
    double sum = 0;
    for (double w : DefaultWeights(type)) sum += w;
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
  EXPECT_EQ(DefaultWeights(MatchType::kSuppliersForTender)[static_cast<int>(Facet::kCpv)], 0.1666);
  EXPECT_EQ(DefaultWeights(MatchType::kBuddiesForBuddy)[static_cast<int>(Facet::kPhases)], 0.20);
  EXPECT_STREQ(FacetName(Facet::kCertifications), "certifications");
  EXPECT_STREQ(FacetName(Facet::kEmbedding), "embedding");
}

Profile RichTender() {
  Profile t = testing_util::Tender("t", {"39130000"});
  t.needs.strategies = {3};
  t.needs.text = "hergebruik kantoormeubilair";
  return t;
}

TEST(ResolveParamsTest, MissingFacetsGetZeroWeightAndTheRestIsNormalized) {
  MatchParams params;
  auto resolved = ResolveParams(SharedVocabulary(), RichTender(), params, 0);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  const FacetWeights& w = resolved->weights;
  const double total = 0.1666 + 0.0 + 0.7354;  // cpv, strategies and text; the rest it has not
  EXPECT_NEAR(w[static_cast<int>(Facet::kCpv)], 0.1666 / total, 1e-12);
  EXPECT_NEAR(w[static_cast<int>(Facet::kText)], 0.7354 / total, 1e-12);
  EXPECT_EQ(w[static_cast<int>(Facet::kLocation)], 0.0);
  EXPECT_EQ(w[static_cast<int>(Facet::kMaterials)], 0.0);
}

TEST(ResolveParamsTest, OverridesApply) {
  MatchParams params;
  params.weights[static_cast<int>(Facet::kStrategies)] = 0.0;
  params.weights[static_cast<int>(Facet::kText)] = 0.0;
  auto resolved = ResolveParams(SharedVocabulary(), RichTender(), params, 0);
  ASSERT_TRUE(resolved.ok());
  EXPECT_NEAR(resolved->weights[static_cast<int>(Facet::kCpv)], 1.0, 1e-12);
}

TEST(ResolveParamsTest, ValidationMessagesNameTheField) {
  struct Case {
    const char* name;
    void (*mutate)(MatchParams*, Profile*);
    const char* message;
  };
  const Case cases[] = {
      {"k zero", [](MatchParams* p, Profile*) { p->k = 0; }, "k: must be between 1 and 1000, got 0"},
      {"k big", [](MatchParams* p, Profile*) { p->k = 1001; }, "k: must be between 1 and 1000, got 1001"},
      {"negative weight", [](MatchParams* p, Profile*) { p->weights[0] = -1; },
       "weights.cpv: must be a finite number >= 0"},
      {"nan weight", [](MatchParams* p, Profile*) { p->weights[7] = std::nan(""); },
       "weights.text: must be a finite number >= 0"},
      {"all zero",
       [](MatchParams* p, Profile*) {
         for (auto& w : p->weights) w = 0.0;
       },
       "weights: all facet weights are 0 for this query"},
      {"wrong kind", [](MatchParams* p, Profile*) { p->type = MatchType::kTendersForSupplier; }, "query: "},
      {"buddy kind", [](MatchParams* p, Profile*) { p->type = MatchType::kBuddiesForBuddy; }, "query: "},
      {"empty certification",
       [](MatchParams* p, Profile*) {
         p->filter.required_certifications = {"ok", " "};
       },
       "filter.required_certifications[1]: must contain a letter or digit"},
      {"long certification",
       [](MatchParams* p, Profile*) { p->filter.required_certifications = {std::string(101, 'x')}; },
       "filter.required_certifications[0]: must be at most 100 characters, got 101"},
      {"negative distance", [](MatchParams* p, Profile*) { p->filter.max_distance_km = -1; },
       "filter.max_distance_km: "},
      {"infinite distance",
       [](MatchParams* p, Profile*) { p->filter.max_distance_km = std::numeric_limits<double>::infinity(); },
       "filter.max_distance_km: "},
      {"min score", [](MatchParams* p, Profile*) { p->filter.min_score = 1.5; }, "filter.min_score: "},
      {"empty query", [](MatchParams*, Profile* q) { q->needs = FacetValues(); },
       "weights: all facet weights are 0 for this query"},
      {"text too long",
       [](MatchParams*, Profile* q) {
         q->needs.text.clear();
         for (int i = 0; i <= kMaxQueryTextWords; ++i) q->needs.text += " woord" + std::to_string(i);
       },
       "query.needs.text: a query's text may hold at most 10000 words, got 10001"},
  };
  for (const Case& c : cases) {
    MatchParams params;
    Profile query = RichTender();
    c.mutate(&params, &query);
    auto resolved = ResolveParams(SharedVocabulary(), query, params, 0);
    ASSERT_FALSE(resolved.ok()) << c.name;
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StartsWith(resolved.status().message(), c.message)) << c.name << ": " << resolved.status();
  }
}

TEST(ResolveParamsTest, BuyerMayAskForSuppliers) {
  Profile buyer = RichTender();
  buyer.kind = ProfileKind::kBuyer;
  EXPECT_TRUE(ResolveParams(SharedVocabulary(), buyer, MatchParams{}, 0).ok());
}

TEST(GeometryTest, HaversineAndLocationSimilarity) {
  const GeoPoint amsterdam{52.3676, 4.9041}, rotterdam{51.9244, 4.4777};
  EXPECT_NEAR(DistanceKm(amsterdam, rotterdam), 57.5, 1.0);
  EXPECT_EQ(DistanceKm(amsterdam, amsterdam), 0.0);
  EXPECT_EQ(LocationSimilarity(10, 20, 50), 1.0);
  EXPECT_EQ(LocationSimilarity(20, 20, 50), 1.0);
  EXPECT_NEAR(LocationSimilarity(70, 20, 50), std::exp(-1.0), 1e-12);
}

TEST(ScorerRulesTest, OpenWindowAndRadiusOwner) {
  Profile t = testing_util::Tender("t", {});
  EXPECT_TRUE(IsOpenAt(t, 0));
  t.publication_time = 100;
  t.closing_time = 200;
  EXPECT_FALSE(IsOpenAt(t, 99));
  EXPECT_TRUE(IsOpenAt(t, 100));
  EXPECT_TRUE(IsOpenAt(t, 199));
  EXPECT_FALSE(IsOpenAt(t, 200));
  Profile s = testing_util::Supplier("s", {});
  s.service_radius_km = 30;
  EXPECT_EQ(ServiceRadiusKm(MatchType::kSuppliersForTender, t, s), 30);
  EXPECT_EQ(ServiceRadiusKm(MatchType::kTendersForSupplier, s, t), 30);
  EXPECT_EQ(ServiceRadiusKm(MatchType::kBuddiesForBuddy, s, s), 0);
}

TEST(ScorerRulesTest, HeldCertificationsIncludeLowerLadderLevels) {
  const Vocabulary& v = SharedVocabulary();
  const std::vector<std::string> held = v.HeldCertifications({"co2-prestatieladder-5"});
  EXPECT_TRUE(std::binary_search(held.begin(), held.end(), "co2-prestatieladder-3"));
  EXPECT_EQ(held.size(), 5u);
  const std::vector<std::string> low = v.HeldCertifications({"co2-prestatieladder-2"});
  EXPECT_FALSE(std::binary_search(low.begin(), low.end(), "co2-prestatieladder-3"));
  EXPECT_EQ(v.HeldCertifications({"cradle-to-cradle-silver"}),
            (std::vector<std::string>{"cradle-to-cradle", "cradle-to-cradle-bronze", "cradle-to-cradle-silver"}));
  EXPECT_EQ(v.HeldCertifications({"groenkeur"}), (std::vector<std::string>{"groenkeur"}));
}

TEST(ScorerRulesTest, CanonicalCertificationsFoldCaseAccentsSpacingAndHyphens) {
  const Vocabulary& v = SharedVocabulary();
  EXPECT_EQ(v.CanonicalCertification("Keurmerk  Duurzaam_Ondernemen "), "keurmerk-duurzaam-ondernemen");
  EXPECT_EQ(v.CanonicalCertification("keurmerk-duurzaam-ondernemen"), "keurmerk-duurzaam-ondernemen");
  EXPECT_EQ(v.CanonicalCertification("Écolabel Scandinavië"), "ecolabel-scandinavie");
  EXPECT_EQ(v.CanonicalCertification("BREEAM-NL Excellent"), "breeam-nl-excellent");
  EXPECT_EQ(v.CanonicalCertification("Keurmerk Milieuzorg"), "keurmerk-milieuzorg");
  EXPECT_EQ(v.CanonicalCertification("Noorse Zwaan"), "nordic-swan");
  EXPECT_EQ(v.CanonicalCertification(" -- "), "");
}

TEST(ScorePairTest, AFullMatchScoresOneWithoutADistance) {
  auto index = Index::Create(IndexOptions{}, &SharedVocabulary());
  ASSERT_TRUE(index.ok()) << index.status();
  Profile tender = RichTender();
  Profile supplier = testing_util::Supplier("s", {"39130000"});
  supplier.capabilities.strategies = {3};
  supplier.capabilities.text = "Hergebruiken van kantoormeubilair";
  // Normalized, so both texts evidence R3 (hergebruik) as both tag it.
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());
  ASSERT_TRUE((*index)->Upsert({supplier}).ok());
  const absl::StatusOr<Match> pair = (*index)->ExplainPair(tender, supplier.key, MatchParams{});
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_NEAR(pair->score, 1.0, 1e-6);
  EXPECT_LE(pair->score, 1.0);
  EXPECT_FALSE(pair->explanation.distance_km.has_value());
}

// A score adds weight x similarity x factor in Facet order, so the normalized weights must add up to at most 1
// in that order: 0.2, 0.15 and 0.1, each divided by their total, add up to 1 + 2^-52 unless one gives it back.
TEST(ResolveParamsTest, NormalizedWeightsAddUpToAtMostOne) {
  MatchParams params;
  params.weights.fill(0.0);
  params.weights[static_cast<int>(Facet::kCpv)] = 0.2;
  params.weights[static_cast<int>(Facet::kStrategies)] = 0.15;
  params.weights[static_cast<int>(Facet::kText)] = 0.1;
  auto resolved = ResolveParams(SharedVocabulary(), RichTender(), params, 0);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  double sum = 0;
  for (const double w : resolved->weights) sum += w;
  EXPECT_LE(sum, 1.0);
  EXPECT_NEAR(sum, 1.0, 1e-15);
}

}  // namespace
}  // namespace circmatch
