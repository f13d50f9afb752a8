// Market-day schedules: one-to-one buyer-supplier meetings placed in time slots at tables, maximizing the value
// of the meetings held.
//
// Value of a meeting (integers, so optimality is exact): first the number of MUST_MEET wishes met, then the
// score (in millionths) plus `would_like_bonus` for a WOULD_LIKE wish. Constraints: nobody in two meetings of
// one slot; at most `tables_per_slot` meetings per slot; a meeting only in a slot both sides attend; at most
// `max_meetings` per participant; a pair meets at most once; never a WONT_MEET pair (either side's wish); never
// below `min_score` unless a side wishes to meet.
//
// Method: (1) the upper bound, from the relaxation without slots: a maximum-value b-matching (min-cost flow)
// with each participant's degree at most min(max meetings, slots attended), at most slots x tables meetings, and
// only pairs with a common slot; (2) the meetings that relaxation chose, placed slot by slot, best first, moving
// an already placed meeting of either side to another slot when that frees a place; (3) every eligible pair not
// yet placed tried in the remaining places, best first. The schedule is proven optimal when its value reaches
// the bound. Small events (few eligible pairs) that do not reach it are solved exactly by branch and bound.
//
// Thread-safety: a pure function.
#ifndef CIRCMATCH_MEETING_SCHEDULE_H_
#define CIRCMATCH_MEETING_SCHEDULE_H_

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace circmatch {

enum class MeetingWish { kNone, kMustMeet, kWouldLike, kWontMeet };

struct MeetingWishEntry {
  int buyer = 0;     // index into the buyers
  int supplier = 0;  // index into the suppliers
  MeetingWish wish = MeetingWish::kNone;
  bool by_buyer = true;  // who wished (for reporting)
};

struct MeetingProblem {
  // scores(b, s): buyer b's needs against supplier s's capabilities, in [0, 1].
  Eigen::MatrixXf scores;
  int slots = 0;
  int tables_per_slot = 0;
  // Per participant, the slots attended (empty = all) and the meeting limit (> 0).
  std::vector<std::vector<int>> buyer_slots, supplier_slots;
  std::vector<int> buyer_max, supplier_max;
  std::vector<MeetingWishEntry> wishes;
  double min_score = 0;
  double would_like_bonus = 0.25;
  // Branch and bound is tried when the heuristic misses the bound and there are at most this many eligible pairs.
  int exact_pair_limit = 24;
};

struct ScheduledPair {
  int slot = 0;
  int table = 0;  // 1-based
  int buyer = 0;
  int supplier = 0;
  double score = 0;
  MeetingWish wish = MeetingWish::kNone;  // the stronger side's wish to meet, if any
};

struct UnmetMeetingWish {
  MeetingWishEntry wish;
  std::string reason;
};

struct MeetingSchedule {
  std::vector<ScheduledPair> meetings;  // by slot, then table
  std::vector<UnmetMeetingWish> unmet;
  double total_score = 0;  // sum of the meetings' scores
  int must_met = 0;
  double objective = 0;    // total_score + bonuses of WOULD_LIKE meetings
  double upper_bound = 0;  // on `objective` among schedules meeting as many MUST_MEET wishes
  bool optimal = false;
  std::string method;
};

// INVALID_ARGUMENT naming the field for inconsistent input (sizes, slots out of range, limits < 1).
absl::StatusOr<MeetingSchedule> ScheduleMeetings(const MeetingProblem& problem);

}  // namespace circmatch

#endif  // CIRCMATCH_MEETING_SCHEDULE_H_
