// VocabularyService.SuggestCodes on a real circmatch-server, over gRPC and HTTP/JSON: CPV codes for free Dutch
// and English text, the words that met them, the limits of the request, and API keys as for every call.
#include <string>
#include <vector>

#include "http_client.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

std::vector<std::string> Codes(const v1::SuggestCodesResponse& response) {
  std::vector<std::string> codes;
  for (const v1::CodeSuggestion& s : response.suggestions()) codes.push_back(s.code());
  return codes;
}

const v1::CodeSuggestion* Find(const v1::SuggestCodesResponse& response, const std::string& code) {
  for (const v1::CodeSuggestion& s : response.suggestions()) {
    if (s.code() == code) return &s;
  }
  return nullptr;
}

class SuggestCodesTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }

  grpc::Status Suggest(const std::string& text, int max, v1::SuggestCodesResponse* response) {
    v1::SuggestCodesRequest request;
    request.set_text(text);
    request.set_max_suggestions(max);
    return vocabulary_->SuggestCodes(Context().get(), request, response);
  }

  // The suggestions for `text` (failing the test on an error).
  v1::SuggestCodesResponse MustSuggest(const std::string& text, int max = 5) {
    v1::SuggestCodesResponse response;
    const grpc::Status status = Suggest(text, max, &response);
    EXPECT_TRUE(status.ok()) << StatusText(status);
    return response;
  }

  int Port() { return PortFromLog(server_->Stderr(), "HTTP/JSON API on "); }
};

TEST_F(SuggestCodesTest, ACompoundMeetsTheLabelsOfItsParts) {
  const v1::SuggestCodesResponse response = MustSuggest("Wij leveren kantoormeubilair, ook gereviseerd");
  ASSERT_GT(response.suggestions_size(), 0) << ToJson(response);
  const v1::CodeSuggestion& top = response.suggestions(0);
  EXPECT_EQ(top.code(), "39130000") << ToJson(response);
  EXPECT_EQ(top.label_nl(), "Kantoormeubilair");
  EXPECT_EQ(top.label_en(), "Office furniture");
  EXPECT_EQ(top.code_with_check_digit(), "39130000-2");
  EXPECT_EQ(top.parent_code(), "39100000");
  EXPECT_EQ(top.level(), 3);
  EXPECT_FALSE(top.works());
  EXPECT_GT(top.score(), 0);
  EXPECT_EQ(std::vector<std::string>(top.matched_words().begin(), top.matched_words().end()),
            std::vector<std::string>{"kantoormeubilair"});
  // Other furniture codes below it, met by a part of the compound ("meubilair" of "Computermeubilair").
  bool part_met = false;
  for (int i = 1; i < response.suggestions_size(); ++i) {
    const v1::CodeSuggestion& s = response.suggestions(i);
    part_met |= s.code().rfind("391", 0) == 0 && s.code() != "39130000" && s.matched_words_size() > 0 &&
                s.matched_words(0) == "kantoormeubilair";
  }
  EXPECT_TRUE(part_met) << ToJson(response);
}

TEST_F(SuggestCodesTest, MatchedWordsAreTheTextsWordsAsWritten) {
  const v1::SuggestCodesResponse response =
      MustSuggest("Onderhoud van de Openbare Verlichting en de verkeersregelinstallaties", 5);
  const v1::CodeSuggestion* lights = Find(response, "50232100");  // Street-lighting maintenance services
  ASSERT_NE(lights, nullptr) << ToJson(response);
  const std::vector<std::string> words(lights->matched_words().begin(), lights->matched_words().end());
  EXPECT_TRUE(Contains(words, "Onderhoud")) << ToJson(*lights);
  EXPECT_TRUE(Contains(words, "Verlichting")) << ToJson(*lights);
  EXPECT_FALSE(Contains(words, "de"));
}

TEST_F(SuggestCodesTest, SuggestsCodesForEverydayWordsOfSeveralSectors) {
  // Words that are in no CPV label: the shared synonyms of engine/data/cpv_synonyms.csv, the stems and parts.
  EXPECT_TRUE(Contains(Codes(MustSuggest("Wij maaien bermen en sportvelden", 3)), "77314000"));
  EXPECT_TRUE(Contains(Codes(MustSuggest("Aanbesteding leerlingenvervoer speciaal onderwijs", 3)), "60130000"));
  EXPECT_TRUE(Contains(Codes(MustSuggest("Levering van laptops en beeldschermen", 3)), "30213100"));
  EXPECT_TRUE(Contains(Codes(MustSuggest("Inzameling van huisvuil en gft", 3)), "90511200"));
}

TEST_F(SuggestCodesTest, EnglishTextWorks) {
  const v1::SuggestCodesResponse response = MustSuggest("We supply and refurbish office furniture", 5);
  ASSERT_GT(response.suggestions_size(), 0);
  EXPECT_EQ(response.suggestions(0).code(), "39130000") << ToJson(response);
  const std::vector<std::string> words(response.suggestions(0).matched_words().begin(),
                                       response.suggestions(0).matched_words().end());
  EXPECT_TRUE(Contains(words, "office")) << ToJson(response);
  EXPECT_TRUE(Contains(words, "furniture")) << ToJson(response);
}

TEST_F(SuggestCodesTest, WorksCodesOnlyForATextAboutWorks) {
  const std::vector<std::string> supply = Codes(MustSuggest("Levering van asfalt en trottoirbanden", 5));
  ASSERT_FALSE(supply.empty());
  EXPECT_NE(supply[0].substr(0, 2), "45") << "a supply of asphalt is no paving work";
  const v1::SuggestCodesResponse works = MustSuggest("Aanleg van een fietspad en asfalteren van de rijbaan", 5);
  ASSERT_GT(works.suggestions_size(), 0);
  EXPECT_TRUE(works.suggestions(0).works()) << ToJson(works);
  EXPECT_EQ(works.suggestions(0).code().substr(0, 2), "45");
}

