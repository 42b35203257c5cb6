#pragma once
// Other servers' signing keys (spec: server-server API, "Retrieving server keys"): fetched
// from the server itself (`GET /_matrix/key/v2/server`) or through trusted notaries
// (`POST /_matrix/key/v2/query`), self-signatures checked, kept in a KeyStore with their
// validity, and handed to whoever verifies request or event signatures.

#include "core/expected.hpp"
#include "core/server_keys.hpp"
#include "core/signing.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::federation {

/// One stored key of a remote server.
struct StoredKey {
  std::string key_id;
  core::Ed25519PublicKey key{};
  /// The document's valid_until_ts (current keys).
  std::int64_t valid_until_ts = 0;
  /// When we fetched it (ms since the epoch).
  std::int64_t fetched_ts = 0;
  /// Set for keys listed under old_verify_keys: when the server stopped using it.
  std::optional<std::int64_t> expired_ts;

  bool operator==(const StoredKey&) const = default;
};

/// The last key document fetched for a server, as its server signed it (notaries serve it).
struct StoredKeyDocument {
  nlohmann::json document;
  std::int64_t valid_until_ts = 0;
  std::int64_t fetched_ts = 0;
};

/// Where fetched keys are kept (the database; memory in tests).
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  /// Every key known for `server`.
  virtual std::vector<StoredKey> keys(std::string_view server) = 0;
  /// Stores a verified document's keys (insert or replace by key ID) and the document itself.
  virtual void save(std::string_view server, const std::vector<StoredKey>& keys, const StoredKeyDocument& document) = 0;
  /// The last document stored for `server`.
  virtual std::optional<StoredKeyDocument> document(std::string_view server) = 0;
};

/// A KeyStore in memory, for tests and tools.
class MemoryKeyStore final : public KeyStore {
 public:
  std::vector<StoredKey> keys(std::string_view server) override;
  void save(std::string_view server, const std::vector<StoredKey>& keys, const StoredKeyDocument& document) override;
  std::optional<StoredKeyDocument> document(std::string_view server) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, StoredKey>, std::less<>> keys_;
  std::map<std::string, StoredKeyDocument, std::less<>> documents_;
};

/// The network side of key fetching.
class KeyFetcher {
 public:
  virtual ~KeyFetcher() = default;
  /// `GET /_matrix/key/v2/server` on `server`: its key document, unverified.
  virtual core::Expected<nlohmann::json, std::string> server_keys(const std::string& server) = 0;
  /// `POST /_matrix/key/v2/query` on `notary` with `request` ({"server_keys": {...}}): the
  /// response, unverified.
  virtual core::Expected<nlohmann::json, std::string> notary_query(const std::string& notary,
                                                                   const nlohmann::json& request) = 0;
};

struct KeyRingOptions {
  /// Notary servers (config `federation.trusted_key_servers`), asked when a server's own
  /// answer does not give the key.
  std::vector<std::string> notaries;
  /// A server whose keys were just fetched is not asked again sooner than this, so unknown
  /// key IDs in a flood of bad requests do not become a flood of fetches.
  std::chrono::milliseconds refetch_interval{std::chrono::seconds(30)};
  /// Milliseconds since the epoch (replaceable in tests).
  std::function<std::int64_t()> now_ms;
};

/// A key wanted for verification: (server, key ID), valid at `at_ts`.
struct KeyRequest {
  std::string server;
  std::string key_id;
  std::int64_t at_ts = 0;
};

/// Thread-safe. Fetches happen outside the lock.
class KeyRing {
 public:
  /// `own_name`/`own_keys`: this server, answered without fetching.
  KeyRing(std::string own_name, std::vector<core::SigningKey> own_keys, KeyStore& store, KeyFetcher& fetcher,
          KeyRingOptions options);

  /// The key `key_id` of `server`. When the known key is missing or not valid at `at_ts`, the
  /// server (then the notaries) is asked again, at most once per refetch interval. The key
  /// returned may still be invalid at `at_ts` (when its server says so): callers that enforce
  /// validity (request signatures; events of room versions ≥ 5) compare `valid_until_ts`.
  /// Current keys are valid until the lesser of the document's valid_until_ts and 7 days after
  /// the fetch; old keys until their expired_ts.
  std::optional<core::VerifyKey> verify_key(std::string_view server, std::string_view key_id, std::int64_t at_ts);

  /// Fetches, in parallel across servers, whatever `wanted` lacks (before verifying a batch of
  /// events, so each signature check finds its key in memory).
  void prefetch(const std::vector<KeyRequest>& wanted);

  /// verify_key as a core::VerifyKeyLookup, for core::verify_json_signature.
  core::VerifyKeyLookup lookup(std::int64_t at_ts);

  /// For answering notary queries: `server`'s last key document, fetched again when there is
  /// none or it expires before `minimum_valid_until_ts` (or now). A stale document is still
  /// returned when the server cannot be reached.
  std::optional<nlohmann::json> key_document(std::string_view server, std::int64_t minimum_valid_until_ts);

 private:
  using KeyMap = std::map<std::string, core::VerifyKey, std::less<>>;
  std::optional<core::VerifyKey> known(std::string_view server, std::string_view key_id);
  /// Fetches `server`'s keys (directly, then through notaries unless `direct_only`) if the
  /// refetch interval allows; true when something new was stored.
  bool refresh(const std::string& server, std::string_view key_id, std::int64_t at_ts, bool direct_only);
  /// Whether this caller fetches `server`'s keys now, waited for another caller's fetch
  /// (when `wait`), or must not fetch (asked too recently, or in flight and not waiting).
  enum class FetchTurn { mine, waited, throttled };
  FetchTurn claim_fetch(const std::string& server, bool wait);
  /// Ends a fetch claimed with FetchTurn::mine and wakes whoever waits for it.
  void release_fetch(const std::string& server);
  bool fetch_direct(const std::string& server);
  bool fetch_from_notaries(const std::string& server, std::string_view key_id, std::int64_t at_ts);
  /// Verifies `document` as `server`'s and stores it; false when it does not verify.
  bool accept(const std::string& server, const nlohmann::json& document);
  void remember(std::string_view server, const std::vector<StoredKey>& keys);

  std::string own_name_;
  KeyMap own_keys_;
  KeyStore& store_;
  KeyFetcher& fetcher_;
  KeyRingOptions options_;
  std::mutex mutex_;
  /// Keys read from the store or fetched, by server.
  std::map<std::string, KeyMap, std::less<>> memo_;
  /// When each server was last asked for its keys.
  std::map<std::string, std::int64_t, std::less<>> last_fetch_;
  /// Servers being fetched right now; concurrent askers wait on `fetched_` instead of
  /// fetching again or giving up.
  std::set<std::string, std::less<>> in_flight_;
  std::condition_variable fetched_;
};

}  // namespace ranvier::federation
