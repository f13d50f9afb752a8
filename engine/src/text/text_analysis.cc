#include "circmatch/text_analysis.h"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <atomic>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

namespace circmatch {
namespace {

// Folded form of U+00C0..U+017F, lower case; nullptr keeps the code point (symbols such as × and ÷).
const char* FoldLatin(uint32_t cp) {
  static const char* const kLatin1[64] = {
      // U+00C0 .. U+00FF
      "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",   //
      "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",  //
      "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",   //
      "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "y",   //
  };
  static const char* const kExtendedA[128] = {
      // U+0100 .. U+017F, in pairs of upper and lower case
      "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",  // 0100
      "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",  // 0110
      "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",  // 0120
      "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  // 0130
      "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",  // 0140
      "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  // 0150
      "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",  // 0160
      "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",  // 0170
  };
  if (cp >= 0xC0 && cp <= 0xFF) return kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) return kExtendedA[cp - 0x100];
  return nullptr;
}

// Decodes one UTF-8 code point at text[*pos]; advances *pos. Returns false (and advances one byte) when the
// bytes are malformed.
bool DecodeUtf8(absl::string_view text, size_t* pos, uint32_t* cp) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(*pos);
  int length = 0;
  uint32_t value = 0;
  if (b0 < 0x80) {
    *cp = b0;
    *pos += 1;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    value = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    value = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    value = b0 & 0x07;
  } else {
    *pos += 1;
    return false;
  }
  if (*pos + length > text.size()) {
    *pos += 1;
    return false;
  }
  for (int i = 1; i < length; ++i) {
    const unsigned char b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) {
      *pos += 1;
      return false;
    }
    value = (value << 6) | (b & 0x3F);
  }
  *cp = value;
  *pos += length;
  return true;
}

bool IsAsciiAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

// Every part of a split compound has at least this many letters, so short words ("ver", "best") split nothing.
constexpr size_t kMinPartLength = 4;
constexpr int kMaxCompoundParts = 4;
// Words each thread remembers the analysis of (TextAnalyzer::AnalyzeWord).
constexpr size_t kWordCacheSize = 1 << 14;
std::atomic<uint64_t> next_analyzer_id{0};

}  // namespace

namespace {

// Appends the folded form of the code point read from text[start, pos) (`valid` false: a malformed byte, kept).
void AppendFolded(absl::string_view text, size_t start, size_t pos, bool valid, uint32_t cp, std::string* out) {
  if (!valid) {
    out->push_back(text[start]);
  } else if (cp < 0x80) {
    out->push_back(absl::ascii_tolower(static_cast<unsigned char>(cp)));
  } else if (const char* folded = FoldLatin(cp)) {
    out->append(folded);
  } else {
    out->append(text.data() + start, pos - start);
  }
}

}  // namespace

std::string FoldAndLower(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    uint32_t cp = 0;
    const bool valid = DecodeUtf8(text, &pos, &cp);
    AppendFolded(text, start, pos, valid, cp, &out);
  }
  return out;
}

std::string AlnumKey(absl::string_view text) {
  std::string folded = FoldAndLower(text);
  folded.erase(std::remove_if(folded.begin(), folded.end(), [](char c) { return !IsAsciiAlnum(c); }), folded.end());
  return folded;
}

std::vector<Token> TokenizeWithOffsets(absl::string_view text) {
  // Each code point of `text` is folded on its own (as FoldAndLower folds it) and its folded bytes are letters
  // or not as a whole; a token is a run of letters, at least 2 folded bytes long. Folding one code point at a
  // time reads the same as folding the whole text first: a malformed byte stays malformed after folding, since
  // folding only replaces whole valid sequences, by ASCII (never a continuation byte) or by themselves.
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 6);  // about a word for every six bytes of Dutch prose
  Token current;
  bool in_token = false;
  const auto end_token = [&] {
    if (in_token && current.folded.size() >= 2) tokens.push_back(std::move(current));
    current = Token();
    in_token = false;
  };
  std::string folded;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    uint32_t cp = 0;
    const bool valid = DecodeUtf8(text, &pos, &cp);
    folded.clear();
    AppendFolded(text, start, pos, valid, cp, &folded);
    bool letter;
    if (!valid) {
      letter = false;
    } else if (folded.size() == 1 && static_cast<unsigned char>(folded[0]) < 0x80) {
      letter = IsAsciiAlnum(folded[0]);
    } else if (static_cast<unsigned char>(folded[0]) < 0x80) {
      letter = true;  // a Latin letter folded to two ASCII letters ("ae", "ss", "ij", ...)
    } else {
      // Kept as it is: Latin-1 symbols (U+0080..U+00FF) and general punctuation separate words.
      letter = cp >= 0x100 && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0x3000;
    }
    if (!letter) {
      end_token();
      continue;
    }
    if (!in_token) {
      in_token = true;
      current.begin = start;
    }
    current.folded += folded;
    current.end = pos;
  }
  end_token();
  return tokens;
}

