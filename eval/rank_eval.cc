#include "eval/rank_eval.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "service/convert/match_query.h"

namespace circmatch::eval {
namespace {

constexpr const char* kMethods[] = {"SuggestSuppliers", "SuggestTenders", "FindBuddies", "FindSimilarBuyers"};

// The rating of a returned candidate: by (owner, id), or by id for a rating without an owner.
const v1::Rating* FindRating(const v1::JudgedQuery& query, const Ranked& candidate) {
  for (const v1::Rating& rating : query.ratings()) {
    if (rating.id() == candidate.id && (rating.owner().empty() || rating.owner() == candidate.owner)) {
      return &rating;
    }
  }
  return nullptr;
}

double Gain(int grade) { return std::pow(2.0, grade) - 1.0; }
double Discount(int rank) { return 1.0 / std::log2(rank + 1.0); }  // rank from 1

// A JSON string literal.
std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

// Misses as JSON objects, comma-separated.
void PrintMisses(const std::vector<Miss>& misses, std::ostream& out) {
  for (size_t j = 0; j < misses.size(); ++j) {
    const Miss& miss = misses[j];
    out << absl::StrFormat("%s{\"rank\": %d, \"owner\": %s, \"id\": %s, \"reason\": %s}", j == 0 ? "" : ", ", miss.rank,
                           Quoted(miss.owner), Quoted(miss.id), Quoted(miss.reason));
  }
}

double Total(const v1::FacetWeights& weights) {
  const google::protobuf::Descriptor* d = weights.GetDescriptor();
  double total = 0;
  for (int f = 0; f < d->field_count(); ++f) total += weights.GetReflection()->GetDouble(weights, d->field(f));
  return total;
}

// `weights` scaled to sum 1, every facet set (so none falls back to the server's default).
v1::FacetWeights Normalize(const v1::FacetWeights& weights) {
  const double total = Total(weights);
  v1::FacetWeights out;
  const google::protobuf::Descriptor* d = out.GetDescriptor();
  const google::protobuf::Reflection* r = out.GetReflection();
  for (int f = 0; f < d->field_count(); ++f) {
    r->SetDouble(&out, d->field(f), total > 0 ? r->GetDouble(weights, d->field(f)) / total : 0);
  }
  return out;
}

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

// The nDCG of each of `queries` ranked with `weights`.
absl::StatusOr<std::vector<double>> EvaluateAll(const EvaluateFn& evaluate, const v1::FacetWeights* weights,
                                                absl::Span<const int> queries) {
  std::vector<double> ndcg;
  for (int query : queries) {
    absl::StatusOr<double> one = evaluate(weights, query);
    // A trial whose weights leave this query nothing to rank by ranks nothing.
    if (!one.ok() && weights != nullptr && absl::IsInvalidArgument(one.status())) one = 0.0;
    if (!one.ok()) return one.status();
    ndcg.push_back(*one);
  }
  return ndcg;
}

// Coordinate ascent on the mean nDCG of `queries` from `start`; returns the best weights and their mean.
absl::StatusOr<std::pair<v1::FacetWeights, double>> Ascend(const std::vector<int>& queries,
                                                           const v1::FacetWeights& start, const EvaluateFn& evaluate,
                                                           const FitOptions& options, int* evaluations) {
  const auto mean_of = [&](const v1::FacetWeights& w) -> absl::StatusOr<double> {
    ++*evaluations;
    absl::StatusOr<std::vector<double>> ndcg = EvaluateAll(evaluate, &w, queries);
    if (!ndcg.ok()) return ndcg.status();
    return Mean(*ndcg);
  };
  v1::FacetWeights best = start;
  const google::protobuf::Descriptor* d = best.GetDescriptor();
  const google::protobuf::Reflection* r = best.GetReflection();
  if (Total(best) == 0) {
    for (const std::string& facet : options.facets) r->SetDouble(&best, d->FindFieldByName(facet), 1.0);
  }
  best = Normalize(best);
  absl::StatusOr<double> best_mean = mean_of(best);
  if (!best_mean.ok()) return best_mean.status();
  for (int round = 0; round < options.max_rounds; ++round) {
    bool improved = false;
    for (const std::string& facet : options.facets) {
      const google::protobuf::FieldDescriptor* field = d->FindFieldByName(facet);
      const double current = r->GetDouble(best, field);
      std::vector<double> candidates = {0.0};
      if (current > 0) {
        for (double factor : {0.25, 0.5, 0.75, 1.5, 2.0, 4.0}) candidates.push_back(current * factor);
      } else {
        for (double value : {0.05, 0.15, 0.3}) candidates.push_back(value);
      }
      for (double value : candidates) {
        v1::FacetWeights trial = best;
        r->SetDouble(&trial, field, value);
        if (Total(trial) <= 0) continue;  // every facet at 0 ranks nothing
        trial = Normalize(trial);
        absl::StatusOr<double> mean = mean_of(trial);
        if (!mean.ok()) return mean.status();
        if (*mean > *best_mean + 1e-9) {
          best = trial;
          best_mean = *mean;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return std::make_pair(best, *best_mean);
}

}  // namespace

absl::StatusOr<std::vector<v1::JudgedQuery>> ReadJudgments(const std::string& path, const std::string& split) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
    in = &file;
  }
  std::vector<v1::JudgedQuery> queries;
  absl::flat_hash_set<std::string> names;
  std::string line;
  for (int number = 1; std::getline(*in, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::string where = absl::StrCat(path, ":", number, ": ");
    v1::JudgedQuery query;
    google::protobuf::util::JsonParseOptions parse;
    const auto status = google::protobuf::util::JsonStringToMessage(line, &query, parse);
    if (!status.ok()) return absl::InvalidArgumentError(absl::StrCat(where, "not a JudgedQuery: ", status.ToString()));
    if (query.query().empty()) return absl::InvalidArgumentError(absl::StrCat(where, "query: must not be empty"));
    if (!names.insert(query.query()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, "query: \"", query.query(), "\" is repeated"));
    }
    if (query.method().empty()) query.set_method("SuggestSuppliers");
    if (std::find(std::begin(kMethods), std::end(kMethods), query.method()) == std::end(kMethods)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "method: must be SuggestSuppliers, SuggestTenders, FindBuddies or FindSimilarBuyers, got \"",
          query.method(), "\""));
    }
    for (int i = 0; i < query.ratings_size(); ++i) {
      const v1::Rating& rating = query.ratings(i);
      if (rating.id().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where, "ratings[", i, "].id: must not be empty"));
      }
      if (rating.grade() < 0 || rating.grade() > 3) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "ratings[", i, "].grade: must be 0 to 3, got ", rating.grade()));
      }
    }
    if (split.empty() || query.split() == split) queries.push_back(std::move(query));
  }
  return queries;
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ParseJudgedRequest(const v1::JudgedQuery& query) {
  namespace pb = google::protobuf;
  const std::string method = query.method().empty() ? "SuggestSuppliers" : query.method();
  const pb::Descriptor* type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(
      absl::StrCat("circmatch.v1.", method, "Request"));
  const pb::FieldDescriptor* query_field = type == nullptr ? nullptr : type->FindFieldByName("query");
  if (query_field == nullptr || query_field->message_type() != v1::MatchQuery::descriptor()) {
    return absl::InvalidArgumentError(absl::StrCat("method: \"", method, "\" is not a ranked matching call"));
  }
  std::unique_ptr<pb::Message> request(pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
  std::string json;
  auto parsed = pb::util::MessageToJsonString(query.request(), &json);
  if (parsed.ok()) parsed = pb::util::JsonStringToMessage(json, request.get());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request: not a ", method, " request: ", std::string(parsed.message())));
  }
  // Written as v1.0 judged sets are, with k, filter, ... beside the query side.
  const absl::Status moved = service::MoveDeprecatedIntoQuery(request.get());
  if (!moved.ok()) return absl::InvalidArgumentError(absl::StrCat("request: ", moved.message()));
  return request;
}

