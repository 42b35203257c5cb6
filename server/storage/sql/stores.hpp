#pragma once
// The store interfaces implemented once over Session + the backend's SQL text.

#include "storage/account_data.hpp"
#include "storage/accounts.hpp"
#include "storage/devices.hpp"
#include "storage/e2e_keys.hpp"
#include "storage/events.hpp"
#include "storage/key_backup.hpp"
#include "storage/profiles.hpp"
#include "storage/receipts.hpp"
#include "storage/registration_tokens.hpp"
#include "storage/rooms.hpp"
#include "storage/sql/queries.hpp"
#include "storage/sql/session.hpp"
#include "storage/state.hpp"
#include "storage/to_device.hpp"
#include "storage/federation_outbox.hpp"
#include "storage/tokens.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace ranvier::storage::sql {

class SqlAccountStore final : public AccountStore {
 public:
  SqlAccountStore(Session& session, const AccountSql& sql) : session_(session), sql_(sql) {}

  std::optional<Account> get(std::string_view user_id) override;
  AccountCounts counts() override;
  std::vector<Account> list(std::string_view after_user_id, std::size_t limit) override;
  CreateResult create(const Account& account) override;
  bool set_password_hash(std::string_view user_id,
                         const std::optional<std::string>& password_hash) override;
  bool set_admin(std::string_view user_id, bool is_admin) override;
  bool deactivate(std::string_view user_id) override;
  bool set_locked(std::string_view user_id, bool locked) override;
  bool set_suspended(std::string_view user_id, bool suspended) override;
  bool lock(std::string_view user_id) override;

 private:
  Session& session_;
  const AccountSql& sql_;
};

class SqlDeviceStore final : public DeviceStore {
 public:
  /// Deleting devices is a device-list change, recorded with `e2e`'s statements.
  SqlDeviceStore(Session& session, const DeviceSql& sql, const E2eKeySql& e2e)
      : session_(session), sql_(sql), e2e_(e2e) {}

  std::optional<Device> get(std::string_view user_id, std::string_view device_id) override;
  std::vector<Device> list(std::string_view user_id) override;
  CreateResult create(const Device& device) override;
  bool set_display_name(std::string_view user_id, std::string_view device_id,
                        const std::optional<std::string>& display_name) override;
  bool touch(std::string_view user_id, std::string_view device_id, std::int64_t seen_ts,
             const std::optional<std::string>& ip) override;
  bool record_request(std::string_view user_id, std::string_view device_id, std::int64_t seen_ts,
                      const std::string& ip, const std::string& user_agent) override;
  bool remove(std::string_view user_id, std::string_view device_id) override;
  std::int64_t remove_all(std::string_view user_id) override;

 private:
  Session& session_;
  const DeviceSql& sql_;
  const E2eKeySql& e2e_;
};

class SqlAccountDataStore final : public AccountDataStore {
 public:
  SqlAccountDataStore(Session& session, const AccountDataSql& sql) : session_(session), sql_(sql) {}

  std::optional<std::string> get(std::string_view user_id, std::string_view room_id,
                                 std::string_view type) override;
  std::optional<std::string> filter(std::string_view user_id, std::string_view filter_id) override;
  void put(std::string_view user_id, std::string_view room_id, std::string_view type,
           std::string_view content_json) override;
  std::string create_filter(std::string_view user_id, std::string_view filter_json) override;
  std::vector<AccountDataEntry> changed_since(std::string_view user_id, std::int64_t after) override;
  std::int64_t max_stream() override;

 private:
  Session& session_;
  const AccountDataSql& sql_;
};

class SqlProfileStore final : public ProfileStore {
 public:
  SqlProfileStore(Session& session, const ProfileSql& sql) : session_(session), sql_(sql) {}

  std::optional<std::string> get(std::string_view user_id) override;
  void put(std::string_view user_id, std::string_view profile_json) override;

 private:
  Session& session_;
  const ProfileSql& sql_;
};

class SqlTokenStore final : public TokenStore {
 public:
  SqlTokenStore(Session& session, const TokenSql& sql) : session_(session), sql_(sql) {}

  std::optional<TokenOwner> lookup(std::string_view token) override;
  CreateResult create(const NewAccessToken& token) override;
  bool remove(std::string_view token) override;
  std::int64_t remove_for_device(std::string_view user_id, std::string_view device_id) override;
  std::int64_t remove_for_user(std::string_view user_id) override;
  CreateResult create_login_token(const NewLoginToken& token) override;
  std::optional<std::string> consume_login_token(std::string_view token, std::int64_t now_ts) override;
  CreateResult create_refresh_token(const NewRefreshToken& token) override;
  std::optional<RefreshedDevice> exchange_refresh_token(std::string_view refresh_token,
                                                        const RefreshExchange& issued) override;
  bool retire_replaced_refresh_token(std::string_view access_token, std::int64_t now_ts) override;

