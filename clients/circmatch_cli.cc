// circmatch: the command-line client of circmatch-server.
//
// Calls any method of the services compiled into this binary (circmatch.v1.* and grpc.health.v1.Health) with a
// proto3 JSON request and prints the proto3 JSON response. Nothing here is specific to one method: the method is
// looked up by name in the generated descriptor pool, the request and response messages are made by the
// generated message factory, and the call goes through grpc::GenericStub as serialized bytes. `import` and
// `export` are two conveniences over ProfileService.ImportProfiles and ProfileService.ListProfiles.
//
// Exit codes: 0 on success; 1 + the gRPC status code when the call fails (e.g. 4 for INVALID_ARGUMENT = 3,
// 6 for NOT_FOUND = 5, 15 for UNAVAILABLE = 14); 64 for a usage error; 65 for a request that is not valid JSON
// of the request type (or a bad line of an import file); 66 for an input file that cannot be read.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "circmatch/v1/feedback_service.grpc.pb.h"
#include "circmatch/v1/insights_service.grpc.pb.h"
#include "circmatch/v1/market_day_service.grpc.pb.h"
#include "circmatch/v1/matching_service.grpc.pb.h"
#include "circmatch/v1/pairing_service.grpc.pb.h"
#include "circmatch/v1/profile.pb.h"
#include "circmatch/v1/profile_service.grpc.pb.h"
#include "circmatch/v1/rank_profile_service.grpc.pb.h"
#include "circmatch/v1/vocabulary_service.grpc.pb.h"
#include "eval/rank_eval.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "profile_file.h"

namespace {

namespace pb = google::protobuf;
using circmatch::clients::FromJson;
using circmatch::clients::ToJson;

constexpr int kExitUsage = 64;
constexpr int kExitDataError = 65;
constexpr int kExitNoInput = 66;

constexpr char kHelp[] = R"(circmatch: command-line client of circmatch-server (gRPC).

Usage:
  circmatch [FLAGS] METHOD [REQUEST]     call one method, print the response as proto3 JSON
  circmatch [FLAGS] list                 list every service and method this client knows
  circmatch [FLAGS] import FILE.jsonl    bulk-load profiles (one proto3 JSON Profile per line) over ImportProfiles
  circmatch [FLAGS] eval JUDGMENTS.jsonl rank evaluation: runs each judged query (circmatch.v1.JudgedQuery, one
                                         per line) through the API and prints nDCG@k, MRR@k and precision@k per
                                         query and overall, and the top-k results judged 0 with their reasons
  circmatch [FLAGS] fit JUDGMENTS.jsonl  fits facet weights to the judgments (coordinate ascent on nDCG@k,
                                         cross-validated) and prints them, to send as `weights`
  circmatch [FLAGS] import FILE.csv      the same from CSV with a header: id, kind, display_name, organization,
                                         municipality, cpv_codes, strategies, materials, certifications (lists
                                         separated by ';'), text, visibility (shared/private), owner
  circmatch [FLAGS] export               write every profile as JSON lines to stdout, paging through ListProfiles
  circmatch [FLAGS] gap-report           where circular supply is missing (InsightsService.GapReport): per CPV
                                         sector (or, --by=municipality, per municipality) of a region, the
                                         tenders, the suppliers within reach and the underserved tenders
  circmatch [FLAGS] suggest-codes TEXT   CPV codes for a free Dutch or English text (VocabularyService.SuggestCodes),
                                         as a table: code, score, label, the words of TEXT that met it (TEXT may
                                         be several arguments, @FILE or - for stdin)
  circmatch --help                       this text

METHOD is "package.Service/Method" (e.g. circmatch.v1.MatchingService/SuggestSuppliers), "Service/Method"
(MatchingService/SuggestSuppliers), or just "Method" (SuggestSuppliers) when only one service has it; see
`circmatch list`. Every method of circmatch.v1.ProfileService, MatchingService, PairingService,
MarketDayService, VocabularyService, FeedbackService, RankProfileService,
InsightsService and grpc.health.v1.Health works, unary and streaming.

REQUEST is the request message in proto3 JSON (lowerCamelCase or original field names, enum names as strings):
  '{"query": {"k": 3}}'  inline
  @request.json          from a file
  -                      from stdin
It defaults to {}. Unknown fields are an error. The response is printed as indented proto3 JSON with
default-valued fields left out. A server-streaming method (Health/Watch) prints each message as it arrives; a
client-streaming method called this way sends the one REQUEST message (use `import` to stream many profiles).

Flags (before or after the command; --name=value or --name value):
  --server=HOST:PORT   server address; default $CIRCMATCH_SERVER, else localhost:50051
  --api_key=KEY        the partner's API key, sent as "authorization: Bearer KEY"; default $CIRCMATCH_API_KEY
  --tls                connect with TLS, trusting the system's CA certificates
  --tls_ca_file=FILE   connect with TLS, trusting the PEM CA certificates in FILE (default $CIRCMATCH_TLS_CA_FILE)
  --tls_cert_file=FILE, --tls_key_file=FILE   a client certificate and key (mutual TLS)
  --deadline_ms=N      deadline of the call in ms; default 30000 for unary calls and none for streaming calls
                       (0 = none)
  --max_messages=N     streaming responses: stop after N messages (0 = all, until the server ends the call)
  --batch=N            import: profiles per ImportProfiles message, 1 to 10000; default 500
  --no_code_hints      import: do not check the imported profiles' texts against their CPV codes (by default the
                       first 100 profiles with a text are, and a note on stderr names codes a text suggests that
                       the profile's codes do not cover)
  --max_suggestions=N  suggest-codes: at most N codes, 1 to 50; default 10
  --kind=KIND          export: only this kind (tender, supplier, buyer, buddy, or PROFILE_KIND_TENDER, ...)
  --owner=OWNER        export: only this owner's profiles; default the caller's own
  --page_size=N        export: profiles per ListProfiles page, 1 to 1000; default 1000
  --format=F           export: jsonl (default) or csv (the columns import reads); eval, suggest-codes: table
                       (default) or json; gap-report: table (default), csv or json (the whole response)
  --split=S            eval, fit: only the judged queries whose "split" is S (e.g. tuning, test)
  --k=N                eval, fit: depth of the metrics and results asked per query; default 10
  --relevant_grade=G   eval: lowest grade counted relevant by MRR and precision; default 2
  --weights=JSON       eval: FacetWeights sent with every query (e.g. '{"cpv": 0.4, "text": 0.6}'); fit: start
  --folds=N            fit: folds of the cross-validation; default 5
  --facets=LIST        fit: facets to tune, comma-separated; default cpv,strategies,materials,certifications,
                       location,text
  --province=P, --corop=C, --municipality=M, --tag=T
                       gap-report: the region (name or CBS code: Overijssel, PV23, Noord-Overijssel, CR10, Zwolle,
                       GM0193; or a profile tag); at most one; default the whole country
  --start=TIME, --end=TIME   gap-report: the period (RFC 3339, e.g. 2026-01-01T00:00:00Z); default unbounded
  --cpv_level=L        gap-report: division (default) or group
  --min_score=X        gap-report: the score a supplier needs for a tender, 0 to 1; default the server's (0.2)
  --min_suppliers=N    gap-report: fewer suppliers than this make a tender underserved; default the server's (3)
  --by=B               gap-report table and csv: sector (default) or municipality
  --help, -h           this text

On a failed call it prints "ERROR <CODE>: <message>" to stderr (e.g. ERROR INVALID_ARGUMENT:
profiles[0].needs.cpv_codes[1]: unknown CPV code "39139999") and exits with 1 + the gRPC code
(INVALID_ARGUMENT 4, NOT_FOUND 6, DEADLINE_EXCEEDED 5, UNAVAILABLE 15). Other exit codes: 64 usage error,
65 request not valid JSON of the request type (or a bad import line, reported as FILE:LINE), 66 file unreadable.

Examples:
  circmatch list
  circmatch SuggestSuppliers '{"tenderRef": {"id": "tender-0001"}, "query": {"k": 3}}'
  circmatch circmatch.v1.MatchingService/ExplainMatch @why.json
  echo '{"ref": {"id": "supplier-0001"}}' | circmatch GetProfile -
  circmatch ListVocabulary '{"list": "VOCABULARY_LIST_CPV", "query": "kantoormeubilair"}'
  circmatch ListVocabulary '{"list": "VOCABULARY_LIST_MUNICIPALITIES", "query": "Zwolle"}'
  circmatch UpsertProfiles '{"profiles": [{"id": "s-1", "kind": "PROFILE_KIND_SUPPLIER",
      "location": {"municipality": "Kampen"}, "capabilities": {"cpvCodes": ["39130000"]}}]}'
  circmatch grpc.health.v1.Health/Check '{"service": "circmatch.v1.MatchingService"}'
  circmatch --max_messages=1 Watch
  circmatch --server=127.0.0.1:50051 import profiles.jsonl --batch=1000
  circmatch export --kind=supplier > suppliers.jsonl
  circmatch eval eval/relevance/judgments.jsonl --split=test
  circmatch suggest-codes "Wij leveren en reviseren kantoormeubilair" --max_suggestions=5
  circmatch fit eval/relevance/judgments.jsonl --split=tuning
  circmatch gap-report --province=Overijssel --min_suppliers=5
  circmatch gap-report --corop=CR10 --by=municipality --format=csv > map.csv
)";

