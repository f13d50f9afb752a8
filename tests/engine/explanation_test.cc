#include "circmatch/explanation.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "circmatch/explainer.h"
#include "circmatch/index.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace circmatch {
namespace {

using testing_util::SharedVocabulary;
using testing_util::Supplier;
using testing_util::Tender;

std::unique_ptr<Index> NewIndex(int embedding_dimension = 0) {
  IndexOptions options;
  options.embedding_dimension = embedding_dimension;
  return std::move(*Index::Create(options, &SharedVocabulary()));
}

TEST(MeetCpvTest, Levels) {
  const Vocabulary& v = SharedVocabulary();
  const auto meet = [&](const char* a, const char* b) { return MeetCpv(v, v.FindCpvIndex(a), v.FindCpvIndex(b)); };
  EXPECT_EQ(meet("39130000", "39130000").level, CpvLevel::kExact);
  EXPECT_EQ(meet("39130000", "39100000").level, CpvLevel::kExact);  // one is an ancestor of the other
  EXPECT_EQ(v.cpv_codes()[meet("39130000", "39100000").common].code8, "39100000");
  EXPECT_EQ(meet("39131000", "39132000").level, CpvLevel::kClass);
  EXPECT_EQ(meet("39131000", "39111000").level, CpvLevel::kGroup);
  EXPECT_EQ(meet("39131000", "39220000").level, CpvLevel::kDivision);
  EXPECT_EQ(v.cpv_codes()[meet("39131000", "39220000").common].code8, "39000000");
  EXPECT_EQ(meet("39130000", "45000000").level, CpvLevel::kNone);
  EXPECT_EQ(meet("39130000", "45000000").common, -1);
}

TEST(ExplanationTest, ContributionsAddUpToTheScoreOnSeededData) {
  constexpr int kDimension = 4;
  const std::vector<Profile> profiles = testing_util::RandomProfiles(31337, 800, 200, 200, kDimension);
  auto index = NewIndex(kDimension);
  ASSERT_TRUE(index->Upsert(profiles).ok());
  int checked = 0;
  for (int q = 0; q < 60; ++q) {
    const Profile& query = profiles[(q * 37) % profiles.size()];
    MatchParams params;
    params.type = query.kind == ProfileKind::kSupplier ? MatchType::kTendersForSupplier
                  : query.kind == ProfileKind::kTender ? MatchType::kSuppliersForTender
                                                       : MatchType::kBuddiesForBuddy;
    params.k = 20;
    params.now_unix_seconds = 950;
    auto result = index->FindMatches(query, params);
    if (!result.ok()) continue;  // e.g. a query with no facets at all
    for (const Match& m : result->matches) {
      double sum = 0, weight = 0;
      for (const FacetContribution& c : m.explanation.facets) {
        EXPECT_EQ(c.contribution, c.weight * c.similarity * m.explanation.factor);
        EXPECT_GE(c.similarity, 0.0);
        EXPECT_LE(c.similarity, 1.0);
        EXPECT_GT(c.weight, 0.0);
        sum += c.contribution;
        weight += c.weight;
      }
      EXPECT_EQ(sum, m.score) << m.key.id << ": the contributions add up to the score, bit for bit";
      EXPECT_NEAR(weight, 1.0, 1e-9);
      EXPECT_LE(m.explanation.shared_terms.size(), 10u);
      EXPECT_TRUE(m.explanation.exclusions.empty());
      ++checked;
    }
    // Explain agrees with FindMatches on score and rank, and its explanation of the one candidate (the query's
    // side computed afresh) with FindMatches' of the whole list (the query's side computed once).
    for (size_t i = 0; i < result->matches.size(); ++i) {
      auto explained = index->Explain(query, result->matches[i].key, params);
      ASSERT_TRUE(explained.ok()) << explained.status();
      EXPECT_EQ(explained->match.score, result->matches[i].score);
      const Explanation& alone = explained->match.explanation;
      const Explanation& listed = result->matches[i].explanation;
      double alone_sum = 0;
      for (const FacetContribution& c : alone.facets) alone_sum += c.contribution;
      EXPECT_EQ(alone_sum, explained->match.score);
      ASSERT_EQ(alone.facets.size(), listed.facets.size());
      for (size_t f = 0; f < alone.facets.size(); ++f) {
        EXPECT_EQ(alone.facets[f].similarity, listed.facets[f].similarity);
      }
      EXPECT_EQ(alone.shared_terms, listed.shared_terms);
      EXPECT_EQ(alone.shared_strategies, listed.shared_strategies);
      EXPECT_EQ(alone.shared_materials, listed.shared_materials);
      EXPECT_EQ(alone.cpv_matches.size(), listed.cpv_matches.size());
      EXPECT_EQ(alone.distance_km, listed.distance_km);
      if (i == 0 || result->matches[i - 1].score != result->matches[i].score ||
          result->matches[i - 1].key < result->matches[i].key) {
        EXPECT_EQ(explained->rank, static_cast<int>(i) + 1);
      }
      EXPECT_GE(explained->eligible_count, static_cast<int>(result->matches.size()));
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(ExplanationTest, ConcreteReasons) {
  auto index = NewIndex();
  Profile supplier = Supplier("s", {"39131000", "45000000"});
  supplier.capabilities.strategies = {3, 5};
  supplier.capabilities.materials = {"wood", "steel"};
  supplier.capabilities.certifications = {"co2-prestatieladder-5"};
  supplier.capabilities.text = "Wij hergebruiken kantoormeubilair en stoelen";
  supplier.location.municipality = "Kampen";
  supplier.service_radius_km = 40;
  ASSERT_TRUE(index->Upsert({supplier}).ok());

  Profile tender = Tender("t", {"39132000", "39130000", "30200000"});
  tender.needs.strategies = {3, 8};
  tender.needs.materials = {"wood"};
  tender.needs.certifications = {"co2-prestatieladder-3"};
  tender.needs.text = "Hergebruik van stoelen en kasten";  // kasten: not in the supplier's text
  tender.location.municipality = "Zwolle";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());

  MatchParams params;
  params.filter.required_certifications = {"iso-14001", "co2-prestatieladder-3"};
  auto explained = index->Explain(tender, supplier.key, params);
  ASSERT_TRUE(explained.ok()) << explained.status();
  const Explanation& e = explained->match.explanation;
  ASSERT_EQ(e.cpv_matches.size(), 3u);  // one per query code, sorted as normalized
  EXPECT_EQ(e.cpv_matches[0].query_code, "30200000");
  EXPECT_EQ(e.cpv_matches[0].level, CpvLevel::kNone);
  EXPECT_EQ(e.cpv_matches[1].query_code, "39130000");
  EXPECT_EQ(e.cpv_matches[1].candidate_code, "39131000");
  EXPECT_EQ(e.cpv_matches[1].level, CpvLevel::kExact);
  EXPECT_EQ(e.cpv_matches[2].query_code, "39132000");
  EXPECT_EQ(e.cpv_matches[2].common_code, "39130000");
  EXPECT_EQ(e.cpv_matches[2].level, CpvLevel::kClass);
  EXPECT_EQ(e.shared_strategies, (std::vector<std::string>{"R3"}));
  EXPECT_EQ(e.shared_materials, (std::vector<std::string>{"wood"}));
  EXPECT_EQ(e.shared_certifications.size(), 3u);  // levels 1..3 shared through the ladder
  EXPECT_EQ(e.missing_certifications, (std::vector<std::string>{"iso-14001"}));
  // The stems both texts share, and the concept they meet in ("~reuse": "hergebruiken" and "hergebruik"); never
  // "kast", which only the tender has.
  for (const std::string term : {"herbruik", "stoel", "~reuse"}) {
    EXPECT_NE(std::find(e.shared_terms.begin(), e.shared_terms.end(), term), e.shared_terms.end()) << term;
  }
  EXPECT_EQ(std::find(e.shared_terms.begin(), e.shared_terms.end(), "kast"), e.shared_terms.end());
  ASSERT_TRUE(e.distance_km.has_value());
  EXPECT_LT(*e.distance_km, 40);
  EXPECT_TRUE(e.within_service_radius);
  // Excluded by the missing certification: rank 0, the field named as in the API.
  ASSERT_EQ(e.exclusions.size(), 1u);
  EXPECT_EQ(e.exclusions[0].field, "filter.required_certifications");
  EXPECT_EQ(explained->rank, 0);
  EXPECT_EQ(explained->eligible_count, 0);
}

TEST(ExplanationTest, EveryExclusionIsNamed) {
  auto index = NewIndex();
  Profile tender = Tender("closed", {"39130000"}, "bob");
  tender.visibility = Visibility::kShared;
  tender.organization = "Gemeente Zwolle";
  tender.closing_time = 100;
  Profile future = Tender("future", {"39130000"}, "bob");
  future.publication_time = 500;
  ASSERT_TRUE(index->Upsert({tender, future, Supplier("s", {"45000000"})}).ok());
  Profile supplier = Supplier("query", {"39130000"});
  MatchParams params;
  params.type = MatchType::kTendersForSupplier;
  params.now_unix_seconds = 200;
  params.filter.exclude = {tender.key};
  params.filter.exclude_organizations = {"gemeente zwolle"};
  params.filter.max_distance_km = 10;
  params.filter.min_score = 0.99;
  params.weights[static_cast<int>(Facet::kCpv)] = 0.0;
  params.weights[static_cast<int>(Facet::kStrategies)] = 1.0;
  supplier.capabilities.strategies = {1};
  auto explained = index->Explain(supplier, tender.key, params);
  ASSERT_TRUE(explained.ok()) << explained.status();
  std::vector<std::string> fields;
  for (const Exclusion& x : explained->match.explanation.exclusions) {
    fields.push_back(x.field);
    EXPECT_FALSE(x.reason.empty());
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"closing_time", "filter.exclude", "filter.exclude_organizations",
                                              "filter.max_distance_km", "filter.min_score"}));
  EXPECT_EQ(explained->rank, 0);
  auto not_published = index->Explain(supplier, future.key, params);
  ASSERT_TRUE(not_published.ok());
  EXPECT_EQ(not_published->match.explanation.exclusions[0].field, "publication_time");

  // Not visible to the viewer: NOT_FOUND; wrong kind for the match type: INVALID_ARGUMENT.
  Profile hidden = Tender("hidden", {"39130000"}, "bob");
  hidden.visibility = Visibility::kPrivate;
  ASSERT_TRUE(index->Upsert({hidden}).ok());
  params.viewer = "alice";
  EXPECT_EQ(index->Explain(supplier, hidden.key, params).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(index->Explain(supplier, ProfileKey{"bob", "nope"}, params).status().code(), absl::StatusCode::kNotFound);
  params.viewer.clear();
  EXPECT_EQ(index->Explain(supplier, ProfileKey{"partner", "s"}, params).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ExplanationTest, RankAmongEligible) {
  auto index = NewIndex();
  ASSERT_TRUE(
      index->Upsert({Supplier("a", {"39130000"}), Supplier("b", {"39131000"}), Supplier("c", {"45000000"})}).ok());
  auto explained = index->Explain(Tender("t", {"39130000"}), ProfileKey{"partner", "b"}, MatchParams{});
  ASSERT_TRUE(explained.ok());
  EXPECT_EQ(explained->rank, 2);
  EXPECT_EQ(explained->eligible_count, 3);
  EXPECT_TRUE(explained->match.explanation.exclusions.empty());
}

// What the texts show ranks and explains: a supplier whose text shows the work (R5 "reviseren") leads; a
// platform, a supplier without the certificate the tender's text names, one beyond the distance it names, and one
// that only tags R5 follow, each explained; the contributions add up to each score.
TEST(ExplanationTest, EvidenceRoleAndTextRequirements) {
  IndexOptions options;
  options.model = ModelParams{0.4f, 0.7f, 0.5f};
  auto index = std::move(*Index::Create(options, &SharedVocabulary()));
  const auto supplier = [](const std::string& id, const std::string& text, std::vector<std::string> certifications,
                           const std::string& municipality) {
    Profile p = Supplier(id, {"39130000"});
    p.visibility = Visibility::kShared;
    p.capabilities.text = text;
    p.capabilities.certifications = std::move(certifications);
    p.location.municipality = municipality;
    return p;
  };
  Profile tagger = supplier("tagger", "Nieuwe bureaustoelen uit voorraad", {"fsc"}, "Kampen");
  tagger.capabilities.strategies = {5, 8};
  ASSERT_TRUE(
      index
          ->Upsert({supplier("reviser", "Wij reviseren bureaustoelen in onze eigen werkplaats", {"fsc"}, "Kampen"),
                    supplier("platform", "Online marktplaats voor gereviseerde bureaustoelen", {"fsc"}, "Kampen"),
                    supplier("no-fsc", "Wij reviseren bureaustoelen in onze eigen werkplaats", {}, "Kampen"),
                    supplier("far", "Wij reviseren bureaustoelen in onze eigen werkplaats", {"fsc"}, "Maastricht"),
                    tagger})
          .ok());
  Profile tender = Tender("t", {"39130000"});
  tender.needs.text = "Gereviseerde bureaustoelen; de leverancier is FSC-gecertificeerd en zit binnen 50 km.";
  tender.location.municipality = "Zwolle";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());
  EXPECT_EQ(tender.needs.named_certifications, (std::vector<std::string>{"fsc"}));
  EXPECT_EQ(tender.needs.named_max_distance_km, 50);
  EXPECT_EQ(tender.needs.evidenced_strategies, (std::vector<int>{5}));

  MatchParams params;
  params.k = 5;
  const MatchResult result = *index->FindMatches(tender, params);
  ASSERT_EQ(result.matches.size(), 5u);
  EXPECT_EQ(result.matches[0].key.id, "reviser");
  absl::flat_hash_map<std::string, const Match*> by_id;
  for (const Match& m : result.matches) {
    by_id[m.key.id] = &m;
    double sum = 0;
    for (const FacetContribution& f : m.explanation.facets) sum += f.contribution;
    EXPECT_EQ(sum, m.score) << m.key.id;
  }
  const Explanation& reviser = by_id["reviser"]->explanation;
  ASSERT_EQ(reviser.evidence.size(), 1u);
  EXPECT_EQ(reviser.evidence[0].strategy, "R5");
  EXPECT_EQ(reviser.evidence[0].words, "reviseren");
  EXPECT_EQ(reviser.factor, 1.0);
  EXPECT_TRUE(reviser.unmet_text_requirements.empty());

  const Explanation& platform = by_id["platform"]->explanation;
  EXPECT_EQ(platform.intermediary_words, "online marktplaats");
  EXPECT_NEAR(platform.factor, 0.7, 1e-6);
  EXPECT_EQ(by_id["no-fsc"]->explanation.unmet_text_requirements,
            (std::vector<std::string>{"certification fsc named in the text"}));
  EXPECT_NEAR(by_id["no-fsc"]->explanation.factor, 0.5, 1e-6);
  ASSERT_EQ(by_id["far"]->explanation.unmet_text_requirements.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(by_id["far"]->explanation.unmet_text_requirements[0],
                               "farther than the 50 km named in the text ("));
  const Explanation& tagged = by_id["tagger"]->explanation;
  EXPECT_TRUE(tagged.evidence.empty());
  EXPECT_EQ(tagged.unevidenced_strategies, (std::vector<std::string>{"R5", "R8"}));
  for (const char* id : {"platform", "no-fsc", "far", "tagger"}) {
    EXPECT_LT(by_id[id]->score, by_id["reviser"]->score) << id;
  }

  // A tender that asks for a platform does not hold the role against one.
  Profile wants_platform = tender;
  wants_platform.needs.text = "Wij zoeken een online marktplaats voor gereviseerde bureaustoelen.";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &wants_platform).ok());
  const absl::StatusOr<ExplainResult> why = index->Explain(wants_platform, ProfileKey{"partner", "platform"}, params);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_EQ(why->match.explanation.factor, 1.0);
}

}  // namespace
}  // namespace circmatch
