#pragma once
// An outbound HTTP/1.1 client (plain or TLS) for federation and key fetching. Calls block the
// calling thread; run them on worker threads. Asio and Beast stay inside client.cpp.

#include "core/expected.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::http {

/// Where and what to send. The connection target, the Host header and the TLS name are
/// separate because server discovery decides each on its own.
struct ClientRequest {
  std::string method = "GET";
  bool tls = true;
  /// IP literal (IPv6 without brackets) or host name to resolve (AAAA/A) and connect to.
  std::string connect_host;
  std::uint16_t port = 443;
  /// The Host header, e.g. "example.org:8448".
  std::string host_header;
  /// The name sent as SNI and required on the certificate. An IP literal is checked against
  /// the certificate's IP addresses and sent without SNI. Empty: `connect_host`.
  std::string tls_name;
  /// Origin-form target: path and query, e.g. "/_matrix/key/v2/server".
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// When set, the whole exchange ends by then at the latest (a timeout error otherwise),
  /// besides ClientOptions::request_timeout: callers bounded by their own caller's wait (a
  /// client's `timeout`) give theirs, so that no request outlives them.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

/// A complete response.
struct ClientResponse {
  int status = 0;
  /// Header names in lower case, in the order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header with this lower-case name, or empty.
  std::string_view header(std::string_view lower_name) const;
};

/// Why no response came back.
enum class ClientErrorKind {
  resolve_failed,  ///< the host name has no address
  connect_failed,  ///< no address accepted a connection
  tls_failed,      ///< handshake failed or the certificate was not trusted for the name
  timeout,         ///< the request did not finish within ClientOptions::request_timeout
  too_large,       ///< the response exceeded ClientOptions::max_response_bytes
  protocol_error,  ///< the peer sent something that is not HTTP/1.1, or closed early
};

struct ClientError {
  ClientErrorKind kind;
  std::string message;
};

/// Short name of an error kind, for logs.
std::string_view to_string(ClientErrorKind kind);

struct ClientOptions {
  /// PEM file of extra trusted CAs, used besides the system store; empty: none.
  std::filesystem::path ca_file;
  bool verify_tls = true;
  std::chrono::milliseconds connect_timeout{10'000};
  /// The whole exchange: connect, handshake, write, read.
  std::chrono::milliseconds request_timeout{30'000};
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  /// Idle keep-alive connections kept per (host, port, TLS name); 0 disables reuse.
  std::size_t max_idle_per_host = 4;
};

/// Raised by the constructor when the CA file cannot be loaded.
class ClientSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thread-safe; connections are reused per destination when the server keeps them alive.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends one request and waits for the whole response. HTTP error statuses are responses,
  /// not errors. Never throws for network or peer problems.
  core::Expected<ClientResponse, ClientError> request(const ClientRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ranvier::http
