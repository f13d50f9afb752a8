// AuditJson against protobuf's own JSON: what it writes parses back (with protobuf's parser) into the message
// with its personal data stripped by a plain copy-and-clear, and without personal data it is the very text
// protobuf prints.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "circmatch/v1/market_day_service.pb.h"
#include "circmatch/v1/matching_service.pb.h"
#include "service/auth/audit_log.h"

namespace circmatch {
namespace testing {
namespace {

namespace pb = google::protobuf;

// The reference: a copy with every Explanation and Contact cleared from its parent and every Profile cut to
// owner, id and kind.
void Strip(pb::Message* message) {
  const pb::Reflection* reflection = message->GetReflection();
  if (message->GetDescriptor()->full_name() == "circmatch.v1.Profile") {
    auto* profile = static_cast<v1::Profile*>(message);
    v1::Profile kept;
    kept.set_owner(profile->owner());
    kept.set_id(profile->id());
    kept.set_kind(profile->kind());
    *profile = kept;
    return;
  }
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string& type = field->message_type()->full_name();
    if (type == "circmatch.v1.Explanation" || type == "circmatch.v1.Contact") {
      reflection->ClearField(message, field);
    } else if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        Strip(reflection->MutableRepeatedMessage(message, field, i));
      }
    } else {
      Strip(reflection->MutableMessage(message, field));
    }
  }
}

template <typename M>
void ExpectParsesBackStripped(const M& message) {
  const std::string json = service::AuditJson(message);
  M parsed;
  ASSERT_TRUE(pb::util::JsonStringToMessage(json, &parsed).ok()) << json;
  M expected = message;
  Strip(&expected);
  EXPECT_TRUE(pb::util::MessageDifferencer::Equals(parsed, expected))
      << "audit json: " << json << "\nparsed: " << parsed.DebugString() << "\nexpected: " << expected.DebugString();
}

std::string ProtobufJson(const pb::Message& message) {
  std::string json;
  EXPECT_TRUE(pb::util::MessageToJsonString(message, &json).ok());
  return json;
}

v1::Profile FullSupplier(const std::string& id) {
  v1::Profile p;
  p.set_id(id);
  p.set_owner("regio-zwolle");
  p.set_kind(v1::PROFILE_KIND_SUPPLIER);
  p.set_display_name("Meubelmakerij \"De Eik\"\nZwolle");
  p.set_organization("De Eik B.V.");
  p.mutable_location()->set_municipality("Zwolle");
  p.mutable_location()->mutable_coordinates()->set_latitude(52.5168);
  p.mutable_location()->mutable_coordinates()->set_longitude(6.083);
  p.set_service_radius_km(75.5);
  p.set_visibility(v1::VISIBILITY_SHARED);
  p.mutable_contact()->set_name("Sanne Bakker");
  p.mutable_contact()->set_email("sanne@meubel.example.nl");
  p.mutable_capabilities()->add_cpv_codes("39130000");
  p.mutable_capabilities()->set_text("refurbished kantoormeubilair, hergebruik");
  p.add_embedding(0.25f);
  p.mutable_publication_time()->set_seconds(1795000000);
  return p;
}

TEST(AuditJsonTest, AResponseParsesBackWithoutItsPersonalData) {
  v1::SuggestSuppliersResponse response;
  response.set_index_version(std::numeric_limits<uint64_t>::max());
  for (int i = 0; i < 3; ++i) {
    v1::Match* match = response.add_matches();
    *match->mutable_profile() = FullSupplier("s-" + std::to_string(i));
    match->set_score(1.0 / 3 + i);
    match->set_rank(i + 1);
    v1::Explanation* explanation = match->mutable_explanation();
    explanation->add_shared_terms("kantoormeubilair");
    explanation->set_distance_km(12.25);
  }
  response.mutable_weights()->set_cpv(0.1);
  response.mutable_weights()->set_text(0.0);  // explicit presence: written although 0
  ExpectParsesBackStripped(response);

  const std::string json = service::AuditJson(response);
  EXPECT_EQ(json.find("Bakker"), std::string::npos) << json;
  EXPECT_EQ(json.find("kantoormeubilair"), std::string::npos) << json;
  EXPECT_EQ(json.find("De Eik"), std::string::npos) << json;
  EXPECT_EQ(json.find("explanation"), std::string::npos) << json;
  EXPECT_NE(json.find("\"indexVersion\":\"18446744073709551615\""), std::string::npos) << json;
}

TEST(AuditJsonTest, ARequestWithAnInlineProfileAndStrangeTextParsesBack) {
  v1::SuggestSuppliersRequest request;
  *request.mutable_tender_profile() = FullSupplier("t-\"1\"\\\t\x01é€");
  request.mutable_query()->set_k(7);
  request.mutable_query()->mutable_filter()->set_min_score(0.01);
  request.mutable_query()->mutable_filter()->set_max_distance_km(1e-7);
  request.mutable_query()->mutable_filter()->add_required_certifications("iso-14001");
  request.mutable_query()->mutable_filter()->add_exclude()->set_id("s-9");
  ExpectParsesBackStripped(request);
  EXPECT_NE(service::AuditJson(request).find("\"minScore\":0.01"), std::string::npos);
}

TEST(AuditJsonTest, WithoutPersonalDataItIsProtobufsOwnText) {
  v1::SuggestSuppliersRequest request;
  request.mutable_tender_ref()->set_id("t-1");
  request.mutable_query()->set_k(10);
  request.mutable_query()->mutable_filter()->set_min_score(0.1 + 0.2);  // needs 17 digits to read back
  request.mutable_query()->mutable_filter()->add_required_certifications("iso-14001");
  request.mutable_query()->mutable_weights()->set_cpv(2.5);
  EXPECT_EQ(service::AuditJson(request), ProtobufJson(request));

  v1::ScheduleMeetingsRequest schedule;  // Timestamps have a form of their own
  v1::TimeSlot* slot = schedule.mutable_event()->add_slots();
  slot->mutable_start_time()->set_seconds(1795000000);
  slot->mutable_end_time()->set_seconds(1795001800);
  slot->mutable_end_time()->set_nanos(500000000);
  EXPECT_EQ(service::AuditJson(schedule), ProtobufJson(schedule));
}

TEST(AuditJsonTest, NotANumberAndTheInfinitiesAreStrings) {
  v1::MatchFilter filter;
  filter.set_min_score(std::numeric_limits<double>::quiet_NaN());
  filter.set_max_distance_km(std::numeric_limits<double>::infinity());
  const std::string json = service::AuditJson(filter);
  EXPECT_EQ(json, "{\"maxDistanceKm\":\"Infinity\",\"minScore\":\"NaN\"}");
  v1::MatchFilter parsed;
  ASSERT_TRUE(pb::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_TRUE(std::isnan(parsed.min_score()));
  EXPECT_TRUE(std::isinf(parsed.max_distance_km()));
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
