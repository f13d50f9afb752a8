// The proto3 JSON bodies of the calls the HTTP/JSON gateway accepts (POST with `body: "*"`), taken the way the
// server takes them: JsonStringToMessage into the request message, the message serialized and parsed again (the
// gateway hands it to the gRPC handler as bytes), then what the handler does before it reads the store: refs as
// keys (CallerKeyFromRef), an inline profile converted and normalized (ProfileFromProto, so NormalizeProfile),
// the MatchQuery read from `query` or the deprecated fields (MatchQueryOf), its k / weights / filter as
// MatchParams (MatchParamsFromProto) and resolved for the query (ResolveParams); and the
// match itself against an index of sample profiles. How the HTTP request becomes the body (path, query, headers)
// is left out: the gateway is being rewritten.
//
// Input: one byte naming the call ('0' + the index in kCalls below), then its JSON body.
//
// Besides crashes and sanitizer reports, checks:
//   - a profile that converts stays the same when its stored form converts again (the server converts every
//     stored profile again when it restarts);
//   - FindMatches returns at most k matches, best first, with finite scores and none the filter excludes, and
//     the same matches whether the index visits rows out of order or in row order;
//   - Explain and ScoreAll give the best match the score FindMatches gave it.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "circmatch/index.h"
#include "circmatch/scorer.h"
#include "circmatch/v1/market_day_service.pb.h"
#include "circmatch/v1/matching_service.pb.h"
#include "circmatch/v1/pairing_service.pb.h"
#include "circmatch/v1/profile_service.pb.h"
#include "fuzz/fuzz_util.h"
#include "service/convert/match_query.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"

namespace {

namespace pb = google::protobuf;
namespace v1 = circmatch::v1;
using circmatch::Index;
using circmatch::MatchParams;
using circmatch::MatchResult;
using circmatch::MatchType;
using circmatch::Profile;
using circmatch::ProfileKey;
using circmatch::ProfileKind;
using circmatch::service::ConversionContext;

constexpr int kEmbeddingDimension = 8;
constexpr int64_t kNow =
    1780272000;                      // 2026-06-01T00:00:00Z, when sample tenders are open; fixed, for reproducible runs
constexpr char kViewer[] = "local";  // the owner of the sample profiles
constexpr int kSampleEvery = 15;     // every 15th sample profile is indexed (260 of 3,900)
constexpr int kMaxQueriesPerUpsert = 8;

struct Fixture {
  ConversionContext context;
  // The same profiles in an index that visits rows out of order as far as its bounds allow, and in one that
  // goes in row order (IndexOptions::out_of_order_fraction 1 and 0): two searches that must agree.
  std::unique_ptr<Index> out_of_order, row_order;
};

std::unique_ptr<Index> MakeIndex(double out_of_order_fraction, int text_hash_buckets) {
  circmatch::IndexOptions options;
  options.embedding_dimension = kEmbeddingDimension;
  options.text_hash_buckets = text_hash_buckets;
  options.out_of_order_fraction = out_of_order_fraction;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(options, &circmatch::fuzz::SharedVocabulary());
  if (!index.ok()) std::abort();
  return *std::move(index);
}

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    auto* f = new Fixture;
    f->context.vocabulary = &circmatch::fuzz::SharedVocabulary();
    f->context.embedding_dimension = kEmbeddingDimension;
    std::vector<Profile> profiles;
    std::ifstream in(CIRCMATCH_SAMPLE_DATA);
    std::string line;
    for (int number = 0; std::getline(in, line); ++number) {
      if (number % kSampleEvery != 0) continue;
      v1::Profile proto;
      if (!pb::util::JsonStringToMessage(line, &proto).ok()) std::abort();
      absl::StatusOr<Profile> profile = circmatch::service::ProfileFromProto(proto, f->context);
      if (!profile.ok()) std::abort();
      profiles.push_back(*std::move(profile));
    }
    if (profiles.empty()) std::abort();
    f->out_of_order = MakeIndex(1, 1 << 18);
    f->row_order = MakeIndex(0, 1 << 18);
    if (!f->out_of_order->Upsert(profiles).ok() || !f->row_order->Upsert(profiles).ok()) std::abort();
    return f;
  }();
  return *fixture;
}

bool Near(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(a)); }

std::string Describe(const Profile& query, const MatchParams& params) {
  return absl::StrCat("query ", query.key.owner, "/", query.key.id, " type ", static_cast<int>(params.type), " k ",
                      params.k);
}