// One file of each proto this binary is linked with. Naming a message of each file forces the generated code of
// that file (from the static library circmatch_proto) into the binary and so into the generated pool; the
// services and methods are then read from the descriptors, never listed by hand.
std::vector<const pb::FileDescriptor*> KnownFiles() {
  return {
      circmatch::v1::UpsertProfilesRequest::descriptor()->file(),
      circmatch::v1::SuggestSuppliersRequest::descriptor()->file(),
      circmatch::v1::PairBuddiesRequest::descriptor()->file(),
      circmatch::v1::ScheduleMeetingsRequest::descriptor()->file(),
      circmatch::v1::ListVocabularyRequest::descriptor()->file(),
      circmatch::v1::RecordFeedbackRequest::descriptor()->file(),
      circmatch::v1::FitRankProfileRequest::descriptor()->file(),
      circmatch::v1::ExposureReportRequest::descriptor()->file(),
      grpc::health::v1::HealthCheckRequest::descriptor()->file(),
  };
}

std::vector<const pb::MethodDescriptor*> AllMethods() {
  std::vector<const pb::MethodDescriptor*> methods;
  for (const pb::FileDescriptor* file : KnownFiles()) {
    // Look each service up again in the generated pool, the one the message factory works with.
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service =
          pb::DescriptorPool::generated_pool()->FindServiceByName(file->service(s)->full_name());
      if (service == nullptr) continue;
      for (int m = 0; m < service->method_count(); ++m) methods.push_back(service->method(m));
    }
  }
  return methods;
}

std::string MethodPath(const pb::MethodDescriptor* method) {
  return "/" + method->service()->full_name() + "/" + method->name();
}

const char* StreamingKind(const pb::MethodDescriptor* method) {
  if (method->client_streaming() && method->server_streaming()) return "bidi-streaming";
  if (method->client_streaming()) return "client-streaming";
  if (method->server_streaming()) return "server-streaming";
  return "unary";
}

// Resolves "pkg.Service/Method", "pkg.Service.Method", "Service/Method" or "Method". On failure returns null and
// sets `error`.
const pb::MethodDescriptor* FindMethod(const std::string& name, std::string* error) {
  std::string wanted = name;
  if (!wanted.empty() && wanted[0] == '/') wanted.erase(0, 1);
  std::string service_part, method_part;
  size_t slash = wanted.rfind('/');
  if (slash != std::string::npos) {
    service_part = wanted.substr(0, slash);
    method_part = wanted.substr(slash + 1);
  } else if (const pb::MethodDescriptor* direct = pb::DescriptorPool::generated_pool()->FindMethodByName(wanted)) {
    return direct;  // "pkg.Service.Method"
  } else {
    method_part = wanted;
  }
  std::vector<const pb::MethodDescriptor*> found;
  for (int pass = 0; pass < 2 && found.empty(); ++pass) {
    // Pass 0 is exact; pass 1 ignores case.
    auto same = [pass](const std::string& a, const std::string& b) {
      if (pass == 0) return a == b;
      return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
             });
    };
    for (const pb::MethodDescriptor* method : AllMethods()) {
      if (!same(method->name(), method_part)) continue;
      if (!service_part.empty() && !same(method->service()->full_name(), service_part) &&
          !same(method->service()->name(), service_part)) {
        continue;
      }
      found.push_back(method);
    }
  }
  if (found.size() == 1) return found[0];
  if (found.empty()) {
    *error = "unknown method \"" + name + "\"; `circmatch list` lists the methods";
  } else {
    *error = "method \"" + name + "\" is ambiguous, say which:";
    for (const pb::MethodDescriptor* method : found) *error += " " + method->full_name();
  }
  return nullptr;
}

// ---- serialization --------------------------------------------------------------------------------------------

grpc::ByteBuffer ToByteBuffer(const pb::Message& message) {
  std::string bytes;
  message.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromByteBuffer(const grpc::ByteBuffer& buffer, pb::Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return message->ParseFromString(bytes);
}

// ---- gRPC ------------------------------------------------------------------------------------------------------

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN_CODE";
  }
}

int ReportStatus(const grpc::Status& status) {
  std::cerr << "ERROR " << CodeName(status.error_code()) << ": " << status.error_message() << std::endl;
  return 1 + static_cast<int>(status.error_code());
}

