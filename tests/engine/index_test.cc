#include "circmatch/index.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <thread>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "circmatch/explainer.h"
#include "gtest/gtest.h"
#include "index/posting_lists.h"
#include "test_util.h"
#include "testing/reference.h"

namespace circmatch {
namespace {

using testing_util::MakeProfile;
using testing_util::SharedVocabulary;
using testing_util::Supplier;
using testing_util::Tender;

std::unique_ptr<Index> NewIndex(int embedding_dimension = 0,
                                double out_of_order_fraction = IndexOptions{}.out_of_order_fraction,
                                bool keep_profiles = true) {
  IndexOptions options;
  options.embedding_dimension = embedding_dimension;
  options.out_of_order_fraction = out_of_order_fraction;
  options.keep_profiles = keep_profiles;
  auto index = Index::Create(options, &SharedVocabulary());
  EXPECT_TRUE(index.ok()) << index.status();
  return std::move(*index);
}

std::vector<std::string> Ids(const MatchResult& result) {
  std::vector<std::string> ids;
  for (const Match& m : result.matches) ids.push_back(m.key.id);
  return ids;
}

MatchResult MustFind(const Index& index, const Profile& query, const MatchParams& params) {
  auto result = index.FindMatches(query, params);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : MatchResult{};
}

TEST(IndexTest, CreateRejectsBadOptions) {
  IndexOptions options;
  options.text_hash_buckets = 1000;
  EXPECT_EQ(Index::Create(options, &SharedVocabulary()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Index::Create(IndexOptions{}, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  options = IndexOptions{};
  options.location_decay_km = 0;
  EXPECT_EQ(Index::Create(options, &SharedVocabulary()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IndexTest, AFreshThreadFindsNothingWhileNoSupplierIsIndexed) {
  // A replica asked before its first write arrived: no supplier rows yet, on a thread whose partial scores have
  // never held memory. Zeroing them was a memset of a null pointer (undefined even for 0 bytes).
  auto index = NewIndex();
  absl::StatusOr<MatchResult> result;
  std::thread([&] { result = index->FindMatches(Tender("t", {"39130000"}), MatchParams{}); }).join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->matches.empty());
}

TEST(IndexTest, CpvChildRanksAboveSiblingInAnotherDivision) {
  auto index = NewIndex();
  ASSERT_TRUE(index
                  ->Upsert({Supplier("child", {"39131000"}), Supplier("other-division", {"45000000"}),
                            Supplier("parent", {"39000000"})})
                  .ok());
  const MatchResult result = MustFind(*index, Tender("t", {"39130000"}), MatchParams{});
  EXPECT_EQ(Ids(result), (std::vector<std::string>{"child", "parent", "other-division"}));
  EXPECT_GT(result.matches[0].score, result.matches[1].score);
  EXPECT_GT(result.matches[1].score, 0.0);
  EXPECT_EQ(result.matches[2].score, 0.0);
}

TEST(IndexTest, RequiredCertificationFiltersAndHigherLadderLevelSatisfiesLower) {
  auto index = NewIndex();
  Profile level5 = Supplier("level5", {"39130000"});
  level5.capabilities.certifications = {"co2-prestatieladder-5"};
  Profile level2 = Supplier("level2", {"39130000"});
  level2.capabilities.certifications = {"co2-prestatieladder-2"};
  Profile none = Supplier("none", {"39130000"});
  ASSERT_TRUE(index->Upsert({level5, level2, none}).ok());
  MatchParams params;
  params.filter.required_certifications = {"CO2 Prestatieladder 3"};
  EXPECT_EQ(Ids(MustFind(*index, Tender("t", {"39130000"}), params)), (std::vector<std::string>{"level5"}));
  params.filter.required_certifications = {"--"};
  auto bad = index->FindMatches(Tender("t", {"39130000"}), params);
  EXPECT_EQ(bad.status().message(), "filter.required_certifications[0]: must contain a letter or digit");
}

TEST(IndexTest, FreeCertificationsAreKeptMatchedExactlyAndRequirable) {
  auto index = NewIndex();
  Profile skal = Supplier("skal", {"15000000"});
  skal.capabilities.certifications = {"Skal Biocontrole"};  // listed, by alias
  Profile groenkeur = Supplier("groenkeur", {"15000000"});
  groenkeur.capabilities.certifications = {"Groenkeur"};  // not listed: a free label
  Profile gold = Supplier("gold", {"15000000"});
  gold.capabilities.certifications = {"cradle to cradle goud"};
  Profile none = Supplier("none", {"15000000"});
  ASSERT_TRUE(index->Upsert({skal, groenkeur, gold, none}).ok());
  const Profile tender = Tender("t", {"15000000"});
  MatchParams params;
  params.filter.required_certifications = {"GROENKEUR"};
  EXPECT_EQ(Ids(MustFind(*index, tender, params)), (std::vector<std::string>{"groenkeur"}));
  params.filter.required_certifications = {"skal"};
  EXPECT_EQ(Ids(MustFind(*index, tender, params)), (std::vector<std::string>{"skal"}));
  // Gold holds the lower levels of its ladder and plain cradle-to-cradle.
  for (const char* lower : {"cradle-to-cradle-silver", "cradle-to-cradle-bronze", "Cradle to Cradle"}) {
    params.filter.required_certifications = {lower};
    EXPECT_EQ(Ids(MustFind(*index, tender, params)), (std::vector<std::string>{"gold"})) << lower;
  }
  params.filter.required_certifications = {"cradle-to-cradle-platinum"};
  EXPECT_TRUE(MustFind(*index, tender, params).matches.empty());
  // A certificate no one holds is an empty list, not an error.
  params.filter.required_certifications = {"Keurmerk Nergens"};
  EXPECT_TRUE(MustFind(*index, tender, params).matches.empty());
  const absl::StatusOr<ExplainResult> why = index->Explain(tender, ProfileKey{"partner", "groenkeur"}, params);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_EQ(why->match.explanation.missing_certifications, (std::vector<std::string>{"keurmerk-nergens"}));
  EXPECT_EQ(why->rank, 0);
}

// One distance for every call: a pair exactly at a distance limit or at the supplier's radius is suggested by
// FindMatches, ranked by Explain without exclusion, and its explanation gives that very distance; a limit one
// float below it excludes it from both.
TEST(IndexTest, APairAtALimitIsInsideItForRankingAndExplanationAlike) {
  auto index = NewIndex();
  Profile supplier = Supplier("maastricht", {"39130000"});
  supplier.location.municipality = "Maastricht";
  Profile tender = Tender("t-zwolle", {"39130000"});
  tender.location.municipality = "Zwolle";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &supplier).ok());
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());
  const double distance = DistanceKm(*supplier.location.point, *tender.location.point);
  ASSERT_GT(distance, 100.0);
  for (const bool by_radius : {false, true}) {
    for (const double limit : {distance, std::nextafter(distance, 0.0)}) {
      const bool inside = limit >= distance;
      supplier.service_radius_km = by_radius ? limit : 0;
      ASSERT_TRUE(index->Upsert({supplier, tender}).ok());
      MatchParams params;
      if (!by_radius) params.filter.max_distance_km = limit;
      const MatchResult found = MustFind(*index, tender, params);
      const absl::StatusOr<ExplainResult> why = index->Explain(tender, supplier.key, params);
      ASSERT_TRUE(why.ok()) << why.status();
      const std::string where = absl::StrCat(by_radius ? "radius " : "max_distance_km ", limit, " km");
      EXPECT_EQ(Ids(found), inside ? std::vector<std::string>{"maastricht"} : std::vector<std::string>{}) << where;
      EXPECT_EQ(why->match.explanation.exclusions.empty(), inside) << where;
      EXPECT_EQ(why->rank, inside ? 1 : 0) << where;
      ASSERT_TRUE(why->match.explanation.distance_km.has_value());
      EXPECT_EQ(*why->match.explanation.distance_km, distance) << where;
      if (inside) {
        EXPECT_EQ(*found.matches[0].explanation.distance_km, distance) << where;
      }
    }
  }
}

// Reach is a hard filter: a supplier who says it delivers within 40 km is not suggested 150 km away, and a
// supplier's own radius keeps far tenders out of its SuggestTenders. Asked for, they come back marked.
TEST(IndexTest, ServiceRadiusIsAHardFilterBothWays) {
  auto index = NewIndex();
  Profile local = Supplier("local-40km", {"39130000"});
  local.location.municipality = "Kampen";
  local.service_radius_km = 40;
  Profile far_small = Supplier("far-40km", {"39130000"});
  far_small.location.municipality = "Maastricht";
  far_small.service_radius_km = 40;
  Profile far_wide = Supplier("far-300km", {"39130000"});
  far_wide.location.municipality = "Maastricht";
  far_wide.service_radius_km = 300;
  Profile far_unstated = Supplier("far-unstated", {"39130000"});
  far_unstated.location.municipality = "Maastricht";
  Profile nowhere = Supplier("nowhere-40km", {"39130000"});
  nowhere.service_radius_km = 40;  // no point: the distance cannot be measured, so reach cannot exclude it
  Profile near_tender = Tender("t-zwolle", {"39130000"});
  near_tender.location.municipality = "Zwolle";
  Profile far_tender = Tender("t-maastricht", {"39130000"});
  far_tender.location.municipality = "Maastricht";
  ASSERT_TRUE(index->Upsert({local, far_small, far_wide, far_unstated, nowhere, near_tender, far_tender}).ok());
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &near_tender).ok());

