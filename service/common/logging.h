// A tiny leveled logger to stderr (this Abseil release has no absl/log).
//
//   CIRCMATCH_LOG(kInfo) << "loaded " << n << " profiles";
//
// Thread-safety: every function and the macro are safe to call from any thread; each message is written with
// one fwrite, so lines from different threads do not interleave.
#ifndef CIRCMATCH_SERVICE_COMMON_LOGGING_H_
#define CIRCMATCH_SERVICE_COMMON_LOGGING_H_

#include <sstream>
#include <string>

#include "absl/strings/string_view.h"

namespace circmatch::service {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning" (or "warn") and "error", case-insensitively; false when unknown.
bool ParseLogLevel(absl::string_view text, LogLevel* level);

// Messages below `level` are dropped. Default kInfo.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Collects one message and writes it, with time and level, when destroyed.
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line);
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage();
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace circmatch::service

// The level check comes first, so the arguments of a dropped message are not evaluated.
#define CIRCMATCH_LOG(level)                                                      \
  if (!::circmatch::service::LogEnabled(::circmatch::service::LogLevel::level)) { \
  } else                                                                          \
    ::circmatch::service::LogMessage(::circmatch::service::LogLevel::level, __FILE__, __LINE__).stream()

#endif  // CIRCMATCH_SERVICE_COMMON_LOGGING_H_
