// Alerts on a real server: a supplier watching for tenders gets each matching tender as it is published (and
// not the ones that do not match, are closed or are of another kind); a tender watching for suppliers gets new
// suppliers; bad watches are refused naming the field.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

v1::Profile TenderFor(const std::string& id, const std::string& cpv,
                      const std::string& closing = "2099-01-01T00:00:00Z") {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_TENDER", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": "Zwolle"}, "needs": {"cpvCodes": [")" +
                     cpv + R"("], "strategies": ["R3"]},
      "closingTime": ")" +
                     closing + R"("})");
}

v1::Profile SupplierFor(const std::string& id, const std::string& cpv) {
  return ProfileJson(R"({"id": ")" + id + R"(", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
      "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": [")" +
                     cpv + R"("], "strategies": ["R3"]}})");
}

class WatchTest : public ServerTest {};

TEST_F(WatchTest, ASupplierSeesEachMatchingTenderAsItIsPublished) {
  MustUpsert({SupplierFor("watcher", "39130000")});
  v1::WatchMatchesRequest request;
  request.mutable_supplier_ref()->set_id("watcher");
  request.set_min_score(0.6);
  request.mutable_weights()->set_cpv(1);  // by product alone: the other division scores 0, the furniture above 0.6
  request.mutable_weights()->set_text(0);
  request.mutable_weights()->set_strategies(0);
  request.mutable_weights()->set_location(0);
  auto context = Context();
  auto stream = matching_->WatchMatches(context.get(), request);
  stream->WaitForInitialMetadata();  // the watch is registered

  MustUpsert({TenderFor("other-division", "45000000")});
  MustUpsert({TenderFor("furniture-1", "39130000")});
  MustUpsert({TenderFor("closed", "39130000", "2020-01-01T00:00:00Z"), SupplierFor("another-supplier", "39130000")});
  MustUpsert({TenderFor("furniture-2", "39131000")});

  v1::WatchMatchesResponse alert;
  ASSERT_TRUE(stream->Read(&alert));
  EXPECT_EQ(alert.match().profile().id(), "furniture-1");
  EXPECT_GE(alert.match().score(), 0.6);
  EXPECT_FALSE(alert.match().explanation().cpv_matches().empty());
  EXPECT_GT(alert.index_version(), 0u);
  ASSERT_TRUE(stream->Read(&alert));
  EXPECT_EQ(alert.match().profile().id(), "furniture-2")
      << "the non-matching, closed and supplier profiles were skipped";

  context->TryCancel();
  while (stream->Read(&alert)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(WatchTest, ATenderSeesNewSuppliers) {
  MustUpsert({TenderFor("t-watch", "39130000")});
  v1::WatchMatchesRequest request;
  request.mutable_tender_ref()->set_id("t-watch");
  auto context = Context();
  auto stream = matching_->WatchMatches(context.get(), request);
  stream->WaitForInitialMetadata();
  MustUpsert({SupplierFor("new-supplier", "39130000")});
  v1::WatchMatchesResponse alert;
  ASSERT_TRUE(stream->Read(&alert));
  EXPECT_EQ(alert.match().profile().id(), "new-supplier");
  context->TryCancel();
  while (stream->Read(&alert)) {
  }
  stream->Finish();
}

// A client that never reads its alerts does not make the server hold them all: once more than the watch may
// keep are unsent, the watch ends with RESOURCE_EXHAUSTED, and the writes go on.
TEST_F(WatchTest, AWatchWhoseClientDoesNotReadEndsInsteadOfGrowing) {
  MustUpsert({TenderFor("t-watch", "39130000")});
  v1::WatchMatchesRequest request;
  request.mutable_tender_ref()->set_id("t-watch");
  // The client's HTTP/2 window stays at 64 KiB while it reads nothing: without it, gRPC's bandwidth probing may
  // grow the window far enough to take every alert when the writes come slowly (a loaded machine).
  grpc::ChannelArguments fixed_window;
  fixed_window.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  fixed_window.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 * 1024);
  const auto watcher = v1::MatchingService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials(), fixed_window));
  auto context = Context();
  auto stream = watcher->WatchMatches(context.get(), request);
  stream->WaitForInitialMetadata();
  // Alerts of about 8 KB each (the supplier's text), far more than the stream's flow-control window holds.
  constexpr int kBatches = 3, kPerBatch = 1000;
  std::string text;
  while (text.size() < 8000) text += "wij reviseren kantoormeubilair en nemen het terug ";
  for (int b = 0; b < kBatches; ++b) {
    std::vector<v1::Profile> suppliers;
    for (int i = 0; i < kPerBatch; ++i) {
      suppliers.push_back(SupplierFor(absl::StrCat("s-", b, "-", i), "39130000"));
      suppliers.back().mutable_capabilities()->set_text(text);
    }
    MustUpsert(suppliers);
  }
  v1::WatchMatchesResponse alert;
  int read = 0;
  while (read < kBatches * kPerBatch && stream->Read(&alert)) ++read;
  if (read == kBatches * kPerBatch) context->TryCancel();  // every alert was kept for the client
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << read << " alerts read";
  EXPECT_LT(read, kBatches * kPerBatch);
}

