// Helpers of the benchmarks that drive a real circmatch-server: the server as a child process on loopback with
// its own store folder, a temporary folder, and a client channel with a connection of its own.
#ifndef CIRCMATCH_BENCH_SERVER_PROCESS_H_
#define CIRCMATCH_BENCH_SERVER_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace circmatch::bench {

// The server binary as a child process on 127.0.0.1 with its own store folder, stderr to a file in it.
class ServerChild {
 public:
  ServerChild(std::string data_dir, std::vector<std::string> extra_args)
      : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {}
  ServerChild(const ServerChild&) = delete;
  ServerChild& operator=(const ServerChild&) = delete;
  ~ServerChild() {
    if (pid_ > 0) Stop(SIGKILL).IgnoreError();
  }

  // Spawns the server and waits (at most `timeout`) for its "listening on" line.
  absl::Status Start(std::chrono::seconds timeout) {
    std::vector<std::string> args = {CIRCMATCH_SERVER_PATH, "--listen=127.0.0.1:0", "--data_dir=" + data_dir_,
                                     std::string("--vocabulary_dir=") + CIRCMATCH_BENCH_DATA_DIR,
                                     "--allow_unauthenticated"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = stderr_path();
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec. The server must not outlive the benchmark.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(out[1], 1);
      const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, 2);
      const int in = open("/dev/null", O_RDONLY);
      if (in >= 0) dup2(in, 0);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_fd_ = out[0];
    const std::string marker = "circmatch-server listening on ";
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const size_t at = seen.find(marker);
      const size_t end = at == std::string::npos ? std::string::npos : seen.find('\n', at);
      if (end != std::string::npos) {
        address_ = seen.substr(at + marker.size(), end - at - marker.size());
        return absl::OkStatus();
      }
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return Failed("no \"listening on\" line in time");
      pollfd p{stdout_fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      char buffer[4096];
      const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Failed("the server exited before listening");
      seen.append(buffer, static_cast<size_t>(n));
    }
  }

  // Sends `signal` and waits for the exit (SIGKILL after 30 s). Error when a SIGTERM'd server failed.
  absl::Status Stop(int signal) {
    if (pid_ <= 0) return absl::OkStatus();
    kill(pid_, signal);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    if (stdout_fd_ >= 0) close(stdout_fd_);
    stdout_fd_ = -1;
    if (signal == SIGTERM && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      return absl::InternalError(absl::StrCat("the server did not exit cleanly after SIGTERM (status ", status, ")"));
    }
    return absl::OkStatus();
  }

  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }
  std::string stderr_path() const { return data_dir_ + "/server.stderr"; }
  std::string Stderr() const {
    std::ifstream in(stderr_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  absl::Status Failed(const std::string& what) {
    Stop(SIGKILL).IgnoreError();
    return absl::InternalError(absl::StrCat(what, "; server stderr:\n", Stderr()));
  }

  const std::string data_dir_;
  const std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string address_;
};

// A fresh folder under $TMPDIR, removed with everything in it when done.
class TemporaryDir {
 public:
  TemporaryDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "circmatch-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, int i) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // A connection of its own per client, as separate portals would have (channels otherwise share subchannels).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("circmatch.bench.client", i);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_SERVER_PROCESS_H_
