// PairingService.PairBuddies on a real server loaded with the sample data: both modes on the Regio Zwolle cohort
// with their constraints checked in the response, validation errors naming the field, and the CLI.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "circmatch/v1/pairing_service.grpc.pb.h"
#include "service_test_util.h"
#include "subprocess.h"

#ifndef CIRCMATCH_SAMPLE_DATA
#error "CIRCMATCH_SAMPLE_DATA must name service/sample/profiles.jsonl"
#endif

namespace circmatch {
namespace testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

class PairingServiceTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {std::string("--sample_data=") + CIRCMATCH_SAMPLE_DATA};
  }

  void SetUp() override {
    ServerTest::SetUp();
    pairing_ = v1::PairingService::NewStub(server_->channel());
  }

  // The Regio Zwolle buddies as the store has them, by id, read through ListProfiles (not through pairing).
  std::map<std::string, v1::Profile> ZwolleCohort() {
    std::map<std::string, v1::Profile> cohort;
    v1::ListProfilesRequest request;
    request.set_kind(v1::PROFILE_KIND_BUDDY);
    request.set_page_size(1000);
    for (;;) {
      v1::ListProfilesResponse response;
      grpc::Status status = profiles_->ListProfiles(Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << StatusText(status);
      if (!status.ok()) break;
      for (const v1::Profile& p : response.profiles()) {
        if (std::find(p.tags().begin(), p.tags().end(), "regio-zwolle") != p.tags().end()) cohort[p.id()] = p;
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return cohort;
  }

  grpc::Status Pair(const v1::PairBuddiesRequest& request, v1::PairBuddiesResponse* response) {
    return pairing_->PairBuddies(Context(std::chrono::seconds(120)).get(), request, response);
  }

  static v1::PairBuddiesRequest ZwolleRequest(v1::PairingMode mode) {
    v1::PairBuddiesRequest request;
    request.mutable_cohort_filter()->add_tags("regio-zwolle");
    request.set_mode(mode);
    return request;
  }

  // Checks what holds for any response on the Zwolle cohort.
  void ExpectWellFormed(const v1::PairBuddiesResponse& response, const std::map<std::string, v1::Profile>& cohort,
                        double min_score) {
    EXPECT_EQ(response.cohort_size(), static_cast<int>(cohort.size()));
    EXPECT_TRUE(response.optimal());
    EXPECT_GT(response.index_version(), 0u);
    double total = 0;
    for (const v1::BuddyPairing& pair : response.pairs()) {
      ASSERT_TRUE(cohort.count(pair.a().id())) << pair.a().id() << " is not in the cohort";
      ASSERT_TRUE(cohort.count(pair.b().id())) << pair.b().id() << " is not in the cohort";
      EXPECT_NE(pair.a().id(), pair.b().id());
      EXPECT_GE(pair.score(), min_score) << pair.a().id() << "-" << pair.b().id();
      EXPECT_NE(Lower(cohort.at(pair.a().id()).organization()), Lower(cohort.at(pair.b().id()).organization()))
          << pair.a().id() << "-" << pair.b().id() << " share an organization";
      EXPECT_GT(pair.explanation().facets_size(), 0) << ToJson(pair);
      total += pair.score();
    }
    EXPECT_NEAR(response.total_score(), total, 1e-9);
    EXPECT_EQ(response.upper_bound(), response.total_score());
    for (int i = 1; i < response.pairs_size(); ++i) {
      EXPECT_GE(response.pairs(i - 1).score(), response.pairs(i).score());
    }
    for (int i = 1; i < response.unpaired_size(); ++i) {
      EXPECT_LT(response.unpaired(i - 1).ref().id(), response.unpaired(i).ref().id());
    }
    for (const v1::UnpairedBuddy& u : response.unpaired()) {
      EXPECT_NE(u.reason(), v1::UNPAIRED_REASON_UNSPECIFIED);
      EXPECT_FALSE(u.detail().empty());
    }
  }

  std::unique_ptr<v1::PairingService::Stub> pairing_;
};

TEST_F(PairingServiceTest, MentoringOnTheZwolleCohortHonorsCapacitiesAndConstraints) {
  const std::map<std::string, v1::Profile> cohort = ZwolleCohort();
  ASSERT_GE(cohort.size(), 10u);
  v1::PairBuddiesRequest request = ZwolleRequest(v1::PAIRING_MODE_MENTORING);
  request.mutable_constraints()->set_min_score(0.2);
  request.mutable_constraints()->set_helpers_per_seeker(2);
  v1::PairBuddiesResponse response;
  grpc::Status status = Pair(request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ExpectWellFormed(response, cohort, 0.2);
  EXPECT_EQ(response.method(), "min-cost flow (exact)");
  ASSERT_GT(response.pairs_size(), 0);
  std::map<std::string, int> load, helpers;
  for (const v1::BuddyPairing& pair : response.pairs()) {
    ++helpers[pair.a().id()];
    ++load[pair.b().id()];
  }
  for (const auto& [id, n] : load) EXPECT_LE(n, cohort.at(id).capacity()) << id;
  for (const auto& [id, n] : helpers) EXPECT_LE(n, 2) << id;
  // Every seeker either has a helper or is listed with a reason.
  std::set<std::string> unpaired;
  for (const v1::UnpairedBuddy& u : response.unpaired()) unpaired.insert(u.ref().id());
  for (const auto& [id, profile] : cohort) {
    const bool asks = profile.has_asks() && profile.asks().ByteSizeLong() > 0;
    if (asks) {
      EXPECT_TRUE(helpers.count(id) || unpaired.count(id)) << id;
    }
  }

  // Balancing the helpers' load never lowers the total.
  request.mutable_constraints()->set_balance_helper_load(true);
  v1::PairBuddiesResponse balanced;
  status = Pair(request, &balanced);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_NEAR(balanced.total_score(), response.total_score(), 1e-6);
}

TEST_F(PairingServiceTest, PeerOnTheZwolleCohortWithForbiddenAndPreviousPairs) {
  const std::map<std::string, v1::Profile> cohort = ZwolleCohort();
  v1::PairBuddiesRequest request = ZwolleRequest(v1::PAIRING_MODE_PEER);
  v1::PairBuddiesResponse response;
  grpc::Status status = Pair(request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ExpectWellFormed(response, cohort, 0);
  EXPECT_EQ(response.method(), "weighted blossom (exact)");
  ASSERT_GE(response.pairs_size(), 2);
  // Everyone appears once: in one pair, or unpaired.
  std::map<std::string, int> seen;
  for (const v1::BuddyPairing& pair : response.pairs()) {
    ++seen[pair.a().id()];
    ++seen[pair.b().id()];
    EXPECT_GT(pair.reverse_explanation().facets_size(), 0) << ToJson(pair);
  }
  for (const v1::UnpairedBuddy& u : response.unpaired()) ++seen[u.ref().id()];
  EXPECT_EQ(seen.size(), cohort.size());
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;

  // Forbid the best pair (in reverse order: PEER pairs have no direction): it is not made again.
  const v1::BuddyPairing best = response.pairs(0);
  v1::PairBuddiesRequest forbidding = request;
  v1::BuddyPair* forbidden = forbidding.mutable_constraints()->add_forbidden_pairs();
  *forbidden->mutable_a() = best.b();
  *forbidden->mutable_b() = best.a();
  v1::PairBuddiesResponse without_best;
  status = Pair(forbidding, &without_best);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  for (const v1::BuddyPairing& pair : without_best.pairs()) {
    const std::set<std::string> ids = {pair.a().id(), pair.b().id()};
    EXPECT_NE(ids, (std::set<std::string>{best.a().id(), best.b().id()}));
  }
  EXPECT_LE(without_best.total_score(), response.total_score() + 1e-9);

  // Keep a previous pair the optimum did not make: the pairs of the best pair's members swapped.
  const v1::BuddyPairing second = response.pairs(1);
  v1::PairBuddiesRequest keeping = request;
  keeping.mutable_constraints()->set_previous_pairs_policy(v1::PREVIOUS_PAIRS_POLICY_KEEP);
  v1::BuddyPair* previous = keeping.mutable_constraints()->add_previous_pairs();
  *previous->mutable_a() = best.a();
  *previous->mutable_b() = second.a();
  v1::PairBuddiesResponse kept;
  status = Pair(keeping, &kept);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  const bool same_org =
      Lower(cohort.at(best.a().id()).organization()) == Lower(cohort.at(second.a().id()).organization());
  int kept_pairs = 0;
  for (const v1::BuddyPairing& pair : kept.pairs()) {
    if (!pair.kept_from_previous()) continue;
    ++kept_pairs;
    EXPECT_EQ(pair.a().id() == best.a().id() ? pair.b().id() : pair.a().id(), second.a().id());
  }
  EXPECT_EQ(kept_pairs, same_org ? 0 : 1);
  EXPECT_LE(kept.total_score(), response.total_score() + 1e-9);

  // Avoiding the best pair as a previous one has the same effect as forbidding it.
  v1::PairBuddiesRequest avoiding = request;
  v1::BuddyPair* avoided = avoiding.mutable_constraints()->add_previous_pairs();
  *avoided->mutable_a() = best.a();
  *avoided->mutable_b() = best.b();
  v1::PairBuddiesResponse avoided_response;
  status = Pair(avoiding, &avoided_response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(avoided_response.total_score(), without_best.total_score());
}

TEST_F(PairingServiceTest, ExplicitMembersAndValidationErrors) {
  const std::map<std::string, v1::Profile> cohort = ZwolleCohort();
  ASSERT_GE(cohort.size(), 3u);
  auto it = cohort.begin();
  const std::string first = (it++)->first;
  const std::string second = (it++)->first;
  const std::string third = it->first;

  v1::PairBuddiesRequest request;
  request.set_mode(v1::PAIRING_MODE_PEER);
  for (const std::string& id : {first, second, third}) request.mutable_members()->add_refs()->set_id(id);
  v1::PairBuddiesResponse response;
  grpc::Status status = Pair(request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  EXPECT_EQ(response.cohort_size(), 3);
  EXPECT_EQ(response.pairs_size() * 2 + response.unpaired_size(), 3);

  const auto expect_error = [&](const v1::PairBuddiesRequest& bad, grpc::StatusCode code, const std::string& field) {
    v1::PairBuddiesResponse ignored;
    EXPECT_TRUE(HasError(Pair(bad, &ignored), code, field)) << ToJson(bad);
  };
  v1::PairBuddiesRequest bad = request;
  bad.mutable_members()->mutable_refs(1)->set_id("no-such-buddy");
  expect_error(bad, grpc::StatusCode::NOT_FOUND, "members.refs[1]");

  bad = request;
  bad.mutable_members()->mutable_refs(2)->set_id(first);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "members.refs[2]");

  bad = request;
  bad.set_mode(v1::PAIRING_MODE_UNSPECIFIED);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "mode");

  bad = request;
  bad.mutable_constraints()->set_min_score(2);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "constraints.min_score: must be in [0, 1], got 2");

  bad = request;
  bad.mutable_constraints()->set_helpers_per_seeker(11);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "constraints.helpers_per_seeker");

  bad = request;
  bad.mutable_members()->mutable_refs(0)->set_id("buyer-0001");
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "members.refs[0]");

  bad = request;
  bad.mutable_members()->mutable_refs()->DeleteSubrange(1, 2);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "members.refs");

  bad = request;
  v1::BuddyPair* outside = bad.mutable_constraints()->add_forbidden_pairs();
  outside->mutable_a()->set_id("buddy-not-in-cohort");
  outside->mutable_b()->set_id(first);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "constraints.forbidden_pairs[0].a");

  bad = request;
  v1::BuddyPair* self = bad.mutable_constraints()->add_previous_pairs();
  self->mutable_a()->set_id(second);
  self->mutable_b()->set_id(second);
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "constraints.previous_pairs[0]");

  bad = request;
  bad.clear_members();
  expect_error(bad, grpc::StatusCode::INVALID_ARGUMENT, "cohort");

  // A buddy with a negative capacity is refused when written, so it never reaches a cohort.
  v1::Profile negative = cohort.at(first);
  negative.clear_owner();
  negative.set_id("buddy-negative");
  negative.set_capacity(-1);
  v1::UpsertProfilesResponse upserted;
  EXPECT_TRUE(HasError(Upsert({negative}, &upserted), grpc::StatusCode::INVALID_ARGUMENT, "capacity"));
}

