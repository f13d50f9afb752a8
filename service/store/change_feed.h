// Keeps this server's index in step with the writes other servers (replicas) commit to a shared store.
//
// A thread waits for the store's change notification (PostgreSQL NOTIFY) or `poll_interval`, whichever comes
// first, then reads every change after the last one applied, in commit order, and applies it to the index.
// Bound: a write committed by another replica is matchable here after the notification's delivery plus one
// catch-up query (milliseconds on one network); if notifications are lost (a dropped LISTEN connection), after
// at most `poll_interval` plus that query.
//
// Thread-safety: construct and destroy from one thread; applied() may be read from any thread.
#ifndef CIRCMATCH_SERVICE_STORE_CHANGE_FEED_H_
#define CIRCMATCH_SERVICE_STORE_CHANGE_FEED_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "absl/time/time.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

class ChangeFeed {
 public:
  // Follows the store of `repository` (borrowed) from the changes after `after_sequence`.
  ChangeFeed(ProfileRepository* repository, int64_t after_sequence, absl::Duration poll_interval);
  // Stops the thread (within one poll interval).
  ~ChangeFeed();

  // The sequence number of the last change applied.
  int64_t applied() const { return applied_.load(); }

 private:
  void Run();

  ProfileRepository* const repository_;
  const absl::Duration poll_interval_;
  std::atomic<int64_t> applied_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_CHANGE_FEED_H_
