// Market-day scheduling at realistic size: B buyers and S suppliers meet one to one in `slots` time slots with
// `tables` tables per slot (default 200 buyers, 400 suppliers, 12 slots, 60 tables, as a regional market day).
// Scores come from the real Index (Index::ScoreAll, MatchType::kSuppliersForTender, default weights), then
// ScheduleMeetings places the meetings. Printed: scoring time, scheduling time, meetings held, total score,
// objective against the upper bound (their ratio), MUST_MEET wishes met, and whether the schedule is proven optimal.
//
// Synthetic participants (seeded): buyers with 1-3 CPV needs, suppliers with 1-3 CPV capabilities, both with
// R-strategies, materials, a point in the Netherlands and a short text; every participant attends 80% of the slots;
// buyers meet at most 6 suppliers, suppliers at most 4 buyers; each buyer has 1 MUST_MEET, 2 WOULD_LIKE and 1
// WONT_MEET wish on random suppliers.
//
//   circmatch_bench_market_day [--buyers=B] [--suppliers=S] [--slots=N] [--tables=T]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "circmatch/index.h"
#include "circmatch/meeting_schedule.h"
#include "circmatch/vocabulary.h"
#include "elapsed.h"

namespace circmatch {
namespace {

using bench::Clock;
using bench::MillisecondsSince;

struct EventSize {
  int buyers = 200;
  int suppliers = 400;
  int slots = 12;
  int tables = 60;
};

std::vector<Profile> SyntheticParticipants(const Vocabulary& v, ProfileKind kind, int n, std::mt19937* rng) {
  static const char* const kCpv[] = {"39130000", "39131000", "39100000", "45000000", "45200000", "45210000",
                                     "30200000", "30213000", "18100000", "90500000", "90510000", "79400000",
                                     "77310000", "39531400", "34100000", "09310000"};
  static const char* const kWords[] = {"hergebruik", "meubilair",   "kantoor",    "circulair", "beton", "recycling",
                                       "laptops",    "werkkleding", "inzameling", "sloop",     "bouw",  "advies",
                                       "groen",      "textiel",     "hout",       "modulair",  "lease", "refurbished"};
  const auto pick = [&](int m) { return std::uniform_int_distribution<int>(0, m - 1)(*rng); };
  std::vector<Profile> out;
  for (int i = 0; i < n; ++i) {
    Profile p;
    p.kind = kind;
    p.key = ProfileKey{"bench", (kind == ProfileKind::kBuyer ? "buyer-" : "supplier-") + std::to_string(i)};
    p.visibility = Visibility::kShared;
    p.location.point = GeoPoint{50.8 + 2.6 * pick(1000) / 1000.0, 3.5 + 3.6 * pick(1000) / 1000.0};
    FacetValues& f = kind == ProfileKind::kBuyer ? p.needs : p.capabilities;
    for (int c = 1 + pick(3); c > 0; --c) f.cpv_codes.push_back(kCpv[pick(16)]);
    for (int c = pick(3); c > 0; --c) f.strategies.push_back(pick(10));
    for (int c = pick(2); c > 0; --c)
      f.materials.push_back(v.materials()[pick(static_cast<int>(v.materials().size()))].id);
    for (int c = 3 + pick(6); c > 0; --c) f.text += std::string(kWords[pick(18)]) + " ";
    if (!NormalizeProfile(v, 0, &p).ok()) std::abort();
    out.push_back(std::move(p));
  }
  return out;
}

int Run(const EventSize& size) {
  auto vocabulary = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
  if (!vocabulary.ok()) {
    std::fprintf(stderr, "%s\n", vocabulary.status().ToString().c_str());
    return 1;
  }
  std::mt19937 rng(2026);
  const std::vector<Profile> buyers = SyntheticParticipants(**vocabulary, ProfileKind::kBuyer, size.buyers, &rng);
  const std::vector<Profile> suppliers =
      SyntheticParticipants(**vocabulary, ProfileKind::kSupplier, size.suppliers, &rng);
  auto index = Index::Create(IndexOptions{}, vocabulary->get());
  if (!index.ok() || !(*index)->Upsert(suppliers).ok()) return 1;
  std::vector<ProfileKey> keys;
  for (const Profile& p : suppliers) keys.push_back(p.key);
  MatchParams params;
  params.type = MatchType::kSuppliersForTender;
  params.k = 1;

  const Clock::time_point score_start = Clock::now();
  absl::StatusOr<ScoreMatrix> matrix = (*index)->ScoreAll(buyers, keys, params);
  const double score_ms = MillisecondsSince(score_start);
  if (!matrix.ok()) {
    std::fprintf(stderr, "%s\n", matrix.status().ToString().c_str());
    return 1;
  }

  MeetingProblem problem;
  problem.scores = matrix->scores;
  problem.slots = size.slots;
  problem.tables_per_slot = size.tables;
  const auto pick = [&](int m) { return std::uniform_int_distribution<int>(0, m - 1)(rng); };
  const auto attended = [&] {
    std::vector<int> slots;
    for (int s = 0; s < size.slots; ++s) {
      if (pick(5) != 0) slots.push_back(s);
    }
    if (slots.empty()) slots.push_back(pick(size.slots));
    return slots;
  };
  for (int b = 0; b < size.buyers; ++b) {
    problem.buyer_slots.push_back(attended());
    problem.buyer_max.push_back(std::min(6, size.slots));
    const MeetingWish wishes[] = {MeetingWish::kMustMeet, MeetingWish::kWouldLike, MeetingWish::kWouldLike,
                                  MeetingWish::kWontMeet};
    std::vector<int> chosen;
    for (MeetingWish wish : wishes) {
      int s = pick(size.suppliers);
      while (std::find(chosen.begin(), chosen.end(), s) != chosen.end()) s = pick(size.suppliers);
      chosen.push_back(s);
      problem.wishes.push_back(MeetingWishEntry{b, s, wish, /*by_buyer=*/true});
    }
  }
  for (int s = 0; s < size.suppliers; ++s) {
    problem.supplier_slots.push_back(attended());
    problem.supplier_max.push_back(std::min(4, size.slots));
  }

  const Clock::time_point start = Clock::now();
  absl::StatusOr<MeetingSchedule> schedule = ScheduleMeetings(problem);
  const double schedule_ms = MillisecondsSince(start);
  if (!schedule.ok()) {
    std::fprintf(stderr, "%s\n", schedule.status().ToString().c_str());
    return 1;
  }
  int must_wishes = 0;
  for (const MeetingWishEntry& w : problem.wishes) must_wishes += w.wish == MeetingWish::kMustMeet;
  std::printf(
      "| buyers | suppliers | slots | tables | scoring ms | schedule ms | meetings | total score | objective"
      " | upper bound | objective/bound | MUST_MEET met | optimal |\n");
  std::printf(
      "|--------|-----------|-------|--------|------------|-------------|----------|-------------|----------"
      "-|-------------|-----------------|---------------|---------|\n");
  std::printf(
      "| %6d | %9d | %5d | %6d | %10.1f | %11.1f | %8zu | %11.3f | %9.3f | %11.3f | %15.6f | %6d of %-4d | %-7s |\n",
      size.buyers, size.suppliers, size.slots, size.tables, score_ms, schedule_ms, schedule->meetings.size(),
      schedule->total_score, schedule->objective, schedule->upper_bound,
      schedule->upper_bound > 0 ? schedule->objective / schedule->upper_bound : 1.0, schedule->must_met, must_wishes,
      schedule->optimal ? "yes" : "no");
  std::printf("method: %s; unmet wishes: %zu\n", schedule->method.c_str(), schedule->unmet.size());
  return 0;
}

}  // namespace
}  // namespace circmatch

int main(int argc, char** argv) {
  circmatch::EventSize size;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](const char* flag, int* out) {
      const std::string prefix = std::string(flag) + "=";
      if (arg.rfind(prefix, 0) != 0) return false;
      *out = std::atoi(arg.c_str() + prefix.size());
      return true;
    };
    if (!value("--buyers", &size.buyers) && !value("--suppliers", &size.suppliers) && !value("--slots", &size.slots) &&
        !value("--tables", &size.tables)) {
      std::fprintf(stderr, "usage: %s [--buyers=B] [--suppliers=S] [--slots=N] [--tables=T]\n", argv[0]);
      return 2;
    }
  }
  if (size.buyers < 1 || size.suppliers < 1 || size.slots < 1 || size.tables < 1) {
    std::fprintf(stderr, "every size must be at least 1\n");
    return 2;
  }
  return circmatch::Run(size);
}
