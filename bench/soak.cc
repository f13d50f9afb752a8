// Soak of a real circmatch-server: starts the server binary as a child process on loopback with a fresh temporary
// SQLite store, its gRPC port and its HTTP/JSON front (--http_listen), and API keys for two partners (or, with
// --api_keys=false, in development mode), loads N generated suppliers (profile_generator.h) through
// ImportProfiles, each partner its own, then runs C concurrent clients for T seconds, each on its own connection,
// each waiting a random think time (exponential, mean --think_ms) between calls. The clients' roles, by client
// number c modulo 8 (so C must be at least 8), each of the two partners taking every other block of 8:
//   0      WatchMatches: holds a watch on one of its partner's stored tenders open for 5 to 30 s (its deadline),
//          reads its alerts as they come, then opens another
//   1      writes: UpsertProfiles of 1-20 of its partner's suppliers with other capabilities, UpsertProfiles of
//          1-10 new profiles from a pool of ids of its own (created, then updated), DeleteProfile of one of them
//   2, 3   HTTP/JSON on one kept-alive connection (reopened after 1-100 requests): POST
//          /v1/matching/suppliers:suggest with an inline tender (80%), GET /v1/profiles/{owner}/{id} (20%)
//   4 - 7  gRPC SuggestSuppliers with an inline tender, k = 10
// Printed every --interval_seconds: per call kind the calls, errors, p50 and p99 latency, and the server's RSS
// (VmRSS of /proc/<pid>/status, sampled every second), CPU and the machine's load average; at the end a table of
// p99 and RSS over time, the totals per kind and the RSS growth after the warm-up: the largest RSS after
// --warmup_seconds against the largest over the warm-up's last interval (under writes the RSS swings by a fifth
// within an interval, so a single sample could compare a trough with a peak). The one expected end, not an error: a
// watch ended by its own deadline (DEADLINE_EXCEEDED, how a client reopens it); a watch the server ends with
// RESOURCE_EXHAUSTED (its client reads every alert as it comes) is an error. Exit code 1 when any call failed, when a
// call kind never succeeded, when the RSS grew by more than --max_rss_growth after the warm-up (negative: not
// checked), or when the server did not stop cleanly on SIGTERM; 2 on bad flags.
//
//   circmatch_bench_soak [--clients=64] [--seconds=600] [--warmup_seconds=60] [--interval_seconds=30]
//                        [--suppliers=20000] [--think_ms=100] [--max_rss_growth=0.10] [--api_keys=true]
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "child_server.h"
#include "circmatch/v1/matching_service.grpc.pb.h"
#include "circmatch/v1/profile_service.grpc.pb.h"
#include "circmatch/vocabulary.h"
#include "elapsed.h"
#include "google/protobuf/util/json_util.h"
#include "http_client.h"
#include "http_connection.h"
#include "load_channel.h"
#include "percentile.h"
#include "process_stats.h"
#include "profile_generator.h"
#include "service/auth/api_keys.h"

ABSL_FLAG(int, clients, 64, "concurrent clients, one connection each; at least 8 (roles by client number mod 8)");
ABSL_FLAG(double, seconds, 600, "length of the run, warm-up included");
ABSL_FLAG(double, warmup_seconds, 60, "first part of the run after which RSS growth is measured");
ABSL_FLAG(double, interval_seconds, 30, "seconds per printed interval");
ABSL_FLAG(int64_t, suppliers, 20000, "generated suppliers loaded before the run");
ABSL_FLAG(int, tenders, 500, "generated tenders sent inline by the matching clients");
ABSL_FLAG(int, watch_tenders, 20, "stored tenders per partner the watch clients watch");
ABSL_FLAG(int64_t, new_profiles, -1, "ids of new profiles the writers create, update and delete; -1 = suppliers / 10");
ABSL_FLAG(double, think_ms, 100, "mean think time of a client between two calls (exponential)");
ABSL_FLAG(double, watch_min_score, 0, "min_score of the watches");
ABSL_FLAG(double, max_rss_growth, 0.10,
          "fail when the server's largest RSS after the warm-up exceeds its largest over the warm-up's last "
          "interval by more than this fraction; negative = not checked");
ABSL_FLAG(bool, api_keys, true, "two partners with API keys; false = development mode (one partner, \"local\")");
ABSL_FLAG(uint64_t, seed, 20260101, "generator and client seed");

