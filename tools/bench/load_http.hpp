#pragma once
// A minimal HTTP/1.1 client for load generators: one keep-alive connection over plain POSIX
// sockets, each request written with one system call, responses framed by Content-Length or
// chunked encoding. Deliberately small (no TLS, no redirects, no Beast) so that the client's
// own cost per request stays far below the server's and the program compiles in seconds.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::bench {

/// A transport failure or a response that is not HTTP.
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A response that is not 200, with its status and body, from Matrix::call.
class StatusError : public std::runtime_error {
 public:
  StatusError(const std::string& what, int status) : std::runtime_error(what), status(status) {}
  int status;
};

/// One HTTP/1.1 response.
struct HttpResponse {
  int status = 0;
  std::string body;
};

/// One keep-alive connection to `http://host:port`. A connection the server closed while idle
/// is opened again once, before anything of the response was read.
class Connection {
 public:
  /// `base_url` is `http://host:port` (an IPv4 address or a name getaddrinfo resolves).
  explicit Connection(std::string_view base_url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Writes one request (in one system call); `token` adds `Authorization: Bearer`.
  void send(std::string_view method, std::string_view target, const std::string* body, std::string_view token);
  /// Reads the next response.
  HttpResponse receive();
  /// send then receive.
  HttpResponse request(std::string_view method, std::string_view target, const std::string* body,
                       std::string_view token);

 private:
  void open();
  void close();
  bool fill();
  std::string take_until(std::string_view marker);
  std::string take(std::size_t count);

  std::string host_;
  std::string port_;
  int fd_ = -1;
  std::string buffer_;
  std::size_t offset_ = 0;
  std::string last_request_;
};

/// One user's connection to the client-server API: JSON in and out, anything but 200 throws
/// StatusError.
class Matrix {
 public:
  explicit Matrix(std::string_view base_url) : http_(base_url) {}

  /// `method` `/_matrix/client/v3` + `path` with an optional JSON body; the parsed answer.
  nlohmann::json call(std::string_view method, std::string_view path, const nlohmann::json* body = nullptr);
  /// POST /register (m.login.dummy), then POST /login with the password, as romeo_juliet.py does.
  void register_and_login(const std::string& username, const std::string& password);

  const std::string& user_id() const { return user_id_; }
  const std::string& token() const { return token_; }
  Connection& connection() { return http_; }

 private:
  Connection http_;
  std::string token_;
  std::string user_id_;
};

/// A path segment with everything outside the unreserved set percent-encoded.
std::string quote(std::string_view segment);

/// Nearest-rank percentile of an ascending list.
double percentile(const std::vector<double>& sorted, double fraction);

}  // namespace ranvier::bench
