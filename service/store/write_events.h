// Who was just written: the repository publishes the keys of the profiles each write put into the index (its
// own writes and, with a shared store, other replicas'), and subscribers such as MatchingService.WatchMatches
// react to them.
//
// Thread-safety: all methods may be called concurrently. Listeners run on the writing thread while the
// subscription list is locked, so they must be quick and must not subscribe or unsubscribe; once Unsubscribe
// returns, the listener is never called again.
#ifndef CIRCMATCH_SERVICE_STORE_WRITE_EVENTS_H_
#define CIRCMATCH_SERVICE_STORE_WRITE_EVENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "circmatch/profile.h"

namespace circmatch::service {

class WriteEvents {
 public:
  using Listener = std::function<void(const std::vector<ProfileKey>& written)>;

  // Returns the subscription's id.
  int64_t Subscribe(Listener listener) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    listeners_.emplace(++last_id_, std::move(listener));
    return last_id_;
  }

  void Unsubscribe(int64_t id) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    listeners_.erase(id);
  }

  void Publish(const std::vector<ProfileKey>& written) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    for (auto& [id, listener] : listeners_) listener(written);
  }

 private:
  absl::Mutex mu_;
  int64_t last_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, Listener> listeners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_WRITE_EVENTS_H_
