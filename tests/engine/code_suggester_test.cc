#include "circmatch/code_suggester.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace circmatch {
namespace {

const CodeSuggester& Suggester() {
  static const CodeSuggester* const suggester = [] {
    const Vocabulary& vocabulary = testing_util::SharedVocabulary();
    absl::StatusOr<std::vector<CpvSynonyms>> synonyms = LoadCpvSynonyms(CIRCMATCH_TEST_DATA_DIR, vocabulary);
    if (!synonyms.ok()) {
      ADD_FAILURE() << synonyms.status();
      std::abort();
    }
    return new CodeSuggester(&vocabulary, *synonyms);
  }();
  return *suggester;
}

std::vector<std::string> Codes(const std::vector<SuggestedCode>& suggestions) {
  std::vector<std::string> codes;
  for (const SuggestedCode& s : suggestions) {
    codes.push_back(testing_util::SharedVocabulary().cpv_codes()[s.cpv].code8);
  }
  return codes;
}

bool Has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

TEST(CodeSuggesterTest, ACompoundMeetsTheLabelsOfItsParts) {
  const std::vector<SuggestedCode> s = Suggester().Suggest("Wij leveren kantoormeubilair", 5);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(Codes(s)[0], "39130000");  // Kantoormeubilair / Office furniture
  EXPECT_EQ(s[0].matched_words, (std::vector<std::string>{"kantoormeubilair"}));
}

TEST(CodeSuggesterTest, MatchedWordsAreAsWrittenEachOnceInTextOrder) {
  const std::vector<SuggestedCode> s = Suggester().Suggest("Snoeien van Bomen en heggen; bomen snoeien in parken", 3);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(Codes(s)[0], "77340000");  // Snoeien van bomen en heggen
  EXPECT_EQ(s[0].matched_words, (std::vector<std::string>{"Snoeien", "Bomen", "heggen"}));
}

TEST(CodeSuggesterTest, EnglishTextMeetsTheEnglishLabels) {
  EXPECT_EQ(Codes(Suggester().Suggest("We supply office furniture", 3))[0], "39130000");
  EXPECT_TRUE(Has(Codes(Suggester().Suggest("Street-lighting maintenance services", 3)), "50232100"));
}

TEST(CodeSuggesterTest, SynonymsMeetTheirCode) {
  // "laptops" is in no label; cpv_synonyms.csv gives it to 30213100 Portable computers.
  EXPECT_TRUE(Has(Codes(Suggester().Suggest("refurbished laptops met garantie", 3)), "30213100"));
}

TEST(CodeSuggesterTest, WorksCodesNeedATextAboutWorks) {
  // Asphalt as a product: a supply code above the paving works.
  const std::vector<std::string> supply = Codes(Suggester().Suggest("Levering van asfalt en trottoirbanden", 5));
  ASSERT_FALSE(supply.empty());
  EXPECT_NE(supply[0].substr(0, 2), "45");
  EXPECT_FALSE(Suggester().TalksAboutWorks("Levering van asfalt en trottoirbanden"));
  // The same words with construction work: works codes are suggested at full score.
  EXPECT_TRUE(Suggester().TalksAboutWorks("Aanleg en onderhoud van wegen"));
  EXPECT_TRUE(Suggester().TalksAboutWorks("wegenbouw"));  // a compound's part
  const std::vector<std::string> works = Codes(Suggester().Suggest("Aanleg van wegen en asfalteren van fietspaden", 5));
  ASSERT_FALSE(works.empty());
  EXPECT_EQ(works[0].substr(0, 2), "45");
}

TEST(CodeSuggesterTest, ASpecificCodeWinsWhenTheTextSupportsIt) {
  // "meubilair" alone: the furniture group; "stoelen" with it: a chair code, not the group.
  EXPECT_EQ(Codes(Suggester().Suggest("meubilair", 1))[0], "39100000");
  const std::string top = Codes(Suggester().Suggest("stoelen en meubilair", 1))[0];
  EXPECT_EQ(top.substr(0, 3), "391");
  EXPECT_NE(top, "39100000");
}

TEST(CodeSuggesterTest, NothingForATextWithoutProductWords) {
  EXPECT_TRUE(Suggester().Suggest("", 10).empty());
  EXPECT_TRUE(Suggester().Suggest("Wij zijn een leverancier met veel ervaring", 10).empty());
  EXPECT_TRUE(Suggester().Suggest("kantoormeubilair", 0).empty());
}

TEST(CodeSuggesterTest, DeterministicAndBounded) {
  const std::vector<SuggestedCode> a = Suggester().Suggest("schoonmaak van kantoren en glazenwassen", 7);
  const std::vector<SuggestedCode> b = Suggester().Suggest("schoonmaak van kantoren en glazenwassen", 7);
  EXPECT_EQ(Codes(a), Codes(b));
  EXPECT_LE(a.size(), 7u);
  for (size_t i = 1; i < a.size(); ++i) EXPECT_GE(a[i - 1].score, a[i].score);
}

TEST(CodeSuggesterTest, LoadRejectsAnUnknownCode) {
  EXPECT_EQ(LoadCpvSynonyms("/nonexistent", testing_util::SharedVocabulary()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace circmatch
