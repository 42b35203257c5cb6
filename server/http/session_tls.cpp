// The connection loop over TLS (see server_impl.hpp). Each connection keeps the TLS context it
// started with, so a SIGHUP reload affects new connections only.
#include "http/server_impl.hpp"

namespace ranvier::http {

awaitable<void> HttpServer::Impl::tls_session(tcp::socket socket, config::ListenerConfig listener,
                                              std::string remote) {
  auto busy = std::make_shared<std::atomic<bool>>(false);
  auto ctx = current_tls();
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ctx);
  const auto id = watch_idle(stream, busy);
  beast::get_lowest_layer(stream).expires_after(tls_handshake_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
  if (!ec) {
    co_await serve(stream, listener, remote, busy);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(tuple_awaitable);
  }
  unregister_session(id);
}

}  // namespace ranvier::http