v1::MatchQuery* MatchQueryIn(google::protobuf::Message* request) {
  // A request of the generated pool holds a generated MatchQuery.
  return static_cast<v1::MatchQuery*>(
      request->GetReflection()->MutableMessage(request, request->GetDescriptor()->FindFieldByName("query")));
}

std::string MethodPath(const v1::JudgedQuery& query) {
  return absl::StrCat("/circmatch.v1.MatchingService/", query.method().empty() ? "SuggestSuppliers" : query.method());
}

QueryMetrics ScoreRanking(const v1::JudgedQuery& query, absl::Span<const Ranked> ranked, const MetricOptions& options) {
  QueryMetrics m;
  m.query = query.query();
  m.split = query.split();
  m.rated = query.ratings_size();
  double dcg = 0;
  int relevant = 0;
  for (int i = 0; i < static_cast<int>(ranked.size()) && i < options.k; ++i) {
    ++m.returned;
    const v1::Rating* rating = FindRating(query, ranked[i]);
    const int grade = rating == nullptr ? 0 : rating->grade();
    dcg += Gain(grade) * Discount(i + 1);
    if (grade >= options.relevant_grade) {
      ++relevant;
      if (m.mrr == 0) m.mrr = 1.0 / (i + 1);
    }
    if (rating == nullptr) {
      m.unjudged.push_back(Miss{i + 1, ranked[i].owner, ranked[i].id, ""});
    } else if (grade == 0) {
      m.judged_zero.push_back(Miss{i + 1, ranked[i].owner, ranked[i].id, rating->reason()});
    }
    if (!ranked[i].broken_requirement.empty()) m.broken.push_back(ranked[i]);
  }
  std::vector<int> grades;
  for (const v1::Rating& rating : query.ratings()) grades.push_back(rating.grade());
  std::sort(grades.rbegin(), grades.rend());
  double ideal = 0;
  for (int i = 0; i < static_cast<int>(grades.size()) && i < options.k; ++i) ideal += Gain(grades[i]) * Discount(i + 1);
  m.ndcg = ideal > 0 ? dcg / ideal : 0;
  m.precision = static_cast<double>(relevant) / options.k;
  return m;
}

