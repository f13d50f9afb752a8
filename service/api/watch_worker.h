// The thread that matches written profiles against the open WatchMatches streams, after the write is committed
// and acknowledged: a writer only hands the written keys over (each watch keeps a bounded backlog of them), so
// it never waits for watchers, however many there are or however slowly their clients read.
//
// Tasks run one at a time, in the order posted. The destructor runs the tasks still queued, then joins.
//
// Thread-safety: Post may be called from any thread.
#ifndef CIRCMATCH_SERVICE_API_WATCH_WORKER_H_
#define CIRCMATCH_SERVICE_API_WATCH_WORKER_H_

#include <deque>
#include <functional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace circmatch::service {

class WatchWorker {
 public:
  WatchWorker() : thread_([this] { Run(); }) {}
  ~WatchWorker() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }
  WatchWorker(const WatchWorker&) = delete;
  WatchWorker& operator=(const WatchWorker&) = delete;

  void Post(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](WatchWorker* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) { return w->stopping_ || !w->tasks_.empty(); },
            this));
        if (tasks_.empty()) return;  // stopping, and nothing left
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest is there
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_WATCH_WORKER_H_
