#pragma once
// Notification, pusher, search and report stores implemented once over Session + the backend's
// SQL text (notification_queries.hpp).

#include "storage/notifications.hpp"
#include "storage/pushers.hpp"
#include "storage/reports.hpp"
#include "storage/search.hpp"
#include "storage/sql/notification_queries.hpp"
#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

class SqlNotificationStore final : public NotificationStore {
 public:
  SqlNotificationStore(Session& session, const NotificationSql& sql) : session_(session), sql_(sql) {}

  std::vector<PushRecipient> recipients(std::string_view room_id) override;
  std::vector<UnreadCount> unread_counts(std::string_view user_id, std::span<const std::string> room_ids) override;
  std::vector<Notification> list(std::string_view user_id, std::span<const std::string> room_ids,
                                 std::optional<std::int64_t> before, std::size_t limit, bool highlights_only) override;
  void add(const PushedEvent& event, std::span<const PushAction> actions) override;
  std::int64_t mark_read(std::string_view user_id, std::string_view room_id, std::string_view thread_id,
                         std::int64_t up_to) override;

 private:
  /// Each action's user's ordinal in the room, parallel to `actions`; assigns missing ones.
  std::vector<std::int64_t> ordinals(std::string_view room_id, std::span<const PushAction> actions);

  Session& session_;
  const NotificationSql& sql_;
};

class SqlPusherStore final : public PusherStore {
 public:
  SqlPusherStore(Session& session, const PusherSql& sql) : session_(session), sql_(sql) {}

  std::vector<Pusher> list(std::string_view user_id) override;
  void put(const Pusher& pusher) override;
  bool remove(std::string_view user_id, std::string_view app_id, std::string_view pushkey) override;
  std::int64_t remove_for_others(std::string_view app_id, std::string_view pushkey,
                                 std::string_view user_id) override;
  std::vector<QueuedPush> due(std::int64_t now_ts, std::size_t limit) override;
  std::optional<std::int64_t> next_due() override;
  std::int64_t enqueue(std::int64_t stream, std::span<const std::string> user_ids, std::int64_t now_ts) override;
  void finish(std::int64_t queue_id) override;
  void retry(std::int64_t queue_id, std::int64_t next_ts) override;

 private:
  Session& session_;
  const PusherSql& sql_;
};

class SqlSearchStore final : public SearchStore {
 public:
  SqlSearchStore(Session& session, const SearchSql& sql) : session_(session), sql_(sql) {}

  SearchResults search(const SearchQuery& query) override;
  void index(std::int64_t stream, std::string_view key, std::string_view text) override;

 private:
  Session& session_;
  const SearchSql& sql_;
};

class SqlReportStore final : public ReportStore {
 public:
  SqlReportStore(Session& session, const ReportSql& sql) : session_(session), sql_(sql) {}

  std::vector<Report> recent(std::size_t limit) override;
  std::optional<std::string> openid_user(std::string_view token, std::int64_t now_ts) override;
  void add(const Report& report) override;
  void add_openid_token(std::string_view token, std::string_view user_id, std::int64_t expires_ts,
                        std::int64_t now_ts) override;

 private:
  Session& session_;
  const ReportSql& sql_;
};

}  // namespace ranvier::storage::sql
