#include <algorithm>
#include <map>
#include <unordered_map>

#include "storage/errors.hpp"
#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

// The base of the group at `position` along its chain of parents: the ancestor at position
// minus the value of its lowest non-zero hex digit (see state.hpp).
std::int64_t base_position(std::int64_t position) {
  std::int64_t step = 1;
  while (position % (step * 16) == 0) {
    step *= 16;
  }
  return position - step;
}

}  // namespace

std::map<StateKey, std::int64_t> SqlStateStore::key_numbers(const StateDelta& delta) {
  std::map<StateKey, std::int64_t> numbers;
  if (delta.empty()) {
    return numbers;
  }
  std::vector<StateKey> keys;
  keys.reserve(delta.size());
  for (const auto& [key, event_id] : delta) {
    keys.push_back(key);
  }
  const std::string key_set = json_array(keys);
  session_.execute(sql_.add_keys, {std::string_view(key_set)});
  for (const Row& row : session_.query(sql_.key_nids, {std::string_view(key_set)})) {
    numbers.emplace(StateKey{row.at(1).as_text(), row.at(2).as_text()}, row.at(0).as_int());
  }
  return numbers;
}

namespace {

[[noreturn]] void refuse(const std::string& message) {
  throw StorageError(ErrorKind::constraint, message);
}

}  // namespace

StateMap SqlStateStore::state_map(std::int64_t group_id) {
  return state_map_from(session_.query(sql_.state_map, {group_id}));
}

StateMap SqlStateStore::state_for_keys(std::int64_t group_id, std::span<const StateKey> keys) {
  if (keys.empty()) {
    return {};
  }
  const std::string key_set = json_array(keys);
  return state_map_from(session_.query(sql_.state_for_keys, {group_id, std::string_view(key_set)}));
}

std::vector<std::int64_t> SqlStateStore::base_chain(std::int64_t group_id) {
  std::vector<std::int64_t> chain;
  for (const Row& row : session_.query(sql_.base_chain, {group_id})) {
    chain.push_back(row.at(0).as_int());
  }
  return chain;
}

StateDelta SqlStateStore::state_difference(std::int64_t from_group, std::int64_t to_group) {
  // Base chains end at a room's first group; once two chains share a group they share the rest
  // (each group has one base), so only the groups before that can hold differing keys.
  std::vector<std::int64_t> from_chain = base_chain(from_group);
  std::vector<std::int64_t> to_chain = base_chain(to_group);
  while (!from_chain.empty() && !to_chain.empty() && from_chain.back() == to_chain.back()) {
    from_chain.pop_back();
    to_chain.pop_back();
  }
  std::vector<std::int64_t> differing = std::move(from_chain);
  differing.insert(differing.end(), to_chain.begin(), to_chain.end());
  if (differing.empty()) {
    return {};
  }
  const std::string group_set = json_array(std::span<const std::int64_t>(differing));
  std::vector<std::int64_t> key_nids;
  for (const Row& row : session_.query(sql_.entries_of, {std::string_view(group_set)})) {
    key_nids.push_back(row.at(1).as_int());
  }
  std::sort(key_nids.begin(), key_nids.end());
  key_nids.erase(std::unique(key_nids.begin(), key_nids.end()), key_nids.end());
  if (key_nids.empty()) {
    return {};
  }
  const std::string key_set = json_array(std::span<const std::int64_t>(key_nids));
  std::vector<StateKey> keys;
  for (const Row& row : session_.query(sql_.key_names, {std::string_view(key_set)})) {
    keys.push_back(StateKey{row.at(0).as_text(), row.at(1).as_text()});
  }
  const StateMap before = state_for_keys(from_group, keys);
  StateMap after = state_for_keys(to_group, keys);
  StateDelta delta;
  for (const auto& [key, event_id] : before) {
    auto found = after.find(key);
    if (found == after.end()) {
      delta.emplace(key, std::nullopt);
    } else if (found->second != event_id) {
      delta.emplace(key, std::move(found->second));
    }
  }
  for (auto& [key, event_id] : after) {
    if (!before.contains(key)) {
      delta.emplace(key, std::move(event_id));
    }
  }
  return delta;
}