  MatchParams params;
  params.weights[static_cast<int>(Facet::kLocation)] = 0.5;  // nearer first among those within reach
  EXPECT_EQ(Ids(MustFind(*index, near_tender, params)),
            (std::vector<std::string>{"far-300km", "local-40km", "far-unstated", "nowhere-40km"}));
  const absl::StatusOr<ExplainResult> why = index->Explain(near_tender, ProfileKey{"partner", "far-40km"}, params);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_EQ(why->rank, 0);
  ASSERT_EQ(why->match.explanation.exclusions.size(), 1u);
  EXPECT_EQ(why->match.explanation.exclusions[0].field, "service_radius_km");
  EXPECT_TRUE(
      absl::StrContains(why->match.explanation.exclusions[0].reason, "outside the supplier's service radius: 1"))
      << why->match.explanation.exclusions[0].reason;
  EXPECT_TRUE(absl::EndsWith(why->match.explanation.exclusions[0].reason, " km > 40 km"));

  params.filter.include_out_of_reach = true;
  const MatchResult all = MustFind(*index, near_tender, params);
  ASSERT_EQ(all.matches.size(), 5u);
  for (const Match& m : all.matches) EXPECT_EQ(m.explanation.out_of_reach, m.key.id == "far-40km") << m.key.id;

  // The mirror: the supplier's own 40 km keep the Maastricht tender out of its list.
  Profile kampen = local;
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &kampen).ok());
  MatchParams tenders;
  tenders.type = MatchType::kTendersForSupplier;
  tenders.weights[static_cast<int>(Facet::kLocation)] = 0.5;
  EXPECT_EQ(Ids(MustFind(*index, kampen, tenders)), (std::vector<std::string>{"t-zwolle"}));
  tenders.filter.include_out_of_reach = true;
  EXPECT_EQ(Ids(MustFind(*index, kampen, tenders)), (std::vector<std::string>{"t-zwolle", "t-maastricht"}));
}

TEST(IndexTest, DistanceLimitFilters) {
  auto index = NewIndex();
  Profile near = Supplier("near", {"39130000"});
  near.location.municipality = "Kampen";  // next to Zwolle
  Profile far = Supplier("far", {"39130000"});
  far.location.municipality = "Maastricht";
  Profile nowhere = Supplier("nowhere", {"39130000"});
  ASSERT_TRUE(index->Upsert({near, far, nowhere}).ok());
  Profile tender = Tender("t", {"39130000"});
  tender.location.municipality = "Zwolle";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());
  MatchParams params;
  EXPECT_EQ(MustFind(*index, tender, params).matches.size(), 3u);
  params.filter.max_distance_km = 50;
  const MatchResult result = MustFind(*index, tender, params);
  ASSERT_EQ(Ids(result), (std::vector<std::string>{"near"}));
  ASSERT_TRUE(result.matches[0].explanation.distance_km.has_value());
  EXPECT_LT(*result.matches[0].explanation.distance_km, 50);
  params.filter.max_distance_km = -1;
  EXPECT_EQ(index->FindMatches(tender, params).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IndexTest, LocationRanksNearerFirstAndServiceRadiusCounts) {
  auto index = NewIndex();
  Profile near = Supplier("a-near", {"39130000"});
  near.location.municipality = "Kampen";
  Profile far = Supplier("b-far", {"39130000"});
  far.location.municipality = "Maastricht";
  Profile far_wide = Supplier("c-far-wide-radius", {"39130000"});
  far_wide.location.municipality = "Maastricht";
  far_wide.service_radius_km = 400;
  ASSERT_TRUE(index->Upsert({near, far, far_wide}).ok());
  Profile tender = Tender("t", {"39130000"});
  tender.location.municipality = "Zwolle";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());
  MatchParams params;
  params.weights[static_cast<int>(Facet::kLocation)] = 0.5;  // location weighs nothing by default
  const MatchResult result = MustFind(*index, tender, params);
  EXPECT_EQ(Ids(result), (std::vector<std::string>{"c-far-wide-radius", "a-near", "b-far"}));
  EXPECT_NEAR(result.matches[0].score, 1.0, 1e-6);
  EXPECT_TRUE(result.matches[0].explanation.within_service_radius);
}

TEST(IndexTest, TiesAreOrderedByKeyWhateverTheInsertionOrder) {
  std::vector<Profile> profiles;
  for (const char* owner : {"b", "a"}) {
    for (const char* id : {"z", "m", "a"}) profiles.push_back(Supplier(id, {"39130000"}, owner));
  }
  std::vector<std::string> expected = {"a/a", "a/m", "a/z", "b/a", "b/m", "b/z"};
  std::sort(profiles.begin(), profiles.end(), [](const Profile& x, const Profile& y) { return x.key < y.key; });
  int orders = 0;
  do {
    auto index = NewIndex();
    for (const Profile& p : profiles) ASSERT_TRUE(index->Upsert({p}).ok());
    const MatchResult result = MustFind(*index, Tender("t", {"39130000"}), MatchParams{});
    std::vector<std::string> keys;
    for (const Match& m : result.matches) keys.push_back(m.key.owner + "/" + m.key.id);
    EXPECT_EQ(keys, expected);
    for (const Match& m : result.matches) EXPECT_EQ(m.score, result.matches[0].score);
    ++orders;
  } while (std::next_permutation(profiles.begin(), profiles.end(),
                                 [](const Profile& x, const Profile& y) { return x.key < y.key; }) &&
           orders < 60);
  // k cuts inside a tie deterministically too.
  auto index = NewIndex();
  std::reverse(profiles.begin(), profiles.end());
  ASSERT_TRUE(index->Upsert(profiles).ok());
  MatchParams params;
  params.k = 2;
  EXPECT_EQ(MustFind(*index, Tender("t", {"39130000"}), params).matches[1].key.id, "m");
}

