// The HTTP request -> proto path of the HTTP/JSON gateway (service/http/http_gateway.h), without a server: the route of
// the verb and path, the path variables (percent-decoded) into the fields they name, the query parameters into
// fields (scalars by type, enums by name or number, repeated fields appended to), the JSON body into the routed
// method's request message (HttpGateway::Translate, and Handle on a gateway without a channel), and what the
// server checks from a request's head before it reads the body (Admit: the route, then the API key of the
// Authorization header, against a key file of one known key).
//
// Input: a request as text, lines ending in "\n" (a "\r" before it is dropped, so CRLF reads the same):
//   VERB TARGET           the request line; TARGET is the path, then '?' and the query string, as sent (a
//                         " HTTP/1.1" after it is left out)
//   name: value           header lines up to the first empty line, as the HTTP server hands them over: the name
//   ...                   lower-cased, the value trimmed, the last of a repeated name kept; a line without ':'
//                         is skipped
//   (empty line)
//   body                  the rest
//
// Besides crashes and sanitizer reports, checks:
//   - a path no route has is 404 NOT_FOUND, a path routed for other verbs only is 405, from Admit and Translate
//     alike (the routes are read here from the google.api.http annotations, apart from the gateway);
//   - Admit lets a routed request through exactly when it carries the known key ("Bearer " and kKey below),
//     else 401;
//   - a translated request is a message of the routed method's input type that serializes and parses back
//     equal, and each path variable's field holds the variable's percent-decoded value;
//   - every error is a JSON object of code, status (the code's name) and message, with the HTTP status
//     HttpStatusOf(code) (405 and UNIMPLEMENTED for a verb the path is not routed for), and a routed request
//     fails only with INVALID_ARGUMENT;
//   - Handle gives Translate's error, or 503 UNAVAILABLE (no channel) for a request that translates.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "circmatch/v1/feedback_service.pb.h"
#include "circmatch/v1/insights_service.pb.h"
#include "circmatch/v1/market_day_service.pb.h"
#include "circmatch/v1/matching_service.pb.h"
#include "circmatch/v1/pairing_service.pb.h"
#include "circmatch/v1/profile_service.pb.h"
#include "circmatch/v1/rank_profile_service.pb.h"
#include "circmatch/v1/vocabulary_service.pb.h"
#include "fuzz/fuzz_util.h"
#include "google/api/annotations.pb.h"
#include "service/auth/authenticator.h"
#include "service/convert/status_mapping.h"
#include "service/http/http_gateway.h"
#include "service/http/http_server.h"

