#include "circmatch/text_analysis.h"

#include "gtest/gtest.h"

namespace circmatch {
namespace {

TEST(FoldAndLowerTest, FoldsLatinAccents) {
  EXPECT_EQ(FoldAndLower("Caf\xC3\xA9 \xC3\xABn \xC3\xAF \xC3\xA7"), "cafe en i c");
  EXPECT_EQ(FoldAndLower("S\xC3\xBA" "dwest-Frysl\xC3\xA2n"), "sudwest-fryslan");
  EXPECT_EQ(FoldAndLower("\xC4\xB2ssel"), "ijssel");     // Ĳ
  EXPECT_EQ(FoldAndLower("Stra\xC3\x9F" "e"), "strasse");  // ß
  EXPECT_EQ(FoldAndLower("\xC5\x81\xC3\xB3" "d\xC5\xBA"), "lodz");  // Łódź
  EXPECT_EQ(FoldAndLower("ABC xyz 123"), "abc xyz 123");
}

TEST(FoldAndLowerTest, KeepsOtherCodePointsAndBadBytes) {
  EXPECT_EQ(FoldAndLower("\xCE\xB1"), "\xCE\xB1");  // Greek alpha unchanged
  EXPECT_EQ(FoldAndLower("a\xFF" "b"), "a\xFF" "b");
}

TEST(AlnumKeyTest, IgnoresPunctuation) {
  EXPECT_EQ(AlnumKey("'s-Hertogenbosch"), "shertogenbosch");
  EXPECT_EQ(AlnumKey("Bergen (NH.)"), "bergennh");
}

TEST(TokenizeTest, SplitsOnNonAlphanumerics) {
  EXPECT_EQ(Tokenize("Hergebruik, van  kantoor-meubilair (2024)!"),
            (std::vector<std::string>{"hergebruik", "van", "kantoor", "meubilair", "2024"}));
  EXPECT_EQ(Tokenize("a b\xE2\x80\x94" "cd"), (std::vector<std::string>{"cd"}));  // em dash separates, 1-char drop
  EXPECT_TRUE(Tokenize("").empty());
}

TEST(TokenizeTest, LettersBeyondLatinJoinWordsSymbolsAndBadBytesSeparate) {
  EXPECT_EQ(Tokenize("Straße×hout"), (std::vector<std::string>{"strasse", "hout"}));  // × is a symbol
  EXPECT_EQ(Tokenize("μέταλλο ξύλο"), (std::vector<std::string>{"μέταλλο", "ξύλο"}));
  EXPECT_EQ(Tokenize("ab\xFF" "cd"), (std::vector<std::string>{"ab", "cd"}));  // a malformed byte
  EXPECT_EQ(Tokenize("zon\xE3\x80\x80" "licht"), (std::vector<std::string>{"zon", "licht"}));  // U+3000
  EXPECT_EQ(Tokenize("x y hout"), (std::vector<std::string>{"hout"}));
}

TEST(StopWordTest, DutchAndEnglish) {
  EXPECT_TRUE(IsStopWord("de"));
  EXPECT_TRUE(IsStopWord("het"));
  EXPECT_TRUE(IsStopWord("the"));
  EXPECT_TRUE(IsStopWord("and"));
  EXPECT_FALSE(IsStopWord("meubilair"));
}

TEST(StemTest, SharedStems) {
  EXPECT_EQ(Stem("hergebruik"), Stem("hergebruiken"));
  EXPECT_EQ(Stem("meubels"), Stem("meubelen"));
  EXPECT_EQ(Stem("meubilair"), "meubilair");
  EXPECT_EQ(Stem("duurzaamheid"), "duurzaam");
  EXPECT_EQ(Stem("duurzaamheden"), "duurzaam");
  EXPECT_EQ(Stem("recycling"), Stem("recycle"));
  EXPECT_EQ(Stem("recyclen"), Stem("recycle"));
  EXPECT_EQ(Stem("companies"), "company");
  EXPECT_EQ(Stem("suppliers"), "supplier");
  EXPECT_EQ(Stem("circulaire"), Stem("circulair"));
  EXPECT_EQ(Stem("bakken"), "bak");
  EXPECT_EQ(Stem("glas"), "glas");
  EXPECT_EQ(Stem("bus"), "bus");
  EXPECT_EQ(Stem("2024"), "2024");
  EXPECT_EQ(Stem("en"), "en");  // too short to strip
}

TEST(AnalyzeTextTest, DropsStopWordsAndStems) {
  EXPECT_EQ(AnalyzeText("Het hergebruiken van de meubels"),
            (std::vector<std::string>{"hergebruik", "meubel"}));
  EXPECT_EQ(AnalyzeText("Reuse of office chairs and chairs"),
            (std::vector<std::string>{"reus", "offic", "chair", "chair"}));
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