TEST(IndexTest, DeleteRemovesAndUpsertReplaces) {
  auto index = NewIndex();
  EXPECT_EQ(index->version(), 0u);
  ASSERT_TRUE(index->Upsert({Supplier("s1", {"39130000"}), Supplier("s2", {"45000000"})}).ok());
  EXPECT_EQ(index->version(), 1u);
  EXPECT_EQ(index->Count(ProfileKind::kSupplier), 2);
  const Profile tender = Tender("t", {"39130000"});
  EXPECT_EQ(Ids(MustFind(*index, tender, MatchParams{})), (std::vector<std::string>{"s1", "s2"}));

  // Replace s2 with a furniture supplier matching exactly: it now ties s1.
  ASSERT_TRUE(index->Upsert({Supplier("s2", {"39130000"})}).ok());
  EXPECT_EQ(index->Count(ProfileKind::kSupplier), 2);
  const MatchResult replaced = MustFind(*index, tender, MatchParams{});
  ASSERT_EQ(replaced.matches.size(), 2u);
  EXPECT_EQ(replaced.matches[0].score, replaced.matches[1].score);
  EXPECT_EQ(index->Get(ProfileKey{"partner", "s2"})->capabilities.cpv_codes, (std::vector<std::string>{"39130000"}));

  ASSERT_TRUE(index->Delete(ProfileKey{"partner", "s1"}).ok());
  EXPECT_EQ(index->version(), 3u);
  EXPECT_EQ(Ids(MustFind(*index, tender, MatchParams{})), (std::vector<std::string>{"s2"}));
  EXPECT_FALSE(index->Get(ProfileKey{"partner", "s1"}).has_value());
  EXPECT_EQ(index->Delete(ProfileKey{"partner", "s1"}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(index->version(), 3u);
  EXPECT_EQ(index->Count(ProfileKind::kSupplier), 1);
}

// A partner's view version moves with the shared profiles and its own, never with another partner's private
// writes; a shared profile made private (or deleted) moves every view. Match results carry the viewer's.
TEST(IndexTest, AViewVersionMovesOnlyWithWhatItsViewerMaySee) {
  auto index = NewIndex();
  const auto private_of = [](Profile p) {
    p.visibility = Visibility::kPrivate;
    return p;
  };
  ASSERT_TRUE(index->Upsert({Supplier("b-shared", {"39130000"}, "b")}).ok());
  const uint64_t a0 = index->ViewVersion("a"), b0 = index->ViewVersion("b");
  MatchParams params;
  params.viewer = "b";
  EXPECT_EQ(MustFind(*index, Tender("t", {"39130000"}, "b"), params).index_version, b0);

  // A's private writes and deletion: A's view moves, B's does not.
  ASSERT_TRUE(
      index->Upsert({private_of(Tender("a-1", {"39130000"}, "a")), private_of(Supplier("a-2", {"39130000"}, "a"))})
          .ok());
  ASSERT_TRUE(index->Delete(ProfileKey{"a", "a-1"}).ok());
  EXPECT_EQ(index->ViewVersion("b"), b0);
  EXPECT_EQ(MustFind(*index, Tender("t", {"39130000"}, "b"), params).index_version, b0);
  EXPECT_GT(index->ViewVersion("a"), a0);

  // A's shared write, and a shared profile made private: both views move.
  const uint64_t a1 = index->ViewVersion("a");
  ASSERT_TRUE(index->Upsert({Supplier("a-3", {"39130000"}, "a")}).ok());
  EXPECT_GT(index->ViewVersion("b"), b0);
  const uint64_t b1 = index->ViewVersion("b");
  ASSERT_TRUE(index->Upsert({private_of(Supplier("a-3", {"39130000"}, "a"))}).ok());
  EXPECT_GT(index->ViewVersion("b"), b1);
  EXPECT_GT(index->ViewVersion("a"), a1);
  // Every profile: the index's own version.
  EXPECT_EQ(index->ViewVersion(""), index->version());
}

// A search asks MatchParams::interrupt now and then; the first status other than OK stops it and is returned.
TEST(IndexTest, AnInterruptedSearchStopsWithTheInterruptsStatus) {
  auto index = NewIndex();
  std::vector<Profile> suppliers;
  for (int i = 0; i < 3 * kRowsPerInterruptCheck; ++i)
    suppliers.push_back(Supplier("s" + std::to_string(i), {"39130000"}));
  ASSERT_TRUE(index->Upsert(suppliers).ok());
  MatchParams params;
  int asked = 0;
  params.interrupt = [&asked] {
    ++asked;
    return asked < 2 ? absl::OkStatus() : absl::DeadlineExceededError("the deadline passed");
  };
  const absl::StatusOr<MatchResult> stopped = index->FindMatches(Tender("t", {"39130000"}), params);
  EXPECT_EQ(stopped.status(), absl::DeadlineExceededError("the deadline passed"));
  EXPECT_EQ(asked, 2) << "asked again after it said stop";
  params.interrupt = [] { return absl::OkStatus(); };
  EXPECT_TRUE(index->FindMatches(Tender("t", {"39130000"}), params).ok());

  // ScoreAll too, once it has scored kRowsPerInterruptCheck pairs.
  std::vector<Profile> queries(3, Tender("t", {"39130000"}));
  std::vector<ProfileKey> candidates;
  for (int i = 0; i < kRowsPerInterruptCheck; ++i) candidates.push_back(suppliers[i].key);
  params.interrupt = [] { return absl::CancelledError("the call was cancelled"); };
  EXPECT_EQ(index->ScoreAll(queries, candidates, params).status().code(), absl::StatusCode::kCancelled);
}

TEST(IndexTest, UpsertIsAllOrNoneAndNamesTheProfile) {
  auto index = NewIndex();
  Profile bad = Supplier("bad", {"39139999"});
  const absl::Status status = index->Upsert({Supplier("good", {"39130000"}), bad});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "profiles[1].capabilities.cpv_codes[0]: unknown CPV code \"39139999\"");
  EXPECT_EQ(index->Count(ProfileKind::kSupplier), 0);
  EXPECT_EQ(index->version(), 0u);
}

// Prepare normalizes what it is given; PrepareNormalized takes it as normalized already (a server's write
// normalizes once, when it converts the request), and the two agree on a normalized profile.
TEST(IndexTest, PrepareNormalizesAndPrepareNormalizedTakesAsGiven) {
  auto index = NewIndex();
  Profile raw = Supplier("raw", {"39130000"});
  raw.location.municipality = "zwolle";
  raw.capabilities.text = "Wij reviseren bureaustoelen";
  const absl::StatusOr<PreparedProfiles> prepared = index->Prepare({raw});
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const Profile& normalized = prepared->profiles()[0];
  EXPECT_EQ(normalized.location.municipality, "Zwolle");
  EXPECT_TRUE(normalized.location.point.has_value());
  EXPECT_EQ(normalized.capabilities.evidenced_strategies, std::vector<int>{5});

  const PreparedProfiles as_given = index->PrepareNormalized({raw});
  EXPECT_EQ(as_given.profiles()[0].location.municipality, "zwolle");
  EXPECT_FALSE(as_given.profiles()[0].location.point.has_value());
  EXPECT_TRUE(as_given.profiles()[0].capabilities.evidenced_strategies.empty());

  index->Upsert(index->PrepareNormalized({normalized}));
  Profile tender = Tender("t", {"39130000"});
  tender.location.municipality = "Zwolle";
  tender.needs.text = "revisie van bureaustoelen";
  ASSERT_TRUE(NormalizeProfile(SharedVocabulary(), 0, &tender).ok());
  const MatchResult result = MustFind(*index, tender, MatchParams{});
  ASSERT_EQ(Ids(result), std::vector<std::string>{"raw"});
  ASSERT_TRUE(result.matches[0].explanation.distance_km.has_value());
}

// Prepare takes no lock and writes nothing; the text of a prepared profile is weighted with the IDF of its
// Upsert, so preparing early (as a writer does before its turn) gives the scores of an Upsert at that moment.
TEST(IndexTest, PreparedProfilesScoreAsIfUpsertedWhenApplied) {
  Profile early = Supplier("early", {"39130000"});
  early.capabilities.text = "hergebruikte bureaus en stoelen";
  std::vector<Profile> later;
  for (int i = 0; i < 20; ++i) {
    Profile s = Supplier("s" + std::to_string(i), {"39130000"});
    s.capabilities.text = i % 2 == 0 ? "stoelen uit gerecycled staal" : "bureaus van hout";
    later.push_back(s);
  }
  auto prepared_first = NewIndex();
  absl::StatusOr<PreparedProfiles> prepared = prepared_first->Prepare({early});
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared_first->version(), 0u);
  ASSERT_TRUE(prepared_first->Upsert(later).ok());  // the IDF changes after `early` was prepared
  prepared_first->Upsert(*std::move(prepared));

  auto upserted_last = NewIndex();
  ASSERT_TRUE(upserted_last->Upsert(later).ok());
  ASSERT_TRUE(upserted_last->Upsert({early}).ok());

  Profile tender = Tender("t", {"39130000"});
  tender.needs.text = "bureaus en stoelen";
  MatchParams params;
  params.k = 21;
  const MatchResult a = MustFind(*prepared_first, tender, params), b = MustFind(*upserted_last, tender, params);
  ASSERT_EQ(a.matches.size(), 21u);
  ASSERT_EQ(Ids(a), Ids(b));
  for (size_t i = 0; i < a.matches.size(); ++i) EXPECT_EQ(a.matches[i].score, b.matches[i].score) << i;
}

