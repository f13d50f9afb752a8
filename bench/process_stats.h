// What the load benchmarks read of a process from /proc (the server child's and their own): CPU seconds, the
// "Vm..." lines of /proc/<pid>/status (VmRSS, VmHWM) and the machine's load average.
#ifndef CIRCMATCH_BENCH_PROCESS_STATS_H_
#define CIRCMATCH_BENCH_PROCESS_STATS_H_

#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace circmatch::bench {

// CPU seconds (user + system) a process used so far: /proc/<pid>/stat fields 14 and 15; 0 when it is gone.
inline double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field && i <= 15; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds (user + system) this process used so far.
inline double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// A "Vm...:" line of /proc/<pid>/status in bytes, e.g. StatusBytes(pid, "VmRSS"); 0 when absent.
inline int64_t StatusBytes(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1) * 1024;
  }
  return 0;
}

// The machine's load average over the last minute (/proc/loadavg); -1 when it cannot be read.
inline double LoadAverage1m() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  in >> load;
  return in ? load : -1;
}

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_PROCESS_STATS_H_
