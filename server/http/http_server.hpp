#pragma once
// The network layer: listeners, the connection loop, TLS, limits and signals.
// This header is free of Asio/Beast so that the rest of the server compiles quickly; the
// implementation lives in http_server.cpp behind a pointer.

#include "api/http_types.hpp"
#include "config/config.hpp"

#include <functional>
#include <memory>
#include <optional>

namespace ranvier::metrics {
class Registry;
}

namespace ranvier::http {

/// What the server does with a parsed request. Both callbacks must be thread-safe.
struct RequestHandlers {
  /// Answers requests that need no I/O (routing errors, /versions, .well-known, CORS
  /// pre-flight) right on the network thread; nullopt means "run `handle` on a worker".
  std::function<std::optional<api::ApiResponse>(const api::ApiRequest&)> handle_inline;
  /// Answers everything else; may block on the database. Runs on the worker pool.
  std::function<api::ApiResponse(const api::ApiRequest&)> handle;
};

struct ServerOptions {
  std::vector<config::ListenerConfig> listeners;
  config::Limits limits;
  /// Body limit of media uploads (POST/PUT under /_matrix/media/), when above
  /// limits.max_body_bytes; every other request keeps that limit.
  std::uint64_t max_upload_bytes = 0;
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  bool log_requests = true;
  unsigned network_threads = 2;
  unsigned worker_threads = 4;
  /// Longest wait for in-flight requests at shutdown.
  unsigned shutdown_grace_ms = 10'000;
};

/// Raised at start-up for problems an operator must fix (port in use, bad certificate).
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandlers handlers, metrics::Registry& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Loads TLS material and binds every listener; throws StartupError.
  void start();
  /// Serves until SIGTERM/SIGINT (or stop()); SIGHUP reloads the TLS certificate and key.
  /// `on_ready` runs once, when every listener accepts connections.
  void run(const std::function<void()>& on_ready);
  /// Stops accepting, lets in-flight requests finish (bounded), then returns from run().
  void stop();
  /// The port a listener actually bound (useful with port 0).
  std::uint16_t bound_port(std::size_t listener_index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ranvier::http
