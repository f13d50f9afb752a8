// ScheduleMeetings on a real server with the sample data: a schedule whose constraints hold, explained meetings,
// agendas as iCalendar, honoured and reported wishes, and every validation error naming its field.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "circmatch/v1/market_day_service.grpc.pb.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

class MarketDayServiceTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {std::string("--sample_data=") + CIRCMATCH_SAMPLE_DATA};
  }
  void MakeStub() { market_ = v1::MarketDayService::NewStub(server_->channel()); }

  // Three 20-minute slots, two tables; buyers 1-4 and suppliers 1-6 of the sample data.
  v1::ScheduleMeetingsRequest Request() {
    v1::ScheduleMeetingsRequest request = FromJson<v1::ScheduleMeetingsRequest>(R"({
      "event": {"name": "Marktdag Regio Zwolle", "venue": "Stadhuis Zwolle", "tablesPerSlot": 2, "slots": [
        {"startTime": "2027-03-11T09:00:00Z", "endTime": "2027-03-11T09:20:00Z"},
        {"startTime": "2027-03-11T09:30:00Z", "endTime": "2027-03-11T09:50:00Z"},
        {"startTime": "2027-03-11T10:00:00Z", "endTime": "2027-03-11T10:20:00Z"}]},
      "maxMeetingsPerParticipant": 2, "includeAgendas": true})");
    for (int b = 1; b <= 4; ++b) request.add_buyers()->mutable_ref()->set_id("buyer-000" + std::to_string(b));
    for (int s = 1; s <= 6; ++s) request.add_suppliers()->mutable_ref()->set_id("supplier-000" + std::to_string(s));
    return request;
  }

  grpc::Status Schedule(const v1::ScheduleMeetingsRequest& request, v1::ScheduleMeetingsResponse* response) {
    if (!market_) MakeStub();
    return market_->ScheduleMeetings(Context().get(), request, response);
  }

  std::unique_ptr<v1::MarketDayService::Stub> market_;
};

