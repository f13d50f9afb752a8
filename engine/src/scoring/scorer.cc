#include "circmatch/scorer.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "circmatch/text_analysis.h"
#include "circmatch/visibility.h"

namespace circmatch {

const char* FacetName(Facet facet) {
  switch (facet) {
    case Facet::kCpv:
      return "cpv";
    case Facet::kStrategies:
      return "strategies";
    case Facet::kMaterials:
      return "materials";
    case Facet::kCertifications:
      return "certifications";
    case Facet::kLocation:
      return "location";
    case Facet::kPhases:
      return "phases";
    case Facet::kTopics:
      return "topics";
    case Facet::kText:
      return "text";
    case Facet::kEmbedding:
      return "embedding";
  }
  return "unknown";
}

FacetWeights DefaultWeights(MatchType type) {
  //                 cpv     strat   mater   certs   locat   phases  topics  text    embed
  switch (type) {
    // Fitted on the judged set's tuning part by bench/relevance/fit_model.cc (docs/MATCHING.md), times 0.95: the
    // embedding keeps 0.05 of its own for deployments that have one (the set has none, so it ranks the same).
    case MatchType::kSuppliersForTender:
    case MatchType::kTendersForSupplier:
      return FacetWeights{0.1666, 0.0000, 0.0480, 0.0000, 0.0000, 0.0000, 0.0000, 0.7354, 0.0500};
    case MatchType::kBuddiesForBuddy:
      return FacetWeights{0.15, 0.10, 0.05, 0.00, 0.05, 0.20, 0.20, 0.20, 0.05};
    case MatchType::kSimilarBuyers:
      return FacetWeights{0.40, 0.15, 0.10, 0.00, 0.20, 0.00, 0.00, 0.10, 0.05};
  }
  return FacetWeights{};
}

double DistanceKm(const GeoPoint& a, const GeoPoint& b) {
  Location at_a, at_b;
  at_a.point = a;
  at_b.point = b;
  const Eigen::Vector3d xyz_a = *Vectorizer::LocationVector(at_a);
  const Eigen::Vector3d xyz_b = *Vectorizer::LocationVector(at_b);
  return DistanceKmOfCosine(PointCosine(xyz_a.data(), xyz_b.data()));
}

double LocationSimilarity(double distance_km, double radius_km, double decay_km) {
  if (distance_km <= radius_km) return 1.0;
  return std::exp(-(distance_km - radius_km) / decay_km);
}

double ServiceRadiusKm(MatchType type, const Profile& query, const Profile& candidate) {
  switch (type) {
    case MatchType::kSuppliersForTender:
      return candidate.service_radius_km;
    case MatchType::kTendersForSupplier:
      return query.service_radius_km;
    case MatchType::kBuddiesForBuddy:
    case MatchType::kSimilarBuyers:
      return 0;
  }
  return 0;
}

const FacetValues& QueryFacets(MatchType type, const Profile& query) {
  switch (type) {
    case MatchType::kSuppliersForTender:
    case MatchType::kSimilarBuyers:
      return query.needs;
    case MatchType::kTendersForSupplier:
      return query.capabilities;
    case MatchType::kBuddiesForBuddy:
      return query.asks;
  }
  return query.needs;
}

const FacetValues& CandidateFacets(const Profile& profile) {
  switch (profile.kind) {
    case ProfileKind::kBuyer:
    case ProfileKind::kTender:
      return profile.needs;
    case ProfileKind::kSupplier:
      return profile.capabilities;
    case ProfileKind::kBuddy:
      return profile.offers;
  }
  return profile.needs;
}

ProfileKind CandidateKind(MatchType type) {
  switch (type) {
    case MatchType::kSuppliersForTender:
      return ProfileKind::kSupplier;
    case MatchType::kTendersForSupplier:
      return ProfileKind::kTender;
    case MatchType::kBuddiesForBuddy:
      return ProfileKind::kBuddy;
    case MatchType::kSimilarBuyers:
      return ProfileKind::kBuyer;
  }
  return ProfileKind::kSupplier;
}

bool IsOpenAt(const Profile& profile, int64_t now) {
  if (profile.publication_time && now < *profile.publication_time) return false;
  if (profile.closing_time && now >= *profile.closing_time) return false;
  return true;
}

std::array<bool, kFacetCount> QueryFacetPresence(const Vocabulary& vocabulary, MatchType type, const Profile& query) {
  const FacetValues& v = QueryFacets(type, query);
  std::array<bool, kFacetCount> present{};
  present[static_cast<int>(Facet::kCpv)] = !v.cpv_codes.empty();
  present[static_cast<int>(Facet::kStrategies)] = !v.strategies.empty() || !v.evidenced_strategies.empty();
  present[static_cast<int>(Facet::kMaterials)] = !v.materials.empty();
  present[static_cast<int>(Facet::kCertifications)] = !v.certifications.empty() || !v.named_certifications.empty();
  present[static_cast<int>(Facet::kLocation)] = query.location.point.has_value();
  present[static_cast<int>(Facet::kPhases)] = !v.phases.empty();
  present[static_cast<int>(Facet::kTopics)] = !v.topics.empty();
  present[static_cast<int>(Facet::kText)] = !vocabulary.text_analyzer().Analyze(v.text).empty();
  present[static_cast<int>(Facet::kEmbedding)] =
      !query.embedding.empty() &&
      std::any_of(query.embedding.begin(), query.embedding.end(), [](float x) { return x != 0; });
  return present;
}

std::string OrganizationKey(absl::string_view organization) {
  return FoldAndLower(absl::StripAsciiWhitespace(organization));
}

absl::StatusOr<ResolvedParams> ResolveParams(const Vocabulary& vocabulary, const Profile& query,
                                             const MatchParams& params, int embedding_dimension) {
  if (params.k < 1 || params.k > kMaxK) {
    return absl::InvalidArgumentError(absl::StrFormat("k: must be between 1 and %d, got %d", kMaxK, params.k));
  }
  switch (params.type) {
    case MatchType::kSuppliersForTender:
      if (query.kind != ProfileKind::kTender && query.kind != ProfileKind::kBuyer) {
        return absl::InvalidArgumentError(
            absl::StrCat("query: suppliers are suggested for a TENDER or BUYER, got ", ProfileKindName(query.kind)));
      }
      break;
    case MatchType::kSimilarBuyers:
      if (query.kind != ProfileKind::kTender && query.kind != ProfileKind::kBuyer) {
        return absl::InvalidArgumentError(
            absl::StrCat("query: similar buyers are found for a TENDER or BUYER, got ", ProfileKindName(query.kind)));
      }
      break;
    case MatchType::kTendersForSupplier:
      if (query.kind != ProfileKind::kSupplier) {
        return absl::InvalidArgumentError(
            absl::StrCat("query: tenders are suggested for a SUPPLIER, got ", ProfileKindName(query.kind)));
      }
      break;
    case MatchType::kBuddiesForBuddy:
      if (query.kind != ProfileKind::kBuddy) {
        return absl::InvalidArgumentError(
            absl::StrCat("query: buddies are found for a BUDDY, got ", ProfileKindName(query.kind)));
      }
      break;
  }
  // A query's cost grows with its text's terms: a text far beyond any tender's is refused, not ranked slowly.
  int64_t words = 0;
  bool in_word = false;
  for (const char c : QueryFacets(params.type, query).text) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(c));
    words += !space && !in_word;
    in_word = !space;
  }
  if (words > kMaxQueryTextWords) {
    const char* side = params.type == MatchType::kTendersForSupplier ? "capabilities"
                       : params.type == MatchType::kBuddiesForBuddy  ? "asks"
                                                                     : "needs";
    return absl::InvalidArgumentError(absl::StrFormat("query.%s.text: a query's text may hold at most %d words, got %d",
                                                      side, kMaxQueryTextWords, words));
  }
  if (!query.embedding.empty() && static_cast<int>(query.embedding.size()) != embedding_dimension) {
    return absl::InvalidArgumentError(
        absl::StrFormat("query.embedding: expected %d numbers, got %d", embedding_dimension, query.embedding.size()));
  }

  ResolvedParams resolved;
  FacetWeights weights = DefaultWeights(params.type);
  for (int f = 0; f < kFacetCount; ++f) {
    if (!params.weights[f]) continue;
    const double w = *params.weights[f];
    if (!std::isfinite(w) || w < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("weights.", FacetName(static_cast<Facet>(f)), ": must be a finite number >= 0"));
    }
    weights[f] = w;
  }
  const std::array<bool, kFacetCount> present = QueryFacetPresence(vocabulary, params.type, query);
  double total = 0;
  for (int f = 0; f < kFacetCount; ++f) {
    if (!present[f]) weights[f] = 0;
    total += weights[f];
  }
  if (total <= 0) return absl::InvalidArgumentError("weights: all facet weights are 0 for this query");
  for (double& w : weights) w /= total;
  // Rounding may leave their sum a hair above 1; the largest gives it back, so that no score (a sum of weight x
  // similarity x factor, each rounded to at most its weight) exceeds 1.
  for (;;) {
    double sum = 0;
    for (const double w : weights) sum += w;
    if (sum <= 1) break;
    double& largest = *std::max_element(weights.begin(), weights.end());
    largest = std::nextafter(largest, 0.0);
  }
  resolved.weights = weights;

  const MatchFilter& filter = params.filter;
  // A certificate outside the list is a free label like any other: no one holding it gives an empty list.
  for (size_t i = 0; i < filter.required_certifications.size(); ++i) {
    absl::StatusOr<std::string> canonical = vocabulary.CheckedCertification(
        filter.required_certifications[i], absl::StrFormat("filter.required_certifications[%d]", i));
    if (!canonical.ok()) return canonical.status();
    resolved.required_certifications.push_back(*std::move(canonical));
  }
  std::sort(resolved.required_certifications.begin(), resolved.required_certifications.end());
  resolved.required_certifications.erase(
      std::unique(resolved.required_certifications.begin(), resolved.required_certifications.end()),
      resolved.required_certifications.end());
  if (!std::isfinite(filter.max_distance_km) || filter.max_distance_km < 0) {
    return absl::InvalidArgumentError("filter.max_distance_km: must be a finite number >= 0");
  }
  if (!std::isfinite(filter.min_score) || filter.min_score < 0 || filter.min_score > 1) {
    return absl::InvalidArgumentError("filter.min_score: must be a number in [0, 1]");
  }
  for (const std::string& organization : filter.exclude_organizations) {
    std::string key = OrganizationKey(organization);
    if (!key.empty()) resolved.excluded_organizations.push_back(std::move(key));
  }
  // Joint procurement is with other organizations.
  if (params.type == MatchType::kSimilarBuyers) {
    std::string own = OrganizationKey(query.organization);
    if (!own.empty()) resolved.excluded_organizations.push_back(std::move(own));
  }
  return resolved;
}

