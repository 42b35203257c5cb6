// The outbound client against the project's own server on loopback: plain and TLS (with a
// throw-away CA made by the openssl tool), name checks, limits, timeouts and connection reuse.

#include "http/client.hpp"
#include "http/client_test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace ranvier::http {
namespace {

using test_support::pki;
using test_support::TestServer;

api::ApiResponse echo(const api::ApiRequest& r) {
  api::ApiResponse out;
  out.body = r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query) + " host=" +
             std::string(r.header("host")) + " x=" + std::string(r.header("x-test")) + " body=" + r.body;
  out.headers.emplace_back("X-Answer", "42");
  return out;
}

ClientRequest to(std::uint16_t port, bool tls, std::string target = "/path?q=1") {
  ClientRequest r;
  r.tls = tls;
  r.connect_host = "127.0.0.1";
  r.port = port;
  r.host_header = "example.org:8448";
  r.tls_name = "localhost";
  r.target = std::move(target);
  return r;
}

ClientOptions trusting_test_ca() {
  ClientOptions o;
  o.ca_file = pki().ca_cert;
  o.request_timeout = std::chrono::seconds(5);
  return o;
}

TEST(HttpClientTest, PlainRequestAndResponse) {
  TestServer server(echo);
  Client client(ClientOptions{});
  auto req = to(server.plain_port(), false);
  req.method = "POST";
  req.headers.emplace_back("X-Test", "yes");
  req.body = R"({"a":1})";
  auto r = client.request(req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"(POST /path?q=1 host=example.org:8448 x=yes body={"a":1})");
  EXPECT_EQ(r->header("x-answer"), "42");
  EXPECT_EQ(r->header("content-type"), "application/json");
}

TEST(HttpClientTest, ErrorStatusesAreResponses) {
  TestServer server([](const api::ApiRequest&) {
    api::ApiResponse out;
    out.status = 404;
    out.body = R"({"errcode":"M_NOT_FOUND"})";
    return out;
  });
  Client client(ClientOptions{});
  auto r = client.request(to(server.plain_port(), false));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(HttpClientTest, TlsVerifiedAgainstConfiguredCaAndName) {
  TestServer server(echo);
  Client client(trusting_test_ca());
  auto r = client.request(to(server.tls_port(), true));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);

  // The certificate also names 127.0.0.1: an IP literal is checked without SNI.
  auto by_ip = to(server.tls_port(), true);
  by_ip.tls_name = "127.0.0.1";
  EXPECT_TRUE(client.request(by_ip));

  auto wrong_name = to(server.tls_port(), true);
  wrong_name.tls_name = "other.example";
  auto refused = client.request(wrong_name);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ClientErrorKind::tls_failed);
}

TEST(HttpClientTest, UnknownCaIsRefusedUnlessVerificationIsOff) {
  TestServer server(echo);
  ClientOptions strict;
  strict.request_timeout = std::chrono::seconds(5);
  Client system_store_only(strict);
  auto r = system_store_only.request(to(server.tls_port(), true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::tls_failed);

  ClientOptions lax = strict;
  lax.verify_tls = false;
  Client unverified(lax);
  EXPECT_TRUE(unverified.request(to(server.tls_port(), true)));
}

TEST(HttpClientTest, MissingCaFileIsASetupError) {
  ClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(Client{o}, ClientSetupError);
}

TEST(HttpClientTest, ResponseSizeIsLimited) {
  TestServer server([](const api::ApiRequest&) {
    api::ApiResponse out;
    out.body = std::string(100'000, 'x');
    return out;
  });
  ClientOptions o;
  o.max_response_bytes = 10'000;
  Client client(o);
  auto r = client.request(to(server.plain_port(), false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::too_large);
}

TEST(HttpClientTest, SlowServerTimesOut) {
  TestServer server([](const api::ApiRequest& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    return echo(r);
  });
  ClientOptions o;
  o.request_timeout = std::chrono::milliseconds(200);
  Client client(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.request(to(server.plain_port(), false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700));
}

TEST(HttpClientTest, RequestDeadlineEndsTheExchangeBeforeTheClientTimeout) {
  std::atomic<int> calls{0};
  TestServer server([&](const api::ApiRequest& r) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    return echo(r);
  });
  ClientOptions o;
  o.request_timeout = std::chrono::seconds(30);
  Client client(o);
  auto req = to(server.plain_port(), false);
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  auto r = client.request(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::timeout);
  // A deadline already past: refused without a connection.
  const int before = calls.load();
  req.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  r = client.request(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::timeout);
  EXPECT_EQ(calls.load(), before);
}

TEST(HttpClientTest, ConnectAndResolveFailuresAreTyped) {
  std::uint16_t closed_port = 0;
  {
    TestServer server(echo);
    closed_port = server.plain_port();
  }
  Client client(ClientOptions{});
  auto refused = client.request(to(closed_port, false));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ClientErrorKind::connect_failed);

  auto unknown = to(closed_port, false);
  unknown.connect_host = "no-such-host.invalid";
  auto unresolved = client.request(unknown);
  ASSERT_FALSE(unresolved);
  EXPECT_EQ(unresolved.error().kind, ClientErrorKind::resolve_failed);
}

TEST(HttpClientTest, KeepAliveConnectionsAreReused) {
  TestServer server(echo);
  Client client(trusting_test_ca());
  for (int i = 0; i < 3; ++i) {
    auto r = client.request(to(server.tls_port(), true));
    ASSERT_TRUE(r) << r.error().message;
  }
  EXPECT_EQ(server.open_connections(), 1);
}

/// A TCP listener on loopback that answers every connection with fixed bytes, then closes.
class RawPeer {
 public:
  explicit RawPeer(std::string answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) {
          return;
        }
        char buffer[4096];
        (void)::recv(c, buffer, sizeof buffer, 0);
        (void)::send(c, answer_.data(), answer_.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~RawPeer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  std::string answer_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(HttpClientTest, GarbageAndEarlyCloseAreProtocolErrors) {
  Client client(ClientOptions{});
  for (const std::string answer : {std::string("garbage\r\n\r\n"), std::string(),
                                   std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"),
                                   std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    RawPeer peer(answer);
    auto r = client.request(to(peer.port(), false));
    ASSERT_FALSE(r) << answer;
    EXPECT_EQ(r.error().kind, ClientErrorKind::protocol_error) << answer << ": " << r.error().message;
  }
  // TLS spoken to a peer that answers in plain text.
  RawPeer plain("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto r = client.request(to(plain.port(), true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::tls_failed);
}

}  // namespace
}  // namespace ranvier::http
