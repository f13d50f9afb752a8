// Text analysis for the `text` facet and for accent-insensitive lookups: UTF-8 accent folding, lower-casing,
// tokenizing, a small Dutch + English stop-word list, the Kraaij-Pohlmann Dutch stemmer, compound splitting
// against a Dutch word list, domain concepts (synonyms and the evidence of circular work), and a stable hash of
// terms into buckets.
//
// Thread-safety: pure functions and immutable tables; call from any thread.
//
//   const TextAnalyzer& analyzer = vocabulary.text_analyzer();
//   std::vector<std::string> terms = analyzer.Analyze("Hergebruik van kantoormeubilair");
//   // {"herbruik", "kantoormeubilair", "kantoor", "meubilair", "~reuse"}
//   int bucket = HashToBucket(terms[0], 1 << 18);
#ifndef CIRCMATCH_TEXT_ANALYSIS_H_
#define CIRCMATCH_TEXT_ANALYSIS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace circmatch {

// Folds accents and lower-cases: "Súdwest-Fryslân" -> "sudwest-fryslan", "Ĳssel" -> "ijssel", "ß" -> "ss".
// Covers Latin-1 Supplement and Latin Extended-A letters; other code points are kept unchanged (ASCII is
// lower-cased). Malformed UTF-8 bytes are kept as they are.
std::string FoldAndLower(absl::string_view text);

// FoldAndLower, then only the ASCII letters and digits: "'s-Hertogenbosch" -> "shertogenbosch". Used as the
// lookup key of names, so punctuation and spacing variants find the same entry.
std::string AlnumKey(absl::string_view text);

// FoldAndLower, then splits on everything that is not a letter or digit (ASCII letters and digits, and
// code points >= U+0100 that folding left, count as letters; punctuation in U+2000..U+206F does not).
// Tokens shorter than 2 bytes are dropped.
std::vector<std::string> Tokenize(absl::string_view text);

// A token of Tokenize with the place in the original text it was read from, so it can be shown as written:
// `text.substr(begin, end - begin)` is "Kantoormeubilair" where `folded` is "kantoormeubilair".
struct Token {
  std::string folded;
  size_t begin = 0;  // byte offset of its first character in the text
  size_t end = 0;    // one past its last byte
};

// Tokenize, with each token's place: the same tokens in the same order (Tokenize is this without the offsets).
std::vector<Token> TokenizeWithOffsets(absl::string_view text);

// True for a small list of Dutch and English function words ("de", "het", "en", "the", "and", ...). `token`
// must be folded (lower case).
bool IsStopWord(absl::string_view token);

// The Kraaij-Pohlmann stemmer for Dutch (Xapian's, generated from its Snowball source) of a folded token:
// "hergebruiken" and "hergebruikte" -> "herbruik", "gereviseerd" -> "reviseer", "meubelen" -> "meubel". Tokens
// of digits are kept as they are. Thread-safe (a stemmer per thread).
std::string Stem(absl::string_view token);

// A term of the domain concept list (engine/data/text_concepts.csv): words and phrases, Dutch and English, that
// say one thing a circular procurement advisor looks for, such as a rung of the R-ladder ("wij reviseren",
// "refurbished", "opgeknapt": R5) or a role ("marktplaats", "groothandel": an intermediary).
struct TextConcept {
  std::string id;                                 // "refurbish"
  int strategy = -1;                              // the R-ladder rung the concept evidences, -1 for none
  std::string role;                               // "intermediary", "deliverer" or empty
  std::vector<std::vector<std::string>> phrases;  // each a sequence of stems (Stem of each folded word)
};

// Where a text shows a concept: its index in TextAnalyzer::concepts() and the words that showed it, as written.
struct ConceptHit {
  int concept = -1;
  std::string words;
};

// One word of a text as TextAnalyzer reads it (stop words are not words here).
struct AnalyzedWord {
  std::string folded;  // "kantoormeubilair"
  size_t begin = 0;    // where it stands in the text (bytes), as Token
  size_t end = 0;
  std::string stem;                     // Stem(folded)
  std::vector<std::string> part_stems;  // the stems of CompoundParts(folded), empty when it is no compound
};

// Where a text shows a concept: the concept's index in TextAnalyzer::concepts() and the first and last word of the
// phrase (indices into AnalyzedText::words; the same word when a compound's part shows it).
struct ConceptOccurrence {
  int concept = -1;
  int first = 0;
  int last = 0;
};