bool OutOfReach(MatchType type, const Profile& query, const Profile& candidate, std::optional<double> distance_km) {
  const double radius = ServiceRadiusKm(type, query, candidate);
  return radius > 0 && distance_km.has_value() && *distance_km > radius;
}

std::vector<Exclusion> FindExclusions(const Vocabulary& vocabulary, const Profile& query, const Profile& candidate,
                                      const MatchParams& params, const ResolvedParams& resolved,
                                      std::optional<double> distance_km) {
  std::vector<Exclusion> out;
  const ProfileKind wanted = CandidateKind(params.type);
  if (candidate.kind != wanted) {
    out.push_back(
        {"kind", absl::StrCat("is a ", ProfileKindName(candidate.kind), ", not a ", ProfileKindName(wanted))});
  }
  if (!MayView(params.viewer, candidate.key.owner, candidate.visibility)) {
    out.push_back({"visibility", "private to another owner"});
  }
  if (params.type == MatchType::kTendersForSupplier) {
    if (candidate.publication_time && params.now_unix_seconds < *candidate.publication_time) {
      out.push_back({"publication_time", "not yet published"});
    }
    if (candidate.closing_time && params.now_unix_seconds >= *candidate.closing_time) {
      out.push_back({"closing_time", "closed"});
    }
  }
  if (candidate.key == query.key) out.push_back({"candidate", "is the query itself"});
  if (std::find(params.filter.exclude.begin(), params.filter.exclude.end(), candidate.key) !=
      params.filter.exclude.end()) {
    out.push_back({"filter.exclude", "excluded by the request"});
  }
  if (params.type == MatchType::kSimilarBuyers && !OrganizationKey(query.organization).empty() &&
      OrganizationKey(candidate.organization) == OrganizationKey(query.organization)) {
    out.push_back({"organization", absl::StrCat("the query's own organization \"", candidate.organization, "\"")});
  } else if (!resolved.excluded_organizations.empty()) {
    const std::string organization = OrganizationKey(candidate.organization);
    if (std::find(resolved.excluded_organizations.begin(), resolved.excluded_organizations.end(), organization) !=
        resolved.excluded_organizations.end()) {
      out.push_back(
          {"filter.exclude_organizations", absl::StrCat("organization \"", candidate.organization, "\" is excluded")});
    }
  }
  if (!resolved.required_certifications.empty()) {
    const std::vector<std::string> held = vocabulary.HeldCertifications(CandidateFacets(candidate).certifications);
    std::vector<std::string> missing;
    std::set_difference(resolved.required_certifications.begin(), resolved.required_certifications.end(), held.begin(),
                        held.end(), std::back_inserter(missing));
    if (!missing.empty()) {
      out.push_back({"filter.required_certifications", absl::StrCat("missing ", absl::StrJoin(missing, ", "))});
    }
  }
  if (params.filter.max_distance_km > 0) {
    if (!distance_km) {
      out.push_back({"filter.max_distance_km", "no location to measure the distance"});
    } else if (*distance_km > params.filter.max_distance_km) {
      out.push_back({"filter.max_distance_km",
                     absl::StrFormat("%.1f km away, more than %.1f km", *distance_km, params.filter.max_distance_km)});
    }
  }
  if (!params.filter.include_out_of_reach && OutOfReach(params.type, query, candidate, distance_km)) {
    out.push_back({"service_radius_km", absl::StrFormat("outside the supplier's service radius: %.0f km > %.0f km",
                                                        *distance_km, ServiceRadiusKm(params.type, query, candidate))});
  }
  return out;
}

}  // namespace circmatch
