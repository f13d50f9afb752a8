// Runs the long calls on threads of their own, at most so many at once per partner and in total. A long call
// (FitRankProfile, PairBuddies, ScheduleMeetings, ExposureReport, GapReport) scores or reads much of the store until it
// is done. On gRPC's threads it would hold one of the few that serve every call of the callback API (two on a two-core
// machine): two of them, from any partners, and no other partner is answered at all. Here they hold only a thread of
// these, and one over a bound is answered RESOURCE_EXHAUSTED at once, before any work.
//
//   long_calls->Start(caller, "FitRankProfile", [=] { return Fit(...); },
//                     [=](const absl::Status& status) { /* answers the call with `status` */ });
//
// The handlers do not call it themselves: UnaryCalls::ServeLong (unary_calls.h) authenticates, starts, audits and
// finishes a long call.
//
// Thread-safety: Start may be called concurrently from any thread, also from within a call.
#ifndef CIRCMATCH_SERVICE_API_LONG_CALLS_H_
#define CIRCMATCH_SERVICE_API_LONG_CALLS_H_

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "service/api/partner_slots.h"

namespace circmatch::service {

struct LongCallLimits {
  // Long calls one partner runs at once (--max_long_calls_per_partner).
  int per_partner = 1;
  // Long calls the server runs at once, of all partners together (--max_long_calls); also the threads they run on.
  int total = 2;
};

class LongCalls {
 public:
  // Starts `limits.total` threads.
  explicit LongCalls(LongCallLimits limits);
  // Runs the calls already started to their end, then joins the threads.
  ~LongCalls();
  LongCalls(const LongCalls&) = delete;
  LongCalls& operator=(const LongCalls&) = delete;

  // Runs `call`, of `method` by `partner`, on one of the threads, then `done` there with its status, once the
  // partner's and the server's counts are down again (so a partner answered may start its next call at once).
  // Over a bound, `done` gets RESOURCE_EXHAUSTED at once on the calling thread instead and `call` never runs; the
  // message names `method` and the flag of the bound reached, and nothing of which partners run the others.
  void Start(const std::string& partner, absl::string_view method, absl::AnyInvocable<absl::Status()> call,
             absl::AnyInvocable<void(const absl::Status&)> done);

  // Long calls running now, of all partners (the metric circmatch_long_calls_running).
  int Running() const;

 private:
  struct Task {
    PartnerSlots::Slot slot;  // the partner's, held while the call runs
    absl::AnyInvocable<absl::Status()> call;
    absl::AnyInvocable<void(const absl::Status&)> done;
  };

  void Work();

  const LongCallLimits limits_;
  PartnerSlots per_partner_;  // before the tasks, whose slots it counts
  mutable absl::Mutex mu_;
  int total_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // last: started once the rest is there
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_LONG_CALLS_H_