 private:
  void remove_superseded(std::string_view user_id, std::string_view device_id, std::int64_t now_ts);

  Session& session_;
  const TokenSql& sql_;
};

class SqlRegistrationTokenStore final : public RegistrationTokenStore {
 public:
  SqlRegistrationTokenStore(Session& session, const RegistrationTokenSql& sql) : session_(session), sql_(sql) {}

  std::optional<RegistrationToken> get(std::string_view token) override;
  std::vector<RegistrationToken> list() override;
  CreateResult create(const RegistrationToken& token) override;
  bool consume(std::string_view token, std::int64_t now_ts) override;
  bool remove(std::string_view token) override;

 private:
  Session& session_;
  const RegistrationTokenSql& sql_;
};

class SqlReceiptStore final : public ReceiptStore {
 public:
  SqlReceiptStore(Session& session, const ReceiptSql& sql) : session_(session), sql_(sql) {}

  std::vector<Receipt> changed_since(std::span<const std::string> room_ids, std::int64_t after) override;
  std::int64_t max_stream() override;
  void put(const Receipt& receipt) override;

 private:
  Session& session_;
  const ReceiptSql& sql_;
};

class SqlToDeviceStore final : public ToDeviceStore {
 public:
  SqlToDeviceStore(Session& session, const ToDeviceSql& sql) : session_(session), sql_(sql) {}

  std::vector<ToDeviceMessage> pending(std::string_view user_id, std::string_view device_id, std::int64_t after,
                                       std::size_t limit) override;
  std::int64_t max_stream() override;
  void enqueue(const ToDeviceMessage& message) override;
  std::int64_t acknowledge(std::string_view user_id, std::string_view device_id, std::int64_t up_to) override;

 private:
  Session& session_;
  const ToDeviceSql& sql_;
};

class SqlFederationOutboxStore final : public FederationOutboxStore {
 public:
  SqlFederationOutboxStore(Session& session, const FederationOutboxSql& sql) : session_(session), sql_(sql) {}

  std::vector<std::string> due_destinations(std::int64_t now_ms, std::size_t limit) override;
  std::optional<std::int64_t> next_retry_at() override;
  std::vector<OutboundItem> pending(std::string_view destination, std::size_t max_pdus, std::size_t max_edus) override;
  std::optional<DestinationBackoff> backoff(std::string_view destination) override;
  void enqueue(std::string_view destination, OutboundKind kind, std::string_view body) override;
  void remove(std::string_view destination, const std::vector<std::int64_t>& streams) override;
  void set_backoff(const DestinationBackoff& backoff) override;
  void clear_backoff(std::string_view destination) override;

 private:
  Session& session_;
  const FederationOutboxSql& sql_;
};

class SqlE2eKeyStore final : public E2eKeyStore {
 public:
  SqlE2eKeyStore(Session& session, const E2eKeySql& sql) : session_(session), sql_(sql) {}

  std::optional<std::string> device_keys(std::string_view user_id, std::string_view device_id) override;
  std::vector<DeviceKeys> device_keys_of(std::span<const std::string> user_ids) override;
  std::optional<std::string> one_time_key(std::string_view user_id, std::string_view device_id,
                                          std::string_view algorithm, std::string_view key_id) override;
  std::map<std::string, std::int64_t> one_time_key_counts(std::string_view user_id,
                                                          std::string_view device_id) override;
  std::optional<DeviceKey> fallback_key(std::string_view user_id, std::string_view device_id,
                                        std::string_view algorithm) override;
  std::vector<std::string> unused_fallback_algorithms(std::string_view user_id, std::string_view device_id) override;
  std::vector<CrossSigningKey> cross_signing_keys(std::span<const std::string> user_ids) override;
  std::vector<KeySignature> signatures_of(std::span<const std::string> target_user_ids) override;
  std::vector<std::string> device_list_changes(std::int64_t after, std::int64_t up_to) override;
  std::int64_t device_list_max_stream() override;
  std::optional<std::int64_t> device_list_position(std::string_view user_id) override;
  std::vector<SeenMembershipChange> membership_changes_seen_by(std::string_view user_id, std::int64_t after,
                                                               std::int64_t up_to) override;
  std::vector<std::string> users_sharing_a_room(std::string_view user_id,
                                                std::span<const std::string> candidates) override;
  void set_device_keys(std::string_view user_id, std::string_view device_id, std::string_view key_json) override;
  CreateResult add_one_time_key(std::string_view user_id, std::string_view device_id, const DeviceKey& key) override;
  std::optional<DeviceKey> claim_one_time_key(std::string_view user_id, std::string_view device_id,
                                              std::string_view algorithm) override;
  void set_fallback_key(std::string_view user_id, std::string_view device_id, const DeviceKey& key) override;
  std::optional<DeviceKey> claim_fallback_key(std::string_view user_id, std::string_view device_id,
                                              std::string_view algorithm) override;
  void set_cross_signing_key(const CrossSigningKey& key) override;
  void put_signature(const KeySignature& signature) override;
  std::int64_t mark_device_list_changed(std::string_view user_id) override;

