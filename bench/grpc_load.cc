// gRPC load on a real circmatch-server: starts the server binary as a child process on loopback with a fresh
// temporary SQLite store, or the PostgreSQL database named by --store (development mode,
// --allow_unauthenticated), loads N generated suppliers (default 100k,
// profile_generator.h) through the client-streaming ImportProfiles, waits until grpc.health.v1 Health/Check says
// SERVING, then runs two closed-loop phases of T seconds (after a warm-up) with C client threads, each on its own
// channel and connection, each issuing one synchronous call at a time:
//   Health/Check       an empty unary call: the transport's limit on this machine
//   SuggestSuppliers   k = 10, default weights, for generated tenders sent inline (or, with --tender_mode=stored,
//                      stored beforehand and named by reference)
// Printed per phase: calls, QPS, p50/p99 latency, errors, and the CPU seconds the client and the server used
// (they share the machine). Target: SuggestSuppliers QPS >= 50% of the empty call's QPS at 100k suppliers with
// 0 errors. The server is stopped at the end, also on failure.
//
//   circmatch_bench_grpc_load [--suppliers=100000] [--tenders=500] [--clients=0 (2 x cores)] [--seconds=10]
//                             [--warmup_seconds=1] [--tender_mode=inline|stored] [--embedding_dimension=0]
//                             [--store=sqlite|postgresql://...]
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "child_server.h"
#include "circmatch/v1/matching_service.grpc.pb.h"
#include "circmatch/v1/profile_service.grpc.pb.h"
#include "circmatch/vocabulary.h"
#include "elapsed.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "load_channel.h"
#include "percentile.h"
#include "process_stats.h"
#include "profile_generator.h"

ABSL_FLAG(int64_t, suppliers, 100000, "generated suppliers loaded into the server");
ABSL_FLAG(int, tenders, 500, "generated tenders the clients cycle through");
ABSL_FLAG(int, clients, 0, "concurrent client threads, one channel each; 0 = 2 x cores");
ABSL_FLAG(double, seconds, 10, "measured seconds per phase");
ABSL_FLAG(double, warmup_seconds, 1, "unmeasured seconds before each phase");
ABSL_FLAG(std::string, tender_mode, "inline", "inline: tenders sent in each request; stored: loaded, then by ref");
ABSL_FLAG(int, embedding_dimension, 0, "embedding length of every profile and of the server (0 = none)");
ABSL_FLAG(int, batch, 1000, "profiles per ImportProfiles message");
ABSL_FLAG(uint64_t, seed, 20260101, "generator seed");
ABSL_FLAG(std::string, store, "sqlite",
          "the server's store: sqlite (a fresh file) or the URL of an empty PostgreSQL database");