// FindMatches on `index` (and on `row_order`, when given, which must agree), then Explain and ScoreAll of the
// best match.
void Match(const Index& index, const Index* row_order, const Profile& query, const MatchParams& params) {
  absl::StatusOr<MatchResult> result = index.FindMatches(query, params);
  if (row_order != nullptr) {
    absl::StatusOr<MatchResult> in_order = row_order->FindMatches(query, params);
    CIRCMATCH_FUZZ_CHECK(result.status() == in_order.status(),
                         absl::StrCat(result.status().ToString(), " vs ", in_order.status().ToString()));
    if (result.ok()) {
      bool same = result->matches.size() == in_order->matches.size();
      for (size_t i = 0; same && i < result->matches.size(); ++i) {
        same = result->matches[i].key == in_order->matches[i].key &&
               Near(result->matches[i].score, in_order->matches[i].score);
      }
      CIRCMATCH_FUZZ_CHECK(same, absl::StrCat(Describe(query, params), ": ", result->matches.size(), " and ",
                                              in_order->matches.size(), " matches, out of order and in row order"));
    }
  }
  if (!result.ok()) return;
  const std::vector<circmatch::Match>& matches = result->matches;
  CIRCMATCH_FUZZ_CHECK(static_cast<int>(matches.size()) <= params.k, Describe(query, params));
  for (size_t i = 0; i < matches.size(); ++i) {
    CIRCMATCH_FUZZ_CHECK(std::isfinite(matches[i].score), Describe(query, params));
    CIRCMATCH_FUZZ_CHECK(i == 0 || matches[i - 1].score >= matches[i].score, Describe(query, params));
    CIRCMATCH_FUZZ_CHECK(matches[i].key != query.key, Describe(query, params));
    CIRCMATCH_FUZZ_CHECK(std::find(params.filter.exclude.begin(), params.filter.exclude.end(), matches[i].key) ==
                             params.filter.exclude.end(),
                         Describe(query, params));
    CIRCMATCH_FUZZ_CHECK(matches[i].score >= params.filter.min_score, Describe(query, params));
  }
  if (matches.empty()) return;
  absl::StatusOr<circmatch::ExplainResult> explained = index.Explain(query, matches[0].key, params);
  CIRCMATCH_FUZZ_CHECK(explained.ok(), absl::StrCat(Describe(query, params), ": ", explained.status().ToString()));
  CIRCMATCH_FUZZ_CHECK(
      Near(explained->match.score, matches[0].score) && explained->match.explanation.exclusions.empty(),
      absl::StrCat(Describe(query, params), ": explained score ", explained->match.score, ", ranked ",
                   matches[0].score));
  const ProfileKey best = matches[0].key;
  absl::StatusOr<circmatch::ScoreMatrix> scores =
      index.ScoreAll(absl::MakeConstSpan(&query, 1), absl::MakeConstSpan(&best, 1), params);
  CIRCMATCH_FUZZ_CHECK(scores.ok(), absl::StrCat(Describe(query, params), ": ", scores.status().ToString()));
  CIRCMATCH_FUZZ_CHECK(
      std::abs(scores->scores(0, 0) - matches[0].score) <= 1e-4,
      absl::StrCat(Describe(query, params), ": ScoreAll ", scores->scores(0, 0), ", ranked ", matches[0].score));
}

// A profile as the server converts it on a write; its stored form must convert to the same profile again.
absl::StatusOr<Profile> Convert(const v1::Profile& proto, std::optional<ProfileKind> default_kind) {
  const ConversionContext& context = GetFixture().context;
  absl::StatusOr<Profile> profile = circmatch::service::ProfileFromProto(proto, context, default_kind);
  if (!profile.ok()) return profile;
  const v1::Profile stored = circmatch::service::ProfileToProto(*profile, proto.contact(), kNow);
  absl::StatusOr<Profile> again = circmatch::service::ProfileFromProto(stored, context);
  CIRCMATCH_FUZZ_CHECK(
      again.ok(), absl::StrCat(again.status().ToString(), "\n  of the stored form of\n  ", proto.ShortDebugString()));
  const v1::Profile stored_again = circmatch::service::ProfileToProto(*again, proto.contact(), kNow);
  CIRCMATCH_FUZZ_CHECK(
      pb::util::MessageDifferencer::Equals(stored, stored_again),
      absl::StrCat(stored.ShortDebugString(), "\n  converted again is\n  ", stored_again.ShortDebugString()));
  return profile;
}

// How a ranked call names its query (matching_service.cc's QuerySpec).
struct Query {
  const char* ref_field;
  ProfileKind default_kind;
  std::vector<ProfileKind> kinds;
};

