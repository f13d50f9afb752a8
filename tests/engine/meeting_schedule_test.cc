// Market-day schedules: every constraint holds on random events, the value equals a brute force on tiny ones,
// wishes are honoured or reported, the bound is never below the value, and the same input gives the same output.
#include "circmatch/meeting_schedule.h"

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "gtest/gtest.h"

namespace circmatch {
namespace {

MeetingProblem RandomEvent(uint32_t seed, int buyers, int suppliers, int slots, int tables, int max_meetings,
                           bool with_wishes) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0, 1);
  MeetingProblem p;
  p.scores = Eigen::MatrixXf(buyers, suppliers);
  for (int b = 0; b < buyers; ++b) {
    for (int s = 0; s < suppliers; ++s) p.scores(b, s) = unit(rng) < 0.3f ? 0.0f : unit(rng);
  }
  p.slots = slots;
  p.tables_per_slot = tables;
  const auto availability = [&] {
    std::vector<int> attended;
    if (unit(rng) < 0.5f) return attended;  // every slot
    for (int t = 0; t < slots; ++t) {
      if (unit(rng) < 0.6f) attended.push_back(t);
    }
    if (attended.empty()) attended.push_back(0);
    return attended;
  };
  for (int b = 0; b < buyers; ++b) {
    p.buyer_slots.push_back(availability());
    p.buyer_max.push_back(1 + static_cast<int>(rng() % max_meetings));
  }
  for (int s = 0; s < suppliers; ++s) {
    p.supplier_slots.push_back(availability());
    p.supplier_max.push_back(1 + static_cast<int>(rng() % max_meetings));
  }
  if (with_wishes) {
    for (int w = 0; w < (buyers + suppliers) / 2; ++w) {
      const MeetingWish kinds[] = {MeetingWish::kMustMeet, MeetingWish::kWouldLike, MeetingWish::kWontMeet};
      p.wishes.push_back(
          {static_cast<int>(rng() % buyers), static_cast<int>(rng() % suppliers), kinds[rng() % 3], rng() % 2 == 0});
    }
  }
  p.min_score = 0.2;
  return p;
}

// Checks every constraint of a schedule; returns the first violation, or "".
std::string Violation(const MeetingProblem& p, const MeetingSchedule& schedule) {
  std::map<std::pair<int, int>, int> table_use;
  std::set<std::tuple<int, int>> buyer_slot, supplier_slot;
  std::set<std::pair<int, int>> pairs;
  std::map<int, int> per_slot, per_buyer, per_supplier;
  std::set<std::pair<int, int>> wont;
  for (const MeetingWishEntry& w : p.wishes) {
    if (w.wish == MeetingWish::kWontMeet) wont.insert({w.buyer, w.supplier});
  }
  const auto attends = [&](const std::vector<int>& slots, int slot) {
    return slots.empty() || std::find(slots.begin(), slots.end(), slot) != slots.end();
  };
  for (const ScheduledPair& m : schedule.meetings) {
    if (m.slot < 0 || m.slot >= p.slots) return "slot out of range";
    if (m.table < 1 || m.table > p.tables_per_slot) return "table out of range";
    if (!table_use.insert({{m.slot, m.table}, 1}).second) return "two meetings at one table";
    if (!buyer_slot.insert({m.buyer, m.slot}).second) return "a buyer in two places";
    if (!supplier_slot.insert({m.supplier, m.slot}).second) return "a supplier in two places";
    if (!pairs.insert({m.buyer, m.supplier}).second) return "a pair meets twice";
    if (++per_buyer[m.buyer] > p.buyer_max[m.buyer]) return "buyer over its limit";
    if (++per_supplier[m.supplier] > p.supplier_max[m.supplier]) return "supplier over its limit";
    if (!attends(p.buyer_slots[m.buyer], m.slot) || !attends(p.supplier_slots[m.supplier], m.slot)) {
      return "a meeting in a slot someone does not attend";
    }
    if (wont.count({m.buyer, m.supplier})) return "a WONT_MEET pair meets";
    if (m.score < p.min_score && m.wish == MeetingWish::kNone) return "a meeting below min_score";
  }
  return "";
}

// The best value (MUST_MEET count, then score plus bonus, in millionths) over all schedules, by enumerating
// each eligible pair in each slot or not held.
std::pair<int, int64_t> BruteForce(const MeetingProblem& p) {
  struct Pair {
    int b, s;
    bool must;
    int64_t value;
  };
  std::map<std::pair<int, int>, std::array<bool, 3>> wish;  // must, like, wont
  for (const MeetingWishEntry& w : p.wishes) wish[{w.buyer, w.supplier}][static_cast<int>(w.wish) - 1] = true;
  std::vector<Pair> pairs;
  for (int b = 0; b < p.scores.rows(); ++b) {
    for (int s = 0; s < p.scores.cols(); ++s) {
      auto w = wish[{b, s}];
      if (w[2]) continue;
      if (p.scores(b, s) < p.min_score && !w[0] && !w[1]) continue;
      const int64_t value = std::llround(p.scores(b, s) * 1e6) + (w[1] ? std::llround(p.would_like_bonus * 1e6) : 0);
      if (value <= 0 && !w[0]) continue;
      pairs.push_back({b, s, w[0], value});
    }
  }
  std::pair<int, int64_t> best{0, 0};
  std::vector<int> choice(pairs.size(), -1);
  std::function<void(size_t, int, int64_t)> go = [&](size_t i, int must, int64_t value) {
    if (i == pairs.size()) {
      best = std::max(best, {must, value});
      return;
    }
    go(i + 1, must, value);
    for (int slot = 0; slot < p.slots; ++slot) {
      choice[i] = slot;
      MeetingSchedule partial;
      for (size_t j = 0; j <= i; ++j) {
        if (choice[j] >= 0)
          partial.meetings.push_back({choice[j], 1, pairs[j].b, pairs[j].s, 1.0, MeetingWish::kMustMeet});
      }
      // Tables are numbered later; check the rest of the constraints with distinct tables.
      std::map<int, int> next;
      for (ScheduledPair& m : partial.meetings) m.table = ++next[m.slot];
      if (Violation(p, partial).empty()) go(i + 1, must + (pairs[i].must ? 1 : 0), value + pairs[i].value);
      choice[i] = -1;
    }
  };
  go(0, 0, 0);
  return best;
}

