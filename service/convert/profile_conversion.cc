#include "service/convert/profile_conversion.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/convert/status_mapping.h"

namespace circmatch::service {
namespace {

void SetTimestamp(int64_t seconds, google::protobuf::Timestamp* timestamp) {
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(0);
}

template <typename Repeated>
std::vector<std::string> ToVector(const Repeated& values) {
  return std::vector<std::string>(values.begin(), values.end());
}

absl::StatusOr<FacetValues> FacetsFromProto(const v1::Facets& proto, absl::string_view side,
                                            const Vocabulary& vocabulary) {
  FacetValues values;
  values.cpv_codes = ToVector(proto.cpv_codes());
  // Strategies are R numbers in the engine; the API accepts the id and the EN/NL words.
  for (int i = 0; i < proto.strategies_size(); ++i) {
    const Term* term = Vocabulary::FindTerm(vocabulary.strategies(), proto.strategies(i));
    if (term == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(side, ".strategies[", i, "]: unknown strategy \"", proto.strategies(i), "\""));
    }
    values.strategies.push_back(term->level);
  }
  values.materials = ToVector(proto.materials());
  values.certifications = ToVector(proto.certifications());
  values.phases = ToVector(proto.phases());
  values.topics = ToVector(proto.topics());
  values.text = proto.text();
  return values;
}

void FacetsToProto(const FacetValues& values, v1::Facets* proto) {
  for (const std::string& code : values.cpv_codes) proto->add_cpv_codes(code);
  for (int level : values.strategies) proto->add_strategies(absl::StrCat("R", level));
  for (const std::string& v : values.materials) proto->add_materials(v);
  for (const std::string& v : values.certifications) proto->add_certifications(v);
  for (const std::string& v : values.phases) proto->add_phases(v);
  for (const std::string& v : values.topics) proto->add_topics(v);
  proto->set_text(values.text);
}

absl::Status CheckWeight(const char* name, bool has, double value) {
  if (has && !(std::isfinite(value) && value >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("weights.", name, ": must be finite and >= 0, got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

// The range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::StatusOr<int64_t> SecondsFromTimestamp(const google::protobuf::Timestamp& timestamp, absl::string_view field) {
  if (timestamp.seconds() < kMinTimestampSeconds || timestamp.seconds() > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": seconds out of range (years 1 to 9999), got ", timestamp.seconds()));
  }
  if (timestamp.nanos() < 0 || timestamp.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": nanos must be 0 to 999999999, got ", timestamp.nanos()));
  }
  // The engine works in whole seconds; sub-second precision does not change which tenders are open.
  return timestamp.seconds();
}

absl::StatusOr<ProfileKind> KindFromProto(int kind, absl::string_view field) {
  switch (kind) {
    case v1::PROFILE_KIND_BUYER:
      return ProfileKind::kBuyer;
    case v1::PROFILE_KIND_TENDER:
      return ProfileKind::kTender;
    case v1::PROFILE_KIND_SUPPLIER:
      return ProfileKind::kSupplier;
    case v1::PROFILE_KIND_BUDDY:
      return ProfileKind::kBuddy;
    case v1::PROFILE_KIND_UNSPECIFIED:
      return absl::InvalidArgumentError(absl::StrCat(field, ": must be set"));
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value ", kind));
  }
}

v1::ProfileKind KindToProto(ProfileKind kind) {
  switch (kind) {
    case ProfileKind::kBuyer:
      return v1::PROFILE_KIND_BUYER;
    case ProfileKind::kTender:
      return v1::PROFILE_KIND_TENDER;
    case ProfileKind::kSupplier:
      return v1::PROFILE_KIND_SUPPLIER;
    case ProfileKind::kBuddy:
      return v1::PROFILE_KIND_BUDDY;
  }
  return v1::PROFILE_KIND_UNSPECIFIED;
}

