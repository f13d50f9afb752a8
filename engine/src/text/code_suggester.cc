#include "circmatch/code_suggester.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "circmatch/csv.h"
#include "circmatch/text_analysis.h"

namespace circmatch {
namespace {

bool IsDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// The stems of `words` as the analyzer reads each (a word that is a stop word has none).
absl::flat_hash_set<std::string> StemsOf(const std::vector<absl::string_view>& words) {
  absl::flat_hash_set<std::string> stems;
  for (absl::string_view word : words) {
    for (const std::string& token : Tokenize(word)) {
      if (!IsStopWord(token)) stems.insert(Stem(token));
    }
  }
  return stems;
}

}  // namespace

absl::StatusOr<std::vector<CpvSynonyms>> LoadCpvSynonyms(const std::string& data_dir, const Vocabulary& vocabulary) {
  const std::string file = "cpv_synonyms.csv";
  absl::StatusOr<std::vector<CsvRow>> rows = ReadCsvFile(data_dir, file);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().fields != std::vector<std::string>{"code", "phrases"}) {
    return absl::InvalidArgumentError(absl::StrCat(file, ":1: expected the header \"code,phrases\""));
  }
  std::vector<CpvSynonyms> synonyms;
  for (size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    if (row.fields.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s:%d: expected 2 fields, got %d", file, row.line, row.fields.size()));
    }
    CpvSynonyms entry;
    entry.cpv = vocabulary.FindCpvIndex(row.fields[0]);
    if (entry.cpv < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s:%d: unknown CPV code \"%s\"", file, row.line, row.fields[0]));
    }
    for (absl::string_view phrase : absl::StrSplit(row.fields[1], ';', absl::SkipWhitespace())) {
      entry.phrases.emplace_back(absl::StripAsciiWhitespace(phrase));
    }
    synonyms.push_back(std::move(entry));
  }
  return synonyms;
}

const std::vector<absl::string_view>& CodeSuggester::WorksWords() {
  static const auto* const kWords = new std::vector<absl::string_view>{
      // Dutch
      "bouw", "bouwen", "aanleg", "aanleggen", "renovatie", "renoveren", "sloop", "slopen", "verbouwing", "verbouwen",
      "herinrichting", "herinrichten", "reconstructie", "reconstrueren", "bouwwerk", "graafwerk", "grondwerk",
      "riolering", "aannemer", "gww", "civiele", "installatie", "installeren", "asfalteren", "bestraten", "straatwerk",
      "restauratie", "restaureren", "nieuwbouw",
      // English
      "construction", "works", "renovation", "demolition", "building", "installation", "refurbishment"};
  return *kWords;
}

const std::vector<absl::string_view>& CodeSuggester::BoilerplateWords() {
  static const auto* const kWords = new std::vector<absl::string_view>{
      // Dutch
      "leveren", "levering", "leverancier", "levert", "geleverd", "aanbieden", "aanbieder", "bieden", "biedt",
      "dienstverlening", "bedrijf", "onderneming", "organisatie", "klant", "klanten", "opdrachtgever", "opdracht",
      "aanbesteding", "aanbesteden", "inschrijver", "inschrijving", "contract", "raamovereenkomst", "overeenkomst",
      "gemeente", "gemeenten", "gemeentelijk", "jaar", "jaren", "ervaring", "specialist", "kwaliteit", "duurzaam",
      "circulair", "regio", "nederland", "zoeken", "zoekt", "gevraagd", "vraagt", "behoefte", "looptijd", "perceel",
      "partner", "graag", "verzorgen", "verzorgt",
      // English
      "supply", "supplier", "company", "customer", "customers", "provide", "provides", "offer", "offers", "tender",
      "municipality", "experience", "quality", "sustainable", "circular", "deliver", "delivers", "delivery"};
  return *kWords;
}

