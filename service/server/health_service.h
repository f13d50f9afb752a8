// grpc.health.v1.Health, implemented here (not grpc::EnableDefaultHealthCheckService) so that its descriptor
// is compiled in and server reflection lists it for generic clients.
//
// Check answers SERVING for "" and every registered service name, NOT_FOUND for others. Watch writes the
// current status (SERVICE_UNKNOWN for an unknown name) and then every change, until the client cancels or
// Shutdown() ends the stream. Shutdown() first turns every status to NOT_SERVING, so watchers see the drain.
//
// Thread-safety: every method is safe to call concurrently; the status table and the set of watchers are
// behind one mutex that is never held while gRPC runs a reaction.
#ifndef CIRCMATCH_SERVICE_SERVER_HEALTH_SERVICE_H_
#define CIRCMATCH_SERVICE_SERVER_HEALTH_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace circmatch::service {

class HealthServiceImpl final : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  // `services`: the fully qualified names answered besides "" (the server as a whole); all start SERVING.
  explicit HealthServiceImpl(const std::vector<std::string>& services);
  ~HealthServiceImpl() override;

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context, const grpc::health::v1::HealthCheckRequest* request) override;

  // Sets the status of a known service (or "") and tells its watchers; unknown names are ignored.
  void SetStatus(const std::string& service, ServingStatus status) ABSL_LOCKS_EXCLUDED(mu_);

  // Every status to NOT_SERVING, then ends every Watch stream with OK and refuses new ones (they end at once),
  // so the server's Shutdown does not wait for them. Call before grpc::Server::Shutdown.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class WatchReactor;

  // The status a Watch for `service` reports.
  ServingStatus WatchStatusLocked(const std::string& service) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Called by a watcher when its stream is over; after this the service no longer touches it.
  void Unregister(WatchReactor* watcher) ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ServingStatus> statuses_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<WatchReactor*> watchers_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  // Destruction waits until every watcher has unregistered (gRPC calls OnDone of each stream).
  absl::CondVar watchers_gone_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_SERVER_HEALTH_SERVICE_H_
