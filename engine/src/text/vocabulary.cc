#include "circmatch/vocabulary.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "circmatch/csv.h"
#include "circmatch/text_analysis.h"

namespace circmatch {

const char* ProfileKindName(ProfileKind kind) {
  switch (kind) {
    case ProfileKind::kBuyer:
      return "BUYER";
    case ProfileKind::kTender:
      return "TENDER";
    case ProfileKind::kSupplier:
      return "SUPPLIER";
    case ProfileKind::kBuddy:
      return "BUDDY";
  }
  return "UNKNOWN";
}

namespace {

// A loaded CSV file: its rows after the header, with the position of each named column.
struct Table {
  std::string name;
  std::vector<CsvRow> rows;
  std::vector<std::string> header;

  int Column(absl::string_view column) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == column) return static_cast<int>(i);
    }
    return -1;
  }
};

absl::StatusOr<Table> ReadTable(const std::string& data_dir, const std::string& file,
                                const std::vector<std::string>& required_columns) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadCsvFile(data_dir, file);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": no header row"));
  Table table;
  table.name = file;
  table.header = std::move(rows->front().fields);
  rows->erase(rows->begin());
  table.rows = std::move(*rows);
  for (const std::string& column : required_columns) {
    if (table.Column(column) < 0) {
      return absl::InvalidArgumentError(absl::StrFormat("%s:1: missing column \"%s\"", file, column));
    }
  }
  for (const CsvRow& row : table.rows) {
    if (row.fields.size() != table.header.size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s:%d: expected %d fields, got %d", file, row.line, table.header.size(), row.fields.size()));
    }
  }
  return table;
}

absl::Status RowError(const Table& table, const CsvRow& row, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrFormat("%s:%d: %s", table.name, row.line, what));
}

bool IsDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

absl::StatusOr<std::vector<Term>> LoadTerms(const std::string& data_dir, const std::string& file) {
  absl::StatusOr<Table> table = ReadTable(data_dir, file, {"id", "label_en", "label_nl", "level", "family", "aliases"});
  if (!table.ok()) return table.status();
  const int id = table->Column("id"), en = table->Column("label_en"), nl = table->Column("label_nl"),
            level = table->Column("level"), family = table->Column("family"), aliases = table->Column("aliases");
  std::vector<Term> terms;
  for (const CsvRow& row : table->rows) {
    Term term;
    term.id = row.fields[id];
    if (term.id.empty()) return RowError(*table, row, "empty id");
    term.label_en = row.fields[en];
    term.label_nl = row.fields[nl];
    if (!row.fields[level].empty() && !absl::SimpleAtoi(row.fields[level], &term.level)) {
      return RowError(*table, row, absl::StrCat("bad level \"", row.fields[level], "\""));
    }
    term.family = row.fields[family];
    for (absl::string_view alias : absl::StrSplit(row.fields[aliases], ';', absl::SkipWhitespace())) {
      term.aliases.push_back(FoldAndLower(absl::StripAsciiWhitespace(alias)));
    }
    terms.push_back(std::move(term));
  }
  return terms;
}

// Lower case, accents folded, every run of characters other than letters, digits and '*' one space, with a space
// at each end, so a name is found as " name " (whole words; "vca*" is not found in "vca**").
std::string CertificationMatchKey(absl::string_view text) {
  std::string key = " ";
  for (char c : FoldAndLower(text)) {
    const bool keep =
        absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '*' || static_cast<unsigned char>(c) >= 0x80;
    if (keep) {
      key.push_back(c);
    } else if (key.back() != ' ') {
      key.push_back(' ');
    }
  }
  if (key.back() != ' ') key.push_back(' ');
  return key;
}