absl::StatusOr<Profile> ProfileFromProto(const v1::Profile& proto, const ConversionContext& context,
                                         std::optional<ProfileKind> default_kind) {
  Profile profile;
  profile.key.owner = proto.owner().empty() ? std::string(kLocalOwner) : proto.owner();
  profile.key.id = proto.id();

  if (proto.kind() == v1::PROFILE_KIND_UNSPECIFIED && default_kind.has_value()) {
    profile.kind = *default_kind;
  } else {
    absl::StatusOr<ProfileKind> kind = KindFromProto(proto.kind(), "kind");
    if (!kind.ok()) return kind.status();
    profile.kind = *kind;
  }

  switch (proto.visibility()) {
    case v1::VISIBILITY_UNSPECIFIED:
    case v1::VISIBILITY_PRIVATE:
      profile.visibility = Visibility::kPrivate;
      break;
    case v1::VISIBILITY_SHARED:
      profile.visibility = Visibility::kShared;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("visibility: unknown value ", proto.visibility()));
  }

  profile.display_name = proto.display_name();
  profile.organization = proto.organization();
  // municipality_code and province are output only: normalization fills them from the municipality.
  profile.location.municipality = proto.location().municipality();
  if (proto.location().has_coordinates()) {
    profile.location.point =
        GeoPoint{proto.location().coordinates().latitude(), proto.location().coordinates().longitude()};
  }
  profile.service_radius_km = proto.service_radius_km();

  const Vocabulary& vocabulary = *context.vocabulary;
  struct Side {
    const v1::Facets& proto;
    const char* name;
    FacetValues* values;
  };
  for (const Side& side :
       {Side{proto.needs(), "needs", &profile.needs}, Side{proto.capabilities(), "capabilities", &profile.capabilities},
        Side{proto.offers(), "offers", &profile.offers}, Side{proto.asks(), "asks", &profile.asks}}) {
    absl::StatusOr<FacetValues> values = FacetsFromProto(side.proto, side.name, vocabulary);
    if (!values.ok()) return values.status();
    *side.values = *std::move(values);
  }
  profile.capacity = proto.capacity();
  profile.embedding.assign(proto.embedding().begin(), proto.embedding().end());

  if (proto.has_publication_time()) {
    absl::StatusOr<int64_t> seconds = SecondsFromTimestamp(proto.publication_time(), "publication_time");
    if (!seconds.ok()) return seconds.status();
    profile.publication_time = *seconds;
  }
  if (proto.has_closing_time()) {
    absl::StatusOr<int64_t> seconds = SecondsFromTimestamp(proto.closing_time(), "closing_time");
    if (!seconds.ok()) return seconds.status();
    profile.closing_time = *seconds;
  }
  profile.tags = ToVector(proto.tags());
  if (!v1::OrganizationSize_IsValid(proto.organization_size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("organization_size: unknown value ", static_cast<int>(proto.organization_size())));
  }
  profile.organization_size = static_cast<OrganizationSize>(proto.organization_size());

  if (absl::Status status = NormalizeProfile(vocabulary, context.embedding_dimension, &profile); !status.ok()) {
    return status;
  }
  return profile;
}