struct Flags {
  std::string server;
  std::string api_key;
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::optional<int64_t> deadline_ms;
  int64_t max_messages = 0;
  int batch = 500;
  std::string kind;
  std::string owner;
  int page_size = 1000;
  std::string format;  // export: jsonl (default) or csv; eval: table (default) or json
  std::string split;   // eval, fit: only the judged queries of this part
  int k = 10;          // eval, fit: the depth of the metrics
  int relevant_grade = 2;
  std::string weights;  // eval: FacetWeights in proto3 JSON, sent with every query; fit: where to start
  int folds = 5;
  std::string facets;  // fit: comma-separated facets to tune
  // gap-report: the region (at most one), the period, the grouping and thresholds, and which table to print
  std::string province, corop, municipality, tag;
  std::string start, end;
  std::string cpv_level;
  std::string min_score;
  std::string min_suppliers;
  std::string by;
  int max_suggestions = 10;  // suggest-codes
  bool code_hints = true;    // import: check the texts against the codes
  bool help = false;
};

// The deadline and the API key of every call.
void SetDeadline(grpc::ClientContext* context, const Flags& flags, bool streaming) {
  int64_t ms = flags.deadline_ms.value_or(streaming ? 0 : 30000);
  if (ms > 0) context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(ms));
  if (!flags.api_key.empty()) context->AddMetadata("authorization", "Bearer " + flags.api_key);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<grpc::Channel> MakeChannel(const Flags& flags) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 * 1024 * 1024);
  args.SetMaxSendMessageSize(256 * 1024 * 1024);
  if (!flags.tls && flags.tls_ca_file.empty()) {
    return grpc::CreateCustomChannel(flags.server, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions ssl;
  if (!flags.tls_ca_file.empty()) ssl.pem_root_certs = ReadWholeFile(flags.tls_ca_file);
  if (!flags.tls_cert_file.empty()) ssl.pem_cert_chain = ReadWholeFile(flags.tls_cert_file);
  if (!flags.tls_key_file.empty()) ssl.pem_private_key = ReadWholeFile(flags.tls_key_file);
  return grpc::CreateCustomChannel(flags.server, grpc::SslCredentials(ssl), args);
}

// Waits for the one outstanding operation on `cq`; returns its `ok`.
bool Await(grpc::CompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  if (!cq->Next(&tag, &ok)) return false;
  return ok;
}

grpc::Status CallUnary(grpc::GenericStub* stub, const std::string& path, const pb::Message& request,
                       pb::Message* response, const Flags& flags) {
  grpc::ClientContext context;
  SetDeadline(&context, flags, /*streaming=*/false);
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub->PrepareUnaryCall(&context, path, ToByteBuffer(request), &cq);
  call->StartCall();
  grpc::ByteBuffer reply;
  grpc::Status status;
  call->Finish(&reply, &status, reinterpret_cast<void*>(1));
  Await(&cq);
  cq.Shutdown();
  if (status.ok() && !FromByteBuffer(reply, response)) {
    status = grpc::Status(grpc::StatusCode::INTERNAL, "cannot parse the response as " + response->GetTypeName());
  }
  return status;
}

// A streaming call of any shape: sends the messages `next_request` yields (until it returns false), half-closes,
// and hands each response to `on_response` (which returns false to stop reading and cancel the call; the call
// then counts as successful).
grpc::Status CallStreaming(grpc::GenericStub* stub, const std::string& path, const Flags& flags,
                           const std::function<bool(grpc::ByteBuffer*)>& next_request,
                           const std::function<bool(const grpc::ByteBuffer&)>& on_response) {
  grpc::ClientContext context;
  SetDeadline(&context, flags, /*streaming=*/true);
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub->PrepareCall(&context, path, &cq);
  void* const tag = reinterpret_cast<void*>(1);
  call->StartCall(tag);
  bool alive = Await(&cq);
  grpc::ByteBuffer request;
  while (alive && next_request(&request)) {
    call->Write(request, tag);
    alive = Await(&cq);  // false: the server ended the call; Finish says why
  }
  if (alive) {
    call->WritesDone(tag);
    Await(&cq);
  }
  bool cancelled_by_us = false;
  while (true) {
    grpc::ByteBuffer reply;
    call->Read(&reply, tag);
    if (!Await(&cq)) break;
    if (!on_response(reply)) {
      context.TryCancel();
      cancelled_by_us = true;
      break;
    }
  }
  grpc::Status status;
  call->Finish(&status, tag);
  Await(&cq);
  cq.Shutdown();
  void* ignored_tag;
  bool ignored_ok;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  if (cancelled_by_us && status.error_code() == grpc::StatusCode::CANCELLED) return grpc::Status::OK;
  return status;
}

// ---- input -----------------------------------------------------------------------------------------------------

// Reads a whole file, or stdin for "-". Returns false when it cannot be read.
bool ReadInput(const std::string& path, std::string* contents) {
  if (path == "-") {
    contents->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  contents->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// ---- commands --------------------------------------------------------------------------------------------------

int RunList() {
  for (const pb::MethodDescriptor* method : AllMethods()) {
    std::cout << method->service()->full_name() << "/" << method->name() << "  " << StreamingKind(method) << "  "
              << method->input_type()->full_name() << " -> " << method->output_type()->full_name() << "\n";
  }
  return 0;
}

int RunMethod(const Flags& flags, const std::string& method_name, const std::string& request_arg) {
  std::string error;
  const pb::MethodDescriptor* method = FindMethod(method_name, &error);
  if (method == nullptr) {
    std::cerr << "circmatch: " << error << std::endl;
    return kExitUsage;
  }
  std::string json = request_arg;
  if (request_arg == "-" || (!request_arg.empty() && request_arg[0] == '@')) {
    std::string path = request_arg == "-" ? "-" : request_arg.substr(1);
    if (!ReadInput(path, &json)) {
      std::cerr << "circmatch: cannot read " << path << std::endl;
      return kExitNoInput;
    }
  }
  if (json.find_first_not_of(" \t\r\n") == std::string::npos) json = "{}";
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  std::unique_ptr<pb::Message> request(factory->GetPrototype(method->input_type())->New());
  if (!FromJson(json, request.get(), &error)) {
    std::cerr << "circmatch: the request is not a valid " << method->input_type()->full_name()
              << " in proto3 JSON: " << error << std::endl;
    return kExitDataError;
  }
  const pb::Message* response_prototype = factory->GetPrototype(method->output_type());
  grpc::GenericStub stub(MakeChannel(flags));
  const std::string path = MethodPath(method);

  if (!method->client_streaming() && !method->server_streaming()) {
    std::unique_ptr<pb::Message> response(response_prototype->New());
    grpc::Status status = CallUnary(&stub, path, *request, response.get(), flags);
    if (!status.ok()) return ReportStatus(status);
    std::cout << ToJson(*response, /*pretty=*/true) << std::endl;
    return 0;
  }

  bool sent = false;
  int64_t received = 0;
  bool bad_reply = false;
  grpc::Status status = CallStreaming(
      &stub, path, flags,
      [&](grpc::ByteBuffer* buffer) {
        if (sent) return false;
        sent = true;
        *buffer = ToByteBuffer(*request);
        return true;
      },
      [&](const grpc::ByteBuffer& buffer) {
        std::unique_ptr<pb::Message> response(response_prototype->New());
        if (!FromByteBuffer(buffer, response.get())) {
          bad_reply = true;
          return false;
        }
        std::cout << ToJson(*response, /*pretty=*/true) << std::endl;
        ++received;
        return flags.max_messages <= 0 || received < flags.max_messages;
      });
  if (bad_reply) {
    return ReportStatus(
        grpc::Status(grpc::StatusCode::INTERNAL, "cannot parse a response as " + response_prototype->GetTypeName()));
  }
  if (!status.ok()) return ReportStatus(status);
  return 0;
}

// "[########........] 300/1000" on stderr: redrawn in place on a terminal, one line per batch otherwise.
void ShowProgress(size_t done, size_t total, int64_t batch) {
  constexpr int kWidth = 30;
  const int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
  std::cerr << (isatty(2) ? "\r" : "") << "circmatch import: [" << std::string(filled, '#')
            << std::string(kWidth - filled, '.') << "] " << done << "/" << total << " profiles, batch " << batch
            << (isatty(2) ? "" : "\n") << std::flush;
}

void HintCodes(const Flags& flags, const std::vector<circmatch::clients::ProfileLine>& lines, const std::string& name);

int RunImport(const Flags& flags, const std::string& path) {
  if (flags.batch < 1 || flags.batch > 10000) {
    std::cerr << "circmatch import: --batch must be between 1 and 10000, got " << flags.batch << std::endl;
    return kExitUsage;
  }
  std::string contents;
  if (!ReadInput(path, &contents)) {
    std::cerr << "circmatch import: cannot read " << path << std::endl;
    return kExitNoInput;
  }
  // Every line is checked before anything is sent, so a typo in line 90,000 does not leave a partial import.
  absl::StatusOr<std::vector<circmatch::clients::ProfileLine>> lines = circmatch::clients::ReadProfileFile(
      contents, circmatch::clients::IsCsvPath(path), path == "-" ? "<stdin>" : path);
  if (!lines.ok()) {
    std::cerr << "circmatch import: " << lines.status().message() << std::endl;
    return kExitDataError;
  }
  contents.clear();
  const pb::MethodDescriptor* method =
      pb::DescriptorPool::generated_pool()->FindMethodByName("circmatch.v1.ProfileService.ImportProfiles");
  grpc::GenericStub stub(MakeChannel(flags));
  size_t next = 0;
  int64_t batches = 0;
  circmatch::v1::ImportProfilesResponse response;
  bool got_response = false;
  grpc::Status status = CallStreaming(
      &stub, MethodPath(method), flags,
      [&](grpc::ByteBuffer* buffer) {
        if (next >= lines->size()) return false;
        circmatch::v1::ImportProfilesRequest request;
        const size_t first = next;
        size_t end = std::min(lines->size(), next + static_cast<size_t>(flags.batch));
        for (; next < end; ++next) {
          std::string ignored;
          FromJson((*lines)[next].json, request.add_profiles(), &ignored);  // checked above
        }
        (void)first;
        ShowProgress(next, lines->size(), batches);
        ++batches;
        *buffer = ToByteBuffer(request);
        return true;
      },
      [&](const grpc::ByteBuffer& buffer) {
        got_response = FromByteBuffer(buffer, &response);
        return true;
      });
  if (!status.ok()) {
    // The server names the failing message and profile, "batch N: profiles[I]..." with N counted from 0 like
    // the batches above; say which line of the file that is.
    int exit_code = ReportStatus(status);
    long long batch = -1, index = -1;
    if (std::sscanf(status.error_message().c_str(), "batch %lld: profiles[%lld]", &batch, &index) == 2 && batch >= 0 &&
        index >= 0) {
      size_t at = static_cast<size_t>(batch) * static_cast<size_t>(flags.batch) + static_cast<size_t>(index);
      if (at < lines->size()) {
        std::cerr << "circmatch import: that is " << (path == "-" ? "<stdin>" : path) << ":" << (*lines)[at].number
                  << std::endl;
      }
    }
    return exit_code;
  }
  if (isatty(2)) std::cerr << std::endl;
  if (!got_response) {
    return ReportStatus(grpc::Status(grpc::StatusCode::INTERNAL, "the server sent no ImportProfilesResponse"));
  }
  std::cerr << "circmatch import: done, " << response.upserted_count() << " profiles in " << response.batch_count()
            << " batches" << std::endl;
  std::cout << ToJson(response, /*pretty=*/true) << std::endl;
  if (flags.code_hints) HintCodes(flags, *lines, path == "-" ? "<stdin>" : path);
  return 0;
}

// Accepts "tender", "TENDER", "PROFILE_KIND_TENDER" or the number.
// ---- rank evaluation ------------------------------------------------------------------------------------------

// Runs judged queries through the public API, as a portal's calls would run, with `k` and optional weights.
class JudgedRanker {
 public:
  JudgedRanker(const Flags& flags, std::vector<circmatch::v1::JudgedQuery> queries)
      : flags_(flags), queries_(std::move(queries)), stub_(MakeChannel(flags)) {}

  const std::vector<circmatch::v1::JudgedQuery>& queries() const { return queries_; }

  // The metrics of query i ranked with `weights` (nullptr: the server's own).
  absl::StatusOr<circmatch::eval::QueryMetrics> Evaluate(int i, const circmatch::v1::FacetWeights* weights) {
    const circmatch::v1::JudgedQuery& query = queries_[i];
    const std::string where = "query \"" + query.query() + "\": ";
    const pb::MethodDescriptor* method =
        pb::DescriptorPool::generated_pool()->FindMethodByName("circmatch.v1.MatchingService." + query.method());
    absl::StatusOr<std::unique_ptr<pb::Message>> request = circmatch::eval::ParseJudgedRequest(query);
    if (!request.ok()) return absl::InvalidArgumentError(where + std::string(request.status().message()));
    circmatch::v1::MatchQuery* match_query = circmatch::eval::MatchQueryIn(request->get());
    match_query->set_k(flags_.k);
    if (weights != nullptr) *match_query->mutable_weights() = *weights;
    // Every match call answers with `matches` as field 1, so its bytes read as a SuggestSuppliersResponse.
    circmatch::v1::SuggestSuppliersResponse response;
    grpc::Status status = CallUnary(&stub_, MethodPath(method), **request, &response, flags_);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()), where + status.error_message());
    }
    const circmatch::v1::MatchFilter& filter = match_query->filter();
    std::vector<circmatch::eval::Ranked> ranked;
    for (const circmatch::v1::Match& match : response.matches()) {
      ranked.push_back({match.profile().owner(), match.profile().id(), BrokenRequirement(query, filter, match)});
    }
    return circmatch::eval::ScoreRanking(query, ranked, Options());
  }

  circmatch::eval::MetricOptions Options() const { return {flags_.k, flags_.relevant_grade}; }

 private:
  // A hard requirement of the request that `match` breaks, read from what the response itself says (its
  // profile's radius, the distance and the missing certificates of its explanation); empty when none.
  static std::string BrokenRequirement(const circmatch::v1::JudgedQuery& query,
                                       const circmatch::v1::MatchFilter& filter, const circmatch::v1::Match& match) {
    const circmatch::v1::Explanation& e = match.explanation();
    if (e.missing_certifications_size() > 0) return "missing certificate " + e.missing_certifications(0);
    if (filter.max_distance_km() > 0 && (!e.has_distance_km() || e.distance_km() > filter.max_distance_km())) {
      return "beyond filter.max_distance_km";
    }
    const double radius = match.profile().service_radius_km();
    if (query.method() == "SuggestSuppliers" && !filter.include_out_of_reach() && radius > 0 && e.has_distance_km() &&
        e.distance_km() > radius) {
      return "outside the supplier's service radius (" + std::to_string(static_cast<int>(e.distance_km())) + " km > " +
             std::to_string(static_cast<int>(radius)) + " km)";
    }
    return "";
  }

  const Flags& flags_;
  std::vector<circmatch::v1::JudgedQuery> queries_;
  grpc::GenericStub stub_;
};

