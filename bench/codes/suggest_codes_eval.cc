// How well VocabularyService.SuggestCodes suggests CPV codes, on the labelled set of eval/codes: for each text of
// one part, the rank of the first of its labelled codes among the suggestions; hit@1, hit@5 and MRR@k over the
// part, beside a labels-only BM25 baseline: Xapian's BM25 over each code's Dutch and English labels, with no
// stemming, compound splitting, synonyms or hierarchy (what a portal gets from putting the CPV list in a search
// engine).
//
// circmatch is measured through the public API of a running server (--server; bench/codes/compare.sh starts one).
// Without --server it runs the engine's CodeSuggester in-process with the parameters given as flags (for tuning
// CodeSuggestParams on the tuning part, without a rebuild; the server always runs the defaults).
//
//   circmatch_bench_suggest_codes --server=127.0.0.1:50051 [--set=eval/codes/codes.jsonl] [--split=test]
//       [--k=10] [--per_text] [--format=table|json] [--api_key=KEY]
//   circmatch_bench_suggest_codes --split=tuning --parent_weight=0.5 ...     (in-process)
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "circmatch/code_suggester.h"
#include "circmatch/v1/vocabulary_service.grpc.pb.h"
#include "circmatch/vocabulary.h"

ABSL_FLAG(std::string, server, "", "address of a running circmatch-server; empty: the engine in-process");
ABSL_FLAG(std::string, api_key, "", "API key sent to the server, if it needs one");
ABSL_FLAG(std::string, set, "eval/codes/codes.jsonl", "the labelled texts, JSON lines");
ABSL_FLAG(std::string, split, "test", "only the texts of this part (empty: all)");
ABSL_FLAG(int, k, 10, "suggestions asked per text, and the depth of MRR");
ABSL_FLAG(int, limit, 0, "only the first N texts of the part (0: all)");
ABSL_FLAG(bool, per_text, false, "also print each text's ranks and top suggestions");
ABSL_FLAG(std::string, format, "table", "table or json");
ABSL_FLAG(std::string, vocabulary_dir, CIRCMATCH_BENCH_DATA_DIR, "the engine's reference data");
// In-process only: CodeSuggestParams.
ABSL_FLAG(double, k1, circmatch::CodeSuggestParams().k1, "in-process: BM25 k1");
ABSL_FLAG(double, b, circmatch::CodeSuggestParams().b, "in-process: BM25 b");
ABSL_FLAG(double, part_weight, circmatch::CodeSuggestParams().part_weight, "in-process");
ABSL_FLAG(double, concept_weight, circmatch::CodeSuggestParams().concept_weight, "in-process");
ABSL_FLAG(double, synonym_weight, circmatch::CodeSuggestParams().synonym_weight, "in-process");
ABSL_FLAG(double, parent_weight, circmatch::CodeSuggestParams().parent_weight, "in-process");
ABSL_FLAG(double, works_factor, circmatch::CodeSuggestParams().works_factor, "in-process");
ABSL_FLAG(double, coverage_weight, circmatch::CodeSuggestParams().coverage_weight, "in-process");
ABSL_FLAG(std::string, level_prior, "", "in-process: four comma-separated factors (division, group, class, deeper)");

namespace circmatch::bench {
namespace {

struct LabelledText {
  std::string id, split, sector, lang, text;
  std::vector<std::string> codes;
};

absl::StatusOr<std::vector<LabelledText>> ReadSet(const std::string& path, const std::string& split) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<LabelledText> texts;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    google::protobuf::Struct object;
    if (!google::protobuf::util::JsonStringToMessage(line, &object).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": not a JSON object"));
    }
    const auto& fields = object.fields();
    const auto text_field = [&](const char* name) {
      auto it = fields.find(name);
      return it == fields.end() ? std::string() : it->second.string_value();
    };
    LabelledText t{text_field("id"),   text_field("split"), text_field("sector"),
                   text_field("lang"), text_field("text"),  {}};
    if (auto it = fields.find("codes"); it != fields.end()) {
      for (const auto& code : it->second.list_value().values()) t.codes.push_back(code.string_value());
    }
    if (t.id.empty() || t.text.empty() || t.codes.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": needs id, text and codes"));
    }
    if (split.empty() || t.split == split) texts.push_back(std::move(t));
  }
  return texts;
}