// The query of a call: a stored profile by ref, or an inline one; nullopt when the call would fail.
std::optional<Profile> ResolveQuery(const v1::ProfileRef* ref, const v1::Profile* inline_profile, const Query& spec) {
  std::optional<Profile> query;
  if (ref != nullptr) {
    absl::StatusOr<ProfileKey> key = circmatch::service::CallerKeyFromRef(*ref, spec.ref_field, kViewer);
    if (!key.ok()) return std::nullopt;
    query = GetFixture().out_of_order->Get(*key);
  } else if (inline_profile != nullptr) {
    v1::Profile proto = *inline_profile;
    if (proto.id().empty()) proto.set_id("(inline)");
    if (proto.owner().empty()) proto.set_owner(kViewer);
    absl::StatusOr<Profile> profile = Convert(proto, spec.default_kind);
    if (profile.ok()) query = *std::move(profile);
  }
  if (!query.has_value() || std::find(spec.kinds.begin(), spec.kinds.end(), query->kind) == spec.kinds.end()) {
    return std::nullopt;
  }
  return query;
}

std::optional<MatchParams> Params(MatchType type, int k, const v1::FacetWeights& weights,
                                  const v1::MatchFilter& filter) {
  absl::StatusOr<MatchParams> params = circmatch::service::MatchParamsFromProto(type, k, weights, filter);
  if (!params.ok()) return std::nullopt;
  params->viewer = kViewer;
  params->now_unix_seconds = kNow;
  return *std::move(params);
}

const Query kTender{"tender_ref", ProfileKind::kTender, {ProfileKind::kTender, ProfileKind::kBuyer}};
const Query kSupplier{"supplier_ref", ProfileKind::kSupplier, {ProfileKind::kSupplier}};
const Query kBuddy{"buddy_ref", ProfileKind::kBuddy, {ProfileKind::kBuddy}};
const Query kBuyer{"buyer_ref", ProfileKind::kBuyer, {ProfileKind::kBuyer, ProfileKind::kTender}};

template <typename Request>
void Ranked(const Request& request, MatchType type, const Query& spec, const v1::ProfileRef* ref,
            const v1::Profile* inline_profile) {
  std::optional<Profile> query = ResolveQuery(ref, inline_profile, spec);
  if (!query.has_value()) return;
  const absl::StatusOr<circmatch::service::RequestedMatchQuery> requested = circmatch::service::MatchQueryOf(request);
  if (!requested.ok()) return;
  const v1::MatchQuery& match_query = requested->query;
  std::optional<MatchParams> params = Params(type, match_query.k(), match_query.weights(), match_query.filter());
  if (!params.has_value()) return;
  (void)circmatch::ResolveParams(*GetFixture().context.vocabulary, *query, *params, kEmbeddingDimension);
  Match(*GetFixture().out_of_order, GetFixture().row_order.get(), *query, *params);
}

void Upsert(const v1::UpsertProfilesRequest& request) {
  std::vector<Profile> profiles;
  for (const v1::Profile& proto : request.profiles()) {
    absl::StatusOr<Profile> profile = Convert(proto, std::nullopt);
    if (!profile.ok()) return;  // the whole batch is refused
    profiles.push_back(*std::move(profile));
  }
  if (profiles.empty()) return;
  // A small index of the batch alone (a few text buckets, so creating it costs little), each profile matched
  // against the others and against the sample.
  std::unique_ptr<Index> index = MakeIndex(1.0 / 16, 1 << 10);
  if (!index->Upsert(profiles).ok()) return;  // e.g. an id twice
  for (size_t i = 0; i < profiles.size() && i < kMaxQueriesPerUpsert; ++i) {
    const Profile& query = profiles[i];
    MatchParams params;
    params.type = query.kind == ProfileKind::kSupplier ? MatchType::kTendersForSupplier
                  : query.kind == ProfileKind::kBuddy  ? MatchType::kBuddiesForBuddy
                  : query.kind == ProfileKind::kBuyer  ? MatchType::kSimilarBuyers
                                                       : MatchType::kSuppliersForTender;
    params.viewer = kViewer;
    params.now_unix_seconds = kNow;
    Match(*index, nullptr, query, params);
    Match(*GetFixture().out_of_order, GetFixture().row_order.get(), query, params);
  }
}

