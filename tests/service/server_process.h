// The real circmatch-server binary as a child process (child_server.h), with Start() and Stop() reporting to
// GoogleTest: ASSERT_TRUE(server.Start()) fails the test with the server's stderr in the message.
//
//   circmatch::testing::ServerProcess server;
//   ASSERT_TRUE(server.Start());
//   auto stub = circmatch::v1::ProfileService::NewStub(server.channel());
//   ...
//   ASSERT_TRUE(server.Stop(SIGKILL));
//   ASSERT_TRUE(server.Start());  // same data dir, new port and channel
//
// Not thread-safe: one test thread drives one ServerProcess.
#ifndef CIRCMATCH_TESTS_SERVICE_SERVER_PROCESS_H_
#define CIRCMATCH_TESTS_SERVICE_SERVER_PROCESS_H_

#include <gtest/gtest.h>
#include <signal.h>

#include "absl/status/status.h"
#include "child_server.h"

namespace circmatch {
namespace testing {

class ServerProcess : public ChildServer {
 public:
  using ChildServer::ChildServer;

  ::testing::AssertionResult Start() { return Asserted(ChildServer::Start()); }
  ::testing::AssertionResult Stop(int signal = SIGTERM) { return Asserted(ChildServer::Stop(signal)); }

 private:
  static ::testing::AssertionResult Asserted(const absl::Status& status) {
    if (status.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << status.message();
  }
};

}  // namespace testing
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_SERVICE_SERVER_PROCESS_H_
