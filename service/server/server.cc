#include "service/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/logging.h"
#include "service/common/private_files.h"
#include "service/convert/status_mapping.h"
#include "service/http/static_files.h"
#include "service/server/sample_data.h"
#include "service/store/postgres_profile_store.h"
#include "service/store/sqlite_profile_store.h"

namespace circmatch::service {

std::string PrintableAddress(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") host = "127.0.0.1";
  return absl::StrCat(host, ":", port);
}

namespace {

absl::StatusOr<std::string> ReadPemFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(flag, ": cannot read \"", path, "\""));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": \"", path, "\" is not PEM"));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const ServerOptions& options) {
  if (options.tls_cert_file.empty()) {
    CIRCMATCH_LOG(kWarning) << "no TLS: the port speaks plaintext; give --tls_cert_file and --tls_key_file "
                               "unless a proxy in front terminates TLS";
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadPemFile("--tls_cert_file", options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile("--tls_key_file", options.tls_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!options.tls_client_ca_file.empty()) {
    absl::StatusOr<std::string> roots = ReadPemFile("--tls_client_ca_file", options.tls_client_ca_file);
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *roots;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  CIRCMATCH_LOG(kInfo) << "TLS on" << (options.tls_client_ca_file.empty() ? "" : ", client certificates required");
  return grpc::SslServerCredentials(ssl);
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  const absl::Time start = absl::Now();
  std::unique_ptr<Server> server(new Server());
  server->default_grace_ = options.shutdown_grace;
  // Each step uses what the steps before it made; the first error stops the start.
  using Step = absl::Status (Server::*)(const ServerOptions&);
  for (const Step step : {&Server::CheckCredentials, &Server::LoadVocabulary, &Server::OpenStore, &Server::OpenAuditLog,
                          &Server::RebuildIndex, &Server::LoadSampleData, &Server::CreateServices, &Server::StartGrpc,
                          &Server::StartHttpApi, &Server::StartMetrics}) {
    if (absl::Status status = (server.get()->*step)(options); !status.ok()) return status;
  }
  CIRCMATCH_LOG(kInfo) << "serving on " << options.listen << " (port " << server->port_ << "), "
                       << server->index_->Count(ProfileKind::kTender) << " tenders, "
                       << server->index_->Count(ProfileKind::kBuyer) << " buyers, "
                       << server->index_->Count(ProfileKind::kSupplier) << " suppliers, "
                       << server->index_->Count(ProfileKind::kBuddy) << " buddies; started in " << absl::Now() - start;
  return server;
}

namespace {

// The circmatch.v1 services (also routed by the HTTP gateway) and health: what the server serves.
std::vector<std::string> ServedServiceNames() {
  std::vector<std::string> served = ApiServiceNames();
  served.push_back(grpc::health::v1::Health::service_full_name());
  return served;
}

// The limits both HTTP ports share.
HttpServerOptions HttpLimits(const ServerOptions& options) {
  HttpServerOptions limits;
  limits.max_connections = options.http_max_connections;
  limits.max_connections_per_ip = options.http_max_connections_per_ip;
  limits.header_timeout = absl::Milliseconds(options.http_header_timeout_ms);
  return limits;
}

}  // namespace

absl::Status Server::CheckCredentials(const ServerOptions& options) {
  if (options.allow_unauthenticated) {
    authenticator_ = Authenticator::WithoutKeys();
    CIRCMATCH_LOG(kWarning) << "DEVELOPMENT MODE: --allow_unauthenticated is on. Every caller is the partner "
                               "\"local\", so anyone who reaches the port reads and changes its profiles. Never run "
                               "like this with real data.";
  } else {
    absl::StatusOr<std::unique_ptr<Authenticator>> authenticator = Authenticator::FromKeyFile(options.api_keys_file);
    if (!authenticator.ok()) return authenticator.status();
    authenticator_ = *std::move(authenticator);
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentialsFor(options);
  if (!credentials.ok()) return credentials.status();
  credentials_ = *std::move(credentials);
  return absl::OkStatus();
}

absl::Status Server::LoadVocabulary(const ServerOptions& options) {
  const std::string vocabulary_dir = ResolveVocabularyDir(options.vocabulary_dir);
  const std::string from = absl::StrCat("loading the vocabulary from \"", vocabulary_dir, "\": ");
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(vocabulary_dir);
  if (!vocabulary.ok()) return PrefixStatus(from, vocabulary.status());
  vocabulary_ = *std::move(vocabulary);
  const Vocabulary& vocab = *vocabulary_;
  CIRCMATCH_LOG(kInfo) << "vocabulary from " << vocabulary_dir << ": " << vocab.cpv_codes().size() << " CPV codes, "
                       << vocab.municipalities().size() << " municipalities, " << vocab.strategies().size()
                       << " strategies, " << vocab.materials().size() << " materials, " << vocab.certifications().size()
                       << " certifications, " << vocab.phases().size() << " phases, " << vocab.topics().size()
                       << " topics";
  absl::StatusOr<std::vector<CpvSynonyms>> synonyms = LoadCpvSynonyms(vocabulary_dir, vocab);
  if (!synonyms.ok()) return PrefixStatus(from, synonyms.status());
  code_suggester_ = std::make_unique<CodeSuggester>(&vocab, *synonyms);
  return absl::OkStatus();
}

absl::Status Server::OpenStore(const ServerOptions& options) {
  IndexOptions index_options;
  index_options.embedding_dimension = options.embedding_dimension;
  // The store holds every profile: the index keeps what it scores with, and the calls read the k profiles they
  // answer with from the store (StoredProfiles) rather than from a second copy of all of them in memory.
  index_options.keep_profiles = false;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(index_options, vocabulary_.get());
  if (!index.ok()) return PrefixStatus("creating the index: ", index.status());
  index_ = *std::move(index);

  if (options.store == "sqlite") {
    absl::StatusOr<std::unique_ptr<SqliteProfileStore>> store = SqliteProfileStore::Open(options.data_dir);
    if (!store.ok()) return PrefixStatus("opening the profile store: ", store.status());
    CIRCMATCH_LOG(kInfo) << "profile store " << (*store)->path();
    store_ = *std::move(store);
  } else {
    absl::StatusOr<std::unique_ptr<PostgresProfileStore>> store = PostgresProfileStore::Open(options.store);
    if (!store.ok()) return PrefixStatus("--store: ", store.status());
    CIRCMATCH_LOG(kInfo) << "profile store " << (*store)->display_url();
    store_ = *std::move(store);
  }
  repository_ =
      std::make_unique<ProfileRepository>(vocabulary_.get(), index_.get(), store_.get(), options.embedding_dimension);
  return absl::OkStatus();
}

absl::Status Server::OpenAuditLog(const ServerOptions& options) {
  if (options.audit_log == "-") {
    audit_log_ = AuditLog::Disabled();
    return absl::OkStatus();
  }
  const std::string path = options.audit_log.empty() ? options.data_dir + "/audit.log" : options.audit_log;
  // In the data dir, owner-only as the store; a log elsewhere is created 0600 too but left as the operator made it.
  if (options.audit_log.empty()) {
    if (absl::Status s = MakePrivateDir(options.data_dir); !s.ok()) return PrefixStatus("data_dir: ", s);
    if (absl::Status s = MakePrivateFile(path, /*create=*/true); !s.ok()) return PrefixStatus("--audit_log: ", s);
  }
  absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::Open(path);
  if (!audit.ok()) return audit.status();
  audit_log_ = *std::move(audit);
  CIRCMATCH_LOG(kInfo) << "audit log " << path;
  return absl::OkStatus();
}

absl::Status Server::RebuildIndex(const ServerOptions& options) {
  // Changes other replicas commit from here on reach the index through the change feed; the rebuild reads
  // everything committed before.
  absl::StatusOr<int64_t> latest_change = store_->LatestChange();
  if (!latest_change.ok()) return PrefixStatus("opening the profile store: ", latest_change.status());
  absl::StatusOr<int64_t> loaded = repository_->RebuildIndex();
  if (!loaded.ok()) return loaded.status();
  if (store_->Shared()) {
    change_feed_ =
        std::make_unique<ChangeFeed>(repository_.get(), *latest_change, absl::Milliseconds(options.change_poll_ms));
  }
  return absl::OkStatus();
}

absl::Status Server::LoadSampleData(const ServerOptions& options) {
  if (options.sample_data.empty()) return absl::OkStatus();
  absl::StatusOr<int64_t> stored = store_->Count();
  if (!stored.ok()) return stored.status();
  if (*stored > 0) {
    CIRCMATCH_LOG(kInfo) << "store holds " << *stored << " profiles; --sample_data not loaded";
    return absl::OkStatus();
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<int64_t> imported = ImportJsonLines(options.sample_data, repository_.get());
  if (!imported.ok()) return PrefixStatus("loading --sample_data: ", imported.status());
  CIRCMATCH_LOG(kInfo) << "imported " << *imported << " sample profiles from " << options.sample_data << " in "
                       << absl::Now() - start;
  return absl::OkStatus();
}

absl::Status Server::CreateServices(const ServerOptions& options) {
  // Calls are counted by method of what the server registers: the served services and reflection.
  std::vector<std::string> registered = ServedServiceNames();
  registered.push_back("grpc.reflection.v1alpha.ServerReflection");
  metrics_ = std::make_unique<Metrics>(registered);
  long_calls_ = std::make_unique<LongCalls>(LongCallLimits{options.max_long_calls_per_partner, options.max_long_calls});
  profile_service_ = std::make_unique<ProfileServiceImpl>(repository_.get(), authenticator_.get());
  matching_service_ = std::make_unique<MatchingServiceImpl>(repository_.get(), authenticator_.get(), audit_log_.get(),
                                                            options.max_watches_per_partner);
  pairing_service_ = std::make_unique<PairingServiceImpl>(repository_.get(), authenticator_.get(), audit_log_.get(),
                                                          long_calls_.get());
  market_day_service_ = std::make_unique<MarketDayServiceImpl>(repository_.get(), authenticator_.get(),
                                                               audit_log_.get(), long_calls_.get());
  vocabulary_service_ =
      std::make_unique<VocabularyServiceImpl>(vocabulary_.get(), code_suggester_.get(), authenticator_.get());
  feedback_service_ = std::make_unique<FeedbackServiceImpl>(repository_.get(), authenticator_.get());
  rank_profile_service_ =
      std::make_unique<RankProfileServiceImpl>(repository_.get(), authenticator_.get(), long_calls_.get());
  insights_service_ = std::make_unique<InsightsServiceImpl>(repository_.get(), authenticator_.get(), long_calls_.get());
  health_service_ = std::make_unique<HealthServiceImpl>(ServedServiceNames());
  return absl::OkStatus();
}

absl::Status Server::StartGrpc(const ServerOptions& options) {
  // Must run before the builder is created: it registers the reflection service as a builder plugin.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials_, &port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(profile_service_.get());
  builder.RegisterService(matching_service_.get());
  builder.RegisterService(pairing_service_.get());
  builder.RegisterService(market_day_service_.get());
  builder.RegisterService(vocabulary_service_.get());
  builder.RegisterService(feedback_service_.get());
  builder.RegisterService(rank_profile_service_.get());
  builder.RegisterService(insights_service_.get());
  builder.RegisterService(health_service_.get());
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("--listen: cannot listen on \"", options.listen, "\" (address in use or invalid?)"));
  }
  address_ = PrintableAddress(options.listen, port_);
  return absl::OkStatus();
}

absl::Status Server::StartHttpApi(const ServerOptions& options) {
  if (options.http_listen.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = HttpGateway::Create(
      grpc_server_->InProcessChannel(grpc::ChannelArguments()), ApiServiceNames(), authenticator_.get());
  if (!gateway.ok()) return PrefixStatus("--http_listen: ", gateway.status());
  gateway_ = *std::move(gateway);
  HttpServerOptions api_options = HttpLimits(options);
  api_options.max_body_bytes = static_cast<size_t>(options.max_message_bytes);
  const HttpGateway* api = gateway_.get();
  std::string web_dir = options.web_dir;
  if (web_dir.empty()) {
    std::error_code ignored;
    web_dir = std::filesystem::exists(std::string(CIRCMATCH_SOURCE_WEB_DIR) + "/index.html", ignored)
                  ? CIRCMATCH_SOURCE_WEB_DIR
                  : CIRCMATCH_INSTALL_WEB_DIR;
  }
  if (web_dir == "-") web_dir.clear();
  HttpService service;
  const auto is_api = [web_dir](const HttpRequest& request) {
    return request.path.rfind("/v1/", 0) == 0 || web_dir.empty();
  };
  service.admit = [api, is_api](const HttpRequest& head) {
    return is_api(head) ? api->Admit(head) : AdmitStaticFile(head);
  };
  service.handle = [api, web_dir, is_api](const HttpRequest& request) {
    return is_api(request) ? api->Handle(request) : ServeStaticFile(web_dir, request);
  };
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(options.http_listen, std::move(service), api_options);
  if (!http.ok()) return PrefixStatus("--http_listen: ", http.status());
  api_http_ = *std::move(http);
  CIRCMATCH_LOG(kInfo) << "HTTP/JSON API on http://" << PrintableAddress(options.http_listen, api_http_->port())
                       << (web_dir.empty() ? "" : absl::StrCat(", web page from ", web_dir));
  for (const std::string& route : gateway_->RouteTable()) CIRCMATCH_LOG(kDebug) << "  " << route;
  return absl::OkStatus();
}

absl::Status Server::StartMetrics(const ServerOptions& options) {
  if (options.metrics_listen.empty()) return absl::OkStatus();
  Metrics* metrics = metrics_.get();
  const Index* index = index_.get();
  prometheus::Family<prometheus::Gauge>& profiles = prometheus::BuildGauge()
                                                        .Name("circmatch_index_profiles")
                                                        .Help("Profiles in the index, by kind.")
                                                        .Register(metrics->registry());
  prometheus::Counter& version = prometheus::BuildCounter()
                                     .Name("circmatch_index_version")
                                     .Help("Writes applied to the index since start.")
                                     .Register(metrics->registry())
                                     .Add({});
  prometheus::Family<prometheus::Gauge>& memory =
      prometheus::BuildGauge()
          .Name("circmatch_index_memory_bytes")
          .Help("Bytes the index holds, by part (dense_values are part of posting_lists).")
          .Register(metrics->registry());
  prometheus::Gauge& long_calls = prometheus::BuildGauge()
                                      .Name("circmatch_long_calls_running")
                                      .Help(
                                          "Long calls (FitRankProfile, PairBuddies, ScheduleMeetings, ExposureReport, "
                                          "GapReport) running now, of all partners.")
                                      .Register(metrics->registry())
                                      .Add({});
  const LongCalls* limiter = long_calls_.get();
  metrics->AddCollector([index, limiter, &profiles, &version, &memory, &long_calls] {
    for (ProfileKind kind : {ProfileKind::kBuyer, ProfileKind::kTender, ProfileKind::kSupplier, ProfileKind::kBuddy}) {
      profiles.Add({{"kind", ProfileKindName(kind)}}).Set(static_cast<double>(index->Count(kind)));
    }
    // A counter only goes up: add what it is behind the index.
    version.Increment(static_cast<double>(index->version()) - version.Value());
    for (const auto& [part, bytes] : index->Memory().Parts()) {
      memory.Add({{"part", part}}).Set(static_cast<double>(bytes));
    }
    long_calls.Set(static_cast<double>(limiter->Running()));
  });
  HttpService service;
  service.admit = [](const HttpRequest& head) -> std::optional<HttpResponse> {
    HttpResponse response;
    if (head.path != "/metrics") {
      response.status = 404;
      response.body = "metrics are at /metrics\n";
    } else if (head.method != "GET") {
      response.status = 405;
    } else {
      return std::nullopt;
    }
    return response;
  };
  service.handle = [metrics](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics->Render();
    return response;
  };
  HttpServerOptions metrics_options = HttpLimits(options);
  metrics_options.max_body_bytes = 0;  // a GET of the metrics has no body
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(options.metrics_listen, std::move(service), metrics_options);
  if (!http.ok()) return PrefixStatus("--metrics_listen: ", http.status());
  metrics_http_ = *std::move(http);
  CIRCMATCH_LOG(kInfo) << "metrics on http://" << PrintableAddress(options.metrics_listen, metrics_http_->port())
                       << "/metrics";
  return absl::OkStatus();
}

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  if (grpc_server_ == nullptr) return;
  CIRCMATCH_LOG(kInfo) << "shutting down (grace " << grace << ")";
  // HTTP calls go through the gRPC server: stop taking them first.
  if (api_http_ != nullptr) api_http_->Shutdown();
  // Watch streams never end by themselves; end them first so the drain does not wait for them.
  health_service_->Shutdown();
  grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  grpc_server_->Wait();
  if (metrics_http_ != nullptr) metrics_http_->Shutdown();
  CIRCMATCH_LOG(kInfo) << "stopped";
}

Server::~Server() { Shutdown(default_grace_); }

}  // namespace circmatch::service
