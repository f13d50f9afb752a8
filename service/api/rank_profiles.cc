#include "service/api/rank_profiles.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "circmatch/index.h"
#include "eval/rank_eval.h"
#include "service/convert/profile_conversion.h"
#include "service/convert/status_mapping.h"
#include "service/store/access.h"

namespace circmatch::service {
namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr int kMaxJudgedQueries = 1000;
// Rank profiles are fitted and judged on the first page a portal shows.
constexpr int kFitDepth = 10;

// The matching call of each match type, and the field its request names the query by.
struct MatchCall {
  v1::MatchType type;
  const char* method;
  const char* ref_field;
};
constexpr MatchCall kMatchCalls[] = {
    {v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER, "SuggestSuppliers", "tender_ref"},
    {v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER, "SuggestTenders", "supplier_ref"},
    {v1::MATCH_TYPE_BUDDIES_FOR_BUDDY, "FindBuddies", "buddy_ref"},
    {v1::MATCH_TYPE_SIMILAR_BUYERS, "FindSimilarBuyers", "buyer_ref"},
};

const MatchCall* CallOf(v1::MatchType type) {
  for (const MatchCall& call : kMatchCalls) {
    if (call.type == type) return &call;
  }
  return nullptr;
}

std::string LabelOf(const v1::RankProfile& profile) {
  return absl::StrCat(profile.owner(), "/", profile.name(), "@", profile.version());
}

RankingChoice ChoiceOf(const v1::RankProfile& profile) { return RankingChoice{LabelOf(profile), profile.weights()}; }

RankingChoice Builtin() { return RankingChoice{std::string(kBuiltinRankProfile), std::nullopt}; }

// The grade an action gives a (query, candidate) pair; REJECTED is handled apart (it resets the grade).
int GradeOf(v1::FeedbackAction action) {
  switch (action) {
    case v1::FEEDBACK_ACTION_OPENED:
      return 1;
    case v1::FEEDBACK_ACTION_SHORTLISTED:
    case v1::FEEDBACK_ACTION_CONTACTED:
      return 2;
    case v1::FEEDBACK_ACTION_INVITED:
    case v1::FEEDBACK_ACTION_AWARDED:
      return 3;
    default:
      return 0;
  }
}

// One query of a fit: the query profile, the filter its calls use, and its graded candidates.
struct FitQuery {
  Profile query;
  v1::MatchFilter filter;
  v1::JudgedQuery judged;
};

bool HasPositiveGrade(const v1::JudgedQuery& judged) {
  return std::any_of(judged.ratings().begin(), judged.ratings().end(),
                     [](const v1::Rating& r) { return r.grade() > 0; });
}

// The caller's feedback of `type` as judged queries, one per query profile, in key order. Counts the events
// read in *events.
absl::StatusOr<std::map<ProfileKey, v1::JudgedQuery>> JudgedFromFeedback(const ProfileStore& store,
                                                                         const std::string& caller, v1::MatchType type,
                                                                         int* events) {
  std::map<ProfileKey, std::map<ProfileKey, int>> grades;
  FeedbackQuery page_query;
  page_query.owner = caller;
  page_query.limit = 1000;
  while (true) {
    absl::StatusOr<FeedbackPage> page = store.ListFeedback(page_query);
    if (!page.ok()) return page.status();
    for (const v1::FeedbackEvent& event : page->events) {
      page_query.after_id = event.id();
      if (event.match_type() != type) continue;
      ++*events;
      int& grade = grades[ProfileKey{event.query().owner(), event.query().id()}]
                         [ProfileKey{event.candidate().owner(), event.candidate().id()}];
      grade = event.action() == v1::FEEDBACK_ACTION_REJECTED ? 0 : std::max(grade, GradeOf(event.action()));
    }
    if (!page->more) break;
  }
  std::map<ProfileKey, v1::JudgedQuery> judged;
  for (const auto& [query, candidates] : grades) {
    v1::JudgedQuery& q = judged[query];
    q.set_query(absl::StrCat(query.owner, "/", query.id));
    for (const auto& [candidate, grade] : candidates) {
      v1::Rating* rating = q.add_ratings();
      rating->set_owner(candidate.owner);
      rating->set_id(candidate.id);
      rating->set_grade(grade);
    }
  }
  return judged;
}

// The query ref and filter of a judged query's request, which must be the call of `type`.
absl::Status ReadJudgedRequest(const v1::JudgedQuery& judged, const MatchCall& call, absl::string_view field,
                               v1::ProfileRef* ref, v1::MatchFilter* filter) {
  const std::string method = judged.method().empty() ? "SuggestSuppliers" : judged.method();
  if (method != call.method) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".method: \"", method, "\" is not the match type's call ", call.method));
  }
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request = eval::ParseJudgedRequest(judged);
  if (!request.ok()) return PrefixStatus(absl::StrCat(field, "."), request.status());
  const google::protobuf::Reflection* reflection = (*request)->GetReflection();
  const google::protobuf::FieldDescriptor* ref_field = (*request)->GetDescriptor()->FindFieldByName(call.ref_field);
  if (!reflection->HasField(**request, ref_field)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".request.", call.ref_field, ": required (a stored query)"));
  }
  ref->CopyFrom(reflection->GetMessage(**request, ref_field));
  *filter = eval::MatchQueryIn(request->get())->filter();
  return absl::OkStatus();
}

