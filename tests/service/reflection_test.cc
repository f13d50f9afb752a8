// Server reflection (grpc.reflection.v1alpha), which generic clients need to list and call methods: the listed
// services and a file descriptor for a symbol. Uses stubs generated from tests/service/grpc/reflection/v1alpha.
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <string>
#include <vector>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "service_test_util.h"

namespace circmatch {
namespace testing {
namespace {

namespace reflection = ::grpc::reflection::v1alpha;

using ReflectionTest = ServerTest;

TEST_F(ReflectionTest, ListServicesNamesEveryServiceAndSymbolsResolveToDescriptors) {
  auto stub = reflection::ServerReflection::NewStub(server_->channel());
  auto context = Context();
  auto stream = stub->ServerReflectionInfo(context.get());

  reflection::ServerReflectionRequest list;
  list.set_list_services("*");
  ASSERT_TRUE(stream->Write(list));
  reflection::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_list_services_response()) << ToJson(response);
  std::vector<std::string> services;
  for (const auto& service : response.list_services_response().service()) services.push_back(service.name());
  for (const std::string expected : {"circmatch.v1.ProfileService", "circmatch.v1.MatchingService",
                                     "circmatch.v1.VocabularyService", "grpc.health.v1.Health"}) {
    EXPECT_TRUE(Contains(services, expected)) << expected << " not listed";
  }

  for (const std::string symbol : {"grpc.health.v1.Health", "circmatch.v1.MatchingService"}) {
    reflection::ServerReflectionRequest by_symbol;
    by_symbol.set_file_containing_symbol(symbol);
    ASSERT_TRUE(stream->Write(by_symbol));
    reflection::ServerReflectionResponse file_response;
    ASSERT_TRUE(stream->Read(&file_response));
    ASSERT_TRUE(file_response.has_file_descriptor_response()) << symbol << ": " << ToJson(file_response);
    ASSERT_GE(file_response.file_descriptor_response().file_descriptor_proto_size(), 1);
    bool found = false;
    for (const std::string& bytes : file_response.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(bytes));
      for (const auto& service : file.service()) {
        if (file.package() + "." + service.name() == symbol) {
          found = true;
          EXPECT_GE(service.method_size(), 1);
        }
      }
    }
    EXPECT_TRUE(found) << "no descriptor of " << symbol;
  }

  reflection::ServerReflectionRequest unknown;
  unknown.set_file_containing_symbol("circmatch.v1.NoSuchThing");
  ASSERT_TRUE(stream->Write(unknown));
  reflection::ServerReflectionResponse error_response;
  ASSERT_TRUE(stream->Read(&error_response));
  ASSERT_TRUE(error_response.has_error_response());
  EXPECT_EQ(error_response.error_response().error_code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));

  stream->WritesDone();
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << StatusText(status);
}

}  // namespace
}  // namespace testing
}  // namespace circmatch
