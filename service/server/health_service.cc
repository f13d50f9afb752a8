#include "service/server/health_service.h"

#include <utility>

#include "absl/time/time.h"
#include "service/common/logging.h"

namespace circmatch::service {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch stream. Writes are one at a time (gRPC allows one outstanding write): a status that changes while
// a write is in flight is written when it completes, and only the latest one. The reactor's own mutex guards
// its state; gRPC is called after releasing it.
class HealthServiceImpl::WatchReactor final : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  WatchReactor(HealthServiceImpl* service, std::string name) : service_(service), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // A new status to report (the service calls this with its mutex held, which keeps this reactor alive).
  void Push(ServingStatus status) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      latest_ = status;
    }
    Step();
  }

  // Ends the stream with OK once the pending write, if any, is done.
  void End() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      end_requested_ = true;
    }
    Step();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) broken_ = end_requested_ = true;  // the stream broke; nothing more can be written
    }
    Step();
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      broken_ = end_requested_ = true;
    }
    Step();
  }

  void OnDone() override {
    service_->Unregister(this);
    delete this;
  }

 private:
  // Starts the next write or the finish, whichever is due.
  void Step() ABSL_LOCKS_EXCLUDED(mu_) {
    enum class Action { kNone, kWrite, kFinish } action = Action::kNone;
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || writing_) return;
      // A graceful end still writes the latest status first (NOT_SERVING at shutdown).
      if (latest_ != written_ && !broken_) {
        writing_ = true;
        written_ = latest_;
        response_.set_status(static_cast<grpc::health::v1::HealthCheckResponse::ServingStatus>(latest_));
        action = Action::kWrite;
      } else if (end_requested_) {
        finished_ = true;
        action = Action::kFinish;
      }
    }
    if (action == Action::kWrite) StartWrite(&response_);
    if (action == Action::kFinish) Finish(grpc::Status::OK);
  }

  HealthServiceImpl* const service_;
  const std::string name_;
  absl::Mutex mu_;
  // -1: nothing written yet, so the first status is always sent.
  int latest_ ABSL_GUARDED_BY(mu_) = -1;
  int written_ ABSL_GUARDED_BY(mu_) = -1;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool end_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;  // cancelled or a write failed: finish without writing
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Only touched while writing_ is set by the one thread that set it, then by gRPC until OnWriteDone.
  HealthCheckResponse response_;
};

HealthServiceImpl::HealthServiceImpl(const std::vector<std::string>& services) {
  absl::MutexLock lock(&mu_);
  statuses_[""] = HealthCheckResponse::SERVING;
  for (const std::string& service : services) statuses_[service] = HealthCheckResponse::SERVING;
}

HealthServiceImpl::~HealthServiceImpl() {
  Shutdown();
  // gRPC runs OnDone of each ended stream on its own threads; wait for them (they refer to this service).
  absl::MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!watchers_.empty()) {
    if (watchers_gone_.WaitWithDeadline(&mu_, deadline)) {
      CIRCMATCH_LOG(kWarning) << watchers_.size() << " health Watch streams did not end";
      break;
    }
  }
}

HealthServiceImpl::ServingStatus HealthServiceImpl::WatchStatusLocked(const std::string& service) const {
  auto it = statuses_.find(service);
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second;
}

grpc::ServerUnaryReactor* HealthServiceImpl::Check(grpc::CallbackServerContext* context,
                                                   const HealthCheckRequest* request, HealthCheckResponse* response) {
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    auto it = statuses_.find(request->service());
    if (it == statuses_.end()) {
      status = grpc::Status(grpc::StatusCode::NOT_FOUND, "service: unknown service \"" + request->service() + "\"");
    } else {
      response->set_status(it->second);
    }
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthServiceImpl::Watch(grpc::CallbackServerContext* /*context*/,
                                                                        const HealthCheckRequest* request) {
  auto* watcher = new WatchReactor(this, request->service());
  absl::MutexLock lock(&mu_);
  // Registered before the first Push, so it is in the set by the time OnDone can run.
  watchers_.insert(watcher);
  watcher->Push(WatchStatusLocked(request->service()));
  if (shut_down_) watcher->End();
  return watcher;
}

void HealthServiceImpl::SetStatus(const std::string& service, ServingStatus status) {
  absl::MutexLock lock(&mu_);
  auto it = statuses_.find(service);
  if (it == statuses_.end() || it->second == status) return;
  it->second = status;
  for (WatchReactor* watcher : watchers_) {
    if (watcher->name() == service) watcher->Push(status);
  }
}

void HealthServiceImpl::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& [service, status] : statuses_) status = HealthCheckResponse::NOT_SERVING;
  for (WatchReactor* watcher : watchers_) {
    watcher->Push(WatchStatusLocked(watcher->name()));
    watcher->End();
  }
}

void HealthServiceImpl::Unregister(WatchReactor* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(watcher);
  if (watchers_.empty()) watchers_gone_.SignalAll();
}

}  // namespace circmatch::service
