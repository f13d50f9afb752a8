// The real circmatch-server binary as a child process on loopback, for end-to-end tests (server_process.h wraps
// it for GoogleTest) and for the benchmarks that load a real server (bench/grpc_load.cc, bench/ingest_benchmark.cc).
//
// Start() spawns CIRCMATCH_SERVER_PATH with --listen=127.0.0.1:0 and a fresh temporary data dir, reads the
// server's stdout until its one line "circmatch-server listening on 127.0.0.1:PORT" (bounded by poll() with a
// timeout, no sleeps), then opens a channel and waits until it is connected. Stop() sends SIGTERM (graceful) or
// SIGKILL (a crash) and waits for the exit; Start() again reuses the same data dir, so a caller can check what
// survives a restart. The destructor kills a running server and removes the temporary folder. The server's stderr
// goes to a file in that folder; Stderr() returns it, and every failed step's status includes it.
//
//   circmatch::testing::ChildServer server;
//   if (absl::Status s = server.Start(); !s.ok()) ...
//   auto stub = circmatch::v1::ProfileService::NewStub(server.channel());
//
// Not thread-safe: one thread drives one ChildServer.
#ifndef CIRCMATCH_TESTS_SERVICE_CHILD_SERVER_H_
#define CIRCMATCH_TESTS_SERVICE_CHILD_SERVER_H_

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "subprocess.h"

#ifndef CIRCMATCH_SERVER_PATH
#error "CIRCMATCH_SERVER_PATH must name the circmatch-server binary"
#endif
#ifndef CIRCMATCH_TEST_DATA_DIR
#error "CIRCMATCH_TEST_DATA_DIR must name the vocabulary folder (engine/data)"
#endif

namespace circmatch {
namespace testing {

// How to run the server.
struct ServerOptions {
  // Flags added to --listen, --data_dir and --vocabulary_dir, e.g. "--sample_data=FILE".
  std::vector<std::string> extra_args;
  // How long to wait for the "listening on" line (loading sample data and rebuilding the index takes a while).
  std::chrono::milliseconds startup_timeout = std::chrono::seconds(120);
  // How long to wait for the channel to connect once the server said it listens.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(20);
  // The channel's credentials; null = plaintext.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
};

class ChildServer {
 public:
  explicit ChildServer(ServerOptions options = {}) : options_(std::move(options)) {
    std::string pattern = (std::filesystem::temp_directory_path() / "circmatch-server-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) != nullptr) {
      root_ = buffer.data();
      std::filesystem::create_directories(data_dir());
    }
  }

  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  ~ChildServer() {
    if (running()) Stop(SIGKILL).IgnoreError();
    if (!root_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(root_, ignored);
    }
  }

  // Starts the server (on the same data dir as any previous start) and connects a channel to it.
  absl::Status Start() {
    if (root_.empty()) return absl::InternalError(absl::StrCat("mkdtemp failed: ", std::strerror(errno)));
    if (running()) return absl::InternalError("already running");
    address_.clear();
    channel_.reset();
    std::vector<std::string> args = {CIRCMATCH_SERVER_PATH, "--listen=127.0.0.1:0", "--data_dir=" + data_dir(),
                                     std::string("--vocabulary_dir=") + CIRCMATCH_TEST_DATA_DIR};
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    // Without a key file the server runs in the development mode (every caller is the partner "local").
    if (std::none_of(args.begin(), args.end(),
                     [](const std::string& a) { return a.rfind("--api_keys_file", 0) == 0; })) {
      args.push_back("--allow_unauthenticated");
    }

    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
      return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> argv = internal::ArgvOf(args);
    int spawn_error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    if (spawn_error != 0) {
      close(out_pipe[0]);
      pid_ = -1;
      return absl::InternalError(absl::StrCat("cannot start ", args[0], ": ", std::strerror(spawn_error)));
    }
    ++starts_;

    // Read stdout line by line until the listening line, the end of stdout, or the deadline.
    const std::string marker = "circmatch-server listening on ";
    std::string pending;
    const auto deadline = std::chrono::steady_clock::now() + options_.startup_timeout;
    int fd = out_pipe[0];
    while (address_.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        close(fd);
        Stop(SIGKILL).IgnoreError();
        return absl::InternalError(absl::StrCat("no \"listening on\" line within ", options_.startup_timeout.count(),
                                                " ms; stdout so far: ", stdout_, pending, "\n", StderrForMessage()));
      }
      pollfd p{fd, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      char buffer[4096];
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fd);
        int code = WaitForExit();
        return absl::InternalError(absl::StrCat("circmatch-server closed stdout before listening (exit code ", code,
                                                "); stdout: ", stdout_, pending, "\n", StderrForMessage()));
      }
      pending.append(buffer, static_cast<size_t>(n));
      size_t newline;
      while ((newline = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, newline);
        pending.erase(0, newline + 1);
        stdout_ += line + "\n";
        size_t at = line.find(marker);
        if (at != std::string::npos && address_.empty()) address_ = line.substr(at + marker.size());
      }
    }
    stdout_ += pending;
    // Drain the rest of stdout so the server never blocks on a full pipe.
    stdout_reader_ = std::thread([fd] {
      char buffer[4096];
      while (true) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
      }
      close(fd);
    });