TEST(IndexTest, PrepareNamesTheBadProfile) {
  auto index = NewIndex();
  const absl::StatusOr<PreparedProfiles> prepared =
      index->Prepare({Supplier("good", {"39130000"}), Supplier("bad", {"39139999"})});
  EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(prepared.status().message(), "profiles[1].capabilities.cpv_codes[0]: unknown CPV code \"39139999\"");
}

TEST(IndexTest, ClosedAndUnpublishedTendersDropOut) {
  auto index = NewIndex();
  Profile open = Tender("open", {"39130000"});
  open.publication_time = 100;
  open.closing_time = 200;
  Profile closed = Tender("closed", {"39130000"});
  closed.closing_time = 150;
  Profile future = Tender("future", {"39130000"});
  future.publication_time = 180;
  Profile unbounded = Tender("unbounded", {"39130000"});
  ASSERT_TRUE(index->Upsert({open, closed, future, unbounded}).ok());
  Profile supplier = Supplier("s", {"39130000"});
  MatchParams params;
  params.type = MatchType::kTendersForSupplier;
  params.now_unix_seconds = 160;
  EXPECT_EQ(Ids(MustFind(*index, supplier, params)), (std::vector<std::string>{"open", "unbounded"}));
  params.now_unix_seconds = 190;
  EXPECT_EQ(Ids(MustFind(*index, supplier, params)), (std::vector<std::string>{"future", "open", "unbounded"}));
  params.now_unix_seconds = 200;
  EXPECT_EQ(Ids(MustFind(*index, supplier, params)), (std::vector<std::string>{"future", "unbounded"}));
}

TEST(IndexTest, VisibilityOwnAndShared) {
  auto index = NewIndex();
  Profile mine = Supplier("mine", {"39130000"}, "alice");
  mine.visibility = Visibility::kPrivate;
  Profile theirs = Supplier("theirs", {"39130000"}, "bob");
  theirs.visibility = Visibility::kPrivate;
  Profile shared = Supplier("shared", {"39130000"}, "bob");
  ASSERT_TRUE(index->Upsert({mine, theirs, shared}).ok());
  const Profile tender = Tender("t", {"39130000"}, "alice");
  MatchParams params;
  EXPECT_EQ(MustFind(*index, tender, params).matches.size(), 3u);
  params.viewer = "alice";
  EXPECT_EQ(Ids(MustFind(*index, tender, params)), (std::vector<std::string>{"mine", "shared"}));
  params.viewer = "carol";  // owns nothing
  EXPECT_EQ(Ids(MustFind(*index, tender, params)), (std::vector<std::string>{"shared"}));
}

TEST(IndexTest, VisibleToAnswersAsTheMatchesFilter) {
  auto index = NewIndex();
  Profile mine = Supplier("mine", {"39130000"}, "alice");
  mine.visibility = Visibility::kPrivate;
  Profile theirs = Supplier("theirs", {"39130000"}, "bob");
  theirs.visibility = Visibility::kPrivate;
  Profile shared = Supplier("shared", {"39130000"}, "bob");
  ASSERT_TRUE(index->Upsert({mine, theirs, shared}).ok());
  EXPECT_TRUE(index->VisibleTo(mine.key, "alice"));
  EXPECT_TRUE(index->VisibleTo(shared.key, "alice"));
  EXPECT_FALSE(index->VisibleTo(theirs.key, "alice"));
  EXPECT_TRUE(index->VisibleTo(theirs.key, "bob"));
  EXPECT_TRUE(index->VisibleTo(theirs.key, ""));
  EXPECT_FALSE(index->VisibleTo(ProfileKey{"bob", "absent"}, "alice"));
  EXPECT_FALSE(index->VisibleTo(ProfileKey{"bob", "absent"}, ""));
}

TEST(IndexTest, ExcludesKeysOrganizationsAndTheQueryItself) {
  auto index = NewIndex();
  Profile a = Supplier("a", {"39130000"});
  a.organization = "Gemeente Zwolle";
  Profile b = Supplier("b", {"39130000"});
  b.organization = "Re-Use B.V.";
  Profile c = Supplier("c", {"39130000"});
  Profile stored_buddy = MakeProfile(ProfileKind::kBuddy, "buddy");
  stored_buddy.offers.topics = {"tco"};
  stored_buddy.asks.topics = {"tco"};
  ASSERT_TRUE(index->Upsert({a, b, c, stored_buddy}).ok());
  MatchParams params;
  params.filter.exclude = {ProfileKey{"partner", "c"}};
  params.filter.exclude_organizations = {"GEMEENTE ZWOLLE "};
  EXPECT_EQ(Ids(MustFind(*index, Tender("t", {"39130000"}), params)), (std::vector<std::string>{"b"}));
  // A stored buddy is never its own candidate.
  MatchParams buddies;
  buddies.type = MatchType::kBuddiesForBuddy;
  EXPECT_TRUE(MustFind(*index, stored_buddy, buddies).matches.empty());
}

