#include "service/server/metrics.h"

#include <google/protobuf/descriptor.h>
#include <prometheus/text_serializer.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "service/common/logging.h"
#include "service/convert/status_mapping.h"

namespace circmatch::service {
namespace {

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(Metrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
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

Metrics::Metrics(const std::vector<std::string>& services)
    : calls_(prometheus::BuildCounter()
                 .Name("circmatch_grpc_requests_total")
                 .Help("gRPC calls finished, by method and status code.")
                 .Register(registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("circmatch_grpc_request_duration_seconds")
                   .Help("Time from the start of a call to its status.")
                   .Register(registry_)) {
  for (const std::string& service : services) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    if (descriptor == nullptr) {
      CIRCMATCH_LOG(kWarning) << "metrics: no descriptor of service " << service << "; its calls count as "
                              << kUnknownMethod;
      continue;
    }
    for (int i = 0; i < descriptor->method_count(); ++i) {
      known_methods_.insert(absl::StrCat("/", service, "/", descriptor->method(i)->name()));
    }
  }
}

void Metrics::RecordCall(const std::string& method, int status_code, double seconds) {
  // Only known methods become labels: the path is the client's, and each label value is a series kept forever.
  const std::string label = known_methods_.contains(method) ? method : kUnknownMethod;
  calls_.Add({{"method", label}, {"code", StatusCodeName(status_code)}}).Increment();
  latency_
      .Add({{"method", label}}, prometheus::Histogram::BucketBoundaries(kLatencyBuckets.begin(), kLatencyBuckets.end()))
      .Observe(seconds);
}

void Metrics::AddCollector(std::function<void()> refresh) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(refresh));
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  for (const auto& refresh : collectors_) refresh();
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(metrics_, info->method());
}

}  // namespace circmatch::service
