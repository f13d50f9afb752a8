#include "circmatch/diversity.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace circmatch {
namespace {

DiversityCandidate C(double score, std::string organization = "", std::string group = "", bool sme = false) {
  return DiversityCandidate{score, std::move(organization), std::move(group), sme};
}

std::vector<int> Order(const std::vector<DiversePick>& picks) {
  std::vector<int> order;
  for (const DiversePick& p : picks) order.push_back(p.candidate);
  return order;
}

TEST(DiversityTest, WithoutOptionsTheFirstKInOrder) {
  const std::vector<DiversityCandidate> pool = {C(0.9, "a", "x"), C(0.8, "a", "x"), C(0.8, "b"), C(0.1)};
  EXPECT_EQ(Order(Diversify(pool, 3, DiversityOptions{})), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(Order(Diversify(pool, 10, DiversityOptions{})), (std::vector<int>{0, 1, 2, 3}));
}

TEST(DiversityTest, TheCapLeavesOutAnOrganizationsFurtherCandidates) {
  const std::vector<DiversityCandidate> pool = {C(0.9, "chain"), C(0.89, "chain"), C(0.88, "chain"), C(0.5, "b"),
                                                C(0.4, "")};
  DiversityOptions options;
  options.max_per_organization = 1;
  EXPECT_EQ(Order(Diversify(pool, 3, options)), (std::vector<int>{0, 3, 4}));
  options.max_per_organization = 2;
  EXPECT_EQ(Order(Diversify(pool, 3, options)), (std::vector<int>{0, 1, 3}));
  // Fewer than k when the cap excludes every candidate left.
  options.max_per_organization = 1;
  EXPECT_EQ(Order(Diversify({C(0.9, "chain"), C(0.8, "chain")}, 2, options)), (std::vector<int>{0}));
}

TEST(DiversityTest, SpreadMovesAnotherGroupUpByItsTradeOff) {
  const std::vector<DiversityCandidate> pool = {C(0.90, "", "overijssel"), C(0.89, "", "overijssel"),
                                                C(0.88, "", "overijssel"), C(0.70, "", "gelderland")};
  DiversityOptions options;
  options.spread = 0.5;
  // After one Overijssel pick: Overijssel 0.5 * 0.89 - 0.5 * 1 < Gelderland 0.5 * 0.70.
  EXPECT_EQ(Order(Diversify(pool, 3, options)), (std::vector<int>{0, 3, 1}));
  options.spread = 0.05;  // too weak to outweigh 0.19 of score
  EXPECT_EQ(Order(Diversify(pool, 3, options)), (std::vector<int>{0, 1, 2}));
}

TEST(DiversityTest, TheSmeShareIsFilledWithTheBestScoringSmesAtTheEnd) {
  const std::vector<DiversityCandidate> pool = {
      C(0.9), C(0.8), C(0.7), C(0.6), C(0.5, "", "", true), C(0.4, "", "", true), C(0.3, "", "", true)};
  DiversityOptions options;
  options.min_sme_share = 0.5;
  const std::vector<DiversePick> picks = Diversify(pool, 4, options);
  EXPECT_EQ(Order(picks), (std::vector<int>{0, 1, 4, 5}));
  EXPECT_FALSE(picks[1].for_sme_share);
  EXPECT_TRUE(picks[2].for_sme_share);
  EXPECT_TRUE(picks[3].for_sme_share);
  // A share asks at least: SMEs that score well enough count without being forced.
  options.min_sme_share = 0.25;
  EXPECT_EQ(Order(Diversify(pool, 4, options)), (std::vector<int>{0, 1, 2, 4}));
  // As far as there are SMEs.
  options.min_sme_share = 1;
  EXPECT_EQ(Order(Diversify(pool, 5, options)), (std::vector<int>{0, 1, 4, 5, 6}));
}

}  // namespace
}  // namespace circmatch
