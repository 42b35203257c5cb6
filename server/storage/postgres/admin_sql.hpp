#pragma once
// PostgreSQL text of the admin store (sql/admin_queries.hpp): its own user filter and search
// index, the rest shared (with $N placeholders).

#include "storage/sql/admin_queries.hpp"
#include "storage/sql/placeholders.hpp"

namespace ranvier::storage::postgres {
namespace admin_text {

inline constexpr char purge_search[] =
    "DELETE FROM event_search WHERE stream IN (" RANVIER_ADMIN_PURGED_STREAMS ")";

}  // namespace admin_text

#define ADMIN_USER_FILTER                                                                           \
  " FROM accounts a LEFT JOIN profiles p ON p.user_id = a.user_id"                                  \
  " WHERE ($1 OR NOT a.is_guest) AND ($2 OR NOT a.deactivated) AND ($3::text IS NULL"                \
  " OR strpos(lower(a.user_id), lower($3::text)) > 0"                                               \
  " OR strpos(lower(coalesce(p.profile::json ->> 'displayname', '')), lower($3::text)) > 0)"

inline constexpr sql::AdminSql admin_sql{
    .users = "SELECT a.user_id" ADMIN_USER_FILTER " ORDER BY a.user_id LIMIT $4 OFFSET $5",
    .users_count = "SELECT count(*)" ADMIN_USER_FILTER,
    .room_ids = sql::dollar_placeholders<sql::admin_text::room_ids>.data(),
    .is_erased = sql::dollar_placeholders<sql::admin_text::is_erased>.data(),
    .mark_erased = sql::dollar_placeholders<sql::admin_text::mark_erased>.data(),
    .is_blocked = sql::dollar_placeholders<sql::admin_text::is_blocked>.data(),
    .block = sql::dollar_placeholders<sql::admin_text::block>.data(),
    .unblock = sql::dollar_placeholders<sql::admin_text::unblock>.data(),
    .update_token = sql::dollar_placeholders<sql::admin_text::update_token>.data(),
    .purge_state_links = sql::dollar_placeholders<sql::admin_text::purge_state_links>.data(),
    .purge_search = sql::dollar_placeholders<admin_text::purge_search>.data(),
    .purge_push_users = sql::dollar_placeholders<sql::admin_text::purge_push_users>.data(),
    .purge_push_queue = sql::dollar_placeholders<sql::admin_text::purge_push_queue>.data(),
    .purge_push_events = sql::dollar_placeholders<sql::admin_text::purge_push_events>.data(),
    .purge_events = sql::dollar_placeholders<sql::admin_text::purge_events>.data(),
};

#undef ADMIN_USER_FILTER

}  // namespace ranvier::storage::postgres
