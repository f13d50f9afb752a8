// Text analysis for the `text` facet and for accent-insensitive lookups: UTF-8 accent folding, lower-casing,
// tokenizing, a small Dutch + English stop-word list, simple suffix stemming and a stable hash of stems into
// buckets.
//
// Thread-safety: pure functions over immutable tables; call from any thread.
//
//   std::vector<std::string> stems = AnalyzeText("Hergebruiken van kantoormeubilair");
//   // {"hergebruik", "kantoormeubilair"}
//   int bucket = HashToBucket(stems[0], 1 << 18);
#ifndef CIRCMATCH_TEXT_ANALYSIS_H_
#define CIRCMATCH_TEXT_ANALYSIS_H_

#include <cstdint>
#include <string>
#include <vector>

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

// True for a small list of Dutch and English function words ("de", "het", "en", "the", "and", ...). `token`
// must be folded (lower case).
bool IsStopWord(absl::string_view token);

// Simple Dutch/English suffix stemming of a folded token. Rules, first match only, applied when at least 3
// characters remain:
//   -heden, -heid            removed            duurzaamheid -> duurzaam
//   -ingen, -ing             removed            verwerkingen, verwerking -> verwerk; recycling -> recycl
//   -ies                     -> y               companies -> company
//   -en                      removed            hergebruiken -> hergebruik; meubelen -> meubel
//   -s after a consonant or e  removed          meubels -> meubel; suppliers -> supplier (not "glas", "bus")
// then, if a suffix was removed, a doubled final consonant is undoubled (bakken -> bak), and finally a
// trailing -e is removed from words longer than 4 (recycle -> recycl, circulaire -> circulair). Words made of
// digits are left alone. Not a linguistic stemmer: it only has to map common inflections to one key.
std::string Stem(absl::string_view token);

// Tokenize, drop stop words, Stem. Order and repetitions are kept (term frequencies need them).
std::vector<std::string> AnalyzeText(absl::string_view text);

// 32-bit FNV-1a: stable across platforms and runs (unlike std::hash).
uint32_t Fnv1a32(absl::string_view bytes);

// The bucket of a stem among `bucket_count` buckets; `bucket_count` must be a power of two.
inline int HashToBucket(absl::string_view stem, int bucket_count) {
  return static_cast<int>(Fnv1a32(stem) & static_cast<uint32_t>(bucket_count - 1));
}

}  // namespace circmatch

#endif  // CIRCMATCH_TEXT_ANALYSIS_H_