// Reads the judgments of --split, or reports why not (returns the exit code to give, or 0).
int ReadJudgedQueries(const std::string& path, const Flags& flags, std::vector<circmatch::v1::JudgedQuery>* out) {
  if (flags.k < 1) {
    std::cerr << "circmatch: --k must be at least 1" << std::endl;
    return kExitUsage;
  }
  absl::StatusOr<std::vector<circmatch::v1::JudgedQuery>> queries = circmatch::eval::ReadJudgments(path, flags.split);
  if (!queries.ok()) {
    std::cerr << "circmatch: " << queries.status().message() << std::endl;
    return queries.status().code() == absl::StatusCode::kNotFound ? kExitNoInput : kExitDataError;
  }
  if (queries->empty()) {
    std::cerr << "circmatch: " << path << " has no judged queries" << (flags.split.empty() ? "" : " of --split=")
              << flags.split << std::endl;
    return kExitDataError;
  }
  *out = *std::move(queries);
  return 0;
}

// Parses --weights; returns false (with the message printed) when it is not FacetWeights JSON.
bool ParseWeights(const Flags& flags, circmatch::v1::FacetWeights* weights) {
  std::string error;
  if (flags.weights.empty() || FromJson(flags.weights, weights, &error)) return true;
  std::cerr << "circmatch: --weights is not FacetWeights in proto3 JSON: " << error << std::endl;
  return false;
}