// The word list (one folded word a line) and the concepts (id, strategy "R0".."R9" or empty, role, phrases
// separated by ';', each stemmed word by word).
absl::StatusOr<std::unique_ptr<TextAnalyzer>> LoadTextAnalyzer(const std::string& data_dir) {
  const std::string words_path = data_dir + "/nl_words.txt";
  std::ifstream words_file(words_path);
  if (!words_file) return absl::NotFoundError(absl::StrCat(words_path, ": cannot be read"));
  std::vector<std::string> words;
  for (std::string line; std::getline(words_file, line);) {
    std::string word = FoldAndLower(absl::StripAsciiWhitespace(line));
    if (!word.empty()) words.push_back(std::move(word));
  }
  absl::StatusOr<Table> table = ReadTable(data_dir, "text_concepts.csv", {"id", "strategy", "role", "phrases"});
  if (!table.ok()) return table.status();
  std::vector<TextConcept> concepts;
  const int id = table->Column("id"), strategy = table->Column("strategy"), role = table->Column("role"),
            phrases = table->Column("phrases");
  for (const CsvRow& row : table->rows) {
    TextConcept concept;
    concept.id = row.fields[id];
    concept.role = row.fields[role];
    if (!row.fields[strategy].empty()) {
      const std::string& r = row.fields[strategy];
      if (r.size() != 2 || r[0] != 'R' || r[1] < '0' || r[1] > '9') {
        return RowError(*table, row, absl::StrCat("bad strategy \"", r, "\""));
      }
      concept.strategy = r[1] - '0';
    }
    for (absl::string_view phrase : absl::StrSplit(row.fields[phrases], ';', absl::SkipWhitespace())) {
      std::vector<std::string> stems;
      for (const std::string& token : Tokenize(phrase)) {
        if (!IsStopWord(token)) stems.push_back(Stem(token));  // as the text's words are read
      }
      if (!stems.empty()) concept.phrases.push_back(std::move(stems));
    }
    concepts.push_back(std::move(concept));
  }
  return std::make_unique<TextAnalyzer>(words, std::move(concepts));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Vocabulary>> Vocabulary::Load(const std::string& data_dir) {
  std::unique_ptr<Vocabulary> vocabulary(new Vocabulary());

  // CPV 2008: codes sorted by code, parents resolved to indices.
  {
    absl::StatusOr<Table> table =
        ReadTable(data_dir, "cpv_2008.csv", {"code", "code8", "label_en", "label_nl", "parent_code", "level"});
    if (!table.ok()) return table.status();
    const int code = table->Column("code"), code8 = table->Column("code8"), en = table->Column("label_en"),
              nl = table->Column("label_nl"), parent = table->Column("parent_code"), level = table->Column("level");
    std::vector<std::string> parent_codes;
    for (const CsvRow& row : table->rows) {
      CpvCode cpv;
      cpv.code8 = row.fields[code8];
      cpv.code = row.fields[code];
      if (cpv.code8.size() != 8 || !IsDigits(cpv.code8) || cpv.code.substr(0, 8) != cpv.code8) {
        return RowError(*table, row, absl::StrCat("bad CPV code \"", cpv.code, "\""));
      }
      cpv.label_en = row.fields[en];
      cpv.label_nl = row.fields[nl];
      if (!absl::SimpleAtoi(row.fields[level], &cpv.level) || cpv.level < 1) {
        return RowError(*table, row, absl::StrCat("bad level \"", row.fields[level], "\""));
      }
      parent_codes.push_back(row.fields[parent].substr(0, 8));
      vocabulary->cpv_codes_.push_back(std::move(cpv));
    }
    std::vector<int> order(vocabulary->cpv_codes_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return vocabulary->cpv_codes_[a].code8 < vocabulary->cpv_codes_[b].code8; });
    std::vector<CpvCode> sorted;
    std::vector<std::string> sorted_parents;
    for (int i : order) {
      sorted.push_back(std::move(vocabulary->cpv_codes_[i]));
      sorted_parents.push_back(std::move(parent_codes[i]));
    }
    vocabulary->cpv_codes_ = std::move(sorted);
    for (size_t i = 0; i < vocabulary->cpv_codes_.size(); ++i) {
      if (!vocabulary->cpv_by_code8_.emplace(vocabulary->cpv_codes_[i].code8, static_cast<int>(i)).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("cpv_2008.csv: duplicate code ", vocabulary->cpv_codes_[i].code8));
      }
    }
    for (size_t i = 0; i < vocabulary->cpv_codes_.size(); ++i) {
      if (sorted_parents[i].empty()) continue;
      auto it = vocabulary->cpv_by_code8_.find(sorted_parents[i]);
      if (it == vocabulary->cpv_by_code8_.end() || it->second == static_cast<int>(i)) {
        return absl::InvalidArgumentError(absl::StrCat("cpv_2008.csv: code ", vocabulary->cpv_codes_[i].code8,
                                                       " has unknown parent ", sorted_parents[i]));
      }
      vocabulary->cpv_codes_[i].parent = it->second;
    }
  }

  // Municipalities, found by official name, CBS statistical name or GM code.
  {
    absl::StatusOr<Table> table =
        ReadTable(data_dir, "nl_municipalities.csv",
                  {"name", "province", "lat", "lon", "gm_code", "name_cbs", "province_code", "corop", "corop_code"});
    if (!table.ok()) return table.status();
    const int name = table->Column("name"), province = table->Column("province"), lat = table->Column("lat"),
              lon = table->Column("lon"), code = table->Column("gm_code"), name_cbs = table->Column("name_cbs"),
              province_code = table->Column("province_code"), corop = table->Column("corop"),
              corop_code = table->Column("corop_code");
    for (const CsvRow& row : table->rows) {
      Municipality m;
      m.name = row.fields[name];
      m.code = row.fields[code];
      m.province = row.fields[province];
      m.province_code = row.fields[province_code];
      m.corop = row.fields[corop];
      m.corop_code = row.fields[corop_code];
      if (!absl::SimpleAtod(row.fields[lat], &m.centre.latitude) ||
          !absl::SimpleAtod(row.fields[lon], &m.centre.longitude) || std::abs(m.centre.latitude) > 90 ||
          std::abs(m.centre.longitude) > 180) {
        return RowError(*table, row, "bad lat/lon");
      }
      if (m.name.empty() || m.code.empty()) return RowError(*table, row, "empty name or gm_code");
      const int index = static_cast<int>(vocabulary->municipalities_.size());
      for (const std::string& key : {m.name, row.fields[name_cbs], m.code}) {
        if (!key.empty()) vocabulary->municipality_by_key_.emplace(AlnumKey(key), index);
      }
      vocabulary->municipalities_.push_back(std::move(m));
    }
    // Everyday names of the two municipalities whose official names start with 's-.
    for (const auto& [alias, official] :
         {std::pair<const char*, const char*>{"Den Haag", "'s-Gravenhage"}, {"Den Bosch", "'s-Hertogenbosch"}}) {
      auto it = vocabulary->municipality_by_key_.find(AlnumKey(official));
      if (it != vocabulary->municipality_by_key_.end()) {
        vocabulary->municipality_by_key_.emplace(AlnumKey(alias), it->second);
      }
    }
  }

  for (const auto& [file, list] :
       {std::pair<const char*, std::vector<Term>*>{"strategies.csv", &vocabulary->strategies_},
        {"materials.csv", &vocabulary->materials_},
        {"certifications.csv", &vocabulary->certifications_},
        {"phases.csv", &vocabulary->phases_},
        {"topics.csv", &vocabulary->topics_}}) {
    absl::StatusOr<std::vector<Term>> terms = LoadTerms(data_dir, file);
    if (!terms.ok()) return terms.status();
    *list = std::move(*terms);
  }
  for (const Term& term : vocabulary->certifications_) {
    for (const std::string* name : {&term.id, &term.label_en, &term.label_nl}) {
      vocabulary->certification_names_.emplace_back(CertificationMatchKey(*name), term.id);
    }
    for (const std::string& alias : term.aliases) {
      vocabulary->certification_names_.emplace_back(CertificationMatchKey(alias), term.id);
    }
    vocabulary->AddLadderLevelNames(term);
  }
  absl::StatusOr<std::unique_ptr<TextAnalyzer>> analyzer = LoadTextAnalyzer(data_dir);
  if (!analyzer.ok()) return analyzer.status();
  vocabulary->text_analyzer_ = *std::move(analyzer);
  if (vocabulary->strategies_.size() != 10) {
    return absl::InvalidArgumentError("strategies.csv: expected R0..R9 (10 rows)");
  }
  for (int i = 0; i < 10; ++i) {
    if (vocabulary->strategies_[i].level != i) {
      return absl::InvalidArgumentError("strategies.csv: rows must be R0..R9 in order with level = R number");
    }
  }
  return vocabulary;
}