namespace circmatch::bench {
namespace {

constexpr int64_t kTargetSuppliers = 100000;
constexpr double kTargetRatio = 0.5;

struct PhaseResult {
  std::string name;
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;
  double seconds = 0;
  double qps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double client_cpu_s = 0;
  double server_cpu_s = 0;
};

// Runs `call(client, i)` (returning its status) in a loop on every client thread: a warm-up, then `seconds`
// measured. Each thread keeps its own latencies; they are merged afterwards.
template <typename Call>
PhaseResult RunPhase(const std::string& name, int clients, double warmup_s, double seconds, pid_t server,
                     const Call& call) {
  std::atomic<int> stage{0};  // 0 warm-up, 1 measuring, 2 stop
  struct PerClient {
    std::vector<double> ms;
    int64_t errors = 0;
    std::string first_error;
  };
  std::vector<PerClient> per(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      PerClient& mine = per[static_cast<size_t>(c)];
      mine.ms.reserve(1 << 16);
      for (int64_t i = c;; i += clients) {
        const int s = stage.load(std::memory_order_relaxed);
        if (s == 2) break;
        const Clock::time_point start = Clock::now();
        const grpc::Status status = call(c, i);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (s != 1 || stage.load(std::memory_order_relaxed) != 1) continue;
        if (status.ok()) {
          mine.ms.push_back(ms);
        } else if (mine.errors++ == 0) {
          mine.first_error = absl::StrCat(status.error_code(), ": ", status.error_message());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup_s));
  const double client_cpu = SelfCpuSeconds();
  const double server_cpu = ProcessCpuSeconds(server);
  const Clock::time_point start = Clock::now();
  stage = 1;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stage = 2;
  PhaseResult result;
  result.name = name;
  result.seconds = SecondsSince(start);
  result.client_cpu_s = SelfCpuSeconds() - client_cpu;
  result.server_cpu_s = ProcessCpuSeconds(server) - server_cpu;
  for (std::thread& t : threads) t.join();
  std::vector<double> all;
  for (PerClient& p : per) {
    all.insert(all.end(), p.ms.begin(), p.ms.end());
    result.errors += p.errors;
    if (result.first_error.empty()) result.first_error = p.first_error;
  }
  result.calls = static_cast<int64_t>(all.size());
  result.qps = static_cast<double>(result.calls) / result.seconds;
  result.p50_ms = Percentile(all, 0.50);
  result.p99_ms = Percentile(all, 0.99);
  return result;
}

int Run() {
  const int64_t n = absl::GetFlag(FLAGS_suppliers);
  const int tender_count = absl::GetFlag(FLAGS_tenders);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int clients = absl::GetFlag(FLAGS_clients) > 0 ? absl::GetFlag(FLAGS_clients) : 2 * cores;
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
  const std::string mode = absl::GetFlag(FLAGS_tender_mode);
  const int dimension = absl::GetFlag(FLAGS_embedding_dimension);
  const int batch = absl::GetFlag(FLAGS_batch);
  if (n < 1 || tender_count < 1 || seconds <= 0 || warmup < 0 || batch < 1 || batch > 10000 || dimension < 0 ||
      (mode != "inline" && mode != "stored")) {
    std::fprintf(stderr,
                 "bad flags: need --suppliers >= 1, --tenders >= 1, --seconds > 0, --batch 1..10000, "
                 "--tender_mode inline or stored\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
  if (!vocabulary.ok()) {
    std::fprintf(stderr, "vocabulary: %s\n", vocabulary.status().ToString().c_str());
    return 1;
  }

  // Everything the clients send is made before the clock starts.
  Clock::time_point start = Clock::now();
  ProfileGeneratorOptions generator_options;
  generator_options.seed = absl::GetFlag(FLAGS_seed);
  generator_options.embedding_dimension = dimension;
  generator_options.owner = "local";  // the one partner of a server without API keys
  ProfileGenerator generator(vocabulary->get(), generator_options);
  std::vector<v1::ImportProfilesRequest> batches;
  for (int64_t begin = 0; begin < n; begin += batch) {
    v1::ImportProfilesRequest& request = batches.emplace_back();
    for (int64_t i = begin; i < std::min<int64_t>(n, begin + batch); ++i) {
      *request.add_profiles() = ToApiProfile(generator.Supplier(i));
    }
  }
  std::vector<v1::SuggestSuppliersRequest> suggestions(static_cast<size_t>(tender_count));
  v1::ImportProfilesRequest tender_batch;
  for (int t = 0; t < tender_count; ++t) {
    v1::Profile tender = ToApiProfile(generator.Tender(t));
    suggestions[static_cast<size_t>(t)].mutable_query()->set_k(10);
    if (mode == "inline") {
      *suggestions[static_cast<size_t>(t)].mutable_tender_profile() = std::move(tender);
    } else {
      suggestions[static_cast<size_t>(t)].mutable_tender_ref()->set_id(tender.id());
      *tender_batch.add_profiles() = std::move(tender);
    }
  }
  if (tender_batch.profiles_size() > 0) batches.push_back(std::move(tender_batch));
  const double generate_s = SecondsSince(start);

  testing::ServerOptions server_options;
  server_options.extra_args = {"--log_level=warning", absl::StrCat("--embedding_dimension=", dimension),
                               absl::StrCat("--store=", absl::GetFlag(FLAGS_store))};
  testing::ChildServer server(std::move(server_options));
  if (absl::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "starting circmatch-server: %s\n", s.ToString().c_str());
    return 1;
  }

  // Load through the client stream; the response comes after the last batch is committed.
  start = Clock::now();
  {
    auto stub = v1::ProfileService::NewStub(NewChannel(server.address(), -1));
    grpc::ClientContext context;
    v1::ImportProfilesResponse response;
    std::unique_ptr<grpc::ClientWriter<v1::ImportProfilesRequest>> writer = stub->ImportProfiles(&context, &response);
    for (const v1::ImportProfilesRequest& request : batches) {
      if (!writer->Write(request)) break;  // the server ended the call; Finish says why
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    const int64_t expected = n + (mode == "stored" ? tender_count : 0);
    if (!status.ok() || response.upserted_count() != expected) {
      std::fprintf(stderr, "ImportProfiles: %d %s (upserted %lld of %lld)\n", status.error_code(),
                   status.error_message().c_str(), static_cast<long long>(response.upserted_count()),
                   static_cast<long long>(expected));
      return 1;
    }
  }
  const double load_s = SecondsSince(start);

  // Ready: Health/Check answers SERVING.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < clients; ++c) channels.push_back(NewChannel(server.address(), c));
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health;
  std::vector<std::unique_ptr<v1::MatchingService::Stub>> matching;
  for (const auto& channel : channels) {
    health.push_back(grpc::health::v1::Health::NewStub(channel));
    matching.push_back(v1::MatchingService::NewStub(channel));
  }
  bool serving = false;
  for (const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
       !serving && Clock::now() < deadline;) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckResponse response;
    serving = health[0]->Check(&context, grpc::health::v1::HealthCheckRequest(), &response).ok() &&
              response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
    if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!serving) {
    std::fprintf(stderr, "the server never reported SERVING\n");
    return 1;
  }
  for (const auto& channel : channels) {
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "a client channel did not connect\n");
      return 1;
    }
  }

  const auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(30); };
  std::vector<PhaseResult> phases;
  phases.push_back(RunPhase("Health/Check (empty)", clients, warmup, seconds, server.pid(), [&](int c, int64_t) {
    grpc::ClientContext context;
    context.set_deadline(deadline());
    grpc::health::v1::HealthCheckResponse response;
    return health[static_cast<size_t>(c)]->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  }));
  phases.push_back(RunPhase("SuggestSuppliers", clients, warmup, seconds, server.pid(), [&](int c, int64_t i) {
    grpc::ClientContext context;
    context.set_deadline(deadline());
    v1::SuggestSuppliersResponse response;
    return matching[static_cast<size_t>(c)]->SuggestSuppliers(
        &context, suggestions[static_cast<size_t>(i % tender_count)], &response);
  }));
  // Close the clients' connections first: the server's graceful shutdown waits for open connections.
  health.clear();
  matching.clear();
  channels.clear();
  const absl::Status stopped = server.Stop(SIGTERM);

