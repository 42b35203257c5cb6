#pragma once
// Internal to server/http: the server's state and connection loop, shared by the files that
// compile it. Includes Asio and Beast, so nothing outside server/http may include it.

#include "http/http_server.hpp"


#include "api/errors.hpp"
#include "metrics/metrics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace ranvier::http {
namespace detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(use_awaitable);
using Clock = std::chrono::steady_clock;

constexpr auto write_timeout = std::chrono::seconds(30);
constexpr auto tls_handshake_timeout = std::chrono::seconds(10);

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

inline api::ApiResponse error_response(api::ErrCode code, std::string message) {
  api::MatrixError err(code, std::move(message));
  api::ApiResponse r;
  r.status = err.status();
  r.body = err.body();
  return r;
}

/// Loads and checks a certificate chain and its key; throws StartupError with the reason.
std::shared_ptr<asio::ssl::context> load_tls(const std::filesystem::path& cert, const std::filesystem::path& key);

/// The current time as an IMF-fixdate (RFC 9110 §5.6.7), for the Date header.
std::string_view http_date();

/// Request framing the HTTP layer must refuse (RFC 9112 §3, §6): no Host in HTTP/1.1, a
/// Transfer-Encoding whose last coding is not chunked, or a request target that is neither origin-, absolute- nor
/// asterisk-form.
template <class Parser>
std::optional<api::ApiResponse> framing_problem(const Parser& parser) {
  const auto& h = parser.get();
  if (h.find(bhttp::field::transfer_encoding) != h.end() && !parser.chunked()) {
    return error_response(api::ErrCode::bad_request, "Transfer-Encoding must end with chunked");
  }
  if (h.version() >= 11 && h.find(bhttp::field::host) == h.end()) {
    return error_response(api::ErrCode::bad_request, "HTTP/1.1 requests need a Host header");  // RFC 9112 §3.2
  }
  const std::string_view target = h.target();
  const bool asterisk = target == "*" && h.method() == bhttp::verb::options;
  if (!target.starts_with('/') && !asterisk && !target.starts_with("http://") && !target.starts_with("https://")) {
    return error_response(api::ErrCode::bad_request, "The request target must be a path");
  }
  return std::nullopt;
}

/// The path-and-query of a target: absolute-form `http://host/p?q` becomes `/p?q`.
inline std::string_view origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      auto slash = target.find('/', scheme.size());
      return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
  }
  return target;
}

/// Media uploads (client-server API, "Content repository") may be larger than other bodies.
template <class Header>
bool is_media_upload(const Header& h) {
  return (h.method() == bhttp::verb::post || h.method() == bhttp::verb::put) &&
         origin_form(h.target()).starts_with("/_matrix/media/");
}

}  // namespace detail

using namespace detail;

struct HttpServer::Impl {
  ServerOptions options;
  RequestHandlers handlers;
  metrics::Registry& metrics;
  asio::io_context ioc;
  asio::thread_pool workers;
  std::vector<tcp::acceptor> acceptors;
  std::vector<config::ListenerConfig> listener_of_acceptor;
  asio::signal_set signals;

  std::mutex tls_mutex;
  std::shared_ptr<asio::ssl::context> tls;

  /// Open sessions: id → a function that closes the connection if it is idle.
  std::mutex sessions_mutex;
  std::map<std::uint64_t, std::function<void()>> idle_closers;
  /// Long-polling requests waiting on a timer: id → a function that wakes one.
  std::map<std::uint64_t, std::function<void()>> parked_wakers;
  std::uint64_t next_session_id = 0;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> in_flight{0};

  Impl(ServerOptions o, RequestHandlers h, metrics::Registry& m)
      : options(std::move(o)),
        handlers(std::move(h)),
        metrics(m),
        ioc(static_cast<int>(options.network_threads)),
        workers(options.worker_threads),
        signals(ioc, SIGINT, SIGTERM, SIGHUP) {}

  std::shared_ptr<asio::ssl::context> current_tls() {
    std::lock_guard lock(tls_mutex);
    return tls;
  }

