// The visibility rule (circmatch/visibility.h), row by row of the table the service's tests share
// (tests/visibility_cases.h): the functions themselves, and the Index, which must answer every row alike in its
// matches, VisibleTo, Explain, ExplainPair, ScoreAll, FindExclusions and ViewVersion.
#include "circmatch/visibility.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "circmatch/index.h"
#include "circmatch/scorer.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "visibility_cases.h"

namespace circmatch {
namespace {

using testing_cases::kVisibilityCases;
using testing_cases::VisibilityCase;
using testing_util::SharedVocabulary;
using testing_util::Supplier;
using testing_util::Tender;

Visibility VisibilityOf(const VisibilityCase& c) { return c.shared ? Visibility::kShared : Visibility::kPrivate; }

// The row's profile: a supplier of its owner, with its visibility.
Profile Candidate(const VisibilityCase& c) {
  Profile candidate = Supplier("candidate", {"39130000"}, c.owner);
  candidate.visibility = VisibilityOf(c);
  return candidate;
}

// The query: a tender of the viewer (with no viewer, of an owner of its own) that the index does not store, so
// the viewer owns nothing in the index but what the row gives it.
Profile Query(const VisibilityCase& c) {
  return Tender("query", {"39130000"}, *c.viewer != '\0' ? c.viewer : "query-owner");
}

MatchParams ParamsOf(const VisibilityCase& c) {
  MatchParams params;
  params.type = MatchType::kSuppliersForTender;
  params.k = 10;
  params.viewer = c.viewer;
  return params;
}

bool HasExclusion(const std::vector<Exclusion>& exclusions, const std::string& field) {
  return std::any_of(exclusions.begin(), exclusions.end(), [&](const Exclusion& e) { return e.field == field; });
}

class VisibilityTest : public ::testing::TestWithParam<VisibilityCase> {};

TEST_P(VisibilityTest, MayViewAndViewerOwnsAnswerAsTheTable) {
  const VisibilityCase& c = GetParam();
  EXPECT_EQ(MayView(c.viewer, c.owner, VisibilityOf(c)), c.visible);
  EXPECT_EQ(ViewerOwns(c.viewer, c.owner), c.owns);
  // The interned form, resolved as the index's row filter resolves it.
  EXPECT_EQ(MayViewResolved(*c.viewer == '\0', ViewerOwns(c.viewer, c.owner), c.shared), c.visible);
}

TEST_P(VisibilityTest, FindExclusionsNamesVisibilityExactlyForWhatTheViewerMayNotSee) {
  const VisibilityCase& c = GetParam();
  const Profile query = Query(c);
  const MatchParams params = ParamsOf(c);
  absl::StatusOr<ResolvedParams> resolved = ResolveParams(SharedVocabulary(), query, params, 0);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  const std::vector<Exclusion> exclusions =
      FindExclusions(SharedVocabulary(), query, Candidate(c), params, *resolved, std::nullopt);
  EXPECT_EQ(HasExclusion(exclusions, "visibility"), !c.visible);
}

TEST_P(VisibilityTest, TheIndexAnswersAsTheTable) {
  const VisibilityCase& c = GetParam();
  auto created = Index::Create(IndexOptions{}, &SharedVocabulary());
  ASSERT_TRUE(created.ok()) << created.status();
  const std::unique_ptr<Index> index = *std::move(created);
  const Profile query = Query(c);
  const Profile candidate = Candidate(c);
  const MatchParams params = ParamsOf(c);
  // A shared supplier every viewer sees, so that every search finds something.
  ASSERT_TRUE(index->Upsert({Supplier("bystander", {"39130000"}, "someone-else")}).ok());

  // What an absent candidate answers, to compare an invisible one with.
  const absl::Status absent_explain = index->Explain(query, candidate.key, params).status();
  const absl::Status absent_pair = index->ExplainPair(query, candidate.key, params).status();
  const absl::Status absent_scores = index->ScoreAll({query}, {candidate.key}, params).status();
  ASSERT_EQ(absent_explain.code(), absl::StatusCode::kNotFound) << absent_explain;
  ASSERT_EQ(absent_pair.code(), absl::StatusCode::kNotFound) << absent_pair;
  ASSERT_EQ(absent_scores.code(), absl::StatusCode::kNotFound) << absent_scores;
  EXPECT_FALSE(index->VisibleTo(candidate.key, c.viewer));

  const uint64_t view_before = index->ViewVersion(c.viewer);
  ASSERT_TRUE(index->Upsert({candidate}).ok());
  // The viewer's view moves with the write exactly when it may see what was written.
  EXPECT_EQ(index->ViewVersion(c.viewer) > view_before, c.visible);
  EXPECT_EQ(index->VisibleTo(candidate.key, c.viewer), c.visible);

  absl::StatusOr<MatchResult> matches = index->FindMatches(query, params);
  ASSERT_TRUE(matches.ok()) << matches.status();
  std::vector<std::string> ids;
  for (const Match& m : matches->matches) ids.push_back(m.key.id);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "bystander"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "candidate") != ids.end(), c.visible);
  EXPECT_EQ(matches->index_version, index->ViewVersion(c.viewer));

  absl::StatusOr<ExplainResult> explained = index->Explain(query, candidate.key, params);
  absl::StatusOr<Match> pair = index->ExplainPair(query, candidate.key, params);
  absl::StatusOr<ScoreMatrix> scores = index->ScoreAll({query}, {candidate.key}, params);
  if (c.visible) {
    ASSERT_TRUE(explained.ok()) << explained.status();
    EXPECT_FALSE(HasExclusion(explained->match.explanation.exclusions, "visibility"));
    EXPECT_GE(explained->rank, 1);
    EXPECT_TRUE(pair.ok()) << pair.status();
    EXPECT_TRUE(scores.ok()) << scores.status();
  } else {
    // As absent, word for word.
    EXPECT_EQ(explained.status(), absent_explain);
    EXPECT_EQ(pair.status(), absent_pair);
    EXPECT_EQ(scores.status(), absent_scores);
  }
}

std::string CaseName(const ::testing::TestParamInfo<VisibilityCase>& info) {
  std::string name;
  for (const char* p = info.param.name; *p != '\0'; ++p) {
    if (std::isalnum(static_cast<unsigned char>(*p))) {
      name += *p;
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

INSTANTIATE_TEST_SUITE_P(Table, VisibilityTest, ::testing::ValuesIn(kVisibilityCases), CaseName);

}  // namespace
}  // namespace circmatch