std::optional<std::int64_t> SqlStateStore::event_state_group(std::string_view event_id) {
  auto rows = session_.query(sql_.event_group, {event_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_int();
}

std::optional<std::string> SqlStateStore::group_room(std::int64_t group_id) {
  auto rows = session_.query(sql_.group_info, {group_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

std::int64_t SqlStateStore::create_group(std::string_view room_id,
                                         std::optional<std::int64_t> parent,
                                         const StateDelta& delta) {
  std::vector<std::string> event_ids;
  for (const auto& [key, event_id] : delta) {
    if (event_id) {
      event_ids.push_back(*event_id);
    }
  }
  std::unordered_map<std::string, std::int64_t> event_nids;
  if (!event_ids.empty()) {
    const std::string id_set = json_array(event_ids);
    for (const Row& row : session_.query(sql_.event_nids, {std::string_view(id_set)})) {
      event_nids.emplace(row.at(0).as_text(), row.at(1).as_int());
    }
    for (const std::string& event_id : event_ids) {
      if (!event_nids.contains(event_id)) {
        refuse("state group delta names event " + event_id + ", which is not stored");
      }
    }
  }

  // What the new group stores: key → event (nullopt: removed relative to the base).
  std::map<std::int64_t, std::optional<std::int64_t>> entries;
  std::optional<std::int64_t> base;
  std::int64_t position = 0;
  if (parent) {
    const auto chain = session_.query(sql_.base_chain, {*parent});
    if (chain.empty()) {
      refuse("unknown parent state group " + std::to_string(*parent));
    }
    if (chain.front().at(2).as_text() != room_id) {
      refuse("parent state group " + std::to_string(*parent) + " belongs to another room");
    }
    position = chain.front().at(1).as_int() + 1;
    const std::int64_t target = base_position(position);
    // The parent's base links lead through `target`; the groups passed on the way hold,
    // together, everything that changed since it (none when the parent is the base).
    std::vector<std::int64_t> between;
    for (const Row& row : chain) {
      const std::int64_t group = row.at(0).as_int();
      if (row.at(1).as_int() == target) {
        base = group;
        break;
      }
      between.push_back(group);
    }
    if (!base) {
      throw StorageError(ErrorKind::query_failed,
                         "state group " + std::to_string(*parent) + " has a broken base chain");
    }
    std::unordered_map<std::int64_t, std::size_t> nearness;
    for (std::size_t i = 0; i < between.size(); ++i) {
      nearness.emplace(between[i], i);
    }
    std::map<std::int64_t, std::size_t> source;  // key → nearness of the group it came from
    const std::string group_set = json_array(std::span<const std::int64_t>(between));
    const auto rows = between.empty()
                          ? std::vector<Row>{}
                          : session_.query(sql_.entries_of, {std::string_view(group_set)});
    for (const Row& row : rows) {
      const std::size_t near = nearness.at(row.at(0).as_int());
      const std::int64_t key = row.at(1).as_int();
      auto [it, fresh] = source.emplace(key, near);
      if (fresh || near < it->second) {
        it->second = near;
        entries[key] = row.at(2).as_optional_int();
      }
    }
  }
  const std::map<StateKey, std::int64_t> key_nids = key_numbers(delta);
  for (const auto& [key, event_id] : delta) {
    const std::int64_t key_nid = key_nids.at(key);
    if (event_id) {
      entries[key_nid] = event_nids.at(*event_id);
    } else if (base) {
      entries[key_nid] = std::nullopt;
    } else {
      entries.erase(key_nid);
    }
  }

  const std::int64_t group_id =
      session_
          .query(sql_.insert_group, {room_id, parent ? Param(*parent) : Param(nullptr),
                                     base ? Param(*base) : Param(nullptr), position})
          .at(0)
          .at(0)
          .as_int();
  if (!entries.empty()) {
    const std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> rows(entries.begin(),
                                                                                 entries.end());
    const std::string values = json_array(rows);
    session_.execute_later(sql_.insert_entries, {group_id, std::string_view(values)});
  }
  return group_id;
}

void SqlStateStore::set_new_event_state_group(std::int64_t stream, std::int64_t group_id) {
  session_.execute_later(sql_.set_new_event_group, {stream, group_id});
}

CreateResult SqlStateStore::set_event_state_group(std::string_view event_id,
                                                  std::int64_t group_id) {
  // An unknown group fails the foreign key (ErrorKind::constraint).
  if (session_.execute(sql_.set_event_group, {event_id, group_id}) > 0) {
    return CreateResult::created;
  }
  if (!event_state_group(event_id)) {
    refuse("cannot record state for event " + std::string(event_id) + ", which is not stored");
  }
  return CreateResult::exists;
}

}  // namespace ranvier::storage::sql