  void reload_tls() {
    try {
      auto fresh = load_tls(options.tls_certificate, options.tls_private_key);
      std::lock_guard lock(tls_mutex);
      tls = std::move(fresh);
      std::fprintf(stderr, "ranvier: reloaded TLS certificate and key\n");
    } catch (const StartupError& e) {
      // Keep serving with the old certificate: a bad renewal must not take the server down.
      std::fprintf(stderr, "ranvier: TLS reload failed, keeping the old certificate: %s\n", e.what());
    }
  }

  void log_request(const api::ApiRequest& req, int status, double seconds) {
    if (!options.log_requests) {
      return;
    }
    char line[512];
    int n = std::snprintf(line, sizeof line, "%s %s %.*s %d %.3fms\n", req.remote_address.c_str(), req.method.c_str(),
                          static_cast<int>(std::min<std::size_t>(req.path.size(), 300)), req.path.data(), status,
                          seconds * 1000.0);
    std::fwrite(line, 1, static_cast<std::size_t>(std::max(n, 0)), stderr);
  }

  awaitable<api::ApiResponse> answer(const api::ApiRequest& req) {
    try {
      if (auto immediate = handlers.handle_inline(req)) {
        co_return std::move(*immediate);
      }
      auto response = co_await asio::co_spawn(
          workers, [&]() -> awaitable<api::ApiResponse> { co_return handlers.handle(req); }, use_awaitable);
      while (response.long_poll) {
        response = co_await long_poll(std::move(response.long_poll));
      }
      co_return response;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ranvier: internal error on %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
    }
    co_return error_response(api::ErrCode::internal, "Internal server error");
  }

  /// A parked long-polling request. Whichever comes first (a wake-up from the notifier, the
  /// deadline, shutdown) claims it and computes the answer on a worker; the answer is handed to
  /// the connection's strand, which cancels the timer the request waits on.
  struct Parked {
    std::shared_ptr<api::LongPoll> poll;
    std::shared_ptr<asio::steady_timer> timer;
    std::atomic<bool> claimed{false};
    /// Set on the strand only.
    std::optional<api::ApiResponse> answer;
  };

  /// Computes a claimed request's answer on a worker and hands it to `strand`. A wake-up goes
  /// straight from the committing thread to a worker: no network thread in between. When the
  /// committing thread is a worker itself (a client's send), the answer is deferred to it: it
  /// runs there once the send's handler has returned and its response was handed to the
  /// network thread, instead of waking another worker (a sleeping thread takes tens of
  /// microseconds to wake on a small VM, and runs with cold caches). A commit that wakes several
  /// requests still spreads them over the pool: the worker that takes the first of them wakes
  /// another for the rest. The price: a handler that commits and then keeps its worker busy
  /// (several commits with remote calls between) hands its wake-ups over when it returns.
  void answer_parked(const std::shared_ptr<Parked>& parked, bool at_deadline, const asio::any_io_executor& strand) {
    asio::defer(workers, [parked, at_deadline, strand] {
      api::ApiResponse response;
      try {
        response = parked->poll->resume(at_deadline);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ranvier: internal error answering a long-polling request: %s\n", e.what());
        response = error_response(api::ErrCode::internal, "Internal server error");
      }
      asio::post(strand, [parked, response = std::move(response)]() mutable {
        parked->answer = std::move(response);
        parked->timer->cancel();
      });
    });
  }

  /// Parks a long-polling request on a timer of the connection's strand (no worker thread is
  /// held while it waits) until its answer was computed again after a wake-up, the deadline or
  /// shutdown.
  awaitable<api::ApiResponse> long_poll(std::shared_ptr<api::LongPoll> poll) {
    auto executor = co_await asio::this_coro::executor;
    auto parked = std::make_shared<Parked>();
    parked->poll = std::move(poll);
    parked->timer = std::make_shared<asio::steady_timer>(executor, parked->poll->deadline);
    auto claim = [this, parked, executor](bool at_deadline) {
      if (!parked->claimed.exchange(true)) {
        answer_parked(parked, at_deadline, executor);
      }
    };
    std::uint64_t id = 0;
    {
      // Shutdown answers parked requests at once instead of waiting out their timeouts.
      std::lock_guard lock(sessions_mutex);
      id = next_session_id++;
      parked_wakers[id] = [claim] { claim(true); };
    }
    if (stopping) {
      claim(true);
    }
    auto disarm = parked->poll->arm([claim] { claim(false); });
    while (!parked->answer) {
      auto [ec] = co_await parked->timer->async_wait(tuple_awaitable);
      if (!parked->answer && !ec) {
        // The deadline passed: a final answer, unless a wake-up's answer is on its way.
        claim(true);
        parked->timer->expires_at(Clock::time_point::max());
      }
    }
    disarm();
    {
      std::lock_guard lock(sessions_mutex);
      parked_wakers.erase(id);
    }
    co_return std::move(*parked->answer);
  }