namespace circmatch::bench {
namespace {

constexpr double kMiB = 1 << 20;
constexpr int kRoles = 8;
constexpr int kMaxErrorsShown = 10;

enum Kind { kGrpcSuggest, kGrpcUpsert, kGrpcDelete, kGrpcWatch, kHttpSuggest, kHttpGet, kKinds };
constexpr std::array<const char*, kKinds> kKindNames = {
    "gRPC SuggestSuppliers", "gRPC UpsertProfiles",         "gRPC DeleteProfile",
    "gRPC WatchMatches",     "HTTP POST suppliers:suggest", "HTTP GET profiles/{owner}/{id}"};
constexpr std::array<const char*, kKinds> kShortNames = {"suggest", "upsert",       "delete",
                                                         "watch",   "HTTP suggest", "HTTP get"};

// What one kind of call did in an interval or the whole run.
struct Tally {
  std::vector<double> ms;  // latencies of the successful calls (a watch's: until the server registered it)
  int64_t errors = 0;
  int64_t expected = 0;  // planned ends: a watch's own deadline
  int64_t alerts = 0;    // WatchMatches alerts read
};
using Tallies = std::array<Tally, kKinds>;

// Shared by every client thread; the monitor takes an interval's tallies at each boundary.
class Recorder {
 public:
  explicit Recorder(Clock::time_point start) : start_(start) {}

  void Ok(Kind kind, double ms) {
    absl::MutexLock lock(&mu_);
    interval_[kind].ms.push_back(ms);
    total_[kind].ms.push_back(ms);
  }
  void Expected(Kind kind, const std::string& what) {
    absl::MutexLock lock(&mu_);
    ++interval_[kind].expected;
    ++total_[kind].expected;
    ++expected_by_reason_[kind][what];
  }
  void Error(Kind kind, const std::string& message) {
    absl::MutexLock lock(&mu_);
    ++interval_[kind].errors;
    ++total_[kind].errors;
    if (first_errors_.size() < kMaxErrorsShown) {
      first_errors_.push_back(absl::StrFormat("%.1f s, %s: %s", SecondsSince(start_), kKindNames[kind], message));
    }
  }
  void Alert() {
    absl::MutexLock lock(&mu_);
    ++interval_[kGrpcWatch].alerts;
    ++total_[kGrpcWatch].alerts;
  }
  Tallies TakeInterval() {
    absl::MutexLock lock(&mu_);
    Tallies taken = std::move(interval_);
    interval_ = Tallies();
    return taken;
  }
  Tallies Total() const {
    absl::MutexLock lock(&mu_);
    return total_;
  }
  std::map<std::string, int64_t> ExpectedByReason(Kind kind) const {
    absl::MutexLock lock(&mu_);
    return expected_by_reason_[kind];
  }
  std::vector<std::string> FirstErrors() const {
    absl::MutexLock lock(&mu_);
    return first_errors_;
  }