void ExplainMatch(const v1::ExplainMatchRequest& request) {
  MatchType type;
  const Query* spec;
  switch (request.match_type()) {
    case v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER:
      type = MatchType::kSuppliersForTender;
      spec = &kTender;
      break;
    case v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER:
      type = MatchType::kTendersForSupplier;
      spec = &kSupplier;
      break;
    case v1::MATCH_TYPE_BUDDIES_FOR_BUDDY:
      type = MatchType::kBuddiesForBuddy;
      spec = &kBuddy;
      break;
    case v1::MATCH_TYPE_SIMILAR_BUYERS:
      type = MatchType::kSimilarBuyers;
      spec = &kBuyer;
      break;
    default:
      return;
  }
  const Query named{"query_ref", spec->default_kind, spec->kinds};
  std::optional<Profile> query = ResolveQuery(request.has_query_ref() ? &request.query_ref() : nullptr,
                                              request.has_query_profile() ? &request.query_profile() : nullptr, named);
  if (!query.has_value() || !request.has_candidate()) return;
  absl::StatusOr<ProfileKey> candidate =
      circmatch::service::CallerKeyFromRef(request.candidate(), "candidate", kViewer);
  if (!candidate.ok()) return;
  std::optional<MatchParams> params = Params(type, 1, request.weights(), request.filter());
  if (!params.has_value()) return;
  (void)GetFixture().out_of_order->Explain(*query, *candidate, *params);
  (void)GetFixture().out_of_order->ExplainPair(*query, *candidate, *params);
}

// PairBuddies and ScheduleMeetings read their cohort from the store; what they check beforehand is reachable.
void PairBuddies(const v1::PairBuddiesRequest& request) {
  for (int i = 0; i < request.members().refs_size(); ++i) {
    (void)circmatch::service::CallerKeyFromRef(request.members().refs(i), "members.refs", kViewer);
  }
  (void)Params(MatchType::kBuddiesForBuddy, 1, request.weights(), v1::MatchFilter());
}

void ScheduleMeetings(const v1::ScheduleMeetingsRequest& request) {
  for (const auto* side : {&request.buyers(), &request.suppliers()}) {
    for (const v1::Participant& participant : *side) {
      (void)circmatch::service::CallerKeyFromRef(participant.ref(), "ref", kViewer);
    }
  }
  (void)Params(MatchType::kSuppliersForTender, 1, request.weights(), v1::MatchFilter());
}

// The body as the gateway reads it and the handler receives it; false when the call ends there.
template <typename Request>
bool Read(const std::string& body, Request* request) {
  if (!absl::StripAsciiWhitespace(body).empty()) {
    if (!pb::util::JsonStringToMessage(body, request, pb::util::JsonParseOptions()).ok()) return false;
  }
  std::string bytes;
  if (!request->SerializeToString(&bytes)) return false;
  request->Clear();
  return request->ParseFromString(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  (void)GetFixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (static_cast<uint8_t>(data[0] - '0') % 9) {
    case 0: {
      v1::UpsertProfilesRequest request;
      if (Read(body, &request)) Upsert(request);
      break;
    }
    case 1: {
      v1::SuggestSuppliersRequest r;
      if (Read(body, &r)) {
        Ranked(r, MatchType::kSuppliersForTender, kTender, r.has_tender_ref() ? &r.tender_ref() : nullptr,
               r.has_tender_profile() ? &r.tender_profile() : nullptr);
      }
      break;
    }
    case 2: {
      v1::SuggestTendersRequest r;
      if (Read(body, &r)) {
        Ranked(r, MatchType::kTendersForSupplier, kSupplier, r.has_supplier_ref() ? &r.supplier_ref() : nullptr,
               r.has_supplier_profile() ? &r.supplier_profile() : nullptr);
      }
      break;
    }
    case 3: {
      v1::FindBuddiesRequest r;
      if (Read(body, &r)) {
        Ranked(r, MatchType::kBuddiesForBuddy, kBuddy, r.has_buddy_ref() ? &r.buddy_ref() : nullptr,
               r.has_buddy_profile() ? &r.buddy_profile() : nullptr);
      }
      break;
    }
    case 4: {
      v1::FindSimilarBuyersRequest r;
      if (Read(body, &r)) {
        Ranked(r, MatchType::kSimilarBuyers, kBuyer, r.has_buyer_ref() ? &r.buyer_ref() : nullptr,
               r.has_buyer_profile() ? &r.buyer_profile() : nullptr);
      }
      break;
    }
    case 5: {
      v1::ExplainMatchRequest r;
      if (Read(body, &r)) ExplainMatch(r);
      break;
    }
    case 6: {
      v1::PairBuddiesRequest r;
      if (Read(body, &r)) PairBuddies(r);
      break;
    }
    case 7: {
      v1::ScheduleMeetingsRequest r;
      if (Read(body, &r)) ScheduleMeetings(r);
      break;
    }
    case 8: {
      v1::EraseContactRequest r;
      (void)Read(body, &r);
      break;
    }
  }
  return 0;
}
