// The signed client against the project's own TLS server: what arrives carries a valid
// X-Matrix signature over method, target and body; answers and failures come back typed.

#include "federation/federation_client.hpp"

#include "federation/discovery.hpp"
#include "federation/request_signing.hpp"
#include "http/client.hpp"
#include "http/client_test_support.hpp"

#include <gtest/gtest.h>

namespace ranvier::federation {
namespace {

class NoSrv final : public SrvResolver {
 public:
  std::vector<SrvRecord> lookup(const std::string&) override { return {}; }
};
class NoWellKnown final : public WellKnownFetcher {
 public:
  WellKnownResult fetch(const std::string&) override { return {}; }
};

const core::SigningKey our_key = *core::make_signing_key("c1", core::ed25519_generate().seed);

/// Checks the X-Matrix header like a receiving server and answers according to the path.
api::ApiResponse remote(const api::ApiRequest& r) {
  api::ApiResponse out;
  auto auth = parse_x_matrix(r.header("authorization"));
  const std::string uri = r.query.empty() ? r.path : r.path + "?" + r.query;
  nlohmann::json body = r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body);
  const core::VerifyKeyLookup lookup = [](std::string_view server, std::string_view key_id) {
    return server == "origin.example" && key_id == our_key.key_id
               ? std::optional<core::VerifyKey>(core::VerifyKey{our_key.pair.public_key})
               : std::nullopt;
  };
  if (r.path == "/unsigned") {
    out.body = nlohmann::json{{"authorization", std::string(r.header("authorization"))}}.dump();
    return out;
  }
  if (!auth || !verify_request(*auth, r.method, uri, r.body.empty() ? nullptr : &body, "localhost", lookup, 0)) {
    out.status = 401;
    out.body = R"({"errcode":"M_UNAUTHORIZED","error":"bad signature"})";
    return out;
  }
  if (r.path == "/forbidden") {
    out.status = 403;
    out.body = R"({"errcode":"M_FORBIDDEN","error":"not you"})";
  } else if (r.path == "/not-json") {
    out.content_type = "text/plain";
    out.body = "hello";
  } else {
    out.body = nlohmann::json{{"method", r.method}, {"uri", uri}, {"host", std::string(r.header("host"))},
                              {"body", body}}
                   .dump();
  }
  return out;
}

struct FederationClientTest : ::testing::Test {
  http::test_support::TestServer server{remote};
  NoSrv srv;
  NoWellKnown well_known;
  std::unique_ptr<ServerResolver> resolver;
  std::unique_ptr<http::Client> http_client;
  std::unique_ptr<FederationClient> client;

  void SetUp() override {
    std::map<std::string, std::string, std::less<>> overrides{
        {"localhost", "127.0.0.1:" + std::to_string(server.tls_port())}, {"gone.example", "127.0.0.1:1"}};
    resolver = std::make_unique<ServerResolver>(overrides, srv, well_known, [] { return std::int64_t{0}; });
    http::ClientOptions options;
    options.ca_file = http::test_support::pki().ca_cert;
    options.request_timeout = std::chrono::seconds(5);
    http_client = std::make_unique<http::Client>(options);
    client = std::make_unique<FederationClient>("origin.example", our_key, *resolver, *http_client);
  }
};

TEST_F(FederationClientTest, SignedRequestsVerifyAtTheDestination) {
  auto got = client->get("localhost", "/_matrix/federation/v1/query/profile?user_id=%40a%3Alocalhost");
  ASSERT_TRUE(got) << describe(got.error());
  EXPECT_EQ((*got)["method"], "GET");
  EXPECT_EQ((*got)["uri"], "/_matrix/federation/v1/query/profile?user_id=%40a%3Alocalhost");
  EXPECT_EQ((*got)["host"], "localhost");

  const nlohmann::json body{{"pdus", nlohmann::json::array()}, {"n", 1.5}, {"text", "é"}};
  auto put = client->put("localhost", "/_matrix/federation/v1/send/t1", body);
  ASSERT_TRUE(put) << describe(put.error());
  EXPECT_EQ((*put)["body"], body);
  auto post = client->post("localhost", "/_matrix/key/v2/query", nlohmann::json::object());
  ASSERT_TRUE(post) << describe(post.error());
}

TEST_F(FederationClientTest, UnsignedRequestsCarryNoAuthorization) {
  auto got = client->request("GET", "localhost", "/unsigned", nullptr, false);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["authorization"], "");
}

TEST_F(FederationClientTest, FailuresAreTyped) {
  auto forbidden = client->get("localhost", "/forbidden");
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().kind, FederationError::Kind::http);
  EXPECT_EQ(forbidden.error().status, 403);
  EXPECT_EQ(forbidden.error().errcode, "M_FORBIDDEN");
  EXPECT_EQ(forbidden.error().message, "not you");
  EXPECT_EQ(describe(forbidden.error()), "http 403 M_FORBIDDEN: not you");

  auto not_json = client->get("localhost", "/not-json");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().kind, FederationError::Kind::bad_response);

  auto gone = client->get("gone.example", "/x");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, FederationError::Kind::unreachable);

  auto bad = client->get("not a server", "/x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, FederationError::Kind::bad_destination);
}

}  // namespace
}  // namespace ranvier::federation
