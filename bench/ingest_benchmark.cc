// Ingest into a real circmatch-server: starts the server binary as a child process on loopback with a fresh
// temporary SQLite store (development mode, --allow_unauthenticated, --embedding_dimension=D), then sends N
// generated suppliers (default 1M, profile_generator.h, with D-dimensional embeddings, default 256) through the
// client-streaming ImportProfiles in messages of B profiles (default 1,000) on S concurrent streams (default 1).
// The server commits each message as one transaction (WAL, synchronous=FULL) before reading the next and answers
// the stream only after its last commit, so the measured time ends when every profile is durable. The messages
// are generated before the clock starts.
// Printed: total time and profiles/s; the server's peak RSS (VmHWM of /proc/<pid>/status) and RSS per profile;
// the bytes of the vectors the server holds, N x D x 4 (the embeddings), and peak RSS over those bytes; the bytes
// the server's index holds by part after the ingest (its circmatch_index_memory_bytes metric). Then the server is
// killed (SIGKILL, as a crash) and restarted on the same store: the time until it listens again (its index rebuilt
// from the store), the profiles it indexed (its log) and the rows in the store.
// Targets: ingest 1M profiles durably in <= 60 s; memory <= 1.5 x the bytes of the vectors held.
//
//   circmatch_bench_ingest [--profiles=1000000] [--batch=1000] [--streams=1] [--embedding_dimension=256]
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
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "child_server.h"
#include "circmatch/v1/profile_service.grpc.pb.h"
#include "circmatch/vocabulary.h"
#include "elapsed.h"
#include "http_client.h"
#include "load_channel.h"
#include "process_stats.h"
#include "profile_generator.h"
#include "service/store/sqlite_profile_store.h"

ABSL_FLAG(int64_t, profiles, 1000000, "generated suppliers to ingest");
ABSL_FLAG(int, batch, 1000, "profiles per ImportProfiles message (one transaction each)");
ABSL_FLAG(int, streams, 1, "concurrent ImportProfiles streams, one channel each");
ABSL_FLAG(int, embedding_dimension, 256, "embedding length of every profile and of the server (0 = none)");
ABSL_FLAG(uint64_t, seed, 20260101, "generator seed");

namespace circmatch::bench {
namespace {

constexpr int64_t kTargetProfiles = 1000000;
constexpr double kTargetSeconds = 60;
constexpr double kTargetMemoryRatio = 1.5;

constexpr double kMiB = 1 << 20;

int64_t FileBytes(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

// The index's bytes by part from the server's metrics (circmatch_index_memory_bytes{part=...}), in their order;
// empty when they cannot be read.
std::vector<std::pair<std::string, int64_t>> IndexMemoryParts(const testing::ChildServer& server) {
  const int port = testing::PortFromLog(server.Stderr(), "metrics on ");
  if (port <= 0) return {};
  const testing::HttpResult metrics = testing::HttpCall(port, "GET", "/metrics");
  std::vector<std::pair<std::string, int64_t>> parts;
  const std::regex sample("circmatch_index_memory_bytes\\{part=\"([a-z_]+)\"\\} ([0-9]+)");
  for (auto it = std::sregex_iterator(metrics.body.begin(), metrics.body.end(), sample); it != std::sregex_iterator();
       ++it) {
    parts.emplace_back((*it)[1].str(), std::stoll((*it)[2].str()));
  }
  return parts;
}

int Run() {
  const int64_t n = absl::GetFlag(FLAGS_profiles);
  const int batch = absl::GetFlag(FLAGS_batch);
  const int streams = absl::GetFlag(FLAGS_streams);
  const int dimension = absl::GetFlag(FLAGS_embedding_dimension);
  if (n < 1 || batch < 1 || batch > 10000 || streams < 1 || dimension < 0) {
    std::fprintf(stderr,
                 "bad flags: need --profiles >= 1, --batch 1..10000, --streams >= 1, "
                 "--embedding_dimension >= 0\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
  if (!vocabulary.ok()) {
    std::fprintf(stderr, "vocabulary: %s\n", vocabulary.status().ToString().c_str());
    return 1;
  }

  // Every message is made before the clock starts, on all cores (a generator per thread).
  Clock::time_point start = Clock::now();
  const int64_t message_count = (n + batch - 1) / batch;
  std::vector<v1::ImportProfilesRequest> messages(static_cast<size_t>(message_count));
  {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        ProfileGeneratorOptions options;
        options.seed = absl::GetFlag(FLAGS_seed);
        options.embedding_dimension = dimension;
        options.owner = "local";  // the one partner of a server without API keys
        ProfileGenerator generator(vocabulary->get(), options);
        // Contiguous ranges, so each generator reuses its block of embeddings.
        const int64_t per = (message_count + threads - 1) / threads;
        for (int64_t m = t * per; m < std::min(message_count, (t + 1) * per); ++m) {
          for (int64_t i = m * batch; i < std::min(n, (m + 1) * batch); ++i) {
            *messages[static_cast<size_t>(m)].add_profiles() = ToApiProfile(generator.Supplier(i));
          }
        }
      });
    }
    for (std::thread& w : workers) w.join();
  }
  const double generate_s = SecondsSince(start);
  int64_t wire_bytes = 0;
  for (const v1::ImportProfilesRequest& m : messages) wire_bytes += static_cast<int64_t>(m.ByteSizeLong());

  testing::ServerOptions server_options;
  server_options.extra_args = {"--log_level=info", absl::StrCat("--embedding_dimension=", dimension),
                               "--metrics_listen=127.0.0.1:0"};
  server_options.startup_timeout = std::chrono::seconds(600);  // the restart rebuilds the index of 1M profiles
  testing::ChildServer server(std::move(server_options));
  if (absl::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "starting circmatch-server: %s\n", s.ToString().c_str());
    return 1;
  }
  const std::string data_dir = server.data_dir();
  const int64_t empty_rss = StatusBytes(server.pid(), "VmRSS");