// The labels-only baseline: BM25 over each code's two labels, words as Xapian splits them, no stemmer.
class LabelsBm25 {
 public:
  explicit LabelsBm25(const Vocabulary& vocabulary) : db_(std::string(), Xapian::DB_BACKEND_INMEMORY) {
    Xapian::TermGenerator indexer;  // no stemmer: the words as written, lower-cased
    for (int i = 0; i < static_cast<int>(vocabulary.cpv_codes().size()); ++i) {
      const CpvCode& code = vocabulary.cpv_codes()[i];
      Xapian::Document document;
      indexer.set_document(document);
      indexer.index_text(code.label_nl);
      indexer.increase_termpos();
      indexer.index_text(code.label_en);
      document.set_data(code.code8);
      db_.add_document(document);
    }
    db_.commit();
    parser_.set_default_op(Xapian::Query::OP_OR);
  }

  std::vector<std::string> Suggest(const std::string& text, int k) const {
    Xapian::Enquire enquire(db_);
    enquire.set_query(parser_.parse_query(text, 0));
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);  // ties by code, deterministic
    std::vector<std::string> codes;
    const Xapian::MSet matches = enquire.get_mset(0, k);
    for (auto it = matches.begin(); it != matches.end(); ++it) codes.push_back(it.get_document().get_data());
    return codes;
  }

 private:
  Xapian::WritableDatabase db_;
  mutable Xapian::QueryParser parser_;
};

// One ranker's result on one text: its suggestions and the rank (1-based) of the first labelled code, 0 if none.
struct Ranked {
  std::vector<std::string> codes;
  int rank = 0;
};

int FirstRank(const std::vector<std::string>& suggested, const std::vector<std::string>& labelled) {
  for (size_t i = 0; i < suggested.size(); ++i) {
    if (std::find(labelled.begin(), labelled.end(), suggested[i]) != labelled.end()) return static_cast<int>(i) + 1;
  }
  return 0;
}

struct Summary {
  double hit1 = 0, hit5 = 0, mrr = 0;
};

Summary Summarize(const std::vector<Ranked>& results) {
  Summary s;
  for (const Ranked& r : results) {
    s.hit1 += r.rank == 1;
    s.hit5 += r.rank >= 1 && r.rank <= 5;
    s.mrr += r.rank > 0 ? 1.0 / r.rank : 0;
  }
  const double n = results.empty() ? 1 : static_cast<double>(results.size());
  s.hit1 /= n;
  s.hit5 /= n;
  s.mrr /= n;
  return s;
}