TEST(IndexTest, BuddiesMatchAsksAgainstOffers) {
  auto index = NewIndex();
  Profile helper = MakeProfile(ProfileKind::kBuddy, "helper");
  helper.offers.topics = {"procurement-law"};
  helper.asks.topics = {"financing"};
  Profile other = MakeProfile(ProfileKind::kBuddy, "other");
  other.offers.topics = {"financing"};
  other.asks.topics = {"procurement-law"};
  ASSERT_TRUE(index->Upsert({helper, other}).ok());
  Profile seeker = MakeProfile(ProfileKind::kBuddy, "seeker");
  seeker.asks.topics = {"procurement-law"};
  MatchParams params;
  params.type = MatchType::kBuddiesForBuddy;
  const MatchResult result = MustFind(*index, seeker, params);
  ASSERT_EQ(Ids(result), (std::vector<std::string>{"helper", "other"}));
  EXPECT_NEAR(result.matches[0].score, 1.0, 1e-6);
  EXPECT_EQ(result.matches[1].score, 0.0);
  EXPECT_EQ(result.matches[0].explanation.shared_topics, (std::vector<std::string>{"procurement-law"}));
}

TEST(IndexTest, ValidationErrors) {
  auto index = NewIndex();
  MatchParams params;
  params.k = 0;
  EXPECT_EQ(index->FindMatches(Tender("t", {"39130000"}), params).status().message(),
            "k: must be between 1 and 1000, got 0");
  params.k = 10;
  params.type = MatchType::kTendersForSupplier;
  auto wrong = index->FindMatches(Tender("t", {"39130000"}), params);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(wrong.status().message(), "query: ")) << wrong.status();
}

// Compares the fast path with the exact reference: the same keys in the same order (where two scores are
// within 1e-5 of each other their order may differ, because the fast path adds in float) and scores within 1e-5.
void ExpectSameAsReference(const std::vector<Match>& fast, const std::vector<Match>& reference_all, int k,
                           const std::string& label) {
  absl::flat_hash_map<ProfileKey, double> reference_score;
  for (const Match& m : reference_all) reference_score[m.key] = m.score;
  const size_t expected_size = std::min<size_t>(static_cast<size_t>(k), reference_all.size());
  ASSERT_EQ(fast.size(), expected_size) << label;
  for (size_t i = 0; i < fast.size(); ++i) {
    const Match& want = reference_all[i];
    EXPECT_NEAR(fast[i].score, want.score, 1e-5) << label << " position " << i;
    if (fast[i].key != want.key) {
      auto it = reference_score.find(fast[i].key);
      ASSERT_NE(it, reference_score.end()) << label << ": fast path returned an ineligible " << fast[i].key.id;
      EXPECT_NEAR(it->second, want.score, 1e-5)
          << label << " position " << i << ": " << fast[i].key.id << " vs " << want.key.id;
    }
  }
}

// A term occurring hundreds or tens of thousands of times keeps its exact count through IDF refreshes (the
// index gives the counts back from the weighted values and the row's norm, and keeps the largest apart): the
// supplier's score after the corpus grew twice equals the reference's.
TEST(IndexTest, ATermRepeatedManyTimesKeepsItsWeightWhenTheIdfChanges) {
  for (const int repeats : {300, Vectorizer::kExactCountsBelow / 2 + 1000, Vectorizer::kExactCountsBelow + 1000}) {
    Profile repeated = Supplier("s-repeated", {"39130000"});
    for (int i = 0; i < repeats; ++i) repeated.capabilities.text += "hout ";
    repeated.capabilities.text += "beton beton kantoor";
    std::vector<Profile> all = {repeated};
    auto index = NewIndex();
    ASSERT_TRUE(index->Upsert(all).ok());
    // Three times as many documents, twice: the IDF is refreshed and every stored text weighted again each time.
    for (int round = 0; round < 2; ++round) {
      std::vector<Profile> more;
      for (int i = 0; i < (round == 0 ? 10 : 40); ++i) {
        Profile p = Supplier("s-" + std::to_string(round) + "-" + std::to_string(i), {"39130000"});
        p.capabilities.text = i % 2 ? "beton stoelen" : "kantoor meubilair hergebruik";
        more.push_back(p);
        all.push_back(p);
      }
      ASSERT_TRUE(index->Upsert(more).ok());
    }

    Profile tender = Tender("t-1", {"39130000"});
    tender.needs.text = "hout beton kantoor";
    MatchParams params;
    params.type = MatchType::kSuppliersForTender;
    params.k = 5;
    params.weights[static_cast<int>(Facet::kText)] = 1;
    const Vectorizer vectorizer(&SharedVocabulary(), VectorizerOptions{});
    auto reference = internal::ReferenceRankAll(vectorizer, internal::CorpusIdf(vectorizer, all), all, tender, params,
                                                IndexOptions{}.location_decay_km);
    ASSERT_TRUE(reference.ok()) << reference.status();
    const MatchResult result = MustFind(*index, tender, params);
    ASSERT_FALSE(result.matches.empty());
    EXPECT_EQ(result.matches[0].key.id, "s-repeated") << repeats;
    EXPECT_EQ((*reference)[0].key.id, "s-repeated") << repeats;
    EXPECT_NEAR(result.matches[0].score, (*reference)[0].score, 1e-6) << repeats;
  }
}

// Every way FindMatches can go (pruned by the bounds, swept in row order, added up list by list, or a mix)
// equals the exact reference. The second parameter weighs text, location and embedding down and asks for few
// matches, so that the facets with listed values decide which rows can enter.
class FastPathTest : public testing::TestWithParam<std::tuple<double, bool>> {};