  // S streams; stream s sends messages s, s + S, ...; each ends when the server has committed all of its own.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int s = 0; s < streams; ++s) channels.push_back(NewChannel(server.address(), s));
  std::atomic<int64_t> acknowledged{0};
  std::atomic<int64_t> sent{0};
  std::vector<std::string> failures(static_cast<size_t>(streams));
  start = Clock::now();
  {
    std::vector<std::thread> senders;
    for (int s = 0; s < streams; ++s) {
      senders.emplace_back([&, s] {
        auto stub = v1::ProfileService::NewStub(channels[static_cast<size_t>(s)]);
        grpc::ClientContext context;
        v1::ImportProfilesResponse response;
        std::unique_ptr<grpc::ClientWriter<v1::ImportProfilesRequest>> writer =
            stub->ImportProfiles(&context, &response);
        int64_t mine = 0;
        for (int64_t m = s; m < message_count; m += streams) {
          if (!writer->Write(messages[static_cast<size_t>(m)])) break;  // the server ended the call
          mine += messages[static_cast<size_t>(m)].profiles_size();
          const int64_t total = sent.fetch_add(messages[static_cast<size_t>(m)].profiles_size()) +
                                messages[static_cast<size_t>(m)].profiles_size();
          const int64_t step = std::max<int64_t>(1, n / 10);
          if (total / step != (total - messages[static_cast<size_t>(m)].profiles_size()) / step) {
            std::fprintf(stderr, "  sent %lld profiles after %.1f s\n", static_cast<long long>(total),
                         SecondsSince(start));
          }
        }
        writer->WritesDone();
        const grpc::Status status = writer->Finish();
        acknowledged += response.upserted_count();
        if (!status.ok() || response.upserted_count() != mine) {
          failures[static_cast<size_t>(s)] =
              absl::StrCat("stream ", s, ": ", status.error_code(), " ", status.error_message(), " (",
                           response.upserted_count(), " of ", mine, " acknowledged)");
        }
      });
    }
    for (std::thread& t : senders) t.join();
  }
  const double ingest_s = SecondsSince(start);
  const int64_t peak_rss = StatusBytes(server.pid(), "VmHWM");
  const int64_t rss_after = StatusBytes(server.pid(), "VmRSS");
  const std::vector<std::pair<std::string, int64_t>> index_parts = IndexMemoryParts(server);
  const int64_t store_bytes = FileBytes(data_dir + "/" + service::SqliteProfileStore::kFileName) +
                              FileBytes(data_dir + "/" + service::SqliteProfileStore::kFileName + "-wal");
  for (const std::string& f : failures) {
    if (!f.empty()) {
      std::fprintf(stderr, "ImportProfiles failed: %s\n", f.c_str());
      return 1;
    }
  }
  channels.clear();