int ReportEvalError(const absl::Status& status) {
  std::cerr << "ERROR " << absl::StatusCodeToString(status.code()) << ": " << status.message() << std::endl;
  return 1 + static_cast<int>(status.code());
}

int RunEval(const Flags& flags, const std::string& path) {
  std::vector<circmatch::v1::JudgedQuery> queries;
  if (int exit = ReadJudgedQueries(path, flags, &queries); exit != 0) return exit;
  circmatch::v1::FacetWeights weights;
  if (!ParseWeights(flags, &weights)) return kExitUsage;
  JudgedRanker ranker(flags, std::move(queries));
  std::vector<circmatch::eval::QueryMetrics> metrics;
  absl::Status first_error;
  for (int i = 0; i < static_cast<int>(ranker.queries().size()); ++i) {
    absl::StatusOr<circmatch::eval::QueryMetrics> m = ranker.Evaluate(i, flags.weights.empty() ? nullptr : &weights);
    if (m.ok()) {
      metrics.push_back(*std::move(m));
      continue;
    }
    // One query the server refuses (or a server that is down) does not hide the others; it counts as 0.
    if (first_error.ok()) first_error = m.status();
    circmatch::eval::QueryMetrics failed;
    failed.query = ranker.queries()[i].query();
    failed.split = ranker.queries()[i].split();
    failed.rated = ranker.queries()[i].ratings_size();
    failed.error = absl::StrCat(absl::StatusCodeToString(m.status().code()), ": ", m.status().message());
    metrics.push_back(std::move(failed));
  }
  if (flags.format == "json") {
    circmatch::eval::PrintJsonReport(metrics, ranker.Options(), std::cout);
  } else {
    circmatch::eval::PrintReport(metrics, ranker.Options(), std::cout);
  }
  return first_error.ok() ? 0 : ReportEvalError(first_error);
}

int RunFit(const Flags& flags, const std::string& path) {
  std::vector<circmatch::v1::JudgedQuery> queries;
  if (int exit = ReadJudgedQueries(path, flags, &queries); exit != 0) return exit;
  circmatch::v1::FacetWeights start;
  if (!ParseWeights(flags, &start)) return kExitUsage;
  circmatch::eval::FitOptions options;
  options.folds = flags.folds;
  if (!flags.facets.empty()) options.facets = absl::StrSplit(flags.facets, ',');
  JudgedRanker ranker(flags, std::move(queries));
  const circmatch::eval::EvaluateFn evaluate = [&](const circmatch::v1::FacetWeights* weights,
                                                   int query) -> absl::StatusOr<double> {
    absl::StatusOr<circmatch::eval::QueryMetrics> m = ranker.Evaluate(query, weights);
    if (!m.ok()) return m.status();
    return m->ndcg;
  };
  absl::StatusOr<circmatch::eval::FitResult> fit =
      circmatch::eval::FitWeights(static_cast<int>(ranker.queries().size()), start, evaluate, options);
  if (!fit.ok()) return ReportEvalError(fit.status());
  std::cout << "fitted weights: " << ToJson(fit->weights, /*pretty=*/false) << "\n";
  std::printf(
      "nDCG@%d over %zu queries: server's weights %.4f, fitted %.4f; %d-fold cross-validated %.4f "
      "(%d weight settings tried)\n",
      flags.k, ranker.queries().size(), fit->defaults_ndcg, fit->ndcg, options.folds, fit->cross_validated_ndcg,
      fit->evaluations);
  return 0;
}

int RunExport(const Flags& flags) {
  circmatch::v1::ListProfilesRequest request;
  if (!flags.kind.empty()) {
    circmatch::v1::ProfileKind kind;
    if (!circmatch::clients::ParseProfileKind(flags.kind, &kind)) {
      std::cerr << "circmatch export: unknown --kind \"" << flags.kind << "\" (buyer, tender, supplier or buddy)"
                << std::endl;
      return kExitUsage;
    }
    request.set_kind(kind);
  }
  if (flags.page_size < 1 || flags.page_size > 1000) {
    std::cerr << "circmatch export: --page_size must be between 1 and 1000, got " << flags.page_size << std::endl;
    return kExitUsage;
  }
  request.set_page_size(flags.page_size);
  request.set_owner(flags.owner);
  const pb::MethodDescriptor* method =
      pb::DescriptorPool::generated_pool()->FindMethodByName("circmatch.v1.ProfileService.ListProfiles");
  grpc::GenericStub stub(MakeChannel(flags));
  const bool csv = flags.format == "csv";
  if (!csv && !flags.format.empty() && flags.format != "jsonl") {
    std::cerr << "circmatch export: --format must be jsonl or csv, got \"" << flags.format << "\"" << std::endl;
    return kExitUsage;
  }
  if (csv) {
    std::cout << circmatch::clients::ProfileCsvHeader() << "\n";
  }
  int64_t count = 0;
  int pages = 0;
  do {
    circmatch::v1::ListProfilesResponse response;
    grpc::Status status = CallUnary(&stub, MethodPath(method), request, &response, flags);
    if (!status.ok()) return ReportStatus(status);
    ++pages;
    for (const circmatch::v1::Profile& profile : response.profiles()) {
      std::cout << (csv ? circmatch::clients::ProfileCsvRow(profile) : ToJson(profile, /*pretty=*/false)) << "\n";
      ++count;
    }
    if (!response.next_page_token().empty() && response.next_page_token() == request.page_token()) {
      return ReportStatus(grpc::Status(grpc::StatusCode::INTERNAL, "the server returned the same page token twice"));
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  std::cout.flush();
  std::cerr << "circmatch export: " << count << " profiles in " << pages << " pages" << std::endl;
  return std::cout.good() ? 0 : kExitNoInput;
}

// ---- CPV code suggestions -------------------------------------------------------------------------------------

// Code points of a UTF-8 string.
size_t Width(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// `text` cut to `width` code points ("..." at the end when cut) and padded with spaces to it.
std::string Cell(const std::string& text, size_t width) {
  if (Width(text) <= width) return text + std::string(width - Width(text), ' ');
  std::string cut;
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] & 0xC0) != 0x80 && ++points > width - 3) break;
    cut.push_back(text[i]);
  }
  return cut + "...";
}

