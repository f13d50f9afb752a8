// Text analysis (engine/include/circmatch/text_analysis.h and the text readers of vocabulary.h): the free text
// of every profile and inline query goes through it. The input is a text, in any bytes. Besides crashes and
// sanitizer reports, checks:
//   - Analyze gives the same terms from two analyzers whose per-thread word caches hold different words;
//   - Tokenize's tokens are at least 2 bytes, and folding a folded text changes nothing;
//   - TokenizeWithOffsets gives Tokenize's tokens, each at a place in the text; AnalyzeWords reads as Analyze;
//   - CompoundParts: at most 4 parts, each at least 4 bytes;
//   - CodeSuggester::Suggest (VocabularyService.SuggestCodes): at most the codes asked, best first, each with
//     matched words that are pieces of the text;
//   - CertificationsNamedIn: sorted listed ids, each once; DistanceLimitNamedIn: a number >= 0;
//   - CanonicalCertification of a canonical certification is itself (stored profiles are normalized again when
//     the server restarts), and CheckedCertification agrees with it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "circmatch/code_suggester.h"
#include "circmatch/text_analysis.h"
#include "circmatch/vocabulary.h"
#include "fuzz/fuzz_util.h"

namespace {

using circmatch::ConceptHit;
using circmatch::TextAnalyzer;
using circmatch::Vocabulary;

// A second vocabulary, so a second analyzer with caches of its own.
const Vocabulary& OtherVocabulary() {
  static const Vocabulary* const vocabulary = Vocabulary::Load(CIRCMATCH_SOURCE_DATA_DIR)->release();
  return *vocabulary;
}

const circmatch::CodeSuggester& Suggester() {
  static const circmatch::CodeSuggester* const suggester = [] {
    const Vocabulary& vocabulary = circmatch::fuzz::SharedVocabulary();
    return new circmatch::CodeSuggester(&vocabulary,
                                        *circmatch::LoadCpvSynonyms(CIRCMATCH_SOURCE_DATA_DIR, vocabulary));
  }();
  return *suggester;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)circmatch::fuzz::SharedVocabulary();
  (void)OtherVocabulary();
  (void)Suggester();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Vocabulary& vocabulary = circmatch::fuzz::SharedVocabulary();
  const TextAnalyzer& analyzer = vocabulary.text_analyzer();
  const std::string text(reinterpret_cast<const char*>(data), size);

  const std::string folded = circmatch::FoldAndLower(text);
  CIRCMATCH_FUZZ_CHECK(circmatch::FoldAndLower(folded) == folded, absl::StrCat("folding \"", folded, "\" again"));
  (void)circmatch::AlnumKey(text);

  const std::vector<std::string> tokens = circmatch::Tokenize(text);
  const std::vector<circmatch::Token> placed = circmatch::TokenizeWithOffsets(text);
  CIRCMATCH_FUZZ_CHECK(placed.size() == tokens.size(), absl::StrCat(placed.size(), " vs ", tokens.size()));
  for (size_t i = 0; i < placed.size() && i < tokens.size(); ++i) {
    CIRCMATCH_FUZZ_CHECK(placed[i].folded == tokens[i] && placed[i].begin < placed[i].end &&
                             placed[i].end <= text.size() && (i == 0 || placed[i - 1].end <= placed[i].begin),
                         absl::StrCat("token ", i, " \"", tokens[i], "\""));
  }
  for (const std::string& token : tokens) {
    CIRCMATCH_FUZZ_CHECK(token.size() >= 2, absl::StrCat("token \"", token, "\""));
    (void)circmatch::IsStopWord(token);
    (void)circmatch::Stem(token);
    const std::vector<std::string> parts = analyzer.CompoundParts(token);
    CIRCMATCH_FUZZ_CHECK(parts.size() <= 4, absl::StrCat(token, " -> ", absl::StrJoin(parts, "+")));
    for (const std::string& part : parts) {
      CIRCMATCH_FUZZ_CHECK(part.size() >= 4, absl::StrCat(token, " -> ", absl::StrJoin(parts, "+")));
    }
    // Each word alone, so this analyzer's cache sees the words in another order than the other one's.
    (void)analyzer.Analyze(token);
  }

