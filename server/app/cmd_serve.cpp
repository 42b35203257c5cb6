// `ranvier serve --config FILE`: load everything, then serve until SIGTERM/SIGINT.

#include "api/dispatcher.hpp"
#include "api/extensions.hpp"
#include "api/nonce_store.hpp"
#include "api/rate_limiter.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config_loading.hpp"
#include "app/sd_notify.hpp"
#include "appservice/registry.hpp"
#include "appservice/senders.hpp"
#include "appservice/transactions.hpp"
#include "app/signing_key_file.hpp"
#include "config/config.hpp"
#include "core/percent_encoding.hpp"
#include "federation/database_key_store.hpp"
#include "federation/federation_stack.hpp"
#include "federation/transaction_sender.hpp"
#include "http/client.hpp"
#include "http/http_server.hpp"
#include "storage/migrate/migrate_db.hpp"
#include "media/repository.hpp"
#include "metrics/metrics.hpp"
#include "push/delivery.hpp"
#include "push/gateway_http.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/notifier.hpp"
#include "rooms/presence.hpp"
#include "rooms/presence_sharing.hpp"
#include "rooms/typing.hpp"
#include "storage/database.hpp"
#include "storage/errors.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

namespace ranvier::app {
namespace {

std::string describe(const config::ListenerConfig& l) {
  std::string resources;
  for (auto [on, name] : {std::pair{l.client, "client"}, {l.federation, "federation"}, {l.metrics, "metrics"}}) {
    if (on) {
      resources += resources.empty() ? name : std::string(", ") + name;
    }
  }
  const bool v6 = l.host.find(':') != std::string::npos;
  return std::string(l.tls ? "https://" : "http://") + (v6 ? "[" + l.host + "]" : l.host) + ":" +
         std::to_string(l.port) + " (" + resources + ")";
}

std::map<std::string, double> database_gauges(const storage::Database& db) {
  const auto s = db.stats();
  std::map<std::string, double> g{
      {"ranvier_db_commits_total", static_cast<double>(s.commits_total)},
      {"ranvier_db_rollbacks_total", static_cast<double>(s.rollbacks_total)},
  };
  for (const auto& p : s.pools) {
    const std::string label = "{pool=\"" + p.name + "\"}";
    g["ranvier_db_connections_open" + label] = p.open_connections;
    g["ranvier_db_connections_in_use" + label] = p.in_use;
    g["ranvier_db_connections_max" + label] = p.max_connections;
    g["ranvier_db_pool_waits_total" + label] = static_cast<double>(p.waited_total);
    g["ranvier_db_pool_wait_timeouts_total" + label] = static_cast<double>(p.wait_timeouts_total);
  }
  return g;
}

}  // namespace

int run_serve(int argc, char** argv) {
  Args args("serve", "Runs the homeserver with the given configuration file.");
  args.option("config", "path of ranvier.yaml (written by `ranvier init`)", true);
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }

  auto loaded = load_config_or_report("", args.value("config"));
  if (!loaded) {
    return config_error_exit;
  }
  config::Config cfg = std::move(*loaded);
  appservice::Registry appservices;
  try {
    appservices = appservice::Registry::load(cfg.app_services, cfg.server_name);
  } catch (const appservice::RegistrationError& e) {
    std::cerr << "ranvier: config error: app_services: " << e.what() << "\n";
    return 2;
  }

  api::ServerIdentity identity;
  identity.server_name = cfg.server_name;
  try {
    identity.signing_key = read_signing_key_file(cfg.signing_key);
  } catch (const std::exception& e) {
    std::cerr << "ranvier: signing_key: " << e.what() << "\n";
    return 1;
  }

  // A half-copied database (an interrupted `ranvier migrate-db`) must never be served.
  if (auto unfinished = storage::migrate::incomplete_migration(cfg.database)) {
    std::cerr << "ranvier: database: " << *unfinished << "\n";
    return 1;
  }
  std::unique_ptr<storage::Database> db;
  try {
    db = storage::open_database(cfg.database);
  } catch (const storage::StorageError& e) {
    std::cerr << "ranvier: database: " << e.what() << "\n";
    return 1;
  }

