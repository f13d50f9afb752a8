#include "circmatch/text_analysis.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "test_util.h"

namespace circmatch {
namespace {

TEST(FoldAndLowerTest, FoldsLatinAccents) {
  EXPECT_EQ(FoldAndLower("Caf\xC3\xA9 \xC3\xABn \xC3\xAF \xC3\xA7"), "cafe en i c");
  EXPECT_EQ(FoldAndLower("S\xC3\xBA"
                         "dwest-Frysl\xC3\xA2n"),
            "sudwest-fryslan");
  EXPECT_EQ(FoldAndLower("\xC4\xB2ssel"), "ijssel");  // Ĳ
  EXPECT_EQ(FoldAndLower("Stra\xC3\x9F"
                         "e"),
            "strasse");  // ß
  EXPECT_EQ(FoldAndLower("\xC5\x81\xC3\xB3"
                         "d\xC5\xBA"),
            "lodz");  // Łódź
  EXPECT_EQ(FoldAndLower("ABC xyz 123"), "abc xyz 123");
}

TEST(FoldAndLowerTest, KeepsOtherCodePointsAndBadBytes) {
  EXPECT_EQ(FoldAndLower("\xCE\xB1"), "\xCE\xB1");  // Greek alpha unchanged
  EXPECT_EQ(FoldAndLower("a\xFF"
                         "b"),
            "a\xFF"
            "b");
}

TEST(AlnumKeyTest, IgnoresPunctuation) {
  EXPECT_EQ(AlnumKey("'s-Hertogenbosch"), "shertogenbosch");
  EXPECT_EQ(AlnumKey("Bergen (NH.)"), "bergennh");
}

TEST(TokenizeTest, SplitsOnNonAlphanumerics) {
  EXPECT_EQ(Tokenize("Hergebruik, van  kantoor-meubilair (2024)!"),
            (std::vector<std::string>{"hergebruik", "van", "kantoor", "meubilair", "2024"}));
  EXPECT_EQ(Tokenize("a b\xE2\x80\x94"
                     "cd"),
            (std::vector<std::string>{"cd"}));  // em dash separates, 1-char drop
  EXPECT_TRUE(Tokenize("").empty());
}

TEST(TokenizeTest, LettersBeyondLatinJoinWordsSymbolsAndBadBytesSeparate) {
  EXPECT_EQ(Tokenize("Straße×hout"), (std::vector<std::string>{"strasse", "hout"}));  // × is a symbol
  EXPECT_EQ(Tokenize("μέταλλο ξύλο"), (std::vector<std::string>{"μέταλλο", "ξύλο"}));
  EXPECT_EQ(Tokenize("ab\xFF"
                     "cd"),
            (std::vector<std::string>{"ab", "cd"}));  // a malformed byte
  EXPECT_EQ(Tokenize("zon\xE3\x80\x80"
                     "licht"),
            (std::vector<std::string>{"zon", "licht"}));  // U+3000
  EXPECT_EQ(Tokenize("x y hout"), (std::vector<std::string>{"hout"}));
}

TEST(TokenizeTest, OffsetsGiveTheWordsAsWritten) {
  const std::string text =
      "Levering van Kantoormeubilair \xE2\x80\x94 B\xC3\xBCrost\xC3\xBChle, \xC3\x86"
      "ble!";
  std::vector<std::string> written, folded;
  for (const Token& token : TokenizeWithOffsets(text)) {
    written.push_back(text.substr(token.begin, token.end - token.begin));
    folded.push_back(token.folded);
  }
  EXPECT_EQ(written, (std::vector<std::string>{"Levering", "van", "Kantoormeubilair", "B\xC3\xBCrost\xC3\xBChle",
                                               "\xC3\x86"
                                               "ble"}));
  EXPECT_EQ(folded, Tokenize(text));
  EXPECT_EQ(folded.back(), "aeble");
}

TEST(TokenizeTest, FoldsCodePointByCodePointAsTheWholeText) {
  // Letters that fold to two, malformed and truncated sequences, an overlong "A": as FoldAndLower reads them.
  EXPECT_EQ(Tokenize("Caf\xC3\xA9 \xC3\x86 stra\xC3\x9F"
                     "e"),
            (std::vector<std::string>{"cafe", "ae", "strasse"}));
  EXPECT_EQ(Tokenize("ab cd\xC3 ef"), (std::vector<std::string>{"ab", "cd", "ef"}));
  EXPECT_EQ(Tokenize("\xC3\xC3\xA9t\xC3\xA9"), (std::vector<std::string>{"ete"}));
  EXPECT_EQ(Tokenize("x\xC1\x81yz"), (std::vector<std::string>{"xayz"}));
  EXPECT_EQ(Tokenize("\xE2\x82"
                     "ab cd"),
            (std::vector<std::string>{"ab", "cd"}));
}

TEST(StopWordTest, DutchAndEnglish) {
  EXPECT_TRUE(IsStopWord("de"));
  EXPECT_TRUE(IsStopWord("het"));
  EXPECT_TRUE(IsStopWord("the"));
  EXPECT_TRUE(IsStopWord("and"));
  EXPECT_FALSE(IsStopWord("meubilair"));
}

// The Kraaij-Pohlmann stemmer (Xapian): inflections and the participle's ge- meet their stem.
TEST(StemTest, DutchInflectionsAndParticiplesShareAStem) {
  EXPECT_EQ(Stem("hergebruik"), Stem("hergebruiken"));
  EXPECT_EQ(Stem("hergebruikte"), Stem("hergebruiken"));
  EXPECT_EQ(Stem("gereviseerd"), Stem("gereviseerde"));
  EXPECT_EQ(Stem("opgeknapt"), Stem("opknappen"));
  EXPECT_EQ(Stem("meubels"), Stem("meubelen"));
  EXPECT_EQ(Stem("armaturen"), Stem("armatuur"));
  EXPECT_EQ(Stem("meubilair"), "meubilair");
  EXPECT_EQ(Stem("duurzaamheid"), "duurzaam");
  EXPECT_EQ(Stem("duurzaamheden"), "duurzaam");
  EXPECT_EQ(Stem("recycling"), Stem("recyclen"));
  EXPECT_EQ(Stem("circulaire"), Stem("circulair"));
  EXPECT_EQ(Stem("glas"), "glas");
  EXPECT_EQ(Stem("2024"), "2024");
}

// The shipped word list and concepts (engine/data), as the server loads them.
const TextAnalyzer& Analyzer() { return testing_util::SharedVocabulary().text_analyzer(); }

TEST(CompoundTest, ACompoundMeetsItsParts) {
  EXPECT_EQ(Analyzer().CompoundParts("kantoormeubilair"), (std::vector<std::string>{"kantoor", "meubilair"}));
  EXPECT_EQ(Analyzer().CompoundParts("bedrijfskleding"), (std::vector<std::string>{"bedrijf", "kleding"}));
  EXPECT_EQ(Analyzer().CompoundParts("tapijttegels"), (std::vector<std::string>{"tapijt", "tegel"}));
  EXPECT_EQ(Analyzer().CompoundParts("afvalinzamelingsdienst"),
            (std::vector<std::string>{"afval", "inzameling", "dienst"}));
  EXPECT_TRUE(Analyzer().CompoundParts("meubilair").empty());
  EXPECT_TRUE(Analyzer().CompoundParts("verlichting").empty());  // "ver" is too short to be a part
  EXPECT_TRUE(Analyzer().CompoundParts("xyzqwertyuiop").empty());

  // So a tender for "kantoormeubilair" and a supplier of "meubilair" share a term.
  const std::vector<std::string> tender = Analyzer().Analyze("Circulair kantoormeubilair");
  const std::vector<std::string> supplier = Analyzer().Analyze("Wij leveren gebruikt meubilair");
  EXPECT_NE(std::find(tender.begin(), tender.end(), "meubilair"), tender.end());
  EXPECT_NE(std::find(supplier.begin(), supplier.end(), "meubilair"), supplier.end());
  const std::vector<std::string> kleding = Analyzer().Analyze("bedrijfskleding");
  EXPECT_NE(std::find(kleding.begin(), kleding.end(), Stem("kleding")), kleding.end());
}

TEST(ConceptTest, SynonymsMeetInTheirConcept) {
  const auto has = [](const std::vector<std::string>& terms, const std::string& term) {
    return std::find(terms.begin(), terms.end(), term) != terms.end();
  };
  EXPECT_TRUE(has(Analyzer().Analyze("Tweedehands bureaus"), "~reuse"));
  EXPECT_TRUE(has(Analyzer().Analyze("hergebruik van meubels"), "~reuse"));
  EXPECT_TRUE(has(Analyzer().Analyze("second-hand desks"), "~reuse"));
  EXPECT_TRUE(has(Analyzer().Analyze("Wij reviseren bureaustoelen"), "~refurbish"));
  EXPECT_TRUE(has(Analyzer().Analyze("refurbished laptops"), "~refurbish"));
  EXPECT_TRUE(has(Analyzer().Analyze("met terugnamegarantie"), "~take-back"));  // a compound's part
  EXPECT_TRUE(
      has(Analyzer().Analyze("leerwerkplekken voor mensen met een afstand tot de arbeidsmarkt"), "~social-return"));
  EXPECT_FALSE(has(Analyzer().Analyze("nieuwe bureaus uit voorraad"), "~reuse"));
}

TEST(ConceptTest, EvidenceQuotesTheWordsOfItsFirstOccurrence) {
  const std::vector<ConceptHit> hits =
      Analyzer().FindConcepts("Wij reviseren bureaustoelen en bieden een terugnamegarantie; gereviseerd is beter.");
  std::vector<std::string> found;
  for (const ConceptHit& hit : hits) {
    found.push_back(Analyzer().concepts()[hit.concept].id + ": " + hit.words);
  }
  EXPECT_EQ(found, (std::vector<std::string>{"refurbish: reviseren", "take-back: terugnamegarantie"}));
  EXPECT_EQ(Analyzer().concepts()[hits[0].concept].strategy, 5);
  const std::vector<ConceptHit> platform = Analyzer().FindConcepts("Online marktplaats voor gebruikte meubels");
  ASSERT_FALSE(platform.empty());
  bool intermediary = false;
  for (const ConceptHit& hit : platform) intermediary |= Analyzer().concepts()[hit.concept].role == "intermediary";
  EXPECT_TRUE(intermediary);
}

TEST(AnalyzeTest, DropsStopWordsAndStems) {
  EXPECT_EQ(Analyzer().Analyze("Het herstofferen van de meubels"),
            (std::vector<std::string>{Stem("herstofferen"), "meubel", "~refurbish"}));
}

TEST(AnalyzeTest, AnalyzeWordsIsTheSameReadingWithPlaces) {
  const std::string text = "Wij reviseren Bureaustoelen en bieden een terugnamegarantie";
  const AnalyzedText analyzed = Analyzer().AnalyzeWords(text);
  std::vector<std::string> terms, written;
  for (const AnalyzedWord& word : analyzed.words) {
    terms.push_back(word.stem);
    written.push_back(text.substr(word.begin, word.end - word.begin));
  }
  for (const AnalyzedWord& word : analyzed.words)
    terms.insert(terms.end(), word.part_stems.begin(), word.part_stems.end());
  for (const ConceptOccurrence& c : analyzed.concepts) terms.push_back("~" + Analyzer().concepts()[c.concept].id);
  EXPECT_EQ(terms, Analyzer().Analyze(text));
  EXPECT_EQ(written, (std::vector<std::string>{"reviseren", "Bureaustoelen", "bieden", "terugnamegarantie"}));
  ASSERT_EQ(analyzed.concepts.size(), 2u);
  EXPECT_EQ(analyzed.concepts[0].first, 0);  // "reviseren": refurbish
  EXPECT_EQ(analyzed.concepts[1].first, 3);  // a part of "terugnamegarantie": take-back
}

TEST(HashTest, StableFnv1a) {
  EXPECT_EQ(Fnv1a32(""), 2166136261u);
  EXPECT_EQ(Fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(Fnv1a32("foobar"), 0xbf9cf968u);
  const int bucket = HashToBucket("hergebruik", 1 << 18);
  EXPECT_GE(bucket, 0);
  EXPECT_LT(bucket, 1 << 18);
  EXPECT_EQ(bucket, HashToBucket("hergebruik", 1 << 18));
  EXPECT_EQ(HashToBucket("x", 1), 0);
}

}  // namespace
}  // namespace circmatch
