#include "service/http/http_gateway.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "circmatch/v1/feedback_service.grpc.pb.h"
#include "circmatch/v1/insights_service.grpc.pb.h"
#include "circmatch/v1/market_day_service.grpc.pb.h"
#include "circmatch/v1/matching_service.grpc.pb.h"
#include "circmatch/v1/pairing_service.grpc.pb.h"
#include "circmatch/v1/profile_service.grpc.pb.h"
#include "circmatch/v1/rank_profile_service.grpc.pb.h"
#include "circmatch/v1/vocabulary_service.grpc.pb.h"
#include "google/api/annotations.pb.h"
#include "service/convert/status_mapping.h"

namespace circmatch::service {
namespace {

namespace pb = google::protobuf;

constexpr std::chrono::seconds kDefaultDeadline(60);

std::string PercentDecode(absl::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    int high = 0, low = 0;
    if (c == '%' && i + 2 < text.size() && absl::ascii_isxdigit(text[i + 1]) && absl::ascii_isxdigit(text[i + 2])) {
      high = absl::ascii_isdigit(text[i + 1]) ? text[i + 1] - '0' : (absl::ascii_tolower(text[i + 1]) - 'a' + 10);
      low = absl::ascii_isdigit(text[i + 2]) ? text[i + 2] - '0' : (absl::ascii_tolower(text[i + 2]) - 'a' + 10);
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The length of the UTF-8 character at text[i] as protobuf takes it (shortest form, no surrogates, at most
// U+10FFFF), or 0 when the bytes there are not one.
size_t Utf8Length(absl::string_view text, size_t i) {
  if (i >= text.size()) return 0;
  const auto byte = [&](size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
  const auto continuation = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return continuation(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char low = c == 0xE0 ? 0xA0 : 0x80, high = c == 0xED ? 0x9F : 0xBF;
    return byte(1) >= low && byte(1) <= high && continuation(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char low = c == 0xF0 ? 0x90 : 0x80, high = c == 0xF4 ? 0x8F : 0xBF;
    return byte(1) >= low && byte(1) <= high && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// Sets the field at `path` ("ref.id", "filter.required_certifications") of `message` from text, as a path
// variable or query parameter gives it: strings when UTF-8 (as proto strings must be), other scalars parsed by
// type, enums by name or number, repeated fields appended to. INVALID_ARGUMENT naming the parameter otherwise.
// The fields along the path go to *along.
absl::Status SetByPath(pb::Message* message, const std::string& path, const std::string& value,
                       std::vector<const pb::FieldDescriptor*>* along) {
  const std::vector<std::string> names = absl::StrSplit(path, '.');
  pb::Message* target = message;
  along->clear();
  for (size_t i = 0; i < names.size(); ++i) {
    const pb::Descriptor* type = target->GetDescriptor();
    const pb::FieldDescriptor* field = type->FindFieldByName(names[i]);
    if (field == nullptr) field = type->FindFieldByCamelcaseName(names[i]);
    if (field == nullptr) return absl::InvalidArgumentError(absl::StrCat(path, ": no such field"));
    along->push_back(field);
    const pb::Reflection* reflection = target->GetReflection();
    if (i + 1 < names.size()) {
      if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": ", names[i], " has no fields"));
      }
      target = reflection->MutableMessage(target, field);
      continue;
    }
    const bool repeated = field->is_repeated();
    const auto bad = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected ", what, ", got \"", value, "\""));
    };
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
          for (size_t k = 0; k < value.size();) {
            const size_t length = Utf8Length(value, k);
            if (length == 0) return bad("UTF-8 text");
            k += length;
          }
        }
        repeated ? reflection->AddString(target, field, value) : reflection->SetString(target, field, value);
        return absl::OkStatus();
      case pb::FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        if (!absl::SimpleAtoi(value, &v)) return bad("an integer");
        repeated ? reflection->AddInt32(target, field, v) : reflection->SetInt32(target, field, v);
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        if (!absl::SimpleAtoi(value, &v)) return bad("an integer");
        repeated ? reflection->AddInt64(target, field, v) : reflection->SetInt64(target, field, v);
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        if (!absl::SimpleAtoi(value, &v)) return bad("a non-negative integer");
        repeated ? reflection->AddUInt32(target, field, v) : reflection->SetUInt32(target, field, v);
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v;
        if (!absl::SimpleAtoi(value, &v)) return bad("a non-negative integer");
        repeated ? reflection->AddUInt64(target, field, v) : reflection->SetUInt64(target, field, v);
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      case pb::FieldDescriptor::CPPTYPE_FLOAT: {
        double v;
        if (!absl::SimpleAtod(value, &v)) return bad("a number");
        if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_FLOAT) {
          repeated ? reflection->AddFloat(target, field, static_cast<float>(v))
                   : reflection->SetFloat(target, field, static_cast<float>(v));
        } else {
          repeated ? reflection->AddDouble(target, field, v) : reflection->SetDouble(target, field, v);
        }
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        const std::string lower = absl::AsciiStrToLower(value);
        if (lower != "true" && lower != "false") return bad("true or false");
        repeated ? reflection->AddBool(target, field, lower == "true")
                 : reflection->SetBool(target, field, lower == "true");
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const pb::EnumValueDescriptor* e = field->enum_type()->FindValueByName(value);
        int number;
        if (e == nullptr && absl::SimpleAtoi(value, &number)) e = field->enum_type()->FindValueByNumber(number);
        if (e == nullptr) return bad(absl::StrCat("a value of ", field->enum_type()->full_name()));
        repeated ? reflection->AddEnum(target, field, e) : reflection->SetEnum(target, field, e);
        return absl::OkStatus();
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return absl::InvalidArgumentError(absl::StrCat(path, ": a message; send it in the JSON body"));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(path, ": empty field path"));
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = std::move(body);
  return response;
}

// A JSON string of `text`. Messages echo what the client sent (a path, a parameter, a part of the body), which
// need not be UTF-8: a byte that is not is written as U+FFFD, so the body is always JSON.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t length = Utf8Length(text, i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrCat("\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

HttpResponse ErrorResponse(grpc::StatusCode code, absl::string_view message) {
  return JsonResponse(HttpStatusOf(code), absl::StrCat("{\"code\": ", static_cast<int>(code), ", \"status\": \"",
                                                       StatusCodeName(static_cast<int>(code)),
                                                       "\", \"message\": ", JsonString(message), "}\n"));
}

}  // namespace

std::vector<std::string> ApiServiceNames() {
  return {v1::ProfileService::service_full_name(),     v1::MatchingService::service_full_name(),
          v1::PairingService::service_full_name(),     v1::MarketDayService::service_full_name(),
          v1::VocabularyService::service_full_name(),  v1::FeedbackService::service_full_name(),
          v1::RankProfileService::service_full_name(), v1::InsightsService::service_full_name()};
}

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Create(std::shared_ptr<grpc::Channel> channel,
                                                                 const std::vector<std::string>& service_names,
                                                                 Authenticator* authenticator) {
  if (authenticator == nullptr) return absl::InvalidArgumentError("HttpGateway: no authenticator");
  std::unique_ptr<HttpGateway> gateway(new HttpGateway(std::move(channel), authenticator));
  for (const std::string& name : service_names) {
    const pb::ServiceDescriptor* service = pb::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown service ", name));
    for (int m = 0; m < service->method_count(); ++m) {
      const pb::MethodDescriptor* method = service->method(m);
      if (!method->options().HasExtension(google::api::http)) continue;
      if (method->client_streaming() || method->server_streaming()) continue;  // gRPC only
      const google::api::HttpRule& rule = method->options().GetExtension(google::api::http);
      Route route;
      route.method = method;
      route.body = rule.body();
      std::string path;
      switch (rule.pattern_case()) {
        case google::api::HttpRule::kGet:
          route.verb = "GET";
          path = rule.get();
          break;
        case google::api::HttpRule::kPost:
          route.verb = "POST";
          path = rule.post();
          break;
        case google::api::HttpRule::kPut:
          route.verb = "PUT";
          path = rule.put();
          break;
        case google::api::HttpRule::kDelete:
          route.verb = "DELETE";
          path = rule.delete_();
          break;
        case google::api::HttpRule::kPatch:
          route.verb = "PATCH";
          path = rule.patch();
          break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(method->full_name(), ": unsupported google.api.http rule"));
      }
      if (path.empty() || path[0] != '/') {
        return absl::InvalidArgumentError(absl::StrCat(method->full_name(), ": path must start with /"));
      }
      for (absl::string_view part : absl::StrSplit(absl::string_view(path).substr(1), '/')) {
        Segment segment;
        if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
          segment.variable = std::string(part.substr(1, part.size() - 2));
        } else {
          segment.literal = std::string(part);
        }
        route.segments.push_back(std::move(segment));
      }
      gateway->routes_.push_back(std::move(route));
    }
  }
  return gateway;
}