  std::printf("# gRPC load: circmatch-server on loopback, %s store, %lld suppliers\n\n",
              absl::GetFlag(FLAGS_store) == "sqlite" ? "SQLite" : "PostgreSQL", static_cast<long long>(n));
  std::printf(
      "%d client threads (one channel and connection each, synchronous calls), %.0f s per phase after "
      "%.0f s warm-up; %d cores shared by clients and server; tenders %s (%d distinct); embedding "
      "dimension %d\n\n",
      clients, seconds, warmup, cores, mode.c_str(), tender_count, dimension);
  std::printf(
      "setup: generated in %.1f s; ImportProfiles of %zu messages (batches of %d) in %.1f s = %.0f "
      "profiles/s\n\n",
      generate_s, batches.size(), batch, load_s, static_cast<double>(n) / load_s);
  std::printf("| call | calls | QPS | p50 (ms) | p99 (ms) | errors | client CPU (s) | server CPU (s) |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  int64_t errors = 0;
  for (const PhaseResult& p : phases) {
    std::printf("| %s | %lld | %.0f | %.3f | %.3f | %lld | %.1f | %.1f |\n", p.name.c_str(),
                static_cast<long long>(p.calls), p.qps, p.p50_ms, p.p99_ms, static_cast<long long>(p.errors),
                p.client_cpu_s, p.server_cpu_s);
    errors += p.errors;
  }
  for (const PhaseResult& p : phases) {
    if (!p.first_error.empty()) std::printf("\nfirst error of %s: %s\n", p.name.c_str(), p.first_error.c_str());
  }
  const double ratio = phases[1].qps / std::max(phases[0].qps, 1e-9);
  std::printf("\nSuggestSuppliers QPS / empty-call QPS = %.1f%%\n\n", 100 * ratio);
  std::printf("Target: SuggestSuppliers QPS >= %.0f%% of the empty call's at %lldk suppliers, 0 errors: ",
              100 * kTargetRatio, static_cast<long long>(kTargetSuppliers / 1000));
  if (n != kTargetSuppliers) {
    std::printf("not evaluated (ran at %lld suppliers)\n", static_cast<long long>(n));
  } else {
    std::printf("%s (%.1f%%, %lld errors)\n", ratio >= kTargetRatio && errors == 0 ? "MET" : "NOT MET", 100 * ratio,
                static_cast<long long>(errors));
  }
  if (!stopped.ok()) {
    std::fprintf(stderr, "stopping the server: %s\n", stopped.ToString().c_str());
    return 1;
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return circmatch::bench::Run();
}