TEST_P(FastPathTest, EqualsExactReferenceOnSeededData) {
  constexpr int kDimension = 8;
  const auto [out_of_order_fraction, listed_facets_decide] = GetParam();
  std::vector<Profile> profiles = testing_util::RandomProfiles(20240611, 2000, 600, 400, kDimension);
  // Every third tender becomes a buyer, so similar buyers have candidates.
  int tenders = 0;
  for (Profile& p : profiles) {
    if (p.kind == ProfileKind::kTender && tenders++ % 3 == 0) p.kind = ProfileKind::kBuyer;
  }
  auto index = NewIndex(kDimension, out_of_order_fraction);
  ASSERT_TRUE(index->Upsert(profiles).ok());
  VectorizerOptions vectorizer_options;
  vectorizer_options.embedding_dimension = kDimension;
  const Vectorizer vectorizer(&SharedVocabulary(), vectorizer_options);
  const TextIdf idf = internal::CorpusIdf(vectorizer, profiles);

  std::mt19937 rng(7);
  const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  int compared = 0, nonempty = 0, pruned = 0;
  for (int q = 0; q < 120; ++q) {
    MatchParams params;
    params.type = static_cast<MatchType>(q % 4);
    const ProfileKind query_kind = params.type == MatchType::kTendersForSupplier ? ProfileKind::kSupplier
                                   : params.type == MatchType::kBuddiesForBuddy  ? ProfileKind::kBuddy
                                                                                 : ProfileKind::kTender;
    const Profile* query = nullptr;
    while (query == nullptr) {
      const Profile& p = profiles[pick(static_cast<int>(profiles.size()))];
      if (p.kind == query_kind) query = &p;
    }
    params.k = 1 + pick(40);
    params.now_unix_seconds = 800 + pick(400);
    if (pick(2)) params.viewer = "owner" + std::to_string(pick(5));
    if (pick(4) == 0) params.filter.required_certifications = {"co2-prestatieladder-" + std::to_string(1 + pick(5))};
    if (pick(4) == 0) params.filter.max_distance_km = 20 + pick(150);
    if (pick(4) == 0) params.filter.exclude_organizations = {"org " + std::to_string(pick(15))};
    if (pick(4) == 0) params.filter.exclude = {profiles[pick(2000)].key, profiles[pick(2000)].key};
    if (pick(4) == 0) params.filter.min_score = 0.05 * pick(8);
    if (pick(3) == 0) params.weights[static_cast<int>(Facet::kText)] = 0.5;
    if (pick(3) == 0) params.weights[static_cast<int>(Facet::kEmbedding)] = 0.3;
    if (listed_facets_decide) {
      params.k = 1 + pick(5);
      for (Facet facet : {Facet::kLocation, Facet::kText, Facet::kEmbedding}) {
        params.weights[static_cast<int>(facet)] = 0.01 * pick(3);
      }
    }
    auto fast = index->FindMatches(*query, params);
    auto reference =
        internal::ReferenceRankAll(vectorizer, idf, profiles, *query, params, IndexOptions{}.location_decay_km);
    if (!reference.ok()) {
      EXPECT_EQ(fast.status(), reference.status());
      continue;
    }
    ASSERT_TRUE(fast.ok()) << fast.status();
    ExpectSameAsReference(fast->matches, *reference, params.k, "query " + std::to_string(q));
    ++compared;
    if (!fast->matches.empty()) ++nonempty;
    const int64_t candidates = index->Count(CandidateKind(params.type));  // no tombstones here
    EXPECT_LE(fast->rows_scored, candidates);
    if (fast->rows_scored < candidates) ++pruned;
  }
  EXPECT_GT(compared, 80);
  EXPECT_GT(nonempty, 70);
  // The bounds must actually leave rows unscored when the search may prune at will.
  if (out_of_order_fraction == 1.0) {
    EXPECT_GT(pruned, 20);
  }
}

INSTANTIATE_TEST_SUITE_P(OutOfOrderFractions, FastPathTest,
                         testing::Combine(testing::Values(0.0, 1.0 / 16, 1.0), testing::Bool()));

TEST(IndexTest, SimilarBuyersRankOtherOrganizationsByNeedsAndLeaveOutTheirOwn) {
  auto index = NewIndex();
  Profile tender = Tender("t", {"39130000"});
  tender.organization = "Gemeente Zwolle";
  Profile same_needs = MakeProfile(ProfileKind::kBuyer, "kampen");
  same_needs.organization = "Gemeente Kampen";
  same_needs.needs.cpv_codes = {"39130000"};
  Profile own = same_needs;
  own.key.id = "zwolle";
  own.organization = "gemeente zwolle ";
  Profile related = same_needs;
  related.key.id = "deventer";
  related.organization = "Gemeente Deventer";
  related.needs.cpv_codes = {"39100000"};
  Profile supplier = Supplier("s", {"39130000"});
  ASSERT_TRUE(index->Upsert({same_needs, own, related, supplier}).ok());

  MatchParams params;
  params.type = MatchType::kSimilarBuyers;
  const MatchResult result = MustFind(*index, tender, params);
  EXPECT_EQ(Ids(result), (std::vector<std::string>{"kampen", "deventer"}));
  EXPECT_GT(result.matches[0].score, result.matches[1].score);

  auto why_not = index->Explain(tender, own.key, params);
  ASSERT_TRUE(why_not.ok()) << why_not.status();
  EXPECT_EQ(why_not->rank, 0);
  ASSERT_EQ(why_not->match.explanation.exclusions.size(), 1u);
  EXPECT_EQ(why_not->match.explanation.exclusions[0].field, "organization");
  EXPECT_EQ(index->FindMatches(supplier, params).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IndexTest, ScoreAllAndExplainPairGiveTheScoresOfFindMatches) {
  const std::vector<Profile> profiles = testing_util::RandomProfiles(99, 300, 40, 60, 0);
  auto index = NewIndex();
  ASSERT_TRUE(index->Upsert(profiles).ok());
  std::vector<Profile> buddies;
  std::vector<ProfileKey> buddy_keys;
  for (const Profile& p : profiles) {
    if (p.kind != ProfileKind::kBuddy) continue;
    buddies.push_back(p);
    buddy_keys.push_back(p.key);
  }
  MatchParams params;
  params.type = MatchType::kBuddiesForBuddy;
  params.k = kMaxK;
  auto matrix = index->ScoreAll(buddies, buddy_keys, params);
  ASSERT_TRUE(matrix.ok()) << matrix.status();
  ASSERT_EQ(matrix->scores.rows(), static_cast<int>(buddies.size()));
  ASSERT_EQ(matrix->scores.cols(), static_cast<int>(buddies.size()));
  int positive = 0;
  for (size_t i = 0; i < buddies.size(); ++i) {
    EXPECT_EQ(matrix->scores(i, i), 0.0f) << "a buddy never scores against itself";
    const MatchResult ranked = MustFind(*index, buddies[i], params);
    for (const Match& m : ranked.matches) {
      const size_t j = std::find(buddy_keys.begin(), buddy_keys.end(), m.key) - buddy_keys.begin();
      ASSERT_LT(j, buddy_keys.size());
      EXPECT_FLOAT_EQ(matrix->scores(i, j), static_cast<float>(m.score)) << i << " " << j;
      if (m.score > 0) ++positive;
      auto pair = index->ExplainPair(buddies[i], m.key, params);
      ASSERT_TRUE(pair.ok()) << pair.status();
      EXPECT_EQ(pair->score, m.score);
      EXPECT_TRUE(pair->explanation.exclusions.empty());
    }
  }
  EXPECT_GT(positive, 100);

  std::vector<ProfileKey> with_unknown = buddy_keys;
  with_unknown.push_back(ProfileKey{"partner", "nobody"});
  auto missing = index->ScoreAll(buddies, with_unknown, params);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "candidates[60]")) << missing.status();
  std::vector<ProfileKey> with_supplier = {profiles[0].key};
  EXPECT_EQ(index->ScoreAll(buddies, with_supplier, params).status().code(), absl::StatusCode::kInvalidArgument);
}

// The index keeps each embedding once, in its matrix: Get and the explanations read it from there.
TEST(IndexTest, GetAndExplanationsGiveTheIndexedEmbedding) {
  constexpr int kDimension = 4;
  auto index = NewIndex(kDimension);
  Profile with = Supplier("with", {"39130000"});
  with.embedding = {3, 0, 4, 0};
  Profile without = Supplier("without", {"39130000"});
  ASSERT_TRUE(index->Upsert({with, without}).ok());

  const std::optional<Profile> stored = index->Get(with.key);
  ASSERT_TRUE(stored.has_value());
  ASSERT_EQ(stored->embedding.size(), 4u);
  EXPECT_FLOAT_EQ(stored->embedding[0], 0.6f);
  EXPECT_FLOAT_EQ(stored->embedding[2], 0.8f);
  EXPECT_EQ(stored->capabilities.cpv_codes, with.capabilities.cpv_codes);
  EXPECT_TRUE(index->Get(without.key)->embedding.empty());

  Profile tender = Tender("t", {"39130000"});
  tender.embedding = {1, 0, 0, 0};
  MatchParams params;
  const MatchResult result = MustFind(*index, tender, params);
  ASSERT_EQ(Ids(result), (std::vector<std::string>{"with", "without"}));
  const auto embedding_part = [](const Match& m) {
    for (const FacetContribution& f : m.explanation.facets) {
      if (f.facet == Facet::kEmbedding) return f.similarity;
    }
    return -1.0;
  };
  EXPECT_NEAR(embedding_part(result.matches[0]), 0.6, 1e-6);
  EXPECT_NEAR(embedding_part(result.matches[1]), 0.0, 1e-6);
  auto pair = index->ExplainPair(tender, with.key, params);
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->score, result.matches[0].score);
}

