#pragma once
// SQLite text of the admin store (sql/admin_queries.hpp): its own user filter and search
// index, the rest shared.

#include "storage/sql/admin_queries.hpp"

namespace ranvier::storage::sqlite {

#define ADMIN_USER_FILTER                                                                           \
  " FROM accounts a LEFT JOIN profiles p ON p.user_id = a.user_id"                                  \
  " WHERE (?1 OR a.is_guest = 0) AND (?2 OR a.deactivated = 0) AND (?3 IS NULL"                     \
  " OR instr(lower(a.user_id), lower(?3)) > 0"                                                      \
  " OR instr(lower(coalesce(json_extract(p.profile, '$.displayname'), '')), lower(?3)) > 0)"

inline constexpr sql::AdminSql admin_sql{
    .users = "SELECT a.user_id" ADMIN_USER_FILTER " ORDER BY a.user_id LIMIT ?4 OFFSET ?5",
    .users_count = "SELECT count(*)" ADMIN_USER_FILTER,
    .room_ids = sql::admin_text::room_ids,
    .is_erased = sql::admin_text::is_erased,
    .mark_erased = sql::admin_text::mark_erased,
    .is_blocked = sql::admin_text::is_blocked,
    .block = sql::admin_text::block,
    .unblock = sql::admin_text::unblock,
    .update_token = sql::admin_text::update_token,
    .purge_state_links = sql::admin_text::purge_state_links,
    // The FTS5 table keys its rows by rowid, which is the event's stream position.
    .purge_search = "DELETE FROM event_search WHERE rowid IN (" RANVIER_ADMIN_PURGED_STREAMS ")",
    .purge_push_users = sql::admin_text::purge_push_users,
    .purge_push_queue = sql::admin_text::purge_push_queue,
    .purge_push_events = sql::admin_text::purge_push_events,
    .purge_events = sql::admin_text::purge_events,
};

#undef ADMIN_USER_FILTER

}  // namespace ranvier::storage::sqlite