grpc::Status CallSuggestCodes(grpc::GenericStub* stub, const Flags& flags, const std::string& text, int max,
                              circmatch::v1::SuggestCodesResponse* response) {
  const pb::MethodDescriptor* method =
      pb::DescriptorPool::generated_pool()->FindMethodByName("circmatch.v1.VocabularyService.SuggestCodes");
  circmatch::v1::SuggestCodesRequest request;
  request.set_text(text);
  request.set_max_suggestions(max);
  return CallUnary(stub, MethodPath(method), request, response, flags);
}

int RunSuggestCodes(const Flags& flags, const std::vector<std::string>& words) {
  std::string text;
  if (words.size() == 1 && (words[0] == "-" || (!words[0].empty() && words[0][0] == '@'))) {
    const std::string path = words[0] == "-" ? "-" : words[0].substr(1);
    if (!ReadInput(path, &text)) {
      std::cerr << "circmatch suggest-codes: cannot read " << path << std::endl;
      return kExitNoInput;
    }
  } else {
    text = absl::StrJoin(words, " ");
  }
  if (flags.format != "" && flags.format != "table" && flags.format != "json") {
    std::cerr << "circmatch suggest-codes: --format must be table or json, got \"" << flags.format << "\"" << std::endl;
    return kExitUsage;
  }
  grpc::GenericStub stub(MakeChannel(flags));
  circmatch::v1::SuggestCodesResponse response;
  const grpc::Status status = CallSuggestCodes(&stub, flags, text, flags.max_suggestions, &response);
  if (!status.ok()) return ReportStatus(status);
  if (flags.format == "json") {
    std::cout << ToJson(response, /*pretty=*/true) << std::endl;
    return 0;
  }
  if (response.suggestions().empty()) {
    std::cerr << "circmatch suggest-codes: no word of the text meets a CPV code's labels" << std::endl;
    return 0;
  }
  std::cout << Cell("code", 10) << "  " << Cell("score", 6) << "  " << Cell("label", 60) << "  matched words\n";
  for (const circmatch::v1::CodeSuggestion& s : response.suggestions()) {
    char score[32];
    std::snprintf(score, sizeof score, "%6.2f", s.score());
    std::cout << Cell(s.code_with_check_digit(), 10) << "  " << score << "  "
              << Cell(s.label_nl() + " / " + s.label_en(), 60) << "  " << absl::StrJoin(s.matched_words(), ", ")
              << "\n";
  }
  return 0;
}

// The facet of a profile that says what it delivers or needs: a supplier's capabilities, a tender's or buyer's
// needs, a buddy's offers.
const circmatch::v1::Facets& OwnFacet(const circmatch::v1::Profile& profile) {
  switch (profile.kind()) {
    case circmatch::v1::PROFILE_KIND_SUPPLIER:
      return profile.capabilities();
    case circmatch::v1::PROFILE_KIND_BUDDY:
      return profile.offers();
    default:
      return profile.needs();
  }
}

// True when `code` is covered by one of `codes`: the same code, one of its ancestors or one of its descendants
// (CPV codes nest by their leading digits: 39130000 is under 39100000).
bool Covered(const std::string& code, const google::protobuf::RepeatedPtrField<std::string>& codes) {
  const auto significant = [](const std::string& c) {
    std::string digits = c.substr(0, std::min<size_t>(8, c.size()));
    while (digits.size() > 2 && digits.back() == '0') digits.pop_back();
    return digits;
  };
  const std::string a = significant(code);
  for (const std::string& other : codes) {
    const std::string b = significant(other);
    if (a.rfind(b, 0) == 0 || b.rfind(a, 0) == 0) return true;
  }
  return false;
}

// After an import: the texts of the first kCodeHintProfiles profiles that have one, each through SuggestCodes;
// a note on stderr for each suggested code (of the best three, those scoring at least half the best) that none of
// the profile's codes covers. Only advice: nothing is changed, and a failed call ends the checking quietly.
void HintCodes(const Flags& flags, const std::vector<circmatch::clients::ProfileLine>& lines, const std::string& name) {
  constexpr int kCodeHintProfiles = 100;
  constexpr int kMaxNotes = 20;
  grpc::GenericStub stub(MakeChannel(flags));
  int checked = 0, notes = 0, more = 0;
  for (const circmatch::clients::ProfileLine& line : lines) {
    circmatch::v1::Profile profile;
    std::string error;
    if (!FromJson(line.json, &profile, &error)) continue;
    const circmatch::v1::Facets& facet = OwnFacet(profile);
    if (facet.text().find_first_not_of(" \t\r\n") == std::string::npos) continue;
    if (checked++ >= kCodeHintProfiles) break;
    circmatch::v1::SuggestCodesResponse response;
    if (!CallSuggestCodes(&stub, flags, facet.text().substr(0, 10000), 3, &response).ok()) return;
    if (response.suggestions().empty()) continue;
    const double best = response.suggestions(0).score();
    for (const circmatch::v1::CodeSuggestion& s : response.suggestions()) {
      if (s.score() < 0.5 * best || Covered(s.code(), facet.cpv_codes())) continue;
      if (notes >= kMaxNotes) {
        ++more;
        continue;
      }
      ++notes;
      std::cerr << "circmatch import: note: " << name << ":" << line.number << " (" << profile.id()
                << "): its text suggests CPV " << s.code() << " " << s.label_nl() << " (from \""
                << absl::StrJoin(s.matched_words(), ", ") << "\"), which "
                << (facet.cpv_codes().empty() ? "it has no codes to cover" : "none of its codes covers") << std::endl;
    }
  }
  if (more > 0) std::cerr << "circmatch import: note: " << more << " more such codes not shown" << std::endl;
  if (notes > 0) {
    std::cerr << "circmatch import: (notes only, nothing was changed; `circmatch suggest-codes TEXT` lists the "
                 "suggestions, --no_code_hints turns these notes off)"
              << std::endl;
  }
}