// Past PostingLists::kMinRowsForDense suppliers, the lists of the terms held by an eighth of them or more are
// added up from their dense values: the top 10 is still the best 10 of ScoreAll, which scores every supplier
// exactly, with no bounds; ties by key.
TEST(IndexTest, DenseListsKeepTheTopKExactAtScale) {
  std::vector<Profile> profiles = testing_util::RandomProfiles(31, 70000, 12, 0, 0);
  std::vector<Profile> tenders;
  std::vector<ProfileKey> suppliers;
  for (Profile& p : profiles) {
    if (p.kind == ProfileKind::kSupplier) {
      p.visibility = Visibility::kShared;  // ScoreAll takes only candidates the (absent) viewer may see
      suppliers.push_back(p.key);
    } else if (p.kind == ProfileKind::kTender) {
      tenders.push_back(p);
    }
  }
  ASSERT_GT(suppliers.size(), static_cast<size_t>(internal::PostingLists::kMinRowsForDense));
  auto index = NewIndex();
  ASSERT_TRUE(index->Upsert(profiles).ok());
  MatchParams params;
  params.k = 10;
  params.filter.include_out_of_reach = true;  // ScoreAll scores every pair; no hard filter here
  auto all = index->ScoreAll(tenders, suppliers, params);
  ASSERT_TRUE(all.ok()) << all.status();
  int pruned = 0;
  for (size_t q = 0; q < tenders.size(); ++q) {
    std::vector<size_t> order(suppliers.size());
    for (size_t j = 0; j < order.size(); ++j) order[j] = j;
    const auto score = [&](size_t j) {
      return all->scores(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j));
    };
    std::partial_sort(order.begin(), order.begin() + params.k, order.end(), [&](size_t a, size_t b) {
      return score(a) != score(b) ? score(a) > score(b) : suppliers[a] < suppliers[b];
    });
    auto fast = index->FindMatches(tenders[q], params);
    ASSERT_TRUE(fast.ok()) << fast.status();
    ASSERT_EQ(fast->matches.size(), static_cast<size_t>(params.k));
    for (int i = 0; i < params.k; ++i) {
      EXPECT_EQ(fast->matches[i].key, suppliers[order[i]]) << "tender " << q << " position " << i;
      EXPECT_EQ(static_cast<float>(fast->matches[i].score), score(order[i])) << "tender " << q << " position " << i;
    }
    pruned += fast->rows_scored < static_cast<int64_t>(suppliers.size());
  }
  EXPECT_EQ(pruned, static_cast<int>(tenders.size()));  // the bounds did leave suppliers unscored
}

TEST(IndexTest, CompactionKeepsResultsRight) {
  // Private profiles only, so the IDF (over shared ones) does not move while rows come and go.
  std::vector<Profile> profiles = testing_util::RandomProfiles(99, 400, 50, 0, 0);
  for (Profile& p : profiles) p.visibility = Visibility::kPrivate;
  auto index = NewIndex();
  ASSERT_TRUE(index->Upsert(profiles).ok());
  std::vector<Profile> kept, deleted;
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].kind == ProfileKind::kSupplier && i % 3 != 0) {
      ASSERT_TRUE(index->Delete(profiles[i].key).ok());  // two thirds: several compactions
      deleted.push_back(profiles[i]);
    } else {
      kept.push_back(profiles[i]);
    }
  }
  EXPECT_EQ(index->Count(ProfileKind::kSupplier), 134);
  const Vectorizer vectorizer(&SharedVocabulary(), VectorizerOptions{});
  const TextIdf idf = internal::CorpusIdf(vectorizer, kept);
  MatchParams params;
  params.k = 50;
  for (int q = 400; q < 420; ++q) {
    auto fast = index->FindMatches(profiles[q], params);
    auto reference = internal::ReferenceRankAll(vectorizer, idf, kept, profiles[q], params, 50);
    if (!reference.ok()) continue;
    ASSERT_TRUE(fast.ok());
    ExpectSameAsReference(fast->matches, *reference, params.k, "query " + std::to_string(q));
  }
  // Keys still lead to their own rows after the rows were renumbered.
  for (const Profile& p : kept) {
    const std::optional<Profile> stored = index->Get(p.key);
    ASSERT_TRUE(stored.has_value()) << p.key.id;
    EXPECT_EQ(stored->key, p.key);
    EXPECT_EQ(stored->display_name, p.display_name);
  }
  for (const Profile& p : deleted) EXPECT_FALSE(index->Get(p.key).has_value()) << p.key.id;
  // Replacing a kept supplier replaces its row (no second copy), and deleting it finds it.
  const int64_t suppliers = index->Count(ProfileKind::kSupplier);
  for (const Profile& p : kept) {
    if (p.kind != ProfileKind::kSupplier) continue;
    ASSERT_TRUE(index->Upsert({p}).ok());
    EXPECT_EQ(index->Count(ProfileKind::kSupplier), suppliers) << p.key.id;
  }
  for (const Profile& p : kept) {
    if (p.kind == ProfileKind::kSupplier) {
      EXPECT_TRUE(index->Delete(p.key).ok()) << p.key.id;
    }
  }
  EXPECT_EQ(index->Count(ProfileKind::kSupplier), 0);
}

// Readers run while a writer replaces two suppliers together, many times. Version v writes both with CPV code
// A and material "wood" when v is even, and with code B and material "steel" when odd, and their names carry v.
// A query for A + wood with equal weights must therefore see both at score 1 or both at 0: never 0.5 (a half
// written profile) and never the two at different versions (a half applied batch).
TEST(IndexTest, ConcurrentReadersNeverSeeAPartialWrite) {
  auto index = NewIndex();
  std::vector<Profile> background;
  for (int i = 0; i < 200; ++i) background.push_back(Supplier("bg" + std::to_string(i), {"45000000"}));
  ASSERT_TRUE(index->Upsert(background).ok());
  const auto version_of = [](int v) {
    std::vector<Profile> pair;
    for (const char* id : {"x1", "x2"}) {
      Profile p = Supplier(id, {v % 2 == 0 ? "39130000" : "30213000"});
      p.capabilities.materials = {v % 2 == 0 ? "wood" : "steel"};
      p.display_name = std::to_string(v);
      pair.push_back(std::move(p));
    }
    return pair;
  };
  ASSERT_TRUE(index->Upsert(version_of(0)).ok());

  Profile query = Tender("t", {"39130000"});
  query.needs.materials = {"wood"};
  MatchParams params;
  params.k = 5;
  params.weights = {};
  params.weights[static_cast<int>(Facet::kCpv)] = 1;
  params.weights[static_cast<int>(Facet::kMaterials)] = 1;

  constexpr int kWrites = 300;
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int v = 1; v <= kWrites; ++v) {
      if (!index->Upsert(version_of(v)).ok()) failed = true;
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      uint64_t last_version = 0;
      for (int i = 0; i < 400; ++i) {
        auto result = index->FindMatches(query, params);
        if (!result.ok()) {
          failed = true;
          return;
        }
        if (result->index_version < last_version) failed = true;  // versions never go back
        last_version = result->index_version;
        std::vector<double> scores;
        for (const Match& m : result->matches) {
          if (m.key.id == "x1" || m.key.id == "x2") scores.push_back(m.score);
          if (m.score > 1e-6 && std::abs(m.score - 1.0) > 1e-6) failed = true;  // a half-written profile
        }
        // Both x1 and x2 at score 1 (even version) or neither in the top 5 (odd: 0, ties with the background
        // go by key, "bg..." < "x...").
        if (!(scores.size() == 2 || scores.empty())) failed = true;
        if (index->Count(ProfileKind::kSupplier) != 202) failed = true;
        auto x1 = index->Get(ProfileKey{"partner", "x1"});
        if (!x1 || x1->capabilities.materials.size() != 1 ||
            (std::stoi(x1->display_name) % 2 == 0) != (x1->capabilities.materials[0] == "wood")) {
          failed = true;
        }
      }
    });
  }
  writer.join();
  for (std::thread& r : readers) r.join();
  EXPECT_FALSE(failed.load());
  EXPECT_EQ(index->version(), static_cast<uint64_t>(kWrites + 2));
}

