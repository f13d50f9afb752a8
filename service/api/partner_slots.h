// Counts what each partner holds at once (WatchMatches streams, running long calls), at most so many each, so that
// one partner's many cannot take the threads, memory and matching time the others need. A slot is held by its Slot
// object, and given back when that is destroyed.
//
//   std::optional<PartnerSlots::Slot> slot = watches->TryTake(caller);
//   if (!slot) return absl::ResourceExhaustedError(...);  // naming only the caller's own bound
//
// Thread-safety: TryTake and Slot's destructor may run concurrently on any threads.
#ifndef CIRCMATCH_SERVICE_API_PARTNER_SLOTS_H_
#define CIRCMATCH_SERVICE_API_PARTNER_SLOTS_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace circmatch::service {

class PartnerSlots {
 public:
  explicit PartnerSlots(int per_partner) : per_partner_(per_partner) {}
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

  // One more slot for `partner`, or nullopt when it holds all of its own (per_partner()).
  std::optional<Slot> TryTake(const std::string& partner) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    int& held = held_[partner];
    if (held >= per_partner_) return std::nullopt;
    ++held;
    return Slot(this, partner);
  }

  int per_partner() const { return per_partner_; }

 private:
  void Give(const std::string& partner) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = held_.find(partner);
    if (--it->second == 0) held_.erase(it);  // only partners holding some stay
  }

  const int per_partner_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_PARTNER_SLOTS_H_
