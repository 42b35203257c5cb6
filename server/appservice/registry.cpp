#include "appservice/registry.hpp"

#include "core/identifiers.hpp"

#include <set>

namespace ranvier::appservice {
namespace {

void require_unique(std::set<std::string>& seen, const std::string& value, const Registration& r,
                    const std::string& key) {
  if (!seen.insert(value).second) {
    throw RegistrationError(r.source + ": " + key + ": the same " + key +
                            " is used by another application service; each must be unique");
  }
}

}  // namespace

Registry::Registry(std::vector<Registration> registrations, std::string server_name)
    : registrations_(std::move(registrations)), server_name_(std::move(server_name)) {
  std::set<std::string> ids;
  // One set for both kinds: a token must say by itself which service and which direction.
  std::set<std::string> tokens;
  std::set<std::string> senders;
  for (const auto& r : registrations_) {
    require_unique(ids, r.id, r, "id");
    require_unique(tokens, r.as_token, r, "as_token");
    require_unique(tokens, r.hs_token, r, "hs_token");
    if (!core::is_valid_user_localpart(r.sender_localpart)) {
      throw RegistrationError(r.source + ": sender_localpart: '" + r.sender_localpart +
                              "' is not a valid user localpart (a-z, 0-9, . _ = - / +)");
    }
    require_unique(senders, r.sender_localpart, r, "sender_localpart");
  }
}

Registry Registry::load(const std::vector<std::filesystem::path>& files, std::string server_name) {
  std::vector<Registration> registrations;
  registrations.reserve(files.size());
  for (const auto& file : files) {
    registrations.push_back(load_registration(file));
  }
  return Registry(std::move(registrations), std::move(server_name));
}

const Registration* Registry::by_as_token(std::string_view token) const {
  for (const auto& r : registrations_) {
    if (r.as_token == token) {
      return &r;
    }
  }
  return nullptr;
}

const Registration* Registry::by_id(std::string_view id) const {
  for (const auto& r : registrations_) {
    if (r.id == id) {
      return &r;
    }
  }
  return nullptr;
}

std::string Registry::sender_of(const Registration& service) const {
  return "@" + service.sender_localpart + ":" + server_name_;
}

bool Registry::may_act_as(const Registration& service, std::string_view user_id) const {
  return user_id == sender_of(service) || namespaces_match(service.users, user_id);
}

bool Registry::covers_local_user(const Registration& service, std::string_view user_id) const {
  // Spec: a user namespace covers users of this server only; others' users matching the regex
  // do not make an event interesting.
  return user_id.ends_with(":" + server_name_) && may_act_as(service, user_id);
}

const Registration* Registry::exclusive_user_owner(std::string_view user_id) const {
  for (const auto& r : registrations_) {
    if (user_id == sender_of(r) || namespaces_match(r.users, user_id, true)) {
      return &r;
    }
  }
  return nullptr;
}

const Registration* Registry::exclusive_alias_owner(std::string_view alias) const {
  for (const auto& r : registrations_) {
    if (namespaces_match(r.aliases, alias, true)) {
      return &r;
    }
  }
  return nullptr;
}

std::vector<const Registration*> Registry::user_query_targets(std::string_view user_id) const {
  std::vector<const Registration*> out;
  for (const auto& r : registrations_) {
    if (r.url && namespaces_match(r.users, user_id)) {
      out.push_back(&r);
    }
  }
  return out;
}

std::vector<const Registration*> Registry::alias_query_targets(std::string_view alias) const {
  std::vector<const Registration*> out;
  for (const auto& r : registrations_) {
    if (r.url && namespaces_match(r.aliases, alias)) {
      out.push_back(&r);
    }
  }
  return out;
}

bool Registry::interested(const Registration& service, const EventFacts& event) const {
  const auto covers = [&](std::string_view user_id) { return covers_local_user(service, user_id); };
  if (covers(event.sender)) {
    return true;
  }
  if (event.state_key && covers(*event.state_key)) {
    return true;
  }
  if (namespaces_match(service.rooms, event.room_id)) {
    return true;
  }
  if (event.room_aliases != nullptr) {
    for (const auto& alias : *event.room_aliases) {
      if (namespaces_match(service.aliases, alias)) {
        return true;
      }
    }
  }
  if (event.room_members != nullptr) {
    for (const auto& member : *event.room_members) {
      if (covers(member)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace ranvier::appservice