// ---- flags -----------------------------------------------------------------------------------------------------

bool ParseInt(const std::string& text, int64_t* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0') return false;
  *value = parsed;
  return true;
}

// Splits argv into flags and positional arguments. Returns an error message, or empty.
std::string ParseArgs(int argc, char** argv, Flags* flags, std::vector<std::string>* positional) {
  const std::vector<std::string> with_value = {
      "server",      "deadline_ms",   "max_messages",  "batch",  "kind",           "owner", "page_size",      "api_key",
      "tls_ca_file", "tls_cert_file", "tls_key_file",  "format", "split",          "k",     "relevant_grade", "weights",
      "folds",       "facets",        "province",      "corop",  "municipality",   "tag",   "start",          "end",
      "cpv_level",   "min_score",     "min_suppliers", "by",     "max_suggestions"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      flags->help = true;
      continue;
    }
    if (arg == "--tls") {
      flags->tls = true;
      continue;
    }
    if (arg == "--no_code_hints") {
      flags->code_hints = false;
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      positional->push_back(arg);  // includes "-" (stdin) and JSON
      continue;
    }
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (std::find(with_value.begin(), with_value.end(), name) != with_value.end()) {
      if (i + 1 >= argc) return "flag --" + name + " needs a value";
      value = argv[++i];
    } else {
      return "unknown flag --" + name;
    }
    int64_t number = 0;
    if (name == "server") {
      flags->server = value;
    } else if (name == "api_key") {
      flags->api_key = value;
    } else if (name == "tls_ca_file") {
      flags->tls_ca_file = value;
    } else if (name == "tls_cert_file") {
      flags->tls_cert_file = value;
    } else if (name == "tls_key_file") {
      flags->tls_key_file = value;
    } else if (name == "format") {
      flags->format = value;
    } else if (name == "kind") {
      flags->kind = value;
    } else if (name == "owner") {
      flags->owner = value;
    } else if (name == "split") {
      flags->split = value;
    } else if (name == "weights") {
      flags->weights = value;
    } else if (name == "facets") {
      flags->facets = value;
    } else if (name == "province") {
      flags->province = value;
    } else if (name == "corop") {
      flags->corop = value;
    } else if (name == "municipality") {
      flags->municipality = value;
    } else if (name == "tag") {
      flags->tag = value;
    } else if (name == "start") {
      flags->start = value;
    } else if (name == "end") {
      flags->end = value;
    } else if (name == "cpv_level") {
      flags->cpv_level = value;
    } else if (name == "min_score") {
      flags->min_score = value;
    } else if (name == "min_suppliers") {
      flags->min_suppliers = value;
    } else if (name == "by") {
      flags->by = value;
    } else if (name == "k" || name == "relevant_grade" || name == "folds" || name == "max_suggestions") {
      if (!ParseInt(value, &number) || number < 0 || number > 1000) {
        return "flag --" + name + " needs an integer from 0 to 1000, got \"" + value + "\"";
      }
      if (name == "max_suggestions") flags->max_suggestions = static_cast<int>(number);
      if (name == "k") flags->k = static_cast<int>(number);
      if (name == "relevant_grade") flags->relevant_grade = static_cast<int>(number);
      if (name == "folds") flags->folds = static_cast<int>(number);
    } else if (name == "deadline_ms" || name == "max_messages" || name == "batch" || name == "page_size") {
      if (!ParseInt(value, &number) || number < 0 || number > 1000000000) {
        return "flag --" + name + " needs a non-negative integer, got \"" + value + "\"";
      }
      if (name == "deadline_ms") flags->deadline_ms = number;
      if (name == "max_messages") flags->max_messages = number;
      if (name == "batch") flags->batch = static_cast<int>(number);
      if (name == "page_size") flags->page_size = static_cast<int>(number);
    } else {
      return "unknown flag --" + name;
    }
  }
  return "";
}

// ---- gap report ------------------------------------------------------------------------------------------------

// Width of UTF-8 text in characters (a label like "Stoffen voor de bouw" or "Súdwest-Fryslân" pads by characters,
// not bytes).
size_t TextWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

// Prints rows (the first is the header), each column as wide as its widest cell, `numeric` ones right-aligned,
// without trailing spaces.
void PrintAligned(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& numeric) {
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], TextWidth(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - TextWidth(row[i]), ' ');
      if (i > 0) line += "  ";
      line += numeric[i] ? pad + row[i] : row[i] + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    std::cout << line << "\n";
  }
}

// A label cut to `max` characters, with an ellipsis.
std::string Shortened(const std::string& text, size_t max) {
  if (TextWidth(text) <= max) return text;
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++width > max - 1) break;
    out.push_back(text[i]);
  }
  return out + "\u2026";
}

void PrintGapTable(const circmatch::v1::GapReportResponse& report, bool by_municipality) {
  std::cout << "Gap report, " << report.region() << ": tenders " << report.tenders() << ", underserved "
            << report.underserved_tenders() << " (fewer than min_suppliers=" << report.min_suppliers()
            << " within reach at min_score=" << absl::StrFormat("%.2f", report.min_score()) << "), suppliers "
            << report.suppliers() << ", rank profile " << report.rank_profile() << "\n\n";
  std::vector<std::vector<std::string>> rows;
  if (by_municipality) {
    rows.push_back({"MUNICIPALITY", "CODE", "TENDERS", "SUPPLIERS", "UNDERSERVED", "GAP"});
    for (const circmatch::v1::MunicipalityGap& m : report.municipalities()) {
      rows.push_back({m.name(), m.code(), absl::StrCat(m.tenders()), absl::StrCat(m.suppliers()),
                      absl::StrCat(m.underserved_tenders()), absl::StrFormat("%.2f", m.gap())});
    }
    PrintAligned(rows, {false, false, true, true, true, true});
    return;
  }
  rows.push_back({"CPV", "SECTOR", "TENDERS", "OPEN", "SUPPLIERS", "SME", "UNDERSERVED", "GAP", "STRATEGIES", ""});
  for (const circmatch::v1::SectorGap& s : report.sectors()) {
    std::vector<std::string> strategies;
    for (const circmatch::v1::StrategyCount& c : s.strategies()) {
      strategies.push_back(absl::StrCat(c.strategy(), ":", c.suppliers()));
    }
    rows.push_back({s.cpv_code().empty() ? "-" : s.cpv_code(), Shortened(s.label_nl(), 40), absl::StrCat(s.tenders()),
                    absl::StrCat(s.open_tenders()), absl::StrCat(s.suppliers()), absl::StrCat(s.sme_suppliers()),
                    absl::StrCat(s.underserved_tenders_size()), absl::StrFormat("%.2f", s.gap()),
                    strategies.empty() ? "-" : absl::StrJoin(strategies, " "),
                    s.no_supply_nearby() ? "no supply nearby" : ""});
  }
  PrintAligned(rows, {false, false, true, true, true, true, true, true, false, false});
}

