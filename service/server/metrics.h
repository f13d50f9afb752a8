// Service metrics for Prometheus, kept and written in the text exposition format by prometheus-cpp (Debian's
// prometheus-cpp-dev): calls by method and status code, call latency histograms by method, and the index's
// size, served on the HTTP endpoint of --metrics_listen.
//
// Every gRPC call is counted by a server interceptor (MetricsInterceptorFactory), so handlers need no code for
// it; the index figures are read when scraped. The method label is one of the methods of the services the
// server registers, or "unknown" for any other path a client sends: whoever reaches the port, with or without a
// key, can neither write lines into /metrics nor make it grow.
//
// Thread-safety: Metrics may be used from any thread.
#ifndef CIRCMATCH_SERVICE_SERVER_METRICS_H_
#define CIRCMATCH_SERVICE_SERVER_METRICS_H_

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace circmatch::service {

class Metrics {
 public:
  // Upper bounds of the latency buckets, seconds.
  static constexpr std::array<double, 14> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  // The method label of a call to a method the server does not serve.
  static constexpr const char* kUnknownMethod = "unknown";

  // `services`: the full names of the services the server registers ("circmatch.v1.MatchingService"); their
  // methods, as the generated descriptor pool lists them, are the method labels.
  explicit Metrics(const std::vector<std::string>& services);

  // Counts one finished call of `method` ("/circmatch.v1.MatchingService/SuggestSuppliers"; any other path as
  // kUnknownMethod).
  void RecordCall(const std::string& method, int status_code, double seconds);

  // Where the server adds families of its own (the index size).
  prometheus::Registry& registry() { return registry_; }

  // Runs `refresh` before every scrape, to set the values of such families from what is there then.
  void AddCollector(std::function<void()> refresh) ABSL_LOCKS_EXCLUDED(mu_);

  // The whole exposition (text/plain; version=0.0.4).
  std::string Render() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::flat_hash_set<std::string> known_methods_;  // "/package.Service/Method"; fixed at construction
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  mutable absl::Mutex mu_;
  std::vector<std::function<void()>> collectors_ ABSL_GUARDED_BY(mu_);
};

// Creates an interceptor per call that records it in `metrics` (borrowed; must outlive the server).
class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* const metrics_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_SERVER_METRICS_H_