int Vocabulary::FindCpvIndex(absl::string_view code) const {
  code = absl::StripAsciiWhitespace(code);
  absl::string_view digits = code.substr(0, std::min<size_t>(8, code.size()));
  if (digits.size() != 8 || !IsDigits(digits)) return -1;
  auto it = cpv_by_code8_.find(digits);
  if (it == cpv_by_code8_.end()) return -1;
  if (code.size() > 8 && code != cpv_codes_[it->second].code) return -1;  // wrong check digit or trailing text
  return it->second;
}

const CpvCode* Vocabulary::FindCpv(absl::string_view code) const {
  const int index = FindCpvIndex(code);
  return index < 0 ? nullptr : &cpv_codes_[index];
}

const Term* Vocabulary::FindTerm(const std::vector<Term>& list, absl::string_view word) {
  // Normalized profiles carry the ids themselves: found without folding every id of the list.
  for (const Term& term : list) {
    if (term.id == word) return &term;
  }
  const std::string folded = FoldAndLower(absl::StripAsciiWhitespace(word));
  if (folded.empty()) return nullptr;
  for (const Term& term : list) {
    if (FoldAndLower(term.id) == folded) return &term;
    for (const std::string& alias : term.aliases) {
      if (alias == folded) return &term;
    }
  }
  // Second chance ignoring punctuation and spacing: "CO2 Prestatieladder-5", "iso14001".
  const std::string key = AlnumKey(folded);
  if (key.empty()) return nullptr;
  for (const Term& term : list) {
    if (AlnumKey(term.id) == key) return &term;
    for (const std::string& alias : term.aliases) {
      if (AlnumKey(alias) == key) return &term;
    }
  }
  return nullptr;
}

