#include "service/metrics.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace circmatch::service {
namespace {

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(Metrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->RecordCall(method_, status.error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  Metrics* const metrics_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

const char* StatusCodeName(int code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  return code >= 0 && code < 17 ? kNames[code] : "UNKNOWN";
}

void Metrics::RecordCall(const std::string& method, int status_code, double seconds) {
  absl::MutexLock lock(&mu_);
  ++calls_[{method, status_code}];
  Latency& latency = latency_[method];
  ++latency.count;
  latency.sum += seconds;
  for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
    if (seconds <= kLatencyBuckets[b]) {
      ++latency.buckets[b];
      break;
    }
  }
}

void Metrics::AddCollector(std::function<void(std::string*)> render) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(render));
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out =
      "# HELP circmatch_grpc_requests_total gRPC calls finished, by method and status code.\n"
      "# TYPE circmatch_grpc_requests_total counter\n";
  for (const auto& [key, count] : calls_) {
    absl::StrAppend(&out, "circmatch_grpc_requests_total{method=\"", key.first, "\",code=\"",
                    StatusCodeName(key.second), "\"} ", count, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP circmatch_grpc_request_duration_seconds Time from the start of a call to its status.\n"
                  "# TYPE circmatch_grpc_request_duration_seconds histogram\n");
  for (const auto& [method, latency] : latency_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += latency.buckets[b];
      absl::StrAppend(&out, "circmatch_grpc_request_duration_seconds_bucket{method=\"", method, "\",le=\"",
                      absl::StrFormat("%g", kLatencyBuckets[b]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "circmatch_grpc_request_duration_seconds_bucket{method=\"", method, "\",le=\"+Inf\"} ",
                    latency.count, "\n");
    absl::StrAppend(&out, "circmatch_grpc_request_duration_seconds_sum{method=\"", method, "\"} ",
                    absl::StrFormat("%.9g", latency.sum), "\n");
    absl::StrAppend(&out, "circmatch_grpc_request_duration_seconds_count{method=\"", method, "\"} ", latency.count,
                    "\n");
  }
  for (const auto& render : collectors_) render(&out);
  return out;
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(metrics_, info->method());
}

}  // namespace circmatch::service