 private:
  const Clock::time_point start_;
  mutable absl::Mutex mu_;
  Tallies interval_ ABSL_GUARDED_BY(mu_);
  Tallies total_ ABSL_GUARDED_BY(mu_);
  std::array<std::map<std::string, int64_t>, kKinds> expected_by_reason_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> first_errors_ ABSL_GUARDED_BY(mu_);
};

// Everything the clients read, made before the run; read-only while it runs.
struct Workload {
  std::vector<std::string> partners;                              // "partner-0", "partner-1"; or "local"
  std::vector<std::string> keys;                                  // their API keys; empty in development mode
  std::vector<v1::Profile> suppliers;                             // as loaded, owners set
  std::vector<std::vector<int64_t>> owned;                        // per partner, the suppliers it owns
  std::vector<std::vector<v1::SuggestSuppliersRequest>> suggest;  // per partner, inline tenders
  std::vector<std::vector<std::string>> suggest_json;             // the same as proto3 JSON
  std::vector<std::vector<std::string>> watch_tenders;            // per partner, ids of stored tenders
  int64_t new_per_writer = 1;
};

struct Run {
  std::string address;
  int http_port = 0;
  Clock::time_point start, end;
  const Workload* workload = nullptr;
  Recorder* recorder = nullptr;
  double think_ms = 0;
  double watch_min_score = 0;
};

std::string StatusText(const grpc::Status& status) {
  return absl::StrCat(status.error_code(), " ", status.error_message());
}

// A client's call context: its partner's key, a deadline that only a stuck call reaches.
void Prepare(const Run& run, int partner, grpc::ClientContext* context) {
  if (!run.workload->keys.empty()) {
    context->AddMetadata("authorization", "Bearer " + run.workload->keys[static_cast<size_t>(partner)]);
  }
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

// Waits a think time, at most until the run's end.
void Think(const Run& run, std::mt19937_64& rng) {
  if (run.think_ms <= 0) return;
  std::exponential_distribution<double> think(1.0 / run.think_ms);
  const Clock::time_point until = std::min(
      run.end, Clock::now() +
                   std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(think(rng))));
  std::this_thread::sleep_until(until);
}

template <typename T>
const T& Pick(const std::vector<T>& values, std::mt19937_64& rng) {
  return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
}

void SuggestClient(const Run& run, int c, int partner) {
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + static_cast<uint64_t>(c));
  auto stub = v1::MatchingService::NewStub(NewChannel(run.address, c));
  const auto& requests = run.workload->suggest[static_cast<size_t>(partner)];
  while (Clock::now() < run.end) {
    grpc::ClientContext context;
    Prepare(run, partner, &context);
    v1::SuggestSuppliersResponse response;
    const Clock::time_point start = Clock::now();
    const grpc::Status status = stub->SuggestSuppliers(&context, Pick(requests, rng), &response);
    if (status.ok()) {
      run.recorder->Ok(kGrpcSuggest, MillisecondsSince(start));
    } else {
      run.recorder->Error(kGrpcSuggest, StatusText(status));
    }
    Think(run, rng);
  }
}

void WriterClient(const Run& run, int c, int partner) {
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + static_cast<uint64_t>(c));
  auto stub = v1::ProfileService::NewStub(NewChannel(run.address, c));
  const Workload& w = *run.workload;
  const std::string& owner = w.partners[static_cast<size_t>(partner)];
  const auto& owned = w.owned[static_cast<size_t>(partner)];
  std::vector<bool> exists(static_cast<size_t>(w.new_per_writer), false);  // the pool of new ids, k -> written
  std::vector<int64_t> existing;
  int64_t revision = 0;
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<size_t> any_supplier(0, w.suppliers.size() - 1);
  const auto pool_id = [c](int64_t k) { return absl::StrCat("n", c, "-", k); };
  while (Clock::now() < run.end) {
    const double op = unit(rng);
    if (op >= 0.9 && !existing.empty()) {  // delete one of the pool's profiles
      const size_t at = std::uniform_int_distribution<size_t>(0, existing.size() - 1)(rng);
      const int64_t k = existing[at];
      v1::DeleteProfileRequest request;
      request.mutable_ref()->set_owner(owner);
      request.mutable_ref()->set_id(pool_id(k));
      grpc::ClientContext context;
      Prepare(run, partner, &context);
      v1::DeleteProfileResponse response;
      const Clock::time_point start = Clock::now();
      const grpc::Status status = stub->DeleteProfile(&context, request, &response);
      if (status.ok()) {
        run.recorder->Ok(kGrpcDelete, MillisecondsSince(start));
        existing[at] = existing.back();
        existing.pop_back();
        exists[static_cast<size_t>(k)] = false;
      } else {
        run.recorder->Error(kGrpcDelete, absl::StrCat(pool_id(k), ": ", StatusText(status)));
      }
    } else {
      v1::UpsertProfilesRequest request;
      std::vector<int64_t> created;
      ++revision;
      if (op < 0.45) {  // updates of the partner's loaded suppliers: other capabilities, another name
        std::set<int64_t> picked;
        const size_t count = std::min<size_t>(owned.size(), std::uniform_int_distribution<size_t>(1, 20)(rng));
        while (picked.size() < count) picked.insert(Pick(owned, rng));
        for (int64_t i : picked) {
          v1::Profile* profile = request.add_profiles();
          *profile = w.suppliers[static_cast<size_t>(i)];
          *profile->mutable_capabilities() = w.suppliers[any_supplier(rng)].capabilities();
          profile->set_display_name(absl::StrCat(profile->display_name(), " (", c, ".", revision, ")"));
        }
      } else {  // new profiles, or updates of those made before, from the writer's own pool of ids
        std::set<int64_t> picked;
        const int64_t count = std::min<int64_t>(w.new_per_writer, std::uniform_int_distribution<int64_t>(1, 10)(rng));
        std::uniform_int_distribution<int64_t> any_new(0, w.new_per_writer - 1);
        while (static_cast<int64_t>(picked.size()) < count) picked.insert(any_new(rng));
        for (int64_t k : picked) {
          v1::Profile* profile = request.add_profiles();
          *profile = w.suppliers[any_supplier(rng)];
          profile->set_id(pool_id(k));
          profile->set_owner(owner);
          if (!exists[static_cast<size_t>(k)]) created.push_back(k);
        }
      }
      grpc::ClientContext context;
      Prepare(run, partner, &context);
      v1::UpsertProfilesResponse response;
      const Clock::time_point start = Clock::now();
      const grpc::Status status = stub->UpsertProfiles(&context, request, &response);
      if (status.ok()) {
        run.recorder->Ok(kGrpcUpsert, MillisecondsSince(start));
        for (int64_t k : created) {
          exists[static_cast<size_t>(k)] = true;
          existing.push_back(k);
        }
      } else {
        run.recorder->Error(kGrpcUpsert, StatusText(status));
      }
    }
    Think(run, rng);
  }
}