TEST_F(MarketDayServiceTest, AScheduleOfSampleParticipantsKeepsEveryConstraint) {
  v1::ScheduleMeetingsRequest request = Request();
  request.mutable_buyers(0)->add_available_slots(0);  // buyer-0001 only in the first slot
  auto* wish = request.mutable_buyers(1)->add_wishes();
  wish->mutable_other()->set_id("supplier-0006");
  wish->set_kind(v1::WISH_KIND_MUST_MEET);
  auto* wont = request.mutable_suppliers(0)->add_wishes();
  wont->mutable_other()->set_id("buyer-0003");
  wont->set_kind(v1::WISH_KIND_WONT_MEET);
  v1::ScheduleMeetingsResponse response;
  grpc::Status status = Schedule(request, &response);
  ASSERT_TRUE(status.ok()) << StatusText(status);
  ASSERT_GT(response.meetings_size(), 4);
  std::set<std::pair<int, int>> tables;
  std::set<std::pair<std::string, int>> busy;
  std::map<std::string, int> count;
  bool must_held = false;
  for (const v1::ScheduledMeeting& m : response.meetings()) {
    EXPECT_GE(m.table(), 1);
    EXPECT_LE(m.table(), 2);
    EXPECT_TRUE(tables.insert({m.slot(), m.table()}).second) << "two meetings at one table";
    EXPECT_TRUE(busy.insert({m.buyer().id(), m.slot()}).second) << "a buyer in two places";
    EXPECT_TRUE(busy.insert({m.supplier().id(), m.slot()}).second) << "a supplier in two places";
    EXPECT_LE(++count[m.buyer().id()], 2);
    EXPECT_LE(++count[m.supplier().id()], 2);
    if (m.buyer().id() == "buyer-0001") {
      EXPECT_EQ(m.slot(), 0) << "only there in the first slot";
    }
    EXPECT_FALSE(m.buyer().id() == "buyer-0003" && m.supplier().id() == "supplier-0001") << "WONT_MEET";
    if (m.buyer().id() == "buyer-0002" && m.supplier().id() == "supplier-0006") {
      must_held = true;
      EXPECT_EQ(m.wish(), v1::WISH_KIND_MUST_MEET);
    }
    EXPECT_FALSE(m.explanation().facets().empty());
  }
  EXPECT_TRUE(must_held);
  EXPECT_GE(response.upper_bound() + 1e-6, response.objective());
  EXPECT_FALSE(response.method().empty());
  ASSERT_FALSE(response.agendas().empty());
  const v1::Agenda& agenda = response.agendas(0);
  EXPECT_EQ(agenda.ics().rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  EXPECT_NE(agenda.ics().find("DTSTART:20270311T"), std::string::npos);
  EXPECT_NE(agenda.ics().find("Stadhuis Zwolle"), std::string::npos);
}

TEST_F(MarketDayServiceTest, ContradictoryWishesOfTwoSidesAreReported) {
  v1::ScheduleMeetingsRequest request = Request();
  auto* must = request.mutable_buyers(2)->add_wishes();
  must->mutable_other()->set_id("supplier-0001");
  must->set_kind(v1::WISH_KIND_MUST_MEET);
  auto* wont = request.mutable_suppliers(0)->add_wishes();
  wont->mutable_other()->set_id("buyer-0003");
  wont->set_kind(v1::WISH_KIND_WONT_MEET);
  v1::ScheduleMeetingsResponse response;
  ASSERT_TRUE(Schedule(request, &response).ok());
  ASSERT_EQ(response.unmet_wishes_size(), 1);
  EXPECT_EQ(response.unmet_wishes(0).by().id(), "buyer-0003");
  EXPECT_EQ(response.unmet_wishes(0).reason(), "the other side does not want to meet");
}

TEST_F(MarketDayServiceTest, BadRequestsNameTheField) {
  v1::ScheduleMeetingsResponse response;
  auto expect = [&](const v1::ScheduleMeetingsRequest& request, grpc::StatusCode code, const std::string& field) {
    EXPECT_TRUE(HasError(Schedule(request, &response), code, field));
  };
  v1::ScheduleMeetingsRequest r = Request();
  r.mutable_event()->clear_slots();
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "event.slots");
  r = Request();
  r.mutable_event()->set_tables_per_slot(0);
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "event.tables_per_slot");
  r = Request();
  r.mutable_event()->mutable_slots(1)->mutable_start_time()->set_seconds(r.event().slots(0).start_time().seconds() +
                                                                         60);
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "overlaps");
  r = Request();
  r.mutable_buyers(0)->mutable_ref()->set_id("nobody");
  expect(r, grpc::StatusCode::NOT_FOUND, "buyers[0].ref");
  r = Request();
  r.mutable_suppliers(1)->mutable_ref()->set_id("buyer-0001");
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "suppliers[1].ref");
  r = Request();
  r.mutable_suppliers(2)->mutable_ref()->set_id("supplier-0001");
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "twice");
  r = Request();
  r.mutable_buyers(1)->add_available_slots(3);
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "buyers[1].available_slots[0]");
  r = Request();
  r.set_max_meetings_per_participant(4);
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "max_meetings_per_participant");
  r = Request();
  auto* stranger = r.mutable_buyers(0)->add_wishes();
  stranger->mutable_other()->set_id("supplier-0999");
  stranger->set_kind(v1::WISH_KIND_WOULD_LIKE);
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "buyers[0].wishes[0].other");
  r = Request();
  auto* unset = r.mutable_buyers(0)->add_wishes();
  unset->mutable_other()->set_id("supplier-0001");
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "buyers[0].wishes[0].kind");
  r = Request();
  for (auto kind : {v1::WISH_KIND_MUST_MEET, v1::WISH_KIND_WONT_MEET}) {
    auto* w = r.mutable_buyers(0)->add_wishes();
    w->mutable_other()->set_id("supplier-0002");
    w->set_kind(kind);
  }
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "buyers[0].wishes[1]: contradicts");
  r = Request();
  r.set_would_like_bonus(3);
  expect(r, grpc::StatusCode::INVALID_ARGUMENT, "would_like_bonus");
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