std::vector<std::string> Tokenize(absl::string_view text) {
  std::vector<std::string> tokens;
  for (Token& token : TokenizeWithOffsets(text)) tokens.push_back(std::move(token.folded));
  return tokens;
}

bool IsStopWord(absl::string_view token) {
  static const auto* const kStopWords = new absl::flat_hash_set<absl::string_view>{
      // Dutch
      "aan", "af", "al", "als", "bij", "dan", "dat", "de", "den", "der", "des", "deze", "die", "dit", "door", "een",
      "en", "er", "geen", "hem", "het", "hij", "hun", "ik", "in", "is", "je", "kan", "kunnen", "maar", "meer", "met",
      "mijn", "moet", "moeten", "na", "naar", "niet", "nog", "of", "om", "onder", "ons", "onze", "ook", "op", "over",
      "te", "tot", "uit", "uw", "van", "veel", "voor", "wat", "we", "wel", "werd", "wij", "wordt", "worden", "zal",
      "ze", "zich", "zij", "zijn", "zo", "zoals", "zonder",
      // English
      "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "for",
      "from", "has", "have", "into", "it", "its", "may", "more", "no", "not", "of", "on", "or", "our", "such", "than",
      "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were",
      "which", "who", "will", "with", "would", "you", "your"};
  return kStopWords->contains(token);
}