int RunGapReport(const Flags& flags) {
  circmatch::v1::GapReportRequest request;
  int regions = 0;
  for (const auto& [value, field] :
       {std::pair{&flags.province, &circmatch::v1::GapReportRequest::mutable_province},
        std::pair{&flags.corop, &circmatch::v1::GapReportRequest::mutable_corop},
        std::pair{&flags.municipality, &circmatch::v1::GapReportRequest::mutable_municipality},
        std::pair{&flags.tag, &circmatch::v1::GapReportRequest::mutable_tag}}) {
    if (value->empty()) continue;
    ++regions;
    *(request.*field)() = *value;
  }
  if (regions > 1) {
    std::cerr << "circmatch gap-report: give at most one of --province, --corop, --municipality and --tag" << std::endl;
    return kExitUsage;
  }
  for (const auto& [text, name, field] :
       {std::tuple{&flags.start, "start", &circmatch::v1::GapReportRequest::mutable_start_time},
        std::tuple{&flags.end, "end", &circmatch::v1::GapReportRequest::mutable_end_time}}) {
    if (text->empty()) continue;
    if (!pb::util::TimeUtil::FromString(*text, (request.*field)())) {
      std::cerr << "circmatch gap-report: --" << name << " is not an RFC 3339 time (2026-01-01T00:00:00Z), got \""
                << *text << "\"" << std::endl;
      return kExitUsage;
    }
  }
  if (flags.cpv_level == "group") {
    request.set_cpv_level(circmatch::v1::CPV_LEVEL_GROUP);
  } else if (flags.cpv_level == "division") {
    request.set_cpv_level(circmatch::v1::CPV_LEVEL_DIVISION);
  } else if (!flags.cpv_level.empty()) {
    std::cerr << "circmatch gap-report: --cpv_level must be division or group, got \"" << flags.cpv_level << "\""
              << std::endl;
    return kExitUsage;
  }
  if (!flags.min_score.empty()) {
    double score = 0;
    if (!absl::SimpleAtod(flags.min_score, &score)) {
      std::cerr << "circmatch gap-report: --min_score needs a number, got \"" << flags.min_score << "\"" << std::endl;
      return kExitUsage;
    }
    request.set_min_score(score);  // the server checks the range
  }
  if (!flags.min_suppliers.empty()) {
    int64_t n = 0;
    if (!ParseInt(flags.min_suppliers, &n) || n < INT32_MIN || n > INT32_MAX) {
      std::cerr << "circmatch gap-report: --min_suppliers needs an integer, got \"" << flags.min_suppliers << "\""
                << std::endl;
      return kExitUsage;
    }
    request.set_min_suppliers(static_cast<int32_t>(n));
  }
  const std::string format = flags.format.empty() ? "table" : flags.format;
  if (format != "table" && format != "csv" && format != "json") {
    std::cerr << "circmatch gap-report: --format must be table, csv or json, got \"" << flags.format << "\""
              << std::endl;
    return kExitUsage;
  }
  if (!flags.by.empty() && flags.by != "sector" && flags.by != "municipality") {
    std::cerr << "circmatch gap-report: --by must be sector or municipality, got \"" << flags.by << "\"" << std::endl;
    return kExitUsage;
  }
  const bool by_municipality = flags.by == "municipality";
  if (format == "csv") request.set_format(circmatch::v1::GAP_REPORT_FORMAT_CSV);

  const pb::MethodDescriptor* method =
      pb::DescriptorPool::generated_pool()->FindMethodByName("circmatch.v1.InsightsService.GapReport");
  grpc::GenericStub stub(MakeChannel(flags));
  circmatch::v1::GapReportResponse report;
  grpc::Status status = CallUnary(&stub, MethodPath(method), request, &report, flags);
  if (!status.ok()) return ReportStatus(status);
  if (format == "json") {
    std::cout << ToJson(report, /*pretty=*/true) << std::endl;
  } else if (format == "csv") {
    std::cout << (by_municipality ? report.municipalities_csv() : report.sectors_csv());
  } else {
    PrintGapTable(report, by_municipality);
  }
  std::cout.flush();
  return std::cout.good() ? 0 : kExitNoInput;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::vector<std::string> args;
  std::string error = ParseArgs(argc, argv, &flags, &args);
  if (!error.empty()) {
    std::cerr << "circmatch: " << error << " (see circmatch --help)" << std::endl;
    return kExitUsage;
  }
  if (flags.help || (!args.empty() && args[0] == "help")) {
    std::cout << kHelp;
    return 0;
  }
  if (args.empty()) {
    std::cerr << kHelp;
    return kExitUsage;
  }
  if (flags.server.empty()) {
    const char* env = std::getenv("CIRCMATCH_SERVER");
    flags.server = (env != nullptr && *env != '\0') ? env : "localhost:50051";
  }
  for (auto [value, name] :
       {std::pair{&flags.api_key, "CIRCMATCH_API_KEY"}, std::pair{&flags.tls_ca_file, "CIRCMATCH_TLS_CA_FILE"}}) {
    const char* env = std::getenv(name);
    if (value->empty() && env != nullptr) *value = env;
  }
  const std::string& command = args[0];
  if (command == "list") {
    if (args.size() != 1) {
      std::cerr << "circmatch list: takes no arguments" << std::endl;
      return kExitUsage;
    }
    return RunList();
  }
  if (command == "import") {
    if (args.size() != 2) {
      std::cerr << "circmatch import: usage: circmatch import FILE.jsonl [--batch=N] (FILE may be - for stdin)"
                << std::endl;
      return kExitUsage;
    }
    return RunImport(flags, args[1]);
  }
  if (command == "export") {
    if (args.size() != 1) {
      std::cerr << "circmatch export: usage: circmatch export [--kind=KIND] [--owner=OWNER] > out.jsonl" << std::endl;
      return kExitUsage;
    }
    return RunExport(flags);
  }
  if (command == "gap-report") {
    if (args.size() != 1) {
      std::cerr << "circmatch gap-report: usage: circmatch gap-report [--province=P | --corop=C | --municipality=M | "
                   "--tag=T] [--format=table|csv|json] (see circmatch --help)"
                << std::endl;
      return kExitUsage;
    }
    return RunGapReport(flags);
  }
  if (command == "suggest-codes") {
    if (args.size() < 2) {
      std::cerr << "circmatch suggest-codes: usage: circmatch suggest-codes TEXT [--max_suggestions=N] "
                   "(TEXT may be @FILE or - for stdin)"
                << std::endl;
      return kExitUsage;
    }
    return RunSuggestCodes(flags, std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (command == "eval" || command == "fit") {
    if (args.size() != 2) {
      std::cerr << "circmatch " << command << ": usage: circmatch " << command
                << " JUDGMENTS.jsonl [--split=S] [--k=N] (see circmatch --help)" << std::endl;
      return kExitUsage;
    }
    return command == "eval" ? RunEval(flags, args[1]) : RunFit(flags, args[1]);
  }
  if (args.size() > 2) {
    std::cerr << "circmatch: too many arguments; quote the JSON request (see circmatch --help)" << std::endl;
    return kExitUsage;
  }
  return RunMethod(flags, command, args.size() == 2 ? args[1] : "{}");
}