const Municipality* Vocabulary::FindMunicipality(absl::string_view name_or_code) const {
  const std::string key = AlnumKey(name_or_code);
  if (key.empty()) return nullptr;
  auto it = municipality_by_key_.find(key);
  return it == municipality_by_key_.end() ? nullptr : &municipalities_[it->second];
}

std::string Vocabulary::CanonicalCertification(absl::string_view value) const {
  if (const Term* term = FindTerm(certifications_, value)) return term->id;
  const std::string folded = FoldAndLower(value);
  std::string key;
  bool separated = false;
  for (char c : folded) {
    // Bytes of code points beyond Latin that folding kept count as letters.
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      if (separated && !key.empty()) key.push_back('-');
      key.push_back(c);
      separated = false;
    } else {
      separated = true;
    }
  }
  return key;
}

absl::StatusOr<std::string> Vocabulary::CheckedCertification(absl::string_view value, absl::string_view field) const {
  std::string canonical = CanonicalCertification(value);
  if (canonical.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must contain a letter or digit"));
  if (canonical.size() > kMaxCertificationLength) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: must be at most %d characters, got %d", field, kMaxCertificationLength, canonical.size()));
  }
  return canonical;
}

namespace {
constexpr absl::string_view kLadderMetals[] = {"brons",  "zilver", "goud", "platina",
                                               "bronze", "silver", "gold", "platinum"};
}  // namespace

