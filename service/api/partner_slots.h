// Counts what each partner holds open at once (WatchMatches streams), at most so many each, so that one partner's
// many cannot take the memory and matching time the others' need. A slot is held by its Slot object, and given back
// when that is destroyed.
//
//   absl::StatusOr<PartnerSlots::Slot> slot = watches->Take(caller);
//   if (!slot.ok()) return slot.status();  // RESOURCE_EXHAUSTED, naming only the caller's own count
//
// Thread-safety: Take and Slot's destructor may run concurrently on any threads.
#ifndef CIRCMATCH_SERVICE_API_PARTNER_SLOTS_H_
#define CIRCMATCH_SERVICE_API_PARTNER_SLOTS_H_

#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace circmatch::service {

class PartnerSlots {
 public:
  // `what` names the slots and `flag` their bound in RESOURCE_EXHAUSTED's message: "WatchMatches streams",
  // "--max_watches_per_partner".
  PartnerSlots(int per_partner, std::string what, std::string flag)
      : per_partner_(per_partner), what_(std::move(what)), flag_(std::move(flag)) {}
  PartnerSlots(const PartnerSlots&) = delete;
  PartnerSlots& operator=(const PartnerSlots&) = delete;

  class Slot {
   public:
    Slot(Slot&& other) noexcept : slots_(std::exchange(other.slots_, nullptr)), partner_(std::move(other.partner_)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (slots_ != nullptr) slots_->Give(partner_);
    }

   private:
    friend class PartnerSlots;
    Slot(PartnerSlots* slots, std::string partner) : slots_(slots), partner_(std::move(partner)) {}
    PartnerSlots* slots_;
    std::string partner_;
  };

  // One more slot for `partner`, or RESOURCE_EXHAUSTED when it holds all of its own.
  absl::StatusOr<Slot> Take(const std::string& partner) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    int& held = held_[partner];
    if (held >= per_partner_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("this partner holds ", held, " ", what_, ", the most ", flag_, " allows; end one first"));
    }
    ++held;
    return Slot(this, partner);
  }

 private:
  void Give(const std::string& partner) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = held_.find(partner);
    if (--it->second == 0) held_.erase(it);  // only partners holding some stay
  }

  const int per_partner_;
  const std::string what_;
  const std::string flag_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_PARTNER_SLOTS_H_