 private:
  Session& session_;
  const E2eKeySql& sql_;
};

class SqlKeyBackupStore final : public KeyBackupStore {
 public:
  SqlKeyBackupStore(Session& session, const KeyBackupSql& sql) : session_(session), sql_(sql) {}

  std::optional<BackupVersion> latest_version(std::string_view user_id) override;
  std::optional<BackupVersion> version(std::string_view user_id, std::int64_t version) override;
  std::vector<BackedUpRoomKey> keys(std::string_view user_id, std::int64_t version,
                                    const RoomKeyScope& scope) override;
  std::int64_t count(std::string_view user_id, std::int64_t version) override;
  std::int64_t create_version(std::string_view user_id, std::string_view algorithm,
                              std::string_view auth_data) override;
  bool update_version(std::string_view user_id, std::int64_t version, std::string_view auth_data) override;
  bool delete_version(std::string_view user_id, std::int64_t version) override;
  void put_key(std::string_view user_id, std::int64_t version, const BackedUpRoomKey& key) override;
  std::int64_t delete_keys(std::string_view user_id, std::int64_t version, const RoomKeyScope& scope) override;
  void bump_etag(std::string_view user_id, std::int64_t version) override;

 private:
  Session& session_;
  const KeyBackupSql& sql_;
};

class SqlEventStore final : public EventStore {
 public:
  SqlEventStore(Session& session, const EventSql& sql) : session_(session), sql_(sql) {}

  std::optional<StoredEvent> get(std::string_view event_id) override;
  std::optional<StoredEvent> get_row(std::string_view event_id) override;
  std::vector<StoredEvent> get_many(std::span<const std::string> event_ids) override;
  std::vector<std::string> known(std::span<const std::string> event_ids) override;
  std::int64_t max_stream() override;
  std::vector<StoredEvent> room_events(std::string_view room_id, std::int64_t after,
                                       std::int64_t up_to, Direction direction,
                                       std::size_t limit) override;
  std::vector<StoredEvent> room_messages(std::string_view room_id, TopologicalPosition from,
                                         Direction direction, std::size_t limit) override;
  std::vector<StoredEvent> relations(const RelationQuery& query, std::int64_t after,
                                     std::int64_t up_to, Direction direction,
                                     std::size_t limit) override;
  std::vector<ThreadRoot> thread_roots(std::string_view room_id, std::string_view user_id,
                                       bool participated_only, std::int64_t before,
                                       std::size_t limit) override;
  std::map<std::string, std::vector<RelationCount>, std::less<>> relation_counts(
      std::string_view room_id, std::span<const std::string> event_ids, std::string_view user_id) override;
  std::optional<StoredEvent> event_near_ts(std::string_view room_id, std::int64_t ts,
                                           Direction direction) override;
  std::vector<std::string> auth_chain(std::span<const std::string> event_ids) override;
  std::vector<std::string> children(std::string_view event_id) override;
  EventInsert insert(const NewEvent& event) override;
  std::vector<EventInsert> insert_many(std::span<const NewEvent> events) override;
  bool set_rejected(std::string_view event_id, std::string_view reason) override;
  bool set_soft_failed(std::string_view event_id, bool soft_failed) override;
  bool set_redacted_by(std::string_view event_id, std::string_view redaction_id) override;
  bool promote_outlier(std::string_view event_id) override;

 private:
  // Builds events from rows and fills in their edges.
  std::vector<StoredEvent> with_edges(const std::vector<Row>& rows);

  Session& session_;
  const EventSql& sql_;
};

class SqlStateStore final : public StateStore {
 public:
  SqlStateStore(Session& session, const StateSql& sql) : session_(session), sql_(sql) {}

