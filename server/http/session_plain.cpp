// The connection loop over plain TCP (see server_impl.hpp).
#include "http/server_impl.hpp"

namespace ranvier::http {

awaitable<void> HttpServer::Impl::plain_session(tcp::socket socket, config::ListenerConfig listener,
                                                std::string remote) {
  auto busy = std::make_shared<std::atomic<bool>>(false);
  beast::tcp_stream stream(std::move(socket));
  const auto id = watch_idle(stream, busy);
  co_await serve(stream, listener, remote, busy);
  unregister_session(id);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace ranvier::http
