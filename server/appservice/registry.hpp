#pragma once
// The application services this server knows (config `app_services:`), and the questions the
// rest of the server asks about them: whose token is this, who owns this user ID or alias,
// which services want to hear about an event.

#include "appservice/registration.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::appservice {

/// What decides whether a service is interested in an event (application service API,
/// "Pushing events"): its sender and state key, its room, the room's aliases and members.
struct EventFacts {
  std::string_view sender;
  std::optional<std::string_view> state_key;
  std::string_view room_id;
  const std::vector<std::string>* room_aliases = nullptr;
  /// Joined (and invited) members of the room.
  const std::vector<std::string>* room_members = nullptr;
};

class Registry {
 public:
  Registry() = default;
  /// Checks the registrations together: ids, as_tokens and hs_tokens must be unique and a
  /// sender must be a valid user ID of `server_name`. Throws RegistrationError.
  Registry(std::vector<Registration> registrations, std::string server_name);

  /// Reads every file; throws RegistrationError naming the file and the problem.
  static Registry load(const std::vector<std::filesystem::path>& files, std::string server_name);

  const std::vector<Registration>& all() const { return registrations_; }
  bool empty() const { return registrations_.empty(); }

  /// The service whose `as_token` this is.
  const Registration* by_as_token(std::string_view token) const;
  /// The service with this `id`.
  const Registration* by_id(std::string_view id) const;

  /// `@sender_localpart:server_name`.
  std::string sender_of(const Registration& service) const;

  /// True if the service may act as `user_id`: its sender or a user in its user namespace.
  bool may_act_as(const Registration& service, std::string_view user_id) const;

  /// True if `user_id` is a user of this server the service may act as (what makes events and
  /// private receipts of that user the service's business).
  bool covers_local_user(const Registration& service, std::string_view user_id) const;

  /// The service holding `user_id` in an exclusive user namespace (or as its sender).
  const Registration* exclusive_user_owner(std::string_view user_id) const;
  /// The service holding `alias` in an exclusive alias namespace.
  const Registration* exclusive_alias_owner(std::string_view alias) const;

  /// Services (with a URL) whose user namespace covers `user_id`: asked about unknown users.
  std::vector<const Registration*> user_query_targets(std::string_view user_id) const;
  /// Services (with a URL) whose alias namespace covers `alias`: asked about unknown aliases.
  std::vector<const Registration*> alias_query_targets(std::string_view alias) const;

  /// Whether `service` is interested in an event with these facts.
  bool interested(const Registration& service, const EventFacts& event) const;

 private:
  std::vector<Registration> registrations_;
  std::string server_name_;
};

}  // namespace ranvier::appservice
