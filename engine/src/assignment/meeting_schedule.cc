#include "circmatch/meeting_schedule.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "assignment/min_cost_flow.h"

namespace circmatch {
namespace {

constexpr double kScale = 1e6;

// One pair that may meet, with its value and the slots both attend.
struct Candidate {
  int buyer = 0;
  int supplier = 0;
  double score = 0;
  MeetingWish wish = MeetingWish::kNone;
  int64_t value = 0;  // lexicographic: must_weight for MUST_MEET, plus score and bonus in millionths
  std::vector<int> slots;
};

struct WishState {
  bool must = false, like = false, wont = false;
};

std::vector<char> Attends(const std::vector<int>& slots, int count) {
  std::vector<char> attends(static_cast<size_t>(count), slots.empty() ? 1 : 0);
  for (int s : slots) attends[s] = 1;
  return attends;
}

// Occupancy of a schedule under construction.
class Board {
 public:
  Board(const MeetingProblem& p)
      : p_(p),
        buyer_busy_(p.scores.rows(), std::vector<int>(p.slots, -1)),
        supplier_busy_(p.scores.cols(), std::vector<int>(p.slots, -1)),
        used_(p.slots, 0),
        buyer_count_(p.scores.rows(), 0),
        supplier_count_(p.scores.cols(), 0) {}

  bool CanPlace(const Candidate& c, int slot) const {
    return used_[slot] < p_.tables_per_slot && buyer_busy_[c.buyer][slot] < 0 && supplier_busy_[c.supplier][slot] < 0 &&
           buyer_count_[c.buyer] < p_.buyer_max[c.buyer] && supplier_count_[c.supplier] < p_.supplier_max[c.supplier];
  }
  void Place(int index, const Candidate& c, int slot) {
    buyer_busy_[c.buyer][slot] = supplier_busy_[c.supplier][slot] = index;
    ++used_[slot];
    ++buyer_count_[c.buyer];
    ++supplier_count_[c.supplier];
    slot_of_[index] = slot;
  }
  void Remove(int index, const Candidate& c) {
    const int slot = slot_of_.at(index);
    buyer_busy_[c.buyer][slot] = supplier_busy_[c.supplier][slot] = -1;
    --used_[slot];
    --buyer_count_[c.buyer];
    --supplier_count_[c.supplier];
    slot_of_.erase(index);
  }
  int BuyerAt(int buyer, int slot) const { return buyer_busy_[buyer][slot]; }
  int SupplierAt(int supplier, int slot) const { return supplier_busy_[supplier][slot]; }
  const std::map<int, int>& placed() const { return slot_of_; }

 private:
  const MeetingProblem& p_;
  std::vector<std::vector<int>> buyer_busy_, supplier_busy_;  // candidate index per slot, -1 free
  std::vector<int> used_, buyer_count_, supplier_count_;
  std::map<int, int> slot_of_;  // candidate index -> slot
};

// Places candidate `i`: a free slot both attend, else one where moving one already placed meeting of either
// side to another free slot makes room.
bool PlaceWithRepair(const std::vector<Candidate>& all, int i, Board* board) {
  const Candidate& c = all[i];
  for (int slot : c.slots) {
    if (board->CanPlace(c, slot)) {
      board->Place(i, c, slot);
      return true;
    }
  }
  for (int slot : c.slots) {
    for (int blocker : {board->BuyerAt(c.buyer, slot), board->SupplierAt(c.supplier, slot)}) {
      if (blocker < 0) continue;
      const Candidate& other = all[blocker];
      board->Remove(blocker, other);
      bool moved = false;
      for (int alternative : other.slots) {
        if (alternative != slot && board->CanPlace(other, alternative)) {
          board->Place(blocker, other, alternative);
          moved = true;
          break;
        }
      }
      if (moved && board->CanPlace(c, slot)) {
        board->Place(i, c, slot);
        return true;
      }
      if (moved) board->Remove(blocker, other);
      board->Place(blocker, other, slot);
    }
  }
  return false;
}

// Exact search over the eligible pairs (best value first): each pair in one of its slots or not held.
class BranchAndBound {
 public:
  BranchAndBound(const MeetingProblem& p, const std::vector<Candidate>& all) : all_(all), board_(p) {
    suffix_.assign(all.size() + 1, 0);
    for (size_t i = all.size(); i-- > 0;) suffix_[i] = suffix_[i + 1] + all[i].value;
  }
  // The best value and its placement (candidate index -> slot).
  std::pair<int64_t, std::map<int, int>> Solve(int64_t known_value, std::map<int, int> known) {
    best_ = known_value;
    best_placement_ = std::move(known);
    Search(0, 0);
    return {best_, best_placement_};
  }

