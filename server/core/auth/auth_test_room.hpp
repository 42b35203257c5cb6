#pragma once
// Test helper: a small room built event by event, with its current state, for auth-rule tests.

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/auth/event_auth.hpp"
#include "core/auth/memory_event_store.hpp"
#include "core/room_version.hpp"

namespace ranvier::auth::testing {

/// A room whose state is the last event per (type, state_key) that was `apply`-ed.
class TestRoom final : public AuthState {
 public:
  /// Creates the room: `m.room.create` by `creator` in `version`, plus `create_content`.
  explicit TestRoom(std::string_view version, std::string creator = "@alice:a.org",
                    nlohmann::json create_content = nlohmann::json::object());

  /// Builds (without applying) an event citing the current auth events and latest event.
  nlohmann::json make(std::string_view type, std::string_view sender, std::optional<std::string_view> state_key,
                      nlohmann::json content) const;
  /// Builds a membership event.
  nlohmann::json member(std::string_view sender, std::string_view target, std::string_view membership,
                        nlohmann::json extra = nlohmann::json::object()) const;
  /// Adds the event to the store and, for state events, to the current state (no auth check).
  const nlohmann::json& apply(nlohmann::json event);
  /// Builds and applies in one step.
  const nlohmann::json& add(std::string_view type, std::string_view sender, std::optional<std::string_view> state_key,
                            nlohmann::json content);
  /// Applies a membership change.
  const nlohmann::json& set_membership(std::string_view sender, std::string_view target, std::string_view membership);
  /// Checks `event` against the current state.
  AuthDecision check(const nlohmann::json& event, const SignatureChecks& signatures = {}) const;
  /// Checks `event` against its own auth events (the receipt check).
  AuthDecision check_by_auth_events(const nlohmann::json& event, const SignatureChecks& signatures = {}) const;

  const nlohmann::json* get(std::string_view type, std::string_view state_key) const override;

  const core::RoomVersion& version() const { return *version_; }
  const std::string& room_id() const { return room_id_; }
  const std::string& create_id() const { return create_id_; }
  MemoryEventStore& store() { return store_; }

 private:
  const core::RoomVersion* version_;
  std::string room_id_;
  std::string create_id_;
  std::string last_event_;
  int counter_ = 0;
  MemoryEventStore store_;
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> state_;
};

}  // namespace ranvier::auth::testing