TEST(MeetingScheduleTest, EqualsBruteForceOnTinyEvents) {
  int compared = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    MeetingProblem p = RandomEvent(seed, 3, 3, 2 + seed % 2, 1 + seed % 2, 2, seed % 3 == 0);
    auto schedule = ScheduleMeetings(p);
    ASSERT_TRUE(schedule.ok()) << schedule.status();
    ASSERT_EQ(Violation(p, *schedule), "") << "seed " << seed;
    std::set<std::pair<int, int>> liked;
    for (const MeetingWishEntry& w : p.wishes) {
      if (w.wish == MeetingWish::kWouldLike) liked.insert({w.buyer, w.supplier});
    }
    int64_t value = 0;
    for (const ScheduledPair& m : schedule->meetings) {
      value += std::llround(m.score * 1e6) +
               (liked.count({m.buyer, m.supplier}) ? std::llround(p.would_like_bonus * 1e6) : 0);
    }
    const auto best = BruteForce(p);
    EXPECT_EQ(schedule->must_met, best.first) << "seed " << seed;
    EXPECT_EQ(value, best.second) << "seed " << seed;
    EXPECT_TRUE(schedule->optimal) << "seed " << seed;
    ++compared;
  }
  EXPECT_EQ(compared, 60);
}

TEST(MeetingScheduleTest, EveryConstraintHoldsAndTheBoundIsNeverBelowTheValue) {
  for (uint32_t seed = 100; seed < 110; ++seed) {
    MeetingProblem p = RandomEvent(seed, 30, 50, 6, 8, 4, true);
    auto schedule = ScheduleMeetings(p);
    ASSERT_TRUE(schedule.ok()) << schedule.status();
    EXPECT_EQ(Violation(p, *schedule), "") << "seed " << seed;
    EXPECT_GE(schedule->upper_bound + 1e-6, schedule->objective) << "seed " << seed;
    EXPECT_GT(schedule->meetings.size(), 20u);
    auto again = ScheduleMeetings(p);
    ASSERT_EQ(again->meetings.size(), schedule->meetings.size());
    for (size_t i = 0; i < again->meetings.size(); ++i) {
      EXPECT_EQ(std::tie(again->meetings[i].slot, again->meetings[i].table, again->meetings[i].buyer,
                         again->meetings[i].supplier),
                std::tie(schedule->meetings[i].slot, schedule->meetings[i].table, schedule->meetings[i].buyer,
                         schedule->meetings[i].supplier));
    }
  }
}

TEST(MeetingScheduleTest, WishesAreHonouredOrReportedWithAReason) {
  MeetingProblem p;
  p.scores = Eigen::MatrixXf::Constant(2, 3, 0.5f);
  p.scores(0, 2) = 0.05f;  // below min_score, but wished
  p.slots = 2;
  p.tables_per_slot = 2;
  p.buyer_slots = {{}, {1}};
  p.supplier_slots = {{}, {0}, {}};
  p.buyer_max = {2, 2};
  p.supplier_max = {2, 2, 2};
  p.min_score = 0.2;
  p.wishes = {{0, 2, MeetingWish::kMustMeet, true},   // low score, held because wished
              {1, 1, MeetingWish::kMustMeet, true},   // no common slot: reported
              {0, 0, MeetingWish::kWontMeet, false},  // never held
              {1, 0, MeetingWish::kMustMeet, true},   // contradictory: the supplier won't
              {1, 0, MeetingWish::kWontMeet, false}};
  auto schedule = ScheduleMeetings(p);
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(Violation(p, *schedule), "");
  std::set<std::pair<int, int>> held;
  for (const ScheduledPair& m : schedule->meetings) held.insert({m.buyer, m.supplier});
  EXPECT_TRUE(held.count({0, 2}));
  EXPECT_FALSE(held.count({0, 0}));
  EXPECT_FALSE(held.count({1, 0}));
  std::map<std::pair<int, int>, std::string> unmet;
  for (const UnmetMeetingWish& u : schedule->unmet) unmet[{u.wish.buyer, u.wish.supplier}] = u.reason;
  EXPECT_EQ(unmet[std::make_pair(1, 1)], "no slot both attend");
  EXPECT_EQ(unmet[std::make_pair(1, 0)], "the other side does not want to meet");
}

TEST(MeetingScheduleTest, BadInputNamesTheField) {
  MeetingProblem p = RandomEvent(1, 2, 2, 2, 1, 1, false);
  p.slots = 0;
  EXPECT_NE(ScheduleMeetings(p).status().message().find("event.slots"), std::string::npos);
  p = RandomEvent(1, 2, 2, 2, 1, 1, false);
  p.buyer_slots[1] = {5};
  EXPECT_NE(ScheduleMeetings(p).status().message().find("buyers[1].available_slots[0]"), std::string::npos);
  p = RandomEvent(1, 2, 2, 2, 1, 1, false);
  p.supplier_max[0] = 0;
  EXPECT_NE(ScheduleMeetings(p).status().message().find("suppliers[0].max_meetings"), std::string::npos);
}

}  // namespace
}  // namespace circmatch