void WatchClient(const Run& run, int c, int partner) {
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + static_cast<uint64_t>(c));
  auto stub = v1::MatchingService::NewStub(NewChannel(run.address, c));
  std::uniform_real_distribution<double> hold_s(5, 30);
  while (Clock::now() < run.end) {
    v1::WatchMatchesRequest request;
    request.mutable_tender_ref()->set_id(Pick(run.workload->watch_tenders[static_cast<size_t>(partner)], rng));
    request.set_min_score(run.watch_min_score);
    grpc::ClientContext context;
    Prepare(run, partner, &context);
    // The watch's own deadline is how the client reopens it; never past the run's end.
    const auto hold = std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::min(std::chrono::duration<double>(hold_s(rng)), std::chrono::duration<double>(run.end - Clock::now())));
    context.set_deadline(std::chrono::system_clock::now() + hold);
    const Clock::time_point start = Clock::now();
    std::unique_ptr<grpc::ClientReader<v1::WatchMatchesResponse>> reader = stub->WatchMatches(&context, request);
    reader->WaitForInitialMetadata();  // sent by the server once the watch is registered
    const double open_ms = MillisecondsSince(start);
    v1::WatchMatchesResponse alert;
    while (reader->Read(&alert)) run.recorder->Alert();
    const grpc::Status status = reader->Finish();
    const double hold_ms = std::chrono::duration<double, std::milli>(hold).count();
    if (hold_ms >= 1000 && open_ms >= hold_ms - 100) {  // the server never said the watch was registered
      run.recorder->Error(kGrpcWatch, absl::StrCat("not registered within ", hold_ms, " ms: ", StatusText(status)));
    } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      run.recorder->Ok(kGrpcWatch, open_ms);
      run.recorder->Expected(kGrpcWatch, "DEADLINE_EXCEEDED: the client's own deadline, then reopened");
    } else {
      run.recorder->Error(kGrpcWatch, StatusText(status));
    }
  }
}

void HttpClient(const Run& run, int c, int partner) {
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + static_cast<uint64_t>(c));
  const Workload& w = *run.workload;
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  if (!w.keys.empty()) headers.emplace_back("Authorization", "Bearer " + w.keys[static_cast<size_t>(partner)]);
  const auto& bodies = w.suggest_json[static_cast<size_t>(partner)];
  const auto& owned = w.owned[static_cast<size_t>(partner)];
  std::uniform_int_distribution<int> requests_per_connection(1, 100);
  std::uniform_real_distribution<double> unit(0, 1);
  HttpConnection connection(run.http_port);
  int left_on_connection = requests_per_connection(rng);
  while (Clock::now() < run.end) {
    const bool suggest = unit(rng) < 0.8;
    const Kind kind = suggest ? kHttpSuggest : kHttpGet;
    const Clock::time_point start = Clock::now();
    HttpReply reply;
    if (suggest) {
      reply = connection.Call("POST", "/v1/matching/suppliers:suggest", Pick(bodies, rng), headers);
    } else {
      const v1::Profile& profile = w.suppliers[static_cast<size_t>(Pick(owned, rng))];
      reply = connection.Call("GET", absl::StrCat("/v1/profiles/", profile.owner(), "/", profile.id()), "", headers);
    }
    const double ms = MillisecondsSince(start);
    if (reply.status == 200 && !reply.body.empty()) {
      run.recorder->Ok(kind, ms);
    } else if (reply.status == 0) {
      run.recorder->Error(kind, reply.error);
    } else {
      run.recorder->Error(kind, absl::StrCat("HTTP ", reply.status, ": ", reply.body.substr(0, 200)));
    }
    if (--left_on_connection == 0) {  // a new connection now and then, as portals reconnect
      connection.Close();
      left_on_connection = requests_per_connection(rng);
    }
    Think(run, rng);
  }
}

