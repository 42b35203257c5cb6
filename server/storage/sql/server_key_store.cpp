#include "storage/sql/server_key_store.hpp"

namespace ranvier::storage::sql {

std::vector<RemoteServerKey> SqlServerKeyStore::keys(std::string_view server_name) {
  std::vector<RemoteServerKey> out;
  for (const auto& row : session_.query(sql_.keys, {server_name})) {
    out.push_back(RemoteServerKey{.server_name = std::string(server_name),
                                  .key_id = row.at(0).as_text(),
                                  .verify_key = row.at(1).as_text(),
                                  .valid_until_ts = row.at(2).as_int(),
                                  .fetched_ts = row.at(3).as_int(),
                                  .expired_ts = row.at(4).as_optional_int()});
  }
  return out;
}

std::optional<RemoteKeyDocument> SqlServerKeyStore::document(std::string_view server_name) {
  auto rows = session_.query(sql_.document, {server_name});
  if (rows.empty()) {
    return std::nullopt;
  }
  return RemoteKeyDocument{.server_name = std::string(server_name),
                           .document = rows.front().at(0).as_text(),
                           .valid_until_ts = rows.front().at(1).as_int(),
                           .fetched_ts = rows.front().at(2).as_int()};
}

void SqlServerKeyStore::put_key(const RemoteServerKey& key) {
  session_.execute(sql_.put_key, {std::string_view(key.server_name), std::string_view(key.key_id),
                                  std::string_view(key.verify_key), key.valid_until_ts, key.fetched_ts,
                                  nullable(key.expired_ts)});
}

void SqlServerKeyStore::put_document(const RemoteKeyDocument& document) {
  session_.execute(sql_.put_document, {std::string_view(document.server_name), std::string_view(document.document),
                                       document.valid_until_ts, document.fetched_ts});
}

}  // namespace ranvier::storage::sql