std::vector<std::string> HttpGateway::RouteTable() const {
  std::vector<std::string> lines;
  for (const Route& route : routes_) {
    std::vector<std::string> parts;
    for (const Segment& s : route.segments) parts.push_back(s.variable.empty() ? s.literal : "{" + s.variable + "}");
    lines.push_back(absl::StrCat(route.verb, " /", absl::StrJoin(parts, "/"), " -> ", route.method->full_name()));
  }
  return lines;
}

const HttpGateway::Route* HttpGateway::FindRoute(const HttpRequest& request,
                                                 std::vector<std::pair<std::string, std::string>>* variables,
                                                 HttpResponse* error) const {
  if (request.path.empty() || request.path[0] != '/') {
    *error =
        ErrorResponse(grpc::StatusCode::NOT_FOUND, absl::StrCat("no API route ", request.method, " ", request.path));
    return nullptr;
  }
  const std::vector<std::string> parts = absl::StrSplit(absl::string_view(request.path).substr(1), '/');
  bool path_known = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::vector<std::pair<std::string, std::string>> captured;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      if (route.segments[i].variable.empty()) {
        match = route.segments[i].literal == parts[i];
      } else if (parts[i].empty()) {
        match = false;
      } else {
        captured.emplace_back(route.segments[i].variable, PercentDecode(parts[i], false));
      }
    }
    if (!match) continue;
    path_known = true;
    if (route.verb != request.method) continue;
    *variables = std::move(captured);
    return &route;
  }
  if (path_known) {
    *error = ErrorResponse(grpc::StatusCode::UNIMPLEMENTED,
                           absl::StrCat(request.method, " is not allowed on ", request.path));
    error->status = 405;
  } else {
    *error =
        ErrorResponse(grpc::StatusCode::NOT_FOUND, absl::StrCat("no API route ", request.method, " ", request.path));
  }
  return nullptr;
}

