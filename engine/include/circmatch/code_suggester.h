// CPV codes suggested for a free Dutch or English text: a supplier's description of what it delivers, a tender's
// summary. Every code's document is its Dutch and English labels plus the everyday words of
// engine/data/cpv_synonyms.csv, read by the vocabulary's TextAnalyzer exactly as profile texts are read (stems,
// compound parts, the concepts of text_concepts.csv); the text is read the same way and the codes are ranked by
// a BM25-like score over those terms, with the CPV hierarchy, the share of a code's label the text meets (so a
// specific code wins only when the text supports it), a small prior against broad codes and a penalty for works
// codes when the text does not talk about works. The rules, with their numbers: docs/MATCHING.md, "Suggesting CPV
// codes".
//
// Thread-safety: immutable after construction; share one across threads.
//
//   absl::StatusOr<std::vector<CpvSynonyms>> synonyms = LoadCpvSynonyms(data_dir, vocabulary);
//   CodeSuggester suggester(&vocabulary, *synonyms);
//   for (const SuggestedCode& s : suggester.Suggest("Wij leveren kantoormeubilair", 5)) {
//     // vocabulary.cpv_codes()[s.cpv].code8, s.score, s.matched_words ({"kantoormeubilair"})
//   }
#ifndef CIRCMATCH_CODE_SUGGESTER_H_
#define CIRCMATCH_CODE_SUGGESTER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/vocabulary.h"

namespace circmatch {

// The everyday words of one CPV code (a row of cpv_synonyms.csv): "bureaustoel;kantoorstoelen;office chair".
struct CpvSynonyms {
  int cpv = -1;                      // index into Vocabulary::cpv_codes()
  std::vector<std::string> phrases;  // as written in the file
};

// Reads `data_dir`/cpv_synonyms.csv (columns code, phrases; phrases separated by ';'). NOT_FOUND when it is
// missing; INVALID_ARGUMENT naming file and line for a code the vocabulary does not know.
absl::StatusOr<std::vector<CpvSynonyms>> LoadCpvSynonyms(const std::string& data_dir, const Vocabulary& vocabulary);

// The numbers of the ranking (docs/MATCHING.md). The defaults were chosen on the tuning part of eval/codes.
struct CodeSuggestParams {
  // BM25 saturation and length normalization. A label shorter than the average is normalized as an average one,
  // so a broad code does not win only because its label is short.
  double k1 = 1.2;
  double b = 0.75;
  // Weight of a term from a compound's part ("kantoor" of "kantoormeubilair") against a whole word's 1, on
  // both sides.
  double part_weight = 0.5;
  // Weight of a concept term ("~repair" of "repareren" and of "Reparatie"), on both sides.
  double concept_weight = 0.5;
  // Weight of a synonym's term in its code's document against a label word's 1.
  double synonym_weight = 1.0;
  // A code's document also holds its parent's terms, each term's share of the score times this, its
  // grandparent's times the square, and so on up to the group (a division's label is a list of everything in it,
  // so it lends nothing): "stoelen voor kantoormeubilair" ranks a chair under office furniture above a chair
  // elsewhere. A code is suggested only when the text meets at least one term of its own.
  double parent_weight = 0.5;
  // The score is multiplied by this for a code of each level (1 division, 2 group, 3 class, 4 and deeper).
  double level_prior[4] = {0.7, 0.9, 1.0, 1.0};
  // The score is multiplied by 1 - coverage_weight + coverage_weight * coverage, where coverage is the share of
  // the code's own label that the text meets (by term weight; the best of its Dutch label, its English label and
  // each of its synonyms): a code
  // whose label says more than the text ("Modulair meubilair" for "meubilair") yields to one that says what the
  // text says ("Meubilair"), so a specific code wins only when the text supports its words.
  double coverage_weight = 0.5;
  // Works codes (division 45) are multiplied by this unless the text talks about works (WorksWords).
  double works_factor = 0.25;
};

// One suggested code.
struct SuggestedCode {
  int cpv = -1;  // index into Vocabulary::cpv_codes()
  double score = 0;
  // The words of the text that met the code's own terms (its labels and synonyms), as written, each once
  // (compared folded), in the order of the text.
  std::vector<std::string> matched_words;
  bool works = false;
};

class CodeSuggester {
 public:
  // `vocabulary` is borrowed and must outlive the suggester. Reads every code's labels and synonyms (a few hundred
  // milliseconds for the 9,454 codes).
  CodeSuggester(const Vocabulary* vocabulary, const std::vector<CpvSynonyms>& synonyms,
                CodeSuggestParams params = CodeSuggestParams());

  // At most `max_suggestions` codes for `text`, best first (ties by code); empty when no word of the text meets a
  // code's own terms.
  std::vector<SuggestedCode> Suggest(absl::string_view text, int max_suggestions) const;

  // True when the text talks about works: a word among WorksWords(), or a compound's part among them (but for
  // "installatie" and "installeren": a "verkeersregelinstallatie" is a thing, not a work).
  bool TalksAboutWorks(absl::string_view text) const;

  // The words that make a text one about works ("bouw", "aanleg", "renovatie", "construction", ...).
  static const std::vector<absl::string_view>& WorksWords();
  // Words of tender and company boilerplate that say nothing about what is bought ("leveren", "opdracht",
  // "gemeente", "ervaring", "supplier", ...): their terms are left out of the text's query.
  static const std::vector<absl::string_view>& BoilerplateWords();

  const CodeSuggestParams& params() const { return params_; }

 private:
  struct Posting {
    int doc;
    float tf;     // the term's weight in the code's (or its ancestor's) terms
    float scale;  // 1 for the code's own term, parent_weight^k for its k-th ancestor's
    bool own;
  };
  // The weighted terms of a text: the term ("stem", or "~concept") with its weight and the words showing it.
  struct QueryTerm {
    std::string term;
    double weight = 0;
    std::vector<int> words;  // indices into AnalyzedText::words
  };
  // Each term of an analyzed text with the largest weight it has there (whole word 1, part, concept).
  void AddTerms(const AnalyzedText& text, double scale, absl::flat_hash_map<std::string, double>* terms) const;

  const Vocabulary* const vocabulary_;
  const CodeSuggestParams params_;
  absl::flat_hash_map<std::string, std::vector<Posting>> postings_;
  absl::flat_hash_map<std::string, double> idf_;
  std::vector<float> length_norm_;  // per code: k1 * (1 - b + b * max(dl, avgdl) / avgdl)
  // Per code, the terms (ids into term_ids_, with their weights) of its Dutch label, of its English label and of
  // each of its synonyms: coverage is the best of them.
  std::vector<std::vector<std::vector<std::pair<int, float>>>> label_terms_;
  absl::flat_hash_map<std::string, int> term_ids_;
  absl::flat_hash_set<std::string> works_stems_;
  absl::flat_hash_set<std::string> works_part_stems_;  // those a compound's part may show
  absl::flat_hash_set<std::string> boilerplate_stems_;
};

}  // namespace circmatch

#endif  // CIRCMATCH_CODE_SUGGESTER_H_