Summary Summarize(absl::Span<const QueryMetrics> metrics) {
  Summary s;
  for (const QueryMetrics& m : metrics) {
    ++s.queries;
    s.ndcg += m.ndcg;
    s.mrr += m.mrr;
    s.precision += m.precision;
    s.judged_zero += static_cast<int>(m.judged_zero.size());
    s.unjudged += static_cast<int>(m.unjudged.size());
    s.broken += static_cast<int>(m.broken.size());
    s.failed += m.error.empty() ? 0 : 1;
  }
  if (s.queries > 0) {
    s.ndcg /= s.queries;
    s.mrr /= s.queries;
    s.precision /= s.queries;
  }
  return s;
}

void PrintReport(absl::Span<const QueryMetrics> metrics, const MetricOptions& options, std::ostream& out) {
  const int k = options.k;
  out << absl::StrFormat("%-24s %-8s %6s %8s %8s %8s %8s\n", "query", "split", "rated", absl::StrCat("nDCG@", k),
                         absl::StrCat("MRR@", k), absl::StrCat("P@", k), "judged 0");
  for (const QueryMetrics& m : metrics) {
    out << absl::StrFormat("%-24s %-8s %6d %8.3f %8.3f %8.3f %8d\n", m.query, m.split, m.rated, m.ndcg, m.mrr,
                           m.precision, m.judged_zero.size());
  }
  const Summary s = Summarize(metrics);
  out << absl::StrFormat("%-24s %-8s %6s %8.3f %8.3f %8.3f %8d\n", absl::StrCat("overall (", s.queries, ")"), "", "",
                         s.ndcg, s.mrr, s.precision, s.judged_zero);
  out << absl::StrFormat(
      "relevant: grade >= %d; unjudged in the top %d (counted as 0): %d; breaking a hard "
      "requirement: %d; failed (counted as 0): %d\n",
      options.relevant_grade, k, s.unjudged, s.broken, s.failed);
  for (const QueryMetrics& m : metrics) {
    if (!m.error.empty()) out << absl::StrFormat("  %-24s failed: %s\n", m.query, m.error);
  }
  if (s.judged_zero > 0) {
    out << absl::StrFormat("\nIn the top %d but judged 0:\n", k);
    for (const QueryMetrics& m : metrics) {
      for (const Miss& miss : m.judged_zero) {
        out << absl::StrFormat("  %-24s #%-2d %-20s %s\n", m.query, miss.rank, miss.id, miss.reason);
      }
    }
  }
  if (s.broken > 0) {
    out << "\nBreaking a hard requirement:\n";
    for (const QueryMetrics& m : metrics) {
      for (const Ranked& r : m.broken)
        out << absl::StrFormat("  %-24s %-20s %s\n", m.query, r.id, r.broken_requirement);
    }
  }
}

