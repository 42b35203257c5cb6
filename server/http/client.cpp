#include "http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <map>
#include <mutex>
#include <optional>
#include <tuple>

namespace ranvier::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using core::fail;

constexpr std::uint32_t max_response_header_bytes = 64 * 1024;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

/// One connection with its own io_context, so a worker thread can drive it to completion
/// without sharing an event loop with anybody.
struct Connection {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  /// Runs the io_context until every started operation has completed.
  void run() {
    ioc.restart();
    ioc.run();
  }

  void close() {
    boost::system::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }
};

using PoolKey = std::tuple<bool, std::string, std::uint16_t, std::string>;

ClientError error(ClientErrorKind kind, std::string message) { return ClientError{kind, std::move(message)}; }

ClientError from_io(const boost::system::error_code& ec, ClientErrorKind otherwise, std::string_view step) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return error(ClientErrorKind::timeout, std::string(step) + " timed out");
  }
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return error(ClientErrorKind::too_large, "response too large");
  }
  return error(otherwise, std::string(step) + ": " + ec.message());
}

}  // namespace

std::string_view ClientResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) {
      return v;
    }
  }
  return {};
}

std::string_view to_string(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::resolve_failed:
      return "resolve_failed";
    case ClientErrorKind::connect_failed:
      return "connect_failed";
    case ClientErrorKind::tls_failed:
      return "tls_failed";
    case ClientErrorKind::timeout:
      return "timeout";
    case ClientErrorKind::too_large:
      return "too_large";
    case ClientErrorKind::protocol_error:
      return "protocol_error";
  }
  return "unknown";
}

struct Client::Impl {
  ClientOptions options;
  std::once_flag tls_built;
  std::optional<asio::ssl::context> tls;
  std::mutex mutex;
  std::map<PoolKey, std::vector<std::unique_ptr<Connection>>> idle;

  // Loading the system's trust store costs tens of milliseconds and about 1.5 MB per client,
  // and a server holds several clients (push gateways, application services, URL previews)
  // that most never use; so the TLS context is built on the first https request. A configured
  // CA file is still loaded here, so that a bad one stops start-up with its error.
  explicit Impl(ClientOptions o) : options(std::move(o)) {
    if (!options.ca_file.empty()) {
      tls_context();
    }
  }

  asio::ssl::context& tls_context() {
    std::call_once(tls_built, [this] {
      asio::ssl::context context{asio::ssl::context::tls_client};
      boost::system::error_code ec;
      context.set_default_verify_paths(ec);
      if (!options.ca_file.empty()) {
        context.load_verify_file(options.ca_file.string(), ec);
        if (ec) {
          throw ClientSetupError("cannot load CA file " + options.ca_file.string() + ": " + ec.message());
        }
      }
      context.set_verify_mode(options.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
      tls.emplace(std::move(context));
    });
    return *tls;
  }

  std::unique_ptr<Connection> take_idle(const PoolKey& key) {
    std::lock_guard lock(mutex);
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) {
      return nullptr;
    }
    auto c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }

  void give_back(const PoolKey& key, std::unique_ptr<Connection> c) {
    std::lock_guard lock(mutex);
    auto& list = idle[key];
    if (list.size() < options.max_idle_per_host) {
      list.push_back(std::move(c));
    }
  }