  StateMap state_map(std::int64_t group_id) override;
  StateMap state_for_keys(std::int64_t group_id, std::span<const StateKey> keys) override;
  StateDelta state_difference(std::int64_t from_group, std::int64_t to_group) override;
  std::optional<std::int64_t> event_state_group(std::string_view event_id) override;
  std::optional<std::string> group_room(std::int64_t group_id) override;
  std::int64_t create_group(std::string_view room_id, std::optional<std::int64_t> parent,
                            const StateDelta& delta) override;
  CreateResult set_event_state_group(std::string_view event_id, std::int64_t group_id) override;
  void set_new_event_state_group(std::int64_t stream, std::int64_t group_id) override;

 private:
  // The groups along a group's base links, nearest first.
  std::vector<std::int64_t> base_chain(std::int64_t group_id);
  // The numbers of the delta's keys, creating the keys that are new.
  std::map<StateKey, std::int64_t> key_numbers(const StateDelta& delta);

  Session& session_;
  const StateSql& sql_;
};

class SqlRoomStore final : public RoomStore {
 public:
  SqlRoomStore(Session& session, const RoomSql& sql) : session_(session), sql_(sql) {}

  std::optional<Room> get(std::string_view room_id) override;
  std::vector<Room> public_rooms(std::string_view after_room_id, std::size_t limit) override;
  std::vector<std::string> forward_extremities(std::string_view room_id) override;
  std::vector<std::string> backward_extremities(std::string_view room_id) override;
  StateMap current_state(std::string_view room_id) override;
  std::optional<std::string> current_state_event(std::string_view room_id,
                                                 const StateKey& key) override;
  StateMap current_state_events(std::string_view room_id, std::span<const StateKey> keys) override;
  StateMap current_state_of_type(std::string_view room_id, std::string_view type) override;
  std::optional<RoomMember> membership(std::string_view room_id,
                                       std::string_view user_id) override;
  std::vector<RoomMember> rooms_for_user(std::string_view user_id,
                                         Membership membership) override;
  std::vector<RoomMember> members(std::string_view room_id, Membership membership) override;
  std::vector<std::string> joined_servers(std::string_view room_id) override;
  std::optional<RoomAlias> alias(std::string_view alias) override;
  std::vector<std::string> aliases_of(std::string_view room_id) override;
  std::optional<ClientTransaction> transaction(std::string_view user_id,
                                               std::string_view device_id,
                                               std::string_view txn_id) override;
  std::optional<ClientTransaction> transaction_of_event(std::string_view user_id,
                                                        std::string_view device_id,
                                                        std::string_view event_id) override;
  CreateResult create(const Room& room) override;
  bool lock(std::string_view room_id) override;
  bool set_public(std::string_view room_id, bool is_public) override;
  void add_forward_extremity(std::string_view room_id, std::string_view event_id,
                             std::span<const std::string> prev_events) override;
  void extend_history(std::string_view room_id, std::string_view event_id,
                      std::span<const std::string> prev_events) override;
  void set_forward_extremities(std::string_view room_id,
                               std::span<const std::string> event_ids) override;
  void apply_state_delta(std::string_view room_id, const StateDelta& delta) override;
  void set_membership(const RoomMember& member) override;
  void set_memberships(std::span<const RoomMember> members) override;
  bool forget(std::string_view room_id, std::string_view user_id) override;
  CreateResult create_alias(const RoomAlias& alias) override;
  bool remove_alias(std::string_view alias) override;
  CreateResult record_transaction(const ClientTransaction& transaction) override;

 private:
  Session& session_;
  const RoomSql& sql_;
  // current_state_event answers already read in this transaction (the store lives as long as
  // the transaction, and only its own apply_state_delta writes current state). A send asks
  // for the create, power-levels and member events to pick auth events and for the first two
  // again to count notifications: on PostgreSQL each ask is a round trip.
  std::map<std::pair<std::string, StateKey>, std::optional<std::string>, std::less<>> state_lookups_;
  // Rooms this transaction locked, read with the lock: a send locks its room and then reads
  // its version, and nothing else changes a room row while the lock is held but set_public.
  std::map<std::string, Room, std::less<>> locked_rooms_;
};

/// A LIMIT parameter: PostgreSQL rejects a negative LIMIT, which a huge size_t would become.
std::int64_t limit_param(std::size_t limit);

/// The first column of every row as text.
std::vector<std::string> text_column(const std::vector<Row>& rows);

/// Rows of (type, state_key, event_id) as a state map.
StateMap state_map_from(const std::vector<Row>& rows);

/// Hex SHA-256 of an access token: the key under which it is stored.
std::string token_digest(std::string_view token);

}  // namespace ranvier::storage::sql