TEST_F(WatchTest, BadWatchesAreRefusedNamingTheField) {
  MustUpsert({SupplierFor("watcher", "39130000")});
  const auto refused = [&](const v1::WatchMatchesRequest& request) {
    auto context = Context();
    auto stream = matching_->WatchMatches(context.get(), request);
    v1::WatchMatchesResponse alert;
    while (stream->Read(&alert)) {
    }
    return stream->Finish();
  };
  v1::WatchMatchesRequest request;
  EXPECT_TRUE(HasError(refused(request), grpc::StatusCode::INVALID_ARGUMENT, "watcher"));
  request.mutable_supplier_ref()->set_id("watcher");
  request.set_min_score(2);
  EXPECT_TRUE(HasError(refused(request), grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  request.set_min_score(0.5);
  request.mutable_supplier_ref()->set_id("nobody");
  EXPECT_TRUE(HasError(refused(request), grpc::StatusCode::NOT_FOUND, "supplier_ref"));
  request.mutable_tender_ref()->set_id("watcher");
  EXPECT_TRUE(HasError(refused(request), grpc::StatusCode::INVALID_ARGUMENT, "tender_ref"))
      << "a supplier is no tender";
}

// A partner holds at most --max_watches_per_partner streams: one more is refused at once, saying nothing of any
// other partner, while a second partner still opens its own and gets its alerts; a stream ended gives its place
// back.
class WatchLimitTest : public TwoPartnerServerTest {
 protected:
  std::vector<std::string> MoreServerArgs() const override { return {"--max_watches_per_partner=2"}; }

  struct Watch {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<v1::WatchMatchesResponse>> stream;
  };
  // Opens a watch of tender `id` as `key`'s partner; a stream the server accepted has its initial metadata.
  Watch Open(const std::string& key, const std::string& id) {
    v1::WatchMatchesRequest request;
    request.mutable_tender_ref()->set_id(id);
    Watch watch{As(key), nullptr};
    watch.stream = matching_->WatchMatches(watch.context.get(), request);
    watch.stream->WaitForInitialMetadata();
    return watch;
  }
  static grpc::Status End(Watch& watch) {
    watch.context->TryCancel();
    v1::WatchMatchesResponse alert;
    while (watch.stream->Read(&alert)) {
    }
    return watch.stream->Finish();
  }
  // True when the watch was refused: its stream ends at once with RESOURCE_EXHAUSTED.
  static bool Refused(Watch& watch, std::string* message = nullptr) {
    v1::WatchMatchesResponse alert;
    if (watch.stream->Read(&alert)) return false;
    const grpc::Status status = watch.stream->Finish();
    if (message != nullptr) *message = status.error_message();
    return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
};

TEST_F(WatchLimitTest, APartnerOverItsWatchesIsRefusedWhileAnotherStillWatches) {
  MustUpsertAs(key_a_, {TenderFor("t-a", "39130000")});
  MustUpsertAs(key_b_, {TenderFor("t-b", "39130000")});
  Watch first = Open(key_a_, "t-a");
  Watch second = Open(key_a_, "t-a");
  Watch third = Open(key_a_, "t-a");
  Watch b = Open(key_b_, "t-b");
  // An alert for every watch that was accepted.
  MustUpsertAs(key_b_, {SupplierFor("new-supplier", "39130000")});
  std::string message;
  ASSERT_TRUE(Refused(third, &message));
  EXPECT_NE(message.find("--max_watches_per_partner"), std::string::npos) << message;
  EXPECT_EQ(message.find("partner-b"), std::string::npos) << message;

  v1::WatchMatchesResponse alert;
  ASSERT_TRUE(b.stream->Read(&alert)) << "partner B's watch works though A holds all of its own";
  EXPECT_EQ(alert.match().profile().id(), "new-supplier");
  ASSERT_TRUE(first.stream->Read(&alert));
  EXPECT_EQ(alert.match().profile().id(), "new-supplier");

  EXPECT_EQ(End(first).error_code(), grpc::StatusCode::CANCELLED);
  // The server gives the place back once it has seen the cancel, which the client does not wait for: open until
  // it is accepted, each try a real call.
  bool opened = false;
  for (const absl::Time until = absl::Now() + absl::Seconds(30); !opened && absl::Now() < until;) {
    Watch again = Open(key_a_, "t-a");
    MustUpsertAs(key_a_, {SupplierFor("probe", "39130000")});
    if (Refused(again)) continue;
    opened = true;
    End(again);
  }
  EXPECT_TRUE(opened) << "the ended watch gave its place back";
  End(second);
  End(b);
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