 private:
  void Search(size_t i, int64_t value) {
    if (value + suffix_[i] <= best_) return;
    if (i == all_.size()) {
      best_ = value;
      best_placement_ = board_.placed();
      return;
    }
    const Candidate& c = all_[i];
    for (int slot : c.slots) {
      if (!board_.CanPlace(c, slot)) continue;
      board_.Place(static_cast<int>(i), c, slot);
      Search(i + 1, value + c.value);
      board_.Remove(static_cast<int>(i), c);
    }
    Search(i + 1, value);
  }

  const std::vector<Candidate>& all_;
  Board board_;
  std::vector<int64_t> suffix_;
  int64_t best_ = 0;
  std::map<int, int> best_placement_;
};

absl::Status Validate(const MeetingProblem& p) {
  const int buyers = static_cast<int>(p.scores.rows()), suppliers = static_cast<int>(p.scores.cols());
  if (p.slots < 1) return absl::InvalidArgumentError("event.slots: at least one slot");
  if (p.tables_per_slot < 1) return absl::InvalidArgumentError("event.tables_per_slot: at least 1");
  if (static_cast<int>(p.buyer_slots.size()) != buyers || static_cast<int>(p.buyer_max.size()) != buyers ||
      static_cast<int>(p.supplier_slots.size()) != suppliers || static_cast<int>(p.supplier_max.size()) != suppliers) {
    return absl::InvalidArgumentError("participants: sizes do not match the score matrix");
  }
  const auto check = [&](const char* side, const std::vector<std::vector<int>>& slots,
                         const std::vector<int>& max) -> absl::Status {
    for (size_t i = 0; i < slots.size(); ++i) {
      for (size_t j = 0; j < slots[i].size(); ++j) {
        if (slots[i][j] < 0 || slots[i][j] >= p.slots) {
          return absl::InvalidArgumentError(absl::StrFormat("%s[%d].available_slots[%d]: %d is not a slot (0 to %d)",
                                                            side, i, j, slots[i][j], p.slots - 1));
        }
      }
      if (max[i] < 1) return absl::InvalidArgumentError(absl::StrFormat("%s[%d].max_meetings: at least 1", side, i));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = check("buyers", p.buyer_slots, p.buyer_max); !s.ok()) return s;
  if (absl::Status s = check("suppliers", p.supplier_slots, p.supplier_max); !s.ok()) return s;
  for (const MeetingWishEntry& w : p.wishes) {
    if (w.buyer < 0 || w.buyer >= buyers || w.supplier < 0 || w.supplier >= suppliers) {
      return absl::InvalidArgumentError("wishes: a wish names someone not at the event");
    }
  }
  if (!(p.min_score >= 0 && p.min_score <= 1)) return absl::InvalidArgumentError("min_score: must be in [0, 1]");
  if (!(p.would_like_bonus >= 0 && p.would_like_bonus <= 1)) {
    return absl::InvalidArgumentError("would_like_bonus: must be in [0, 1]");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MeetingSchedule> ScheduleMeetings(const MeetingProblem& p) {
  if (absl::Status s = Validate(p); !s.ok()) return s;
  const int buyers = static_cast<int>(p.scores.rows()), suppliers = static_cast<int>(p.scores.cols());

  std::map<std::pair<int, int>, WishState> wishes;
  for (const MeetingWishEntry& w : p.wishes) {
    WishState& state = wishes[{w.buyer, w.supplier}];
    if (w.wish == MeetingWish::kMustMeet) state.must = true;
    if (w.wish == MeetingWish::kWouldLike) state.like = true;
    if (w.wish == MeetingWish::kWontMeet) state.wont = true;
  }
  std::vector<std::vector<char>> buyer_attends, supplier_attends;
  for (const auto& s : p.buyer_slots) buyer_attends.push_back(Attends(s, p.slots));
  for (const auto& s : p.supplier_slots) supplier_attends.push_back(Attends(s, p.slots));

  // A MUST_MEET is worth more than every score and bonus together.
  const int64_t must_weight = static_cast<int64_t>(2 * kScale) * buyers * suppliers + 1;
  std::vector<Candidate> all;
  for (int b = 0; b < buyers; ++b) {
    for (int s = 0; s < suppliers; ++s) {
      const auto found = wishes.find({b, s});
      const WishState wish = found == wishes.end() ? WishState{} : found->second;
      const double score = std::clamp(static_cast<double>(p.scores(b, s)), 0.0, 1.0);
      if (wish.wont) continue;
      if (score < p.min_score && !wish.must && !wish.like) continue;
      Candidate c{b,     s,
                  score, wish.must ? MeetingWish::kMustMeet : wish.like ? MeetingWish::kWouldLike : MeetingWish::kNone,
                  0,     {}};
      c.value = std::llround(score * kScale) + (wish.like ? std::llround(p.would_like_bonus * kScale) : 0) +
                (wish.must ? must_weight : 0);
      if (c.value <= 0) continue;
      for (int slot = 0; slot < p.slots; ++slot) {
        if (buyer_attends[b][slot] && supplier_attends[s][slot]) c.slots.push_back(slot);
      }
      if (!c.slots.empty()) all.push_back(std::move(c));
    }
  }
  // Best first; ties by (buyer, supplier), so the same input gives the same schedule.
  std::sort(all.begin(), all.end(), [](const Candidate& x, const Candidate& y) {
    return std::tie(y.value, x.buyer, x.supplier) < std::tie(x.value, y.buyer, y.supplier);
  });

  // (1) The relaxation without slots: its optimum bounds every schedule.
  const int source = 0, cap_node = 1, first_buyer = 2, first_supplier = first_buyer + buyers;
  const int sink = first_supplier + suppliers;
  internal::MinCostFlow flow(sink + 1);
  flow.AddEdge(source, cap_node, p.slots * p.tables_per_slot, {0, 0});
  for (int b = 0; b < buyers; ++b) {
    const int attended = static_cast<int>(std::count(buyer_attends[b].begin(), buyer_attends[b].end(), 1));
    flow.AddEdge(cap_node, first_buyer + b, std::min(p.buyer_max[b], attended), {0, 0});
  }
  for (int s = 0; s < suppliers; ++s) {
    const int attended = static_cast<int>(std::count(supplier_attends[s].begin(), supplier_attends[s].end(), 1));
    flow.AddEdge(first_supplier + s, sink, std::min(p.supplier_max[s], attended), {0, 0});
  }
  std::vector<int> edge_of(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    edge_of[i] = flow.AddEdge(first_buyer + all[i].buyer, first_supplier + all[i].supplier, 1, {-all[i].value, 0});
  }
  flow.Run(source, sink);
  int64_t bound = 0;
  std::vector<int> chosen, others;
  for (size_t i = 0; i < all.size(); ++i) {
    if (flow.Flow(edge_of[i]) > 0) {
      bound += all[i].value;
      chosen.push_back(static_cast<int>(i));
    } else {
      others.push_back(static_cast<int>(i));
    }
  }

  // (2) and (3): place the relaxation's meetings, then fill with the rest.
  Board board(p);
  for (int i : chosen) PlaceWithRepair(all, i, &board);
  for (int i : others) PlaceWithRepair(all, i, &board);
  std::map<int, int> placement = board.placed();
  int64_t value = 0;
  for (const auto& [i, slot] : placement) value += all[i].value;
  MeetingSchedule result;
  result.method = "b-matching bound, placement with repair";
  if (value < bound && static_cast<int>(all.size()) <= p.exact_pair_limit) {
    BranchAndBound exact(p, all);
    auto [best, best_placement] = exact.Solve(value, placement);
    value = best;
    placement = std::move(best_placement);
    bound = value;  // the search proved it
    result.method = "branch and bound (exact)";
  }

  // Tables: numbered in each slot in the order of the meetings.
  std::vector<int> next_table(p.slots, 1);
  for (const auto& [i, slot] : placement) {
    const Candidate& c = all[i];
    result.meetings.push_back({slot, 0, c.buyer, c.supplier, c.score, c.wish});
    result.objective += static_cast<double>(c.value % must_weight) / kScale;
  }
  std::sort(result.meetings.begin(), result.meetings.end(), [](const ScheduledPair& x, const ScheduledPair& y) {
    return std::tie(x.slot, x.buyer, x.supplier) < std::tie(y.slot, y.buyer, y.supplier);
  });
  for (ScheduledPair& m : result.meetings) {
    m.table = next_table[m.slot]++;
    result.total_score += m.score;
    if (m.wish == MeetingWish::kMustMeet) ++result.must_met;
  }
  const int64_t must_in_bound = bound / must_weight;
  result.upper_bound = static_cast<double>(bound - must_in_bound * must_weight) / kScale;
  result.optimal = value == bound;
  if (must_in_bound > result.must_met) {
    // The bound counts more MUST_MEET wishes than were met: it bounds a different objective.
    result.optimal = false;
  }

  // Unmet wishes, with the reason.
  std::map<std::pair<int, int>, bool> held;
  for (const ScheduledPair& m : result.meetings) held[{m.buyer, m.supplier}] = true;
  for (const MeetingWishEntry& w : p.wishes) {
    if (w.wish != MeetingWish::kMustMeet && w.wish != MeetingWish::kWouldLike) continue;
    if (held.count({w.buyer, w.supplier})) continue;
    const WishState& state = wishes[{w.buyer, w.supplier}];
    std::string reason;
    bool common = false;
    for (int slot = 0; slot < p.slots; ++slot)
      common |= buyer_attends[w.buyer][slot] && supplier_attends[w.supplier][slot];
    if (state.wont) {
      reason = "the other side does not want to meet";
    } else if (!common) {
      reason = "no slot both attend";
    } else {
      reason = "their places went to meetings worth more (meeting limits, tables or slots are full)";
    }
    result.unmet.push_back({w, reason});
  }
  return result;
}

}  // namespace circmatch