// The facets a fit tunes for a match type: those its calls compare (the embedding, which partners compute, is
// left at its default).
std::vector<std::string> TunedFacets(v1::MatchType type) {
  std::vector<std::string> facets = {"cpv", "strategies", "materials", "certifications", "location", "text"};
  if (type == v1::MATCH_TYPE_BUDDIES_FOR_BUDDY || type == v1::MATCH_TYPE_SIMILAR_BUYERS) {
    facets.insert(facets.end(), {"phases", "topics"});
  }
  return facets;
}

}  // namespace

absl::Status ValidateRankProfileName(absl::string_view name, absl::string_view field) {
  const bool well_formed = !name.empty() && name.size() <= kMaxNameBytes && absl::ascii_islower(name[0]) &&
                           std::all_of(name.begin(), name.end(), [](char c) {
                             return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
                           });
  if (!well_formed) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": must be 1 to 64 lower-case letters, digits and hyphens, starting with a letter, got \"", name, "\""));
  }
  if (name == kBuiltinRankProfile) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": \"builtin\" names the built-in defaults"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RankingChoice> ChooseRankProfile(const ProfileStore& store, const std::string& caller,
                                                v1::MatchType type, absl::string_view requested) {
  if (requested == kBuiltinRankProfile) return Builtin();
  std::string name(requested);
  int version = 0;  // 0: the active version of the name, else its latest
  if (const size_t at = requested.find('@'); at != absl::string_view::npos) {
    name = std::string(requested.substr(0, at));
    if (!absl::SimpleAtoi(requested.substr(at + 1), &version) || version < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("rank_profile: \"", requested, "\" must be \"name\" or \"name@version\" (version from 1)"));
    }
  }
  if (!name.empty()) {
    if (absl::Status s = ValidateRankProfileName(name, "rank_profile"); !s.ok()) return s;
  }
  absl::StatusOr<std::vector<v1::RankProfile>> profiles = store.ListRankProfiles(caller);
  if (!profiles.ok()) return profiles.status();
  const v1::RankProfile* chosen = nullptr;
  for (const v1::RankProfile& profile : *profiles) {
    if (name.empty()) {
      if (profile.active() && profile.match_type() == type) chosen = &profile;
    } else if (profile.name() == name &&
               (version == 0 ? (chosen == nullptr || !chosen->active()) : profile.version() == version)) {
      chosen = &profile;  // versions come in order: the latest, unless an active one was seen
    }
  }
  if (name.empty()) return chosen != nullptr ? ChoiceOf(*chosen) : Builtin();
  if (chosen == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("rank_profile: ", version == 0 ? absl::StrCat("rank profile \"", name, "\" not found")
                                                    : RankProfileNotFoundMessage(name, version)));
  }
  if (chosen->match_type() != type) {
    return absl::InvalidArgumentError(absl::StrCat("rank_profile: \"", LabelOf(*chosen), "\" ranks ",
                                                   v1::MatchType_Name(chosen->match_type()), ", not ",
                                                   v1::MatchType_Name(type)));
  }
  return ChoiceOf(*chosen);
}

