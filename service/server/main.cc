// circmatch-server: matchmaking for circular public procurement over gRPC. See server_options.h for the
// flags. Prints exactly one line to stdout, "circmatch-server listening on HOST:PORT", once it accepts calls
// (tests and scripts wait for it); logs go to stderr. SIGTERM or SIGINT stops it gracefully.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "service/auth/api_keys.h"
#include "service/common/logging.h"
#include "service/server/server.h"
#include "service/server/server_options.h"
#include "service/store/sqlite_profile_store.h"

int main(int argc, char** argv) {
  // Debian's Abseil is built to check every Mutex acquisition for lock-order cycles (its default without
  // NDEBUG), a global graph lookup on each lock of every call; the tests keep the check, the server skips it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the stop signals in every thread (gRPC's threads inherit this mask) and take them with sigwait
  // below, so no work happens in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (argc > 1 && std::string(argv[1]) == "keys") return circmatch::service::RunKeysCommand(argc, argv);
  if (argc > 1 && std::string(argv[1]) == "backup") {
    // circmatch-server backup <data_dir> <file>: a consistent copy of the SQLite store, also while it serves.
    if (argc != 4) {
      std::cerr << "usage: circmatch-server backup <data_dir> <file>\n";
      return 2;
    }
    const std::string database = std::string(argv[2]) + "/" + circmatch::service::SqliteProfileStore::kFileName;
    if (::access(database.c_str(), R_OK) != 0) {
      std::cerr << "circmatch-server backup: no store at " << database << "\n";
      return 1;
    }
    absl::StatusOr<std::unique_ptr<circmatch::service::SqliteProfileStore>> store =
        circmatch::service::SqliteProfileStore::Open(argv[2]);
    absl::Status status = store.ok() ? (*store)->BackupTo(argv[3]) : store.status();
    if (!status.ok()) {
      std::cerr << "circmatch-server backup: " << status.message() << "\n";
      return 1;
    }
    std::cout << "backed up " << (*store)->path() << " to " << argv[3] << std::endl;
    return 0;
  }

  absl::StatusOr<circmatch::service::ServerOptions> options = circmatch::service::ParseServerOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "circmatch-server: " << options.status().message() << "\n";
    return 2;
  }
  circmatch::service::SetLogLevel(options->log_level);

  absl::StatusOr<std::unique_ptr<circmatch::service::Server>> server = circmatch::service::Server::Start(*options);
  if (!server.ok()) {
    CIRCMATCH_LOG(kError) << "start-up failed: " << server.status();
    return 1;
  }
  std::cout << "circmatch-server listening on " << (*server)->address() << std::endl;  // endl flushes

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  CIRCMATCH_LOG(kInfo) << "received " << (signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown(options->shutdown_grace);
  server->reset();
  return 0;
}