v1::Profile ProfileToProto(const Profile& profile, const v1::Contact& contact, int64_t update_time_unix_seconds) {
  v1::Profile proto;
  proto.set_id(profile.key.id);
  proto.set_kind(KindToProto(profile.kind));
  proto.set_owner(profile.key.owner);
  proto.set_display_name(profile.display_name);
  proto.set_organization(profile.organization);
  const Location& location = profile.location;
  if (!location.municipality.empty() || location.point.has_value()) {
    v1::Location* out = proto.mutable_location();
    out->set_municipality(location.municipality);
    out->set_municipality_code(location.municipality_code);
    out->set_province(location.province);
    if (location.point.has_value()) {
      out->mutable_coordinates()->set_latitude(location.point->latitude);
      out->mutable_coordinates()->set_longitude(location.point->longitude);
    }
  }
  proto.set_service_radius_km(profile.service_radius_km);
  proto.set_visibility(profile.visibility == Visibility::kShared ? v1::VISIBILITY_SHARED : v1::VISIBILITY_PRIVATE);
  if (contact.ByteSizeLong() > 0) *proto.mutable_contact() = contact;
  if (!profile.needs.empty()) FacetsToProto(profile.needs, proto.mutable_needs());
  if (!profile.capabilities.empty()) FacetsToProto(profile.capabilities, proto.mutable_capabilities());
  if (!profile.offers.empty()) FacetsToProto(profile.offers, proto.mutable_offers());
  if (!profile.asks.empty()) FacetsToProto(profile.asks, proto.mutable_asks());
  proto.set_capacity(profile.capacity);
  for (float value : profile.embedding) proto.add_embedding(value);
  if (profile.publication_time.has_value()) {
    SetTimestamp(*profile.publication_time, proto.mutable_publication_time());
  }
  if (profile.closing_time.has_value()) SetTimestamp(*profile.closing_time, proto.mutable_closing_time());
  for (const std::string& tag : profile.tags) proto.add_tags(tag);
  proto.set_organization_size(static_cast<v1::OrganizationSize>(profile.organization_size));
  SetTimestamp(update_time_unix_seconds, proto.mutable_update_time());
  return proto;
}

absl::StatusOr<ProfileKey> KeyFromRef(const v1::ProfileRef& ref, absl::string_view field) {
  if (ref.id().empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".id: must not be empty"));
  return ProfileKey{ref.owner().empty() ? std::string(kLocalOwner) : ref.owner(), ref.id()};
}

absl::StatusOr<MatchType> MatchTypeFromProto(v1::MatchType type, absl::string_view field) {
  switch (type) {
    case v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER:
      return MatchType::kSuppliersForTender;
    case v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER:
      return MatchType::kTendersForSupplier;
    case v1::MATCH_TYPE_BUDDIES_FOR_BUDDY:
      return MatchType::kBuddiesForBuddy;
    case v1::MATCH_TYPE_SIMILAR_BUYERS:
      return MatchType::kSimilarBuyers;
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ": required, one of MATCH_TYPE_SUPPLIERS_FOR_TENDER, ",
                                                     "MATCH_TYPE_TENDERS_FOR_SUPPLIER, MATCH_TYPE_BUDDIES_FOR_BUDDY, ",
                                                     "MATCH_TYPE_SIMILAR_BUYERS; got ", static_cast<int>(type)));
  }
}

absl::StatusOr<std::optional<DiversityRequest>> DiversityFromProto(const v1::Diversity& diversity) {
  if (diversity.max_per_organization() == 0 && diversity.spread_over() == v1::DIVERSITY_ATTRIBUTE_UNSPECIFIED &&
      diversity.spread() == 0 && diversity.min_sme_share() == 0) {
    return std::nullopt;
  }
  if (diversity.max_per_organization() < 0 || diversity.max_per_organization() > kMaxK) {
    return absl::InvalidArgumentError(absl::StrCat("diversity.max_per_organization: must be 0 to ", kMaxK, ", got ",
                                                   diversity.max_per_organization()));
  }
  if (!v1::DiversityAttribute_IsValid(diversity.spread_over())) {
    return absl::InvalidArgumentError(
        absl::StrCat("diversity.spread_over: unknown value ", static_cast<int>(diversity.spread_over())));
  }
  if (!(diversity.spread() >= 0 && diversity.spread() <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("diversity.spread: must be 0 to 1, got ", diversity.spread()));
  }
  if ((diversity.spread() > 0) != (diversity.spread_over() != v1::DIVERSITY_ATTRIBUTE_UNSPECIFIED)) {
    return absl::InvalidArgumentError(
        "diversity.spread_over: set it together with diversity.spread (above 0), or neither");
  }
  if (!(diversity.min_sme_share() >= 0 && diversity.min_sme_share() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("diversity.min_sme_share: must be 0 to 1, got ", diversity.min_sme_share()));
  }
  DiversityRequest request;
  request.options.max_per_organization = diversity.max_per_organization();
  request.options.spread = diversity.spread();
  request.options.min_sme_share = diversity.min_sme_share();
  request.spread_over = diversity.spread_over();
  return request;
}

