// Settings of circmatch-server, one field per flag. Each flag can also be given as an environment variable
// (named next to the field); a flag on the command line wins over the variable.
//
// Thread-safety: plain values.
#ifndef CIRCMATCH_SERVICE_SERVER_SERVER_OPTIONS_H_
#define CIRCMATCH_SERVICE_SERVER_SERVER_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/common/logging.h"

namespace circmatch::service {

struct ServerOptions {
  // --listen / CIRCMATCH_LISTEN: host:port to serve gRPC on; port 0 picks a free port.
  std::string listen = "0.0.0.0:50051";
  // --data_dir / CIRCMATCH_DATA_DIR: folder of the SQLite store (circmatch.sqlite3) and the audit log; created
  // if missing.
  std::string data_dir = "./circmatch-data";
  // --store / CIRCMATCH_STORE: "sqlite" (the file in data_dir), or a PostgreSQL URL "postgresql://..." shared by
  // replicas.
  std::string store = "sqlite";
  // --change_poll_ms / CIRCMATCH_CHANGE_POLL_MS: with a shared store, how often to look for other replicas'
  // writes when no notification arrives.
  int change_poll_ms = 500;
  // --log_level / CIRCMATCH_LOG_LEVEL: debug, info, warning or error.
  LogLevel log_level = LogLevel::kInfo;
  // --vocabulary_dir / CIRCMATCH_VOCABULARY_DIR: folder of the reference data (cpv_2008.csv, ...). Empty means
  // the source tree's engine/data, or the installed copy when that is missing.
  std::string vocabulary_dir;
  // --sample_data / CIRCMATCH_SAMPLE_DATA: JSON-lines file of Profiles, loaded only when the store is empty.
  std::string sample_data;
  // --embedding_dimension / CIRCMATCH_EMBEDDING_DIMENSION: length of partner embeddings; 0 = not accepted.
  int embedding_dimension = 0;
  // --max_message_bytes / CIRCMATCH_MAX_MESSAGE_BYTES: largest gRPC message received or sent.
  int64_t max_message_bytes = 16 << 20;
  // --api_keys_file / CIRCMATCH_API_KEYS_FILE: the partners' API keys (see api_keys.h; managed with
  // `circmatch-server keys`). Required unless `allow_unauthenticated`.
  std::string api_keys_file;
  // --allow_unauthenticated / CIRCMATCH_ALLOW_UNAUTHENTICATED: development mode: no keys, every caller is the
  // partner "local". Never in production; the server warns at start.
  bool allow_unauthenticated = false;
  // --tls_cert_file, --tls_key_file / CIRCMATCH_TLS_CERT_FILE, CIRCMATCH_TLS_KEY_FILE: PEM certificate chain and
  // private key; when set, the port speaks TLS only.
  std::string tls_cert_file;
  std::string tls_key_file;
  // --tls_client_ca_file / CIRCMATCH_TLS_CLIENT_CA_FILE: PEM CA certificates; when set, clients must present a
  // certificate signed by one of them (mutual TLS).
  std::string tls_client_ca_file;
  // --http_listen / CIRCMATCH_HTTP_LISTEN: host:port of the HTTP/JSON API (see http_gateway.h); empty = none.
  std::string http_listen;
  // --http_max_connections / CIRCMATCH_HTTP_MAX_CONNECTIONS: open connections at most on each HTTP port (the
  // HTTP/JSON API, metrics), in total.
  int http_max_connections = 256;
  // --http_max_connections_per_ip / CIRCMATCH_HTTP_MAX_CONNECTIONS_PER_IP: open connections at most from one IP
  // address on each HTTP port, so one client cannot take the others' connections (behind a proxy, every client
  // has the proxy's address).
  int http_max_connections_per_ip = 32;
  // --http_header_timeout_ms / CIRCMATCH_HTTP_HEADER_TIMEOUT_MS: an HTTP request's head must arrive whole within
  // this long of the connection's opening or of the previous response on it, else the connection is closed.
  int http_header_timeout_ms = 10000;
  // --web_dir / CIRCMATCH_WEB_DIR: folder of the coordinators' web page served on the HTTP port; empty = the
  // source tree's clients/web, or the installed copy; "-" = none.
  std::string web_dir;
  // --metrics_listen / CIRCMATCH_METRICS_LISTEN: host:port of the HTTP endpoint serving Prometheus metrics at
  // /metrics; empty = none.
  std::string metrics_listen;
  // --audit_log / CIRCMATCH_AUDIT_LOG: file the audit log of matching calls is appended to; empty =
  // <data_dir>/audit.log, "-" = none.
  std::string audit_log;
  // --max_long_calls_per_partner / CIRCMATCH_MAX_LONG_CALLS_PER_PARTNER: long calls (FitRankProfile,
  // PairBuddies, ScheduleMeetings, ExposureReport, GapReport) one partner runs at once; one more is
  // RESOURCE_EXHAUSTED.
  int max_long_calls_per_partner = 1;
  // --max_long_calls / CIRCMATCH_MAX_LONG_CALLS: long calls the server runs at once, of all partners together, each
  // on a thread of its own (long_calls.h); keep it below the cores.
  int max_long_calls = 2;
  // --max_watches_per_partner / CIRCMATCH_MAX_WATCHES_PER_PARTNER: WatchMatches streams one partner holds open at
  // once; one more is RESOURCE_EXHAUSTED.
  int max_watches_per_partner = 64;
  // How long a graceful shutdown waits for running calls before cancelling them.
  absl::Duration shutdown_grace = absl::Seconds(10);
};

// Parses the command line (absl flags) and fills in environment variables for flags not given.
// INVALID_ARGUMENT naming the flag for a bad value. Exits the process for --help and unknown flags, as absl does.
absl::StatusOr<ServerOptions> ParseServerOptions(int argc, char** argv);

// The vocabulary folder to load: `configured` when set, else the source tree's copy when it has cpv_2008.csv,
// else the installed copy.
std::string ResolveVocabularyDir(const std::string& configured);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_SERVER_SERVER_OPTIONS_H_
