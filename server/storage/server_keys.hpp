#pragma once
// Other servers' signing keys, fetched over federation (server-server API, "Retrieving server
// keys"): each key with its validity, and the last signed key document per server, which
// notary queries are answered with.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct RemoteServerKey {
  std::string server_name;
  std::string key_id;      ///< e.g. "ed25519:abc"
  std::string verify_key;  ///< unpadded base64 public key
  /// The key document's valid_until_ts (meaningful for current keys).
  std::int64_t valid_until_ts = 0;
  std::int64_t fetched_ts = 0;
  /// Set for keys the server lists under old_verify_keys.
  std::optional<std::int64_t> expired_ts;

  bool operator==(const RemoteServerKey&) const = default;
};

struct RemoteKeyDocument {
  std::string server_name;
  std::string document;  ///< the signed JSON as received
  std::int64_t valid_until_ts = 0;
  std::int64_t fetched_ts = 0;

  bool operator==(const RemoteKeyDocument&) const = default;
};

class ServerKeyReads {
 public:
  virtual ~ServerKeyReads() = default;
  /// Every stored key of `server_name`, by key ID.
  virtual std::vector<RemoteServerKey> keys(std::string_view server_name) = 0;
  /// The last key document stored for `server_name`.
  virtual std::optional<RemoteKeyDocument> document(std::string_view server_name) = 0;
};

class ServerKeyStore : public ServerKeyReads {
 public:
  /// Inserts a key or replaces the one with the same (server_name, key_id).
  virtual void put_key(const RemoteServerKey& key) = 0;
  /// Inserts or replaces the server's document.
  virtual void put_document(const RemoteKeyDocument& document) = 0;
};

}  // namespace ranvier::storage
