#include "service/api/gap_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "circmatch/csv.h"
#include "circmatch/text_analysis.h"
#include "service/api/rank_profiles.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"
#include "service/store/stored_profiles.h"

namespace circmatch::service {
namespace {

// Tenders read per store call.
constexpr int kListBatch = 1000;

// Where the report looks: the municipalities (by CBS code) whose tenders count, or a tag.
struct Region {
  std::string description;
  // Set for a province, COROP region or municipality; the tenders located in one of them count.
  std::optional<absl::flat_hash_set<std::string>> codes;
  // Set for a tag; the tenders carrying it count.
  std::optional<std::string> tag;
};

absl::StatusOr<Region> ResolveRegion(const Vocabulary& vocabulary, const v1::GapReportRequest& request) {
  Region region;
  // A province or COROP region: every municipality whose name or code of that level has the key asked for.
  const auto area = [&](absl::string_view field, absl::string_view asked, absl::string_view what,
                        absl::string_view example, std::string Municipality::*name,
                        std::string Municipality::*code) -> absl::Status {
    const std::string key = AlnumKey(asked);
    region.codes.emplace();
    for (const Municipality& m : vocabulary.municipalities()) {
      if (key.empty() || (AlnumKey(m.*name) != key && AlnumKey(m.*code) != key)) continue;
      if (region.codes->empty()) region.description = absl::StrCat(what, " ", m.*name, " (", m.*code, ")");
      region.codes->insert(m.code);
    }
    if (!region.codes->empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": unknown ", what, " \"", asked, "\"; give its name or CBS code, e.g. ", example));
  };
  switch (request.region_case()) {
    case v1::GapReportRequest::kProvince:
      if (absl::Status s = area("province", request.province(), "province", "\"Overijssel\" or \"PV23\"",
                                &Municipality::province, &Municipality::province_code);
          !s.ok()) {
        return s;
      }
      break;
    case v1::GapReportRequest::kCorop:
      if (absl::Status s = area("corop", request.corop(), "COROP region", "\"Noord-Overijssel\" or \"CR10\"",
                                &Municipality::corop, &Municipality::corop_code);
          !s.ok()) {
        return s;
      }
      break;
    case v1::GapReportRequest::kMunicipality: {
      const Municipality* m = vocabulary.FindMunicipality(request.municipality());
      if (m == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("municipality: unknown municipality \"", request.municipality(), "\""));
      }
      region.description = absl::StrCat("municipality ", m->name, " (", m->code, ")");
      region.codes.emplace({m->code});
      break;
    }
    case v1::GapReportRequest::kTag:
      if (request.tag().empty()) return absl::InvalidArgumentError("tag: must not be empty");
      region.description = absl::StrCat("tag ", request.tag());
      region.tag = request.tag();
      break;
    case v1::GapReportRequest::REGION_NOT_SET:
      region.description = "Nederland";
      break;
  }
  return region;
}

// The first digits of a CPV code that name its sector at `level`, as the sector's own 8-digit code.
std::string SectorOf(const std::string& code8, v1::CpvLevel level) {
  const size_t digits = level == v1::CPV_LEVEL_GROUP ? 3 : 2;
  return code8.substr(0, digits) + std::string(8 - digits, '0');
}

// What the report keeps of a supplier that passed for some tender.
struct SupplierFacts {
  bool sme = false;
  std::vector<int> strategies;  // tagged or evidenced
  std::vector<int> evidenced;
};

// One tender as ranked.
struct RankedTender {
  v1::UnderservedTender summary;  // ref, name, municipality, suppliers found
  std::string municipality_code;
  std::vector<std::string> sectors;
  std::vector<ProfileKey> suppliers;
  bool open = false;
};

// The sums of a sector or municipality.
struct Tally {
  int tenders = 0;
  int open = 0;
  int underserved = 0;
  double shortfall = 0;
  absl::flat_hash_set<ProfileKey> suppliers;

  double Gap() const { return tenders > 0 ? shortfall / tenders : 0; }
};

std::string Number(double value, int decimals) { return absl::StrFormat("%.*f", decimals, value); }