  appservice::ensure_sender_accounts(
      *db, appservices,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  metrics::Registry metrics;
  metrics.set_gauge_source([&db] { return database_gauges(*db); });
  std::map<std::string, api::Rate, std::less<>> endpoint_rates;
  for (const auto& [endpoint, rate] : cfg.rate_limits.endpoints) {
    endpoint_rates[endpoint] = api::Rate{rate.per_second, rate.burst};
  }
  api::RateLimiter limiter(cfg.rate_limits.enabled,
                           api::Rate{cfg.rate_limits.fallback.per_second, cfg.rate_limits.fallback.burst},
                           std::move(endpoint_rates));
  api::NonceStore nonces;
  rooms::EventPipeline pipeline(identity.server_name, identity.signing_key);
  rooms::Notifier notifier;
  rooms::Typing typing;
  rooms::Presence presence;
  api::Services services{cfg, *db, metrics, limiter, identity, nonces, pipeline, notifier, typing, presence};
  federation::DatabaseKeyStore remote_keys(*db);
  std::unique_ptr<federation::FederationStack> federation;
  try {
    federation = std::make_unique<federation::FederationStack>(cfg.federation, cfg.server_name, identity.signing_key,
                                                               remote_keys);
  } catch (const std::exception& e) {
    std::cerr << "ranvier: federation.ca_file: " << e.what() << "\n";
    return 1;
  }
  services.key_ring = &federation->key_ring();
  services.federation_client = &federation->client();
  // The content repository, and the client that fetches web URLs for it (URL previews, media
  // that another server keeps behind a Location).
  media::MediaRepository media_repository(cfg.media, cfg.server_name, *db);
  services.media = &media_repository;
  services.appservices = &appservices;
  http::Client media_web_client(http::ClientOptions{
      .ca_file = cfg.federation.ca_file,
      .verify_tls = cfg.federation.verify_tls,
      .request_timeout = std::chrono::milliseconds(cfg.media.url_preview.timeout_ms),
      .max_response_bytes = std::max(cfg.media.url_preview.max_page_bytes, cfg.media.max_upload_size),
      .max_idle_per_host = 0});
  services.url_preview_client = &media_web_client;
  // The outbox's sender: what local users do in rooms shared with other servers goes out as
  // transactions, retried with back-off until each destination accepts it.
  federation::TransactionSender transaction_sender(
      *db, cfg.server_name,
      [&client = federation->client()](const std::string& destination, const std::string& txn_id,
                                       const nlohmann::json& body) {
        auto answer = client.put(destination, "/_matrix/federation/v1/send/" + core::percent_encode(txn_id), body);
        if (answer) {
          return federation::TransactionOutcome{200, ""};
        }
        const auto& error = answer.error();
        switch (error.kind) {
          case federation::FederationError::Kind::http:
            return federation::TransactionOutcome{error.status, error.errcode + " " + error.message};
          case federation::FederationError::Kind::bad_destination:
            return federation::TransactionOutcome{400, error.message};
          case federation::FederationError::Kind::bad_response:
            // The destination took the transaction but answered oddly: it has the items.
            return federation::TransactionOutcome{200, ""};
          case federation::FederationError::Kind::unreachable:
            break;
        }
        return federation::TransactionOutcome{0, federation::describe(error)};
      },
      notifier);
  transaction_sender.start();
  services.origin_seen = [&transaction_sender](const std::string& origin) { transaction_sender.reset_backoff(origin); };
  // Notifications queued by sends go to the users' push gateways from a worker of their own.
  http::Client push_client(http::ClientOptions{.ca_file = cfg.federation.ca_file,
                                               .verify_tls = cfg.federation.verify_tls,
                                               .request_timeout = std::chrono::milliseconds(5'000)});
  push::PushDelivery push_delivery(*db, push::http_gateway_transport(push_client), notifier);
  push_delivery.start();
  // Application services get the events they are interested in as transactions, from a worker
  // of their own; queries and pings use the same client from request threads.
  http::Client appservice_client(http::ClientOptions{.ca_file = cfg.federation.ca_file,
                                                     .verify_tls = cfg.federation.verify_tls,
                                                     .request_timeout = std::chrono::milliseconds(10'000)});
  services.appservice_client = &appservice_client;
  // Identity servers are plain HTTPS servers like application services: the same client.
  services.identity_client = &appservice_client;
  appservice::TransactionWorker appservice_worker(
      *db, appservices, appservice::http_caller(appservice_client), notifier,
      appservice::TransactionOptions{.typing = &typing, .presence = cfg.presence_enabled ? &presence : nullptr});
  appservice_worker.start();
  // Typing and presence change by themselves (timeouts): check twice a second and wake /sync
  // when something did.
  std::atomic<bool> stop_expiry{false};
  std::thread typing_expiry([&] {
    while (!stop_expiry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      const bool typing_changed = typing.expire();
      const auto gone_offline = presence.expire(now_ms);
      if (!gone_offline.empty() && cfg.presence_enabled) {
        try {
          rooms::queue_presence_of(*db, presence, gone_offline, identity.server_name, now_ms);
        } catch (const std::exception& e) {
          std::cerr << "ranvier: presence: queueing idle users' offline presence: " << e.what() << "\n";
        }
      }
      if (!gone_offline.empty() || typing_changed) {
        notifier.notify();
      }
    }
  });
  struct JoinExpiry {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~JoinExpiry() {
      stop = true;
      thread.join();
    }
  } join_expiry{stop_expiry, typing_expiry};
  api::Dispatcher dispatcher(services, api::extension_operations());

  http::ServerOptions options;
  options.listeners = cfg.listeners;
  options.limits = cfg.limits;
  options.max_upload_bytes = cfg.media.max_upload_size;
  options.tls_certificate = cfg.tls_certificate;
  options.tls_private_key = cfg.tls_private_key;
  options.log_requests = cfg.log_requests;
  options.network_threads = std::max(1U, std::min(4U, std::thread::hardware_concurrency() / 2));
  http::RequestHandlers handlers{
      [&dispatcher](const api::ApiRequest& r) { return dispatcher.handle_inline(r); },
      [&dispatcher](const api::ApiRequest& r) { return dispatcher.handle(r); },
  };
  http::HttpServer server(options, handlers, metrics);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "ranvier: " << e.what() << "\n";
    return 1;
  }
  server.run([&] {
    std::cerr << "ranvier: " << cfg.server_name << " ready";
    for (std::size_t i = 0; i < cfg.listeners.size(); ++i) {
      auto l = cfg.listeners[i];
      l.port = server.bound_port(i);
      std::cerr << "\n  " << describe(l);
    }
    std::cerr << std::endl;
    sd_notify("READY=1");
  });
  sd_notify("STOPPING=1");
  std::cerr << "ranvier: stopped\n";
  return 0;
}

}  // namespace ranvier::app
