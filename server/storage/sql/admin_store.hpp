#pragma once
// The admin store over sql::Session, shared by both backends.

#include "storage/admin.hpp"
#include "storage/sql/admin_queries.hpp"

namespace ranvier::storage::sql {

class SqlAdminStore final : public AdminStore {
 public:
  SqlAdminStore(Session& session, const AdminSql& sql) : session_(session), sql_(sql) {}

  UserPage users(const UserQuery& query) override;
  std::vector<std::string> all_room_ids() override;
  bool is_erased(std::string_view user_id) override;
  bool is_room_blocked(std::string_view room_id) override;
  void mark_erased(std::string_view user_id, std::int64_t now_ts) override;
  bool block_room(std::string_view room_id, std::string_view blocked_by, std::int64_t now_ts) override;
  bool unblock_room(std::string_view room_id) override;
  bool update_registration_token(std::string_view token, std::optional<std::int64_t> uses_allowed,
                                 std::optional<std::int64_t> expiry_time) override;
  std::int64_t purge_history(const PurgeRequest& request) override;

 private:
  Session& session_;
  const AdminSql& sql_;
};

}  // namespace ranvier::storage::sql