void Vocabulary::AddLadderLevelNames(const Term& term) {
  if (term.family.empty() || term.level < 1) return;
  const std::string family = CertificationMatchKey(term.family);
  std::vector<std::string> level_keys;
  for (const std::string& name : term.aliases) level_keys.push_back(CertificationMatchKey(name));
  for (const std::string* name : {&term.label_en, &term.label_nl}) level_keys.push_back(CertificationMatchKey(*name));
  for (std::string& key : level_keys) {
    const size_t at = key.find(family);
    if (at == std::string::npos) continue;
    // What the name says beyond the family's: " niveau 3 ", " goud ", " 1 ster ".
    std::string level = absl::StrCat(key.substr(0, at), key.substr(at + family.size() - 1));
    // Only a number with its word ("niveau 3", "2 sterren") or a metal reads as a level away from the ladder's
    // name: a bare number, or a word such as "basis" or "vol", is too often something else.
    const std::vector<std::string> words = absl::StrSplit(level, ' ', absl::SkipEmpty());
    const auto is_number = [](const std::string& w) { return absl::c_all_of(w, absl::ascii_isdigit); };
    const bool numbered = words.size() == 2 && absl::c_count_if(words, is_number) == 1;
    const bool metal = words.size() == 1 && absl::c_linear_search(kLadderMetals, words[0]);
    if (!numbered && !metal) continue;
    std::vector<std::string> levels = {level};
    if (absl::StartsWith(level, " niveau ")) levels.push_back(absl::StrCat(" trede ", level.substr(8)));
    for (std::string& level_key : levels) {
      if (std::any_of(ladder_level_names_.begin(), ladder_level_names_.end(),
                      [&](const LadderLevelName& n) { return n.id == term.id && n.level_key == level_key; })) {
        continue;
      }
      ladder_level_names_.push_back({absl::StrSplit(family, ' ', absl::SkipEmpty()), level_key, term.id});
    }
  }
}

std::vector<std::string> Vocabulary::CertificationsNamedIn(absl::string_view text) const {
  const std::string key = CertificationMatchKey(text);
  std::vector<std::string> named;
  for (const auto& [name, id] : certification_names_) {
    if (key.find(name) != std::string::npos) named.push_back(id);
  }
  const std::vector<std::string> words = absl::StrSplit(key, ' ', absl::SkipEmpty());
  for (const LadderLevelName& ladder : ladder_level_names_) {
    const size_t length = ladder.family_words.size();
    for (size_t i = 0; i + length <= words.size(); ++i) {
      if (!std::equal(ladder.family_words.begin(), ladder.family_words.end(), words.begin() + i)) continue;
      const size_t begin = i >= kLadderLevelWindow ? i - kLadderLevelWindow : 0;
      const size_t end = std::min(words.size(), i + length + kLadderLevelWindow);
      const std::string window = absl::StrCat(" ", absl::StrJoin(words.begin() + begin, words.begin() + end, " "), " ");
      if (window.find(ladder.level_key) != std::string::npos) named.push_back(ladder.id);
    }
  }
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  return named;
}

std::vector<std::string> Vocabulary::HeldCertifications(const std::vector<std::string>& canonical) const {
  std::vector<std::string> held;
  for (const std::string& id : canonical) {
    held.push_back(id);
    const Term* term = FindTerm(certifications_, id);
    if (term == nullptr || term->family.empty()) continue;
    for (const Term& other : certifications_) {
      if (other.family == term->family && other.level < term->level) held.push_back(other.id);
    }
  }
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  return held;
}

