#include "service/server/server_options.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "host:port to serve gRPC on; port 0 picks a free port (env CIRCMATCH_LISTEN)");
ABSL_FLAG(std::string, data_dir, "./circmatch-data",
          "folder of the SQLite store, created if missing (env CIRCMATCH_DATA_DIR)");
ABSL_FLAG(std::string, store, "sqlite",
          "sqlite (the file in --data_dir) or a PostgreSQL URL postgresql://user:password@host:port/db shared by "
          "replicas (env CIRCMATCH_STORE)");
ABSL_FLAG(int, change_poll_ms, 500,
          "with a PostgreSQL store: how often to look for other replicas' writes when no notification arrives "
          "(env CIRCMATCH_CHANGE_POLL_MS)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error (env CIRCMATCH_LOG_LEVEL)");
ABSL_FLAG(std::string, vocabulary_dir, "",
          "folder of the reference data (cpv_2008.csv, ...); empty = the shipped copy "
          "(env CIRCMATCH_VOCABULARY_DIR)");
ABSL_FLAG(std::string, sample_data, "",
          "JSON-lines file of Profiles loaded when the store is empty (env CIRCMATCH_SAMPLE_DATA)");
ABSL_FLAG(int, embedding_dimension, 0,
          "length of partner embeddings; 0 = embeddings not accepted (env CIRCMATCH_EMBEDDING_DIMENSION)");
ABSL_FLAG(int64_t, max_message_bytes, 16 << 20,
          "largest gRPC message received or sent (env CIRCMATCH_MAX_MESSAGE_BYTES)");
ABSL_FLAG(std::string, api_keys_file, "",
          "file of the partners' API keys, managed with `circmatch-server keys`; required unless "
          "--allow_unauthenticated (env CIRCMATCH_API_KEYS_FILE)");
ABSL_FLAG(bool, allow_unauthenticated, false,
          "DEVELOPMENT ONLY: no API keys, every caller is the partner \"local\" (env CIRCMATCH_ALLOW_UNAUTHENTICATED)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain; with --tls_key_file the port speaks TLS only "
          "(env CIRCMATCH_TLS_CERT_FILE)");
ABSL_FLAG(std::string, http_listen, "",
          "host:port of the HTTP/JSON API (the same calls as gRPC, proto3 JSON); empty = none "
          "(env CIRCMATCH_HTTP_LISTEN)");
ABSL_FLAG(int, http_max_connections, 256,
          "open connections at most on each HTTP port (--http_listen, --metrics_listen), in total "
          "(env CIRCMATCH_HTTP_MAX_CONNECTIONS)");
ABSL_FLAG(int, http_max_connections_per_ip, 32,
          "open connections at most from one IP address on each HTTP port; behind a proxy, every client has the "
          "proxy's address (env CIRCMATCH_HTTP_MAX_CONNECTIONS_PER_IP)");
ABSL_FLAG(int, http_header_timeout_ms, 10000,
          "an HTTP request's head must arrive whole within this long of the connection's opening or of the "
          "previous response on it, else the connection is closed (env CIRCMATCH_HTTP_HEADER_TIMEOUT_MS)");
ABSL_FLAG(std::string, web_dir, "",
          "folder of the coordinators' web page on the --http_listen port; empty = the shipped one, - = none "
          "(env CIRCMATCH_WEB_DIR)");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of an HTTP endpoint serving Prometheus metrics at /metrics; empty = none "
          "(env CIRCMATCH_METRICS_LISTEN)");
ABSL_FLAG(std::string, audit_log, "",
          "file the audit log of matching calls is appended to; empty = <data_dir>/audit.log, - = none "
          "(env CIRCMATCH_AUDIT_LOG)");
ABSL_FLAG(int, max_long_calls_per_partner, 1,
          "long calls (FitRankProfile, PairBuddies, ScheduleMeetings, ExposureReport, GapReport) one partner runs "
          "at once; one more is answered RESOURCE_EXHAUSTED (env CIRCMATCH_MAX_LONG_CALLS_PER_PARTNER)");
ABSL_FLAG(int, max_long_calls, 2,
          "long calls the server runs at once, of all partners together, each on a thread of its own; keep it below "
          "the cores (env CIRCMATCH_MAX_LONG_CALLS)");
ABSL_FLAG(int, max_watches_per_partner, 64,
          "WatchMatches streams one partner holds open at once; one more is answered RESOURCE_EXHAUSTED "
          "(env CIRCMATCH_MAX_WATCHES_PER_PARTNER)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file (env CIRCMATCH_TLS_KEY_FILE)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA certificates; when set, clients must present a certificate they signed (mutual TLS) "
          "(env CIRCMATCH_TLS_CLIENT_CA_FILE)");

