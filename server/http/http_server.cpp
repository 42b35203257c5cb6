#include "http/server_impl.hpp"

#include <openssl/ssl.h>

#include <thread>

namespace ranvier::http {

namespace detail {

/// Loads and checks a certificate chain and its key; throws StartupError with the reason.
std::shared_ptr<asio::ssl::context> load_tls(const std::filesystem::path& cert, const std::filesystem::path& key) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert.string(), ec);
  if (ec) {
    throw StartupError("tls.certificate: cannot load " + cert.string() + ": " + ec.message());
  }
  ctx->use_private_key_file(key.string(), asio::ssl::context::pem, ec);
  if (ec) {
    throw StartupError("tls.private_key: cannot load " + key.string() + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw StartupError("tls: the certificate " + cert.string() + " does not match the private key " + key.string());
  }
  return ctx;
}

/// The current time as an IMF-fixdate (RFC 9110 §5.6.7), formatted at most once a second per
/// thread: every response carries it.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[40];
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm parts{};
    gmtime_r(&now, &parts);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    cached_second = now;
  }
  return text;
}

}  // namespace detail

HttpServer::HttpServer(ServerOptions options, RequestHandlers handlers, metrics::Registry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handlers), metrics)) {}

HttpServer::~HttpServer() {
  impl_->workers.join();
}

void HttpServer::start() {
  auto& s = *impl_;
  bool any_tls = false;
  for (const auto& l : s.options.listeners) {
    any_tls = any_tls || l.tls;
  }
  if (any_tls) {
    s.tls = load_tls(s.options.tls_certificate, s.options.tls_private_key);
  }
  for (std::size_t i = 0; i < s.options.listeners.size(); ++i) {
    const auto& l = s.options.listeners[i];
    const std::string where = "listeners[" + std::to_string(i) + "].bind";
    boost::system::error_code ec;
    auto address = asio::ip::make_address(l.host == "localhost" ? "127.0.0.1" : l.host, ec);
    if (ec) {
      throw StartupError(where + ": '" + l.host + "' is not an IP address");
    }
    tcp::endpoint endpoint(address, l.port);
    tcp::acceptor acceptor(s.ioc);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      throw StartupError(where + ": cannot listen on " + l.host + ":" + std::to_string(l.port) + ": " + ec.message());
    }
    s.acceptors.push_back(std::move(acceptor));
    s.listener_of_acceptor.push_back(l);
  }
}

void HttpServer::run(const std::function<void()>& on_ready) {
  auto& s = *impl_;
  s.wait_signals();
  for (std::size_t i = 0; i < s.acceptors.size(); ++i) {
    asio::co_spawn(s.ioc, s.accept_loop(i), asio::detached);
  }
  if (on_ready) {
    on_ready();
  }
  std::vector<std::thread> extra;
  for (unsigned i = 1; i < s.options.network_threads; ++i) {
    extra.emplace_back([&s] { s.ioc.run(); });
  }
  s.ioc.run();
  for (auto& t : extra) {
    t.join();
  }
}

void HttpServer::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_shutdown(); });
}

std::uint16_t HttpServer::bound_port(std::size_t listener_index) const {
  boost::system::error_code ec;
  auto ep = impl_->acceptors.at(listener_index).local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace ranvier::http