  std::vector<ConceptHit> hits;
  const std::vector<std::string> terms = analyzer.Analyze(text, &hits);
  const std::vector<std::string> other_terms = OtherVocabulary().text_analyzer().Analyze(text);
  CIRCMATCH_FUZZ_CHECK(terms == other_terms,
                       absl::StrCat(absl::StrJoin(terms, " "), "\n  vs\n  ", absl::StrJoin(other_terms, " ")));
  for (const ConceptHit& hit : hits) {
    CIRCMATCH_FUZZ_CHECK(hit.concept >= 0 && hit.concept < static_cast<int>(analyzer.concepts().size()),
                         absl::StrCat(hit.concept));
    const std::string term = "~" + analyzer.concepts()[hit.concept].id;
    CIRCMATCH_FUZZ_CHECK(std::find(terms.begin(), terms.end(), term) != terms.end(), term);
  }
  const circmatch::AnalyzedText words = analyzer.AnalyzeWords(text);
  std::vector<std::string> word_terms;
  for (const circmatch::AnalyzedWord& word : words.words) word_terms.push_back(word.stem);
  for (const circmatch::AnalyzedWord& word : words.words) {
    word_terms.insert(word_terms.end(), word.part_stems.begin(), word.part_stems.end());
  }
  for (const circmatch::ConceptOccurrence& c : words.concepts)
    word_terms.push_back("~" + analyzer.concepts()[c.concept].id);
  CIRCMATCH_FUZZ_CHECK(word_terms == terms,
                       absl::StrCat(absl::StrJoin(word_terms, " "), "\n  vs\n  ", absl::StrJoin(terms, " ")));

  const std::vector<circmatch::SuggestedCode> suggested = Suggester().Suggest(text, 5);
  CIRCMATCH_FUZZ_CHECK(suggested.size() <= 5, absl::StrCat(suggested.size()));
  for (size_t i = 0; i < suggested.size(); ++i) {
    const circmatch::SuggestedCode& s = suggested[i];
    CIRCMATCH_FUZZ_CHECK(s.cpv >= 0 && s.cpv < static_cast<int>(vocabulary.cpv_codes().size()) && s.score > 0 &&
                             (i == 0 || suggested[i - 1].score >= s.score) && !s.matched_words.empty(),
                         absl::StrCat("suggestion ", i));
    for (const std::string& word : s.matched_words) {
      CIRCMATCH_FUZZ_CHECK(!word.empty() && text.find(word) != std::string::npos, word);
    }
  }

  for (const std::string& term : terms) {
    const int bucket = circmatch::HashToBucket(term, 1 << 18);
    CIRCMATCH_FUZZ_CHECK(bucket >= 0 && bucket < (1 << 18), term);
  }

  const std::vector<std::string> named = vocabulary.CertificationsNamedIn(text);
  CIRCMATCH_FUZZ_CHECK(
      std::is_sorted(named.begin(), named.end()) && std::adjacent_find(named.begin(), named.end()) == named.end(),
      absl::StrJoin(named, ","));
  for (const std::string& id : named) {
    CIRCMATCH_FUZZ_CHECK(Vocabulary::FindTerm(vocabulary.certifications(), id) != nullptr, id);
  }
  const double km = circmatch::DistanceLimitNamedIn(text);
  CIRCMATCH_FUZZ_CHECK(km >= 0, absl::StrCat(km));

  const std::string canonical = vocabulary.CanonicalCertification(text);
  if (!canonical.empty()) {
    CIRCMATCH_FUZZ_CHECK(vocabulary.CanonicalCertification(canonical) == canonical,
                         absl::StrCat("\"", canonical, "\" -> \"", vocabulary.CanonicalCertification(canonical), "\""));
  }
  absl::StatusOr<std::string> checked = vocabulary.CheckedCertification(text, "certifications[0]");
  if (checked.ok()) {
    CIRCMATCH_FUZZ_CHECK(
        *checked == canonical && !canonical.empty() && canonical.size() <= circmatch::kMaxCertificationLength,
        *checked);
  }

  (void)vocabulary.FindMunicipality(text);
  (void)vocabulary.FindCpvIndex(text);
  (void)Vocabulary::FindTerm(vocabulary.materials(), text);
  (void)Vocabulary::FindTerm(vocabulary.strategies(), text);
  return 0;
}
