#include "circmatch/text_analysis.h"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace circmatch {
namespace {

// Folded form of U+00C0..U+017F, lower case; nullptr keeps the code point (symbols such as × and ÷).
const char* FoldLatin(uint32_t cp) {
  static const char* const kLatin1[64] = {
      // U+00C0 .. U+00FF
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",     //
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",  //
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",     //
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y",   //
  };
  static const char* const kExtendedA[128] = {
      // U+0100 .. U+017F, in pairs of upper and lower case
      "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",    // 0100
      "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",    // 0110
      "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",    // 0120
      "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  // 0130
      "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",    // 0140
      "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  // 0150
      "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",    // 0160
      "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",    // 0170
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

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

}  // namespace

std::string FoldAndLower(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    uint32_t cp = 0;
    if (!DecodeUtf8(text, &pos, &cp)) {
      out.push_back(text[start]);
      continue;
    }
    if (cp < 0x80) {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(cp)));
    } else if (const char* folded = FoldLatin(cp)) {
      out.append(folded);
    } else {
      out.append(text.substr(start, pos - start).data(), pos - start);
    }
  }
  return out;
}

std::string AlnumKey(absl::string_view text) {
  std::string folded = FoldAndLower(text);
  folded.erase(std::remove_if(folded.begin(), folded.end(), [](char c) { return !IsAsciiAlnum(c); }),
               folded.end());
  return folded;
}

std::vector<std::string> Tokenize(absl::string_view text) {
  const std::string folded = FoldAndLower(text);
  std::vector<std::string> tokens;
  // A token is a run of letters of `folded`, so it is copied out whole when the run ends.
  size_t run_start = 0;
  const auto end_run = [&](size_t end) {
    if (end - run_start >= 2) tokens.emplace_back(folded, run_start, end - run_start);
  };
  size_t pos = 0;
  while (pos < folded.size()) {
    const size_t start = pos;
    bool letter;
    if (static_cast<unsigned char>(folded[pos]) < 0x80) {
      letter = IsAsciiAlnum(folded[pos]);
      ++pos;
    } else {
      uint32_t cp = 0;
      if (!DecodeUtf8(folded, &pos, &cp)) {
        letter = false;
      } else if (cp < 0x80) {  // an overlong encoding
        letter = IsAsciiAlnum(static_cast<char>(cp));
      } else {
        // Latin-1 symbols (U+0080..U+00FF that folding kept) and general punctuation separate words.
        letter = cp >= 0x100 && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0x3000;
      }
    }
    if (!letter) {
      end_run(start);
      run_start = pos;
    }
  }
  end_run(folded.size());
  return tokens;
}

bool IsStopWord(absl::string_view token) {
  static const auto* const kStopWords = new absl::flat_hash_set<absl::string_view>{
      // Dutch
      "aan", "af", "al", "als", "bij", "dan", "dat", "de", "den", "der", "des", "deze", "die", "dit", "door",
      "een", "en", "er", "geen", "hem", "het", "hij", "hun", "ik", "in", "is", "je", "kan", "kunnen", "maar",
      "meer", "met", "mijn", "moet", "moeten", "na", "naar", "niet", "nog", "of", "om", "onder", "ons", "onze",
      "ook", "op", "over", "te", "tot", "uit", "uw", "van", "veel", "voor", "wat", "we", "wel", "werd", "wij",
      "wordt", "worden", "zal", "ze", "zich", "zij", "zijn", "zo", "zoals", "zonder",
      // English
      "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
      "for", "from", "has", "have", "into", "it", "its", "may", "more", "no", "not", "of", "on", "or", "our",
      "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to",
      "was", "we", "were", "which", "who", "will", "with", "would", "you", "your"};
  return kStopWords->contains(token);
}

std::string Stem(absl::string_view token) {
  std::string word(token);
  if (std::all_of(word.begin(), word.end(), [](char c) { return absl::ascii_isdigit(c); })) return word;
  const auto strip = [&](absl::string_view suffix, absl::string_view replacement) {
    if (!absl::EndsWith(word, suffix)) return false;
    if (word.size() - suffix.size() + replacement.size() < 3) return false;
    word.resize(word.size() - suffix.size());
    word.append(replacement.data(), replacement.size());
    return true;
  };
  bool removed = strip("heden", "") || strip("heid", "") || strip("ingen", "") || strip("ing", "") ||
                 strip("ies", "y") || strip("en", "");
  if (!removed && word.size() >= 4 && word.back() == 's') {
    const char before = word[word.size() - 2];
    if (before == 'e' || (!IsVowel(before) && before != 's')) removed = strip("s", "");
  }
  if (removed && word.size() >= 4) {
    const char last = word.back();
    if (last == word[word.size() - 2] && !IsVowel(last) && absl::ascii_isalpha(last)) word.pop_back();
  }
  if (word.size() > 4 && word.back() == 'e') word.pop_back();
  return word;
}

std::vector<std::string> AnalyzeText(absl::string_view text) {
  std::vector<std::string> stems;
  for (const std::string& token : Tokenize(text)) {
    if (IsStopWord(token)) continue;
    stems.push_back(Stem(token));
  }
  return stems;
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