    size_t colon = address_.rfind(':');
    port_ = colon == std::string::npos ? 0 : std::atoi(address_.c_str() + colon + 1);
    if (port_ <= 0) {
      Stop(SIGKILL).IgnoreError();
      return absl::InternalError(absl::StrCat("cannot read a port from \"", address_, "\"\n", StderrForMessage()));
    }
    grpc::ChannelArguments channel_args;
    channel_args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    channel_ = grpc::CreateCustomChannel(
        address_, options_.channel_credentials ? options_.channel_credentials : grpc::InsecureChannelCredentials(),
        channel_args);
    if (!channel_->WaitForConnected(std::chrono::system_clock::now() + options_.connect_timeout)) {
      Stop(SIGKILL).IgnoreError();
      return absl::InternalError(absl::StrCat("could not connect to ", address_, " within ",
                                              options_.connect_timeout.count(), " ms\n", StderrForMessage()));
    }
    return absl::OkStatus();
  }

  // Sends `signal` (SIGTERM: graceful shutdown; SIGKILL: a crash) and waits for the process to exit (SIGKILL
  // after 30 s if SIGTERM was not enough). Fails when a SIGTERM'd server did not exit cleanly by itself.
  absl::Status Stop(int signal = SIGTERM) {
    if (!running()) return absl::InternalError("not running");
    channel_.reset();
    kill(pid_, signal);
    int code = -1;
    if (signal == SIGTERM) {
      // waitpid has no timeout: a helper thread blocks in it while this one waits on the future, bounded.
      std::promise<int> exited;
      std::future<int> exit_code = exited.get_future();
      const pid_t pid = pid_;
      std::thread waiter([pid, &exited] {
        int wait_status = 0;
        while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
        }
        exited.set_value(internal::ExitCodeOf(wait_status));
      });
      bool in_time = exit_code.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
      if (!in_time) kill(pid_, SIGKILL);
      code = exit_code.get();
      waiter.join();
      pid_ = -1;
      if (stdout_reader_.joinable()) stdout_reader_.join();
      if (!in_time) {
        return absl::InternalError(
            absl::StrCat("circmatch-server did not exit within 30 s of SIGTERM\n", StderrForMessage()));
      }
    } else {
      code = WaitForExit();
    }
    if (stdout_reader_.joinable()) stdout_reader_.join();
    if (signal == SIGTERM && code != 0) {
      return absl::InternalError(
          absl::StrCat("circmatch-server exited with ", code, " after SIGTERM\n", StderrForMessage()));
    }
    return absl::OkStatus();
  }

  bool running() const { return pid_ > 0; }
  // Connected channel to the running server.
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // "127.0.0.1:PORT" of the running server.
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The store's folder, kept across restarts.
  std::string data_dir() const { return root_ + "/data"; }
  // Everything the server wrote to stderr, over all its starts.
  std::string Stderr() const {
    std::ifstream in(stderr_path());
    std::stringstream contents;
    contents << in.rdbuf();
    return contents.str();
  }
  // What the server printed to stdout up to its listening line(s).
  const std::string& Stdout() const { return stdout_; }

 private:
  std::string stderr_path() const { return root_ + "/server.stderr"; }

  std::string StderrForMessage() const {
    std::string text = Stderr();
    const size_t limit = 20000;
    if (text.size() > limit) text = "...\n" + text.substr(text.size() - limit);
    return "--- circmatch-server stderr ---\n" + text + "--- end of stderr ---";
  }

  int WaitForExit() {
    if (pid_ <= 0) return -1;
    int wait_status = 0;
    while (waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (stdout_reader_.joinable()) stdout_reader_.join();
    return internal::ExitCodeOf(wait_status);
  }

  ServerOptions options_;
  std::string root_;
  pid_t pid_ = -1;
  int starts_ = 0;
  std::string address_;
  int port_ = 0;
  std::string stdout_;
  std::thread stdout_reader_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_SERVICE_CHILD_SERVER_H_