namespace circmatch::service {
namespace {

// Sets the flag from its environment variable, if set; the command line, parsed afterwards, wins.
template <typename T>
absl::Status ApplyEnvironment(absl::Flag<T>& flag, const char* env) {
  const char* value = std::getenv(env);
  if (value == nullptr || *value == '\0') return absl::OkStatus();
  T parsed;
  std::string error;
  if (!absl::ParseFlag(value, &parsed, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(env, ": ", error.empty() ? "bad value" : error, " \"", value, "\""));
  }
  absl::SetFlag(&flag, parsed);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerOptions> ParseServerOptions(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "circmatch-server: matchmaking for circular public procurement over gRPC.\n"
      "Every flag can also be set with the environment variable named in its help.");
  for (absl::Status s : {ApplyEnvironment(FLAGS_listen, "CIRCMATCH_LISTEN"),
                         ApplyEnvironment(FLAGS_data_dir, "CIRCMATCH_DATA_DIR"),
                         ApplyEnvironment(FLAGS_log_level, "CIRCMATCH_LOG_LEVEL"),
                         ApplyEnvironment(FLAGS_vocabulary_dir, "CIRCMATCH_VOCABULARY_DIR"),
                         ApplyEnvironment(FLAGS_sample_data, "CIRCMATCH_SAMPLE_DATA"),
                         ApplyEnvironment(FLAGS_embedding_dimension, "CIRCMATCH_EMBEDDING_DIMENSION"),
                         ApplyEnvironment(FLAGS_max_message_bytes, "CIRCMATCH_MAX_MESSAGE_BYTES"),
                         ApplyEnvironment(FLAGS_api_keys_file, "CIRCMATCH_API_KEYS_FILE"),
                         ApplyEnvironment(FLAGS_allow_unauthenticated, "CIRCMATCH_ALLOW_UNAUTHENTICATED"),
                         ApplyEnvironment(FLAGS_tls_cert_file, "CIRCMATCH_TLS_CERT_FILE"),
                         ApplyEnvironment(FLAGS_tls_key_file, "CIRCMATCH_TLS_KEY_FILE"),
                         ApplyEnvironment(FLAGS_tls_client_ca_file, "CIRCMATCH_TLS_CLIENT_CA_FILE"),
                         ApplyEnvironment(FLAGS_metrics_listen, "CIRCMATCH_METRICS_LISTEN"),
                         ApplyEnvironment(FLAGS_http_listen, "CIRCMATCH_HTTP_LISTEN"),
                         ApplyEnvironment(FLAGS_http_max_connections, "CIRCMATCH_HTTP_MAX_CONNECTIONS"),
                         ApplyEnvironment(FLAGS_http_max_connections_per_ip, "CIRCMATCH_HTTP_MAX_CONNECTIONS_PER_IP"),
                         ApplyEnvironment(FLAGS_http_header_timeout_ms, "CIRCMATCH_HTTP_HEADER_TIMEOUT_MS"),
                         ApplyEnvironment(FLAGS_web_dir, "CIRCMATCH_WEB_DIR"),
                         ApplyEnvironment(FLAGS_store, "CIRCMATCH_STORE"),
                         ApplyEnvironment(FLAGS_change_poll_ms, "CIRCMATCH_CHANGE_POLL_MS"),
                         ApplyEnvironment(FLAGS_audit_log, "CIRCMATCH_AUDIT_LOG"),
                         ApplyEnvironment(FLAGS_max_long_calls_per_partner, "CIRCMATCH_MAX_LONG_CALLS_PER_PARTNER"),
                         ApplyEnvironment(FLAGS_max_long_calls, "CIRCMATCH_MAX_LONG_CALLS"),
                         ApplyEnvironment(FLAGS_max_watches_per_partner, "CIRCMATCH_MAX_WATCHES_PER_PARTNER")}) {
    if (!s.ok()) return s;
  }
  absl::ParseCommandLine(argc, argv);

  ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string log_level = absl::GetFlag(FLAGS_log_level);
  options.vocabulary_dir = absl::GetFlag(FLAGS_vocabulary_dir);
  options.sample_data = absl::GetFlag(FLAGS_sample_data);
  options.embedding_dimension = absl::GetFlag(FLAGS_embedding_dimension);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.api_keys_file = absl::GetFlag(FLAGS_api_keys_file);
  options.allow_unauthenticated = absl::GetFlag(FLAGS_allow_unauthenticated);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.http_max_connections = absl::GetFlag(FLAGS_http_max_connections);
  options.http_max_connections_per_ip = absl::GetFlag(FLAGS_http_max_connections_per_ip);
  options.http_header_timeout_ms = absl::GetFlag(FLAGS_http_header_timeout_ms);
  options.web_dir = absl::GetFlag(FLAGS_web_dir);
  options.store = absl::GetFlag(FLAGS_store);
  options.change_poll_ms = absl::GetFlag(FLAGS_change_poll_ms);
  options.audit_log = absl::GetFlag(FLAGS_audit_log);
  options.max_long_calls_per_partner = absl::GetFlag(FLAGS_max_long_calls_per_partner);
  options.max_long_calls = absl::GetFlag(FLAGS_max_long_calls);
  options.max_watches_per_partner = absl::GetFlag(FLAGS_max_watches_per_partner);

  if (!ParseLogLevel(log_level, &options.log_level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_level: must be debug, info, warning or error, got \"", log_level, "\""));
  }
  if (options.listen.empty() || options.listen.rfind(':') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--listen: must be host:port, got \"", options.listen, "\""));
  }
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data_dir: must not be empty");
  if (options.embedding_dimension < 0 || options.embedding_dimension > 65536) {
    return absl::InvalidArgumentError(
        absl::StrCat("--embedding_dimension: must be 0 to 65536, got ", options.embedding_dimension));
  }
  // gRPC takes an int; below 4 KiB not even a small batch fits.
  if (options.max_message_bytes < 4096 || options.max_message_bytes > INT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_message_bytes: must be 4096 to ", INT32_MAX, ", got ", options.max_message_bytes));
  }
  if (options.store != "sqlite" && options.store.rfind("postgresql://", 0) != 0 &&
      options.store.rfind("postgres://", 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--store: must be sqlite or a postgresql:// URL, got \"", options.store, "\""));
  }
  if (options.change_poll_ms < 10 || options.change_poll_ms > 600000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--change_poll_ms: must be 10 to 600000, got ", options.change_poll_ms));
  }
  if (options.http_max_connections < 1 || options.http_max_connections > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_max_connections: must be 1 to 100000, got ", options.http_max_connections));
  }
  if (options.http_max_connections_per_ip < 1 || options.http_max_connections_per_ip > options.http_max_connections) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_max_connections_per_ip: must be 1 to "
                     "--http_max_connections (",
                     options.http_max_connections, "), got ", options.http_max_connections_per_ip));
  }
  if (options.http_header_timeout_ms < 10 || options.http_header_timeout_ms > 3600000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_header_timeout_ms: must be 10 to 3600000, got ", options.http_header_timeout_ms));
  }
  if (options.max_long_calls < 1 || options.max_long_calls > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_long_calls: must be 1 to 1000, got ", options.max_long_calls));
  }
  if (options.max_long_calls_per_partner < 1 || options.max_long_calls_per_partner > options.max_long_calls) {
    return absl::InvalidArgumentError(absl::StrCat("--max_long_calls_per_partner: must be 1 to --max_long_calls (",
                                                   options.max_long_calls, "), got ",
                                                   options.max_long_calls_per_partner));
  }
  if (options.max_watches_per_partner < 1 || options.max_watches_per_partner > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_watches_per_partner: must be 1 to 100000, got ", options.max_watches_per_partner));
  }
  if (options.api_keys_file.empty() && !options.allow_unauthenticated) {
    return absl::InvalidArgumentError(
        "--api_keys_file: required (create keys with `circmatch-server keys create <file> <partner>`), or "
        "--allow_unauthenticated for development without keys");
  }
  if (!options.api_keys_file.empty() && options.allow_unauthenticated) {
    return absl::InvalidArgumentError("--allow_unauthenticated: cannot be combined with --api_keys_file");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert_file, --tls_key_file: give both or neither");
  }
  if (!options.tls_client_ca_file.empty() && options.tls_cert_file.empty()) {
    return absl::InvalidArgumentError("--tls_client_ca_file: needs --tls_cert_file and --tls_key_file");
  }
  return options;
}

std::string ResolveVocabularyDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code error;
  const std::string source_dir = CIRCMATCH_DEFAULT_VOCABULARY_DIR;
  if (std::filesystem::exists(std::filesystem::path(source_dir) / "cpv_2008.csv", error)) return source_dir;
  return CIRCMATCH_INSTALL_VOCABULARY_DIR;
}

}  // namespace circmatch::service