  template <class Stream>
  awaitable<bool> write(Stream& stream, bhttp::response<bhttp::string_body>& res) {
    beast::get_lowest_layer(stream).expires_after(write_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, tuple_awaitable);
    co_return !ec;
  }

  static bhttp::response<bhttp::string_body> to_beast(api::ApiResponse&& r, unsigned version, bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "Ranvier/" RANVIER_VERSION);
    res.set(bhttp::field::date, http_date());
    res.set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) {
      res.set(k, v);
    }
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
  }

  /// The request loop of one connection: read with a deadline, answer, repeat while kept alive.
  template <class Stream>
  awaitable<void> serve(Stream& stream, const config::ListenerConfig& listener, std::string remote,
                        std::shared_ptr<std::atomic<bool>> busy) {
    beast::flat_buffer buffer;
    const auto read_timeout = std::chrono::milliseconds(options.limits.read_timeout_ms);
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(options.limits.max_header_bytes);
      // Beast checks Content-Length against the limit while reading the headers, so the larger
      // upload limit is set first and lowered again below for everything but uploads.
      const auto body_limit = options.limits.max_body_bytes;
      parser.body_limit(std::max(body_limit, options.max_upload_bytes));
      beast::get_lowest_layer(stream).expires_after(read_timeout);
      busy->store(false);
      auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, tuple_awaitable);
      busy->store(true);
      std::optional<api::ApiResponse> refusal;
      if (!ec) {
        refusal = framing_problem(parser);
      }
      if (!ec && !refusal && options.max_upload_bytes > body_limit && !is_media_upload(parser.get())) {
        if (parser.content_length().value_or(0) > body_limit) {
          ec = bhttp::error::body_limit;
        } else {
          parser.body_limit(body_limit);
        }
      }
      if (!ec && !refusal && !parser.is_done()) {
        // RFC 9110 §10.1.1: a client that sent Expect: 100-continue waits for this before the body.
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
          auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(go_on), tuple_awaitable);
          ec = wec;
        }
        if (!ec) {
          auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, tuple_awaitable);
          ec = bec;
        }
      }
      if (ec || refusal) {
        if (ec == bhttp::error::body_limit) {
          refusal = error_response(api::ErrCode::too_large, "Request body too large");
        } else if (ec == bhttp::error::header_limit) {
          refusal = error_response(api::ErrCode::headers_too_large, "Request headers too large");
        } else if (ec.category() == make_error_code(bhttp::error::bad_target).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          // Any other HTTP parse error: the request line or headers are malformed.
          refusal = error_response(api::ErrCode::bad_request, "Malformed HTTP request");
        }
        // Timeouts, resets and end of stream just close the connection.
        if (refusal) {
          auto res = to_beast(std::move(*refusal), 11, false);
          co_await write(stream, res);
        }
        break;
      }
      auto& raw = parser.get();
      const auto started = Clock::now();
      api::ApiRequest req;
      req.method = std::string(raw.method_string());
      auto target = origin_form(raw.target());
      auto q = target.find('?');
      req.path = std::string(target.substr(0, q));
      if (q != std::string_view::npos) {
        req.query = std::string(target.substr(q + 1));
      }
      req.headers.reserve(8);
      for (const auto& field : raw) {
        req.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
      }
      req.body = std::move(raw.body());
      req.remote_address = remote;
      req.on_federation_listener = listener.federation;
      req.on_client_listener = listener.client;
      req.on_metrics_listener = listener.metrics;

      in_flight.fetch_add(1);
      api::ApiResponse response = co_await answer(req);
      in_flight.fetch_sub(1);
      const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      metrics.record_request(response.endpoint, response.status, seconds);
      log_request(req, response.status, seconds);

      const bool keep_alive = raw.keep_alive() && !stopping;
      auto res = to_beast(std::move(response), raw.version(), keep_alive);
      if (req.method == "HEAD") {
        res.body().clear();
      }
      if (!co_await write(stream, res) || !keep_alive) {
        break;
      }
    }
  }

  std::uint64_t register_session(std::function<void()> closer) {
    std::lock_guard lock(sessions_mutex);
    auto id = next_session_id++;
    idle_closers.emplace(id, std::move(closer));
    return id;
  }

  /// Registers `stream` so that shutdown can close it while it waits for a request.
  template <class Stream>
  std::uint64_t watch_idle(Stream& stream, const std::shared_ptr<std::atomic<bool>>& busy) {
    auto executor = beast::get_lowest_layer(stream).get_executor();
    return register_session([&stream, busy, executor] {
      asio::post(executor, [&stream, busy] {
        if (!busy->load()) {
          beast::get_lowest_layer(stream).socket().cancel();
        }
      });
    });
  }

  void unregister_session(std::uint64_t id) {
    std::lock_guard lock(sessions_mutex);
    idle_closers.erase(id);
  }

  awaitable<void> session(tcp::socket socket, std::size_t listener_index) {
    const auto listener = listener_of_acceptor[listener_index];
    boost::system::error_code ep_ec;
    auto endpoint = socket.remote_endpoint(ep_ec);
    std::string remote = ep_ec ? "?" : endpoint.address().to_string();
    metrics.connection_opened();
    if (listener.tls) {
      co_await tls_session(std::move(socket), listener, std::move(remote));
    } else {
      co_await plain_session(std::move(socket), listener, std::move(remote));
    }
    metrics.connection_closed();
  }

  // Each stream type's connection loop is compiled in its own file (session_plain.cpp,
  // session_tls.cpp): Beast's coroutine templates are the slowest code in the build.
  awaitable<void> plain_session(tcp::socket socket, config::ListenerConfig listener, std::string remote);
  awaitable<void> tls_session(tcp::socket socket, config::ListenerConfig listener, std::string remote);

  awaitable<void> accept_loop(std::size_t index) {
    auto& acceptor = acceptors[index];
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), tuple_awaitable);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) {
          break;
        }
        // Out of file descriptors or similar: back off briefly instead of spinning.
        asio::steady_timer pause(ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(tuple_awaitable);
        continue;
      }
      if (metrics.open_connections() >= static_cast<std::int64_t>(options.limits.max_connections)) {
        co_await refuse(std::move(socket), listener_of_acceptor[index].tls);
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket), index), asio::detached);
    }
  }

  /// Over the connection limit: a plain listener gets a short 503 Matrix error, TLS just closes.
  awaitable<void> refuse(tcp::socket socket, bool tls_listener) {
    if (!tls_listener) {
      beast::tcp_stream stream(std::move(socket));
      auto res = to_beast(error_response(api::ErrCode::too_many_connections, "Too many connections"), 11, false);
      stream.expires_after(std::chrono::seconds(1));
      co_await bhttp::async_write(stream, res, tuple_awaitable);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
  }

  void wait_signals() {
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) {
        return;
      }
      if (sig == SIGHUP) {
        reload_tls();
        wait_signals();
        return;
      }
      std::fprintf(stderr, "ranvier: signal %d, shutting down\n", sig);
      begin_shutdown();
    });
  }

  void begin_shutdown() {
    if (stopping.exchange(true)) {
      return;
    }
    for (auto& a : acceptors) {
      boost::system::error_code ignored;
      a.close(ignored);
    }
    signals.cancel();
    close_idle();
    asio::co_spawn(ioc, drain(), asio::detached);
  }

  void close_idle() {
    std::lock_guard lock(sessions_mutex);
    for (auto& [id, closer] : idle_closers) {
      closer();
    }
    for (auto& [id, wake] : parked_wakers) {
      wake();
    }
  }

  /// Waits for in-flight requests, bounded by the grace period, then stops the loop.
  awaitable<void> drain() {
    const auto deadline = Clock::now() + std::chrono::milliseconds(options.shutdown_grace_ms);
    asio::steady_timer timer(ioc);
    while (Clock::now() < deadline) {
      {
        std::lock_guard lock(sessions_mutex);
        if (idle_closers.empty()) {
          break;
        }
      }
      close_idle();  // sessions that just finished a request are idle now
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(tuple_awaitable);
    }
    ioc.stop();
  }
};

}  // namespace ranvier::http