TEST_F(PairingServiceTest, CliCallsPairBuddies) {
  CommandResult listed = RunCommand({CIRCMATCH_CLI_PATH, "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.Describe();
  EXPECT_NE(listed.out.find("PairBuddies"), std::string::npos) << listed.out;

  CommandResult result = RunCommand({CIRCMATCH_CLI_PATH, "--server=" + server_->address(), "PairBuddies",
                                     R"({"cohortFilter": {"tags": ["regio-zwolle"]}, "mode": "PAIRING_MODE_PEER",
                                         "constraints": {"minScore": 0.2}})"});
  ASSERT_EQ(result.exit_code, 0) << result.Describe();
  const auto response = FromJson<v1::PairBuddiesResponse>(result.out);
  EXPECT_GT(response.pairs_size(), 0) << result.out;
  EXPECT_TRUE(response.optimal());
  for (const v1::BuddyPairing& pair : response.pairs()) EXPECT_GE(pair.score(), 0.2);

  CommandResult invalid = RunCommand({CIRCMATCH_CLI_PATH, "--server=" + server_->address(), "PairBuddies",
                                      R"({"cohortFilter": {"tags": ["regio-zwolle"]}})"});
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_NE((invalid.out + invalid.err).find("mode"), std::string::npos) << invalid.Describe();
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
