#include <map>

#include "storage/errors.hpp"
#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

Room room_from(const Row& row) {
  return Room{
      .room_id = row.at(0).as_text(),
      .room_version = row.at(1).as_text(),
      .created_ts = row.at(2).as_int(),
      .creator = row.at(3).as_text(),
      .is_public = row.at(4).as_bool(),
  };
}

RoomMember member_from(const Row& row) {
  const std::string text = row.at(2).as_text();
  const std::optional<Membership> membership = parse_membership(text);
  if (!membership) {
    throw StorageError(ErrorKind::query_failed, "unknown membership '" + text + "' in database");
  }
  return RoomMember{
      .room_id = row.at(0).as_text(),
      .user_id = row.at(1).as_text(),
      .membership = *membership,
      .event_id = row.at(3).as_text(),
      .stream = row.at(4).as_int(),
      .forgotten = row.at(5).as_bool(),
  };
}

std::vector<RoomMember> members_from(const std::vector<Row>& rows) {
  std::vector<RoomMember> members;
  members.reserve(rows.size());
  for (const Row& row : rows) {
    members.push_back(member_from(row));
  }
  return members;
}

}  // namespace

std::optional<Room> SqlRoomStore::get(std::string_view room_id) {
  if (auto locked = locked_rooms_.find(room_id); locked != locked_rooms_.end()) {
    return locked->second;
  }
  auto rows = session_.query(sql_.select_one, {room_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return room_from(rows.front());
}

std::vector<Room> SqlRoomStore::public_rooms(std::string_view after_room_id, std::size_t limit) {
  std::vector<Room> rooms;
  for (const Row& row : session_.query(sql_.public_after, {after_room_id, limit_param(limit)})) {
    rooms.push_back(room_from(row));
  }
  return rooms;
}

std::vector<std::string> SqlRoomStore::forward_extremities(std::string_view room_id) {
  return text_column(session_.query(sql_.extremities, {room_id}));
}

std::vector<std::string> SqlRoomStore::backward_extremities(std::string_view room_id) {
  return text_column(session_.query(sql_.backward_extremities, {room_id}));
}

StateMap SqlRoomStore::current_state(std::string_view room_id) {
  return state_map_from(session_.query(sql_.state_all, {room_id}));
}

std::optional<std::string> SqlRoomStore::current_state_event(std::string_view room_id,
                                                             const StateKey& key) {
  std::pair<std::string, StateKey> lookup{std::string(room_id), key};
  if (auto known = state_lookups_.find(lookup); known != state_lookups_.end()) {
    return known->second;
  }
  auto rows = session_.query(
      sql_.state_one, {room_id, std::string_view(key.type), std::string_view(key.state_key)});
  std::optional<std::string> event_id;
  if (!rows.empty()) {
    event_id = rows.front().at(0).as_text();
  }
  state_lookups_.emplace(std::move(lookup), event_id);
  return event_id;
}

StateMap SqlRoomStore::current_state_events(std::string_view room_id, std::span<const StateKey> keys) {
  StateMap found;
  JsonRows asked;
  for (const StateKey& key : keys) {
    auto known = state_lookups_.find(std::pair<std::string, StateKey>{std::string(room_id), key});
    if (known == state_lookups_.end()) {
      asked.row().add(std::string_view(key.type)).add(std::string_view(key.state_key));
    } else if (known->second) {
      found.emplace(key, *known->second);
    }
  }
  if (asked.empty()) {
    return found;
  }
  const std::string text = asked.take();
  const StateMap read = state_map_from(session_.query(sql_.state_some, {room_id, std::string_view(text)}));
  for (const StateKey& key : keys) {
    auto [entry, added] = state_lookups_.emplace(std::pair<std::string, StateKey>{std::string(room_id), key}, std::nullopt);
    if (added) {
      if (auto it = read.find(key); it != read.end()) {
        entry->second = it->second;
        found.emplace(key, it->second);
      }
    }
  }
  return found;
}

StateMap SqlRoomStore::current_state_of_type(std::string_view room_id, std::string_view type) {
  return state_map_from(session_.query(sql_.state_of_type, {room_id, type}));
}

std::optional<RoomMember> SqlRoomStore::membership(std::string_view room_id,
                                                   std::string_view user_id) {
  auto rows = session_.query(sql_.member_one, {room_id, user_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return member_from(rows.front());
}

std::vector<RoomMember> SqlRoomStore::rooms_for_user(std::string_view user_id,
                                                     Membership membership) {
  return members_from(session_.query(sql_.rooms_for_user, {user_id, to_string(membership)}));
}

std::vector<RoomMember> SqlRoomStore::members(std::string_view room_id, Membership membership) {
  return members_from(session_.query(sql_.members, {room_id, to_string(membership)}));
}

std::vector<std::string> SqlRoomStore::joined_servers(std::string_view room_id) {
  std::vector<std::string> servers;
  for (const Row& row : session_.query(sql_.joined_servers, {room_id})) {
    servers.push_back(row.at(0).as_text());
  }
  return servers;
}

std::optional<RoomAlias> SqlRoomStore::alias(std::string_view alias) {
  auto rows = session_.query(sql_.alias_one, {alias});
  if (rows.empty()) {
    return std::nullopt;
  }
  const Row& row = rows.front();
  return RoomAlias{row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text()};
}

std::vector<std::string> SqlRoomStore::aliases_of(std::string_view room_id) {
  return text_column(session_.query(sql_.aliases_of, {room_id}));
}

namespace {

std::optional<ClientTransaction> transaction_from(const std::vector<Row>& rows) {
  if (rows.empty()) {
    return std::nullopt;
  }
  const Row& row = rows.front();
  return ClientTransaction{
      .user_id = row.at(0).as_text(),
      .device_id = row.at(1).as_text(),
      .txn_id = row.at(2).as_text(),
      .room_id = row.at(3).as_text(),
      .event_id = row.at(4).as_text(),
      .request_digest = row.at(5).as_text(),
  };
}

}  // namespace

std::optional<ClientTransaction> SqlRoomStore::transaction(std::string_view user_id,
                                                           std::string_view device_id,
                                                           std::string_view txn_id) {
  return transaction_from(session_.query(sql_.txn_one, {user_id, device_id, txn_id}));
}

std::optional<ClientTransaction> SqlRoomStore::transaction_of_event(std::string_view user_id,
                                                                    std::string_view device_id,
                                                                    std::string_view event_id) {
  return transaction_from(session_.query(sql_.txn_of_event, {user_id, device_id, event_id}));
}

CreateResult SqlRoomStore::create(const Room& room) {
  const std::int64_t inserted = session_.execute(
      sql_.insert, {std::string_view(room.room_id), std::string_view(room.room_version),
                    room.created_ts, std::string_view(room.creator), room.is_public});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

bool SqlRoomStore::lock(std::string_view room_id) {
  auto rows = session_.query(sql_.lock, {room_id});
  if (rows.empty()) {
    return false;
  }
  locked_rooms_.insert_or_assign(std::string(room_id), room_from(rows.front()));
  return true;
}

bool SqlRoomStore::set_public(std::string_view room_id, bool is_public) {
  locked_rooms_.erase(std::string(room_id));
  return session_.execute(sql_.set_public, {room_id, is_public}) > 0;
}

void SqlRoomStore::add_forward_extremity(std::string_view room_id, std::string_view event_id,
                                         std::span<const std::string> prev_events) {
  if (!prev_events.empty()) {
    const std::string prev = json_array(prev_events);
    session_.execute_later(sql_.remove_extremities, {room_id, std::string_view(prev)});
  }
  session_.execute_later(sql_.add_extremity, {room_id, event_id});
}

void SqlRoomStore::extend_history(std::string_view room_id, std::string_view event_id,
                                  std::span<const std::string> prev_events) {
  session_.execute_later(sql_.remove_backward_extremity, {room_id, event_id});
  if (!prev_events.empty()) {
    const std::string prev = json_array(prev_events);
    session_.execute_later(sql_.add_backward_extremities, {room_id, std::string_view(prev)});
  }
}

void SqlRoomStore::set_forward_extremities(std::string_view room_id,
                                           std::span<const std::string> event_ids) {
  session_.execute_later(sql_.clear_extremities, {room_id});
  for (const std::string& event_id : event_ids) {
    session_.execute_later(sql_.add_extremity, {room_id, std::string_view(event_id)});
  }
}

void SqlRoomStore::apply_state_delta(std::string_view room_id, const StateDelta& delta) {
  state_lookups_.clear();
  if (delta.size() == 1) {
    const auto& [key, event_id] = *delta.begin();
    const Param type(std::string_view(key.type));
    const Param state_key(std::string_view(key.state_key));
    if (event_id) {
      session_.execute_later(sql_.state_put, {room_id, type, state_key, std::string_view(*event_id)});
    } else {
      session_.execute_later(sql_.state_remove, {room_id, type, state_key});
    }
    return;
  }
  // Bigger changes (a state resolution, a remote join's whole state) go in two statements.
  JsonRows puts;
  JsonRows removes;
  for (const auto& [key, event_id] : delta) {
    if (event_id) {
      puts.row().add(std::string_view(key.type)).add(std::string_view(key.state_key)).add(std::string_view(*event_id));
    } else {
      removes.row().add(std::string_view(key.type)).add(std::string_view(key.state_key));
    }
  }
  if (!removes.empty()) {
    const std::string rows = removes.take();
    session_.execute_later(sql_.state_remove_many, {room_id, std::string_view(rows)});
  }
  if (!puts.empty()) {
    const std::string rows = puts.take();
    session_.execute_later(sql_.state_put_many, {room_id, std::string_view(rows)});
  }
}

bool SqlRoomStore::forget(std::string_view room_id, std::string_view user_id) {
  return session_.execute(sql_.member_forget, {room_id, user_id}) > 0;
}

void SqlRoomStore::set_membership(const RoomMember& member) {
  session_.execute_later(sql_.member_put, {std::string_view(member.room_id), std::string_view(member.user_id),
                                           to_string(member.membership), std::string_view(member.event_id),
                                           member.stream});
}

void SqlRoomStore::set_memberships(std::span<const RoomMember> members) {
  // The engines refuse to upsert one row twice in a statement: the last entry of a pair wins.
  std::map<std::pair<std::string_view, std::string_view>, const RoomMember*> last;
  for (const RoomMember& member : members) {
    last[{member.room_id, member.user_id}] = &member;
  }
  if (last.empty()) {
    return;
  }
  JsonRows rows;
  for (const auto& [ignored, member] : last) {
    rows.row()
        .add(std::string_view(member->room_id))
        .add(std::string_view(member->user_id))
        .add(to_string(member->membership))
        .add(std::string_view(member->event_id))
        .add(member->stream);
  }
  const std::string text = rows.take();
  session_.execute_later(sql_.member_put_many, {std::string_view(text)});
}

CreateResult SqlRoomStore::create_alias(const RoomAlias& alias) {
  const std::int64_t inserted = session_.execute(
      sql_.alias_insert, {std::string_view(alias.alias), std::string_view(alias.room_id),
                          std::string_view(alias.creator)});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

bool SqlRoomStore::remove_alias(std::string_view alias) {
  return session_.execute(sql_.alias_remove, {alias}) > 0;
}

CreateResult SqlRoomStore::record_transaction(const ClientTransaction& transaction) {
  const std::int64_t inserted = session_.execute(
      sql_.txn_insert,
      {std::string_view(transaction.user_id), std::string_view(transaction.device_id),
       std::string_view(transaction.txn_id), std::string_view(transaction.room_id),
       std::string_view(transaction.event_id), std::string_view(transaction.request_digest)});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

}  // namespace ranvier::storage::sql
