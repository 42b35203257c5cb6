// The key ring with a substitute network: direct fetches, expiry and refetching, old keys,
// notaries (whose own signatures must verify), throttling and the notary document cache.

#include "federation/key_ring.hpp"

#include "federation/database_key_store.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace ranvier::federation {
namespace {

constexpr std::int64_t day = 24LL * 3600 * 1000;

core::SigningKey new_key(std::string_view version) {
  return *core::make_signing_key(version, core::ed25519_generate().seed);
}

/// Remote servers as the fetcher sees them: their keys and what their documents claim.
class FakeNetwork final : public KeyFetcher {
 public:
  struct Server {
    std::vector<core::SigningKey> keys;
    std::vector<core::OldVerifyKey> old;
    std::int64_t valid_until_ts = 0;
    bool reachable = true;
  };
  std::map<std::string, Server> servers;
  /// Notary name → documents it hands out (already co-signed or not).
  std::map<std::string, std::vector<nlohmann::json>> notary_answers;
  std::atomic<int> direct_fetches{0};
  std::atomic<int> notary_queries{0};

  nlohmann::json document(const std::string& name) {
    const auto& s = servers.at(name);
    return core::build_server_keys(name, s.keys, s.old, s.valid_until_ts);
  }

  std::chrono::milliseconds delay{0};

  core::Expected<nlohmann::json, std::string> server_keys(const std::string& server) override {
    ++direct_fetches;
    std::this_thread::sleep_for(delay);
    auto it = servers.find(server);
    if (it == servers.end() || !it->second.reachable) {
      return core::fail(std::string("unreachable"));
    }
    return document(server);
  }
  core::Expected<nlohmann::json, std::string> notary_query(const std::string& notary,
                                                           const nlohmann::json&) override {
    ++notary_queries;
    auto it = notary_answers.find(notary);
    if (it == notary_answers.end()) {
      return core::fail(std::string("no such notary"));
    }
    return nlohmann::json{{"server_keys", it->second}};
  }
};

struct KeyRingTest : ::testing::Test {
  FakeNetwork net;
  MemoryKeyStore store;
  std::int64_t now = 100 * day;
  core::SigningKey own = new_key("own");

  std::unique_ptr<KeyRing> ring(std::vector<std::string> notaries = {}) {
    KeyRingOptions options;
    options.notaries = std::move(notaries);
    options.now_ms = [this] { return now; };
    return std::make_unique<KeyRing>("us.example", std::vector{own}, store, net, options);
  }

  void add_server(const std::string& name, const core::SigningKey& key, std::int64_t valid_until) {
    net.servers[name] = FakeNetwork::Server{{key}, {}, valid_until, true};
  }
};

TEST_F(KeyRingTest, OwnKeysNeedNoFetch) {
  auto r = ring();
  auto key = r->verify_key("us.example", own.key_id, now);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->key, own.pair.public_key);
  EXPECT_FALSE(r->verify_key("us.example", "ed25519:other", now));
  EXPECT_EQ(net.direct_fetches, 0);
}

TEST_F(KeyRingTest, FetchesVerifiesStoresAndReuses) {
  const auto key = new_key("a");
  add_server("remote.example", key, now + day);
  auto r = ring();
  auto found = r->verify_key("remote.example", key.key_id, now);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key, key.pair.public_key);
  EXPECT_EQ(found->valid_until_ts, now + day);
  EXPECT_TRUE(r->verify_key("remote.example", key.key_id, now + 1000));
  EXPECT_EQ(net.direct_fetches, 1);
  // Stored: a new ring (a restart) finds it without fetching.
  auto again = ring();
  EXPECT_TRUE(again->verify_key("remote.example", key.key_id, now));
  EXPECT_EQ(net.direct_fetches, 1);
  ASSERT_TRUE(store.document("remote.example"));
  EXPECT_EQ(store.document("remote.example")->document, net.document("remote.example"));
}

TEST_F(KeyRingTest, ValidityIsCappedAtSevenDaysAfterTheFetch) {
  const auto key = new_key("a");
  add_server("remote.example", key, now + 30 * day);
  auto r = ring();
  EXPECT_EQ(r->verify_key("remote.example", key.key_id, now)->valid_until_ts, now + 7 * day);
}