CodeSuggester::CodeSuggester(const Vocabulary* vocabulary, const std::vector<CpvSynonyms>& synonyms,
                             CodeSuggestParams params)
    : vocabulary_(vocabulary),
      params_(params),
      works_stems_(StemsOf(WorksWords())),
      works_part_stems_(StemsOf(WorksWords())),
      boilerplate_stems_(StemsOf(BoilerplateWords())) {
  const std::vector<CpvCode>& codes = vocabulary_->cpv_codes();
  const TextAnalyzer& analyzer = vocabulary_->text_analyzer();
  // "verkeersregelinstallatie" is a thing, not an installation work: installing counts as a whole word only.
  for (const std::string& stem : StemsOf({"installatie", "installeren"})) works_part_stems_.erase(stem);
  const int n = static_cast<int>(codes.size());
  std::vector<std::vector<const CpvSynonyms*>> synonyms_of(n);
  for (const CpvSynonyms& s : synonyms) synonyms_of[s.cpv].push_back(&s);

  // Each code's own terms (labels and synonyms), then with its ancestors' below the division (a division's label
  // is a list of everything in it, no context). Codes are sorted, so a parent comes before its children.
  struct Weighted {
    double tf = 0;     // whole word 1, a compound's part or a concept less, a synonym's times synonym_weight
    double scale = 1;  // 1 for the code's own term, parent_weight^k for a term of its k-th ancestor
  };
  std::vector<absl::flat_hash_map<std::string, Weighted>> full(n);
  std::vector<double> length(n, 0);
  absl::flat_hash_map<std::string, int> df;
  label_terms_.resize(n);
  const auto ids_of = [&](const absl::flat_hash_map<std::string, double>& terms) {
    std::vector<std::pair<int, float>> ids;
    for (const auto& [term, weight] : terms) {
      ids.emplace_back(term_ids_.try_emplace(term, static_cast<int>(term_ids_.size())).first->second,
                       static_cast<float>(weight));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  for (int i = 0; i < n; ++i) {
    absl::flat_hash_map<std::string, double> own;
    const auto add_own = [&](const absl::flat_hash_map<std::string, double>& terms) {
      for (const auto& [term, weight] : terms) {
        double& w = own[term];
        w = std::max(w, weight);
      }
    };
    for (const std::string* label : {&codes[i].label_nl, &codes[i].label_en}) {
      absl::flat_hash_map<std::string, double> terms;
      AddTerms(analyzer.AnalyzeWords(*label), 1.0, &terms);
      label_terms_[i].push_back(ids_of(terms));
      add_own(terms);
    }
    for (const auto& [term, weight] : own) length[i] += weight;  // labels only: synonyms do not lengthen a code
    for (const CpvSynonyms* s : synonyms_of[i]) {
      for (const std::string& phrase : s->phrases) {
        absl::flat_hash_map<std::string, double> terms;
        AddTerms(analyzer.AnalyzeWords(phrase), params_.synonym_weight, &terms);
        if (terms.empty()) continue;
        label_terms_[i].push_back(ids_of(terms));
        add_own(terms);
      }
    }
    for (const auto& [term, weight] : own) ++df[term];
    absl::flat_hash_map<std::string, Weighted>& all = full[i];
    const int parent = codes[i].parent;
    if (parent >= 0 && parent < i && codes[parent].level >= 2) {
      for (const auto& [term, w] : full[parent]) all[term] = {w.tf, w.scale * params_.parent_weight};
    }
    for (const auto& [term, weight] : own) {
      Weighted& w = all[term];
      if (weight >= w.tf * w.scale) w = {weight, 1.0};
    }
    // Postings in code order, so one code's posting is found by binary search.
    for (const auto& [term, w] : all) {
      postings_[term].push_back({i, static_cast<float>(w.tf), static_cast<float>(w.scale), w.scale == 1.0});
    }
  }
  for (const auto& [term, count] : df) {
    idf_[term] = std::log(1.0 + (n - count + 0.5) / (count + 0.5));
  }
  double average = 0;
  for (double l : length) average += l;
  average = n > 0 ? average / n : 1;
  if (average <= 0) average = 1;
  length_norm_.resize(n);
  for (int i = 0; i < n; ++i) {
    length_norm_[i] =
        static_cast<float>(params_.k1 * (1 - params_.b + params_.b * std::max(length[i], average) / average));
  }
}

void CodeSuggester::AddTerms(const AnalyzedText& text, double scale,
                             absl::flat_hash_map<std::string, double>* terms) const {
  const auto add = [&](const std::string& term, double weight) {
    double& w = (*terms)[term];
    w = std::max(w, weight * scale);
  };
  for (const AnalyzedWord& word : text.words) {
    add(word.stem, 1.0);
    for (const std::string& part : word.part_stems) add(part, params_.part_weight);
  }
  const std::vector<TextConcept>& concepts = vocabulary_->text_analyzer().concepts();
  for (const ConceptOccurrence& occurrence : text.concepts) {
    // The R-ladder's concepts and the like are synonyms; a role ("groothandel": an intermediary) is not a thing
    // bought.
    if (!concepts[occurrence.concept].role.empty()) continue;
    add("~" + concepts[occurrence.concept].id, params_.concept_weight);
  }
}

bool CodeSuggester::TalksAboutWorks(absl::string_view text) const {
  for (const AnalyzedWord& word : vocabulary_->text_analyzer().AnalyzeWords(text).words) {
    if (works_stems_.contains(word.stem)) return true;
    for (const std::string& part : word.part_stems) {
      if (works_part_stems_.contains(part)) return true;
    }
  }
  return false;
}

std::vector<SuggestedCode> CodeSuggester::Suggest(absl::string_view text, int max_suggestions) const {
  const std::vector<CpvCode>& codes = vocabulary_->cpv_codes();
  const TextAnalyzer& analyzer = vocabulary_->text_analyzer();
  const AnalyzedText analyzed = analyzer.AnalyzeWords(text);

  // The text's terms with their largest weight, and the words that show each.
  std::vector<QueryTerm> query;
  absl::flat_hash_map<std::string, int> query_index;
  bool works_text = false;
  const auto add = [&](const std::string& term, double weight, int first, int last) {
    if (boilerplate_stems_.contains(term) || IsDigits(term) || !postings_.contains(term)) return;
    auto [it, inserted] = query_index.try_emplace(term, static_cast<int>(query.size()));
    if (inserted) query.push_back({term, 0, {}});
    QueryTerm& q = query[it->second];
    q.weight = std::max(q.weight, weight);
    for (int w = first; w <= last; ++w) q.words.push_back(w);
  };
  for (int w = 0; w < static_cast<int>(analyzed.words.size()); ++w) {
    const AnalyzedWord& word = analyzed.words[w];
    works_text |= works_stems_.contains(word.stem);
    if (boilerplate_stems_.contains(word.stem)) continue;  // and its parts: "bedrijfsleven" is no product either
    add(word.stem, 1.0, w, w);
    for (const std::string& part : word.part_stems) {
      works_text |= works_part_stems_.contains(part);
      add(part, params_.part_weight, w, w);
    }
  }
  const std::vector<TextConcept>& concepts = analyzer.concepts();
  for (const ConceptOccurrence& occurrence : analyzed.concepts) {
    if (!concepts[occurrence.concept].role.empty()) continue;
    add("~" + concepts[occurrence.concept].id, params_.concept_weight, occurrence.first, occurrence.last);
  }
  if (query.empty() || max_suggestions <= 0) return {};

  // BM25-like: each term met adds idf · query weight · w (k1 + 1) / (w + k1 (1 - b + b · max(dl, avgdl) / avgdl)).
  const int n = static_cast<int>(codes.size());
  std::vector<double> score(n, 0);
  std::vector<char> own_hit(n, 0);
  for (const QueryTerm& q : query) {
    const double idf = idf_.contains(q.term) ? idf_.at(q.term) : 0;
    if (idf <= 0) continue;
    for (const Posting& p : postings_.at(q.term)) {
      score[p.doc] += p.scale * idf * q.weight * p.tf * (params_.k1 + 1) / (p.tf + length_norm_[p.doc]);
      if (p.own) own_hit[p.doc] = 1;
    }
  }
  absl::flat_hash_set<int> query_ids;
  for (const QueryTerm& q : query) {
    if (auto it = term_ids_.find(q.term); it != term_ids_.end()) query_ids.insert(it->second);
  }
  // The share of a label's term weight the text meets.
  const auto coverage = [&](const std::vector<std::pair<int, float>>& label) {
    double met = 0, all = 0;
    for (const auto& [id, weight] : label) {
      all += weight;
      if (query_ids.contains(id)) met += weight;
    }
    return all > 0 ? met / all : 0.0;
  };
  std::vector<SuggestedCode> ranked;
  for (int i = 0; i < n; ++i) {
    if (!own_hit[i] || score[i] <= 0) continue;
    SuggestedCode s;
    s.cpv = i;
    s.works = codes[i].code8.compare(0, 2, "45") == 0;
    const int level = std::clamp(codes[i].level, 1, 4);
    double covered = 0;
    for (const std::vector<std::pair<int, float>>& label : label_terms_[i])
      covered = std::max(covered, coverage(label));
    s.score = score[i] * params_.level_prior[level - 1] *
              (1 - params_.coverage_weight + params_.coverage_weight * covered) *
              (s.works && !works_text ? params_.works_factor : 1.0);
    ranked.push_back(std::move(s));
  }
  const auto better = [&](const SuggestedCode& a, const SuggestedCode& b) {
    if (a.score != b.score) return a.score > b.score;
    return codes[a.cpv].code8 < codes[b.cpv].code8;
  };
  const size_t keep = std::min(ranked.size(), static_cast<size_t>(max_suggestions));
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(), better);
  ranked.resize(keep);

  // The words of the text that met the code's own terms (its labels and synonyms), as written, each once, in
  // text order.
  for (SuggestedCode& s : ranked) {
    std::vector<int> words;
    for (const QueryTerm& q : query) {
      const std::vector<Posting>& list = postings_.at(q.term);
      const auto it =
          std::lower_bound(list.begin(), list.end(), s.cpv, [](const Posting& p, int doc) { return p.doc < doc; });
      if (it != list.end() && it->doc == s.cpv && it->own) words.insert(words.end(), q.words.begin(), q.words.end());
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    absl::flat_hash_set<std::string> seen;
    for (int w : words) {
      const AnalyzedWord& word = analyzed.words[w];
      if (seen.insert(word.folded).second) s.matched_words.emplace_back(text.substr(word.begin, word.end - word.begin));
    }
  }
  return ranked;
}

}  // namespace circmatch
