// Fits circmatch's default ranking for SuggestSuppliers on the judged set's tuning part: for every combination
// of the model's parameters on a grid (ModelParams: the weight of a bare strategy tag, the factor of an
// intermediary, the factor of an unmet text requirement), the facet weights by coordinate ascent on nDCG@10
// (eval/rank_eval.h, the same fitting as `circmatch fit`), from equal weights, with a k-fold
// cross-validation. The combination with the best cross-validated nDCG@10 wins (ties: the first on the grid), and
// its weights are then fitted on all tuning queries. Everything is deterministic: the same set gives the same
// numbers. It ranks in-process with the engine (Index::FindMatches), as the server does.
//
// The test part is never looked at here; `bench/relevance/compare.sh` reports it.
//
//   circmatch_bench_fit_model [--split=tuning] [--folds=5] [--threads=2] [--tag_weights=0.25,0.5,1]
//       [--intermediary_factors=0.35,0.5,0.7] [--unmet_factors=0.1,0.25,0.5]
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "circmatch/index.h"
#include "circmatch/vocabulary.h"
#include "eval/rank_eval.h"
#include "relevance/judged_set.h"

ABSL_FLAG(std::string, profiles, "eval/relevance/profiles.jsonl", "tenders and suppliers, proto3 JSON lines");
ABSL_FLAG(std::string, judgments, "eval/relevance/judgments.jsonl", "judged queries (circmatch.v1.JudgedQuery)");
ABSL_FLAG(std::string, split, "tuning", "the part fitted on");
ABSL_FLAG(int, folds, 5, "folds of the cross-validation");
ABSL_FLAG(std::string, vocabulary_dir, CIRCMATCH_BENCH_DATA_DIR, "the engine's reference data");
ABSL_FLAG(int, threads, 2, "grid points fitted at once");
ABSL_FLAG(std::vector<std::string>, tag_weights, std::vector<std::string>({"0.25", "0.5", "1"}),
          "ModelParams::strategy_tag_weight values tried");
ABSL_FLAG(std::vector<std::string>, intermediary_factors, std::vector<std::string>({"0.35", "0.5", "0.7"}),
          "ModelParams::intermediary_factor values tried");
ABSL_FLAG(std::vector<std::string>, unmet_factors, std::vector<std::string>({"0.1", "0.25", "0.5"}),
          "ModelParams::unmet_text_requirement_factor values tried");

