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

  if (options.allow_unauthenticated) {
    server->authenticator_ = Authenticator::WithoutKeys();
    CIRCMATCH_LOG(kWarning) << "DEVELOPMENT MODE: --allow_unauthenticated is on. Every caller is the partner "
                               "\"local\", so anyone who reaches the port reads and changes its profiles. Never run "
                               "like this with real data.";
  } else {
    absl::StatusOr<std::unique_ptr<Authenticator>> authenticator = Authenticator::FromKeyFile(options.api_keys_file);
    if (!authenticator.ok()) return authenticator.status();
    server->authenticator_ = *std::move(authenticator);
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentialsFor(options);
  if (!credentials.ok()) return credentials.status();
  // What the server registers: the circmatch.v1 services (also routed by the HTTP gateway), health, and the
  // reflection service of the builder plugin.
  const std::vector<std::string> api_services = ApiServiceNames();
  std::vector<std::string> served = api_services;
  served.push_back(grpc::health::v1::Health::service_full_name());
  std::vector<std::string> registered = served;
  registered.push_back("grpc.reflection.v1alpha.ServerReflection");
  server->metrics_ = std::make_unique<Metrics>(registered);

  const std::string vocabulary_dir = ResolveVocabularyDir(options.vocabulary_dir);
  absl::StatusOr<std::unique_ptr<Vocabulary>> vocabulary = Vocabulary::Load(vocabulary_dir);
  if (!vocabulary.ok()) {
    return PrefixStatus(absl::StrCat("loading the vocabulary from \"", vocabulary_dir, "\": "), vocabulary.status());
  }
  server->vocabulary_ = *std::move(vocabulary);
  const Vocabulary& vocab = *server->vocabulary_;
  CIRCMATCH_LOG(kInfo) << "vocabulary from " << vocabulary_dir << ": " << vocab.cpv_codes().size() << " CPV codes, "
                       << vocab.municipalities().size() << " municipalities, " << vocab.strategies().size()
                       << " strategies, " << vocab.materials().size() << " materials, " << vocab.certifications().size()
                       << " certifications, " << vocab.phases().size() << " phases, " << vocab.topics().size()
                       << " topics";
  {
    absl::StatusOr<std::vector<CpvSynonyms>> synonyms = LoadCpvSynonyms(vocabulary_dir, vocab);
    if (!synonyms.ok()) {
      return PrefixStatus(absl::StrCat("loading the vocabulary from \"", vocabulary_dir, "\": "), synonyms.status());
    }
    server->code_suggester_ = std::make_unique<CodeSuggester>(&vocab, *synonyms);
  }

  IndexOptions index_options;
  index_options.embedding_dimension = options.embedding_dimension;
  // The store holds every profile: the index keeps what it scores with, and the calls read the k profiles they
  // answer with from the store (StoredProfiles) rather than from a second copy of all of them in memory.
  index_options.keep_profiles = false;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Create(index_options, server->vocabulary_.get());
  if (!index.ok()) return PrefixStatus("creating the index: ", index.status());
  server->index_ = *std::move(index);

  if (options.store == "sqlite") {
    absl::StatusOr<std::unique_ptr<SqliteProfileStore>> store = SqliteProfileStore::Open(options.data_dir);
    if (!store.ok()) return PrefixStatus("opening the profile store: ", store.status());
    CIRCMATCH_LOG(kInfo) << "profile store " << (*store)->path();
    server->store_ = *std::move(store);
  } else {
    absl::StatusOr<std::unique_ptr<PostgresProfileStore>> store = PostgresProfileStore::Open(options.store);
    if (!store.ok()) return PrefixStatus("--store: ", store.status());
    CIRCMATCH_LOG(kInfo) << "profile store " << (*store)->display_url();
    server->store_ = *std::move(store);
  }
  // Changes other replicas commit from here on reach the index through the change feed; the rebuild below
  // reads everything committed before.
  absl::StatusOr<int64_t> latest_change = server->store_->LatestChange();
  if (!latest_change.ok()) return PrefixStatus("opening the profile store: ", latest_change.status());

  server->repository_ = std::make_unique<ProfileRepository>(server->vocabulary_.get(), server->index_.get(),
                                                            server->store_.get(), options.embedding_dimension);
  if (options.audit_log == "-") {
    server->audit_log_ = AuditLog::Disabled();
  } else {
    const std::string path = options.audit_log.empty() ? options.data_dir + "/audit.log" : options.audit_log;
    // In the data dir, owner-only as the store; a log elsewhere is created 0600 too but left as the operator made it.
    if (options.audit_log.empty()) {
      if (absl::Status s = MakePrivateDir(options.data_dir); !s.ok()) return PrefixStatus("data_dir: ", s);
      if (absl::Status s = MakePrivateFile(path, /*create=*/true); !s.ok()) return PrefixStatus("--audit_log: ", s);
    }
    absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::Open(path);
    if (!audit.ok()) return audit.status();
    server->audit_log_ = *std::move(audit);
    CIRCMATCH_LOG(kInfo) << "audit log " << path;
  }
  absl::StatusOr<int64_t> loaded = server->repository_->RebuildIndex();
  if (!loaded.ok()) return loaded.status();
  if (server->store_->Shared()) {
    server->change_feed_ = std::make_unique<ChangeFeed>(server->repository_.get(), *latest_change,
                                                        absl::Milliseconds(options.change_poll_ms));
  }

  if (!options.sample_data.empty()) {
    absl::StatusOr<int64_t> stored = server->store_->Count();
    if (!stored.ok()) return stored.status();
    if (*stored == 0) {
      const absl::Time import_start = absl::Now();
      absl::StatusOr<int64_t> imported = ImportJsonLines(options.sample_data, server->repository_.get());
      if (!imported.ok()) return PrefixStatus("loading --sample_data: ", imported.status());
      CIRCMATCH_LOG(kInfo) << "imported " << *imported << " sample profiles from " << options.sample_data << " in "
                           << absl::Now() - import_start;
    } else {
      CIRCMATCH_LOG(kInfo) << "store holds " << *stored << " profiles; --sample_data not loaded";
    }
  }

  server->long_calls_ =
      std::make_unique<LongCalls>(LongCallLimits{options.max_long_calls_per_partner, options.max_long_calls});
  server->profile_service_ =
      std::make_unique<ProfileServiceImpl>(server->repository_.get(), server->authenticator_.get());
  server->matching_service_ =
      std::make_unique<MatchingServiceImpl>(server->repository_.get(), server->authenticator_.get(),
                                            server->audit_log_.get(), options.max_watches_per_partner);
  server->pairing_service_ = std::make_unique<PairingServiceImpl>(
      server->repository_.get(), server->authenticator_.get(), server->audit_log_.get(), server->long_calls_.get());
  server->market_day_service_ = std::make_unique<MarketDayServiceImpl>(
      server->repository_.get(), server->authenticator_.get(), server->audit_log_.get(), server->long_calls_.get());
  server->vocabulary_service_ = std::make_unique<VocabularyServiceImpl>(
      server->vocabulary_.get(), server->code_suggester_.get(), server->authenticator_.get());
  server->feedback_service_ =
      std::make_unique<FeedbackServiceImpl>(server->repository_.get(), server->authenticator_.get());
  server->rank_profile_service_ = std::make_unique<RankProfileServiceImpl>(
      server->repository_.get(), server->authenticator_.get(), server->long_calls_.get());
  server->insights_service_ = std::make_unique<InsightsServiceImpl>(
      server->repository_.get(), server->authenticator_.get(), server->long_calls_.get());
  server->health_service_ = std::make_unique<HealthServiceImpl>(served);

  // Must run before the builder is created: it registers the reflection service as a builder plugin.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, *credentials, &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(server->metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(server->profile_service_.get());
  builder.RegisterService(server->matching_service_.get());
  builder.RegisterService(server->pairing_service_.get());
  builder.RegisterService(server->market_day_service_.get());
  builder.RegisterService(server->vocabulary_service_.get());
  builder.RegisterService(server->feedback_service_.get());
  builder.RegisterService(server->rank_profile_service_.get());
  builder.RegisterService(server->insights_service_.get());
  builder.RegisterService(server->health_service_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("--listen: cannot listen on \"", options.listen, "\" (address in use or invalid?)"));
  }
  server->port_ = port;
  // Limits of both HTTP ports.
  HttpServerOptions http_options;
  http_options.max_connections = options.http_max_connections;
  http_options.max_connections_per_ip = options.http_max_connections_per_ip;
  http_options.header_timeout = absl::Milliseconds(options.http_header_timeout_ms);
  if (!options.http_listen.empty()) {
    absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = HttpGateway::Create(
        server->grpc_server_->InProcessChannel(grpc::ChannelArguments()), api_services, server->authenticator_.get());
    if (!gateway.ok()) return PrefixStatus("--http_listen: ", gateway.status());
    server->gateway_ = *std::move(gateway);
    HttpServerOptions api_options = http_options;
    api_options.max_body_bytes = static_cast<size_t>(options.max_message_bytes);
    const HttpGateway* api = server->gateway_.get();
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
    server->api_http_ = *std::move(http);
    CIRCMATCH_LOG(kInfo) << "HTTP/JSON API on http://"
                         << PrintableAddress(options.http_listen, server->api_http_->port())
                         << (web_dir.empty() ? "" : absl::StrCat(", web page from ", web_dir));
    for (const std::string& route : server->gateway_->RouteTable()) CIRCMATCH_LOG(kDebug) << "  " << route;
  }
  if (!options.metrics_listen.empty()) {
    Metrics* metrics = server->metrics_.get();
    const Index* index = server->index_.get();
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
    prometheus::Gauge& long_calls =
        prometheus::BuildGauge()
            .Name("circmatch_long_calls_running")
            .Help(
                "Long calls (FitRankProfile, PairBuddies, ScheduleMeetings, ExposureReport, "
                "GapReport) running now, of all partners.")
            .Register(metrics->registry())
            .Add({});
    const LongCalls* limiter = server->long_calls_.get();
    metrics->AddCollector([index, limiter, &profiles, &version, &memory, &long_calls] {
      for (ProfileKind kind :
           {ProfileKind::kBuyer, ProfileKind::kTender, ProfileKind::kSupplier, ProfileKind::kBuddy}) {
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
    HttpServerOptions metrics_options = http_options;
    metrics_options.max_body_bytes = 0;  // a GET of the metrics has no body
    absl::StatusOr<std::unique_ptr<HttpServer>> http =
        HttpServer::Start(options.metrics_listen, std::move(service), metrics_options);
    if (!http.ok()) return PrefixStatus("--metrics_listen: ", http.status());
    server->metrics_http_ = *std::move(http);
    CIRCMATCH_LOG(kInfo) << "metrics on http://"
                         << PrintableAddress(options.metrics_listen, server->metrics_http_->port()) << "/metrics";
  }
  server->address_ = PrintableAddress(options.listen, port);
  CIRCMATCH_LOG(kInfo) << "serving on " << options.listen << " (port " << port << "), "
                       << server->index_->Count(ProfileKind::kTender) << " tenders, "
                       << server->index_->Count(ProfileKind::kBuyer) << " buyers, "
                       << server->index_->Count(ProfileKind::kSupplier) << " suppliers, "
                       << server->index_->Count(ProfileKind::kBuddy) << " buddies; started in " << absl::Now() - start;
  return server;
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
