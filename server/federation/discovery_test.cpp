// Server discovery with substitute DNS and .well-known answers (spec: server-server API,
// "Resolving server names", steps 1-5, and the caching advice of step 3).

#include "federation/discovery.hpp"
#include "federation/well_known_fetcher.hpp"

#include <gtest/gtest.h>

namespace ranvier::federation {
namespace {

class FakeSrv final : public SrvResolver {
 public:
  std::map<std::string, std::vector<SrvRecord>> records;
  std::vector<std::string> asked;
  std::vector<SrvRecord> lookup(const std::string& name) override {
    asked.push_back(name);
    auto it = records.find(name);
    return it == records.end() ? std::vector<SrvRecord>{} : it->second;
  }
};

class FakeWellKnown final : public WellKnownFetcher {
 public:
  std::map<std::string, WellKnownResult> answers;
  int fetches = 0;
  WellKnownResult fetch(const std::string& hostname) override {
    ++fetches;
    auto it = answers.find(hostname);
    return it == answers.end() ? WellKnownResult{} : it->second;
  }
};

struct Discovery : ::testing::Test {
  FakeSrv srv;
  FakeWellKnown well_known;
  std::int64_t now = 1'000'000;
  std::map<std::string, std::string, std::less<>> overrides;

  ResolvedServer resolve(std::string_view name) {
    ServerResolver resolver(overrides, srv, well_known, [this] { return now; });
    auto r = resolver.resolve(name);
    EXPECT_TRUE(r) << name;
    return r ? *r : ResolvedServer{};
  }
};

TEST_F(Discovery, OverrideMapComesFirst) {
  overrides["hs2.mesh.test"] = "127.0.0.1:9448";
  overrides["v6.test"] = "[::1]:443";
  EXPECT_EQ(resolve("hs2.mesh.test"), (ResolvedServer{"127.0.0.1", 9448, "hs2.mesh.test", "hs2.mesh.test"}));
  EXPECT_EQ(resolve("v6.test"), (ResolvedServer{"::1", 443, "v6.test", "v6.test"}));
  EXPECT_EQ(well_known.fetches, 0);
}

TEST_F(Discovery, IpLiterals) {
  // Step 1: the IP, its port or 8448, Host = the server name; no .well-known, no SRV.
  EXPECT_EQ(resolve("1.2.3.4"), (ResolvedServer{"1.2.3.4", 8448, "1.2.3.4", "1.2.3.4"}));
  EXPECT_EQ(resolve("1.2.3.4:9000"), (ResolvedServer{"1.2.3.4", 9000, "1.2.3.4:9000", "1.2.3.4"}));
  EXPECT_EQ(resolve("[2001:db8::1]:9000"), (ResolvedServer{"2001:db8::1", 9000, "[2001:db8::1]:9000", "2001:db8::1"}));
  EXPECT_EQ(well_known.fetches, 0);
  EXPECT_TRUE(srv.asked.empty());
}

TEST_F(Discovery, ExplicitPort) {
  // Step 2: AAAA/A of the host name (by the connector), the given port, Host with the port.
  EXPECT_EQ(resolve("example.org:8000"), (ResolvedServer{"example.org", 8000, "example.org:8000", "example.org"}));
  EXPECT_EQ(well_known.fetches, 0);
}

TEST_F(Discovery, WellKnownDelegation) {
  well_known.answers["ip.example"] = {"10.0.0.1", std::nullopt};
  well_known.answers["ipport.example"] = {"[::2]:9000", std::nullopt};
  well_known.answers["port.example"] = {"matrix.port.example:9001", std::nullopt};
  well_known.answers["srv.example"] = {"matrix.srv.example", std::nullopt};
  well_known.answers["plain.example"] = {"matrix.plain.example", std::nullopt};
  srv.records["_matrix-fed._tcp.matrix.srv.example"] = {{"backend.srv.example.", 7000, 10, 5}};
  EXPECT_EQ(resolve("ip.example"), (ResolvedServer{"10.0.0.1", 8448, "10.0.0.1", "10.0.0.1"}));
  EXPECT_EQ(resolve("ipport.example"), (ResolvedServer{"::2", 9000, "[::2]:9000", "::2"}));
  EXPECT_EQ(resolve("port.example"),
            (ResolvedServer{"matrix.port.example", 9001, "matrix.port.example:9001", "matrix.port.example"}));
  // SRV of the delegated name: connect to its target, but Host and certificate stay the
  // delegated name.
  EXPECT_EQ(resolve("srv.example"),
            (ResolvedServer{"backend.srv.example", 7000, "matrix.srv.example", "matrix.srv.example"}));
  EXPECT_EQ(resolve("plain.example"),
            (ResolvedServer{"matrix.plain.example", 8448, "matrix.plain.example", "matrix.plain.example"}));
}

TEST_F(Discovery, SrvWithoutWellKnown) {
  // Steps 4 and 5: _matrix-fed._tcp first, then the deprecated _matrix._tcp, then port 8448.
  srv.records["_matrix._tcp.old.example"] = {{"host.old.example", 8449, 0, 0}};
  srv.records["_matrix-fed._tcp.new.example"] = {{"host.new.example", 8450, 0, 0}};
  srv.records["_matrix._tcp.new.example"] = {{"ignored.example", 1, 0, 0}};
  srv.records["_matrix-fed._tcp.dot.example"] = {{".", 0, 0, 0}};
  EXPECT_EQ(resolve("old.example"), (ResolvedServer{"host.old.example", 8449, "old.example", "old.example"}));
  EXPECT_EQ(resolve("new.example"), (ResolvedServer{"host.new.example", 8450, "new.example", "new.example"}));
  EXPECT_EQ(resolve("none.example"), (ResolvedServer{"none.example", 8448, "none.example", "none.example"}));
  EXPECT_EQ(resolve("dot.example"), (ResolvedServer{"dot.example", 8448, "dot.example", "dot.example"}));
}

TEST_F(Discovery, SrvPicksTheLowestPriority) {
  srv.records["_matrix-fed._tcp.p.example"] = {{"second", 2, 20, 100}, {"first", 1, 10, 0}, {"third", 3, 30, 1}};
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(resolve("p.example").connect_host, "first");
  }
}

TEST_F(Discovery, WellKnownIsCachedPerTheSpec) {
  ServerResolver resolver({}, srv, well_known, [this] { return now; });
  const std::int64_t hour = 3'600'000;
  // Default 24 h.
  well_known.answers["a.example"] = {"deleg.a.example:1", std::nullopt};
  resolver.resolve("a.example");
  now += 23 * hour;
  resolver.resolve("a.example");
  EXPECT_EQ(well_known.fetches, 1);
  now += 2 * hour;
  resolver.resolve("a.example");
  EXPECT_EQ(well_known.fetches, 2);

  // Cache-Control max-age is respected, up to 48 h.
  well_known.fetches = 0;
  well_known.answers["b.example"] = {"deleg.b.example:1", std::chrono::hours(100)};
  resolver.resolve("b.example");
  now += 47 * hour;
  resolver.resolve("b.example");
  EXPECT_EQ(well_known.fetches, 1);
  now += 2 * hour;
  resolver.resolve("b.example");
  EXPECT_EQ(well_known.fetches, 2);

  // Errors are cached for an hour; no-store is not cached.
  well_known.fetches = 0;
  resolver.resolve("missing.example");
  now += hour - 1;
  resolver.resolve("missing.example");
  EXPECT_EQ(well_known.fetches, 1);
  now += 2;
  resolver.resolve("missing.example");
  EXPECT_EQ(well_known.fetches, 2);

  well_known.fetches = 0;
  well_known.answers["c.example"] = {"deleg.c.example:1", std::chrono::seconds(0)};
  resolver.resolve("c.example");
  resolver.resolve("c.example");
  EXPECT_EQ(well_known.fetches, 2);

  // A cached delegation keeps being used until it expires or is forgotten.
  resolver.forget("a.example");
  resolver.resolve("a.example");
  well_known.answers["a.example"] = {"other.a.example:2", std::nullopt};
  EXPECT_EQ(resolver.resolve("a.example")->connect_host, "deleg.a.example");
  resolver.forget("a.example");
  EXPECT_EQ(resolver.resolve("a.example")->connect_host, "other.a.example");
}

TEST_F(Discovery, SrvAnswersAreCached) {
  ServerResolver resolver({}, srv, well_known, [this] { return now; });
  srv.records["_matrix-fed._tcp.s.example"] = {{"host.s.example", 8450, 0, 0}};
  EXPECT_EQ(resolver.resolve("s.example")->port, 8450);
  EXPECT_EQ(resolver.resolve("none.example")->port, 8448);
  const auto asked = srv.asked.size();  // one for s.example, two for none.example
  EXPECT_EQ(asked, 3U);
  now += 9 * 60'000;
  EXPECT_EQ(resolver.resolve("s.example")->port, 8450);
  EXPECT_EQ(resolver.resolve("none.example")->port, 8448);
  EXPECT_EQ(srv.asked.size(), asked);
  // Expired, or forgotten: asked again.
  now += 2 * 60'000;
  srv.records["_matrix-fed._tcp.s.example"] = {{"moved.s.example", 8451, 0, 0}};
  EXPECT_EQ(resolver.resolve("s.example")->port, 8451);
  srv.records["_matrix-fed._tcp.s.example"] = {{"again.s.example", 8452, 0, 0}};
  resolver.forget("s.example");
  EXPECT_EQ(resolver.resolve("s.example")->port, 8452);
}

TEST_F(Discovery, BadNamesAreErrors) {
  ServerResolver resolver({}, srv, well_known, [this] { return now; });
  EXPECT_FALSE(resolver.resolve(""));
  EXPECT_FALSE(resolver.resolve("bad name"));
  EXPECT_FALSE(resolver.resolve("example.org:99999"));
}

TEST(CacheControl, MaxAge) {
  using std::chrono::seconds;
  EXPECT_EQ(cache_max_age("max-age=3600"), seconds(3600));
  EXPECT_EQ(cache_max_age("public, Max-Age=\"60\" , must-revalidate"), seconds(60));
  EXPECT_EQ(cache_max_age("no-store"), seconds(0));
  EXPECT_EQ(cache_max_age("max-age=10, no-cache"), seconds(0));
  EXPECT_EQ(cache_max_age("max-age=99999999999999999999"), seconds(INT32_MAX));
  EXPECT_FALSE(cache_max_age(""));
  EXPECT_FALSE(cache_max_age("max-age=-1"));
  EXPECT_FALSE(cache_max_age("max-age=abc"));
  EXPECT_FALSE(cache_max_age("public"));
}

TEST(WellKnownBody, OnlyValidServerNames) {
  EXPECT_EQ(parse_well_known_server(R"({"m.server": "matrix.example.org:443"})"), "matrix.example.org:443");
  EXPECT_FALSE(parse_well_known_server(R"({"m.server": "not a name"})"));
  EXPECT_FALSE(parse_well_known_server(R"({"m.server": 1})"));
  EXPECT_FALSE(parse_well_known_server(R"({})"));
  EXPECT_FALSE(parse_well_known_server(R"([])"));
  EXPECT_FALSE(parse_well_known_server("<html>"));
}

}  // namespace
}  // namespace ranvier::federation