void PrintJsonReport(absl::Span<const QueryMetrics> metrics, const MetricOptions& options, std::ostream& out) {
  const Summary s = Summarize(metrics);
  out << absl::StrFormat(
      "{\"k\": %d, \"relevantGrade\": %d, \"overall\": {\"queries\": %d, \"ndcg\": %.6f, \"mrr\": %.6f, "
      "\"precision\": %.6f, \"judgedZero\": %d, \"unjudged\": %d, \"broken\": %d, \"failed\": %d}, "
      "\"queries\": [",
      options.k, options.relevant_grade, s.queries, s.ndcg, s.mrr, s.precision, s.judged_zero, s.unjudged, s.broken,
      s.failed);
  for (size_t i = 0; i < metrics.size(); ++i) {
    const QueryMetrics& m = metrics[i];
    out << absl::StrFormat(
        "%s{\"query\": %s, \"split\": %s, \"rated\": %d, \"ndcg\": %.6f, \"mrr\": %.6f, "
        "\"precision\": %.6f, \"judgedZero\": [",
        i == 0 ? "" : ", ", Quoted(m.query), Quoted(m.split), m.rated, m.ndcg, m.mrr, m.precision);
    PrintMisses(m.judged_zero, out);
    out << "], \"unjudged\": [";
    PrintMisses(m.unjudged, out);
    out << absl::StrFormat("], \"broken\": %d, \"error\": %s}", m.broken.size(), Quoted(m.error));
  }
  out << "]}\n";
}

absl::StatusOr<FitResult> FitWeights(int query_count, const v1::FacetWeights& start, const EvaluateFn& evaluate,
                                     const FitOptions& options) {
  if (query_count < 1) return absl::InvalidArgumentError("no queries to fit on");
  for (const std::string& facet : options.facets) {
    if (std::find(kFacetFields.begin(), kFacetFields.end(), facet) == kFacetFields.end()) {
      return absl::InvalidArgumentError(absl::StrCat("facets: unknown facet \"", facet, "\""));
    }
  }
  FitResult result;
  std::vector<int> all(static_cast<size_t>(query_count));
  for (int i = 0; i < query_count; ++i) all[i] = i;
  absl::StatusOr<std::pair<v1::FacetWeights, double>> fitted =
      Ascend(all, start, evaluate, options, &result.evaluations);
  if (!fitted.ok()) return fitted.status();
  result.weights = fitted->first;
  result.ndcg = fitted->second;
  absl::StatusOr<std::vector<double>> defaults = EvaluateAll(evaluate, nullptr, all);
  if (!defaults.ok()) return defaults.status();
  result.defaults_ndcg = Mean(*defaults);

  const int folds = std::min(options.folds, query_count);
  std::vector<double> held_out;
  for (int fold = 0; folds >= 2 && fold < folds; ++fold) {
    std::vector<int> train, test;
    for (int i = 0; i < query_count; ++i) (i % folds == fold ? test : train).push_back(i);
    absl::StatusOr<std::pair<v1::FacetWeights, double>> on_train =
        Ascend(train, start, evaluate, options, &result.evaluations);
    if (!on_train.ok()) return on_train.status();
    absl::StatusOr<std::vector<double>> scored = EvaluateAll(evaluate, &on_train->first, test);
    if (!scored.ok()) return scored.status();
    held_out.insert(held_out.end(), scored->begin(), scored->end());
  }
  result.cross_validated_ndcg = Mean(held_out);
  return result;
}

}  // namespace circmatch::eval