v1::FacetWeights WeightsFor(const RankingChoice& choice, const v1::FacetWeights& request) {
  v1::FacetWeights weights = choice.weights.value_or(v1::FacetWeights());
  weights.MergeFrom(request);  // proto3 optional fields: only those the request sets
  return weights;
}

absl::StatusOr<v1::RankProfile> FitRankProfile(const ProfileRepository& repository, const std::string& caller,
                                               const v1::FitRankProfileRequest& request,
                                               const std::function<absl::Status()>& interrupt) {
  if (absl::Status s = ValidateRankProfileName(request.name(), "name"); !s.ok()) return s;
  const MatchCall* call = CallOf(request.match_type());
  if (call == nullptr) {
    return absl::InvalidArgumentError("match_type: required, the match type the profile ranks");
  }
  absl::StatusOr<MatchType> engine_type = MatchTypeFromProto(request.match_type(), "match_type");
  if (!engine_type.ok()) return engine_type.status();
  if (request.folds() != 0 && (request.folds() < 2 || request.folds() > 10)) {
    return absl::InvalidArgumentError(absl::StrCat("folds: must be 2 to 10, or 0 for 5, got ", request.folds()));
  }
  if (request.judged_queries_size() > kMaxJudgedQueries) {
    return absl::InvalidArgumentError(
        absl::StrCat("judged_queries: at most ", kMaxJudgedQueries, ", got ", request.judged_queries_size()));
  }
  if (!request.from_feedback() && request.judged_queries().empty()) {
    return absl::InvalidArgumentError("from_feedback: set it, or give judged_queries, or both");
  }
  // A name ranks one match type for good: its versions are compared with each other.
  absl::StatusOr<std::vector<v1::RankProfile>> existing = repository.store().ListRankProfiles(caller);
  if (!existing.ok()) return existing.status();
  for (const v1::RankProfile& profile : *existing) {
    if (profile.name() == request.name() && profile.match_type() != request.match_type()) {
      return absl::InvalidArgumentError(
          absl::StrCat("name: rank profile \"", request.name(), "\" ranks ", v1::MatchType_Name(profile.match_type())));
    }
  }

  // The queries: the feedback's, then the judged ones, each on a stored profile the caller may see.
  std::vector<std::pair<v1::ProfileRef, v1::JudgedQuery>> graded;
  v1::FitReport report;
  if (request.from_feedback()) {
    int events = 0;
    absl::StatusOr<std::map<ProfileKey, v1::JudgedQuery>> judged =
        JudgedFromFeedback(repository.store(), caller, request.match_type(), &events);
    if (!judged.ok()) return judged.status();
    report.set_feedback_events(events);
    for (auto& [key, query] : *judged) {
      v1::ProfileRef ref;
      ref.set_owner(key.owner);
      ref.set_id(key.id);
      graded.emplace_back(std::move(ref), std::move(query));
    }
  }
  std::vector<v1::MatchFilter> filters(graded.size());
  for (int i = 0; i < request.judged_queries_size(); ++i) {
    const std::string field = absl::StrCat("judged_queries[", i, "]");
    v1::ProfileRef ref;
    v1::MatchFilter filter;
    if (absl::Status s = ReadJudgedRequest(request.judged_queries(i), *call, field, &ref, &filter); !s.ok()) return s;
    graded.emplace_back(std::move(ref), request.judged_queries(i));
    filters.push_back(std::move(filter));
  }
  std::vector<FitQuery> queries;
  for (size_t i = 0; i < graded.size(); ++i) {
    if (!HasPositiveGrade(graded[i].second)) continue;
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(graded[i].first, "query", caller);
    if (!key.ok()) return key.status();
    // A query since deleted, or not visible to the caller, is left out, as absent.
    absl::StatusOr<std::optional<Profile>> profile = repository.ReadIndexed(*key, caller);
    if (!profile.ok()) return profile.status();
    if (!profile->has_value()) continue;
    if (i >= graded.size() - request.judged_queries().size()) report.set_judged_queries(report.judged_queries() + 1);
    queries.push_back(FitQuery{**std::move(profile), filters[i], std::move(graded[i].second)});
  }
  if (queries.empty()) {
    return absl::FailedPreconditionError(
        "no query to fit on: none of the feedback or judged queries grades a candidate of a stored query above 0");
  }
  report.set_queries(static_cast<int>(queries.size()));

  absl::StatusOr<RankingChoice> baseline = ChooseRankProfile(repository.store(), caller, request.match_type(), "");
  if (!baseline.ok()) return baseline.status();
  report.set_baseline(baseline->label);
  const v1::FacetWeights baseline_weights = WeightsFor(*baseline, v1::FacetWeights());
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const eval::EvaluateFn evaluate = [&](const v1::FacetWeights* weights, int i) -> absl::StatusOr<double> {
    if (absl::Status s = interrupt(); !s.ok()) return s;
    const FitQuery& q = queries[i];
    absl::StatusOr<MatchParams> params =
        MatchParamsFromProto(*engine_type, kFitDepth, weights != nullptr ? *weights : baseline_weights, q.filter);
    if (!params.ok()) return params.status();
    params->viewer = caller;
    params->now_unix_seconds = now;
    params->interrupt = interrupt;
    absl::StatusOr<MatchResult> result = repository.index().FindMatches(q.query, *params);
    if (!result.ok()) return result.status();
    std::vector<eval::Ranked> ranked;
    for (const Match& m : result->matches) ranked.push_back({m.key.owner, m.key.id, ""});
    return eval::ScoreRanking(q.judged, ranked, eval::MetricOptions{}).ndcg;
  };
  eval::FitOptions options;
  options.facets = TunedFacets(request.match_type());
  if (request.folds() != 0) options.folds = request.folds();
  // From the baseline's weights, so the fit keeps what ranks well already (the ascent only moves on a gain).
  v1::FacetWeights start;
  const v1::FacetWeights resolved = WeightsToProto(DefaultWeights(*engine_type));
  for (const std::string& facet : options.facets) {
    const google::protobuf::FieldDescriptor* f = v1::FacetWeights::descriptor()->FindFieldByName(facet);
    const google::protobuf::Reflection* r = start.GetReflection();
    const double value = baseline_weights.GetReflection()->HasField(baseline_weights, f)
                             ? r->GetDouble(baseline_weights, f)
                             : r->GetDouble(resolved, f);
    r->SetDouble(&start, f, value);
  }
  absl::StatusOr<eval::FitResult> fit = eval::FitWeights(static_cast<int>(queries.size()), start, evaluate, options);
  if (!fit.ok()) return fit.status();

  v1::RankProfile profile;
  profile.set_owner(caller);
  profile.set_name(request.name());
  profile.set_match_type(request.match_type());
  *profile.mutable_weights() = fit->weights;
  *profile.mutable_create_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(now);
  report.set_ndcg(fit->ndcg);
  report.set_cross_validated_ndcg(fit->cross_validated_ndcg);
  report.set_baseline_ndcg(fit->defaults_ndcg);
  *profile.mutable_fit() = std::move(report);
  return profile;
}

}  // namespace circmatch::service