std::string Stem(absl::string_view token) {
  if (std::all_of(token.begin(), token.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return std::string(token);
  }
  // A Xapian::Stem keeps state while it stems, so each thread has its own.
  thread_local Xapian::Stem stemmer("kraaij_pohlmann");
  return stemmer(std::string(token));
}

TextAnalyzer::TextAnalyzer(const std::vector<std::string>& words, std::vector<TextConcept> concepts)
    : id_(next_analyzer_id.fetch_add(1) + 1), words_(words.begin(), words.end()), concepts_(std::move(concepts)) {
  for (int c = 0; c < static_cast<int>(concepts_.size()); ++c) {
    for (int p = 0; p < static_cast<int>(concepts_[c].phrases.size()); ++p) {
      const std::vector<std::string>& phrase = concepts_[c].phrases[p];
      if (!phrase.empty()) phrases_by_first_stem_[phrase[0]].emplace_back(c, p);
    }
  }
}

bool TextAnalyzer::IsWord(absl::string_view word) const { return words_.contains(word); }

std::string TextAnalyzer::KnownForm(absl::string_view word, bool as_head) const {
  if (word.size() >= kMinPartLength && IsWord(word)) return std::string(word);
  // A head may end in a linking -s- or -e(n)- ("bedrijfs", "boeken"); a tail in an inflection ("stoelen").
  static constexpr absl::string_view kHeadEndings[] = {"s", "en", "e"};
  static constexpr absl::string_view kTailEndings[] = {"en", "s", "e", "n"};
  for (absl::string_view ending : as_head ? absl::MakeConstSpan(kHeadEndings) : absl::MakeConstSpan(kTailEndings)) {
    if (word.size() >= kMinPartLength + ending.size() && absl::EndsWith(word, ending)) {
      const absl::string_view base = word.substr(0, word.size() - ending.size());
      if (IsWord(base)) return std::string(base);
    }
  }
  return "";
}

std::vector<std::string> TextAnalyzer::CompoundParts(absl::string_view word) const {
  return SplitCompound(word, kMaxCompoundParts);
}

std::vector<std::string> TextAnalyzer::SplitCompound(absl::string_view word, int max_parts) const {
  // The longest known tail first: Dutch compounds end in their head ("kantoor|meubilair").
  for (size_t at = kMinPartLength; at + kMinPartLength <= word.size(); ++at) {
    std::string tail = KnownForm(word.substr(at), /*as_head=*/false);
    if (tail.empty()) continue;
    const absl::string_view rest = word.substr(0, at);
    if (std::string head = KnownForm(rest, /*as_head=*/true); !head.empty()) return {std::move(head), std::move(tail)};
    if (max_parts > 2) {
      std::vector<std::string> parts = SplitCompound(rest, max_parts - 1);
      if (!parts.empty()) {
        parts.push_back(std::move(tail));
        return parts;
      }
    }
  }
  return {};
}

const TextAnalyzer::WordAnalysis& TextAnalyzer::AnalyzeWord(const std::string& word) const {
  // Texts repeat their words, so each thread remembers its last few thousand (for this analyzer only).
  struct Cache {
    uint64_t analyzer = 0;
    absl::flat_hash_map<std::string, WordAnalysis> words;
  };
  thread_local Cache cache;
  if (cache.analyzer != id_ || cache.words.size() >= kWordCacheSize) {
    cache.words.clear();
    cache.analyzer = id_;
  }
  auto [it, inserted] = cache.words.try_emplace(word);
  if (inserted) {
    it->second.stem = Stem(word);
    if (word.size() >= 2 * kMinPartLength) {
      for (const std::string& part : CompoundParts(word)) it->second.part_stems.push_back(Stem(part));
    }
  }
  return it->second;
}

TextAnalyzer::Words TextAnalyzer::Split(absl::string_view text) const {
  Words w;
  std::vector<Token> tokens = TokenizeWithOffsets(text);
  // Reserved: grown one word at a time, the four vectors reallocated (and their strings copied) a dozen times.
  w.stems.reserve(tokens.size());
  w.part_stems.reserve(tokens.size());
  w.offsets.reserve(tokens.size());
  w.words.reserve(tokens.size());
  for (Token& token : tokens) {
    if (IsStopWord(token.folded)) continue;
    const WordAnalysis& analysis = AnalyzeWord(token.folded);
    w.stems.push_back(analysis.stem);
    w.part_stems.push_back(analysis.part_stems);
    w.offsets.emplace_back(token.begin, token.end);
    w.words.push_back(std::move(token.folded));
  }
  return w;
}

template <typename Visit>
void TextAnalyzer::ForEachPhrase(const Words& w, Visit visit) const {
  for (size_t start = 0; start < w.stems.size(); ++start) {
    std::vector<int> seen;  // one occurrence per concept and starting word
    // A single word may also meet a part of a compound ("terugnamegarantie" shows take-back); a phrase of
    // several words meets whole words in a row.
    const auto try_stem = [&](const std::string& stem, bool whole_word) {
      auto it = phrases_by_first_stem_.find(stem);
      if (it == phrases_by_first_stem_.end()) return;
      for (const auto& [c, p] : it->second) {
        const std::vector<std::string>& phrase = concepts_[c].phrases[p];
        if (start + phrase.size() > w.stems.size() || std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
        if (phrase.size() > 1 && !whole_word) continue;
        bool all = true;
        for (size_t j = 1; j < phrase.size() && all; ++j) all = w.stems[start + j] == phrase[j];
        if (!all) continue;
        seen.push_back(c);
        visit(c, start, start + phrase.size() - 1);
      }
    };
    try_stem(w.stems[start], true);
    for (const std::string& part : w.part_stems[start]) try_stem(part, false);
  }
}

std::vector<std::string> TextAnalyzer::Analyze(absl::string_view text, std::vector<ConceptHit>* hits) const {
  const Words w = Split(text);
  size_t part_count = 0;
  for (const std::vector<std::string>& parts : w.part_stems) part_count += parts.size();
  std::vector<std::string> terms;
  terms.reserve(w.stems.size() + part_count + 8);  // and a few concepts
  terms.insert(terms.end(), w.stems.begin(), w.stems.end());
  for (const std::vector<std::string>& parts : w.part_stems) terms.insert(terms.end(), parts.begin(), parts.end());
  if (hits != nullptr) hits->clear();
  ForEachPhrase(w, [&](int c, size_t first, size_t last) {
    terms.push_back("~" + concepts_[c].id);
    if (hits == nullptr ||
        std::any_of(hits->begin(), hits->end(), [c](const ConceptHit& hit) { return hit.concept == c; })) {
      return;
    }
    ConceptHit hit{c, w.words[first]};
    for (size_t i = first + 1; i <= last; ++i) absl::StrAppend(&hit.words, " ", w.words[i]);
    hits->push_back(std::move(hit));
  });
  if (hits != nullptr) {
    std::sort(hits->begin(), hits->end(),
              [](const ConceptHit& a, const ConceptHit& b) { return a.concept < b.concept; });
  }
  return terms;
}

AnalyzedText TextAnalyzer::AnalyzeWords(absl::string_view text) const {
  Words w = Split(text);
  AnalyzedText out;
  ForEachPhrase(w, [&](int c, size_t first, size_t last) {
    out.concepts.push_back({c, static_cast<int>(first), static_cast<int>(last)});
  });
  out.words.resize(w.words.size());
  for (size_t i = 0; i < w.words.size(); ++i) {
    AnalyzedWord& word = out.words[i];
    word.folded = std::move(w.words[i]);
    word.begin = w.offsets[i].first;
    word.end = w.offsets[i].second;
    word.stem = std::move(w.stems[i]);
    word.part_stems = std::move(w.part_stems[i]);
  }
  return out;
}

std::vector<ConceptHit> TextAnalyzer::FindConcepts(absl::string_view text) const {
  std::vector<ConceptHit> hits;
  Analyze(text, &hits);
  return hits;
}

double DistanceLimitNamedIn(absl::string_view text) {
  const std::vector<std::string> tokens = Tokenize(text);
  double limit = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] != "binnen" && tokens[i] != "maximaal" && tokens[i] != "within") continue;
    for (size_t j = i + 1; j + 1 < tokens.size() && j <= i + 4; ++j) {
      double km = 0;
      if (!absl::SimpleAtod(tokens[j], &km)) continue;
      if ((tokens[j + 1] == "km" || tokens[j + 1] == "kilometer") && km > 0 && (limit == 0 || km < limit)) {
        limit = km;
      }
      break;
    }
  }
  return limit;
}

uint32_t Fnv1a32(absl::string_view bytes) {
  uint32_t hash = 2166136261u;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace circmatch
