#pragma once
// What the room endpoints share: sending through the pipeline and waking /sync afterwards,
// membership checks with the spec's errors, member event content from the profile, and
// serving stored events in client format.

#include "api/context.hpp"
#include "api/services.hpp"
#include "core/room_version.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/notifier.hpp"
#include "rooms/presence.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::api::client_server {

/// Runs `fn(WriteTx&)` in one write transaction, then wakes waiting /sync requests.
template <class F>
auto write_and_notify(RequestContext& ctx, F&& fn) {
  struct Notify {
    rooms::Notifier& notifier;
    ~Notify() { notifier.notify(); }
  } notify{ctx.services.notifier};
  return ctx.services.database.write(std::forward<F>(fn));
}

/// The version of a room this server has; M_FORBIDDEN for unknown rooms (as for rooms one is
/// not in, so that room IDs cannot be probed).
const core::RoomVersion& room_version(storage::ReadTx& tx, std::string_view room_id);

/// The user's membership, which must be `join`; M_FORBIDDEN otherwise.
storage::RoomMember require_joined(storage::ReadTx& tx, std::string_view room_id, std::string_view user_id);

/// Content of a member event for `user_id` with the given membership: display name and avatar
/// from the local profile, and `reason` when given.
nlohmann::json member_content(storage::ReadTx& tx, std::string_view user_id, std::string_view membership,
                              const std::optional<std::string>& reason = std::nullopt);

/// A stored event in client format, with its redaction when it was redacted. Shown to the device
/// that sent it (`viewer`), it carries the request's transaction ID in `unsigned`; shown to any
/// viewer, its bundled aggregations (`unsigned.m.relations`).
nlohmann::json serve_event(storage::ReadTx& tx, const storage::StoredEvent& event, const core::RoomVersion& version,
                           const Principal* viewer = nullptr);

/// Serves a page of one room's events to a viewer as serve_event does, with the relation counts
/// behind their bundled aggregations read in one query for the whole page instead of one query
/// per event (/sync timelines, /messages, /context, /relations, /threads).
class PageServer {
 public:
  /// Reads the relation counts of the events in `pages` (of the first event's room).
  PageServer(storage::ReadTx& tx, const core::RoomVersion& version, const Principal& viewer,
             std::initializer_list<std::span<const storage::StoredEvent>> pages);

  /// `event` in client format for the viewer; an event outside the pages read ahead is served
  /// as serve_event serves it.
  nlohmann::json serve(const storage::StoredEvent& event) const;

 private:
  storage::ReadTx& tx_;
  const core::RoomVersion& version_;
  const Principal& viewer_;
  std::map<std::string, std::vector<storage::RelationCount>, std::less<>> counts_;
};

/// Sends a membership change of `target` by the caller through the pipeline.
rooms::PersistedEvent change_membership(RequestContext& ctx, const std::string& room_id, const std::string& target,
                                        std::string_view membership, const std::optional<std::string>& reason,
                                        nlohmann::json extra = nlohmann::json::object());

/// The content of an m.presence event (client-server API, "Presence").
nlohmann::json presence_content(const rooms::PresenceState& state, std::int64_t now);

/// A local user's presence changed: wakes /sync and sends the new state as an m.presence EDU to
/// the other servers sharing a room with the user (server-server API, "Presence").
void share_presence(RequestContext& ctx, const std::string& user_id);

/// What a /sync does to its user's presence (`set_presence`, online by default), shared as
/// share_presence does; a user who stays online is also announced again every few minutes,
/// since other servers let a remote user's presence lapse when they hear nothing.
void presence_after_sync(RequestContext& ctx, const std::string& user_id, const std::string& set_presence);

/// A user ID from a request body; M_INVALID_PARAM when malformed.
std::string checked_user_id(const std::string& user_id);

}  // namespace ranvier::api::client_server