namespace {

template <typename T>
void SortUnique(std::vector<T>* values) {
  std::sort(values->begin(), values->end());
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

absl::Status FieldError(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

absl::Status NormalizeTerms(const std::vector<Term>& list, absl::string_view facet, absl::string_view field,
                            absl::string_view what, std::vector<std::string>* values) {
  for (size_t i = 0; i < values->size(); ++i) {
    const Term* term = Vocabulary::FindTerm(list, (*values)[i]);
    if (term == nullptr) {
      return FieldError(absl::StrFormat("%s.%s[%d]", facet, field, i),
                        absl::StrFormat("unknown %s \"%s\"", what, (*values)[i]));
    }
    (*values)[i] = term->id;
  }
  SortUnique(values);
  return absl::OkStatus();
}

absl::Status NormalizeFacet(const Vocabulary& vocabulary, absl::string_view facet, FacetValues* values) {
  for (size_t i = 0; i < values->cpv_codes.size(); ++i) {
    const CpvCode* code = vocabulary.FindCpv(values->cpv_codes[i]);
    if (code == nullptr) {
      return FieldError(absl::StrFormat("%s.cpv_codes[%d]", facet, i),
                        absl::StrFormat("unknown CPV code \"%s\"", values->cpv_codes[i]));
    }
    values->cpv_codes[i] = code->code8;
  }
  SortUnique(&values->cpv_codes);
  for (size_t i = 0; i < values->strategies.size(); ++i) {
    if (values->strategies[i] < 0 || values->strategies[i] > 9) {
      return FieldError(absl::StrFormat("%s.strategies[%d]", facet, i),
                        absl::StrFormat("unknown strategy R%d (must be R0..R9)", values->strategies[i]));
    }
  }
  SortUnique(&values->strategies);
  for (size_t i = 0; i < values->materials.size(); ++i) {
    std::string& material = values->materials[i];
    if (const Term* term = Vocabulary::FindTerm(vocabulary.materials(), material)) {
      material = term->id;
      continue;
    }
    material = FoldAndLower(absl::StripAsciiWhitespace(material));
    if (material.empty()) return FieldError(absl::StrFormat("%s.materials[%d]", facet, i), "must not be empty");
  }
  SortUnique(&values->materials);
  for (size_t i = 0; i < values->certifications.size(); ++i) {
    absl::StatusOr<std::string> canonical =
        vocabulary.CheckedCertification(values->certifications[i], absl::StrFormat("%s.certifications[%d]", facet, i));
    if (!canonical.ok()) return canonical.status();
    values->certifications[i] = *std::move(canonical);
  }
  SortUnique(&values->certifications);
  if (absl::Status s = NormalizeTerms(vocabulary.phases(), facet, "phases", "phase", &values->phases); !s.ok()) {
    return s;
  }
  return NormalizeTerms(vocabulary.topics(), facet, "topics", "topic", &values->topics);
}

// FacetValues' derived fields, from its text.
void DeriveFromText(const Vocabulary& vocabulary, bool needs, FacetValues* values) {
  values->evidenced_strategies.clear();
  values->intermediary = false;
  values->named_certifications.clear();
  values->named_max_distance_km = 0;
  if (values->text.empty()) return;
  const TextAnalyzer& analyzer = vocabulary.text_analyzer();
  bool intermediary = false, deliverer = false;
  for (const ConceptHit& hit : analyzer.FindConcepts(values->text)) {
    const TextConcept& concept = analyzer.concepts()[hit.concept];
    if (concept.strategy >= 0) values->evidenced_strategies.push_back(concept.strategy);
    intermediary |= concept.role == "intermediary";
    deliverer |= concept.role == "deliverer";
  }
  SortUnique(&values->evidenced_strategies);
  values->intermediary = intermediary && !deliverer;
  if (needs) {
    values->named_max_distance_km = DistanceLimitNamedIn(values->text);
    const std::vector<std::string> named = vocabulary.CertificationsNamedIn(values->text);
    for (const std::string& id : named) {
      if (std::binary_search(values->certifications.begin(), values->certifications.end(), id)) continue;
      // Several levels of one ladder ("VCA* of VCA**") ask for the lowest: a higher one is implied by it.
      const Term* term = Vocabulary::FindTerm(vocabulary.certifications(), id);
      const bool lower_named = term != nullptr && !term->family.empty() &&
                               std::any_of(named.begin(), named.end(), [&](const std::string& other) {
                                 const Term* o = Vocabulary::FindTerm(vocabulary.certifications(), other);
                                 return o->family == term->family && o->level < term->level;
                               });
      if (!lower_named) values->named_certifications.push_back(id);
    }
  }
}

absl::Status CheckName(absl::string_view field, absl::string_view value) {
  if (value.empty()) return FieldError(field, "must not be empty");
  if (value.size() > 128) return FieldError(field, absl::StrFormat("must be at most 128 bytes, got %d", value.size()));
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return FieldError(field, "must not contain control characters");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status NormalizeProfile(const Vocabulary& vocabulary, int embedding_dimension, Profile* profile) {
  Profile copy = *profile;
  if (absl::Status s = CheckName("id", copy.key.id); !s.ok()) return s;
  if (absl::Status s = CheckName("owner", copy.key.owner); !s.ok()) return s;
  if (copy.capacity < 0) return FieldError("capacity", absl::StrFormat("must be >= 0, got %d", copy.capacity));
  if (!std::isfinite(copy.service_radius_km) || copy.service_radius_km < 0) {
    return FieldError("service_radius_km", "must be a finite number >= 0");
  }
  if (copy.publication_time && copy.closing_time && *copy.closing_time < *copy.publication_time) {
    return FieldError("closing_time", "must not be before publication_time");
  }
  for (const auto& [name, facet] : {std::pair<const char*, FacetValues*>{"needs", &copy.needs},
                                    {"capabilities", &copy.capabilities},
                                    {"offers", &copy.offers},
                                    {"asks", &copy.asks}}) {
    if (absl::Status s = NormalizeFacet(vocabulary, name, facet); !s.ok()) return s;
    DeriveFromText(vocabulary, /*needs=*/facet == &copy.needs, facet);
  }

  Location& location = copy.location;
  if (location.point) {
    const GeoPoint& p = *location.point;
    if (!std::isfinite(p.latitude) || p.latitude < -90 || p.latitude > 90) {
      return FieldError("location.point.latitude", "must be a finite number in [-90, 90]");
    }
    if (!std::isfinite(p.longitude) || p.longitude < -180 || p.longitude > 180) {
      return FieldError("location.point.longitude", "must be a finite number in [-180, 180]");
    }
  }
  const std::string& lookup = !location.municipality.empty() ? location.municipality : location.municipality_code;
  if (!lookup.empty()) {
    const Municipality* m = vocabulary.FindMunicipality(lookup);
    if (m == nullptr) {
      return FieldError(!location.municipality.empty() ? "location.municipality" : "location.municipality_code",
                        absl::StrFormat("unknown municipality \"%s\"", lookup));
    }
    location.municipality = m->name;
    location.municipality_code = m->code;
    location.province = m->province;
    if (!location.point) location.point = m->centre;
  }

  if (!copy.embedding.empty()) {
    if (embedding_dimension <= 0) return FieldError("embedding", "embeddings are not enabled in this deployment");
    if (static_cast<int>(copy.embedding.size()) != embedding_dimension) {
      return FieldError("embedding",
                        absl::StrFormat("expected %d numbers, got %d", embedding_dimension, copy.embedding.size()));
    }
    for (size_t i = 0; i < copy.embedding.size(); ++i) {
      if (!std::isfinite(copy.embedding[i])) {
        return FieldError(absl::StrFormat("embedding[%d]", i), "not a finite number");
      }
    }
  }
  *profile = std::move(copy);
  return absl::OkStatus();
}

}  // namespace circmatch
