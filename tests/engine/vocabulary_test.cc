#include "circmatch/vocabulary.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "circmatch/csv.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace circmatch {
namespace {

using testing_util::SharedVocabulary;

TEST(CsvTest, QuotedFieldsWithCommasAndQuotes) {
  auto rows = ParseCsv("a,b\n\"x, y\",\"\"\"Brug\"\"-software\"\n", "t.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].fields[0], "x, y");
  EXPECT_EQ((*rows)[1].fields[1], "\"Brug\"-software");
  EXPECT_EQ((*rows)[1].line, 2);
}

TEST(CsvTest, UnterminatedQuoteNamesFileAndLine) {
  auto rows = ParseCsv("a,b\n1,\"open\n", "t.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_TRUE(absl::StrContains(rows.status().message(), "t.csv:2")) << rows.status();
}

TEST(CsvTest, WrittenLinesReadBackAsTheirFields) {
  const std::vector<std::string> fields = {"39000000", "Meubelen, inrichting", "\"R3\"", "two\nlines", ""};
  const std::string line = CsvLine(fields);
  EXPECT_EQ(line, "39000000,\"Meubelen, inrichting\",\"\"\"R3\"\"\",\"two\nlines\",\n");
  auto rows = ParseCsv(CsvLine({"a", "b", "c", "d", "e"}) + line, "t.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].fields, fields);
}

TEST(VocabularyTest, LoadMissingFolderIsNotFound) {
  auto vocabulary = Vocabulary::Load("/nonexistent-circmatch-data");
  EXPECT_EQ(vocabulary.status().code(), absl::StatusCode::kNotFound);
}

TEST(VocabularyTest, CpvHasAllCodesSortedWithHierarchy) {
  const Vocabulary& v = SharedVocabulary();
  ASSERT_EQ(v.cpv_codes().size(), 9454u);
  for (size_t i = 1; i < v.cpv_codes().size(); ++i) {
    ASSERT_LT(v.cpv_codes()[i - 1].code8, v.cpv_codes()[i].code8);
  }
  const CpvCode* furniture = v.FindCpv("39130000");
  ASSERT_NE(furniture, nullptr);
  EXPECT_EQ(furniture->code, "39130000-2");
  EXPECT_EQ(furniture->label_nl, "Kantoormeubilair");
  EXPECT_EQ(furniture->level, 3);
  ASSERT_GE(furniture->parent, 0);
  const CpvCode& group = v.cpv_codes()[furniture->parent];
  EXPECT_EQ(group.code8, "39100000");
  ASSERT_GE(group.parent, 0);
  EXPECT_EQ(v.cpv_codes()[group.parent].code8, "39000000");
  EXPECT_EQ(v.cpv_codes()[group.parent].parent, -1);
}

TEST(VocabularyTest, CpvCheckDigitFormAcceptedWrongOneRejected) {
  const Vocabulary& v = SharedVocabulary();
  EXPECT_EQ(v.FindCpvIndex("39130000-2"), v.FindCpvIndex("39130000"));
  EXPECT_GE(v.FindCpvIndex("39130000-2"), 0);
  EXPECT_EQ(v.FindCpvIndex("39130000-9"), -1);
  EXPECT_EQ(v.FindCpvIndex("39139999"), -1);
  EXPECT_EQ(v.FindCpvIndex("3913"), -1);
  EXPECT_EQ(v.FindCpv("nonsense"), nullptr);
}

TEST(VocabularyTest, QuotedLabelsParsed) {
  const CpvCode* code = SharedVocabulary().FindCpv("48219800");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->label_nl, "\"Brug\"-software");
  EXPECT_EQ(SharedVocabulary().FindCpv("03000000")->label_en,
            "Agricultural, farming, fishing, forestry and related products");
}

TEST(VocabularyTest, MunicipalityLookup) {
  const Vocabulary& v = SharedVocabulary();
  EXPECT_EQ(v.municipalities().size(), 342u);
  const Municipality* zwolle = v.FindMunicipality("Zwolle");
  ASSERT_NE(zwolle, nullptr);
  EXPECT_EQ(zwolle->code, "GM0193");
  EXPECT_EQ(zwolle->province, "Overijssel");
  EXPECT_EQ(zwolle->province_code, "PV23");
  EXPECT_EQ(zwolle->corop, "Noord-Overijssel");
  EXPECT_EQ(zwolle->corop_code, "CR10");
  EXPECT_EQ(v.FindMunicipality("ZWOLLE"), zwolle);
  EXPECT_EQ(v.FindMunicipality("gm0193"), zwolle);
  EXPECT_EQ(v.FindMunicipality("GM0193"), zwolle);

  const Municipality* bosch = v.FindMunicipality("'s-Hertogenbosch");
  ASSERT_NE(bosch, nullptr);
  EXPECT_EQ(bosch->code, "GM0796");
  EXPECT_EQ(v.FindMunicipality("\xE2\x80\x99s-Hertogenbosch"), bosch);  // typographic apostrophe
  EXPECT_EQ(v.FindMunicipality("s hertogenbosch"), bosch);
  EXPECT_EQ(v.FindMunicipality("Den Bosch"), bosch);

  const Municipality* sudwest = v.FindMunicipality("Sudwest-Fryslan");
  ASSERT_NE(sudwest, nullptr);
  EXPECT_EQ(sudwest->name,
            "S\xC3\xBA"
            "dwest-Frysl\xC3\xA2n");
  EXPECT_EQ(sudwest->province, "Frysl\xC3\xA2n");

  const Municipality* hengelo = v.FindMunicipality("Hengelo (O.)");  // CBS statistical name
  ASSERT_NE(hengelo, nullptr);
  EXPECT_EQ(hengelo->name, "Hengelo");
  EXPECT_EQ(v.FindMunicipality("Atlantis"), nullptr);
}

TEST(VocabularyTest, SmallListsAndFindTerm) {
  const Vocabulary& v = SharedVocabulary();
  ASSERT_EQ(v.strategies().size(), 10u);
  const Term* reuse = Vocabulary::FindTerm(v.strategies(), "Hergebruik");
  ASSERT_NE(reuse, nullptr);
  EXPECT_EQ(reuse->id, "R3");
  EXPECT_EQ(reuse->level, 3);
  EXPECT_EQ(Vocabulary::FindTerm(v.strategies(), "r8")->id, "R8");
  EXPECT_EQ(Vocabulary::FindTerm(v.materials(), "MEUBILAIR")->id, "furniture");
  EXPECT_EQ(Vocabulary::FindTerm(v.certifications(), "CO2 Prestatieladder 5")->id, "co2-prestatieladder-5");
  EXPECT_EQ(Vocabulary::FindTerm(v.certifications(), "ISO14001")->id, "iso-14001");
  EXPECT_EQ(Vocabulary::FindTerm(v.phases(), "Marktconsultatie")->id, "market-consultation");
  EXPECT_EQ(Vocabulary::FindTerm(v.topics(), "mkb")->id, "sme-access");
  EXPECT_EQ(Vocabulary::FindTerm(v.materials(), "unobtainium"), nullptr);
  EXPECT_EQ(Vocabulary::FindTerm(v.materials(), ""), nullptr);
}

Profile ValidSupplier() {
  Profile p = testing_util::Supplier("s1", {"39130000-2"});
  return p;
}

absl::Status Normalize(Profile* p, int dimension = 0) { return NormalizeProfile(SharedVocabulary(), dimension, p); }

// A tender's text names certificates and a distance it requires; NormalizeProfile keeps them beside the tags, the
// lowest level of a ladder where the text names several ("VCA* of VCA**" asks for VCA*), and a tag named again
// not twice.
TEST(NormalizeProfileTest, DerivesWhatATendersTextRequires) {
  Profile tender = testing_util::Tender("t", {"90511200"});
  tender.needs.certifications = {"iso-14001"};
  tender.needs.text =
      "Medewerkers zijn VCA*- of VCA**-gecertificeerd, het bedrijf ISO 14001 en FSC; de loods ligt "
      "binnen een straal van 30 km, de werf binnen 45 km.";
  ASSERT_TRUE(Normalize(&tender).ok());
  EXPECT_EQ(tender.needs.named_certifications, (std::vector<std::string>{"fsc", "vca-1"}));
  EXPECT_EQ(tender.needs.named_max_distance_km, 30);
  Profile strict = testing_util::Tender("s", {"90511200"});
  strict.needs.text = "VCA** verplicht voor al het personeel.";
  ASSERT_TRUE(Normalize(&strict).ok());
  EXPECT_EQ(strict.needs.named_certifications, (std::vector<std::string>{"vca-2"}));
  EXPECT_EQ(strict.needs.named_max_distance_km, 0);
  // A supplier's text that names a certificate does not hold it.
  Profile supplier = ValidSupplier();
  supplier.capabilities.text = "Wij werken volgens ISO 14001.";
  ASSERT_TRUE(Normalize(&supplier).ok());
  EXPECT_TRUE(supplier.capabilities.named_certifications.empty());
}

// A ladder's level named apart from the ladder, before or after it and within a few words, is named as well;
// a bare number or a plain word near the ladder's name is not a level.
TEST(VocabularyTest, ALadderLevelNamedApartFromItsLadder) {
  const Vocabulary& v = SharedVocabulary();
  using Ids = std::vector<std::string>;
  EXPECT_EQ(
      v.CertificationsNamedIn("Inschrijvers zijn gecertificeerd op minimaal niveau 3 van de CO2-Prestatieladder."),
      (Ids{"co2-prestatieladder-3"}));
  EXPECT_EQ(v.CertificationsNamedIn("De CO2-Prestatieladder, en dan trede 4 of hoger, is een eis."),
            (Ids{"co2-prestatieladder-4"}));
  EXPECT_EQ(v.CertificationsNamedIn("Producten dragen Cradle to Cradle Certified, ten minste Goud."),
            (Ids{"cradle-to-cradle", "cradle-to-cradle-gold"}));
  EXPECT_EQ(v.CertificationsNamedIn("CO2-Prestatieladder niveau 3"), (Ids{"co2-prestatieladder-3"}));
  // Too far from the ladder's name, or no level word: only the ladder's own names count.
  EXPECT_TRUE(v.CertificationsNamedIn("Wij vragen niveau 3 rapportage over vijf jaar met kwartaaloverzichten, "
                                      "twee evaluaties en een eindverslag; de CO2-Prestatieladder is een pré.")
                  .empty());
  EXPECT_TRUE(v.CertificationsNamedIn("De CO2-Prestatieladder geldt 3 jaar.").empty());
  EXPECT_EQ(v.CertificationsNamedIn("VCA op basis van de branche-eisen, en VCA** voor de ploegleider."),
            (Ids{"vca-2"}));
}

TEST(NormalizeProfileTest, CanonicalizesEverything) {
  Profile p = ValidSupplier();
  p.capabilities.cpv_codes = {"39130000-2", "39130000", "45000000"};
  p.capabilities.strategies = {5, 3, 3};
  p.capabilities.materials = {"Hout", "  Bamboe ", "wood"};
  p.capabilities.certifications = {"ISO 14001", "co2pl-3", "Keurmerk  Groenkeur", "keurmerk-groenkeur"};
  p.capabilities.phases = {"bestek"};
  p.capabilities.topics = {"TCO"};
  p.location.municipality = "zwolle";
  ASSERT_TRUE(Normalize(&p).ok());
  EXPECT_EQ(p.capabilities.cpv_codes, (std::vector<std::string>{"39130000", "45000000"}));
  EXPECT_EQ(p.capabilities.strategies, (std::vector<int>{3, 5}));
  EXPECT_EQ(p.capabilities.materials, (std::vector<std::string>{"bamboe", "wood"}));
  EXPECT_EQ(p.capabilities.certifications,
            (std::vector<std::string>{"co2-prestatieladder-3", "iso-14001", "keurmerk-groenkeur"}));
  EXPECT_EQ(p.capabilities.phases, (std::vector<std::string>{"specification"}));
  EXPECT_EQ(p.capabilities.topics, (std::vector<std::string>{"tco"}));
  EXPECT_EQ(p.location.municipality, "Zwolle");
  EXPECT_EQ(p.location.municipality_code, "GM0193");
  EXPECT_EQ(p.location.province, "Overijssel");
  ASSERT_TRUE(p.location.point.has_value());
  EXPECT_NEAR(p.location.point->latitude, 52.5, 0.2);
}

TEST(NormalizeProfileTest, KeepsGivenPoint) {
  Profile p = ValidSupplier();
  p.location.municipality = "Zwolle";
  p.location.point = GeoPoint{52.0, 5.0};
  ASSERT_TRUE(Normalize(&p).ok());
  EXPECT_EQ(p.location.point->latitude, 52.0);
}

struct BadCase {
  const char* name;
  void (*mutate)(Profile*);
  const char* message;
};

TEST(NormalizeProfileTest, ValidationMessagesNameTheField) {
  const BadCase cases[] = {
      {"unknown cpv",
       [](Profile* p) {
         p->needs.cpv_codes = {"39130000", "39139999"};
       },
       "needs.cpv_codes[1]: unknown CPV code \"39139999\""},
      {"unknown municipality", [](Profile* p) { p->location.municipality = "Atlantis"; },
       "location.municipality: unknown municipality \"Atlantis\""},
      {"nan embedding",
       [](Profile* p) {
         p->embedding = {0, 1, 2, std::numeric_limits<float>::quiet_NaN()};
       },
       "embedding[3]: not a finite number"},
      {"empty id", [](Profile* p) { p->key.id = ""; }, "id: must not be empty"},
      {"empty owner", [](Profile* p) { p->key.owner = ""; }, "owner: must not be empty"},
      {"long id", [](Profile* p) { p->key.id = std::string(129, 'x'); }, "id: must be at most 128 bytes"},
      {"control char", [](Profile* p) { p->key.id = "a\nb"; }, "id: must not contain control characters"},
      {"strategy", [](Profile* p) { p->offers.strategies = {10}; }, "offers.strategies[0]:"},
      {"certification",
       [](Profile* p) {
         p->capabilities.certifications = {"ok", "-"};
       },
       "capabilities.certifications[1]: must contain a letter or digit"},
      {"long certification", [](Profile* p) { p->capabilities.certifications = {std::string(101, 'x')}; },
       "capabilities.certifications[0]: must be at most 100 characters, got 101"},
      {"phase", [](Profile* p) { p->asks.phases = {"x"}; }, "asks.phases[0]: unknown phase"},
      {"topic",
       [](Profile* p) {
         p->asks.topics = {"tco", "y"};
       },
       "asks.topics[1]: unknown topic"},
      {"empty material", [](Profile* p) { p->needs.materials = {" "}; }, "needs.materials[0]: must not be empty"},
      {"capacity", [](Profile* p) { p->capacity = -1; }, "capacity:"},
      {"radius", [](Profile* p) { p->service_radius_km = -5; }, "service_radius_km:"},
      {"latitude",
       [](Profile* p) {
         p->location.point = GeoPoint{91, 0};
       },
       "location.point.latitude:"},
      {"longitude",
       [](Profile* p) {
         p->location.point = GeoPoint{0, std::nan("")};
       },
       "location.point.longitude:"},
      {"window",
       [](Profile* p) {
         p->publication_time = 100;
         p->closing_time = 50;
       },
       "closing_time:"},
      {"embedding size",
       [](Profile* p) {
         p->embedding = {1, 2};
       },
       "embedding: expected 4 numbers, got 2"},
  };
  for (const BadCase& c : cases) {
    Profile p = ValidSupplier();
    c.mutate(&p);
    const Profile before = p;
    absl::Status status = Normalize(&p, 4);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StartsWith(status.message(), c.message)) << c.name << ": " << status.message();
    // Nothing changed on failure.
    EXPECT_EQ(p.key, before.key) << c.name;
    EXPECT_EQ(p.needs.cpv_codes, before.needs.cpv_codes) << c.name;
    EXPECT_EQ(p.capabilities.cpv_codes, before.capabilities.cpv_codes) << c.name;
    EXPECT_EQ(p.location.municipality_code, before.location.municipality_code) << c.name;
  }
}

TEST(NormalizeProfileTest, EmbeddingsRejectedWhenDisabled) {
  Profile p = ValidSupplier();
  p.embedding = {1, 2, 3};
  EXPECT_TRUE(absl::StartsWith(Normalize(&p, 0).message(), "embedding:"));
  EXPECT_TRUE(Normalize(&p, 3).ok());
}

TEST(ProfileKindNameTest, Names) {
  EXPECT_STREQ(ProfileKindName(ProfileKind::kBuyer), "BUYER");
  EXPECT_STREQ(ProfileKindName(ProfileKind::kTender), "TENDER");
  EXPECT_STREQ(ProfileKindName(ProfileKind::kSupplier), "SUPPLIER");
  EXPECT_STREQ(ProfileKindName(ProfileKind::kBuddy), "BUDDY");
}

}  // namespace
}  // namespace circmatch