TEST_F(KeyRingTest, ExpiredKeysAreRefetchedThenReportedAsExpired) {
  const auto key = new_key("a");
  add_server("remote.example", key, now - 1);
  auto r = ring();
  auto found = r->verify_key("remote.example", key.key_id, now);
  ASSERT_TRUE(found);
  EXPECT_LT(found->valid_until_ts, now);  // the caller decides (401 for requests)
  EXPECT_EQ(net.direct_fetches, 1);

  // The server renews it; after the refetch interval the ring asks again and sees it.
  net.servers["remote.example"].valid_until_ts = now + day;
  EXPECT_LT(r->verify_key("remote.example", key.key_id, now)->valid_until_ts, now);
  EXPECT_EQ(net.direct_fetches, 1);  // throttled
  now += 31'000;
  EXPECT_GE(r->verify_key("remote.example", key.key_id, now)->valid_until_ts, now);
  EXPECT_EQ(net.direct_fetches, 2);
}

TEST_F(KeyRingTest, OldKeysAreValidUntilTheirExpiry) {
  const auto current = new_key("new");
  const auto retired = new_key("old");
  net.servers["remote.example"] =
      FakeNetwork::Server{{current}, {{retired.key_id, retired.pair.public_key, now - day}}, now + day, true};
  auto r = ring();
  auto old = r->verify_key("remote.example", retired.key_id, now - 2 * day);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->key, retired.pair.public_key);
  EXPECT_EQ(old->valid_until_ts, now - day);
}

TEST_F(KeyRingTest, UnknownServersAndKeysAreThrottled) {
  auto r = ring();
  EXPECT_FALSE(r->verify_key("nowhere.example", "ed25519:x", now));
  EXPECT_FALSE(r->verify_key("nowhere.example", "ed25519:y", now));
  EXPECT_EQ(net.direct_fetches, 1);
}

TEST_F(KeyRingTest, ForgedDocumentsAreRefused) {
  const auto key = new_key("a");
  add_server("remote.example", key, now + day);
  // The document claims to be another server's.
  net.servers["impostor.example"] = net.servers["remote.example"];
  auto r = ring();
  class Forger final : public KeyFetcher {
   public:
    FakeNetwork& net;
    explicit Forger(FakeNetwork& n) : net(n) {}
    core::Expected<nlohmann::json, std::string> server_keys(const std::string&) override {
      auto doc = net.document("remote.example");
      doc["valid_until_ts"] = doc["valid_until_ts"].get<std::int64_t>() + 1;  // breaks the signature
      return doc;
    }
    core::Expected<nlohmann::json, std::string> notary_query(const std::string&, const nlohmann::json&) override {
      return core::fail(std::string("none"));
    }
  } forger(net);
  KeyRingOptions options;
  options.now_ms = [this] { return now; };
  KeyRing forged("us.example", {own}, store, forger, options);
  EXPECT_FALSE(forged.verify_key("remote.example", key.key_id, now));
  EXPECT_FALSE(store.document("remote.example"));
}

TEST_F(KeyRingTest, NotariesAnswerForUnreachableServers) {
  const auto key = new_key("a");
  const auto notary_key = new_key("n");
  add_server("remote.example", key, now + day);
  add_server("notary.example", notary_key, now + day);
  auto signed_by_notary = net.document("remote.example");
  core::sign_json(signed_by_notary, "notary.example", notary_key);
  net.servers["remote.example"].reachable = false;
  net.notary_answers["notary.example"] = {signed_by_notary};
  auto r = ring({"notary.example"});
  auto found = r->verify_key("remote.example", key.key_id, now);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key, key.pair.public_key);
  EXPECT_EQ(net.notary_queries, 1);
}

TEST_F(KeyRingTest, NotaryAnswersWithoutTheNotarysSignatureAreIgnored) {
  const auto key = new_key("a");
  add_server("remote.example", key, now + day);
  add_server("notary.example", new_key("n"), now + day);
  auto unsigned_by_notary = net.document("remote.example");
  core::sign_json(unsigned_by_notary, "notary.example", new_key("n"));  // a key the notary does not have
  net.servers["remote.example"].reachable = false;
  net.notary_answers["notary.example"] = {unsigned_by_notary};
  auto r = ring({"notary.example"});
  EXPECT_FALSE(r->verify_key("remote.example", key.key_id, now));
}