  core::Expected<std::unique_ptr<Connection>, ClientError> open(const ClientRequest& req, Clock::time_point deadline) {
    auto c = std::make_unique<Connection>();
    const std::string name = req.tls_name.empty() ? req.connect_host : req.tls_name;

    // Resolution has no built-in timeout: a timer cancels it.
    tcp::resolver resolver(c->ioc);
    asio::steady_timer timer(c->ioc);
    timer.expires_at(std::min(deadline, Clock::now() + options.connect_timeout));
    boost::system::error_code resolve_ec;
    tcp::resolver::results_type addresses;
    bool resolved = false;
    resolver.async_resolve(req.connect_host, std::to_string(req.port),
                           [&](const boost::system::error_code& ec, tcp::resolver::results_type results) {
                             resolved = true;
                             resolve_ec = ec;
                             addresses = std::move(results);
                             timer.cancel();
                           });
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec && !resolved) {
        resolver.cancel();
      }
    });
    c->run();
    if (resolve_ec == asio::error::operation_aborted) {
      return fail(error(ClientErrorKind::timeout, "resolving " + req.connect_host + " timed out"));
    }
    if (resolve_ec || addresses.empty()) {
      return fail(error(ClientErrorKind::resolve_failed, "cannot resolve " + req.connect_host + ": " + resolve_ec.message()));
    }

    if (req.tls) {
      c->secure.emplace(c->ioc, tls_context());
    } else {
      c->plain.emplace(c->ioc);
    }
    boost::system::error_code ec;
    c->lowest().expires_at(std::min(deadline, Clock::now() + options.connect_timeout));
    c->lowest().async_connect(addresses, [&](const boost::system::error_code& e, const tcp::endpoint&) { ec = e; });
    c->run();
    if (ec) {
      return fail(from_io(ec, ClientErrorKind::connect_failed, "connecting to " + req.connect_host));
    }
    if (!req.tls) {
      return c;
    }

    SSL* ssl = c->secure->native_handle();
    if (is_ip_literal(name)) {
      // No SNI for IP addresses (spec: server-server API, "TLS"); the certificate must name the IP.
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      SSL_set1_host(ssl, name.c_str());
    }
    c->lowest().expires_at(deadline);
    c->secure->async_handshake(asio::ssl::stream_base::client, [&](const boost::system::error_code& e) { ec = e; });
    c->run();
    if (ec) {
      auto err = from_io(ec, ClientErrorKind::tls_failed, "TLS handshake with " + name);
      const long verify = SSL_get_verify_result(ssl);
      if (err.kind == ClientErrorKind::tls_failed && verify != X509_V_OK) {
        err.message += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
      }
      return fail(std::move(err));
    }
    return c;
  }

  template <class Stream>
  core::Expected<ClientResponse, ClientError> exchange(Connection& c, Stream& stream, const ClientRequest& req,
                                                       Clock::time_point deadline, bool& keep_alive) {
    bhttp::request<bhttp::string_body> out;
    out.version(11);
    out.method_string(req.method);
    out.target(req.target);
    out.set(bhttp::field::host, req.host_header.empty() ? req.connect_host : req.host_header);
    out.set(bhttp::field::user_agent, "Ranvier/" RANVIER_VERSION);
    for (const auto& [name, value] : req.headers) {
      out.set(name, value);
    }
    out.body() = req.body;
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
      out.prepare_payload();
    }
    out.keep_alive(options.max_idle_per_host > 0);

    boost::system::error_code ec;
    c.lowest().expires_at(deadline);
    bhttp::async_write(stream, out, [&](const boost::system::error_code& e, std::size_t) { ec = e; });
    c.run();
    if (ec) {
      return fail(from_io(ec, ClientErrorKind::protocol_error, "sending the request"));
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    parser.header_limit(max_response_header_bytes);
    if (req.method == "HEAD") {
      parser.skip(true);
    }
    c.lowest().expires_at(deadline);
    bhttp::async_read(stream, c.buffer, parser, [&](const boost::system::error_code& e, std::size_t) { ec = e; });
    c.run();
    if (ec) {
      return fail(from_io(ec, ClientErrorKind::protocol_error, "reading the response"));
    }
    auto message = parser.release();
    ClientResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    keep_alive = message.keep_alive();
    return response;
  }

  core::Expected<ClientResponse, ClientError> attempt(std::unique_ptr<Connection>& c, const ClientRequest& req,
                                                      Clock::time_point deadline, bool& keep_alive) {
    return c->secure ? exchange(*c, *c->secure, req, deadline, keep_alive)
                     : exchange(*c, *c->plain, req, deadline, keep_alive);
  }

  core::Expected<ClientResponse, ClientError> request(const ClientRequest& req) {
    auto deadline = Clock::now() + options.request_timeout;
    if (req.deadline) {
      deadline = std::min(deadline, *req.deadline);
    }
    if (deadline <= Clock::now()) {
      return fail(error(ClientErrorKind::timeout, "the request's deadline passed before it was sent"));
    }
    const PoolKey key{req.tls, req.connect_host, req.port, req.tls_name};
    bool keep_alive = false;
    // A pooled connection may have been closed by the peer while idle: one failed attempt on
    // it is retried on a fresh connection (the request never reached a handler, or the peer
    // would have answered).
    if (auto reused = take_idle(key)) {
      auto response = attempt(reused, req, deadline, keep_alive);
      if (response) {
        finish(key, std::move(reused), keep_alive);
        return response;
      }
      if (response.error().kind == ClientErrorKind::timeout || response.error().kind == ClientErrorKind::too_large) {
        return response;
      }
    }
    auto fresh = open(req, deadline);
    if (!fresh) {
      return fail(fresh.error());
    }
    auto response = attempt(*fresh, req, deadline, keep_alive);
    if (response) {
      finish(key, std::move(*fresh), keep_alive);
    }
    return response;
  }

  void finish(const PoolKey& key, std::unique_ptr<Connection> c, bool keep_alive) {
    if (keep_alive && options.max_idle_per_host > 0) {
      give_back(key, std::move(c));
    } else {
      c->close();
    }
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

core::Expected<ClientResponse, ClientError> Client::request(const ClientRequest& request) {
  return impl_->request(request);
}

}  // namespace ranvier::http