std::string SectorsCsv(const v1::GapReportResponse& report) {
  std::string csv =
      CsvLine({"cpv_code", "label_nl", "label_en", "tenders", "open_tenders", "suppliers", "sme_suppliers",
               "underserved_tenders", "gap", "no_supply_nearby", "strategies", "underserved_ids"});
  for (const v1::SectorGap& s : report.sectors()) {
    std::vector<std::string> strategies, ids;
    for (const v1::StrategyCount& c : s.strategies()) {
      strategies.push_back(absl::StrCat(c.strategy(), ":", c.suppliers(), "/", c.evidenced()));
    }
    for (const v1::UnderservedTender& t : s.underserved_tenders()) {
      ids.push_back(absl::StrCat(t.ref().owner(), "/", t.ref().id()));
    }
    csv += CsvLine({s.cpv_code(), s.label_nl(), s.label_en(), absl::StrCat(s.tenders()), absl::StrCat(s.open_tenders()),
                    absl::StrCat(s.suppliers()), absl::StrCat(s.sme_suppliers()),
                    absl::StrCat(s.underserved_tenders_size()), Number(s.gap(), 4),
                    s.no_supply_nearby() ? "true" : "false", absl::StrJoin(strategies, ";"), absl::StrJoin(ids, ";")});
  }
  return csv;
}

std::string MunicipalitiesCsv(const v1::GapReportResponse& report) {
  std::string csv =
      CsvLine({"code", "name", "latitude", "longitude", "tenders", "suppliers", "underserved_tenders", "gap"});
  for (const v1::MunicipalityGap& m : report.municipalities()) {
    csv += CsvLine({m.code(), m.name(), Number(m.latitude(), 5), Number(m.longitude(), 5), absl::StrCat(m.tenders()),
                    absl::StrCat(m.suppliers()), absl::StrCat(m.underserved_tenders()), Number(m.gap(), 4)});
  }
  return csv;
}

}  // namespace