namespace circmatch::bench {
namespace {

std::vector<float> Values(const std::vector<std::string>& texts) {
  std::vector<float> values;
  for (const std::string& text : texts) {
    float v = 0;
    if (!absl::SimpleAtof(text, &v)) {
      std::cerr << "not a number: " << text << "\n";
      std::exit(2);
    }
    values.push_back(v);
  }
  return values;
}

// The proto's weights as the engine's overrides (every facet set).
WeightOverrides Overrides(const v1::FacetWeights& weights) {
  WeightOverrides overrides;
  const google::protobuf::Descriptor* d = weights.GetDescriptor();
  for (int f = 0; f < kFacetCount; ++f) {
    overrides[f] = weights.GetReflection()->GetDouble(weights, d->FindFieldByName(eval::kFacetFields[f]));
  }
  return overrides;
}

struct Fitted {
  ModelParams model;
  eval::FitResult fit;
};

absl::StatusOr<Fitted> FitWith(const Vocabulary& vocabulary, const JudgedSet& set, const ModelParams& model) {
  IndexOptions options;
  options.model = model;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(options, &vocabulary);
  if (!index.ok()) return index.status();
  if (absl::Status s = (*index)->Upsert(set.profiles); !s.ok()) return s;
  const eval::EvaluateFn evaluate = [&](const v1::FacetWeights* weights, int i) -> absl::StatusOr<double> {
    const JudgedQuery& query = set.queries[i];
    MatchParams params = query.params;
    if (weights != nullptr) params.weights = Overrides(*weights);
    absl::StatusOr<MatchResult> result = (*index)->FindMatches(query.tender, params);
    if (!result.ok()) return result.status();
    std::vector<eval::Ranked> ranked;
    for (const Match& m : result->matches) ranked.push_back({m.key.owner, m.key.id, ""});
    return eval::ScoreRanking(query.judged, ranked, eval::MetricOptions{}).ndcg;
  };
  eval::FitOptions fit_options;
  fit_options.folds = absl::GetFlag(FLAGS_folds);
  absl::StatusOr<eval::FitResult> fit =
      eval::FitWeights(static_cast<int>(set.queries.size()), v1::FacetWeights(), evaluate, fit_options);
  if (!fit.ok()) return fit.status();
  return Fitted{model, *std::move(fit)};
}

int Run() {
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(absl::GetFlag(FLAGS_vocabulary_dir));
  if (!vocabulary.ok()) {
    std::cerr << vocabulary.status() << "\n";
    return 1;
  }
  absl::StatusOr<JudgedSet> set = LoadJudgedSet(**vocabulary, absl::GetFlag(FLAGS_profiles),
                                                absl::GetFlag(FLAGS_judgments), absl::GetFlag(FLAGS_split));
  if (!set.ok()) {
    std::cerr << set.status() << "\n";
    return 1;
  }
  std::printf("fitting on %zu queries of part \"%s\", %d-fold cross-validated nDCG@10\n", set->queries.size(),
              absl::GetFlag(FLAGS_split).c_str(), absl::GetFlag(FLAGS_folds));
  std::printf("%10s %13s %7s %10s %8s %10s\n", "tag weight", "intermediary", "unmet", "cross-val", "fitted",
              "defaults");
  std::vector<ModelParams> grid;
  for (float tag : Values(absl::GetFlag(FLAGS_tag_weights))) {
    for (float intermediary : Values(absl::GetFlag(FLAGS_intermediary_factors))) {
      for (float unmet : Values(absl::GetFlag(FLAGS_unmet_factors))) grid.push_back({tag, intermediary, unmet});
    }
  }
  // The grid's points are independent: fitted on --threads threads, reported in grid order.
  std::vector<std::optional<absl::StatusOr<Fitted>>> fitted(grid.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, absl::GetFlag(FLAGS_threads)); ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < grid.size(); i = next++) fitted[i] = FitWith(**vocabulary, *set, grid[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::optional<Fitted> best;
  for (size_t i = 0; i < grid.size(); ++i) {
    if (!fitted[i]->ok()) {
      std::cerr << fitted[i]->status() << "\n";
      return 1;
    }
    const Fitted& f = **fitted[i];
    std::printf("%10.2f %13.2f %7.2f %10.4f %8.4f %10.4f\n", f.model.strategy_tag_weight, f.model.intermediary_factor,
                f.model.unmet_text_requirement_factor, f.fit.cross_validated_ndcg, f.fit.ndcg, f.fit.defaults_ndcg);
    if (!best || f.fit.cross_validated_ndcg > best->fit.cross_validated_ndcg) best = f;
  }
  const v1::FacetWeights& w = best->fit.weights;
  std::printf(
      "\nbest: strategy_tag_weight %.2f, intermediary_factor %.2f, unmet_text_requirement_factor %.2f: "
      "cross-validated %.4f, fitted on all %.4f (the built-in defaults: %.4f)\n",
      best->model.strategy_tag_weight, best->model.intermediary_factor, best->model.unmet_text_requirement_factor,
      best->fit.cross_validated_ndcg, best->fit.ndcg, best->fit.defaults_ndcg);
  std::printf(
      "weights (cpv strategies materials certifications location phases topics text embedding):\n"
      "  %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f\n",
      w.cpv(), w.strategies(), w.materials(), w.certifications(), w.location(), w.phases(), w.topics(), w.text(),
      w.embedding());
  return 0;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return circmatch::bench::Run();
}
