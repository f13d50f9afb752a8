#include "profile_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/convert/profile_conversion.h"
#include "synthetic_embeddings.h"

namespace circmatch::bench {
namespace {

// Divisions circular tenders use most (furniture, construction, ICT, clothing, waste, vehicles, building
// materials, repair, landscaping, engineering, business services); their codes take the top Zipf ranks.
constexpr const char* kPopularDivisions[] = {"39", "45", "30", "18", "90", "34", "44", "50", "77", "71", "79"};
// Terms that come first in their lists, so the skew lands on what is common in practice.
constexpr const char* kCommonMaterials[] = {"furniture", "ict-hardware", "textiles", "workwear", "concrete",
                                            "wood",      "metals",       "plastics", "bricks",   "asphalt"};
constexpr const char* kCommonCertifications[] = {
    "iso-14001",  "co2-prestatieladder-3", "iso-9001", "fsc", "co2-prestatieladder-5", "cradle-to-cradle", "pso-ladder",
    "eu-ecolabel"};
// P(strategy R0..R9): reuse, repair, refurbish and recycle dominate what suppliers offer.
constexpr double kStrategyWeights[] = {0.03, 0.06, 0.08, 0.20, 0.14, 0.14, 0.07, 0.06, 0.17, 0.05};
// Words of supplier and tender texts, most common first (the text facet stems them and weighs by IDF).
constexpr const char* kWords[] = {"circulair",
                                  "hergebruik",
                                  "duurzaam",
                                  "levering",
                                  "meubilair",
                                  "kantoor",
                                  "refurbished",
                                  "reparatie",
                                  "onderhoud",
                                  "inzameling",
                                  "recycling",
                                  "gebruikte",
                                  "materialen",
                                  "grondstoffen",
                                  "afval",
                                  "verwerking",
                                  "bouw",
                                  "sloop",
                                  "renovatie",
                                  "beton",
                                  "hout",
                                  "staal",
                                  "textiel",
                                  "werkkleding",
                                  "laptops",
                                  "telefoons",
                                  "servers",
                                  "stoelen",
                                  "bureaus",
                                  "kasten",
                                  "tapijt",
                                  "verlichting",
                                  "isolatie",
                                  "asfalt",
                                  "bestrating",
                                  "groenonderhoud",
                                  "compost",
                                  "biobased",
                                  "modulair",
                                  "lease",
                                  "terugname",
                                  "garantie",
                                  "levensduur",
                                  "energiezuinig",
                                  "emissievrij",
                                  "elektrisch",
                                  "voertuigen",
                                  "transport",
                                  "logistiek",
                                  "schoonmaak",
                                  "catering",
                                  "voedsel",
                                  "restafval",
                                  "papier",
                                  "glas",
                                  "kunststof",
                                  "metaal",
                                  "batterijen",
                                  "kabels",
                                  "demontage",
                                  "remanufacturing",
                                  "upcycling",
                                  "marktplaats",
                                  "kringloop",
                                  "sociale",
                                  "werkgelegenheid",
                                  "gemeente",
                                  "provincie",
                                  "waterschap",
                                  "school",
                                  "zorginstelling",
                                  "ziekenhuis",
                                  "kantoorpand",
                                  "woningen",
                                  "infrastructuur",
                                  "wegen",
                                  "bruggen",
                                  "riolering",
                                  "openbare",
                                  "ruimte",
                                  "advies",
                                  "ontwerp",
                                  "ingenieurs",
                                  "adviesbureau",
                                  "aannemer",
                                  "installateur",
                                  "leverancier",
                                  "regionale",
                                  "lokale",
                                  "mkb",
                                  "keurmerk",
                                  "certificaat",
                                  "materialenpaspoort",
                                  "losmaakbaar",
                                  "demontabel",
                                  "secundaire",
                                  "lagere",
                                  "co2",
                                  "uitstoot",
                                  "milieu",
                                  "impact",
                                  "ketensamenwerking",
                                  "innovatie",
                                  "pilot",
                                  "raamovereenkomst"};
constexpr const char* kStopWords[] = {"en", "van", "voor", "de", "het", "met", "in", "op"};
constexpr const char* kCompanySuffixes[] = {"BV", "B.V.", "VOF", "Groep", "Circulair BV", "& Zonen"};

constexpr int kEmbeddingBlock = 4096;
constexpr uint64_t kSupplierStream = 1;
constexpr uint64_t kTenderStream = 2;
// 2026-01-01T00:00:00Z: tenders are published from here on.
constexpr int64_t kEpoch = 1767225600;

// P(rank r) ~ 1 / (r + 1)^s as a cumulative table.
std::vector<double> ZipfCdf(size_t n, double s) {
  std::vector<double> cdf(n);
  double total = 0;
  for (size_t r = 0; r < n; ++r) {
    total += 1.0 / std::pow(static_cast<double>(r + 1), s);
    cdf[r] = total;
  }
  for (double& c : cdf) c /= total;
  return cdf;
}

// The ids of `terms`: those named in `first` (when present) in that order, then the rest in list order.
template <size_t N>
std::vector<std::string> PreferFirst(const std::vector<Term>& terms, const char* const (&first)[N]) {
  std::vector<std::string> out;
  std::vector<bool> taken(terms.size(), false);
  for (const char* name : first) {
    for (size_t i = 0; i < terms.size(); ++i) {
      if (!taken[i] && terms[i].id == name) {
        out.push_back(terms[i].id);
        taken[i] = true;
      }
    }
  }
  for (size_t i = 0; i < terms.size(); ++i) {
    if (!taken[i]) out.push_back(terms[i].id);
  }
  return out;
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

// SplitMix64: tiny state, so every profile gets its own stream cheaply, and the same numbers on every platform
// (std:: distributions may differ between standard libraries).
struct ProfileGenerator::Rng {
  uint64_t state;
  Rng(uint64_t seed, uint64_t stream, int64_t i) : state(Mix(Mix(seed ^ (stream << 56)) ^ static_cast<uint64_t>(i))) {}
  uint64_t Next() {
    state += 0x9e3779b97f4a7c15ULL;
    return Mix(state);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  int Below(int n) { return std::min(n - 1, static_cast<int>(Uniform() * n)); }
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }
  bool Chance(double p) { return Uniform() < p; }
  int Draw(const std::vector<double>& cdf) {
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), Uniform());
    return static_cast<int>(std::min<ptrdiff_t>(it - cdf.begin(), static_cast<ptrdiff_t>(cdf.size()) - 1));
  }
  int Strategy() {
    double u = Uniform();
    for (int r = 0; r < 10; ++r) {
      u -= kStrategyWeights[r];
      if (u < 0) return r;
    }
    return 9;
  }
};

ProfileGenerator::ProfileGenerator(const Vocabulary* vocabulary, ProfileGeneratorOptions options)
    : vocabulary_(vocabulary), options_(std::move(options)) {
  // The popularity order of codes is the same for every seed: the seed varies profiles, not the market.
  Rng order_rng(0x0c0de5, 0, 0);
  std::vector<std::string> popular, rest;
  for (const CpvCode& code : vocabulary_->cpv_codes()) {
    if (code.level < 2) continue;  // a whole division is too broad for a supplier's capability
    const std::string division = code.code8.substr(0, 2);
    const bool is_popular = std::any_of(std::begin(kPopularDivisions), std::end(kPopularDivisions),
                                        [&](const char* d) { return division == d; });
    (is_popular ? popular : rest).push_back(code.code8);
  }
  for (std::vector<std::string>* list : {&popular, &rest}) {
    for (size_t i = list->size(); i > 1; --i) std::swap((*list)[i - 1], (*list)[order_rng.Below(static_cast<int>(i))]);
  }
  cpv_by_rank_ = std::move(popular);
  cpv_by_rank_.insert(cpv_by_rank_.end(), rest.begin(), rest.end());
  if (cpv_by_rank_.empty() || vocabulary_->materials().empty() || vocabulary_->certifications().empty() ||
      vocabulary_->municipalities().empty()) {
    std::fprintf(stderr,
                 "profile generator: the vocabulary lacks CPV codes, materials, certifications or "
                 "municipalities\n");
    std::abort();
  }
  cpv_cdf_ = ZipfCdf(cpv_by_rank_.size(), options_.cpv_zipf_exponent);
  material_ids_ = PreferFirst(vocabulary_->materials(), kCommonMaterials);
  certification_ids_ = PreferFirst(vocabulary_->certifications(), kCommonCertifications);
  material_cdf_ = ZipfCdf(material_ids_.size(), 1.0);
  certification_cdf_ = ZipfCdf(certification_ids_.size(), 1.0);
  // Municipalities in a fixed shuffled order with a mild skew: some places hold many more companies.
  municipality_cdf_ = ZipfCdf(vocabulary_->municipalities().size(), 0.6);
  word_cdf_ = ZipfCdf(std::size(kWords), 0.9);
}

std::string ProfileGenerator::OwnerOf(int64_t i) const {
  if (!options_.owner.empty()) return options_.owner;
  return absl::StrCat("partner-",
                      Mix(static_cast<uint64_t>(i)) % static_cast<uint64_t>(std::max(1, options_.partners)));
}

std::string ProfileGenerator::Text(Rng& rng, int min_words, int max_words) const {
  std::string text;
  for (int w = rng.Between(min_words, max_words); w > 0; --w) {
    if (!text.empty()) text += ' ';
    if (rng.Chance(0.25)) absl::StrAppend(&text, kStopWords[rng.Below(static_cast<int>(std::size(kStopWords)))], " ");
    text += kWords[rng.Draw(word_cdf_)];
  }
  return text;
}

void ProfileGenerator::FillCommon(Rng& rng, int64_t i, Profile* profile) const {
  profile->key.owner = OwnerOf(i);
  const std::vector<Municipality>& municipalities = vocabulary_->municipalities();
  // A fixed permutation of the list, so rank r is not simply the r-th CBS code.
  const size_t n = municipalities.size();
  const size_t rank = static_cast<size_t>(rng.Draw(municipality_cdf_));
  const Municipality& place = municipalities[(rank * 7919 + 13) % n];
  profile->location.municipality = place.name;
  profile->location.point = place.centre;
}

void ProfileGenerator::SetEmbedding(uint64_t stream, int64_t i, Profile* profile) {
  const int d = options_.embedding_dimension;
  if (d <= 0) return;
  const int64_t block = i / kEmbeddingBlock;
  if (block != block_ || stream != block_stream_) {
    block_rows_ =
        SyntheticEmbeddings(kEmbeddingBlock, d, Mix(options_.seed ^ (stream << 48) ^ static_cast<uint64_t>(block)));
    block_ = block;
    block_stream_ = stream;
  }
  const float* row = block_rows_.data() + static_cast<size_t>(i % kEmbeddingBlock) * static_cast<size_t>(d);
  profile->embedding.assign(row, row + d);
}

void ProfileGenerator::Normalize(Profile* profile) const {
  absl::Status status = NormalizeProfile(*vocabulary_, options_.embedding_dimension, profile);
  if (!status.ok()) {
    std::fprintf(stderr, "profile generator: generated profile %s does not normalize: %s\n", profile->key.id.c_str(),
                 std::string(status.message()).c_str());
    std::abort();
  }
}

Profile ProfileGenerator::Supplier(int64_t i) {
  Rng rng(options_.seed, kSupplierStream, i);
  Profile p;
  p.kind = ProfileKind::kSupplier;
  p.key.id = absl::StrCat("s", i);
  FillCommon(rng, i, &p);
  // A few km around the municipality's centre: companies sit on business parks, not on the town hall.
  p.location.point->latitude += (rng.Uniform() - 0.5) * 0.06;
  p.location.point->longitude += (rng.Uniform() - 0.5) * 0.10;
  std::string word = kWords[rng.Below(static_cast<int>(std::size(kWords)))];
  word[0] = absl::ascii_toupper(static_cast<unsigned char>(word[0]));
  p.display_name = absl::StrCat(word, " ", p.location.municipality, " ",
                                kCompanySuffixes[rng.Below(static_cast<int>(std::size(kCompanySuffixes)))]);
  p.organization = p.display_name;
  p.visibility = rng.Chance(0.8) ? Visibility::kShared : Visibility::kPrivate;
  static constexpr double kRadii[] = {0, 25, 50, 100, 250};
  static constexpr double kRadiusWeights[] = {0.20, 0.25, 0.30, 0.15, 0.10};
  double u = rng.Uniform();
  for (int r = 0; r < 5; ++r) {
    u -= kRadiusWeights[r];
    if (u < 0 || r == 4) {
      p.service_radius_km = kRadii[r];
      break;
    }
  }

  FacetValues& f = p.capabilities;
  const int first = rng.Draw(cpv_cdf_);
  f.cpv_codes.push_back(cpv_by_rank_[first]);
  for (int c = rng.Between(0, 3); c > 0; --c) {
    // Related codes cluster: a supplier of one code often also delivers its parent's range.
    const CpvCode* code = vocabulary_->FindCpv(cpv_by_rank_[first]);
    if (rng.Chance(0.3) && code != nullptr && code->parent >= 0 && code->level > 2) {
      f.cpv_codes.push_back(vocabulary_->cpv_codes()[static_cast<size_t>(code->parent)].code8);
    } else {
      f.cpv_codes.push_back(cpv_by_rank_[rng.Draw(cpv_cdf_)]);
    }
  }
  for (int c = rng.Between(1, 3); c > 0; --c) f.strategies.push_back(rng.Strategy());
  for (int c = rng.Between(1, 3); c > 0; --c) f.materials.push_back(material_ids_[rng.Draw(material_cdf_)]);
  const double cert_u = rng.Uniform();
  const int certifications = cert_u < 0.35 ? 0 : cert_u < 0.75 ? 1 : cert_u < 0.95 ? 2 : 3;
  for (int c = certifications; c > 0; --c) f.certifications.push_back(certification_ids_[rng.Draw(certification_cdf_)]);
  f.text = Text(rng, 8, 20);
  SetEmbedding(kSupplierStream, i, &p);
  Normalize(&p);
  return p;
}

Profile ProfileGenerator::Tender(int64_t i) {
  Rng rng(options_.seed, kTenderStream, i);
  Profile p;
  p.kind = ProfileKind::kTender;
  p.key.id = absl::StrCat("t", i);
  FillCommon(rng, i, &p);
  p.organization = absl::StrCat("Gemeente ", p.location.municipality);
  p.visibility = Visibility::kShared;
  FacetValues& f = p.needs;
  for (int c = rng.Between(1, 3); c > 0; --c) f.cpv_codes.push_back(cpv_by_rank_[rng.Draw(cpv_cdf_)]);
  for (int c = rng.Between(1, 2); c > 0; --c) f.strategies.push_back(rng.Strategy());
  for (int c = rng.Between(1, 2); c > 0; --c) f.materials.push_back(material_ids_[rng.Draw(material_cdf_)]);
  if (rng.Chance(0.3)) f.certifications.push_back(kCommonCertifications[rng.Below(3)]);
  f.text = Text(rng, 10, 25);
  p.display_name = absl::StrCat("Aanbesteding ", f.text.substr(0, f.text.find(' ', 20)));
  p.publication_time = kEpoch + rng.Below(300) * 86400;
  p.closing_time = *p.publication_time + 60 * 86400;
  SetEmbedding(kTenderStream, i, &p);
  Normalize(&p);
  return p;
}

std::vector<Profile> ProfileGenerator::Suppliers(int64_t begin, int64_t end) {
  std::vector<Profile> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, end - begin)));
  for (int64_t i = begin; i < end; ++i) out.push_back(Supplier(i));
  return out;
}

std::vector<Profile> ProfileGenerator::Tenders(int64_t begin, int64_t end) {
  std::vector<Profile> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, end - begin)));
  for (int64_t i = begin; i < end; ++i) out.push_back(Tender(i));
  return out;
}

v1::Profile ToApiProfile(const Profile& profile) {
  v1::Profile proto = service::ProfileToProto(profile, v1::Contact(), 0);
  // Output-only fields: the server fills them in itself.
  proto.clear_update_time();
  proto.mutable_location()->clear_municipality_code();
  proto.mutable_location()->clear_province();
  return proto;
}

}  // namespace circmatch::bench