int Run() {
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(absl::GetFlag(FLAGS_vocabulary_dir));
  if (!vocabulary.ok()) {
    std::cerr << vocabulary.status() << "\n";
    return 1;
  }
  const std::string split = absl::GetFlag(FLAGS_split);
  absl::StatusOr<std::vector<LabelledText>> texts = ReadSet(absl::GetFlag(FLAGS_set), split);
  if (!texts.ok()) {
    std::cerr << texts.status() << "\n";
    return 1;
  }
  if (const int limit = absl::GetFlag(FLAGS_limit); limit > 0 && static_cast<int>(texts->size()) > limit) {
    texts->resize(limit);
  }
  if (texts->empty()) {
    std::cerr << "no texts in part \"" << split << "\"\n";
    return 1;
  }
  const int k = absl::GetFlag(FLAGS_k);

  // circmatch: over gRPC, or in-process.
  const std::string server = absl::GetFlag(FLAGS_server);
  std::unique_ptr<v1::VocabularyService::Stub> stub;
  std::unique_ptr<CodeSuggester> suggester;
  if (!server.empty()) {
    stub = v1::VocabularyService::NewStub(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
  } else {
    absl::StatusOr<std::vector<CpvSynonyms>> synonyms =
        LoadCpvSynonyms(absl::GetFlag(FLAGS_vocabulary_dir), **vocabulary);
    if (!synonyms.ok()) {
      std::cerr << synonyms.status() << "\n";
      return 1;
    }
    CodeSuggestParams params;
    params.k1 = absl::GetFlag(FLAGS_k1);
    params.b = absl::GetFlag(FLAGS_b);
    params.part_weight = absl::GetFlag(FLAGS_part_weight);
    params.concept_weight = absl::GetFlag(FLAGS_concept_weight);
    params.synonym_weight = absl::GetFlag(FLAGS_synonym_weight);
    params.parent_weight = absl::GetFlag(FLAGS_parent_weight);
    params.works_factor = absl::GetFlag(FLAGS_works_factor);
    params.coverage_weight = absl::GetFlag(FLAGS_coverage_weight);
    if (const std::string priors = absl::GetFlag(FLAGS_level_prior); !priors.empty()) {
      const std::vector<std::string> parts = absl::StrSplit(priors, ',');
      for (size_t i = 0; i < 4 && i < parts.size(); ++i) params.level_prior[i] = std::stod(parts[i]);
    }
    suggester = std::make_unique<CodeSuggester>(vocabulary->get(), *synonyms, params);
  }
  const LabelsBm25 baseline(**vocabulary);

  std::vector<Ranked> ours, theirs;
  for (const LabelledText& t : *texts) {
    Ranked mine;
    if (stub != nullptr) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      if (const std::string key = absl::GetFlag(FLAGS_api_key); !key.empty()) {
        context.AddMetadata("authorization", "Bearer " + key);
      }
      v1::SuggestCodesRequest request;
      request.set_text(t.text);
      request.set_max_suggestions(k);
      v1::SuggestCodesResponse response;
      const grpc::Status status = stub->SuggestCodes(&context, request, &response);
      if (!status.ok()) {
        std::cerr << t.id << ": SuggestCodes failed: " << status.error_message() << "\n";
        return 1;
      }
      for (const v1::CodeSuggestion& s : response.suggestions()) mine.codes.push_back(s.code());
    } else {
      for (const SuggestedCode& s : suggester->Suggest(t.text, k)) {
        mine.codes.push_back((*vocabulary)->cpv_codes()[s.cpv].code8);
      }
    }
    mine.rank = FirstRank(mine.codes, t.codes);
    Ranked base;
    base.codes = baseline.Suggest(t.text, k);
    base.rank = FirstRank(base.codes, t.codes);
    ours.push_back(std::move(mine));
    theirs.push_back(std::move(base));
  }

  const Summary a = Summarize(ours), b = Summarize(theirs);
  const std::string part = split.empty() ? "all" : split;
  if (absl::GetFlag(FLAGS_format) == "json") {
    std::printf(
        "{\"part\": \"%s\", \"texts\": %zu, \"k\": %d, \"circmatch\": {\"hit1\": %.4f, \"hit5\": %.4f, \"mrr\": %.4f}, "
        "\"labelsBm25\": {\"hit1\": %.4f, \"hit5\": %.4f, \"mrr\": %.4f}}\n",
        part.c_str(), texts->size(), k, a.hit1, a.hit5, a.mrr, b.hit1, b.hit5, b.mrr);
    return 0;
  }
  if (absl::GetFlag(FLAGS_per_text)) {
    const auto top = [](const Ranked& r) {
      std::vector<std::string> first(r.codes.begin(), r.codes.begin() + std::min<size_t>(3, r.codes.size()));
      return absl::StrJoin(first, " ");
    };
    std::printf("%-5s %-4s %-4s  %-28s %-28s %s\n", "id", "ours", "bm25", "circmatch top 3", "labels BM25 top 3",
                "labelled");
    for (size_t i = 0; i < texts->size(); ++i) {
      std::printf("%-5s %-4s %-4s  %-28s %-28s %s\n", (*texts)[i].id.c_str(),
                  ours[i].rank ? std::to_string(ours[i].rank).c_str() : "-",
                  theirs[i].rank ? std::to_string(theirs[i].rank).c_str() : "-", top(ours[i]).c_str(),
                  top(theirs[i]).c_str(), absl::StrJoin((*texts)[i].codes, " ").c_str());
    }
    std::printf("\n");
  }
  std::printf("eval/codes, part: %s (%zu texts); circmatch %s\n", part.c_str(), texts->size(),
              server.empty() ? "in-process" : ("through the API at " + server).c_str());
  std::printf("%-34s %7s %7s %7s\n", "", "hit@1", "hit@5", absl::StrCat("MRR@", k).c_str());
  std::printf("%-34s %7.3f %7.3f %7.3f\n", "circmatch SuggestCodes", a.hit1, a.hit5, a.mrr);
  std::printf("%-34s %7.3f %7.3f %7.3f\n", "labels-only BM25 (Xapian)", b.hit1, b.hit5, b.mrr);
  return 0;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "hit@1, hit@5 and MRR of SuggestCodes on eval/codes beside a labels-only BM25 baseline (see the source)");
  absl::ParseCommandLine(argc, argv);
  return circmatch::bench::Run();
}