std::string DiversityGroupOf(const v1::Profile& candidate, v1::DiversityAttribute attribute) {
  if (attribute == v1::DIVERSITY_ATTRIBUTE_PROVINCE) return candidate.location().province();
  if (attribute != v1::DIVERSITY_ATTRIBUTE_CPV_DIVISION) return "";
  const v1::Facets& side = candidate.kind() == v1::PROFILE_KIND_SUPPLIER ? candidate.capabilities()
                           : candidate.kind() == v1::PROFILE_KIND_BUDDY  ? candidate.offers()
                                                                         : candidate.needs();
  return side.cpv_codes().empty() ? "" : side.cpv_codes(0).substr(0, 2);
}

v1::MatchType MatchTypeToProto(MatchType type) {
  switch (type) {
    case MatchType::kSuppliersForTender:
      return v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER;
    case MatchType::kTendersForSupplier:
      return v1::MATCH_TYPE_TENDERS_FOR_SUPPLIER;
    case MatchType::kBuddiesForBuddy:
      return v1::MATCH_TYPE_BUDDIES_FOR_BUDDY;
    case MatchType::kSimilarBuyers:
      return v1::MATCH_TYPE_SIMILAR_BUYERS;
  }
  return v1::MATCH_TYPE_UNSPECIFIED;
}

absl::StatusOr<MatchParams> MatchParamsFromProto(MatchType type, int k, const v1::FacetWeights& weights,
                                                 const v1::MatchFilter& filter) {
  MatchParams params;
  params.type = type;
  if (k < 1 || k > kMaxK) {
    return absl::InvalidArgumentError(absl::StrCat("k: must be 1 to ", kMaxK, ", got ", k));
  }
  params.k = k;

  struct WeightField {
    Facet facet;
    const char* name;
    bool has;
    double value;
  };
  const WeightField fields[] = {
      {Facet::kCpv, "cpv", weights.has_cpv(), weights.cpv()},
      {Facet::kStrategies, "strategies", weights.has_strategies(), weights.strategies()},
      {Facet::kMaterials, "materials", weights.has_materials(), weights.materials()},
      {Facet::kCertifications, "certifications", weights.has_certifications(), weights.certifications()},
      {Facet::kLocation, "location", weights.has_location(), weights.location()},
      {Facet::kPhases, "phases", weights.has_phases(), weights.phases()},
      {Facet::kTopics, "topics", weights.has_topics(), weights.topics()},
      {Facet::kText, "text", weights.has_text(), weights.text()},
      {Facet::kEmbedding, "embedding", weights.has_embedding(), weights.embedding()},
  };
  for (const WeightField& field : fields) {
    if (absl::Status status = CheckWeight(field.name, field.has, field.value); !status.ok()) return status;
    if (field.has) params.weights[static_cast<int>(field.facet)] = field.value;
  }

  MatchFilter& out = params.filter;
  // Checked by the engine (ResolveParams), which accepts free labels.
  out.required_certifications = ToVector(filter.required_certifications());
  if (!std::isfinite(filter.max_distance_km()) || filter.max_distance_km() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.max_distance_km: must be finite and >= 0, got ", filter.max_distance_km()));
  }
  out.max_distance_km = filter.max_distance_km();
  out.include_out_of_reach = filter.include_out_of_reach();
  for (int i = 0; i < filter.exclude_size(); ++i) {
    absl::StatusOr<ProfileKey> key = KeyFromRef(filter.exclude(i), absl::StrCat("filter.exclude[", i, "]"));
    if (!key.ok()) return key.status();
    out.exclude.push_back(*std::move(key));
  }
  out.exclude_organizations = ToVector(filter.exclude_organizations());
  if (!(filter.min_score() >= 0 && filter.min_score() <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("filter.min_score: must be 0 to 1, got ", filter.min_score()));
  }
  out.min_score = filter.min_score();
  return params;
}