// One printed interval.
struct IntervalRow {
  double end_s = 0;
  bool warmup = false;
  Tallies tallies;
  int64_t rss = 0, rss_max = 0;
  double server_cpu = 0, client_cpu = 0;  // cores busy
  double load = 0;
};

void PrintInterval(int number, double begin_s, const IntervalRow& row) {
  std::printf(
      "interval %d, %.0f-%.0f s%s: server RSS %.1f MiB (max %.1f), server CPU %.0f%%, client CPU %.0f%%, "
      "load average %.2f\n",
      number, begin_s, row.end_s, row.warmup ? " (warm-up)" : "", static_cast<double>(row.rss) / kMiB,
      static_cast<double>(row.rss_max) / kMiB, 100 * row.server_cpu, 100 * row.client_cpu, row.load);
  std::printf("| call | calls | errors | p50 (ms) | p99 (ms) |\n| --- | ---: | ---: | ---: | ---: |\n");
  for (int k = 0; k < kKinds; ++k) {
    const Tally& t = row.tallies[static_cast<size_t>(k)];
    std::printf("| %s | %zu | %lld | %.2f | %.2f |\n", kKindNames[static_cast<size_t>(k)], t.ms.size(),
                static_cast<long long>(t.errors), Percentile(t.ms, 0.5), Percentile(t.ms, 0.99));
  }
  std::printf("watch alerts read: %lld\n\n", static_cast<long long>(row.tallies[kGrpcWatch].alerts));
  std::fflush(stdout);
}