namespace {

namespace pb = google::protobuf;
using circmatch::service::Authenticator;
using circmatch::service::HttpGateway;
using circmatch::service::HttpRequest;
using circmatch::service::HttpResponse;
using circmatch::service::HttpStatusOf;

// The one key of the fixture's key file: fixed, so that seeds can carry it.
constexpr char kKeyId[] = "0123456789ab";
constexpr char kKey[] = "cmk_0123456789ab_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

// A route as the annotation gives it: "{ref.id}" segments are variables.
struct Template {
  std::string verb;
  std::vector<std::string> segments;
  const pb::MethodDescriptor* method = nullptr;
};

struct Fixture {
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<HttpGateway> gateway;
  std::vector<Template> templates;
};

// A key file that holds kKey, written to a temporary folder, read, and removed: the authenticator keeps the last
// keys it read when the file is gone.
std::unique_ptr<Authenticator> MakeAuthenticator() {
  std::string secret(32, '\0');
  for (int i = 0; i < 32; ++i) secret[i] = static_cast<char>(i);
  if (absl::StrCat("cmk_", kKeyId, "_", absl::WebSafeBase64Escape(secret)) != kKey) std::abort();
  const std::string salt(16, 's');
  const std::string salted = salt + secret;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(salted.data()), salted.size(), digest);
  char dir[] = "/tmp/http_request_fuzzer.XXXXXX";
  if (mkdtemp(dir) == nullptr) std::abort();
  const std::string path = absl::StrCat(dir, "/keys");
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) std::abort();
  std::fprintf(file, "%s fuzz-partner %s %s 1700000000 0\n", kKeyId, absl::BytesToHexString(salt).c_str(),
               absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest)).c_str());
  std::fclose(file);
  absl::StatusOr<std::unique_ptr<Authenticator>> authenticator = Authenticator::FromKeyFile(path);
  unlink(path.c_str());
  rmdir(dir);
  if (!authenticator.ok()) {
    std::fprintf(stderr, "%s\n", authenticator.status().ToString().c_str());
    std::abort();
  }
  return *std::move(authenticator);
}

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    auto* f = new Fixture;
    f->authenticator = MakeAuthenticator();
    // A generated file's descriptors are in the pool only when the file is linked: one message of each names it.
    (void)circmatch::v1::ScheduleMeetingsRequest::descriptor();
    (void)circmatch::v1::SuggestSuppliersRequest::descriptor();
    (void)circmatch::v1::PairBuddiesRequest::descriptor();
    (void)circmatch::v1::GetProfileRequest::descriptor();
    (void)circmatch::v1::ListVocabularyRequest::descriptor();
    (void)circmatch::v1::RecordFeedbackRequest::descriptor();
    (void)circmatch::v1::FitRankProfileRequest::descriptor();
    (void)circmatch::v1::GapReportRequest::descriptor();
    const std::vector<std::string> names = circmatch::service::ApiServiceNames();
    absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = HttpGateway::Create(nullptr, names, f->authenticator.get());
    if (!gateway.ok()) {
      std::fprintf(stderr, "%s\n", gateway.status().ToString().c_str());
      std::abort();
    }
    f->gateway = *std::move(gateway);
    for (const std::string& name : names) {
      const pb::ServiceDescriptor* service = pb::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (service == nullptr) std::abort();
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        if (!method->options().HasExtension(google::api::http)) continue;
        if (method->client_streaming() || method->server_streaming()) continue;
        const google::api::HttpRule& rule = method->options().GetExtension(google::api::http);
        Template t;
        t.method = method;
        std::string path;
        switch (rule.pattern_case()) {
          case google::api::HttpRule::kGet:
            t.verb = "GET";
            path = rule.get();
            break;
          case google::api::HttpRule::kPost:
            t.verb = "POST";
            path = rule.post();
            break;
          case google::api::HttpRule::kPut:
            t.verb = "PUT";
            path = rule.put();
            break;
          case google::api::HttpRule::kDelete:
            t.verb = "DELETE";
            path = rule.delete_();
            break;
          case google::api::HttpRule::kPatch:
            t.verb = "PATCH";
            path = rule.patch();
            break;
          default:
            std::abort();
        }
        if (path.empty() || path[0] != '/') std::abort();
        t.segments = absl::StrSplit(path.substr(1), '/');
        f->templates.push_back(std::move(t));
      }
    }
    if (f->templates.size() != f->gateway->RouteTable().size()) std::abort();
    return f;
  }();
  return *fixture;
}

