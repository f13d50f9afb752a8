// Service metrics in the Prometheus text exposition format: calls by method and status code, call latency
// histograms by method, and the index's size, served on the HTTP endpoint of --metrics_listen.
//
// Every gRPC call is counted by a server interceptor (MetricsInterceptorFactory), so handlers need no code for
// it; the index figures are read when scraped.
//
// Thread-safety: Metrics may be used from any thread.
#ifndef CIRCMATCH_SERVICE_METRICS_H_
#define CIRCMATCH_SERVICE_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace circmatch::service {

class Metrics {
 public:
  // Upper bounds of the latency buckets, seconds.
  static constexpr std::array<double, 14> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                             0.1,    0.25,  0.5,    1,     2.5,   5,    10};

  // Counts one finished call of `method` ("/circmatch.v1.MatchingService/SuggestSuppliers").
  void RecordCall(const std::string& method, int status_code, double seconds) ABSL_LOCKS_EXCLUDED(mu_);

  // Adds gauges computed when scraped, e.g. the index size; `render` appends exposition lines.
  void AddCollector(std::function<void(std::string*)> render) ABSL_LOCKS_EXCLUDED(mu_);

  // The whole exposition (text/plain; version=0.0.4).
  std::string Render() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Latency {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative; summed when rendered
    uint64_t count = 0;
    double sum = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Latency> latency_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void(std::string*)>> collectors_ ABSL_GUARDED_BY(mu_);
};

// The gRPC status code's name as Prometheus label value ("OK", "INVALID_ARGUMENT", ...).
const char* StatusCodeName(int code);

// Creates an interceptor per call that records it in `metrics` (borrowed; must outlive the server).
class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* const metrics_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_METRICS_H_