TEST_F(KeyRingTest, PrefetchFetchesEachMissingServerOnce) {
  std::vector<KeyRequest> wanted;
  for (int i = 0; i < 12; ++i) {
    const auto name = "s" + std::to_string(i) + ".example";
    const auto key = new_key("k");
    add_server(name, key, now + day);
    wanted.push_back({name, key.key_id, now});
    wanted.push_back({name, key.key_id, now});
  }
  wanted.push_back({"us.example", own.key_id, now});
  auto r = ring();
  r->prefetch(wanted);
  EXPECT_EQ(net.direct_fetches, 12);
  for (const auto& w : wanted) {
    EXPECT_TRUE(r->verify_key(w.server, w.key_id, now));
  }
  EXPECT_EQ(net.direct_fetches, 12);
}

TEST_F(KeyRingTest, ConcurrentAskersShareOneFetch) {
  // The first requests from a new server arrive together: all of them must find its key,
  // not only the one that happened to fetch it.
  const auto key = new_key("a");
  add_server("remote.example", key, now + day);
  net.delay = std::chrono::milliseconds(100);
  auto r = ring();
  std::atomic<int> found{0};
  std::vector<std::thread> askers;
  for (int i = 0; i < 8; ++i) {
    askers.emplace_back([&] {
      if (r->verify_key("remote.example", key.key_id, now)) {
        ++found;
      }
    });
  }
  for (auto& t : askers) {
    t.join();
  }
  EXPECT_EQ(found, 8);
  EXPECT_EQ(net.direct_fetches, 1);
}

TEST_F(KeyRingTest, LookupPlugsIntoJsonSignatureChecks) {
  const auto key = new_key("a");
  add_server("remote.example", key, now + day);
  nlohmann::json object{{"hello", "world"}};
  core::sign_json(object, "remote.example", key);
  auto r = ring();
  EXPECT_FALSE(core::verify_json_signature(object, "remote.example", r->lookup(now), now));
}

TEST_F(KeyRingTest, KeyDocumentsForNotaryQueries) {
  const auto key = new_key("a");
  add_server("remote.example", key, now + day);
  auto r = ring();
  EXPECT_FALSE(r->key_document("us.example", 0));
  auto doc = r->key_document("remote.example", 0);
  ASSERT_TRUE(doc);
  EXPECT_EQ(*doc, net.document("remote.example"));
  EXPECT_EQ(net.direct_fetches, 1);
  EXPECT_TRUE(r->key_document("remote.example", now + day));
  EXPECT_EQ(net.direct_fetches, 1);
  // Asked for more validity than the cached document has: fetched again; when the server is
  // gone, the stale copy is still served.
  net.servers["remote.example"].reachable = false;
  now += 31'000;
  EXPECT_TRUE(r->key_document("remote.example", now + 2 * day));
  EXPECT_EQ(net.direct_fetches, 2);
  EXPECT_FALSE(r->key_document("never.example", 0));
}

}  // namespace
}  // namespace ranvier::federation

namespace ranvier::federation {
namespace {

TEST_F(KeyRingTest, DatabaseStoreKeepsKeysAcrossRestarts) {
  const auto dir = std::filesystem::temp_directory_path() / ("ranvier_key_ring_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto retired = new_key("old");
  const auto key = new_key("a");
  net.servers["remote.example"] =
      FakeNetwork::Server{{key}, {{retired.key_id, retired.pair.public_key, now - day}}, now + day, true};
  KeyRingOptions options;
  options.now_ms = [this] { return now; };
  {
    auto db = storage::open_database("sqlite://" + (dir / "keys.db").string());
    DatabaseKeyStore keys(*db);
    KeyRing first("us.example", {own}, keys, net, options);
    EXPECT_TRUE(first.verify_key("remote.example", key.key_id, now));
  }
  auto db = storage::open_database("sqlite://" + (dir / "keys.db").string());
  DatabaseKeyStore keys(*db);
  KeyRing second("us.example", {own}, keys, net, options);
  auto found = second.verify_key("remote.example", key.key_id, now);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key, key.pair.public_key);
  EXPECT_EQ(found->valid_until_ts, now + day);
  EXPECT_EQ(second.verify_key("remote.example", retired.key_id, 0)->valid_until_ts, now - day);
  EXPECT_EQ(second.key_document("remote.example", 0), net.document("remote.example"));
  EXPECT_EQ(net.direct_fetches, 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ranvier::federation