  // Durability: a crash right after the acknowledgement, then a restart on the same store.
  if (absl::Status s = server.Stop(SIGKILL); !s.ok()) {
    std::fprintf(stderr, "killing the server: %s\n", s.ToString().c_str());
    return 1;
  }
  start = Clock::now();
  if (absl::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "restarting circmatch-server: %s\n", s.ToString().c_str());
    return 1;
  }
  const double restart_s = SecondsSince(start);
  const int64_t restart_rss = StatusBytes(server.pid(), "VmRSS");
  // The restarted server logs "indexed N stored profiles in T" after rebuilding its index; the last such line.
  long long indexed = -1;
  std::string rebuild_time = "?";
  {
    const std::string log = server.Stderr();
    const std::regex line("indexed ([0-9]+) stored profiles in ([^ \n]+)");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it) {
      indexed = std::stoll((*it)[1].str());
      rebuild_time = (*it)[2].str();
    }
  }
  int64_t stored = -1;
  {
    absl::StatusOr<std::unique_ptr<service::SqliteProfileStore>> store = service::SqliteProfileStore::Open(data_dir);
    absl::StatusOr<int64_t> count = store.ok() ? (*store)->Count() : store.status();
    if (!count.ok()) {
      std::fprintf(stderr, "counting the store: %s\n", count.status().ToString().c_str());
      return 1;
    }
    stored = *count;
  }
  const absl::Status stopped = server.Stop(SIGTERM);

  const double vector_bytes = static_cast<double>(n) * dimension * sizeof(float);
  std::printf("# Ingest: ImportProfiles into circmatch-server on loopback, SQLite store (WAL, synchronous=FULL)\n\n");
  std::printf(
      "%lld suppliers, embedding dimension %d, %d profiles per message (one transaction each), %d "
      "stream(s); %d cores shared by client and server; messages generated beforehand in %.1f s "
      "(%.0f MiB on the wire)\n\n",
      static_cast<long long>(n), dimension, batch, streams, static_cast<int>(std::thread::hardware_concurrency()),
      generate_s, static_cast<double>(wire_bytes) / kMiB);
  std::printf("| profiles | acknowledged | time (s) | profiles/s | MiB/s | store on disk (MiB) |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
  std::printf("| %lld | %lld | %.1f | %.0f | %.1f | %.0f |\n\n", static_cast<long long>(n),
              static_cast<long long>(acknowledged.load()), ingest_s, static_cast<double>(n) / ingest_s,
              static_cast<double>(wire_bytes) / kMiB / ingest_s, static_cast<double>(store_bytes) / kMiB);
  std::printf(
      "| server RSS empty (MiB) | peak RSS, VmHWM (MiB) | RSS after ingest (MiB) | peak RSS per profile "
      "(bytes) | vectors held (MiB) | peak RSS / vectors | (peak - empty) / vectors |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  if (dimension > 0) {
    std::printf("| %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f |\n\n", empty_rss / kMiB, peak_rss / kMiB,
                rss_after / kMiB, static_cast<double>(peak_rss) / static_cast<double>(n), vector_bytes / kMiB,
                static_cast<double>(peak_rss) / vector_bytes, static_cast<double>(peak_rss - empty_rss) / vector_bytes);
    std::printf(
        "vectors held: %lld profiles x %d floats x 4 bytes (the embeddings; the index's sparse facet "
        "vectors, its matrices below, are not counted)\n\n",
        static_cast<long long>(n), dimension);
  } else {
    std::printf("| %.0f | %.0f | %.0f | %.0f | n/a | n/a | n/a |\n\n", empty_rss / kMiB, peak_rss / kMiB,
                rss_after / kMiB, static_cast<double>(peak_rss) / static_cast<double>(n));
    std::printf(
        "vectors held: none without embeddings; run with --embedding_dimension=256 for the memory "
        "target\n\n");
  }
  if (!index_parts.empty()) {
    // What the server's index counts it holds after the ingest (circmatch_index_memory_bytes), by part.
    std::printf("| index part (after ingest) | MiB | bytes per profile |\n| --- | ---: | ---: |\n");
    int64_t total = 0;
    for (const auto& [part, bytes] : index_parts) {
      std::printf("| %s | %.0f | %.0f |\n", part.c_str(), static_cast<double>(bytes) / kMiB,
                  static_cast<double>(bytes) / static_cast<double>(n));
      if (part != "dense_values") total += bytes;  // part of posting_lists
    }
    std::printf("| total (dense_values are in posting_lists) | %.0f | %.0f |\n\n", static_cast<double>(total) / kMiB,
                static_cast<double>(total) / static_cast<double>(n));
  }
  std::printf(
      "| after SIGKILL: restart until listening (s) | index rebuild (server log) | profiles indexed | rows "
      "in store | RSS after restart (MiB) |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: |\n");
  std::printf("| %.1f | %s | %lld | %lld | %.0f |\n\n", restart_s, rebuild_time.c_str(), indexed,
              static_cast<long long>(stored), restart_rss / kMiB);

  const bool durable = stored == n && indexed == n && acknowledged.load() == n;
  std::printf("Durability: %s (%lld acknowledged, %lld in the store and %lld indexed after a crash and restart)\n",
              durable ? "OK" : "FAILED", static_cast<long long>(acknowledged.load()), static_cast<long long>(stored),
              indexed);
  if (n != kTargetProfiles) {
    std::printf("Targets (at 1M profiles): not evaluated, ran at %lld\n", static_cast<long long>(n));
  } else {
    std::printf("Target: ingest 1M profiles durably in <= %.0f s: %s (%.1f s)\n", kTargetSeconds,
                durable && ingest_s <= kTargetSeconds ? "MET" : "NOT MET", ingest_s);
    if (dimension > 0) {
      const double ratio = static_cast<double>(peak_rss) / vector_bytes;
      std::printf("Target: memory <= %.1fx the bytes of the vectors held: %s (peak RSS %.2fx)\n", kTargetMemoryRatio,
                  ratio <= kTargetMemoryRatio ? "MET" : "NOT MET", ratio);
    } else {
      std::printf("Target: memory <= %.1fx the vectors: not evaluated without embeddings\n", kTargetMemoryRatio);
    }
  }
  if (!stopped.ok()) {
    std::fprintf(stderr, "stopping the server: %s\n", stopped.ToString().c_str());
    return 1;
  }
  return durable ? 0 : 1;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return circmatch::bench::Run();
}