// A text read word by word: what Analyze makes its terms from, with where each word stands.
struct AnalyzedText {
  std::vector<AnalyzedWord> words;
  std::vector<ConceptOccurrence> concepts;  // in the order of their first word, as Analyze adds their terms
};

// Turns free text into the terms of the text facet, with a Dutch word list to split compounds and the domain
// concepts to meet synonyms.
//
// Thread-safety: immutable after construction; share one across threads.
//
//   TextAnalyzer analyzer(words, concepts);
//   analyzer.Analyze("Wij reviseren bureaustoelen");
//   // {"wij"...} -> {"reviser", "bureaustoel", "bureau", "stoel", "~refurbish"}
class TextAnalyzer {
 public:
  // `words`: folded lower-case words of the word list (compound parts); `concepts` with their phrases stemmed.
  TextAnalyzer(const std::vector<std::string>& words, std::vector<TextConcept> concepts);

  // The terms of a text, in order with repetitions (term frequencies need them): each word's Stem (stop words
  // dropped), then the stems of the parts of each compound word (CompoundParts), then "~" and the id of each
  // concept the text shows, once per phrase occurrence. With `hits`, also FindConcepts of the text, from the same
  // reading.
  std::vector<std::string> Analyze(absl::string_view text, std::vector<ConceptHit>* hits = nullptr) const;

  // The same reading as Analyze, word by word: each word's stem and compound parts, and every concept phrase
  // occurrence with its words. Analyze's terms are the words' stems, then their part stems, then "~" + the
  // concept id of each occurrence.
  AnalyzedText AnalyzeWords(absl::string_view text) const;

  // The concepts a text shows, each once, in the order of concepts(), with the words of its first occurrence.
  std::vector<ConceptHit> FindConcepts(absl::string_view text) const;

  // The parts of a folded word that is a compound of known words, head parts first: "kantoormeubilair" ->
  // {"kantoor", "meubilair"}, "bedrijfskleding" -> {"bedrijf", "kleding"} (a linking -s- or -e(n)- dropped),
  // "afvalinzamelingsdienst" -> {"afval", "inzameling", "dienst"}. The last part is the longest known word (or
  // known word with an -en, -s, -e or -n ending) that ends the word; the rest is a known word (with a linking
  // -s-, -en- or -e- allowed) or is split again, up to 4 parts, each of at least 4 letters. Empty when the word
  // is not such a compound.
  std::vector<std::string> CompoundParts(absl::string_view word) const;

  const std::vector<TextConcept>& concepts() const { return concepts_; }

 private:
  bool IsWord(absl::string_view word) const;
  // `word` or `word` without a linking or inflection ending, when one is a known word; empty otherwise.
  std::string KnownForm(absl::string_view word, bool as_head) const;
  std::vector<std::string> SplitCompound(absl::string_view word, int max_parts) const;
  struct WordAnalysis {
    std::string stem;
    std::vector<std::string> part_stems;  // of CompoundParts
  };
  // Stem and compound parts of a folded word, remembered per thread.
  const WordAnalysis& AnalyzeWord(const std::string& word) const;
  // The words of a text (stop words dropped), their stems, and the stems of their compound parts.
  struct Words {
    std::vector<std::string> words, stems;
    std::vector<std::vector<std::string>> part_stems;
    std::vector<std::pair<size_t, size_t>> offsets;  // of each word in the text: begin, end
  };
  Words Split(absl::string_view text) const;
  // For each occurrence of a concept phrase in `w`: the concept and the index of its first and last word.
  template <typename Visit>
  void ForEachPhrase(const Words& w, Visit visit) const;

  const uint64_t id_;  // tells the per-thread caches of two analyzers apart
  absl::flat_hash_set<std::string> words_;
  std::vector<TextConcept> concepts_;
  // (concept, phrase) by the phrase's first stem.
  absl::flat_hash_map<std::string, std::vector<std::pair<int, int>>> phrases_by_first_stem_;
};

// The distance limit a text names, in km: the smallest N of "binnen N km", "binnen een straal van N kilometer",
// "maximaal N km" (up to three words between); 0 when it names none.
double DistanceLimitNamedIn(absl::string_view text);

// 32-bit FNV-1a: stable across platforms and runs (unlike std::hash).
uint32_t Fnv1a32(absl::string_view bytes);

// The bucket of a stem among `bucket_count` buckets; `bucket_count` must be a power of two.
inline int HashToBucket(absl::string_view stem, int bucket_count) {
  return static_cast<int>(Fnv1a32(stem) & static_cast<uint32_t>(bucket_count - 1));
}

}  // namespace circmatch

#endif  // CIRCMATCH_TEXT_ANALYSIS_H_
