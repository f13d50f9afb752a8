#include "service/api/long_calls.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace circmatch::service {

LongCalls::LongCalls(LongCallLimits limits) : limits_(limits), per_partner_(limits.per_partner) {
  for (int i = 0; i < limits_.total; ++i) threads_.emplace_back([this] { Work(); });
}

LongCalls::~LongCalls() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
}

void LongCalls::Start(const std::string& partner, absl::string_view method, absl::AnyInvocable<absl::Status()> call,
                      absl::AnyInvocable<void(const absl::Status&)> done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    std::optional<PartnerSlots::Slot> slot = per_partner_.TryTake(partner);
    if (!slot) {
      refused = absl::ResourceExhaustedError(absl::StrCat(
          method, ": this partner already runs ", limits_.per_partner,
          " long call(s) at once (FitRankProfile, PairBuddies, ScheduleMeetings, ExposureReport, GapReport), the "
          "most --max_long_calls_per_partner allows; try again when one has finished"));
    } else if (total_ >= limits_.total) {
      refused = absl::ResourceExhaustedError(absl::StrCat(method, ": the server already runs ", limits_.total,
                                                          " long call(s) at once, the most --max_long_calls "
                                                          "allows; try again later"));
    } else {
      ++total_;
      // Admitted calls are never more than the threads: this one starts as soon as a thread has taken it.
      tasks_.push_back(Task{*std::move(slot), std::move(call), std::move(done)});
      return;
    }
  }
  done(refused);
}

void LongCalls::Work() {
  for (;;) {
    std::optional<Task> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](LongCalls* calls)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(calls->mu_) { return calls->stopping_ || !calls->tasks_.empty(); },
          this));
      if (tasks_.empty()) return;  // stopping, and nothing left
      task.emplace(std::move(tasks_.front()));
      tasks_.pop_front();
    }
    const absl::Status status = task->call();
    absl::AnyInvocable<void(const absl::Status&)> done = std::move(task->done);
    task.reset();  // gives the partner's slot back
    {
      absl::MutexLock lock(&mu_);
      --total_;
    }
    done(status);
  }
}

int LongCalls::Running() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

}  // namespace circmatch::service