absl::StatusOr<v1::GapReportResponse> GapReportFor(const ProfileRepository& repository, const std::string& caller,
                                                   const v1::GapReportRequest& request, absl::Time now,
                                                   const std::function<absl::Status()>& interrupt) {
  // The period, in the whole seconds tenders are open in.
  std::optional<int64_t> start, end;
  if (request.has_start_time()) {
    absl::StatusOr<int64_t> seconds = SecondsFromTimestamp(request.start_time(), "start_time");
    if (!seconds.ok()) return seconds.status();
    start = *seconds;
  }
  if (request.has_end_time()) {
    absl::StatusOr<int64_t> seconds = SecondsFromTimestamp(request.end_time(), "end_time");
    if (!seconds.ok()) return seconds.status();
    end = *seconds;
  }
  if (start.has_value() && end.has_value() && *end < *start) {
    return absl::InvalidArgumentError("end_time: must not be before start_time");
  }
  v1::CpvLevel level = request.cpv_level();
  if (level == v1::CPV_LEVEL_UNSPECIFIED) level = v1::CPV_LEVEL_DIVISION;
  if (level != v1::CPV_LEVEL_DIVISION && level != v1::CPV_LEVEL_GROUP) {
    return absl::InvalidArgumentError(
        absl::StrCat("cpv_level: unknown value ", static_cast<int>(level), "; CPV_LEVEL_DIVISION or CPV_LEVEL_GROUP"));
  }
  const double min_score = request.has_min_score() ? request.min_score() : kDefaultGapMinScore;
  if (!std::isfinite(min_score) || min_score < 0 || min_score > 1) {
    return absl::InvalidArgumentError(absl::StrCat("min_score: must be a number in [0, 1], got ", min_score));
  }
  if (request.min_suppliers() < 0 || request.min_suppliers() > kMaxK) {
    return absl::InvalidArgumentError(absl::StrCat("min_suppliers: must be 0 (for ", kDefaultGapMinSuppliers, ") to ",
                                                   kMaxK, ", got ", request.min_suppliers()));
  }
  const int min_suppliers = request.min_suppliers() > 0 ? request.min_suppliers() : kDefaultGapMinSuppliers;
  if (request.format() != v1::GAP_REPORT_FORMAT_UNSPECIFIED && request.format() != v1::GAP_REPORT_FORMAT_CSV) {
    return absl::InvalidArgumentError(
        absl::StrCat("format: unknown value ", static_cast<int>(request.format()), "; GAP_REPORT_FORMAT_CSV or unset"));
  }
  const Vocabulary& vocabulary = repository.vocabulary();
  absl::StatusOr<Region> region = ResolveRegion(vocabulary, request);
  if (!region.ok()) return region.status();

  // Suppliers are ranked for each tender as SuggestSuppliers ranks them: the caller's rank profile, the hard
  // filters (reach first), at least min_score; k as large as a call may ask, so the suppliers are counted.
  absl::StatusOr<RankingChoice> ranking =
      ChooseRankProfile(repository.store(), caller, v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER, "");
  if (!ranking.ok()) return ranking.status();
  v1::MatchFilter filter;
  filter.set_min_score(min_score);
  absl::StatusOr<MatchParams> params =
      MatchParamsFromProto(MatchType::kSuppliersForTender, kMaxK, WeightsFor(*ranking, v1::FacetWeights()), filter);
  if (!params.ok()) return params.status();
  params->viewer = caller;
  params->now_unix_seconds = absl::ToUnixSeconds(now);
  params->interrupt = interrupt;
  // Each supplier is read from the store once, however many tenders it passes for.
  StoredProfiles profiles(repository, caller);
  profiles.HoldWhatIsRead();

  // The tenders the caller may see, of the period and region.
  std::vector<v1::Profile> tenders;
  ListQuery query;
  query.kind = v1::PROFILE_KIND_TENDER;
  query.limit = kListBatch;
  while (true) {
    absl::StatusOr<ListPage> page = repository.store().List(query);
    if (!page.ok()) return page.status();
    for (v1::Profile& tender : page->profiles) {
      query.after = ProfileKey{tender.owner(), tender.id()};
      if (!VisibleTo(tender, caller)) continue;
      if (end.has_value() && tender.has_publication_time() && tender.publication_time().seconds() >= *end) continue;
      if (start.has_value() && tender.has_closing_time() && tender.closing_time().seconds() <= *start) continue;
      if (region->codes.has_value() && !region->codes->contains(tender.location().municipality_code())) continue;
      if (region->tag.has_value() &&
          std::find(tender.tags().begin(), tender.tags().end(), *region->tag) == tender.tags().end()) {
        continue;
      }
      if (static_cast<int>(tenders.size()) == kMaxGapReportTenders) {
        return absl::InvalidArgumentError(
            absl::StrCat("region: more than ", kMaxGapReportTenders, " tenders in the region and period; narrow them"));
      }
      tenders.push_back(std::move(tender));
    }
    if (!page->more) break;
  }

  std::vector<RankedTender> ranked;
  absl::flat_hash_map<ProfileKey, SupplierFacts> suppliers;
  for (const v1::Profile& stored : tenders) {
    if (absl::Status status = interrupt ? interrupt() : absl::OkStatus(); !status.ok()) return status;
    // One that no longer converts (the vocabulary changed since it was written) is not in the index either.
    std::optional<Profile> tender = repository.FromStored(stored);
    if (!tender.has_value()) continue;
    absl::StatusOr<MatchResult> result = repository.index().FindMatches(*tender, *params);
    if (!result.ok()) return result.status();
    RankedTender row;
    row.summary.mutable_ref()->set_owner(stored.owner());
    row.summary.mutable_ref()->set_id(stored.id());
    row.summary.set_display_name(stored.display_name());
    row.summary.set_municipality(stored.location().municipality());
    row.summary.set_suppliers(static_cast<int>(result->matches.size()));
    row.municipality_code = stored.location().municipality_code();
    row.open = (!tender->publication_time.has_value() || *tender->publication_time <= params->now_unix_seconds) &&
               (!tender->closing_time.has_value() || params->now_unix_seconds < *tender->closing_time);
    for (const std::string& code : tender->needs.cpv_codes) row.sectors.push_back(SectorOf(code, level));
    std::sort(row.sectors.begin(), row.sectors.end());
    row.sectors.erase(std::unique(row.sectors.begin(), row.sectors.end()), row.sectors.end());
    if (row.sectors.empty()) row.sectors.push_back("");
    std::vector<ProfileKey> keys;
    for (const Match& match : result->matches) keys.push_back(match.key);
    absl::StatusOr<std::vector<std::optional<Profile>>> read = profiles.GetMany(keys);
    if (!read.ok()) return read.status();
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::optional<Profile>& supplier = (*read)[i];
      const Match& match = result->matches[i];
      if (!supplier.has_value()) continue;  // deleted since it was ranked, or made private: as absent
      row.suppliers.push_back(match.key);
      if (suppliers.contains(match.key)) continue;
      SupplierFacts facts;
      facts.sme = IsSme(supplier->organization_size);
      facts.strategies = supplier->capabilities.TaggedOrEvidencedStrategies();
      facts.evidenced = supplier->capabilities.evidenced_strategies;
      suppliers.emplace(match.key, std::move(facts));
    }
    ranked.push_back(std::move(row));
  }

  // The sums per sector and municipality.
  absl::btree_map<std::string, Tally> by_sector;
  absl::btree_map<std::string, std::vector<const RankedTender*>> underserved_by_sector;
  absl::flat_hash_map<std::string, Tally> by_municipality;
  absl::flat_hash_set<std::string> tagged_municipalities;
  absl::flat_hash_set<ProfileKey> all_suppliers;
  v1::GapReportResponse report;
  for (const RankedTender& tender : ranked) {
    const int found = static_cast<int>(tender.suppliers.size());
    const bool underserved = found < min_suppliers;
    const double shortfall = underserved ? static_cast<double>(min_suppliers - found) / min_suppliers : 0;
    const auto add = [&](Tally& tally) {
      ++tally.tenders;
      tally.open += tender.open ? 1 : 0;
      tally.underserved += underserved ? 1 : 0;
      tally.shortfall += shortfall;
      tally.suppliers.insert(tender.suppliers.begin(), tender.suppliers.end());
    };
    for (const std::string& sector : tender.sectors) {
      add(by_sector[sector]);
      if (underserved) underserved_by_sector[sector].push_back(&tender);
    }
    if (!tender.municipality_code.empty()) {
      add(by_municipality[tender.municipality_code]);
      tagged_municipalities.insert(tender.municipality_code);
    }
    all_suppliers.insert(tender.suppliers.begin(), tender.suppliers.end());
    report.set_underserved_tenders(report.underserved_tenders() + (underserved ? 1 : 0));
  }

  for (const auto& [code, tally] : by_sector) {
    v1::SectorGap* sector = report.add_sectors();
    sector->set_cpv_code(code);
    if (code.empty()) {
      sector->set_label_nl("geen CPV-code");
      sector->set_label_en("no CPV code");
    } else if (const CpvCode* cpv = vocabulary.FindCpv(code); cpv != nullptr) {
      sector->set_label_nl(cpv->label_nl);
      sector->set_label_en(cpv->label_en);
    }
    sector->set_tenders(tally.tenders);
    sector->set_open_tenders(tally.open);
    sector->set_suppliers(static_cast<int>(tally.suppliers.size()));
    std::array<int, 10> stating{}, evidencing{};
    for (const ProfileKey& key : tally.suppliers) {
      const SupplierFacts& facts = suppliers.at(key);
      sector->set_sme_suppliers(sector->sme_suppliers() + (facts.sme ? 1 : 0));
      for (int r : facts.strategies) ++stating[r];
      for (int r : facts.evidenced) ++evidencing[r];
    }
    for (int r = 0; r < 10; ++r) {
      if (stating[r] == 0) continue;
      v1::StrategyCount* count = sector->add_strategies();
      count->set_strategy(absl::StrCat("R", r));
      count->set_suppliers(stating[r]);
      count->set_evidenced(evidencing[r]);
    }
    for (const RankedTender* tender : underserved_by_sector[code]) *sector->add_underserved_tenders() = tender->summary;
    sector->set_gap(tally.Gap());
    sector->set_no_supply_nearby(tally.tenders > 0 && tally.suppliers.empty());
  }
  std::stable_sort(report.mutable_sectors()->begin(), report.mutable_sectors()->end(),
                   [](const v1::SectorGap& a, const v1::SectorGap& b) { return a.gap() > b.gap(); });

  // The map: every municipality of the region, or those of the tagged tenders, or the whole country.
  std::vector<const Municipality*> map;
  for (const Municipality& m : vocabulary.municipalities()) {
    const bool in = region->codes.has_value() ? region->codes->contains(m.code)
                    : region->tag.has_value() ? tagged_municipalities.contains(m.code)
                                              : true;
    if (in) map.push_back(&m);
  }
  std::sort(map.begin(), map.end(), [](const Municipality* a, const Municipality* b) { return a->name < b->name; });
  const Tally none;
  for (const Municipality* m : map) {
    auto it = by_municipality.find(m->code);
    const Tally& tally = it == by_municipality.end() ? none : it->second;
    v1::MunicipalityGap* row = report.add_municipalities();
    row->set_name(m->name);
    row->set_code(m->code);
    row->set_latitude(m->centre.latitude);
    row->set_longitude(m->centre.longitude);
    row->set_tenders(tally.tenders);
    row->set_suppliers(static_cast<int>(tally.suppliers.size()));
    row->set_underserved_tenders(tally.underserved);
    row->set_gap(tally.Gap());
  }

  report.set_region(region->description);
  report.set_tenders(static_cast<int>(ranked.size()));
  report.set_suppliers(static_cast<int>(all_suppliers.size()));
  report.set_cpv_level(level);
  report.set_min_score(min_score);
  report.set_min_suppliers(min_suppliers);
  report.set_rank_profile(ranking->label);
  if (request.format() == v1::GAP_REPORT_FORMAT_CSV) {
    report.set_sectors_csv(SectorsCsv(report));
    report.set_municipalities_csv(MunicipalitiesCsv(report));
  }
  return report;
}

}  // namespace circmatch::service