TEST_F(SuggestCodesTest, MaxSuggestionsDefaultsToTenAndBoundsTheAnswer) {
  EXPECT_EQ(MustSuggest("schoonmaak van kantoren, scholen en gebouwen", 0).suggestions_size(), 10);
  EXPECT_EQ(MustSuggest("schoonmaak van kantoren, scholen en gebouwen", 3).suggestions_size(), 3);
  EXPECT_LE(MustSuggest("schoonmaak van kantoren, scholen en gebouwen", 50).suggestions_size(), 50);
  // Only boilerplate: nothing to suggest, and that is no error.
  EXPECT_EQ(MustSuggest("Wij zijn een leverancier met veel ervaring", 5).suggestions_size(), 0);
}

TEST_F(SuggestCodesTest, BadInputIsRefusedNamingTheField) {
  v1::SuggestCodesResponse response;
  EXPECT_TRUE(HasError(Suggest("", 5, &response), grpc::StatusCode::INVALID_ARGUMENT, "text"));
  EXPECT_TRUE(HasError(Suggest("  \n\t ", 5, &response), grpc::StatusCode::INVALID_ARGUMENT, "text"));
  // The limit counts characters, not bytes: 10,000 "é" (20,000 bytes) are accepted, one more is not.
  std::string e_acute;
  for (int i = 0; i < 10000; ++i) e_acute += "\xC3\xA9";
  EXPECT_TRUE(Suggest(e_acute, 5, &response).ok());
  const grpc::Status too_long = Suggest(e_acute + "e", 5, &response);
  EXPECT_TRUE(HasError(too_long, grpc::StatusCode::INVALID_ARGUMENT, "text"));
  EXPECT_NE(too_long.error_message().find("10001"), std::string::npos) << too_long.error_message();
  EXPECT_TRUE(
      HasError(Suggest("kantoormeubilair", -1, &response), grpc::StatusCode::INVALID_ARGUMENT, "max_suggestions"));
  EXPECT_TRUE(
      HasError(Suggest("kantoormeubilair", 51, &response), grpc::StatusCode::INVALID_ARGUMENT, "max_suggestions"));
  EXPECT_TRUE(Suggest("kantoormeubilair", 50, &response).ok());
}

TEST_F(SuggestCodesTest, OverHttpTheSameAnswerAndTheSameErrors) {
  const int port = Port();
  ASSERT_GT(port, 0) << server_->Stderr();
  const HttpResult http = HttpCall(port, "POST", "/v1/vocabulary:suggestCodes",
                                   R"({"text": "Wij leveren kantoormeubilair", "maxSuggestions": 4})",
                                   {{"Content-Type", "application/json"}});
  ASSERT_EQ(http.status, 200) << http.body;
  const auto over_http = FromJson<v1::SuggestCodesResponse>(http.body);
  const v1::SuggestCodesResponse over_grpc = MustSuggest("Wij leveren kantoormeubilair", 4);
  EXPECT_EQ(Codes(over_http), Codes(over_grpc));
  ASSERT_GT(over_http.suggestions_size(), 0);
  EXPECT_EQ(over_http.suggestions(0).matched_words(0), "kantoormeubilair");
  EXPECT_NE(http.body.find("\"matchedWords\""), std::string::npos) << http.body;

  const HttpResult empty = HttpCall(port, "POST", "/v1/vocabulary:suggestCodes", R"({"text": ""})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(empty.body.find("text: "), std::string::npos) << empty.body;
  const HttpResult too_long =
      HttpCall(port, "POST", "/v1/vocabulary:suggestCodes", "{\"text\": \"" + std::string(10001, 'a') + "\"}");
  EXPECT_EQ(too_long.status, 400);
  EXPECT_NE(too_long.body.find("text: "), std::string::npos) << too_long.body;
  const HttpResult bad_max =
      HttpCall(port, "POST", "/v1/vocabulary:suggestCodes", R"({"text": "stoelen", "maxSuggestions": 51})");
  EXPECT_EQ(bad_max.status, 400);
  EXPECT_NE(bad_max.body.find("max_suggestions"), std::string::npos) << bad_max.body;
  EXPECT_EQ(HttpCall(port, "GET", "/v1/vocabulary:suggestCodes").status, 405);
}

class SuggestCodesWithKeysTest : public TwoPartnerServerTest {
 protected:
  std::vector<std::string> MoreServerArgs() const override { return {"--http_listen=127.0.0.1:0"}; }
};

TEST_F(SuggestCodesWithKeysTest, AnUnauthenticatedCallIsRefused) {
  v1::SuggestCodesRequest request;
  request.set_text("kantoormeubilair");
  v1::SuggestCodesResponse response;
  EXPECT_EQ(vocabulary_->SuggestCodes(As("").get(), request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(vocabulary_->SuggestCodes(As("not-a-key").get(), request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status with_key = vocabulary_->SuggestCodes(As(key_a_).get(), request, &response);
  ASSERT_TRUE(with_key.ok()) << StatusText(with_key);
  EXPECT_GT(response.suggestions_size(), 0);

  const int port = PortFromLog(server_->Stderr(), "HTTP/JSON API on ");
  const std::string body = R"({"text": "kantoormeubilair"})";
  EXPECT_EQ(HttpCall(port, "POST", "/v1/vocabulary:suggestCodes", body).status, 401);
  const HttpResult with =
      HttpCall(port, "POST", "/v1/vocabulary:suggestCodes", body, {{"Authorization", "Bearer " + key_b_}});
  EXPECT_EQ(with.status, 200) << with.body;
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