// A temporary folder for the key file, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "circmatch-soak-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int RunSoak() {
  const int clients = absl::GetFlag(FLAGS_clients);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
  const double interval = absl::GetFlag(FLAGS_interval_seconds);
  const int64_t n = absl::GetFlag(FLAGS_suppliers);
  const int tender_count = absl::GetFlag(FLAGS_tenders);
  const int watch_tenders = absl::GetFlag(FLAGS_watch_tenders);
  const double max_growth = absl::GetFlag(FLAGS_max_rss_growth);
  const bool with_keys = absl::GetFlag(FLAGS_api_keys);
  if (clients < kRoles || seconds <= 0 || warmup < 0 || interval <= 0 || n < 100 || tender_count < 1 ||
      watch_tenders < 1 || absl::GetFlag(FLAGS_think_ms) < 0) {
    std::fprintf(stderr,
                 "bad flags: need --clients >= 8, --seconds > 0, --warmup_seconds >= 0, --interval_seconds > 0, "
                 "--suppliers >= 100, --tenders >= 1, --watch_tenders >= 1, --think_ms >= 0\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(CIRCMATCH_BENCH_DATA_DIR);
  if (!vocabulary.ok()) {
    std::fprintf(stderr, "vocabulary: %s\n", vocabulary.status().ToString().c_str());
    return 1;
  }

  // The partners and their keys.
  Workload w;
  TempDir keys_dir;
  std::vector<std::string> server_args = {"--log_level=info", "--http_listen=127.0.0.1:0"};
  if (with_keys) {
    if (keys_dir.path().empty()) {
      std::fprintf(stderr, "cannot make a temporary folder for the key file\n");
      return 1;
    }
    const std::string keys_file = keys_dir.path() + "/keys";
    for (const char* partner : {"partner-0", "partner-1"}) {
      absl::StatusOr<std::string> key = service::CreateApiKey(keys_file, partner);
      if (!key.ok()) {
        std::fprintf(stderr, "creating a key: %s\n", key.status().ToString().c_str());
        return 1;
      }
      w.partners.push_back(partner);
      w.keys.push_back(*key);
    }
    server_args.push_back("--api_keys_file=" + keys_file);
  } else {
    w.partners = {"local"};
  }
  const size_t partners = w.partners.size();

  // Suppliers, tenders and requests, made before the server starts.
  Clock::time_point start = Clock::now();
  ProfileGeneratorOptions generator_options;
  generator_options.seed = absl::GetFlag(FLAGS_seed);
  generator_options.partners = static_cast<int>(partners);
  if (!with_keys) generator_options.owner = "local";
  ProfileGenerator generator(vocabulary->get(), generator_options);
  const auto partner_of = [&](const std::string& owner) {
    return static_cast<size_t>(std::find(w.partners.begin(), w.partners.end(), owner) - w.partners.begin());
  };
  w.owned.resize(partners);
  w.suppliers.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    w.suppliers.push_back(ToApiProfile(generator.Supplier(i)));
    w.owned[partner_of(w.suppliers.back().owner())].push_back(i);
  }
  w.suggest.resize(partners);
  w.suggest_json.resize(partners);
  for (size_t p = 0; p < partners; ++p) {
    for (int t = 0; t < tender_count; ++t) {
      v1::SuggestSuppliersRequest& request = w.suggest[p].emplace_back();
      request.mutable_query()->set_k(10);
      *request.mutable_tender_profile() = ToApiProfile(generator.Tender(t));
      request.mutable_tender_profile()->set_owner(w.partners[p]);  // an inline tender is the caller's
      std::string json;
      if (!google::protobuf::util::MessageToJsonString(request, &json).ok()) {
        std::fprintf(stderr, "a request could not be printed as JSON\n");
        return 1;
      }
      w.suggest_json[p].push_back(std::move(json));
    }
  }
  // Stored tenders for the watches, after the inline ones' numbers, until each partner has enough.
  std::vector<std::vector<v1::Profile>> stored_tenders(partners);
  w.watch_tenders.resize(partners);
  for (int64_t t = tender_count; std::any_of(w.watch_tenders.begin(), w.watch_tenders.end(),
                                             [&](const auto& ids) { return ids.size() < size_t(watch_tenders); });
       ++t) {
    v1::Profile tender = ToApiProfile(generator.Tender(t));
    const size_t p = partner_of(tender.owner());
    if (w.watch_tenders[p].size() >= static_cast<size_t>(watch_tenders)) continue;
    w.watch_tenders[p].push_back(tender.id());
    stored_tenders[p].push_back(std::move(tender));
  }
  for (size_t p = 0; p < partners; ++p) {
    if (w.owned[p].empty()) {
      std::fprintf(stderr, "%s owns no supplier; load more\n", w.partners[p].c_str());
      return 2;
    }
  }
  const int64_t new_profiles = absl::GetFlag(FLAGS_new_profiles) >= 0 ? absl::GetFlag(FLAGS_new_profiles) : n / 10;
  w.new_per_writer = std::max<int64_t>(1, new_profiles / (clients / kRoles + (clients % kRoles > 1 ? 1 : 0)));
  const double generate_s = SecondsSince(start);

  testing::ServerOptions server_options;
  server_options.extra_args = server_args;
  testing::ChildServer server(std::move(server_options));
  if (absl::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "starting circmatch-server: %s\n", s.ToString().c_str());
    return 1;
  }
  const int http_port = testing::PortFromLog(server.Stderr(), "HTTP/JSON API on ");
  if (http_port <= 0) {
    std::fprintf(stderr, "no HTTP port in the server's log:\n%s\n", server.Stderr().c_str());
    return 1;
  }

  // Each partner loads its own suppliers and tenders through the client stream.
  start = Clock::now();
  for (size_t p = 0; p < partners; ++p) {
    auto stub = v1::ProfileService::NewStub(NewChannel(server.address(), -1));
    grpc::ClientContext context;
    if (with_keys) context.AddMetadata("authorization", "Bearer " + w.keys[p]);
    v1::ImportProfilesResponse response;
    std::unique_ptr<grpc::ClientWriter<v1::ImportProfilesRequest>> writer = stub->ImportProfiles(&context, &response);
    v1::ImportProfilesRequest batch;
    int64_t expected = 0;
    const auto send = [&] {
      expected += batch.profiles_size();
      const bool sent = writer->Write(batch);
      batch.Clear();
      return sent;
    };
    bool open = true;
    for (size_t j = 0; open && j < w.owned[p].size(); ++j) {
      *batch.add_profiles() = w.suppliers[static_cast<size_t>(w.owned[p][j])];
      if (batch.profiles_size() == 1000) open = send();
    }
    for (const v1::Profile& tender : stored_tenders[p]) *batch.add_profiles() = tender;
    if (open) send();
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    if (!status.ok() || response.upserted_count() != expected) {
      std::fprintf(stderr, "ImportProfiles of %s: %s (upserted %lld of %lld)\n", w.partners[p].c_str(),
                   StatusText(status).c_str(), static_cast<long long>(response.upserted_count()),
                   static_cast<long long>(expected));
      return 1;
    }
  }
  const double load_s = SecondsSince(start);
  const int64_t rss_loaded = StatusBytes(server.pid(), "VmRSS");
  std::printf("# Soak: circmatch-server on loopback, SQLite store, %lld suppliers, %d clients, %.0f s\n\n",
              static_cast<long long>(n), clients, seconds);
  std::printf(
      "%s; %u cores shared by clients and server; think time %.0f ms (mean); generated in %.1f s, loaded in "
      "%.1f s; server RSS after loading %.1f MiB\n\n",
      with_keys ? "API keys of two partners" : "development mode (no API keys)", std::thread::hardware_concurrency(),
      absl::GetFlag(FLAGS_think_ms), generate_s, load_s, static_cast<double>(rss_loaded) / kMiB);
  std::fflush(stdout);

  // The run.
  Run run;
  run.address = server.address();
  run.http_port = http_port;
  run.workload = &w;
  run.think_ms = absl::GetFlag(FLAGS_think_ms);
  run.watch_min_score = absl::GetFlag(FLAGS_watch_min_score);
  run.start = Clock::now();
  run.end = run.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Recorder recorder(run.start);
  run.recorder = &recorder;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    const int partner = (c / kRoles) % static_cast<int>(partners);
    switch (c % kRoles) {
      case 0:
        threads.emplace_back(WatchClient, std::cref(run), c, partner);
        break;
      case 1:
        threads.emplace_back(WriterClient, std::cref(run), c, partner);
        break;
      case 2:
      case 3:
        threads.emplace_back(HttpClient, std::cref(run), c, partner);
        break;
      default:
        threads.emplace_back(SuggestClient, std::cref(run), c, partner);
    }
  }

  // Every second: the server's RSS; at each interval's end: its row. The last row waits for the clients' last
  // calls, so it counts them too.
  std::vector<IntervalRow> rows;
  // The baseline of the growth: the largest RSS over the warm-up's last interval, the peak of its sawtooth.
  const double baseline_from_s = warmup - std::min(warmup, interval);
  double rss_at_warmup_end = 0, baseline_rss = 0, max_rss_after_warmup = 0, max_rss_at_s = 0;
  bool server_gone = false;
  IntervalRow row;
  double cpu_mark = ProcessCpuSeconds(server.pid()), self_cpu_mark = SelfCpuSeconds(), interval_begin_s = 0;
  for (int64_t tick = 1;; ++tick) {
    const double t = std::min(seconds, static_cast<double>(tick));
    std::this_thread::sleep_until(run.start +
                                  std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t)));
    const bool last = t >= seconds;
    if (last) {
      for (std::thread& thread : threads) thread.join();
    }
    const int64_t rss = StatusBytes(server.pid(), "VmRSS");
    if (rss == 0) server_gone = true;
    row.rss = rss;
    row.rss_max = std::max(row.rss_max, rss);
    if (t <= warmup) rss_at_warmup_end = static_cast<double>(rss);
    if (t > baseline_from_s && t <= warmup) baseline_rss = std::max(baseline_rss, static_cast<double>(rss));
    if (t > warmup && static_cast<double>(rss) > max_rss_after_warmup) {
      max_rss_after_warmup = static_cast<double>(rss);
      max_rss_at_s = t;
    }
    const double interval_end_s = interval_begin_s + interval;
    if (!last && t + 1e-9 < interval_end_s) continue;
    const double cpu = ProcessCpuSeconds(server.pid()), self_cpu = SelfCpuSeconds();
    const double wall = t - interval_begin_s;
    row.end_s = t;
    row.warmup = t <= warmup;
    row.server_cpu = (cpu - cpu_mark) / wall;
    row.client_cpu = (self_cpu - self_cpu_mark) / wall;
    row.load = LoadAverage1m();
    row.tallies = recorder.TakeInterval();
    PrintInterval(static_cast<int>(rows.size()) + 1, interval_begin_s, row);
    rows.push_back(std::move(row));
    row = IntervalRow();
    cpu_mark = cpu;
    self_cpu_mark = self_cpu;
    interval_begin_s = t;
    if (last) break;
  }
  const double run_s = SecondsSince(run.start);
  const absl::Status stopped = server.Stop(SIGTERM);

  // p99 and RSS over time.
  std::printf("## p99 latency (ms) and server RSS over time\n\n| t (s) |");
  for (const char* name : kShortNames) std::printf(" %s |", name);
  std::printf(" errors | RSS (MiB) | max RSS (MiB) | server CPU | load avg |\n| ---: |");
  for (int k = 0; k < kKinds; ++k) std::printf(" ---: |");
  std::printf(" ---: | ---: | ---: | ---: | ---: |\n");
  for (const IntervalRow& r : rows) {
    std::printf("| %.0f%s |", r.end_s, r.warmup ? " (warm-up)" : "");
    int64_t errors = 0;
    for (const Tally& t : r.tallies) {
      std::printf(" %.2f |", Percentile(t.ms, 0.99));
      errors += t.errors;
    }
    std::printf(" %lld | %.1f | %.1f | %.0f%% | %.2f |\n", static_cast<long long>(errors),
                static_cast<double>(r.rss) / kMiB, static_cast<double>(r.rss_max) / kMiB, 100 * r.server_cpu, r.load);
  }

  // Totals.
  const Tallies total = recorder.Total();
  int64_t errors = 0;
  std::vector<std::string> never_succeeded;
  std::printf("\n## Totals over %.0f s\n\n| call | calls | calls/s | errors | expected ends | p50 (ms) | p99 (ms) |\n",
              run_s);
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (int k = 0; k < kKinds; ++k) {
    const Tally& t = total[static_cast<size_t>(k)];
    std::printf("| %s | %zu | %.1f | %lld | %lld | %.2f | %.2f |\n", kKindNames[static_cast<size_t>(k)], t.ms.size(),
                static_cast<double>(t.ms.size()) / run_s, static_cast<long long>(t.errors),
                static_cast<long long>(t.expected), Percentile(t.ms, 0.5), Percentile(t.ms, 0.99));
    errors += t.errors;
    if (t.ms.empty()) never_succeeded.push_back(kKindNames[static_cast<size_t>(k)]);
  }
  std::printf("\nwatch alerts read: %lld\n", static_cast<long long>(total[kGrpcWatch].alerts));
  for (const auto& [reason, count] : recorder.ExpectedByReason(kGrpcWatch)) {
    std::printf("expected watch ends: %lld x %s\n", static_cast<long long>(count), reason.c_str());
  }
  for (const std::string& error : recorder.FirstErrors()) std::printf("error at %s\n", error.c_str());

  // The server's own complaints.
  int64_t warnings = 0, log_errors = 0;
  for (absl::string_view line : absl::StrSplit(server.Stderr(), '\n')) {
    const bool warning = absl::StrContains(line, " WARNING "), error = absl::StrContains(line, " ERROR ");
    warnings += warning;
    log_errors += error;
    if ((warning || error) && warnings + log_errors <= kMaxErrorsShown) {
      std::printf("server log: %s\n", std::string(line).c_str());
    }
  }
  std::printf("server log: %lld warnings, %lld errors\n", static_cast<long long>(warnings),
              static_cast<long long>(log_errors));

  // RSS growth after the warm-up.
  bool rss_ok = true;
  std::printf("\nserver RSS: %.1f MiB at the end of the warm-up (%.0f s), largest over its last %.0f s %.1f MiB, ",
              rss_at_warmup_end / kMiB, warmup, warmup - baseline_from_s, baseline_rss / kMiB);
  if (warmup >= seconds || baseline_rss <= 0) {
    std::printf("no sample after it: growth not measured\n");
  } else {
    const double growth = max_rss_after_warmup / baseline_rss - 1;
    rss_ok = max_growth < 0 || growth <= max_growth;
    std::printf("largest after it %.1f MiB (at %.0f s): growth %+.1f%%", max_rss_after_warmup / kMiB, max_rss_at_s,
                100 * growth);
    if (max_growth < 0) {
      std::printf(" (not checked)\n");
    } else {
      std::printf(" (limit %.0f%%): %s\n", 100 * max_growth, rss_ok ? "ok" : "EXCEEDED");
    }
  }

  bool ok = errors == 0 && never_succeeded.empty() && rss_ok && !server_gone && stopped.ok();
  std::printf("\nunexpected errors: %lld\n", static_cast<long long>(errors));
  for (const std::string& kind : never_succeeded) std::printf("no call succeeded: %s\n", kind.c_str());
  if (server_gone) std::printf("the server was gone before the end of the run\n");
  if (!stopped.ok()) std::printf("stopping the server: %s\n", stopped.ToString().c_str());
  std::printf("result: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace circmatch::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return circmatch::bench::RunSoak();
}