std::unique_ptr<Index> NewIndexWithoutProfiles(int embedding_dimension) {
  return NewIndex(embedding_dimension, IndexOptions{}.out_of_order_fraction, /*keep_profiles=*/false);
}

void ExpectSameExplanation(const Explanation& a, const Explanation& b, const std::string& what) {
  ASSERT_EQ(a.facets.size(), b.facets.size()) << what;
  for (size_t f = 0; f < a.facets.size(); ++f) {
    EXPECT_EQ(a.facets[f].facet, b.facets[f].facet) << what;
    EXPECT_EQ(a.facets[f].contribution, b.facets[f].contribution) << what;
  }
  ASSERT_EQ(a.cpv_matches.size(), b.cpv_matches.size()) << what;
  for (size_t i = 0; i < a.cpv_matches.size(); ++i) {
    EXPECT_EQ(a.cpv_matches[i].candidate_code, b.cpv_matches[i].candidate_code) << what;
  }
  EXPECT_EQ(a.shared_strategies, b.shared_strategies) << what;
  EXPECT_EQ(a.shared_materials, b.shared_materials) << what;
  EXPECT_EQ(a.shared_certifications, b.shared_certifications) << what;
  EXPECT_EQ(a.shared_terms, b.shared_terms) << what;
  EXPECT_EQ(a.distance_km, b.distance_km) << what;
  EXPECT_EQ(a.exclusions.size(), b.exclusions.size()) << what;
}

// An index that keeps no profiles ranks as one that does; its matches, explained by the caller from their
// profiles (with their embeddings as given, not scaled) and the index's `scored`, read the same, and so do
// Explain and ExplainPair given the candidate's profile.
TEST(IndexWithoutProfilesTest, RanksAndExplainsAsAnIndexThatKeepsThem) {
  constexpr int kDimension = 8;
  const std::vector<Profile> profiles = testing_util::RandomProfiles(7, 300, 40, 20, kDimension);
  auto keeping = NewIndex(kDimension);
  auto lean = NewIndexWithoutProfiles(kDimension);
  ASSERT_TRUE(keeping->Upsert(profiles).ok());
  ASSERT_TRUE(lean->Upsert(profiles).ok());
  EXPECT_FALSE(lean->Get(profiles[0].key).has_value());
  ASSERT_TRUE(keeping->Get(profiles[0].key).has_value());
  absl::flat_hash_map<ProfileKey, const Profile*> by_key;
  for (const Profile& p : profiles) by_key[p.key] = &p;

  MatchParams params;
  params.k = 10;
  int compared = 0;
  for (const Profile& tender : profiles) {
    if (tender.kind != ProfileKind::kTender) continue;
    const MatchResult a = MustFind(*keeping, tender, params);
    const MatchResult b = MustFind(*lean, tender, params);
    ASSERT_EQ(Ids(a), Ids(b)) << tender.key.id;
    const QueryExplainer explainer(lean->vectorizer(), tender, params, b.resolved);
    for (size_t i = 0; i < a.matches.size(); ++i) {
      EXPECT_EQ(a.matches[i].score, b.matches[i].score);
      EXPECT_TRUE(b.matches[i].explanation.facets.empty()) << "left to the caller";
      const Profile& candidate = *by_key.at(b.matches[i].key);
      ExpectSameExplanation(a.matches[i].explanation, explainer.Explain(candidate, b.matches[i].scored), tender.key.id);
      auto explained_a = keeping->Explain(tender, a.matches[i].key, params);
      auto explained_b = lean->Explain(tender, candidate, params);
      ASSERT_TRUE(explained_a.ok() && explained_b.ok()) << explained_b.status();
      EXPECT_EQ(explained_a->rank, explained_b->rank);
      EXPECT_EQ(explained_a->match.score, explained_b->match.score);
      ExpectSameExplanation(explained_a->match.explanation, explained_b->match.explanation, tender.key.id);
      auto pair_b = lean->ExplainPair(tender, candidate, params);
      ASSERT_TRUE(pair_b.ok()) << pair_b.status();
      EXPECT_EQ(pair_b->score, a.matches[i].score);
      ++compared;
    }
  }
  EXPECT_GT(compared, 200);
}

TEST(IndexWithoutProfilesTest, KeepsOnlyTheKeys) {
  const std::vector<Profile> profiles = testing_util::RandomProfiles(8, 20000, 0, 0, 0);
  auto keeping = NewIndex();
  auto lean = NewIndexWithoutProfiles(0);
  ASSERT_TRUE(keeping->Upsert(profiles).ok());
  ASSERT_TRUE(lean->Upsert(profiles).ok());
  // Its ids fit in one block of the arena (a megabyte), the packed profiles take several.
  EXPECT_LE(lean->Memory().profiles, keeping->Memory().profiles / 2);
  EXPECT_EQ(lean->Memory().matrices, keeping->Memory().matrices);
}

// Without its own copy, an index explains a candidate only from the profile it is given, and finds its row by
// the profile's key: one it does not hold (or the viewer may not see) is NOT_FOUND, as by key.
TEST(IndexWithoutProfilesTest, ExplainsOnlyFromAGivenProfile) {
  auto index = NewIndexWithoutProfiles(0);
  Profile kept = Supplier("kept", {"39130000"});
  kept.visibility = Visibility::kPrivate;
  ASSERT_TRUE(index->Upsert({kept}).ok());
  const Profile tender = Tender("t", {"39130000"});
  EXPECT_TRUE(index->Contains(kept.key));
  EXPECT_FALSE(index->Get(kept.key).has_value());

  MatchParams params;
  EXPECT_EQ(Ids(MustFind(*index, tender, params)), std::vector<std::string>{"kept"});
  const absl::Status by_key = index->Explain(tender, kept.key, params).status();
  EXPECT_EQ(by_key.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(by_key.message(), "candidate")) << by_key;
  EXPECT_EQ(index->ExplainPair(tender, kept.key, params).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(index->Explain(tender, kept, params).ok());

  const Profile never = Supplier("never", {"39130000"});
  EXPECT_EQ(index->Explain(tender, never, params).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(index->ExplainPair(tender, never, params).status().code(), absl::StatusCode::kNotFound);
  params.viewer = "someone-else";
  EXPECT_EQ(index->Explain(tender, kept, params).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace circmatch
