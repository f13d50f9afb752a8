// Helpers shared by the engine tests: the shipped vocabulary (loaded once) and small profile builders.
#ifndef CIRCMATCH_TESTS_ENGINE_TEST_UTIL_H_
#define CIRCMATCH_TESTS_ENGINE_TEST_UTIL_H_

#include <cstdlib>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "circmatch/profile.h"
#include "circmatch/vocabulary.h"
#include "gtest/gtest.h"

namespace circmatch {
namespace testing_util {

// The vocabulary from engine/data, loaded once per test binary.
inline const Vocabulary& SharedVocabulary() {
  static const Vocabulary* const vocabulary = [] {
    auto loaded = Vocabulary::Load(CIRCMATCH_TEST_DATA_DIR);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return loaded->release();
  }();
  return *vocabulary;
}

inline Profile MakeProfile(ProfileKind kind, const std::string& id, const std::string& owner = "partner") {
  Profile p;
  p.kind = kind;
  p.key = ProfileKey{owner, id};
  p.visibility = Visibility::kShared;
  return p;
}

inline Profile Supplier(const std::string& id, std::vector<std::string> cpv, const std::string& owner = "partner") {
  Profile p = MakeProfile(ProfileKind::kSupplier, id, owner);
  p.capabilities.cpv_codes = std::move(cpv);
  return p;
}

inline Profile Tender(const std::string& id, std::vector<std::string> cpv, const std::string& owner = "partner") {
  Profile p = MakeProfile(ProfileKind::kTender, id, owner);
  p.needs.cpv_codes = std::move(cpv);
  return p;
}

// Seeded synthetic profiles: suppliers, tenders and buddies over a small set of related CPV codes, with every
// facet, some missing locations, several owners and organizations, private and shared profiles and tender
// windows around t = 1000. Embeddings of dimension `embedding_dimension` on about half of them (0 = none).
inline std::vector<Profile> RandomProfiles(uint32_t seed, int suppliers, int tenders, int buddies,
                                           int embedding_dimension) {
  static const char* const kCpv[] = {"39130000", "39131000", "39100000", "39110000", "39111000", "39000000",
                                     "45000000", "45200000", "45210000", "45211000", "30200000", "30213000",
                                     "30230000", "18100000", "18110000", "90500000", "90510000", "79400000"};
  static const char* const kWords[] = {
      "hergebruik", "meubilair", "kantoor", "stoelen", "circulair", "beton", "recycling", "reuse", "furniture",
      "laptops", "refurbished", "werkkleding", "duurzaam", "inzameling", "afval", "sloop", "bouw", "advies", "gemeente",
      "repair", "textiel", "hout", "modulair", "lease",
      // roles, and requirements a tender's text names
      "marktplaats", "groothandel", "werkplaats", "FSC-gecertificeerd", "VCA**", "binnen 40 km"};
  static const char* const kFreeMaterials[] = {"bamboe", "kurk", "hennep"};
  const Vocabulary& v = SharedVocabulary();
  std::mt19937 rng(seed);
  const auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const auto facets = [&](FacetValues* f) {
    for (int i = pick(3); i > 0; --i) f->cpv_codes.push_back(kCpv[pick(18)]);
    for (int i = pick(3); i > 0; --i) f->strategies.push_back(pick(10));
    for (int i = pick(3); i > 0; --i)
      f->materials.push_back(v.materials()[pick(static_cast<int>(v.materials().size()))].id);
    if (chance(0.2)) f->materials.push_back(kFreeMaterials[pick(3)]);
    for (int i = pick(3); i > 0; --i) {
      f->certifications.push_back(v.certifications()[pick(static_cast<int>(v.certifications().size()))].id);
    }
    for (int i = pick(3); i > 0; --i) f->phases.push_back(v.phases()[pick(static_cast<int>(v.phases().size()))].id);
    for (int i = pick(3); i > 0; --i) f->topics.push_back(v.topics()[pick(static_cast<int>(v.topics().size()))].id);
    for (int i = pick(8); i > 0; --i) {
      if (!f->text.empty()) f->text += " ";
      f->text += kWords[pick(static_cast<int>(std::size(kWords)))];
    }
  };
  std::vector<Profile> out;
  const int total = suppliers + tenders + buddies;
  for (int i = 0; i < total; ++i) {
    const ProfileKind kind = i < suppliers             ? ProfileKind::kSupplier
                             : i < suppliers + tenders ? ProfileKind::kTender
                                                       : ProfileKind::kBuddy;
    Profile p = MakeProfile(kind, "p" + std::to_string(i), "owner" + std::to_string(pick(4)));
    p.visibility = chance(0.7) ? Visibility::kShared : Visibility::kPrivate;
    p.organization = "Org " + std::to_string(pick(15));
    if (chance(0.85)) {
      p.location.point = GeoPoint{std::uniform_real_distribution<double>(50.8, 53.4)(rng),
                                  std::uniform_real_distribution<double>(3.5, 7.1)(rng)};
    }
    if (kind == ProfileKind::kSupplier && chance(0.5)) p.service_radius_km = pick(80);
    facets(kind == ProfileKind::kSupplier ? &p.capabilities : &p.needs);
    if (kind == ProfileKind::kBuddy) {
      p.needs = FacetValues();
      facets(&p.offers);
      facets(&p.asks);
      p.capacity = pick(3);
    }
    if (kind == ProfileKind::kTender) {
      if (chance(0.7)) p.publication_time = pick(1000);
      if (chance(0.7)) p.closing_time = 900 + pick(1000);
      if (p.publication_time && p.closing_time && *p.closing_time < *p.publication_time) p.closing_time.reset();
    }
    if (embedding_dimension > 0 && chance(0.5)) {
      for (int d = 0; d < embedding_dimension; ++d) {
        p.embedding.push_back(std::uniform_real_distribution<float>(-1, 1)(rng));
      }
    }
    if (!NormalizeProfile(v, embedding_dimension, &p).ok()) std::abort();
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace testing_util
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_ENGINE_TEST_UTIL_H_
