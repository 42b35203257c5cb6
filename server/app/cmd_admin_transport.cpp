#include "app/cmd_admin_transport.hpp"

#include "api/clock.hpp"
#include "api/context.hpp"
#include "api/errors.hpp"
#include "api/extensions.hpp"
#include "api/nonce_store.hpp"
#include "api/rate_limiter.hpp"
#include "api/room_errors.hpp"
#include "api/router.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "app/signing_key_file.hpp"
#include "http/client.hpp"
#include "metrics/metrics.hpp"
#include "rooms/errors.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/notifier.hpp"
#include "rooms/presence.hpp"
#include "rooms/typing.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>

namespace ranvier::app {
namespace {

/// The admin API inside this process: the server's Services without listeners.
struct InProcess {
  explicit InProcess(const config::Config& config, storage::Database& db)
      : identity{config.server_name, read_signing_key_file(config.signing_key)},
        pipeline(identity.server_name, identity.signing_key),
        services{config, db, metrics, limiter, identity, nonces, pipeline, notifier, typing, presence},
        router(api::extension_operations()) {}

  api::ServerIdentity identity;
  metrics::Registry metrics;
  api::RateLimiter limiter{false, api::Rate{}};
  api::NonceStore nonces;
  rooms::EventPipeline pipeline;
  rooms::Notifier notifier;
  rooms::Typing typing;
  rooms::Presence presence;
  api::Services services;
  api::Router router;
};

/// Where the running server's client API listens, as seen from this host.
std::optional<http::ClientRequest> client_listener(const config::Config& config) {
  for (const auto& listener : config.listeners) {
    if (!listener.client) {
      continue;
    }
    http::ClientRequest request;
    request.tls = listener.tls;
    request.connect_host = listener.host == "0.0.0.0" || listener.host.empty() ? "127.0.0.1"
                           : listener.host == "::"                            ? "::1"
                                                                              : listener.host;
    request.port = listener.port;
    const bool v6 = request.connect_host.find(':') != std::string::npos;
    request.host_header = (v6 ? "[" + request.connect_host + "]" : request.connect_host) + ":" +
                          std::to_string(listener.port);
    return request;
  }
  return std::nullopt;
}

}  // namespace

std::string cli_admin_user(const config::Config& config) { return "@ranvier-admin:" + config.server_name; }

struct AdminTransport::Impl {
  const config::Config& config;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<InProcess> local;
  // The running server, when it answered.
  std::optional<http::ClientRequest> server;
  std::unique_ptr<http::Client> client;
  std::string token;
  std::string device_id;

  AdminAnswer call_local(const std::string& method, const std::string& target, const std::string& body) {
    if (!local) {
      local = std::make_unique<InProcess>(config, *db);
    }
    const auto question = target.find('?');
    api::ApiRequest request;
    request.method = method;
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = body;
    request.remote_address = "ranvier admin";
    request.on_client_listener = true;
    auto match = local->router.match(method, request.path);
    if (match.kind != api::RouteMatch::Kind::found) {
      return {404, R"({"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"})"};
    }
    api::RequestContext ctx{request, *match.operation, local->services, std::move(match.params),
                            api::parse_query(request.query).value_or(decltype(api::RequestContext::query){}),
                            api::Principal{cli_admin_user(config), "", "", false, true}, std::nullopt};
    try {
      auto response = match.operation->invoke(ctx);
      return {response.status, response.body};
    } catch (const api::MatrixError& e) {
      return {e.status(), e.body()};
    } catch (const rooms::RoomError& e) {
      const auto error = api::to_matrix_error(e);
      return {error.status(), error.body()};
    }
  }

  /// A token for the CLI's admin account on a new device, valid for ten minutes.
  void mint_token() {
    const auto user_id = cli_admin_user(config);
    const auto now = api::now_ms();
    device_id = "RANVIERCLI" + storage::generate_token("").substr(0, 8);
    token = storage::generate_access_token();
    db->write([&](storage::WriteTx& tx) {
      const auto account = tx.accounts().get(user_id);
      if (!account) {
        tx.accounts().create(storage::Account{.user_id = user_id, .is_admin = true, .created_ts = now});
      } else if (!account->is_admin || account->deactivated) {
        throw std::runtime_error(user_id + " exists but is not an active admin; `ranvier admin` acts as that account");
      }
      tx.devices().create(storage::Device{.user_id = user_id, .device_id = device_id, .display_name = "ranvier admin",
                                          .created_ts = now});
      tx.tokens().create(storage::NewAccessToken{.token = token, .user_id = user_id, .device_id = device_id,
                                                 .created_ts = now, .expires_ts = now + 10 * 60 * 1000});
    });
  }

  AdminAnswer call_server(const std::string& method, const std::string& target, const std::string& body) {
    if (token.empty()) {
      mint_token();
    }
    auto request = *server;
    request.method = method;
    request.target = target;
    request.body = body;
    request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    auto answer = client->request(request);
    if (!answer) {
      throw std::runtime_error("the running server did not answer: " + answer.error().message);
    }
    return {answer->status, answer->body};
  }
};

AdminTransport::AdminTransport(const config::Config& config, bool prefer_server)
    : impl_(std::make_unique<Impl>(Impl{config, storage::open_database(config.database), nullptr, std::nullopt, nullptr,
                                        "", ""})) {
  if (!prefer_server) {
    return;
  }
  auto listener = client_listener(config);
  if (!listener) {
    return;
  }
  // Our own server on a loopback address: its certificate is often self-signed, and what it
  // answers is checked by the token it must accept.
  http::ClientOptions options;
  options.verify_tls = false;
  options.connect_timeout = std::chrono::seconds(2);
  options.request_timeout = std::chrono::seconds(120);
  impl_->client = std::make_unique<http::Client>(options);
  auto probe = *listener;
  probe.target = "/_matrix/client/versions";
  if (impl_->client->request(probe)) {
    impl_->server = listener;
  }
}

AdminTransport::~AdminTransport() {
  if (!impl_->device_id.empty()) {
    try {
      impl_->db->write([&](storage::WriteTx& tx) { tx.devices().remove(cli_admin_user(impl_->config), impl_->device_id); });
    } catch (const std::exception&) {
      // The token expires by itself within ten minutes.
    }
  }
}

AdminAnswer AdminTransport::call(const std::string& method, const std::string& target, const std::string& body) {
  return impl_->server ? impl_->call_server(method, target, body) : impl_->call_local(method, target, body);
}

AdminAnswer AdminTransport::call_in_process(const std::string& method, const std::string& target,
                                            const std::string& body) {
  return impl_->call_local(method, target, body);
}

std::string AdminTransport::mode() const { return impl_->server ? "the running server" : "in-process"; }

}  // namespace ranvier::app
