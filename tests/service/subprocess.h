// Running a program as a child process for the service tests: posix_spawn, pipes read with poll(), a bounded
// wait. Thread-compatible (one call at a time per object), header-only.
//
//   circmatch::testing::CommandResult r = circmatch::testing::RunCommand({"/bin/echo", "hi"});
//   EXPECT_EQ(r.exit_code, 0);
//   EXPECT_EQ(r.out, "hi\n");
#ifndef CIRCMATCH_TESTS_SERVICE_SUBPROCESS_H_
#define CIRCMATCH_TESTS_SERVICE_SUBPROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace circmatch {
namespace testing {

// Outcome of RunCommand.
struct CommandResult {
  // The exit status (0 to 255); -1 when the program could not be started, 128 + N when killed by signal N.
  int exit_code = -1;
  // Everything the program wrote to stdout.
  std::string out;
  // Everything the program wrote to stderr (or why it could not be started).
  std::string err;
  // True when the program was killed because it ran past the timeout.
  bool timed_out = false;

  // For failure messages.
  std::string Describe() const {
    return "exit code " + std::to_string(exit_code) + (timed_out ? " (timed out)" : "") + "\n--- stdout ---\n" + out +
           "\n--- stderr ---\n" + err;
  }
};

namespace internal {

inline std::vector<char*> ArgvOf(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Environment of this process with `extra_env` ("NAME=value") added or replacing.
inline std::vector<std::string> EnvironmentWith(const std::vector<std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& extra : extra_env) replaced |= extra.substr(0, extra.find('=')) == name;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return env;
}

inline int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

}  // namespace internal

// Runs `args` (args[0] is the program's path), writes `stdin_data` to its stdin, collects its stdout and stderr,
// and waits for it to exit, at most `timeout` (then it is killed with SIGKILL and `timed_out` is set).
// `extra_env` entries ("NAME=value") are added to the environment.
inline CommandResult RunCommand(const std::vector<std::string>& args, const std::string& stdin_data = "",
                                std::chrono::milliseconds timeout = std::chrono::seconds(60),
                                const std::vector<std::string>& extra_env = {}) {
  CommandResult result;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = std::string("pipe2: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> env_strings = internal::EnvironmentWith(extra_env);
  std::vector<char*> envp = internal::ArgvOf(env_strings);
  std::vector<char*> argv = internal::ArgvOf(args);
  pid_t pid = -1;
  int spawn_error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "cannot start " + args[0] + ": " + std::strerror(spawn_error);
    return result;
  }
  int in_fd = in_pipe[1];
  size_t written = 0;
  if (stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  signal(SIGPIPE, SIG_IGN);  // a child that exits without reading its stdin must not kill the test
  while (out_fd >= 0 || err_fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    std::vector<pollfd> fds;
    if (out_fd >= 0) fds.push_back({out_fd, POLLIN, 0});
    if (err_fd >= 0) fds.push_back({err_fd, POLLIN, 0});
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    int ready = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_fd) {
        ssize_t n = write(in_fd, stdin_data.data() + written, stdin_data.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 || written == stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      char buffer[8192];
      ssize_t n = read(p.fd, buffer, sizeof buffer);
      if (n > 0) {
        (p.fd == out_fd ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(p.fd);
        (p.fd == out_fd ? out_fd : err_fd) = -1;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  if (out_fd >= 0) close(out_fd);
  if (err_fd >= 0) close(err_fd);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = internal::ExitCodeOf(wait_status);
  return result;
}

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_SERVICE_SUBPROCESS_H_
