// The controlled vocabularies, loaded once from the shipped reference data (engine/data/): the CPV 2008 main
// vocabulary with its hierarchy, the R-ladder, materials, certifications, procurement phases, buddy topics, the
// Dutch municipalities with the coordinates of their centres, and the text analysis's word list and concepts.
//
// Thread-safety: immutable after Load; share one instance across threads.
//
//   absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load("/usr/share/circmatch");
//   if (!vocabulary.ok()) return vocabulary.status();
//   const CpvCode* code = (*vocabulary)->FindCpv("39130000-2");  // office furniture
#ifndef CIRCMATCH_VOCABULARY_H_
#define CIRCMATCH_VOCABULARY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "circmatch/profile.h"
#include "circmatch/text_analysis.h"

namespace circmatch {

// One CPV 2008 code.
struct CpvCode {
  std::string code8;  // "39130000"
  std::string code;   // with check digit, "39130000-2"
  std::string label_en;
  std::string label_nl;
  int parent = -1;  // index of the parent in Vocabulary::cpv_codes(), -1 for a division
  int level = 1;    // 1 division, 2 group, 3 class, 4+ category
};

// One term of a small controlled list (strategies, materials, certifications, phases, topics).
struct Term {
  std::string id;  // "R3", "wood", "iso-14001", "market-consultation"
  std::string label_en;
  std::string label_nl;
  int level = 0;                     // strategies: the R number; certifications: the level within a ladder, else 0
  std::string family;                // certifications: the ladder a levelled certification belongs to, else empty
  std::vector<std::string> aliases;  // other accepted spellings (lower case), e.g. "reuse", "hergebruik"
};

// One Dutch municipality.
struct Municipality {
  std::string name;           // "Zwolle"
  std::string code;           // "GM0193"
  std::string province;       // "Overijssel"
  std::string province_code;  // CBS code, "PV23"
  std::string corop;          // COROP region (= NUTS-3 in the Netherlands), "Noord-Overijssel"
  std::string corop_code;     // CBS code, "CR10"
  GeoPoint centre;
};

// The longest canonical free certification label accepted.
inline constexpr size_t kMaxCertificationLength = 100;

class Vocabulary {
 public:
  // Loads every list from `data_dir` (the folder holding cpv_2008.csv, nl_municipalities.csv and the small
  // lists). NOT_FOUND when a file is missing; INVALID_ARGUMENT naming file and line when a row is malformed.
  static absl::StatusOr<std::unique_ptr<Vocabulary>> Load(const std::string& data_dir);

  // All CPV codes, sorted by code.
  const std::vector<CpvCode>& cpv_codes() const { return cpv_codes_; }
  // Index into cpv_codes() of an 8-digit code or a code with check digit; -1 when unknown.
  int FindCpvIndex(absl::string_view code) const;
  // The code, or nullptr when unknown.
  const CpvCode* FindCpv(absl::string_view code) const;

  const std::vector<Term>& strategies() const { return strategies_; }  // R0..R9, in order
  const std::vector<Term>& materials() const { return materials_; }
  const std::vector<Term>& certifications() const { return certifications_; }
  const std::vector<Term>& phases() const { return phases_; }
  const std::vector<Term>& topics() const { return topics_; }
  const std::vector<Municipality>& municipalities() const { return municipalities_; }
  // The text analysis of the reference data: the Dutch word list (nl_words.txt) and the domain concepts
  // (text_concepts.csv).
  const TextAnalyzer& text_analyzer() const { return *text_analyzer_; }

  // Looks a term up by id or alias, case- and accent-insensitively; nullptr when unknown.
  static const Term* FindTerm(const std::vector<Term>& list, absl::string_view word);
  // A municipality by official name (case-insensitive, accents folded) or CBS code; nullptr when unknown.
  const Municipality* FindMunicipality(absl::string_view name_or_code) const;

  // The canonical form of a certification, open to labels outside the list: the id of a listed one (by id or
  // alias, as FindTerm: "CO2 Prestatieladder 5" -> "co2-prestatieladder-5"), else the free label's key: accents
  // folded, lower case, each run of characters other than letters and digits one hyphen, none at the ends
  // ("Keurmerk  Duurzaam_Ondernemen" -> "keurmerk-duurzaam-ondernemen"). Empty when there is no letter or digit.
  std::string CanonicalCertification(absl::string_view value) const;
  // CanonicalCertification of a value given at `field`, or INVALID_ARGUMENT naming it: "<field>: must contain a
  // letter or digit", "<field>: must be at most 100 characters, got 130".
  absl::StatusOr<std::string> CheckedCertification(absl::string_view value, absl::string_view field) const;
  // Canonical certifications held by a holder of `canonical` ones: those, and the lower levels of the same
  // family for each listed ladder level (cradle-to-cradle-gold implies -silver, -bronze and plain
  // cradle-to-cradle). Free labels imply nothing. Sorted, without repeats.
  std::vector<std::string> HeldCertifications(const std::vector<std::string>& canonical) const;
  // Listed certifications a text names by id, alias or label (case, accents and punctuation ignored, "VCA**" not
  // read as "VCA*"), sorted: "Drukwerk moet FSC-gecertificeerd zijn" -> {"fsc"}. A ladder's level may also be
  // named apart from the ladder, within kLadderLevelWindow words of it: "minimaal niveau 3 van de
  // CO2-Prestatieladder", "Cradle to Cradle, op zijn minst Goud" ("niveau" may be "trede"; a bare number is not
  // read as a level).
  std::vector<std::string> CertificationsNamedIn(absl::string_view text) const;
  static constexpr int kLadderLevelWindow = 6;

 private:
  Vocabulary() = default;
  // Adds the names of a ladder level apart from its ladder's to ladder_level_names_.
  void AddLadderLevelNames(const Term& term);
  std::vector<CpvCode> cpv_codes_;
  absl::flat_hash_map<std::string, int> cpv_by_code8_;
  std::vector<Term> strategies_, materials_, certifications_, phases_, topics_;
  std::vector<Municipality> municipalities_;
  absl::flat_hash_map<std::string, int> municipality_by_key_;
  std::unique_ptr<TextAnalyzer> text_analyzer_;
  // Every id, alias and label of a listed certification as CertificationsNamedIn compares them, with its id.
  std::vector<std::pair<std::string, std::string>> certification_names_;
  // Per level of a ladder, the words of its family's name ("co2 prestatieladder") and of its level apart
  // ("niveau 3", "trede 3"), as CertificationMatchKey spaces them, with its id.
  struct LadderLevelName {
    std::vector<std::string> family_words;
    std::string level_key;  // " niveau 3 "
    std::string id;
  };
  std::vector<LadderLevelName> ladder_level_names_;
};

// Checks a profile against the vocabulary and brings every value into canonical form (CPV codes to 8 digits,
// strategies to R numbers, terms to their ids, certifications by CanonicalCertification, the municipality
// looked up to its centre, duplicates removed), and derives what the texts show (FacetValues' evidenced
// strategies, intermediary role, and for needs the certifications the text names). Certifications outside the list are
// kept as free labels (at most kMaxCertificationLength bytes); CPV codes, strategies, phases, topics and municipalities
// must be listed. `embedding_dimension` is the deployment's dense dimension (0 = embeddings not accepted).
// INVALID_ARGUMENT naming the field, e.g. `needs.cpv_codes[1]: unknown CPV code "39139999"`. Nothing is
// changed when it fails.
absl::Status NormalizeProfile(const Vocabulary& vocabulary, int embedding_dimension, Profile* profile);

}  // namespace circmatch

#endif  // CIRCMATCH_VOCABULARY_H_
