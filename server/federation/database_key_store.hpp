#pragma once
// The key ring's KeyStore in the database (storage/server_keys.hpp), so fetched keys survive
// restarts and notary answers can be given for servers that are down.

#include "federation/key_ring.hpp"

namespace ranvier::storage {
class Database;
}

namespace ranvier::federation {

class DatabaseKeyStore final : public KeyStore {
 public:
  explicit DatabaseKeyStore(storage::Database& database) : database_(database) {}
  std::vector<StoredKey> keys(std::string_view server) override;
  /// Keys and document in one transaction.
  void save(std::string_view server, const std::vector<StoredKey>& keys, const StoredKeyDocument& document) override;
  std::optional<StoredKeyDocument> document(std::string_view server) override;

 private:
  storage::Database& database_;
};

}  // namespace ranvier::federation
