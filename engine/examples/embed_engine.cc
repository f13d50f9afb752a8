// Embedding the circmatch engine without the service: a program that links circmatch::engine (the installed CMake
// package), loads the shipped reference data, indexes a tender of a municipality and three suppliers, and prints
// the suppliers that fit the tender best, each with its score and why.
//
//   embed_engine [DATA_DIR]
//
// DATA_DIR is the folder of the reference data (cpv_2008.csv, strategies.csv, ...); by default the one installed
// with the package, whose path CMakeLists.txt takes from the package's circmatch_DATA_DIR. Exits 1 when the data
// cannot be loaded or the engine refuses a profile, 2 on a wrong command line.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "circmatch/explanation.h"
#include "circmatch/index.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/vocabulary.h"

namespace {

using circmatch::Profile;

// The tender: a municipality buys refurbished office furniture. Codes and terms may be given as a person writes
// them ("39130000-2", "meubilair"): NormalizeProfile brings them into canonical form below.
Profile ZwolleTender() {
  Profile tender;
  tender.key = {"gemeente-zwolle", "2024-017"};
  tender.kind = circmatch::ProfileKind::kTender;
  tender.display_name = "Gerefurbisht kantoormeubilair voor het stadskantoor";
  tender.organization = "Gemeente Zwolle";
  tender.location.municipality = "Zwolle";
  tender.needs.cpv_codes = {"39130000-2", "39112000"};  // office furniture, chairs
  tender.needs.strategies = {3, 5};                     // R3 reuse, R5 refurbish
  tender.needs.materials = {"meubilair", "hout"};
  tender.needs.text =
      "De gemeente Zwolle richt het stadskantoor opnieuw in en zoekt een leverancier van gereviseerde bureaus, "
      "bureaustoelen en vergadertafels. Het bestaande meubilair wordt waar mogelijk hergebruikt of opgeknapt; wat "
      "niet te redden is, wordt hoogwaardig gerecycled. Levering en montage binnen 60 km.";
  return tender;
}

// A workshop near Zwolle that refurbishes office furniture itself: the supplier that fits.
Profile WorkshopKampen() {
  Profile supplier;
  supplier.key = {"kringloop-overijssel", "meubelrevisie-kampen"};
  supplier.kind = circmatch::ProfileKind::kSupplier;
  supplier.display_name = "Meubelrevisie Kampen";
  supplier.organization = "Meubelrevisie Kampen B.V.";
  supplier.organization_size = circmatch::OrganizationSize::kSmall;
  supplier.location.municipality = "Kampen";
  supplier.service_radius_km = 100;
  supplier.capabilities.cpv_codes = {"39130000", "39112000", "50850000"};  // and repair of furniture
  supplier.capabilities.strategies = {3, 4, 5};
  supplier.capabilities.materials = {"furniture", "wood", "textiles"};
  supplier.capabilities.text =
      "Wij reviseren gebruikte kantoormeubelen in onze eigen werkplaats in Kampen: bureaustoelen herstofferen we, "
      "bureaus en vergadertafels worden geschuurd en opnieuw gelakt. Onze eigen monteurs leveren en plaatsen in heel "
      "Overijssel en Gelderland.";
  return supplier;
}

// An online marketplace of second-hand furniture far away: the right products, but an intermediary beyond the
// distance the tender names.
Profile MarketplaceRotterdam() {
  Profile supplier;
  supplier.key = {"tweedekans", "meubelplatform-rotterdam"};
  supplier.kind = circmatch::ProfileKind::kSupplier;
  supplier.display_name = "Tweedekans Meubelplatform";
  supplier.organization = "Tweedekans Online B.V.";
  supplier.location.municipality = "Rotterdam";
  supplier.capabilities.cpv_codes = {"39100000"};  // furniture
  supplier.capabilities.strategies = {3};
  supplier.capabilities.text =
      "Online marktplaats voor tweedehands kantoormeubilair: wij bemiddelen tussen bedrijven die meubels afstoten en "
      "organisaties die ze zoeken.";
  return supplier;
}

// A landscaper: nothing the tender asks for, and Zwolle lies beyond its service radius (a hard filter).
Profile LandscaperMaastricht() {
  Profile supplier;
  supplier.key = {"groen-zuid", "hovenier-maastricht"};
  supplier.kind = circmatch::ProfileKind::kSupplier;
  supplier.display_name = "Hoveniersbedrijf De Linde";
  supplier.organization = "De Linde Groenvoorziening";
  supplier.location.municipality = "Maastricht";
  supplier.service_radius_km = 40;
  supplier.capabilities.cpv_codes = {"77310000"};  // planting and maintenance of green areas
  supplier.capabilities.strategies = {8};
  supplier.capabilities.text = "Aanleg en onderhoud van openbaar groen; snoeiafval composteren wij zelf.";
  return supplier;
}

// How a query code and a candidate code meet in the CPV hierarchy.
const char* CpvMeeting(const circmatch::CpvMatch& cpv) {
  switch (cpv.level) {
    case circmatch::CpvLevel::kExact:
      return cpv.query_code == cpv.candidate_code ? "the same code" : "one code contains the other";
    case circmatch::CpvLevel::kCategory:
      return "same category";
    case circmatch::CpvLevel::kClass:
      return "same class";
    case circmatch::CpvLevel::kGroup:
      return "same group";
    case circmatch::CpvLevel::kDivision:
      return "same division";
    case circmatch::CpvLevel::kNone:
      break;
  }
  return "unrelated";
}

// A few items of the explanation: what each facet contributed, how the CPV codes met, and what else was shared.
void PrintExplanation(const circmatch::Explanation& explanation) {
  std::vector<std::string> facets;
  for (const circmatch::FacetContribution& facet : explanation.facets) {
    if (facet.contribution > 0) {
      char item[64];
      std::snprintf(item, sizeof item, "%s %.3f", circmatch::FacetName(facet.facet), facet.contribution);
      facets.push_back(item);
    }
  }
  std::printf("     contributions: %s\n", facets.empty() ? "none" : absl::StrJoin(facets, ", ").c_str());
  for (const circmatch::CpvMatch& cpv : explanation.cpv_matches) {
    if (cpv.level == circmatch::CpvLevel::kNone) continue;
    std::printf("     cpv: %s ~ %s (%s)\n", cpv.query_code.c_str(), cpv.candidate_code.c_str(), CpvMeeting(cpv));
  }
  if (!explanation.shared_strategies.empty()) {
    std::printf("     shared strategies: %s\n", absl::StrJoin(explanation.shared_strategies, ", ").c_str());
  }
  for (const circmatch::StrategyEvidence& evidence : explanation.evidence) {
    std::printf("     evidence: %s \"%s\"\n", evidence.strategy.c_str(), evidence.words.c_str());
  }
  if (!explanation.intermediary_words.empty()) {
    std::printf("     intermediary: \"%s\"\n", explanation.intermediary_words.c_str());
  }
  for (const std::string& unmet : explanation.unmet_text_requirements) {
    std::printf("     unmet: %s\n", unmet.c_str());
  }
  if (explanation.distance_km) {
    std::printf("     distance: %.0f km%s\n", *explanation.distance_km,
                explanation.within_service_radius ? " (within its service radius)" : "");
  }
}

int Run(const std::string& data_dir) {
  // The reference data, loaded once; immutable afterwards and shared by every thread.
  absl::StatusOr<std::unique_ptr<circmatch::Vocabulary>> vocabulary = circmatch::Vocabulary::Load(data_dir);
  if (!vocabulary.ok()) {
    std::fprintf(stderr, "embed_engine: cannot load the reference data from %s: %s\n", data_dir.c_str(),
                 vocabulary.status().ToString().c_str());
    return 1;
  }
  std::printf("Reference data: %s\n", data_dir.c_str());

  // Every profile is normalized against the vocabulary before the index takes it (and before it is a query).
  std::vector<Profile> profiles = {ZwolleTender(), WorkshopKampen(), MarketplaceRotterdam(), LandscaperMaastricht()};
  for (Profile& profile : profiles) {
    const absl::Status normalized = circmatch::NormalizeProfile(**vocabulary, /*embedding_dimension=*/0, &profile);
    if (!normalized.ok()) {
      std::fprintf(stderr, "embed_engine: profile %s/%s: %s\n", profile.key.owner.c_str(), profile.key.id.c_str(),
                   normalized.ToString().c_str());
      return 1;
    }
  }

  // The index borrows the vocabulary, which must outlive it. Upsert inserts all profiles or none.
  absl::StatusOr<std::unique_ptr<circmatch::Index>> index =
      circmatch::Index::Create(circmatch::IndexOptions{}, vocabulary->get());
  if (!index.ok()) {
    std::fprintf(stderr, "embed_engine: %s\n", index.status().ToString().c_str());
    return 1;
  }
  if (const absl::Status upserted = (*index)->Upsert(profiles); !upserted.ok()) {
    std::fprintf(stderr, "embed_engine: %s\n", upserted.ToString().c_str());
    return 1;
  }

  // Suppliers for the tender: the default weights, at most 10, no hard filters. An empty viewer sees every
  // profile (a deployment with partners sets it to the partner asking).
  const Profile& tender = profiles[0];
  circmatch::MatchParams params;
  params.type = circmatch::MatchType::kSuppliersForTender;
  params.k = 10;
  absl::StatusOr<circmatch::MatchResult> result = (*index)->FindMatches(tender, params);
  if (!result.ok()) {
    std::fprintf(stderr, "embed_engine: %s\n", result.status().ToString().c_str());
    return 1;
  }

  std::printf("Tender %s/%s: %s (%s)\n", tender.key.owner.c_str(), tender.key.id.c_str(), tender.display_name.c_str(),
              tender.location.municipality.c_str());
  std::printf("Suppliers, best first (%zu of %lld):\n", result->matches.size(),
              static_cast<long long>((*index)->Count(circmatch::ProfileKind::kSupplier)));
  int rank = 0;
  for (const circmatch::Match& match : result->matches) {
    const std::optional<Profile> supplier = (*index)->Get(match.key);
    std::printf("  %d. %s/%s  score %.3f  %s\n", ++rank, match.key.owner.c_str(), match.key.id.c_str(), match.score,
                supplier ? supplier->display_name.c_str() : "");
    PrintExplanation(match.explanation);
  }

  // Why the other suppliers are not there: Explain names the hard filters that exclude a candidate.
  for (const Profile& supplier : profiles) {
    if (supplier.kind != circmatch::ProfileKind::kSupplier) continue;
    const bool returned = std::any_of(result->matches.begin(), result->matches.end(),
                                      [&](const circmatch::Match& match) { return match.key == supplier.key; });
    if (returned) continue;
    absl::StatusOr<circmatch::ExplainResult> why = (*index)->Explain(tender, supplier.key, params);
    if (!why.ok()) {
      std::fprintf(stderr, "embed_engine: %s\n", why.status().ToString().c_str());
      return 1;
    }
    std::printf("  not returned: %s/%s  %s\n", supplier.key.owner.c_str(), supplier.key.id.c_str(),
                supplier.display_name.c_str());
    for (const circmatch::Exclusion& exclusion : why->match.explanation.exclusions) {
      std::printf("     excluded by %s: %s\n", exclusion.field.c_str(), exclusion.reason.c_str());
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [DATA_DIR]\n", argv[0]);
    return 2;
  }
  return Run(argc == 2 ? argv[1] : CIRCMATCH_EXAMPLE_DATA_DIR);
}
