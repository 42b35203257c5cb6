#pragma once
// The remote server key store over a sql::Session (both engines).

#include "storage/server_keys.hpp"
#include "storage/sql/server_key_queries.hpp"

namespace ranvier::storage::sql {

class SqlServerKeyStore final : public ServerKeyStore {
 public:
  SqlServerKeyStore(Session& session, const ServerKeySql& sql) : session_(session), sql_(sql) {}
  std::vector<RemoteServerKey> keys(std::string_view server_name) override;
  std::optional<RemoteKeyDocument> document(std::string_view server_name) override;
  void put_key(const RemoteServerKey& key) override;
  void put_document(const RemoteKeyDocument& document) override;

 private:
  Session& session_;
  const ServerKeySql& sql_;
};

}  // namespace ranvier::storage::sql
