#include "federation/database_key_store.hpp"

#include "core/base64.hpp"
#include "storage/database.hpp"

namespace ranvier::federation {

std::vector<StoredKey> DatabaseKeyStore::keys(std::string_view server) {
  auto rows = database_.read([&](storage::ReadTx& tx) { return tx.server_keys().keys(server); });
  std::vector<StoredKey> out;
  for (const auto& row : rows) {
    const auto bytes = core::base64_decode(row.verify_key);
    StoredKey key{row.key_id, {}, row.valid_until_ts, row.fetched_ts, row.expired_ts};
    // Only verified keys are stored, so a bad row means someone edited the table: skip it.
    if (!bytes || bytes->size() != key.key.size()) {
      continue;
    }
    std::copy(bytes->begin(), bytes->end(), key.key.begin());
    out.push_back(std::move(key));
  }
  return out;
}

void DatabaseKeyStore::save(std::string_view server, const std::vector<StoredKey>& keys,
                            const StoredKeyDocument& document) {
  const std::string name(server);
  database_.write([&](storage::WriteTx& tx) {
    for (const auto& key : keys) {
      tx.server_keys().put_key(storage::RemoteServerKey{name, key.key_id, core::base64_encode(core::as_bytes(key.key)),
                                                        key.valid_until_ts, key.fetched_ts, key.expired_ts});
    }
    tx.server_keys().put_document(
        storage::RemoteKeyDocument{name, document.document.dump(), document.valid_until_ts, document.fetched_ts});
  });
}

std::optional<StoredKeyDocument> DatabaseKeyStore::document(std::string_view server) {
  auto row = database_.read([&](storage::ReadTx& tx) { return tx.server_keys().document(server); });
  if (!row) {
    return std::nullopt;
  }
  auto json = nlohmann::json::parse(row->document, nullptr, false);
  if (!json.is_object()) {
    return std::nullopt;
  }
  return StoredKeyDocument{std::move(json), row->valid_until_ts, row->fetched_ts};
}

}  // namespace ranvier::federation
