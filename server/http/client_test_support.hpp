#pragma once
// Test support for code that makes outbound requests: a throw-away CA with a certificate for
// "localhost" and 127.0.0.1 (made by the openssl tool, once per test program), and the
// project's own HttpServer on loopback with a plain and a TLS listener.

#include "http/http_server.hpp"
#include "metrics/metrics.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace ranvier::http::test_support {

namespace fs = std::filesystem;

/// A CA and a certificate for "localhost" and 127.0.0.1 signed by it, made once per run.
struct TestPki {
  fs::path dir;
  fs::path ca_cert, cert, key;

  TestPki() {
    dir = fs::temp_directory_path() / ("ranvier_client_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    ca_cert = dir / "ca.crt";
    cert = dir / "server.crt";
    key = dir / "server.key";
    std::ofstream(dir / "ext.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    const std::string d = dir.string();
    const std::string script =
        "cd " + d + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=test-ca -keyout ca.key -out ca.crt 2>/dev/null && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr 2>/dev/null && "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile ext.cnf -out server.crt 2>/dev/null";
    if (std::system(script.c_str()) != 0) {
      throw std::runtime_error("openssl failed");
    }
  }
  ~TestPki() { fs::remove_all(dir); }
};

inline const TestPki& pki() {
  static TestPki p;
  return p;
}

/// A plain and a TLS listener on loopback answering with `handler`.
class TestServer {
 public:
  explicit TestServer(std::function<api::ApiResponse(const api::ApiRequest&)> handler) {
    ServerOptions options;
    config::ListenerConfig plain{.host = "127.0.0.1", .port = 0, .tls = false, .client = true};
    config::ListenerConfig tls{.host = "127.0.0.1", .port = 0, .tls = true, .client = true};
    options.listeners = {plain, tls};
    options.tls_certificate = pki().cert;
    options.tls_private_key = pki().key;
    options.log_requests = false;
    options.network_threads = 1;
    options.worker_threads = 2;
    options.shutdown_grace_ms = 100;
    server_ = std::make_unique<HttpServer>(options, RequestHandlers{[](const api::ApiRequest&) { return std::nullopt; },
                                                                    std::move(handler)},
                                           metrics_);
    server_->start();
    thread_ = std::thread([this] { server_->run([] {}); });
  }
  ~TestServer() {
    server_->stop();
    thread_.join();
  }
  std::uint16_t plain_port() const { return server_->bound_port(0); }
  std::uint16_t tls_port() const { return server_->bound_port(1); }
  std::int64_t open_connections() const { return metrics_.open_connections(); }

 private:
  metrics::Registry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

}  // namespace ranvier::http::test_support
