#include "storage/sql/admin_store.hpp"

#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {

UserPage SqlAdminStore::users(const UserQuery& query) {
  const Param guests = query.include_guests;
  const Param deactivated = query.include_deactivated;
  const Param name = nullable(query.name);
  UserPage page;
  page.user_ids = text_column(session_.query(
      sql_.users, {guests, deactivated, name, limit_param(query.limit), std::max<std::int64_t>(query.offset, 0)}));
  page.total = session_.query(sql_.users_count, {guests, deactivated, name}).at(0).at(0).as_int();
  return page;
}

std::vector<std::string> SqlAdminStore::all_room_ids() { return text_column(session_.query(sql_.room_ids, {})); }

bool SqlAdminStore::is_erased(std::string_view user_id) { return !session_.query(sql_.is_erased, {user_id}).empty(); }

bool SqlAdminStore::is_room_blocked(std::string_view room_id) {
  return !session_.query(sql_.is_blocked, {room_id}).empty();
}

void SqlAdminStore::mark_erased(std::string_view user_id, std::int64_t now_ts) {
  session_.execute(sql_.mark_erased, {user_id, now_ts});
}

bool SqlAdminStore::block_room(std::string_view room_id, std::string_view blocked_by, std::int64_t now_ts) {
  return session_.execute(sql_.block, {room_id, blocked_by, now_ts}) > 0;
}

bool SqlAdminStore::unblock_room(std::string_view room_id) { return session_.execute(sql_.unblock, {room_id}) > 0; }

bool SqlAdminStore::update_registration_token(std::string_view token, std::optional<std::int64_t> uses_allowed,
                                              std::optional<std::int64_t> expiry_time) {
  return session_.execute(sql_.update_token, {token, nullable(uses_allowed), nullable(expiry_time)}) > 0;
}

std::int64_t SqlAdminStore::purge_history(const PurgeRequest& request) {
  const std::initializer_list<Param> params{std::string_view(request.room_id), request.before.depth,
                                            request.before.stream, request.delete_local,
                                            std::string_view(request.local_suffix)};
  // Rows that name the events by stream position go first: the events' rows are what the
  // selection reads.
  for (const StaticSql& dependent :
       {sql_.purge_state_links, sql_.purge_search, sql_.purge_push_users, sql_.purge_push_queue,
        sql_.purge_push_events}) {
    session_.execute(dependent, params);
  }
  return session_.execute(sql_.purge_events, params);
}

}  // namespace ranvier::storage::sql