v1::FacetWeights WeightsToProto(const FacetWeights& weights) {
  v1::FacetWeights proto;
  proto.set_cpv(weights[static_cast<int>(Facet::kCpv)]);
  proto.set_strategies(weights[static_cast<int>(Facet::kStrategies)]);
  proto.set_materials(weights[static_cast<int>(Facet::kMaterials)]);
  proto.set_certifications(weights[static_cast<int>(Facet::kCertifications)]);
  proto.set_location(weights[static_cast<int>(Facet::kLocation)]);
  proto.set_phases(weights[static_cast<int>(Facet::kPhases)]);
  proto.set_topics(weights[static_cast<int>(Facet::kTopics)]);
  proto.set_text(weights[static_cast<int>(Facet::kText)]);
  proto.set_embedding(weights[static_cast<int>(Facet::kEmbedding)]);
  return proto;
}

void MatchToProto(const Match& match, const Vocabulary& vocabulary, v1::Match* out) {
  out->set_score(match.score);
  const Explanation& explanation = match.explanation;
  v1::Explanation* proto = out->mutable_explanation();
  for (const FacetContribution& facet : explanation.facets) {
    v1::FacetContribution* contribution = proto->add_facets();
    // The API's Facet enum is the engine's order shifted by its UNSPECIFIED value.
    contribution->set_facet(static_cast<v1::Facet>(static_cast<int>(facet.facet) + 1));
    contribution->set_weight(facet.weight);
    contribution->set_similarity(facet.similarity);
    contribution->set_contribution(facet.contribution);
  }
  for (const CpvMatch& cpv : explanation.cpv_matches) {
    v1::CpvMatch* m = proto->add_cpv_matches();
    m->set_query_code(cpv.query_code);
    m->set_candidate_code(cpv.candidate_code);
    m->set_common_code(cpv.common_code);
    // CpvLevel kNone..kExact and CpvMatchLevel UNSPECIFIED..EXACT are numbered alike.
    m->set_level(static_cast<v1::CpvMatchLevel>(static_cast<int>(cpv.level)));
    if (const CpvCode* common = cpv.common_code.empty() ? nullptr : vocabulary.FindCpv(cpv.common_code)) {
      m->set_common_label_en(common->label_en);
      m->set_common_label_nl(common->label_nl);
    }
  }
  for (const std::string& v : explanation.shared_strategies) proto->add_shared_strategies(v);
  for (const std::string& v : explanation.shared_materials) proto->add_shared_materials(v);
  for (const std::string& v : explanation.shared_certifications) proto->add_shared_certifications(v);
  for (const std::string& v : explanation.missing_certifications) proto->add_missing_certifications(v);
  for (const std::string& v : explanation.shared_phases) proto->add_shared_phases(v);
  for (const std::string& v : explanation.shared_topics) proto->add_shared_topics(v);
  for (const std::string& v : explanation.shared_terms) proto->add_shared_terms(v);
  if (explanation.distance_km.has_value()) proto->set_distance_km(*explanation.distance_km);
  proto->set_within_service_radius(explanation.within_service_radius);
  proto->set_out_of_reach(explanation.out_of_reach);
  for (const StrategyEvidence& evidence : explanation.evidence) {
    v1::StrategyEvidence* out = proto->add_evidence();
    out->set_strategy(evidence.strategy);
    out->set_words(evidence.words);
  }
  for (const std::string& v : explanation.unevidenced_strategies) proto->add_unevidenced_strategies(v);
  proto->set_intermediary_words(explanation.intermediary_words);
  for (const std::string& v : explanation.unmet_text_requirements) proto->add_unmet_text_requirements(v);
  proto->set_score_factor(explanation.factor);
  for (const Exclusion& exclusion : explanation.exclusions) {
    v1::Exclusion* e = proto->add_exclusions();
    e->set_field(exclusion.field);
    e->set_reason(exclusion.reason);
  }
}

}  // namespace circmatch::service
