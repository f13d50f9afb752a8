// Partners and access, on a real server with API keys made by `circmatch-server keys`: authentication
// (missing, wrong, revoked keys, the development mode), the isolation matrix (partner A against B's private,
// B's shared and A's own profiles, for every call), contact consent, and TLS with a certificate the test makes.
#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

std::string KeyIdOf(const std::string& key) { return key.substr(4, 12); }  // cmk_<12 hex>_<secret>

v1::Profile SupplierOf(const std::string& id, const std::string& visibility, bool consent) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "organization": "Org )" + id +
                     R"(", "visibility": ")" + visibility + R"(", "location": {"municipality": "Kampen"},
      "contact": {"name": "N", "email": ")" +
                     id + R"(@example.nl", "shareConsent": )" + (consent ? "true" : "false") +
                     R"(}, "capabilities": {"cpvCodes": ["39130000"]}})");
}

v1::Profile TenderOf(const std::string& id, const std::string& visibility) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_TENDER", "organization": "Gemeente )" + id +
                     R"(", "visibility": ")" + visibility + R"(", "location": {"municipality": "Zwolle"},
      "needs": {"cpvCodes": ["39130000"]}})");
}

class AccessTest : public ServerTest {
 protected:
  void SetUp() override {
    keys_dir_ =
        std::filesystem::temp_directory_path() / ("circmatch-keys-" + std::to_string(getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(keys_dir_);
    keys_file_ = (keys_dir_ / "keys").string();
    key_a_ = CreateKey(keys_file_, "partner-a");
    key_b_ = CreateKey(keys_file_, "partner-b");
    ASSERT_NE(key_a_, key_b_);
    ServerTest::SetUp();
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::error_code ignored;
    std::filesystem::remove_all(keys_dir_, ignored);
  }
  std::vector<std::string> ServerArgs() const override { return {"--api_keys_file=" + keys_file_}; }

  grpc::Status UpsertAs(const std::string& key, const std::vector<v1::Profile>& profiles) {
    v1::UpsertProfilesRequest request;
    for (const v1::Profile& p : profiles) *request.add_profiles() = p;
    v1::UpsertProfilesResponse response;
    return profiles_->UpsertProfiles(As(key).get(), request, &response);
  }

  grpc::Status GetAs(const std::string& key, const std::string& owner, const std::string& id,
                     v1::Profile* out = nullptr) {
    v1::GetProfileRequest request;
    request.mutable_ref()->set_owner(owner);
    request.mutable_ref()->set_id(id);
    v1::GetProfileResponse response;
    grpc::Status status = profiles_->GetProfile(As(key).get(), request, &response);
    if (out != nullptr) *out = response.profile();
    return status;
  }

  grpc::Status DeleteAs(const std::string& key, const std::string& owner, const std::string& id) {
    v1::DeleteProfileRequest request;
    request.mutable_ref()->set_owner(owner);
    request.mutable_ref()->set_id(id);
    v1::DeleteProfileResponse response;
    return profiles_->DeleteProfile(As(key).get(), request, &response);
  }

  grpc::Status SuggestAs(const std::string& key, const std::string& owner, const std::string& tender,
                         v1::SuggestSuppliersResponse* response) {
    v1::SuggestSuppliersRequest request;
    request.mutable_tender_ref()->set_owner(owner);
    request.mutable_tender_ref()->set_id(tender);
    request.mutable_query()->set_k(50);
    return matching_->SuggestSuppliers(As(key).get(), request, response);
  }

  grpc::Status ExplainAs(const std::string& key, const std::string& candidate_owner, const std::string& candidate) {
    v1::ExplainMatchRequest request;
    request.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
    request.mutable_query_ref()->set_id("a-tender");
    request.mutable_candidate()->set_owner(candidate_owner);
    request.mutable_candidate()->set_id(candidate);
    v1::ExplainMatchResponse response;
    return matching_->ExplainMatch(As(key).get(), request, &response);
  }

  // A's own private tender and supplier; B's private and shared suppliers (the shared one without contact
  // consent, a second with it) and B's private and shared tenders.
  void WriteBothPartners() {
    ASSERT_TRUE(
        UpsertAs(key_a_, {TenderOf("a-tender", "VISIBILITY_PRIVATE"), SupplierOf("a-own", "VISIBILITY_PRIVATE", false)})
            .ok());
    grpc::Status b = UpsertAs(
        key_b_, {SupplierOf("b-private", "VISIBILITY_PRIVATE", true),
                 SupplierOf("b-shared", "VISIBILITY_SHARED", false), SupplierOf("b-consent", "VISIBILITY_SHARED", true),
                 TenderOf("b-private-tender", "VISIBILITY_PRIVATE"), TenderOf("b-shared-tender", "VISIBILITY_SHARED")});
    ASSERT_TRUE(b.ok()) << StatusText(b);
  }

  std::filesystem::path keys_dir_;
  std::string keys_file_;
  std::string key_a_;
  std::string key_b_;
};

TEST_F(AccessTest, MissingWrongAndRevokedKeysAreUnauthenticated) {
  EXPECT_TRUE(HasError(GetAs("", "", "x"), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  EXPECT_TRUE(HasError(GetAs("cmk_000000000000_AAAA", "", "x"), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  std::string forged = key_a_;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(HasError(GetAs(forged, "", "x"), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  // The last character's lowest bit is not part of the 32-byte secret: flipping it spells the same secret
  // differently, which only the issued spelling may do.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string respelled = key_a_;
  respelled.back() = alphabet[alphabet.find(key_a_.back()) ^ 1];
  EXPECT_TRUE(HasError(GetAs(respelled, "", "x"), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  EXPECT_TRUE(HasError(UpsertAs("", {SupplierOf("s", "VISIBILITY_SHARED", false)}), grpc::StatusCode::UNAUTHENTICATED,
                       "API key"));
  EXPECT_EQ(GetAs(key_a_, "", "x").error_code(), grpc::StatusCode::NOT_FOUND) << "a valid key gets through";
  {
    v1::ImportProfilesResponse imported;
    auto import_context = As("");
    auto stream = profiles_->ImportProfiles(import_context.get(), &imported);
    v1::ImportProfilesRequest batch;
    *batch.add_profiles() = SupplierOf("streamed", "VISIBILITY_SHARED", false);
    stream->Write(batch);  // may already fail: the server refuses at once
    stream->WritesDone();
    EXPECT_TRUE(HasError(stream->Finish(), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  }

  // Revoked while the server runs: refused from the next call on, the other partner unaffected.
  CommandResult revoked = RunCommand({CIRCMATCH_SERVER_PATH, "keys", "revoke", keys_file_, KeyIdOf(key_a_)});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_TRUE(HasError(GetAs(key_a_, "", "x"), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  EXPECT_EQ(GetAs(key_b_, "", "x").error_code(), grpc::StatusCode::NOT_FOUND);

  // A key created while the server runs works at once.
  const std::string key_c = CreateKey(keys_file_, "partner-c");
  EXPECT_EQ(GetAs(key_c, "", "x").error_code(), grpc::StatusCode::NOT_FOUND);

  // Health stays open for load balancers.
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(health_->Check(Context().get(), check, &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

// Who calls is settled before anything of what it asks: a call without a valid key is UNAUTHENTICATED however
// invalid its request is, and leaves nothing in the audit log.
TEST_F(AccessTest, AnUnauthenticatedCallIsRefusedBeforeItsRequestIsRead) {
  v1::ExplainMatchRequest explain;  // match_type unset
  explain.mutable_query_ref()->set_id("a-tender");
  explain.mutable_candidate()->set_id("a-own");
  v1::ExplainMatchResponse explained;
  EXPECT_TRUE(HasError(matching_->ExplainMatch(As("").get(), explain, &explained), grpc::StatusCode::UNAUTHENTICATED,
                       "API key"));
  EXPECT_TRUE(HasError(matching_->ExplainMatch(As("cmk_000000000000_AAAA").get(), explain, &explained),
                       grpc::StatusCode::UNAUTHENTICATED, "API key"));

  // Every unary method of the API, asked with an empty request (invalid for most of them), without a key.
  grpc::GenericStub stub(server_->channel());
  const auto call = [&](const std::string& method) {
    auto context = As("");
    grpc::Slice empty("");
    const grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  };
  for (const char* method : {"ProfileService/UpsertProfiles",
                             "ProfileService/GetProfile",
                             "ProfileService/ListProfiles",
                             "ProfileService/DeleteProfile",
                             "ProfileService/EraseContact",
                             "MatchingService/SuggestSuppliers",
                             "MatchingService/SuggestTenders",
                             "MatchingService/FindBuddies",
                             "MatchingService/FindSimilarBuyers",
                             "MatchingService/ExplainMatch",
                             "PairingService/PairBuddies",
                             "MarketDayService/ScheduleMeetings",
                             "VocabularyService/ListVocabulary",
                             "VocabularyService/SuggestCodes",
                             "FeedbackService/RecordFeedback",
                             "FeedbackService/ListFeedback",
                             "RankProfileService/FitRankProfile",
                             "RankProfileService/ActivateRankProfile",
                             "RankProfileService/ListRankProfiles",
                             "InsightsService/ExposureReport",
                             "InsightsService/GapReport"}) {
    EXPECT_TRUE(HasError(call(std::string("/circmatch.v1.") + method), grpc::StatusCode::UNAUTHENTICATED, "API key"))
        << method;
  }
  {
    v1::WatchMatchesRequest watch;  // neither supplier_ref nor tender_ref
    auto context = As("");
    auto stream = matching_->WatchMatches(context.get(), watch);
    v1::WatchMatchesResponse alert;
    EXPECT_FALSE(stream->Read(&alert));
    EXPECT_TRUE(HasError(stream->Finish(), grpc::StatusCode::UNAUTHENTICATED, "API key"));
  }
  std::ifstream audit(server_->data_dir() + "/audit.log");
  std::stringstream audited;
  audited << audit.rdbuf();
  EXPECT_EQ(audited.str(), "") << "an unauthenticated call is not audited";

  // With a key, the same request is read, and refused for what it asks.
  EXPECT_TRUE(HasError(matching_->ExplainMatch(As(key_a_).get(), explain, &explained),
                       grpc::StatusCode::INVALID_ARGUMENT, "match_type"));
}

TEST_F(AccessTest, TheKeyFileHoldsNoKey) {
  std::ifstream in(keys_file_);
  std::stringstream text;
  text << in.rdbuf();
  const std::string secret_a = key_a_.substr(17);
  EXPECT_EQ(text.str().find(secret_a), std::string::npos) << "the file must hold only salted hashes";
  EXPECT_NE(text.str().find(KeyIdOf(key_a_)), std::string::npos);
  EXPECT_NE(text.str().find("partner-a"), std::string::npos);
  CommandResult list = RunCommand({CIRCMATCH_SERVER_PATH, "keys", "list", keys_file_});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("partner-b"), std::string::npos);
  EXPECT_EQ(list.out.find(secret_a), std::string::npos);
  CommandResult bad = RunCommand({CIRCMATCH_SERVER_PATH, "keys", "create", keys_file_, "Bad Partner!"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("partner"), std::string::npos);
}

TEST_F(AccessTest, ProfileCallsOfPartnerAOnOwnSharedAndPrivateProfilesOfB) {
  WriteBothPartners();
  v1::Profile seen;
  // GetProfile: own yes; B's shared yes (contact only with consent); B's private as if absent.
  ASSERT_TRUE(GetAs(key_a_, "", "a-own", &seen).ok());
  EXPECT_EQ(seen.owner(), "partner-a");
  EXPECT_EQ(seen.contact().email(), "a-own@example.nl") << "the owner sees its own contact";
  ASSERT_TRUE(GetAs(key_a_, "partner-b", "b-shared", &seen).ok());
  EXPECT_EQ(seen.contact().email(), "") << "no consent, no contact";
  ASSERT_TRUE(GetAs(key_a_, "partner-b", "b-consent", &seen).ok());
  EXPECT_EQ(seen.contact().email(), "b-consent@example.nl");
  EXPECT_TRUE(HasError(GetAs(key_a_, "partner-b", "b-private"), grpc::StatusCode::NOT_FOUND, "ref"));
  EXPECT_TRUE(HasError(GetAs(key_a_, "", "b-shared"), grpc::StatusCode::NOT_FOUND, "ref"))
      << "an empty owner is the caller's own namespace";

  // UpsertProfiles: writing into B's namespace is denied and writes nothing.
  v1::Profile into_b = SupplierOf("b-shared", "VISIBILITY_SHARED", false);
  into_b.set_owner("partner-b");
  into_b.set_display_name("taken over");
  EXPECT_TRUE(HasError(UpsertAs(key_a_, {SupplierOf("a-2", "VISIBILITY_SHARED", false), into_b}),
                       grpc::StatusCode::PERMISSION_DENIED, "profiles[1].owner"));
  EXPECT_EQ(GetAs(key_a_, "", "a-2").error_code(), grpc::StatusCode::NOT_FOUND) << "all or nothing";
  ASSERT_TRUE(GetAs(key_b_, "", "b-shared", &seen).ok());
  EXPECT_NE(seen.display_name(), "taken over");

  // DeleteProfile: B's profiles, shared or private, are not A's to delete; A's own are.
  EXPECT_TRUE(HasError(DeleteAs(key_a_, "partner-b", "b-shared"), grpc::StatusCode::PERMISSION_DENIED, "ref.owner"));
  EXPECT_TRUE(HasError(DeleteAs(key_a_, "partner-b", "b-private"), grpc::StatusCode::PERMISSION_DENIED, "ref.owner"));
  EXPECT_TRUE(GetAs(key_b_, "", "b-private").ok());
  EXPECT_TRUE(DeleteAs(key_a_, "", "a-own").ok());
  EXPECT_EQ(GetAs(key_a_, "", "a-own").error_code(), grpc::StatusCode::NOT_FOUND);

  // ListProfiles: only one's own.
  v1::ListProfilesRequest list;
  v1::ListProfilesResponse listed;
  ASSERT_TRUE(profiles_->ListProfiles(As(key_a_).get(), list, &listed).ok());
  for (const v1::Profile& p : listed.profiles()) EXPECT_EQ(p.owner(), "partner-a") << p.id();
  EXPECT_EQ(listed.profiles_size(), 1);  // a-tender
  list.set_owner("partner-b");
  EXPECT_TRUE(
      HasError(profiles_->ListProfiles(As(key_a_).get(), list, &listed), grpc::StatusCode::PERMISSION_DENIED, "owner"));
}

TEST_F(AccessTest, MatchingCallsOfPartnerASeeOwnAndSharedButNeverBsPrivate) {
  WriteBothPartners();
  v1::SuggestSuppliersResponse response;
  ASSERT_TRUE(SuggestAs(key_a_, "", "a-tender", &response).ok());
  std::vector<std::string> ids = IdsOf(response.matches());
  EXPECT_TRUE(Contains(ids, "a-own"));
  EXPECT_TRUE(Contains(ids, "b-shared"));
  EXPECT_TRUE(Contains(ids, "b-consent"));
  EXPECT_FALSE(Contains(ids, "b-private")) << "another partner's private profile";
  EXPECT_EQ(FindMatch(response.matches(), "b-shared")->profile().contact().email(), "");
  EXPECT_EQ(FindMatch(response.matches(), "b-consent")->profile().contact().email(), "b-consent@example.nl");
  EXPECT_EQ(FindMatch(response.matches(), "a-own")->profile().contact().email(), "a-own@example.nl");

  // B sees its own private supplier, and not A's private one.
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-shared-tender", &response).ok());
  ids = IdsOf(response.matches());
  EXPECT_TRUE(Contains(ids, "b-private"));
  EXPECT_FALSE(Contains(ids, "a-own"));

  // A query by ref: B's shared tender may be used, B's private one is as if absent.
  EXPECT_TRUE(SuggestAs(key_a_, "partner-b", "b-shared-tender", &response).ok());
  EXPECT_TRUE(HasError(SuggestAs(key_a_, "partner-b", "b-private-tender", &response), grpc::StatusCode::NOT_FOUND,
                       "tender_ref"));

  // ExplainMatch: not even "why not" about B's private profile.
  EXPECT_TRUE(ExplainAs(key_a_, "partner-b", "b-shared").ok());
  EXPECT_TRUE(HasError(ExplainAs(key_a_, "partner-b", "b-private"), grpc::StatusCode::NOT_FOUND, "candidate"));

  // SuggestTenders for A's supplier: B's shared tender, never B's private one.
  v1::SuggestTendersRequest tenders;
  tenders.mutable_supplier_ref()->set_id("a-own");
  tenders.mutable_query()->set_k(50);
  v1::SuggestTendersResponse open_tenders;
  ASSERT_TRUE(matching_->SuggestTenders(As(key_a_).get(), tenders, &open_tenders).ok());
  EXPECT_TRUE(Contains(IdsOf(open_tenders.matches()), "b-shared-tender"));
  EXPECT_FALSE(Contains(IdsOf(open_tenders.matches()), "b-private-tender"));
  EXPECT_TRUE(Contains(IdsOf(open_tenders.matches()), "a-tender"));

  // FindSimilarBuyers by B's private tender as a ref: as if absent.
  v1::FindSimilarBuyersRequest similar;
  similar.mutable_buyer_ref()->set_owner("partner-b");
  similar.mutable_buyer_ref()->set_id("b-private-tender");
  similar.mutable_query()->set_k(5);
  v1::FindSimilarBuyersResponse similar_buyers;
  EXPECT_TRUE(HasError(matching_->FindSimilarBuyers(As(key_a_).get(), similar, &similar_buyers),
                       grpc::StatusCode::NOT_FOUND, "buyer_ref"));

  // Vocabulary needs a key too.
  v1::ListVocabularyRequest vocabulary;
  vocabulary.set_list(v1::VOCABULARY_LIST_STRATEGIES);
  v1::ListVocabularyResponse terms;
  EXPECT_TRUE(vocabulary_->ListVocabulary(As(key_a_).get(), vocabulary, &terms).ok());
  EXPECT_EQ(vocabulary_->ListVocabulary(As("").get(), vocabulary, &terms).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// A write reaches the store before the index: while B flips a supplier between a shared version and a private
// one (another name, its contact shared), A's matches and explanations, asked all the while, never carry the
// private version: a body is checked for the caller on the way out, not only the index's row.
TEST_F(AccessTest, APrivateVersionNeverReachesAnotherPartnerWhileItIsBeingWritten) {
  ASSERT_TRUE(UpsertAs(key_a_, {TenderOf("a-tender", "VISIBILITY_PRIVATE")}).ok());
  v1::Profile shared = SupplierOf("b-flip", "VISIBILITY_SHARED", false);
  v1::Profile secret = SupplierOf("b-flip", "VISIBILITY_PRIVATE", true);
  secret.set_organization("Geheim");
  ASSERT_TRUE(UpsertAs(key_b_, {shared}).ok());

  constexpr int kFlips = 60;
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; i < kFlips; ++i) EXPECT_TRUE(UpsertAs(key_b_, {i % 2 == 0 ? secret : shared}).ok());
    writing = false;
  });
  int calls = 0, leaks = 0;
  const auto carries_secret = [](const v1::Profile& p) {
    return p.organization() == "Geheim" || !p.contact().email().empty();
  };
  while (writing || calls < 40) {
    v1::SuggestSuppliersResponse suggested;
    ASSERT_TRUE(SuggestAs(key_a_, "", "a-tender", &suggested).ok());
    for (const v1::Match& m : suggested.matches()) leaks += carries_secret(m.profile());
    v1::ExplainMatchRequest request;
    request.set_match_type(v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER);
    request.mutable_query_ref()->set_id("a-tender");
    request.mutable_candidate()->set_owner("partner-b");
    request.mutable_candidate()->set_id("b-flip");
    v1::ExplainMatchResponse explained;
    if (matching_->ExplainMatch(As(key_a_).get(), request, &explained).ok()) {
      leaks += carries_secret(explained.match().profile());
    }
    calls += 2;
  }
  writer.join();
  EXPECT_EQ(leaks, 0) << "of " << calls << " calls during " << kFlips << " flips";
}

// Existence does not leak through a ref: every call that takes one answers another partner's private profile with
// the error it gives for an absent one, word for word (the same ids asked before and after B stores them
// privately). stored_profiles_test checks that such a profile is neither read nor converted on the way.
TEST_F(AccessTest, ARefToAnotherPartnersPrivateProfileAnswersExactlyAsAnAbsentOne) {
  ASSERT_TRUE(
      UpsertAs(key_a_, {TenderOf("a-tender", "VISIBILITY_PRIVATE"), SupplierOf("a-own", "VISIBILITY_PRIVATE", false)})
          .ok());
  // Partner A's calls by ref to B's tender "b-private-tender" and supplier "b-private", in a fixed order.
  const auto calls = [&] {
    std::vector<grpc::Status> out;
    v1::SuggestSuppliersResponse suppliers;
    out.push_back(SuggestAs(key_a_, "partner-b", "b-private-tender", &suppliers));
    v1::SuggestTendersRequest tenders;
    tenders.mutable_supplier_ref()->set_owner("partner-b");
    tenders.mutable_supplier_ref()->set_id("b-private");
    tenders.mutable_query()->set_k(5);
    v1::SuggestTendersResponse open_tenders;
    out.push_back(matching_->SuggestTenders(As(key_a_).get(), tenders, &open_tenders));
    v1::FindSimilarBuyersRequest similar;
    similar.mutable_buyer_ref()->set_owner("partner-b");
    similar.mutable_buyer_ref()->set_id("b-private-tender");
    similar.mutable_query()->set_k(5);
    v1::FindSimilarBuyersResponse buyers;
    out.push_back(matching_->FindSimilarBuyers(As(key_a_).get(), similar, &buyers));
    v1::ExplainMatchRequest explain;
    explain.set_match_type(v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER);
    explain.mutable_query_ref()->set_owner("partner-b");
    explain.mutable_query_ref()->set_id("b-private");
    explain.mutable_candidate()->set_id("a-tender");
    v1::ExplainMatchResponse explained;
    out.push_back(matching_->ExplainMatch(As(key_a_).get(), explain, &explained));
    out.push_back(ExplainAs(key_a_, "partner-b", "b-private"));  // as the candidate
    out.push_back(GetAs(key_a_, "partner-b", "b-private"));
    for (const bool for_supplier : {false, true}) {
      v1::WatchMatchesRequest watch;
      v1::ProfileRef* ref = for_supplier ? watch.mutable_supplier_ref() : watch.mutable_tender_ref();
      ref->set_owner("partner-b");
      ref->set_id(for_supplier ? "b-private" : "b-private-tender");
      auto context = As(key_a_);
      auto stream = matching_->WatchMatches(context.get(), watch);
      v1::WatchMatchesResponse alert;
      while (stream->Read(&alert)) {
      }
      out.push_back(stream->Finish());
    }
    return out;
  };
  const std::vector<grpc::Status> absent = calls();
  ASSERT_TRUE(UpsertAs(key_b_, {SupplierOf("b-private", "VISIBILITY_PRIVATE", true),
                                TenderOf("b-private-tender", "VISIBILITY_PRIVATE")})
                  .ok());
  const std::vector<grpc::Status> hidden = calls();
  ASSERT_EQ(hidden.size(), absent.size());
  for (size_t i = 0; i < hidden.size(); ++i) {
    EXPECT_EQ(hidden[i].error_code(), grpc::StatusCode::NOT_FOUND) << "call " << i << ": " << StatusText(hidden[i]);
    EXPECT_EQ(hidden[i].error_code(), absent[i].error_code()) << "call " << i;
    EXPECT_EQ(hidden[i].error_message(), absent[i].error_message()) << "call " << i;
  }
  // B itself uses them.
  v1::SuggestSuppliersResponse own;
  EXPECT_TRUE(SuggestAs(key_b_, "", "b-private-tender", &own).ok());
}

// Text statistics count shared profiles only: B's scores do not move when A writes private text with B's words,
// and a certificate only A's private profiles hold looks to B like one nobody holds.
TEST_F(AccessTest, APartnersPrivateTextAndCertificatesLeaveNoTraceInAnothersScores) {
  const auto with_text = [](v1::Profile p, const std::string& text, const std::string& certification = "") {
    v1::Facets* facets = p.kind() == v1::PROFILE_KIND_TENDER ? p.mutable_needs() : p.mutable_capabilities();
    facets->set_text(text);
    if (!certification.empty()) facets->add_certifications(certification);
    return p;
  };
  ASSERT_TRUE(UpsertAs(key_b_, {with_text(TenderOf("b-tender", "VISIBILITY_SHARED"), "herstel van houten stoelen"),
                                with_text(SupplierOf("b-one", "VISIBILITY_SHARED", false), "houten stoelen"),
                                with_text(SupplierOf("b-two", "VISIBILITY_SHARED", false), "herstel van kasten")})
                  .ok());
  v1::SuggestSuppliersResponse before;
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-tender", &before).ok());
  ASSERT_EQ(before.matches_size(), 2);

  std::vector<v1::Profile> private_text;
  for (int i = 0; i < 30; ++i) {
    private_text.push_back(with_text(SupplierOf("a-" + std::to_string(i), "VISIBILITY_PRIVATE", false),
                                     "herstel van houten stoelen", "Keurmerk Alleen A"));
  }
  ASSERT_TRUE(UpsertAs(key_a_, private_text).ok());
  v1::SuggestSuppliersResponse after;
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-tender", &after).ok());
  ASSERT_EQ(after.matches_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(after.matches(i).profile().id(), before.matches(i).profile().id());
    EXPECT_EQ(after.matches(i).score(), before.matches(i).score()) << "bit for bit";
  }

  v1::SuggestSuppliersRequest required;
  required.mutable_tender_ref()->set_id("b-tender");
  required.mutable_query()->set_k(10);
  required.mutable_query()->mutable_filter()->add_required_certifications("Keurmerk Alleen A");
  v1::SuggestSuppliersResponse only_a;
  ASSERT_TRUE(matching_->SuggestSuppliers(As(key_b_).get(), required, &only_a).ok());
  EXPECT_EQ(only_a.matches_size(), 0);
  required.mutable_query()->mutable_filter()->set_required_certifications(0, "Keurmerk Niemand");
  v1::SuggestSuppliersResponse nobody;
  ASSERT_TRUE(matching_->SuggestSuppliers(As(key_b_).get(), required, &nobody).ok());
  EXPECT_EQ(nobody.matches_size(), 0);
}

// The index version a partner sees moves only with what it may see: A's private writes and deletions leave the
// version in B's responses as it was; B's own write and A's shared one move it.
TEST_F(AccessTest, AnotherPartnersPrivateWritesLeaveTheIndexVersionItSeesAsItWas) {
  ASSERT_TRUE(
      UpsertAs(key_b_, {TenderOf("b-tender", "VISIBILITY_SHARED"), SupplierOf("b-one", "VISIBILITY_SHARED", false)})
          .ok());
  v1::SuggestSuppliersResponse before;
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-tender", &before).ok());

  std::vector<v1::Profile> private_tenders;
  for (int i = 0; i < 10; ++i) private_tenders.push_back(TenderOf("a-" + std::to_string(i), "VISIBILITY_PRIVATE"));
  ASSERT_TRUE(UpsertAs(key_a_, private_tenders).ok());
  v1::DeleteProfileRequest erase;
  erase.mutable_ref()->set_id("a-0");
  v1::DeleteProfileResponse erased;
  ASSERT_TRUE(profiles_->DeleteProfile(As(key_a_).get(), erase, &erased).ok());
  v1::SuggestSuppliersResponse after;
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-tender", &after).ok());
  EXPECT_EQ(after.index_version(), before.index_version());

  v1::UpsertProfilesRequest own;
  *own.add_profiles() = SupplierOf("b-two", "VISIBILITY_PRIVATE", false);
  v1::UpsertProfilesResponse written;
  ASSERT_TRUE(profiles_->UpsertProfiles(As(key_b_).get(), own, &written).ok());
  EXPECT_GT(written.index_version(), before.index_version());
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-tender", &after).ok());
  EXPECT_EQ(after.index_version(), written.index_version());

  ASSERT_TRUE(UpsertAs(key_a_, {SupplierOf("a-shared", "VISIBILITY_SHARED", false)}).ok());
  ASSERT_TRUE(SuggestAs(key_b_, "", "b-tender", &before).ok());
  EXPECT_GT(before.index_version(), after.index_version());
}

TEST_F(AccessTest, EraseContactErasesOnlyTheCallersProfiles) {
  ASSERT_TRUE(UpsertAs(key_a_, {SupplierOf("a-person", "VISIBILITY_SHARED", true)}).ok());
  v1::Profile b_same_person = SupplierOf("b-person", "VISIBILITY_SHARED", true);
  b_same_person.mutable_contact()->set_email("a-person@example.nl");
  ASSERT_TRUE(UpsertAs(key_b_, {b_same_person}).ok());
  v1::EraseContactRequest request;
  request.set_email("a-person@example.nl");
  v1::EraseContactResponse response;
  ASSERT_TRUE(profiles_->EraseContact(As(key_a_).get(), request, &response).ok());
  ASSERT_EQ(response.erased_size(), 1);
  EXPECT_EQ(response.erased(0).owner(), "partner-a");
  EXPECT_EQ(GetAs(key_a_, "", "a-person").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(GetAs(key_b_, "", "b-person").ok()) << "partner B's profile is B's to erase";
}

TEST_F(AccessTest, TheCommandLineClientSendsTheKey) {
  WriteBothPartners();
  CommandResult with_key = RunCommand({CIRCMATCH_CLI_PATH, "--server=" + server_->address(), "--api_key=" + key_b_,
                                       "GetProfile", R"({"ref": {"id": "b-private"}})"});
  EXPECT_EQ(with_key.exit_code, 0) << with_key.err;
  EXPECT_NE(with_key.out.find("\"b-private\""), std::string::npos) << with_key.out;
  CommandResult from_env = RunCommand(
      {CIRCMATCH_CLI_PATH, "--server=" + server_->address(), "GetProfile", R"({"ref": {"id": "b-private"}})"}, "",
      std::chrono::seconds(60), {"CIRCMATCH_API_KEY=" + key_b_});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  CommandResult without = RunCommand(
      {CIRCMATCH_CLI_PATH, "--server=" + server_->address(), "GetProfile", R"({"ref": {"id": "b-private"}})"});
  EXPECT_EQ(without.exit_code, 1 + static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) << without.err;
  EXPECT_NE(without.err.find("UNAUTHENTICATED"), std::string::npos) << without.err;
}

TEST(ServerFlagsTest, WithoutKeysTheServerRefusesToStartUnlessTheDevelopmentModeIsOn) {
  const std::string data =
      (std::filesystem::temp_directory_path() / ("circmatch-flags-" + std::to_string(getpid()))).string();
  CommandResult refused = RunCommand({CIRCMATCH_SERVER_PATH, "--listen=127.0.0.1:0", "--data_dir=" + data});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--api_keys_file"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow_unauthenticated"), std::string::npos) << refused.err;
  std::error_code ignored;
  std::filesystem::remove_all(data, ignored);
}

class DevelopmentModeTest : public ServerTest {};

TEST_F(DevelopmentModeTest, CallsWithoutAKeyAreThePartnerLocalAndTheServerSaysSoLoudly) {
  ASSERT_TRUE(Upsert({SupplierOf("s", "VISIBILITY_PRIVATE", false)}).ok());
  v1::Profile seen;
  ASSERT_TRUE(Get("s", &seen).ok());
  EXPECT_EQ(seen.owner(), "local");
  EXPECT_NE(server_->Stderr().find("DEVELOPMENT MODE"), std::string::npos);
}

// TLS with a self-signed certificate made here by the openssl command.
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("circmatch-tls-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    for (const std::string name : {"server", "client"}) {
      CommandResult made =
          RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                      "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout",
                      (dir_ / (name + "-key.pem")).string(), "-out", (dir_ / (name + ".pem")).string()});
      ASSERT_EQ(made.exit_code, 0) << made.err;
    }
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::vector<std::string> TlsFlags() const {
    return {"--tls_cert_file=" + (dir_ / "server.pem").string(),
            "--tls_key_file=" + (dir_ / "server-key.pem").string()};
  }
  std::filesystem::path dir_;
};

TEST_F(TlsTest, ClientsConnectOverTlsAndPlaintextIsRefused) {
  ServerOptions options;
  options.extra_args = TlsFlags();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read("server.pem");
  options.channel_credentials = grpc::SslCredentials(ssl);
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(Context().get(), {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto plaintext = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto plain_health = grpc::health::v1::Health::NewStub(plaintext);
  EXPECT_FALSE(plain_health->Check(Context(std::chrono::seconds(5)).get(), {}, &response).ok());
}

TEST_F(TlsTest, WithClientCertificatesRequiredOnlyAClientWithOneGetsIn) {
  ServerOptions options;
  options.extra_args = TlsFlags();
  options.extra_args.push_back("--tls_client_ca_file=" + (dir_ / "client.pem").string());
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read("server.pem");
  ssl.pem_private_key = Read("client-key.pem");
  ssl.pem_cert_chain = Read("client.pem");
  options.channel_credentials = grpc::SslCredentials(ssl);
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(Context().get(), {}, &response).ok());

  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = Read("server.pem");
  auto anonymous = grpc::CreateChannel(server.address(), grpc::SslCredentials(no_cert));
  EXPECT_FALSE(
      grpc::health::v1::Health::NewStub(anonymous)->Check(Context(std::chrono::seconds(5)).get(), {}, &response).ok());
}

TEST_F(TlsTest, AMissingCertificateFileIsNamed) {
  CommandResult refused =
      RunCommand({CIRCMATCH_SERVER_PATH, "--listen=127.0.0.1:0", "--allow_unauthenticated",
                  "--data_dir=" + (dir_ / "data").string(), "--tls_cert_file=" + (dir_ / "nope.pem").string(),
                  "--tls_key_file=" + (dir_ / "server-key.pem").string()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--tls_cert_file"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