std::optional<HttpResponse> HttpGateway::Admit(const HttpRequest& head) const {
  std::vector<std::pair<std::string, std::string>> variables;
  HttpResponse error;
  if (FindRoute(head, &variables, &error) == nullptr) return error;
  std::optional<absl::string_view> authorization;
  if (auto it = head.headers.find("authorization"); it != head.headers.end()) authorization = it->second;
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(authorization);
  if (!caller.ok()) {
    return ErrorResponse(static_cast<grpc::StatusCode>(caller.status().code()), caller.status().message());
  }
  return std::nullopt;
}

std::variant<HttpGateway::Call, HttpResponse> HttpGateway::Translate(const HttpRequest& request) const {
  std::vector<std::pair<std::string, std::string>> variables;
  HttpResponse error;
  const Route* found = FindRoute(request, &variables, &error);
  if (found == nullptr) return error;

  std::unique_ptr<pb::Message> message(
      pb::MessageFactory::generated_factory()->GetPrototype(found->method->input_type())->New());
  if (found->body == "*" && !absl::StripAsciiWhitespace(request.body).empty()) {
    pb::util::JsonParseOptions options;
    const auto parsed = pb::util::JsonStringToMessage(request.body, message.get(), options);
    if (!parsed.ok()) {
      return ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                           absl::StrCat("body: not a ", found->method->input_type()->full_name(),
                                        " in JSON: ", parsed.message().as_string()));
    }
  }
  // The fields the path sets: the path names the resource, so no query parameter sets them again.
  std::vector<std::vector<const pb::FieldDescriptor*>> bound(variables.size());
  for (size_t i = 0; i < variables.size(); ++i) {
    const auto& [path, value] = variables[i];
    if (absl::Status s = SetByPath(message.get(), path, value, &bound[i]); !s.ok()) {
      return ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, s.message());
    }
  }
  // A route whose body is the whole request takes no query parameters (google/api/http.proto): one would set
  // again, unseen, a field the body already gives.
  if (found->body == "*" && !request.query.empty()) {
    return ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                         "query: this call takes its fields in the JSON body, not as query parameters");
  }
  if (!request.query.empty()) {
    std::vector<const pb::FieldDescriptor*> along;
    for (absl::string_view pair : absl::StrSplit(request.query, '&', absl::SkipEmpty())) {
      const size_t eq = pair.find('=');
      const std::string name = PercentDecode(pair.substr(0, eq), true);
      const std::string value = eq == absl::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
      absl::Status s = SetByPath(message.get(), name, value, &along);
      if (std::find(bound.begin(), bound.end(), along) != bound.end()) {
        s = absl::InvalidArgumentError(absl::StrCat(name, ": set by the path, not a query parameter"));
      }
      if (!s.ok()) return ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, s.message());
    }
  }

  Call call;
  call.method = found->method;
  call.request = std::move(message);
  return call;
}

HttpResponse HttpGateway::Handle(const HttpRequest& request) const {
  std::variant<Call, HttpResponse> translated = Translate(request);
  if (HttpResponse* error = std::get_if<HttpResponse>(&translated)) return std::move(*error);
  const Call& call = std::get<Call>(translated);
  if (channel_ == nullptr) return ErrorResponse(grpc::StatusCode::UNAVAILABLE, "no gRPC channel to call");

  std::string serialized;
  call.request->SerializeToString(&serialized);
  grpc::Slice slice(serialized);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kDefaultDeadline);
  if (auto it = request.headers.find("authorization"); it != request.headers.end()) {
    context.AddMetadata("authorization", it->second);
  }
  grpc::Status status;
  absl::Notification done;
  stub_.UnaryCall(&context, absl::StrCat("/", call.method->service()->full_name(), "/", call.method->name()),
                  grpc::StubOptions(), &request_buffer, &response_buffer, [&](grpc::Status s) {
                    status = std::move(s);
                    done.Notify();
                  });
  done.WaitForNotification();
  if (!status.ok()) return ErrorResponse(status.error_code(), status.error_message());

  std::unique_ptr<pb::Message> response(
      pb::MessageFactory::generated_factory()->GetPrototype(call.method->output_type())->New());
  std::vector<grpc::Slice> slices;
  response_buffer.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (!response->ParseFromString(bytes)) {
    return ErrorResponse(grpc::StatusCode::INTERNAL, "the response did not parse");
  }
  std::string json;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)pb::util::MessageToJsonString(*response, &json, options);
  return JsonResponse(200, json);
}

}  // namespace circmatch::service