HttpRequest ReadRequest(absl::string_view input) {
  HttpRequest request;
  bool first = true;
  while (!input.empty()) {
    const size_t newline = input.find('\n');
    absl::string_view line = input.substr(0, newline);
    input = newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);
    absl::ConsumeSuffix(&line, "\r");
    if (first) {
      first = false;
      const size_t space = line.find(' ');
      request.method = std::string(line.substr(0, space));
      absl::string_view target = space == absl::string_view::npos ? "" : line.substr(space + 1);
      target = target.substr(0, target.find(' '));  // without the protocol version, when there is one
      const size_t question = target.find('?');
      request.path = std::string(target.substr(0, question));
      if (question != absl::string_view::npos) request.query = std::string(target.substr(question + 1));
      continue;
    }
    if (line.empty()) {
      request.body = std::string(input);
      break;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    request.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return request;
}

// %XX (two hex digits) as the byte, anything else as it is.
std::string PercentDecoded(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && absl::ascii_isxdigit(text[i + 1]) &&
        absl::ascii_isxdigit(text[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string Describe(const HttpRequest& request) {
  return absl::StrCat(absl::CEscape(request.method), " ", absl::CEscape(request.path), "?",
                      absl::CEscape(request.query));
}

// An error response: a JSON object of exactly code, status and message, whose HTTP status maps from the code
// (405 for UNIMPLEMENTED when a verb is not routed). Returns the code.
int CheckError(const HttpResponse& response, const HttpRequest& request) {
  const std::string context =
      absl::StrCat(Describe(request), " -> ", response.status, " ", absl::CEscape(response.body));
  CIRCMATCH_FUZZ_CHECK(response.content_type == "application/json; charset=utf-8", context);
  pb::Struct body;
  const auto parsed = pb::util::JsonStringToMessage(response.body, &body);
  CIRCMATCH_FUZZ_CHECK(parsed.ok(), absl::StrCat(context, ": ", parsed.ToString()));
  const auto& fields = body.fields();
  CIRCMATCH_FUZZ_CHECK(fields.size() == 3 && fields.count("code") && fields.count("status") && fields.count("message"),
                       context);
  const pb::Value& code = fields.at("code");
  CIRCMATCH_FUZZ_CHECK(code.kind_case() == pb::Value::kNumberValue && code.number_value() >= 1 &&
                           code.number_value() <= 16 && std::floor(code.number_value()) == code.number_value(),
                       context);
  const int number = static_cast<int>(code.number_value());
  CIRCMATCH_FUZZ_CHECK(fields.at("status").kind_case() == pb::Value::kStringValue &&
                           fields.at("status").string_value() == circmatch::service::StatusCodeName(number),
                       context);
  CIRCMATCH_FUZZ_CHECK(fields.at("message").kind_case() == pb::Value::kStringValue, context);
  const int expected = HttpStatusOf(static_cast<grpc::StatusCode>(number));
  CIRCMATCH_FUZZ_CHECK(response.status == expected || (response.status == 405 && number == 12),
                       absl::StrCat(context, ": expected HTTP ", expected));
  return number;
}

bool SameResponse(const HttpResponse& a, const HttpResponse& b) {
  return a.status == b.status && a.content_type == b.content_type && a.headers == b.headers && a.body == b.body;
}

// The field that a path variable names ("ref.id"), or null when the path does not lead to a singular string.
const pb::FieldDescriptor* StringField(const pb::Message& message, absl::string_view path, const pb::Message** owner) {
  const pb::Message* at = &message;
  const std::vector<absl::string_view> names = absl::StrSplit(path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const pb::FieldDescriptor* field = at->GetDescriptor()->FindFieldByName(std::string(names[i]));
    if (field == nullptr || field->is_repeated()) return nullptr;
    if (i + 1 == names.size()) {
      *owner = at;
      return field->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING ? field : nullptr;
    }
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
    at = &at->GetReflection()->GetMessage(*at, field);
  }
  return nullptr;
}

void CheckCall(const HttpGateway::Call& call, const HttpRequest& request, const std::vector<std::string>& parts,
               const std::vector<const Template*>& candidates) {
  const std::string context = Describe(request);
  const Template* routed = nullptr;
  for (const Template* t : candidates) {
    if (t->method == call.method) routed = t;
  }
  CIRCMATCH_FUZZ_CHECK(routed != nullptr, absl::StrCat(context, " went to ", call.method->full_name()));
  CIRCMATCH_FUZZ_CHECK(call.request != nullptr && call.request->GetDescriptor() == call.method->input_type(),
                       absl::StrCat(context, ": not a ", call.method->input_type()->full_name()));

  std::string bytes;
  CIRCMATCH_FUZZ_CHECK(call.request->SerializeToString(&bytes), context);
  std::unique_ptr<pb::Message> again(call.request->New());
  CIRCMATCH_FUZZ_CHECK(again->ParseFromString(bytes),
                       absl::StrCat(context, ": ", call.request->ShortDebugString(), " does not parse back"));
  pb::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  pb::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  CIRCMATCH_FUZZ_CHECK(
      differencer.Compare(*call.request, *again),
      absl::StrCat(context, ": ", call.request->ShortDebugString(), " parses back as ", again->ShortDebugString()));

  for (size_t i = 0; i < routed->segments.size(); ++i) {
    const std::string& segment = routed->segments[i];
    if (segment.size() < 2 || segment.front() != '{' || segment.back() != '}') continue;
    const std::string variable = segment.substr(1, segment.size() - 2);
    const pb::Message* owner = nullptr;
    const pb::FieldDescriptor* field = StringField(*call.request, variable, &owner);
    if (field == nullptr) continue;
    const std::string value = owner->GetReflection()->GetString(*owner, field);
    CIRCMATCH_FUZZ_CHECK(value == PercentDecoded(parts[i]),
                         absl::StrCat(context, ": ", variable, " is \"", absl::CEscape(value), "\""));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  (void)GetFixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  const HttpRequest request = ReadRequest(absl::string_view(reinterpret_cast<const char*>(data), size));
  const std::string context = Describe(request);

  // The routes of the path, and those of them for the verb.
  std::vector<std::string> parts;
  std::vector<const Template*> on_path, candidates;
  if (!request.path.empty() && request.path[0] == '/') {
    parts = absl::StrSplit(absl::string_view(request.path).substr(1), '/');
    for (const Template& t : f.templates) {
      bool match = t.segments.size() == parts.size();
      for (size_t i = 0; match && i < parts.size(); ++i) {
        const std::string& s = t.segments[i];
        match = !s.empty() && s.front() == '{' ? !parts[i].empty() : s == parts[i];
      }
      if (!match) continue;
      on_path.push_back(&t);
      if (t.verb == request.method) candidates.push_back(&t);
    }
  }

  // The head, as the server has it before the body.
  HttpRequest head = request;
  head.body.clear();
  const std::optional<HttpResponse> refusal = f.gateway->Admit(head);
  const auto authorization = request.headers.find("authorization");
  const bool known_key =
      authorization != request.headers.end() && (authorization->second == absl::StrCat("Bearer ", kKey) ||
                                                 authorization->second == absl::StrCat("bearer ", kKey));
  if (candidates.empty()) {
    CIRCMATCH_FUZZ_CHECK(refusal.has_value(), absl::StrCat(context, " was admitted"));
    const int code = CheckError(*refusal, request);
    CIRCMATCH_FUZZ_CHECK(on_path.empty() ? refusal->status == 404 && code == 5 : refusal->status == 405,
                         absl::StrCat(context, ": ", refusal->status, " ", absl::CEscape(refusal->body)));
  } else if (known_key) {
    CIRCMATCH_FUZZ_CHECK(!refusal.has_value(),
                         absl::StrCat(context, ": ", refusal->status, " ", absl::CEscape(refusal->body)));
  } else {
    CIRCMATCH_FUZZ_CHECK(refusal.has_value(), absl::StrCat(context, " was admitted without the key"));
    CIRCMATCH_FUZZ_CHECK(CheckError(*refusal, request) == 16,
                         absl::StrCat(context, ": ", absl::CEscape(refusal->body)));
  }

  std::variant<HttpGateway::Call, HttpResponse> translated = f.gateway->Translate(request);
  const HttpResponse handled = f.gateway->Handle(request);
  if (const HttpResponse* error = std::get_if<HttpResponse>(&translated)) {
    const int code = CheckError(*error, request);
    if (candidates.empty()) {
      CIRCMATCH_FUZZ_CHECK(refusal.has_value() && SameResponse(*error, *refusal),
                           absl::StrCat(context, ": Translate ", absl::CEscape(error->body)));
    } else {
      CIRCMATCH_FUZZ_CHECK(code == 3, absl::StrCat(context, ": ", absl::CEscape(error->body)));
    }
    CIRCMATCH_FUZZ_CHECK(SameResponse(handled, *error),
                         absl::StrCat(context, ": Handle ", absl::CEscape(handled.body)));
    return 0;
  }
  CIRCMATCH_FUZZ_CHECK(!candidates.empty(), absl::StrCat(context, " translated"));
  CheckCall(std::get<HttpGateway::Call>(translated), request, parts, candidates);
  CIRCMATCH_FUZZ_CHECK(CheckError(handled, request) == 14,
                       absl::StrCat(context, ": Handle ", absl::CEscape(handled.body)));
  return 0;
}
